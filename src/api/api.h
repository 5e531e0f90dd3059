/*
 * The REST API face: routes /api/v1/..., /healthz and the web UI's files
 * onto the core. It parses and checks what arrives, calls the core with the
 * authenticated actor, and renders the outcome as JSON or problem+json.
 * It never writes SQL.
 */
#ifndef API_API_H
#define API_API_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/twofactor.h"
#include "http/http.h"
#include "store/pool.h"

struct doc_store;

struct app {
	struct db_pool	*pool;
	const char	*version;
	bool		 secure_cookies;	/* add Secure (behind HTTPS) */
	struct twofa_rp	 rp;		/* WebAuthn origin and rp id (--origin) */
	int64_t		 session_idle_ms;	/* session idle timeout */
	int64_t		 session_max_ms;	/* session absolute timeout */
	const struct audit_key *audit_key;	/* signs audit checkpoints */
	struct watch	*watch;		/* the mass-reading alert's counters */
	char		 backup_dir[4096];	/* --backup-dir, or "" */
	const struct doc_store *docs;	/* the documents folder and limits */
	/*
	 * The system state (core/syslock.h), read from the database at most
	 * once a second per server; api_init/api_fini manage the lock.
	 */
	pthread_mutex_t	 state_mu;
	int64_t		 state_read_ms;		/* monotonic; 0: never read */
	char		 state[16];
	char		 state_msg[504];
	const struct mail_conf *mail;	/* SMTP settings, or NULL (core/mail.h) */
	struct stream_hub *streams;	/* live notifications (api_streams_start) */
	/*
	 * The job runner (core/jobs.h), poked after a call that queued a job;
	 * NULL without one. Set once it runs, while calls are served, hence
	 * atomic.
	 */
	struct jobs_runner *_Atomic runner;
};

/* Prepares app's own fields (the state cache) after the caller set the rest. */
void api_init(struct app *app);
void api_fini(struct app *app);

/*
 * Live notifications (GET /api/v1/notifications/stream, Server-Sent
 * Events): a thread with its own connection to address that feeds the
 * open streams; at most STREAM_PER_USER per user and STREAM_TOTAL per
 * server. Start after api_init; stop after http_stop. -1 with err.
 */
#define STREAM_PER_USER 5
#define STREAM_TOTAL 200
int api_streams_start(struct app *app, const char *address, char *err,
    size_t errlen);
void api_streams_stop(struct app *app);

/* The http_handler of the server; arg is a struct app. */
void api_handle(void *arg, const struct http_req *req, struct http_resp *resp);
/* struct http_upload's wants: the routes that take a file upload. */
bool api_wants_upload(const char *method, const char *path);
/*
 * struct http_upload's admit: the whole request but its body (sign-in,
 * CSRF, system state, the record's rights and room); resp untouched when
 * the upload may come.
 */
void api_upload_admit(void *arg, const struct http_req *req,
    struct http_resp *resp);

#endif
