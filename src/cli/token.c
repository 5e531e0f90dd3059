/* crm token: API tokens for scripts and integrations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/core.h"
#include "core/tokens.h"
#include "core/users.h"
#include "util/timeutil.h"

static const char about[] =
    "  crm token create --user EMAIL [--name N] [--expires 30d] [--read-only]\n"
    "                                             print a new token for the "
    "user (shown once)\n"
    "  crm token list                             list tokens (never the "
    "secrets)\n"
    "  crm token revoke --id N                    stop a token from working\n\n"
    "Use a token as: Authorization: Bearer TOKEN";

int
cmd_token(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "CRM_DB", "data/crm.db", "database file", false, NULL },
		{ "user", NULL, NULL, "email of the token's user (create)", false,
		    NULL },
		{ "name", NULL, "cli", "a label for the token (create)", false, NULL },
		{ "id", NULL, NULL, "the token's id (revoke)", false, NULL },
		{ "expires", NULL, NULL, "the token stops working after this long: "
		    "30d, 12h (create; default never)", false, NULL },
		{ "read-only", NULL, NULL, "the token may only read (create)", true,
		    NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	const char *sub = argc > 0 ? argv[0] : "";
	char err[512], token[SECRET_LEN], *store, *end;
	struct core_ctx cx;
	json_t *list, *t;
	db_t *db;
	bool help;
	int64_t id, ttl;
	size_t i;
	int rc = CRM_OK;

	if (opts_parse(argc > 0 ? argc - 1 : 0, argv + 1, opts, n, &help,
	    &store) != 0)
		return 2;
	if (help || (strcmp(sub, "create") != 0 && strcmp(sub, "list") != 0 &&
	    strcmp(sub, "revoke") != 0)) {
		opts_usage("crm token create|list|revoke [flags]", about, opts, n);
		opts_free(store);
		return help || strcmp(sub, "--help") == 0 ? 0 : 2;
	}
	if (strcmp(sub, "create") == 0 && opt_get(opts, n, "user") == NULL) {
		fprintf(stderr, "crm token create: give --user EMAIL\n");
		opts_free(store);
		return 2;
	}
	ttl = 0;
	if (opt_get(opts, n, "expires") != NULL) {
		ttl = apitoken_parse_ttl(opt_get(opts, n, "expires"));
		if (ttl <= 0) {
			fprintf(stderr, "crm token create: --expires takes a duration "
			    "such as 30d, 12h or 90m, up to %d days\n", TOKEN_MAX_DAYS);
			opts_free(store);
			return 2;
		}
	}
	id = opt_get(opts, n, "id") ? strtoll(opt_get(opts, n, "id"), &end, 10) : 0;
	if (strcmp(sub, "revoke") == 0 && (opt_get(opts, n, "id") == NULL ||
	    *end != '\0' || id <= 0)) {
		fprintf(stderr, "crm token revoke: give --id N (see crm token list)\n");
		opts_free(store);
		return 2;
	}
	if (core_open_db(opt_get(opts, n, "db"), &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "crm token: %s\n", err);
		opts_free(store);
		return 1;
	}
	core_ctx_init(&cx, db, NULL);
	if (strcmp(sub, "create") == 0) {
		struct actor a;
		bool active = false;

		rc = user_find(&cx, opt_get(opts, n, "user"), &a, &active);
		if (rc == CRM_OK && !active)
			rc = core_fail(&cx, CRM_EFORBIDDEN, "User %s is disabled",
			    a.email);
		if (rc == CRM_OK)
			rc = apitoken_create(&cx, a.user_id, opt_get(opts, n, "name"),
			    opt_get(opts, n, "read-only") != NULL,
			    ttl > 0 ? time_now_ms() + ttl : 0, token, &id);
		if (rc == CRM_OK) {
			printf("%s\n", token);
			fprintf(stderr, "token %lld created for %s; it is shown only "
			    "once\n", (long long)id, opt_get(opts, n, "user"));
		}
	} else if (strcmp(sub, "revoke") == 0) {
		rc = apitoken_revoke(&cx, id, 0);
		if (rc == CRM_OK)
			printf("revoked token %lld\n", (long long)id);
	} else {
		rc = apitoken_list(&cx, 0, &list);
		if (rc == CRM_OK) {
			printf("%-6s %-32s %-16s %-5s %-26s %-26s %s\n", "ID", "USER",
			    "NAME", "MODE", "CREATED", "EXPIRES", "REVOKED");
			json_array_foreach(json_object_get(list, "data"), i, t) {
				json_t *ex = json_object_get(t, "expires_at");
				json_t *rv = json_object_get(t, "revoked_at");

				printf("%-6lld %-32s %-16s %-5s %-26s %-26s %s\n",
				    (long long)json_integer_value(json_object_get(t, "id")),
				    json_string_value(json_object_get(t, "user")),
				    json_string_value(json_object_get(t, "name")),
				    json_is_true(json_object_get(t, "read_only")) ? "read" :
				    "full",
				    json_string_value(json_object_get(t, "created_at")),
				    json_is_string(ex) ? json_string_value(ex) : "never",
				    json_is_string(rv) ? json_string_value(rv) : "-");
			}
			json_decref(list);
		}
	}
	if (rc != CRM_OK && cx.detail[0] != '\0')
		fprintf(stderr, "crm token %s: %s\n", sub, cx.detail);
	db_close(db);
	opts_free(store);
	return rc == CRM_OK ? 0 : 1;
}
