/*
 * crm serve: the server. Opens the database (applying migrations), starts
 * the HTTP workers, and waits for SIGTERM or SIGINT; then lets requests in
 * flight finish and closes the database cleanly. Signals are blocked in
 * every thread and taken synchronously here with sigwait(), so no handler
 * runs in a random worker.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/core.h"
#include "core/twofactor.h"
#include "core/jobs.h"
#include "http/http.h"
#include "util/log.h"
#include "util/timeutil.h"

/*
 * The WebAuthn relying party: --origin, or http://localhost:PORT with the
 * port of --listen (a secure context for browsers without TLS).
 */
static int
serve_origin(const char *origin, const char *listen, struct twofa_rp *rp,
    char *err, size_t errlen)
{
	char def[TWOFA_ORIGIN_MAX];
	const char *colon = strrchr(listen, ':');

	if (origin == NULL) {
		if ((size_t)snprintf(def, sizeof(def), "http://localhost:%s",
		    colon ? colon + 1 : "8080") >= sizeof(def)) {
			snprintf(err, errlen, "the listen address is too long");
			return -1;
		}
		origin = def;
	}
	return twofa_rp_from_origin(origin, rp, err, errlen);
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
		{ "secure-cookies", "CRM_SECURE_COOKIES", NULL, "mark the session "
		    "cookie Secure (serve behind HTTPS)", true, NULL },
		{ "job-lease", "CRM_JOB_LEASE", "300", "seconds a claimed background "
		    "job stays reserved; after a crash another server takes it over "
		    "once this passes", false, NULL },
		{ "no-jobs", "CRM_NO_JOBS", NULL, "do not run background jobs in "
		    "this process (another server runs them)", true, NULL },
		{ "origin", "CRM_ORIGIN", NULL, "the URL users open, such as "
		    "https://crm.example.com (security keys are bound to its host; "
		    "default http://localhost:PORT)", false, NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	int64_t t0 = time_mono_us();
	struct app app;
	struct http_server *srv;
	struct jobs_runner *runner = NULL;
	char err[512], worker[JOB_WORKER_LEN], host[64], shown[512], *store, *end;
	sigset_t sigs;
	db_t *db;
	long threads, lease;
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
	lease = strtol(opt_get(opts, n, "job-lease"), &end, 10);
	if (*end != '\0' || lease < 1 || lease > 86400) {
		fprintf(stderr, "crm serve: --job-lease must be 1 to 86400 seconds\n");
		opts_free(store);
		return 2;
	}
	if (!db_is_postgres(opt_get(opts, n, "db")) &&
	    access(opt_get(opts, n, "db"), F_OK) != 0) {
		fprintf(stderr, "crm serve: no database at %s; create it with "
		    "crm init --db %s --admin-email EMAIL\n", opt_get(opts, n, "db"),
		    opt_get(opts, n, "db"));
		opts_free(store);
		return 1;
	}
	if (core_open_db(opt_get(opts, n, "db"), &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "crm serve: %s\n", err);
		opts_free(store);
		return 1;
	}
	memset(&app, 0, sizeof(app));
	app.version = CRM_VERSION;
	app.secure_cookies = opt_get(opts, n, "secure-cookies") != NULL;
	if (serve_origin(opt_get(opts, n, "origin"), opt_get(opts, n, "listen"),
	    &app.rp, err, sizeof(err)) != 0) {
		fprintf(stderr, "crm serve: --origin: %s\n", err);
		db_close(db);
		opts_free(store);
		return 2;
	}
	if (db_pool_open(opt_get(opts, n, "db"), (int)threads, &app.pool, err,
	    sizeof(err)) != DB_OK) {
		fprintf(stderr, "crm serve: %s\n", err);
		db_close(db);
		opts_free(store);
		return 1;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (http_start(opt_get(opts, n, "listen"), (int)threads, api_handle, &app,
	    &srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "crm serve: %s\n", err);
		db_pool_close(app.pool);
		db_close(db);
		opts_free(store);
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
			return 1;
		}
	}
	db_display(opt_get(opts, n, "db"), shown, sizeof(shown));
	log_info("crm %s serving http://%s (db %s, %ld workers), ready in %lld ms",
	    CRM_VERSION, opt_get(opts, n, "listen"), shown,
	    threads, (long long)(time_mono_us() - t0) / 1000);
	sigwait(&sigs, &sig);
	log_info("%s received: finishing requests in flight",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	http_stop(srv, 10000);
	jobs_runner_stop(runner);
	db_pool_close(app.pool);
	db_close(db);
	log_info("stopped cleanly");
	opts_free(store);
	return 0;
}
