/* crm init: create (or migrate) the database and the first administrator. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/core.h"
#include "core/users.h"

int
cmd_init(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "CRM_DB", "data/crm.db", "database file", false, NULL },
		{ "admin-email", "CRM_ADMIN_EMAIL", NULL, "email of the first admin",
		    false, NULL },
		{ "admin-name", "CRM_ADMIN_NAME", "Administrator",
		    "name of the first admin", false, NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	char err[512], password[1100], shown[512], *store;
	struct core_ctx cx;
	db_t *db;
	bool help;
	int64_t users = 0, id;
	int rc;

	if (opts_parse(argc, argv, opts, n, &help, &store) != 0)
		return 2;
	if (help) {
		opts_usage("crm init --db PATH --admin-email EMAIL", "Creates the "
		    "database (or brings its schema up to date) and, when it has no "
		    "users yet, a first\nadministrator. The password comes from "
		    "CRM_ADMIN_PASSWORD, else a prompt, else it is generated\nand "
		    "printed once. Running it again on a database that has users "
		    "changes nothing.", opts, n);
		opts_free(store);
		return 0;
	}
	db_display(opt_get(opts, n, "db"), shown, sizeof(shown));
	if (core_open_db(opt_get(opts, n, "db"), &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "crm init: %s\n", err);
		opts_free(store);
		return 1;
	}
	core_ctx_init(&cx, db, NULL);
	rc = user_count(&cx, &users);
	if (rc == CRM_OK && users > 0) {
		printf("crm init: %s is ready; it already has %lld user%s\n",
		    shown, (long long)users, users == 1 ? "" : "s");
		goto out;
	}
	if (rc == CRM_OK && opt_get(opts, n, "admin-email") == NULL) {
		fprintf(stderr, "crm init: give --admin-email for the first "
		    "administrator\n");
		rc = -1;
		goto out;
	}
	if (rc == CRM_OK && read_password("CRM_ADMIN_PASSWORD",
	    opt_get(opts, n, "admin-email"), password, sizeof(password)) != 0)
		rc = -1;
	if (rc == CRM_OK)
		rc = user_add(&cx, opt_get(opts, n, "admin-email"),
		    opt_get(opts, n, "admin-name"), password, true, &id);
	if (rc == CRM_OK)
		printf("crm init: created %s with administrator %s\n",
		    shown, opt_get(opts, n, "admin-email"));
	else if (cx.detail[0] != '\0')
		fprintf(stderr, "crm init: %s\n", cx.detail);
out:
	db_close(db);
	opts_free(store);
	return rc == CRM_OK ? 0 : 1;
}
