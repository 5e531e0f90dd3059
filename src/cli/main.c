/* crm: the one binary. Dispatches to a command. */
#include <liboath/oath.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/core.h"

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*about;
} commands[] = {
	{ "init", cmd_init, "create the database and its first admin" },
	{ "serve", cmd_serve, "run the web UI and the REST API" },
	{ "user", cmd_user, "add, list, disable, enable users; set passwords" },
	{ "token", cmd_token, "create, list and revoke API tokens" },
	{ "system", cmd_system, "show, set or lift the read-only or locked state" },
	{ "audit", cmd_audit, "verify the audit log's chain and signatures; list it" },
	{ "export", cmd_export, "write a list of records to a CSV or XLSX file "
	    "(audited)" },
	{ "jobs", cmd_jobs, "list background jobs; check that servers run them" },
	{ "import", cmd_import, "import a CSV or XLSX file strictly, with a dry "
	    "run; list and undo imports" },
	{ "plans", cmd_plans, "import plan targets from a CSV or XLSX file, with "
	    "a dry run" },
	{ "backup", cmd_backup, "back up a SQLite CRM while it runs; check a "
	    "backup (--verify)" },
	{ "restore", cmd_restore, "restore a backup into an empty data folder" },
	{ "migrate-db", cmd_migrate_db, "copy everything into another database "
	    "(SQLite to PostgreSQL) and verify it" },
};

static void
usage(void)
{
	printf("crm %s: a CRM server in one binary.\n\n"
	    "usage: crm COMMAND [flags]\n\ncommands:\n", CRM_VERSION);
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].about);
	printf("\nStart here:\n"
	    "  crm init --db data/crm.db --admin-email you@example.com\n"
	    "  crm serve --db data/crm.db --listen 127.0.0.1:8080\n"
	    "then open http://127.0.0.1:8080 and sign in.\n\n"
	    "`crm COMMAND --help` describes a command's flags. Every flag can\n"
	    "also be set in the environment (CRM_DB, CRM_LISTEN, ...) or in a\n"
	    "config file given with --config.\n");
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "crm: libsodium failed to initialise\n");
		return 1;
	}
	if (core_library_init() != 0)
		fprintf(stderr, "crm: warning: SQLite kept its memory "
		    "statistics (slower, still correct)\n");
	if (oath_init() != OATH_OK) {
		fprintf(stderr, "crm: liboath failed to initialise\n");
		return 1;
	}
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage();
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("crm %s\n", CRM_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "crm: unknown command '%s'; see crm --help\n", argv[1]);
	return 2;
}
