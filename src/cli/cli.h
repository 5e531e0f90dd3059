/*
 * The command line: `crm COMMAND [flags]`. Each command is one file with a
 * cmd_NAME() entry and its help text. Flags may also come from the
 * environment (CRM_DB, CRM_LISTEN, ...) and a config file (--config or
 * CRM_CONFIG, lines of "name = value"); a flag beats the environment,
 * which beats the file, which beats the default.
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "util/version.h"

struct opt {
	const char	*name;		/* "db" for --db */
	const char	*env;		/* "CRM_DB", or NULL */
	const char	*def;		/* default, or NULL */
	const char	*help;
	bool		 is_flag;	/* takes no value: "1" when given */
	const char	*value;		/* the result; borrowed from argv/env/file */
};

/*
 * Parses argv (after the command words) into opts, filling values from the
 * environment, the config file and defaults. Prints a message naming the
 * problem and returns -1 on an unknown flag or a missing value. *help is
 * set when --help was given. Strings read from a config file are kept in
 * *store, which the caller frees with opts_free().
 */
int opts_parse(int argc, char **argv, struct opt *opts, size_t n, bool *help,
    char **store);
void opts_free(char *store);
const char *opt_get(const struct opt *opts, size_t n, const char *name);
void opts_usage(const char *usage, const char *about, const struct opt *opts,
    size_t n);
/*
 * A password for user email: from the environment variable env, else asked
 * on the terminal (twice, not echoed), else generated and printed once.
 * Writes it to out (size outlen). Returns 0, or -1 with a message printed.
 */
int read_password(const char *env, const char *email, char *out,
    size_t outlen);

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
int cmd_system(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_export(int argc, char **argv);

/*
 * The audit key file: given, or beside a SQLite database ("data/crm.db"
 * -> "data/crm.db.audit-key"), or "crm.audit-key" for PostgreSQL.
 */
void cli_audit_key_path(const char *db, const char *given, char *out,
    size_t outlen);
/*
 * The documents folder (and imported files): flag (--files-dir), else
 * files/ next to a SQLite database, else ./crm-files; limits from
 * --max-upload and --max-documents. 0, or the exit code after a message
 * that names cmd.
 */
struct doc_store;
int cli_docs_open(const char *cmd, const char *flag, const char *db,
    const char *max_upload, const char *max_docs, struct doc_store *docs);
int cmd_import(int argc, char **argv);
int cmd_plans(int argc, char **argv);
int cmd_migrate_db(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);

#endif
