/* crm jobs: look at background work, and check that servers run it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/core.h"
#include "core/jobs.h"

static const char about[] =
    "Background jobs (expired sessions removed hourly today; reminders,\n"
    "escalations and mail later) live in the database and are run by the\n"
    "crm serve processes: each claims a due job with a lease, so a job runs\n"
    "once even with several servers, and a job whose server died is taken\n"
    "over when its lease ends.\n\n"
    "  crm jobs list [--pending] [--limit N]   recent jobs, newest first\n"
    "  crm jobs ping [--count N] [--ms N]      queue N jobs that do nothing for\n"
    "                                          N ms, to check servers run jobs";

int
cmd_jobs(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "CRM_DB", "data/crm.db", "database file or postgres:// URI",
		    false, NULL },
		{ "pending", NULL, NULL, "only jobs not yet done (list)", true, NULL },
		{ "limit", NULL, "50", "how many to show (list)", false, NULL },
		{ "count", NULL, "1", "how many jobs to queue (ping)", false, NULL },
		{ "ms", NULL, "0", "how long each job takes, up to 1000 (ping)",
		    false, NULL },
	};
	size_t n = sizeof(opts) / sizeof(*opts);
	const char *sub = argc > 0 ? argv[0] : "";
	char err[512], *store, *end;
	struct core_ctx cx;
	json_t *list, *j;
	long limit, count, ms;
	db_t *db;
	bool help;
	size_t i;
	int rc = CRM_OK;

	if (opts_parse(argc > 0 ? argc - 1 : 0, argv + 1, opts, n, &help,
	    &store) != 0)
		return 2;
	if (help || (strcmp(sub, "list") != 0 && strcmp(sub, "ping") != 0)) {
		opts_usage("crm jobs list|ping [flags]", about, opts, n);
		opts_free(store);
		return help || strcmp(sub, "--help") == 0 ? 0 : 2;
	}
	limit = strtol(opt_get(opts, n, "limit"), &end, 10);
	if (*end != '\0' || limit < 1 || limit > 10000) {
		fprintf(stderr, "crm jobs: --limit must be 1 to 10000\n");
		opts_free(store);
		return 2;
	}
	count = strtol(opt_get(opts, n, "count"), &end, 10);
	if (*end != '\0' || count < 1 || count > 100000) {
		fprintf(stderr, "crm jobs: --count must be 1 to 100000\n");
		opts_free(store);
		return 2;
	}
	ms = strtol(opt_get(opts, n, "ms"), &end, 10);
	if (*end != '\0' || ms < 0 || ms > 1000) {
		fprintf(stderr, "crm jobs: --ms must be 0 to 1000\n");
		opts_free(store);
		return 2;
	}
	if (core_open_db(opt_get(opts, n, "db"), &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "crm jobs: %s\n", err);
		opts_free(store);
		return 1;
	}
	core_ctx_init(&cx, db, NULL);
	if (strcmp(sub, "ping") == 0) {
		rc = job_ping(&cx, (int)count, (int)ms);
		if (rc == CRM_OK)
			printf("queued %ld job%s\n", count, count == 1 ? "" : "s");
	} else {
		rc = job_list(&cx, opt_get(opts, n, "pending") != NULL, (int)limit,
		    &list);
		if (rc == CRM_OK) {
			printf("%-8s %-18s %-26s %-8s %-26s %s\n", "ID", "KIND", "RUN AT",
			    "TRIES", "DONE", "LAST ERROR / HELD BY");
			json_array_foreach(json_object_get(list, "data"), i, j) {
				const char *why = json_string_value(json_object_get(j,
				    "last_error"));
				const char *held = json_string_value(json_object_get(j,
				    "locked_by"));

				printf("%-8lld %-18s %-26s %-8lld %-26s %s\n",
				    (long long)json_integer_value(json_object_get(j, "id")),
				    json_string_value(json_object_get(j, "kind")),
				    json_string_value(json_object_get(j, "run_at")),
				    (long long)json_integer_value(json_object_get(j, "attempts")),
				    json_is_null(json_object_get(j, "done_at")) ? "-" :
				    json_string_value(json_object_get(j, "done_at")),
				    why ? why : held ? held : "");
			}
			json_decref(list);
		}
	}
	if (rc != CRM_OK)
		fprintf(stderr, "crm jobs %s: %s\n", sub, cx.detail[0] ? cx.detail :
		    db_errmsg(db));
	db_close(db);
	opts_free(store);
	return rc == CRM_OK ? 0 : 1;
}
