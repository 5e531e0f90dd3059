/*
 * crm audit: check that nobody rewrote the audit log (core/audit.h), sign
 * its head now, show the public key for auditors, and list entries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "core/core.h"
#include "util/timeutil.h"

static const char about[] =
    "  crm audit verify        walk the chain and every signed checkpoint; "
    "exit 1 and\n"
    "                          name the first entry changed, removed or "
    "inserted\n"
    "  crm audit checkpoint    sign the chain's head now\n"
    "  crm audit public-key    print the public half of the key (give it to "
    "auditors:\n"
    "                          crm audit verify --key FILE needs only that "
    "line)\n"
    "  crm audit list [--limit N] [--action A]   the newest entries\n"
    "  crm audit archive --before DATE --to FILE  move older entries to FILE "
    "and\n"
    "                          remove them, signing where the log now starts\n"
    "  crm audit verify-archive FILE              check an archive's chain and "
    "signature";

void
cli_audit_key_path(const char *db, const char *given, char *out, size_t outlen)
{
	if (given != NULL)
		snprintf(out, outlen, "%s", given);
	else if (db_is_postgres(db))
		snprintf(out, outlen, "crm.audit-key");
	else
		snprintf(out, outlen, "%s.audit-key", db);
}

static int
verify(struct core_ctx *cx, const struct audit_key *key)
{
	json_t *out = NULL, *p;
	size_t i;
	int rc = audit_verify(cx, key, &out);

	if (rc != CRM_OK)
		return rc;
	printf("%lld entries, %lld checkpoints%s\n",
	    (long long)json_integer_value(json_object_get(out, "entries")),
	    (long long)json_integer_value(json_object_get(out, "checkpoints")),
	    key ? "" : " (signatures not checked: no key)");
	json_array_foreach(json_object_get(out, "problems"), i, p)
		printf("TAMPERED: %s\n", json_string_value(p));
	if (json_is_true(json_object_get(out, "ok")))
		printf("OK: the audit log is intact\n");
	rc = json_is_true(json_object_get(out, "ok")) ? CRM_OK : CRM_EINVAL;
	json_decref(out);
	return rc;
}

static int
list(struct core_ctx *cx, const char *action, const char *limit)
{
	struct audit_query q = { 0 };
	json_t *out = NULL, *e;
	size_t i;
	int rc;

	q.action = action;
	/* Out of range or not a number: audit_list refuses it by name. */
	q.limit = limit && strlen(limit) <= 3 ? (int)strtol(limit, NULL, 10) : 0;
	rc = audit_list(cx, &q, &out);
	if (rc != CRM_OK)
		return rc;
	json_array_foreach(json_object_get(out, "data"), i, e) {
		char *d = json_dumps(json_object_get(e, "detail"), JSON_COMPACT);

		printf("%-6lld %s %-24s %-26s %s %lld %s\n",
		    (long long)json_integer_value(json_object_get(e, "id")),
		    json_string_value(json_object_get(e, "at")),
		    json_string_value(json_object_get(e, "actor_email")) ?
		    json_string_value(json_object_get(e, "actor_email")) : "-",
		    json_string_value(json_object_get(e, "action")),
		    json_string_value(json_object_get(e, "entity")) ?
		    json_string_value(json_object_get(e, "entity")) : "-",
		    (long long)json_integer_value(json_object_get(e, "record_id")),
		    d ? d : "{}");
		free(d);
	}
	json_decref(out);
	return CRM_OK;
}

/* The archive being written: a temporary file renamed into place at the end. */
struct archive_out {
	FILE		*f;
	const char	*path;
	char		 tmp[4200];
};

static int
archive_emit(void *arg, const char *line, size_t len)
{
	struct archive_out *o = arg;

	if (line != NULL)
		return fwrite(line, 1, len, o->f) == len && fputc('\n', o->f) != EOF ?
		    0 : -1;
	/* The end: durable under its own name before the entries go. */
	if (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0)
		return -1;
	if (fclose(o->f) != 0) {
		o->f = NULL;
		return -1;
	}
	o->f = NULL;
	return link(o->tmp, o->path) == 0 ? 0 : -1;
}

static int
archive(struct core_ctx *cx, const char *before, const char *to)
{
	struct archive_out o = { NULL, to, "" };
	int64_t days, moved = 0;
	int rc;

	if (before == NULL || to == NULL || time_parse_date(before,
	    strlen(before), &days) != 0) {
		fprintf(stderr, "crm audit archive: give --before YYYY-MM-DD and "
		    "--to FILE\n");
		return CRM_EBADQUERY;
	}
	if (access(to, F_OK) == 0) {
		fprintf(stderr, "crm audit archive: %s exists; choose a new file "
		    "name\n", to);
		return CRM_EBADQUERY;
	}
	snprintf(o.tmp, sizeof(o.tmp), "%s.tmp", to);
	o.f = fopen(o.tmp, "w");
	if (o.f == NULL) {
		fprintf(stderr, "crm audit archive: cannot write %s: %s\n", o.tmp,
		    strerror(errno));
		return CRM_EBADQUERY;
	}
	rc = audit_archive(cx, days * 86400000LL, to, archive_emit, &o, &moved);
	if (o.f != NULL)
		fclose(o.f);
	unlink(o.tmp);
	if (rc == CRM_OK && moved == 0) {
		unlink(to);
		printf("nothing older than %s to archive\n", before);
	} else if (rc == CRM_OK) {
		printf("moved %lld entries to %s; keep it with the key's public "
		    "half (crm audit verify-archive %s)\n", (long long)moved, to, to);
	} else if (access(to, F_OK) == 0) {
		/* Written but the database refused: the entries stay; drop the copy. */
		unlink(to);
	}
	return rc;
}

struct archive_in {
	FILE	*f;
	char	*line;
	size_t	 cap;
};

static int
archive_next(void *arg, const char **line, size_t *len)
{
	struct archive_in *in = arg;
	ssize_t n = getline(&in->line, &in->cap, in->f);

	if (n < 0)
		return ferror(in->f) ? -1 : 1;
	if (n > 1024 * 1024)
		return -1;	/* no entry is this long */
	if (n > 0 && in->line[n - 1] == '\n')
		n--;
	*line = in->line;
	*len = (size_t)n;
	return 0;
}

static int
verify_archive(const char *path, const struct audit_key *key)
{
	struct archive_in in = { fopen(path, "r"), NULL, 0 };
	json_t *out = NULL, *p;
	size_t i;
	int ok;

	if (in.f == NULL) {
		fprintf(stderr, "crm audit verify-archive: cannot read %s: %s\n",
		    path, strerror(errno));
		return CRM_EBADQUERY;
	}
	audit_archive_check(key, archive_next, &in, &out);
	fclose(in.f);
	free(in.line);
	printf("%lld entries%s\n",
	    (long long)json_integer_value(json_object_get(out, "entries")),
	    key ? "" : " (signature not checked: no key)");
	json_array_foreach(json_object_get(out, "problems"), i, p)
		printf("TAMPERED: %s\n", json_string_value(p));
	ok = json_is_true(json_object_get(out, "ok"));
	if (ok)
		printf("OK: the archive is intact\n");
	json_decref(out);
	return ok ? CRM_OK : CRM_EINVAL;
}

int
cmd_audit(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "CRM_DB", "data/crm.db", "database file", false, NULL },
		{ "key", "CRM_AUDIT_KEY", NULL, "the audit key file (default: the "
		    "database file name + .audit-key)", false, NULL },
		{ "limit", NULL, "50", "entries to list (1-500)", false, NULL },
		{ "action", NULL, NULL, "only this action, or a family ending in "
		    "'.' (list)", false, NULL },
		{ "before", NULL, NULL, "archive entries older than this date "
		    "(YYYY-MM-DD)", false, NULL },
		{ "to", NULL, NULL, "the archive file to write (archive)", false,
		    NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	const char *sub = argc > 0 ? argv[0] : "";
	const char *file = NULL;
	char err[512], path[4096], *store;
	struct audit_key key;
	struct core_ctx cx;
	bool help, have_key;
	db_t *db;
	int rc;

	/* verify-archive FILE: the file comes first. */
	if (strcmp(sub, "verify-archive") == 0 && argc > 1 && argv[1][0] != '-') {
		file = argv[1];
		argc--;
		argv++;
	}
	if (opts_parse(argc > 0 ? argc - 1 : 0, argv + 1, opts, n, &help,
	    &store) != 0)
		return 2;
	if (help || (strcmp(sub, "verify") != 0 && strcmp(sub, "checkpoint") != 0 &&
	    strcmp(sub, "public-key") != 0 && strcmp(sub, "list") != 0 &&
	    strcmp(sub, "archive") != 0 && !(strcmp(sub, "verify-archive") == 0 &&
	    file != NULL))) {
		opts_usage("crm audit verify|checkpoint|public-key|list|archive|"
		    "verify-archive [flags]",
		    about, opts, n);
		opts_free(store);
		return help || strcmp(sub, "--help") == 0 ? 0 : 2;
	}
	cli_audit_key_path(opt_get(opts, n, "db"), opt_get(opts, n, "key"), path,
	    sizeof(path));
	have_key = audit_key_load(path, false, &key, err, sizeof(err)) == 0;
	if (!have_key && strcmp(sub, "list") != 0 && strcmp(sub, "verify") != 0 &&
	    file == NULL) {
		fprintf(stderr, "crm audit %s: %s\n", sub, err);
		opts_free(store);
		return 1;
	}
	if (strcmp(sub, "public-key") == 0) {
		char hex[2 * sizeof(key.pk) + 1];

		sodium_bin2hex(hex, sizeof(hex), key.pk, sizeof(key.pk));
		printf("public %s\n", hex);
		sodium_memzero(&key, sizeof(key));
		opts_free(store);
		return 0;
	}
	if (!have_key)
		fprintf(stderr, "crm audit %s: %s; signatures are not checked\n", sub,
		    err);
	if (file != NULL) {
		rc = verify_archive(file, have_key ? &key : NULL);
		sodium_memzero(&key, sizeof(key));
		opts_free(store);
		return rc == CRM_OK ? 0 : 1;
	}
	if (core_open_db(opt_get(opts, n, "db"), &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "crm audit: %s\n", err);
		sodium_memzero(&key, sizeof(key));
		opts_free(store);
		return 1;
	}
	core_ctx_init(&cx, db, NULL);
	cx.audit_key = have_key ? &key : NULL;
	if (strcmp(sub, "verify") == 0) {
		rc = verify(&cx, have_key ? &key : NULL);
	} else if (strcmp(sub, "list") == 0) {
		rc = list(&cx, opt_get(opts, n, "action"), opt_get(opts, n, "limit"));
	} else if (strcmp(sub, "archive") == 0) {
		rc = archive(&cx, opt_get(opts, n, "before"), opt_get(opts, n, "to"));
	} else if (db_begin(db) != DB_OK) {
		rc = core_fail(&cx, CRM_EDB, "%s", db_errmsg(db));
	} else {
		rc = core_txn_end(&cx, audit_checkpoint(&cx), NULL);
		if (rc == CRM_OK)
			printf("signed the audit log's head\n");
	}
	if (rc != CRM_OK && rc != CRM_EINVAL && cx.detail[0] != '\0')
		fprintf(stderr, "crm audit %s: %s\n", sub, cx.detail);
	if (rc == CRM_EINVAL && strcmp(sub, "verify") != 0 && cx.detail[0])
		fprintf(stderr, "crm audit %s: %s\n", sub, cx.detail);
	db_close(db);
	sodium_memzero(&key, sizeof(key));
	opts_free(store);
	return rc == CRM_OK ? 0 : 1;
}
