/*
 * crm system: the system state during an incident (core/syslock.h). Every
 * server sharing the database follows a change within a second.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/core.h"
#include "core/syslock.h"

static const char about[] =
    "  crm system state                   show the state and its message\n"
    "  crm system read-only [--message M] refuse every write; reads work\n"
    "  crm system lock [--message M]      only administrators may sign in "
    "and work\n"
    "  crm system unlock                  back to normal";

int
cmd_system(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "CRM_DB", "data/crm.db", "database file", false, NULL },
		{ "message", NULL, "", "what users see (the incident, when it "
		    "ends)", false, NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	const char *sub = argc > 0 ? argv[0] : "";
	const char *state = NULL;
	char err[512], *store;
	struct core_ctx cx;
	struct sysstate s;
	db_t *db;
	bool help;
	int rc;

	if (opts_parse(argc > 0 ? argc - 1 : 0, argv + 1, opts, n, &help,
	    &store) != 0)
		return 2;
	if (strcmp(sub, "read-only") == 0)
		state = "read_only";
	else if (strcmp(sub, "lock") == 0)
		state = "locked";
	else if (strcmp(sub, "unlock") == 0)
		state = "normal";
	if (help || (state == NULL && strcmp(sub, "state") != 0)) {
		opts_usage("crm system state|read-only|lock|unlock [flags]", about,
		    opts, n);
		opts_free(store);
		return help || strcmp(sub, "--help") == 0 ? 0 : 2;
	}
	if (core_open_db(opt_get(opts, n, "db"), &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "crm system: %s\n", err);
		opts_free(store);
		return 1;
	}
	core_ctx_init(&cx, db, NULL);
	rc = CRM_OK;
	if (state != NULL)
		rc = syslock_set(&cx, state, opt_get(opts, n, "message"));
	if (rc == CRM_OK)
		rc = syslock_get(&cx, &s);
	if (rc == CRM_OK)
		printf("%s%s%s\n", s.state, s.message[0] ? ": " : "", s.message);
	else
		fprintf(stderr, "crm system %s: %s\n", sub, cx.detail);
	db_close(db);
	opts_free(store);
	return rc == CRM_OK ? 0 : 1;
}
