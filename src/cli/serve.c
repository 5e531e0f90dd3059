/*
 * crm serve: the server. Opens the database (applying migrations), starts
 * the HTTP workers, and waits for SIGTERM or SIGINT; then lets requests in
 * flight finish and closes the database cleanly. Signals are blocked in
 * every thread and taken synchronously here with sigwait(), so no handler
 * runs in a random worker.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/audit.h"
#include "core/core.h"
#include "core/twofactor.h"
#include "core/jobs.h"
#include "core/sessions.h"
#include "http/http.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

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
 * A duration: digits with an optional unit s, m, h or d (seconds without
 * one). Returns 0 and *ms, or -1 when malformed or outside [min, max].
 */
static int
parse_duration(const char *s, int64_t min_ms, int64_t max_ms, int64_t *ms)
{
	int64_t v = 0, unit = 1000;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 9; i++)
		v = v * 10 + (s[i] - '0');
	if (i == 0)
		return -1;
	switch (s[i]) {
	case '\0': case 's': unit = 1000; break;
	case 'm': unit = 60000; break;
	case 'h': unit = 3600000; break;
	case 'd': unit = 86400000; break;
	default: return -1;
	}
	if (s[i] != '\0' && s[i + 1] != '\0')
		return -1;
	*ms = v * unit;
	return *ms >= min_ms && *ms <= max_ms ? 0 : -1;
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
		{ "audit-key", "CRM_AUDIT_KEY", NULL, "the key that signs audit "
		    "checkpoints; made on first start (default: the database file "
		    "name + .audit-key; keep it outside database backups)", false,
		    NULL },
		{ "job-lease", "CRM_JOB_LEASE", "300", "seconds a claimed background "
		    "job stays reserved; after a crash another server takes it over "
		    "once this passes", false, NULL },
		{ "no-jobs", "CRM_NO_JOBS", NULL, "do not run background jobs in "
		    "this process (another server runs them)", true, NULL },
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
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	int64_t t0 = time_mono_us();
	struct app app;
	struct http_server *srv;
	struct jobs_runner *runner = NULL;
	char err[512], worker[JOB_WORKER_LEN], host[64], shown[512], *store, *end;
	struct http_tls tls = { NULL, NULL };
	struct audit_key audit_key;
	char keypath[4096];
	int64_t idle_ms, max_ms;
	sigset_t sigs;
	db_t *db;
	long threads, lease, per_ip;
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
	memset(&app, 0, sizeof(app));
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
		return 2;
	}
	api_init(&app);
	if (db_pool_open(opt_get(opts, n, "db"), (int)threads, &app.pool, err,
	    sizeof(err)) != DB_OK) {
		fprintf(stderr, "crm serve: %s\n", err);
		db_close(db);
		opts_free(store);
		tls_free(&tls);
		return 1;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (http_start(opt_get(opts, n, "listen"), (int)threads, (unsigned)per_ip,
	    tls.cert_pem != NULL ? &tls : NULL, api_handle, &app,
	    &srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "crm serve: %s\n", err);
		db_pool_close(app.pool);
		db_close(db);
		opts_free(store);
		tls_free(&tls);
		return 1;
	}
	if (opt_get(opts, n, "no-jobs") == NULL) {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		snprintf(worker, sizeof(worker), "%s:%ld", host, (long)getpid());
		if (jobs_runner_start(opt_get(opts, n, "db"), worker, lease * 1000,
		    500, &runner, err, sizeof(err)) != CRM_OK) {
			fprintf(stderr, "crm serve: %s\n", err);
			http_stop(srv, 0);
			db_pool_close(app.pool);
			db_close(db);
			opts_free(store);
			tls_free(&tls);
			return 1;
		}
	}
	db_display(opt_get(opts, n, "db"), shown, sizeof(shown));
	log_info("crm %s serving http%s://%s (db %s, %ld workers), ready in %lld ms",
	    CRM_VERSION, tls.cert_pem != NULL ? "s" : "", opt_get(opts, n, "listen"),
	    shown,
	    threads, (long long)(time_mono_us() - t0) / 1000);
	sigwait(&sigs, &sig);
	log_info("%s received: finishing requests in flight",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	http_stop(srv, 10000);
	jobs_runner_stop(runner);
	db_pool_close(app.pool);
	db_close(db);
	api_fini(&app);
	sodium_memzero(&audit_key, sizeof(audit_key));
	log_info("stopped cleanly");
	opts_free(store);
	tls_free(&tls);
	return 0;
}
