/* crm user: manage accounts from the command line. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/core.h"
#include "core/throttle.h"
#include "core/twofactor.h"
#include "core/users.h"

static const char about[] =
    "  crm user add --email E --name N [--admin]   add a user (password from "
    "CRM_PASSWORD,\n"
    "                                              a prompt, or generated)\n"
    "  crm user list                               list users\n"
    "  crm user disable --email E                  block sign-in and end "
    "sessions and tokens\n"
    "  crm user enable --email E                   allow sign-in again\n"
    "  crm user passwd --email E                   set a new password "
    "(CRM_PASSWORD or a prompt)\n"
    "  crm user reset-2fa EMAIL                    remove every second factor "
    "(app,\n"
    "                                              keys, recovery codes) and "
    "end sessions\n"
    "  crm user require-2fa --email E [--off]      the user must set up "
    "two-factor sign-in\n"
    "  crm user unlock EMAIL (or --email E)        forget failed sign-ins: "
    "lift a lockout";

int
cmd_user(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "CRM_DB", "data/crm.db", "database file", false, NULL },
		{ "email", NULL, NULL, "the user's email", false, NULL },
		{ "name", NULL, NULL, "the user's name (add)", false, NULL },
		{ "admin", NULL, NULL, "make the user an administrator (add)", true,
		    NULL },
		{ "off", NULL, NULL, "no longer require two-factor sign-in "
		    "(require-2fa)", true, NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	const char *sub = argc > 0 ? argv[0] : "";
	char err[512], password[1100], *store;
	struct core_ctx cx;
	json_t *list;
	db_t *db;
	bool help;
	int64_t id;
	int rc = CRM_OK;

	bool twofa = strcmp(sub, "reset-2fa") == 0 ||
	    strcmp(sub, "require-2fa") == 0;
	const char *positional = NULL;

	/* reset-2fa EMAIL, unlock EMAIL: the email may come without --email. */
	if ((twofa || strcmp(sub, "unlock") == 0) && argc > 1 &&
	    argv[1][0] != '-') {
		positional = argv[1];
		argc--;
		argv++;
	}
	if (opts_parse(argc > 0 ? argc - 1 : 0, argv + 1, opts, n, &help,
	    &store) != 0)
		return 2;
	if (positional != NULL && opt_get(opts, n, "email") == NULL)
		opts[1].value = positional;
	if (help || (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0 &&
	    strcmp(sub, "disable") != 0 && strcmp(sub, "enable") != 0 &&
	    strcmp(sub, "passwd") != 0 && strcmp(sub, "unlock") != 0 && !twofa)) {
		opts_usage("crm user add|list|disable|enable|passwd|unlock|reset-2fa|"
		    "require-2fa [flags]", about,
		    opts, n);
		opts_free(store);
		return help || strcmp(sub, "--help") == 0 ? 0 : 2;
	}
	if (strcmp(sub, "list") != 0 && opt_get(opts, n, "email") == NULL) {
		fprintf(stderr, "crm user %s: give --email\n", sub);
		opts_free(store);
		return 2;
	}
	if (strcmp(sub, "add") == 0 && opt_get(opts, n, "name") == NULL) {
		fprintf(stderr, "crm user add: give --name\n");
		opts_free(store);
		return 2;
	}
	if (core_open_db(opt_get(opts, n, "db"), &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "crm user: %s\n", err);
		opts_free(store);
		return 1;
	}
	core_ctx_init(&cx, db, NULL);
	if (strcmp(sub, "list") == 0) {
		rc = user_list(&cx, &list);
		if (rc == CRM_OK) {
			size_t i;
			json_t *u;

			printf("%-6s %-32s %-24s %-6s %s\n", "ID", "EMAIL", "NAME",
			    "ADMIN", "ACTIVE");
			json_array_foreach(json_object_get(list, "data"), i, u)
				printf("%-6lld %-32s %-24s %-6s %s\n",
				    (long long)json_integer_value(json_object_get(u, "id")),
				    json_string_value(json_object_get(u, "email")),
				    json_string_value(json_object_get(u, "name")),
				    json_is_true(json_object_get(u, "is_admin")) ? "yes" : "no",
				    json_is_true(json_object_get(u, "active")) ? "yes" : "no");
			json_decref(list);
		}
	} else if (strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) {
		if (read_password("CRM_PASSWORD", opt_get(opts, n, "email"),
		    password, sizeof(password)) != 0) {
			rc = -1;
		} else if (strcmp(sub, "add") == 0) {
			rc = user_add(&cx, opt_get(opts, n, "email"),
			    opt_get(opts, n, "name"), password,
			    opt_get(opts, n, "admin") != NULL, &id);
			if (rc == CRM_OK)
				printf("added user %lld %s\n", (long long)id,
				    opt_get(opts, n, "email"));
		} else {
			rc = user_set_password(&cx, opt_get(opts, n, "email"), password);
			if (rc == CRM_OK)
				printf("password changed for %s\n", opt_get(opts, n, "email"));
		}
	} else if (strcmp(sub, "reset-2fa") == 0) {
		rc = twofa_reset(&cx, opt_get(opts, n, "email"));
		if (rc == CRM_OK)
			printf("removed every second factor of %s and ended their "
			    "sessions; they sign in with their password alone\n",
			    opt_get(opts, n, "email"));
	} else if (strcmp(sub, "require-2fa") == 0) {
		bool on = opt_get(opts, n, "off") == NULL;

		rc = twofa_set_required(&cx, opt_get(opts, n, "email"), on);
		if (rc == CRM_OK)
			printf("%s %s\n", opt_get(opts, n, "email"), on ? "must now "
			    "use two-factor sign-in" : "no longer needs two-factor "
			    "sign-in");
	} else if (strcmp(sub, "unlock") == 0) {
		rc = throttle_unlock(&cx, opt_get(opts, n, "email"));
		if (rc == CRM_OK)
			printf("unlocked %s: its failed sign-ins are forgotten\n",
			    opt_get(opts, n, "email"));
	} else {
		bool enable = strcmp(sub, "enable") == 0;

		rc = user_set_active(&cx, opt_get(opts, n, "email"), enable);
		if (rc == CRM_OK)
			printf("%s %s\n", enable ? "enabled" : "disabled",
			    opt_get(opts, n, "email"));
	}
	if (rc != CRM_OK && cx.detail[0] != '\0')
		fprintf(stderr, "crm user %s: %s\n", sub, cx.detail);
	db_close(db);
	opts_free(store);
	return rc == CRM_OK ? 0 : 1;
}
