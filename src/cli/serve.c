/*
 * crm serve: the server. Opens the database (applying migrations), starts
 * the HTTP workers, and waits for SIGTERM or SIGINT; then lets requests in
 * flight finish and closes the database cleanly. Signals are blocked in
 * every thread and taken synchronously here with sigwait(), so no handler
 * runs in a random worker.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "core/backup.h"
#include "core/core.h"
#include "core/documents.h"
#include "core/twofactor.h"
#include "core/jobs.h"
#include "core/mail.h"
#include "core/watch.h"
#include "core/sessions.h"
#include "http/http.h"
#include "store/gate.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#include <curl/curl.h>
#include <sodium.h>

/*
 * The WebAuthn relying party: --origin, or http(s)://localhost:PORT with
 * the port of --listen (a secure context for browsers even without TLS).
 */
static int
serve_origin(const char *origin, const char *listen, bool tls,
    struct twofa_rp *rp, char *err, size_t errlen)
{
	char def[TWOFA_ORIGIN_MAX];
	const char *colon = strrchr(listen, ':');

	if (origin == NULL) {
		if ((size_t)snprintf(def, sizeof(def), "%s://localhost:%s",
		    tls ? "https" : "http", colon ? colon + 1 : "8080") >=
		    sizeof(def)) {
			snprintf(err, errlen, "the listen address is too long");
			return -1;
		}
		origin = def;
	}
	return twofa_rp_from_origin(origin, rp, err, errlen);
}

/*
 * A number with an optional one-letter unit: digits, then nothing (unit
 * 1) or one of the letters of units, which multiply by mult[i]. Returns 0
 * and *out, or -1 when malformed or outside [min, max].
 */
static int
parse_with_unit(const char *s, int64_t one, const char *units,
    const int64_t *mult, int64_t min, int64_t max, int64_t *out)
{
	const char *u;
	int64_t v = 0, unit = one;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 9; i++)
		v = v * 10 + (s[i] - '0');
	if (i == 0)
		return -1;
	if (s[i] != '\0') {
		u = strchr(units, s[i]);
		if (u == NULL || s[i + 1] != '\0')
			return -1;
		unit = mult[u - units];
	}
	*out = v * unit;
	return *out >= min && *out <= max ? 0 : -1;
}

/* A duration: digits with an optional unit s, m, h or d (seconds without one). */
static int
parse_duration(const char *s, int64_t min_ms, int64_t max_ms, int64_t *ms)
{
	static const int64_t mult[] = { 1000, 60000, 3600000, 86400000 };

	return parse_with_unit(s, 1000, "smhd", mult, min_ms, max_ms, ms);
}

/* A size: digits with an optional unit K, M or G (binary multiples). */
static int
parse_size(const char *s, int64_t min, int64_t max, int64_t *bytes)
{
	static const int64_t mult[] = { 1024, 1024, 1048576, 1048576,
		1073741824, 1073741824 };

	return parse_with_unit(s, 1, "kKmMgG", mult, min, max, bytes);
}

/* Reads a PEM file of at most 1 MiB into a new NUL-terminated string. */
static char *
read_pem(const char *flag, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long size;

	if (f == NULL) {
		fprintf(stderr, "crm serve: --%s %s: %s\n", flag, path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 ||
	    size > 1024 * 1024 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "crm serve: --%s %s: not a PEM file of at most "
		    "1 MiB\n", flag, path);
		fclose(f);
		return NULL;
	}
	data = xmalloc((size_t)size + 1);
	if (fread(data, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "crm serve: --%s %s: read failed\n", flag, path);
		fclose(f);
		free(data);
		return NULL;
	}
	fclose(f);
	data[size] = '\0';
	if (strstr(data, "-----BEGIN ") == NULL) {
		fprintf(stderr, "crm serve: --%s %s: no PEM block (-----BEGIN ...) "
		    "in it\n", flag, path);
		free(data);
		return NULL;
	}
	return data;
}

/*
 * The SMTP settings from the --smtp-* options into mc (the password read
 * from its file into password, PASSWORD_MAX bytes). 0, or -1 after a
 * message. No --smtp-url: mail is off and mc->url stays NULL.
 */
#define PASSWORD_MAX 1024
static int
smtp_settings(const struct opt *opts, size_t n, struct mail_conf *mc,
    char *password)
{
	const char *url = opt_get(opts, n, "smtp-url");
	const char *from = opt_get(opts, n, "smtp-from");
	const char *pwfile = opt_get(opts, n, "smtp-password-file");
	char *end;
	long attempts;
	FILE *f;

	memset(mc, 0, sizeof(*mc));
	mc->timeout_ms = 60000;
	mc->starttls = opt_get(opts, n, "smtp-starttls") != NULL;
	attempts = strtol(opt_get(opts, n, "smtp-max-attempts"), &end, 10);
	if (*end != '\0' || attempts < 1 || attempts > 50 ||
	    parse_duration(opt_get(opts, n, "smtp-retry"), 1000, 3600000,
	    &mc->retry_base_ms) != 0) {
		fprintf(stderr, "crm serve: --smtp-max-attempts must be 1 to 50 and "
		    "--smtp-retry a duration from 1s to 1h\n");
		return -1;
	}
	mc->max_attempts = (int)attempts;
	if (url == NULL || url[0] == '\0')
		return 0;
	if (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0) {
		fprintf(stderr, "crm serve: --smtp-url %s: give smtp://HOST:PORT "
		    "(STARTTLS when offered) or smtps://HOST:PORT (TLS)\n", url);
		return -1;
	}
	if (from == NULL || strlen(from) > MAIL_ADDR_MAX ||
	    !text_is_email(from, strlen(from))) {
		fprintf(stderr, "crm serve: --smtp-url needs --smtp-from ADDRESS, "
		    "the sender of the server's mail\n");
		return -1;
	}
	mc->url = url;
	mc->from = from;
	mc->user = opt_get(opts, n, "smtp-user");
	if (pwfile == NULL)
		return 0;
	f = fopen(pwfile, "r");
	if (f == NULL || fgets(password, PASSWORD_MAX, f) == NULL) {
		fprintf(stderr, "crm serve: --smtp-password-file %s: %s\n", pwfile,
		    f == NULL ? strerror(errno) : "empty or unreadable");
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	password[strcspn(password, "\r\n")] = '\0';
	mc->password = password;
	return 0;
}

/*
 * The documents folder: --files-dir, else files/ next to a SQLite
 * database (the folder crm backup carries), else ./crm-files.
 */
int
cli_docs_open(const char *cmd, const char *flag, const char *db,
    const char *max_upload, const char *max_docs, struct doc_store *docs)
{
	char dir[DOC_PATH_MAX], err[512], *end;
	bool create = true;
	int64_t max_bytes;
	long per;

	per = strtol(max_docs, &end, 10);
	if (parse_size(max_upload, 1, 1024LL * 1024 * 1024, &max_bytes) != 0 ||
	    *end != '\0' || *max_docs == '\0' || per < 1 || per > 10000) {
		fprintf(stderr, "crm %s: --max-upload takes a size such as 25M "
		    "(1 byte to 1G) and --max-documents a count from 1 to 10000\n",
		    cmd);
		return 2;
	}
	if (flag != NULL && flag[0] != '\0')
		snprintf(dir, sizeof(dir), "%s", flag);
	else if (db_is_postgres(db)) {
		snprintf(dir, sizeof(dir), "crm-files");
		create = false;	/* made on the first upload, not by starting */
		log_warn("documents go to ./crm-files; with several servers, give "
		    "each --files-dir on storage they share");
	} else if (backup_files_dir(db, dir, sizeof(dir)) != CRM_OK) {
		fprintf(stderr, "crm %s: --db %s: the path is too long\n", cmd, db);
		return 2;
	}
	if (doc_store_open(docs, dir, max_bytes, (int)per, create, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "crm %s: --files-dir: %s\n", cmd, err);
		return 1;
	}
	return 0;
}

static void
tls_free(struct http_tls *tls)
{
	free((char *)(uintptr_t)tls->cert_pem);
	free((char *)(uintptr_t)tls->key_pem);
}

int
cmd_serve(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "CRM_DB", "data/crm.db", "database file", false, NULL },
		{ "listen", "CRM_LISTEN", "127.0.0.1:8080", "address and port",
		    false, NULL },
		{ "threads", "CRM_THREADS", "4", "worker threads (1-64)", false,
		    NULL },
		{ "max-conns-per-ip", "CRM_MAX_CONNS_PER_IP", "256", "connections one "
		    "client address may hold at once (0: no limit but the total "
		    "1000; behind a proxy, all clients share its address)", false,
		    NULL },
		{ "secure-cookies", "CRM_SECURE_COOKIES", NULL, "mark the session "
		    "cookie Secure (serve behind HTTPS)", true, NULL },
		{ "alert-reads", "CRM_ALERT_READS", "2000", "alert administrators "
		    "(audit log: alert.mass_reads) when one person reads more client "
		    "records than this within --alert-window (0: off)", false, NULL },
		{ "alert-window", "CRM_ALERT_WINDOW", "1h", "the window of "
		    "--alert-reads (s, m, h, d)", false, NULL },
		{ "audit-key", "CRM_AUDIT_KEY", NULL, "the key that signs audit "
		    "checkpoints; made on first start (default: the database file "
		    "name + .audit-key; keep it outside database backups)", false,
		    NULL },
		{ "job-lease", "CRM_JOB_LEASE", "300", "seconds a claimed background "
		    "job stays reserved; after a crash another server takes it over "
		    "once this passes", false, NULL },
		{ "no-jobs", "CRM_NO_JOBS", NULL, "do not run background jobs in "
		    "this process (another server runs them)", true, NULL },
		{ "webhook-test-loopback", "CRM_WEBHOOK_TEST_LOOPBACK", NULL, "for "
		    "tests only: let process webhooks call loopback addresses "
		    "(127.0.0.1, ::1) without checking their certificate", true,
		    NULL },
		{ "origin", "CRM_ORIGIN", NULL, "the URL users open, such as "
		    "https://crm.example.com (security keys are bound to its host; "
		    "default http://localhost:PORT)", false, NULL },
		{ "session-idle", "CRM_SESSION_IDLE", "8h", "a session unused for "
		    "this long ends (s, m, h, d; at least 1s)", false, NULL },
		{ "session-max", "CRM_SESSION_MAX", "7d", "a session ends this long "
		    "after sign-in whatever its use (at most 14d)", false, NULL },
		{ "tls-cert", "CRM_TLS_CERT", NULL, "serve HTTPS with this PEM "
		    "certificate (chain); needs --tls-key", false, NULL },
		{ "tls-key", "CRM_TLS_KEY", NULL, "the certificate's PEM private key "
		    "(unencrypted)", false, NULL },
		{ "backup-dir", "CRM_BACKUP_DIR", NULL, "make scheduled backups "
		    "into this folder (SQLite; off without it)", false, NULL },
		{ "backup-every", "CRM_BACKUP_EVERY", "24h", "time between "
		    "scheduled backups (s, m, h, d)", false, NULL },
		{ "backup-keep", "CRM_BACKUP_KEEP", "7", "scheduled backups kept; "
		    "older ones the schedule made are deleted (1-1000)", false, NULL },
		{ "smtp-url", "CRM_SMTP_URL", NULL, "send mail (reminders, "
		    "notifications, the test mail) through this server: "
		    "smtp://HOST:PORT or smtps://HOST:PORT (off without it)", false,
		    NULL },
		{ "smtp-from", "CRM_SMTP_FROM", NULL, "the sender address of that "
		    "mail", false, NULL },
		{ "smtp-user", "CRM_SMTP_USER", NULL, "sign in to the SMTP server "
		    "as this user (no AUTH without it)", false, NULL },
		{ "smtp-password-file", "CRM_SMTP_PASSWORD_FILE", NULL, "a file "
		    "whose first line is that user's password", false, NULL },
		{ "smtp-starttls", "CRM_SMTP_STARTTLS", NULL, "refuse an smtp:// "
		    "server that does not offer STARTTLS (without it: TLS when "
		    "offered)", true, NULL },
		{ "smtp-retry", "CRM_SMTP_RETRY", "30s", "wait before the first "
		    "retry of a mail; doubles each time, at most 1h apart (s, m, h)",
		    false, NULL },
		{ "smtp-max-attempts", "CRM_SMTP_MAX_ATTEMPTS", "8", "attempts before "
		    "a mail counts as failed (1-50)", false, NULL },
		{ "files-dir", "CRM_FILES_DIR", NULL, "the documents folder "
		    "(default: files/ next to a SQLite database, which backups "
		    "carry; ./crm-files with PostgreSQL)", false, NULL },
		{ "max-upload", "CRM_MAX_UPLOAD", "25M", "the largest document "
		    "accepted (K, M, G)", false, NULL },
		{ "max-documents", "CRM_MAX_DOCUMENTS", "100", "documents one "
		    "record may hold", false, NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	int64_t t0 = time_mono_us();
	struct app app;
	struct http_server *srv;
	struct jobs_runner *runner = NULL;
	struct db_gate *gate = NULL;
	char err[512], worker[JOB_WORKER_LEN], host[64], shown[512], *store, *end;
	struct http_tls tls = { NULL, NULL };
	struct doc_store docs;
	struct http_upload upload;
	struct audit_key audit_key;
	char keypath[4096];
	int64_t idle_ms, max_ms, every_ms = 0;
	sigset_t sigs;
	db_t *db;
	long threads, lease, per_ip, alert_reads, keep = 0;
	int64_t alert_window_ms;
	const char *bdir;
	char babs[PATH_MAX];
	struct stat bst;
	struct mail_conf mail;
	char smtp_password[PASSWORD_MAX] = "";
	bool help;
	int sig;

	if (opts_parse(argc, argv, opts, n, &help, &store) != 0)
		return 2;
	if (help) {
		opts_usage("crm serve [--db PATH] [--listen HOST:PORT]", "Serves "
		    "the web UI and the REST API (/api/v1, described at "
		    "/api/v1/openapi.json).\nStops cleanly on SIGTERM or Ctrl-C: "
		    "requests in flight finish first.\nOne access log line (JSON) "
		    "per request goes to standard error.", opts, n);
		opts_free(store);
		return 0;
	}
	threads = strtol(opt_get(opts, n, "threads"), &end, 10);
	if (*end != '\0' || threads < 1 || threads > 64) {
		fprintf(stderr, "crm serve: --threads must be 1 to 64\n");
		opts_free(store);
		return 2;
	}
	alert_reads = strtol(opt_get(opts, n, "alert-reads"), &end, 10);
	if (*end != '\0' || *opt_get(opts, n, "alert-reads") == '\0' ||
	    alert_reads < 0 || alert_reads > 100000000 ||
	    parse_duration(opt_get(opts, n, "alert-window"), 1000,
	    30LL * 86400000, &alert_window_ms) != 0) {
		fprintf(stderr, "crm serve: --alert-reads must be 0 to 100000000 "
		    "and --alert-window a duration from 1s to 30d (such as 1h)\n");
		opts_free(store);
		return 2;
	}
	per_ip = strtol(opt_get(opts, n, "max-conns-per-ip"), &end, 10);
	if (*end != '\0' || *opt_get(opts, n, "max-conns-per-ip") == '\0' ||
	    per_ip < 0 || per_ip > HTTP_MAX_CONNECTIONS) {
		fprintf(stderr, "crm serve: --max-conns-per-ip must be 0 to %d\n",
		    HTTP_MAX_CONNECTIONS);
		opts_free(store);
		return 2;
	}
	lease = strtol(opt_get(opts, n, "job-lease"), &end, 10);
	if (*end != '\0' || lease < 1 || lease > 86400) {
		fprintf(stderr, "crm serve: --job-lease must be 1 to 86400 seconds\n");
		opts_free(store);
		return 2;
	}
	if (parse_duration(opt_get(opts, n, "session-idle"), 1000, SESSION_TTL_MS,
	    &idle_ms) != 0 || parse_duration(opt_get(opts, n, "session-max"), 1000,
	    SESSION_TTL_MS, &max_ms) != 0) {
		fprintf(stderr, "crm serve: --session-idle and --session-max take a "
		    "duration such as 30m, 8h or 7d, from 1s to 14d\n");
		opts_free(store);
		return 2;
	}
	if (smtp_settings(opts, n, &mail, smtp_password) != 0) {
		opts_free(store);
		return 2;
	}
	bdir = opt_get(opts, n, "backup-dir");
	if (bdir != NULL && bdir[0] == '\0')
		bdir = NULL;
	if (bdir != NULL) {
		keep = strtol(opt_get(opts, n, "backup-keep"), &end, 10);
		if (parse_duration(opt_get(opts, n, "backup-every"), 1000,
		    400LL * 86400000, &every_ms) != 0 || *end != '\0' ||
		    keep < 1 || keep > BACKUP_KEEP_MAX) {
			fprintf(stderr, "crm serve: --backup-every takes a duration "
			    "such as 30m, 24h or 7d (1s to 400d) and --backup-keep a "
			    "count from 1 to %d\n", BACKUP_KEEP_MAX);
			opts_free(store);
			return 2;
		}
		if (db_is_postgres(opt_get(opts, n, "db"))) {
			fprintf(stderr, "crm serve: --backup-dir makes backups of "
			    "SQLite databases; back PostgreSQL up with pg_dump or base "
			    "backups (see docs/administration.md) and leave it out\n");
			opts_free(store);
			return 2;
		}
		if (stat(bdir, &bst) != 0 || !S_ISDIR(bst.st_mode) ||
		    access(bdir, W_OK) != 0) {
			fprintf(stderr, "crm serve: --backup-dir %s: not a writable "
			    "folder; create it (mkdir -p %s) and let the server's user "
			    "write to it\n", bdir, bdir);
			opts_free(store);
			return 2;
		}
		/* Absolute: the job may run in a server started elsewhere. */
		if (realpath(bdir, babs) == NULL) {
			fprintf(stderr, "crm serve: --backup-dir %s: %s\n", bdir,
			    strerror(errno));
			opts_free(store);
			return 2;
		}
		bdir = babs;
	}
	if ((opt_get(opts, n, "tls-cert") == NULL) !=
	    (opt_get(opts, n, "tls-key") == NULL)) {
		fprintf(stderr, "crm serve: give both --tls-cert FILE and --tls-key "
		    "FILE, or neither\n");
		opts_free(store);
		return 2;
	}
	if (opt_get(opts, n, "tls-cert") != NULL) {
		tls.cert_pem = read_pem("tls-cert", opt_get(opts, n, "tls-cert"));
		tls.key_pem = tls.cert_pem == NULL ? NULL :
		    read_pem("tls-key", opt_get(opts, n, "tls-key"));
		if (tls.key_pem == NULL) {
			free((char *)(uintptr_t)tls.cert_pem);
			opts_free(store);
			return 1;
		}
	}
	if (!db_is_postgres(opt_get(opts, n, "db")) &&
	    access(opt_get(opts, n, "db"), F_OK) != 0) {
		fprintf(stderr, "crm serve: no database at %s; create it with "
		    "crm init --db %s --admin-email EMAIL\n", opt_get(opts, n, "db"),
		    opt_get(opts, n, "db"));
		opts_free(store);
		tls_free(&tls);
		return 1;
	}
	if (core_open_db(opt_get(opts, n, "db"), &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "crm serve: %s\n", err);
		opts_free(store);
		tls_free(&tls);
		return 1;
	}
	if (bdir != NULL || opt_get(opts, n, "no-jobs") == NULL) {
		struct core_ctx cx;
		int brc;

		/* The schedule lives in the job table; no --backup-dir ends it. */
		core_ctx_init(&cx, db, NULL);
		brc = bdir != NULL ? backup_schedule(&cx, bdir, every_ms, (int)keep) :
		    backup_unschedule(&cx);
		if (brc != CRM_OK) {
			fprintf(stderr, "crm serve: cannot set the backup schedule: "
			    "%s\n", cx.detail);
			db_close(db);
			opts_free(store);
			tls_free(&tls);
			return 1;
		}
	}
	memset(&app, 0, sizeof(app));
	sig = cli_docs_open("serve", opt_get(opts, n, "files-dir"), opt_get(opts, n, "db"),
	    opt_get(opts, n, "max-upload"), opt_get(opts, n, "max-documents"),
	    &docs);
	if (sig != 0) {
		db_close(db);
		opts_free(store);
		tls_free(&tls);
		return sig;
	}
	app.docs = &docs;
	mail.docs = &docs;	/* the desk's mail intake keeps attachments there */
	/* The multipart framing around the file: headers, boundaries. */
	upload = (struct http_upload){ docs.dir, (uint64_t)docs.max_bytes +
	    64 * 1024, api_wants_upload, api_upload_admit };
	cli_audit_key_path(opt_get(opts, n, "db"), opt_get(opts, n, "audit-key"),
	    keypath, sizeof(keypath));
	if (audit_key_load(keypath, true, &audit_key, err, sizeof(err)) != 0) {
		fprintf(stderr, "crm serve: --audit-key: %s\n", err);
		db_close(db);
		opts_free(store);
		tls_free(&tls);
		return 1;
	}
	app.audit_key = &audit_key;
	app.watch = watch_new(alert_reads, alert_window_ms);
	if (bdir != NULL)
		snprintf(app.backup_dir, sizeof(app.backup_dir), "%s", bdir);
	app.version = CRM_VERSION;
	app.secure_cookies = opt_get(opts, n, "secure-cookies") != NULL ||
	    tls.cert_pem != NULL;
	app.session_idle_ms = idle_ms;
	app.session_max_ms = max_ms;
	if (serve_origin(opt_get(opts, n, "origin"), opt_get(opts, n, "listen"),
	    tls.cert_pem != NULL, &app.rp, err, sizeof(err)) != 0) {
		fprintf(stderr, "crm serve: --origin: %s\n", err);
		db_close(db);
		opts_free(store);
		tls_free(&tls);
		watch_free(app.watch);
		return 2;
	}
	api_init(&app);
	mail.origin = app.rp.origin;
	app.mail = &mail;
	/* Before any thread starts: libcurl's global setup is not thread-safe. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "crm serve: libcurl could not start\n");
		db_close(db);
		opts_free(store);
		tls_free(&tls);
		watch_free(app.watch);
		return 1;
	}
	if (db_pool_open(opt_get(opts, n, "db"), (int)threads, &app.pool, err,
	    sizeof(err)) != DB_OK) {
		fprintf(stderr, "crm serve: %s\n", err);
		db_close(db);
		opts_free(store);
		tls_free(&tls);
		watch_free(app.watch);
		return 1;
	}
	/* One write gate for the workers and the job runner (store/gate.h). */
	gate = gate_new();
	db_pool_set_gate(app.pool, gate);
	/*
	 * Blocked before the first thread starts (the stream hub, the HTTP
	 * threads, the job runner), so every thread inherits the mask and
	 * SIGTERM reaches only the wait below: one thread started earlier
	 * with it unblocked let the default action kill the server.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (api_streams_start(&app, opt_get(opts, n, "db"), err, sizeof(err)) != 0) {
		fprintf(stderr, "crm serve: %s\n", err);
		db_pool_close(app.pool);
		gate_free(gate);
		db_close(db);
		opts_free(store);
		tls_free(&tls);
		watch_free(app.watch);
		return 1;
	}
	if (http_start(opt_get(opts, n, "listen"), (int)threads, (unsigned)per_ip,
	    tls.cert_pem != NULL ? &tls : NULL, &upload, api_handle, &app,
	    &srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "crm serve: %s\n", err);
		api_streams_stop(&app);
		db_pool_close(app.pool);
		gate_free(gate);
		db_close(db);
		opts_free(store);
		tls_free(&tls);
		watch_free(app.watch);
		return 1;
	}
	if (opt_get(opts, n, "no-jobs") == NULL) {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		snprintf(worker, sizeof(worker), "%s:%ld", host, (long)getpid());
		/*
		 * Idle, the runner sleeps until the next job is due, woken at
		 * once when a call here queues one; the cap bounds how late
		 * it sees a job another server queued.
		 */
		if (jobs_runner_start(opt_get(opts, n, "db"), worker, lease * 1000,
		    JOBS_POLL_CAP_MS, &mail, opt_get(opts, n,
		    "webhook-test-loopback") != NULL, gate, &runner, err,
		    sizeof(err)) !=
		    CRM_OK) {
			fprintf(stderr, "crm serve: %s\n", err);
			http_stop(srv, 0);
			api_streams_stop(&app);
			db_pool_close(app.pool);
			gate_free(gate);
			db_close(db);
			opts_free(store);
			tls_free(&tls);
			watch_free(app.watch);
			return 1;
		}
	}
	app.runner = runner;
	db_display(opt_get(opts, n, "db"), shown, sizeof(shown));
	log_info("crm %s serving http%s://%s (db %s, %ld workers), ready in %lld ms",
	    CRM_VERSION, tls.cert_pem != NULL ? "s" : "", opt_get(opts, n, "listen"),
	    shown,
	    threads, (long long)(time_mono_us() - t0) / 1000);
	sigwait(&sigs, &sig);
	log_info("%s received: finishing requests in flight",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	http_stop(srv, 10000);
	api_streams_stop(&app);
	jobs_runner_stop(runner);
	db_pool_close(app.pool);
	gate_free(gate);
	db_close(db);
	api_fini(&app);
	watch_free(app.watch);
	sodium_memzero(&audit_key, sizeof(audit_key));
	sodium_memzero(smtp_password, sizeof(smtp_password));
	curl_global_cleanup();
	log_info("stopped cleanly");
	opts_free(store);
	tls_free(&tls);
	return 0;
}
