/*
 * The audit log (see audit.h). The hash of an entry covers every column
 * but itself, each as a length-prefixed field, so no two different entries
 * can serialise alike; the previous entry's hash is one of the fields.
 */
#include "core/audit.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/access.h"
#include "core/record.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define HASH_BYTES 32
#define FIELD_NULL UINT64_MAX

/* One entry as stored; text members point into the row or the caller's strings. */
struct entry {
	int64_t		 id;
	int64_t		 at;
	int64_t		 actor_id;	/* 0: none */
	const char	*actor_email;
	const char	*action;
	const char	*entity;
	int64_t		 record_id;	/* 0: none */
	const char	*address;
	const char	*agent;
	const char	*detail;
	const char	*prev_hash;
};

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: audit %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

/* ---- hashing ---- */

static void
put_field(crypto_generichash_state *h, const char *s, size_t len, bool null)
{
	unsigned char n[8];
	uint64_t v = null ? FIELD_NULL : (uint64_t)len;

	for (int i = 0; i < 8; i++)
		n[i] = (unsigned char)(v >> (8 * i));
	crypto_generichash_update(h, n, sizeof(n));
	if (!null && len > 0)
		crypto_generichash_update(h, (const unsigned char *)s, len);
}

static void
put_int(crypto_generichash_state *h, int64_t v, bool null)
{
	char s[24];
	int n = snprintf(s, sizeof(s), "%lld", (long long)v);

	put_field(h, s, (size_t)n, null);
}

static void
put_text(crypto_generichash_state *h, const char *s)
{
	put_field(h, s ? s : "", s ? strlen(s) : 0, s == NULL);
}

static void
to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
entry_hash(const struct entry *e, char out[AUDIT_HASH_HEX])
{
	crypto_generichash_state h;
	unsigned char d[HASH_BYTES];

	crypto_generichash_init(&h, (const unsigned char *)"crm-audit-1", 11,
	    sizeof(d));
	put_int(&h, e->id, false);
	put_int(&h, e->at, false);
	put_int(&h, e->actor_id, e->actor_id == 0);
	put_text(&h, e->actor_email);
	put_text(&h, e->action);
	put_text(&h, e->entity);
	put_int(&h, e->record_id, e->record_id == 0);
	put_text(&h, e->address);
	put_text(&h, e->agent);
	put_text(&h, e->detail);
	put_text(&h, e->prev_hash);
	crypto_generichash_final(&h, d, sizeof(d));
	to_hex(d, sizeof(d), out);
}

/* What a checkpoint's signature covers. */
static size_t
checkpoint_message(int64_t at, int64_t last_id, const char *last_hash,
    char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "crm-audit-checkpoint-1\n%lld\n%lld\n%s\n",
	    (long long)at, (long long)last_id, last_hash);

	return n < 0 || (size_t)n >= outlen ? 0 : (size_t)n;
}

static size_t
archive_message(int64_t at, int64_t first, int64_t last, const char *hash,
    char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "crm-audit-archive-1\n%lld\n%lld\n%lld\n%s\n",
	    (long long)at, (long long)first, (long long)last, hash);

	return n < 0 || (size_t)n >= outlen ? 0 : (size_t)n;
}

/* ---- the key file ---- */

static int
hex_decode(const char *s, unsigned char *out, size_t n)
{
	size_t bin = 0;

	if (strlen(s) != 2 * n || sodium_hex2bin(out, n, s, 2 * n, NULL, &bin,
	    NULL) != 0 || bin != n)
		return -1;
	return 0;
}

/*
 * Writes a new key file: to a private temporary name first, then linked
 * into place, so another server starting at the same moment either wins
 * (and we read its key) or finds ours complete. Returns 1 when a key file
 * appeared there meanwhile (read it instead), 0 written, -1 failed.
 */
static int
key_write(const char *path, const struct audit_key *key, char *err,
    size_t errlen)
{
	char sk[2 * crypto_sign_SECRETKEYBYTES + 1];
	char pk[2 * crypto_sign_PUBLICKEYBYTES + 1];
	char text[512], tmp[4200];
	int fd, n, rc = 0;
	ssize_t w;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path,
	    (long)getpid()) >= sizeof(tmp)) {
		snprintf(err, errlen, "the key file name is too long");
		return -1;
	}
	to_hex(key->sk, sizeof(key->sk), sk);
	to_hex(key->pk, sizeof(key->pk), pk);
	n = snprintf(text, sizeof(text), "# crm audit signing key: keep it "
	    "outside the database and its backups\npublic %s\nsecret %s\n", pk, sk);
	sodium_memzero(sk, sizeof(sk));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		sodium_memzero(text, sizeof(text));
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	w = write(fd, text, (size_t)n);
	sodium_memzero(text, sizeof(text));
	if (w != n || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		rc = -1;
	}
	close(fd);
	if (rc == 0 && link(tmp, path) != 0) {
		if (errno == EEXIST) {
			rc = 1;
		} else {
			snprintf(err, errlen, "cannot create %s: %s", path,
			    strerror(errno));
			rc = -1;
		}
	}
	unlink(tmp);
	return rc;
}

int
audit_key_load(const char *path, bool create, struct audit_key *key,
    char *err, size_t errlen)
{
	char line[300];
	FILE *f;
	bool pub = false;

	memset(key, 0, sizeof(*key));
	f = fopen(path, "r");
	if (f == NULL && errno == ENOENT && create) {
		int w;

		crypto_sign_keypair(key->pk, key->sk);
		key->has_secret = true;
		w = key_write(path, key, err, errlen);
		if (w <= 0)
			return w;
		/* Another server made it first: use that one. */
		memset(key, 0, sizeof(*key));
		f = fopen(path, "r");
	}
	if (f == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "public ", 7) == 0)
			pub = hex_decode(line + 7, key->pk, sizeof(key->pk)) == 0;
		else if (strncmp(line, "secret ", 7) == 0)
			key->has_secret = hex_decode(line + 7, key->sk,
			    sizeof(key->sk)) == 0;
	}
	sodium_memzero(line, sizeof(line));
	fclose(f);
	if (!pub) {
		snprintf(err, errlen, "%s has no \"public <hex>\" line: not a crm "
		    "audit key", path);
		return -1;
	}
	if (key->has_secret && memcmp(key->sk + 32, key->pk, sizeof(key->pk)) != 0) {
		snprintf(err, errlen, "%s: the secret and public keys do not belong "
		    "together", path);
		return -1;
	}
	return 0;
}

/* ---- appending ---- */

_Static_assert(sizeof(((struct core_memo *)0)->head_hash) == AUDIT_HASH_HEX,
    "the memo keeps a whole hash");

/* The chain's head: the last id and hash (0 and zeros when empty). */
static int
head(struct core_ctx *cx, int64_t *id, char hash[AUDIT_HASH_HEX])
{
	db_stmt_t *st;
	int rc;

	*id = 0;
	snprintf(hash, AUDIT_HASH_HEX, "%s", ZERO_HASH);
	if (db_prepare(cx->db, "SELECT id, hash FROM audit_log ORDER BY id DESC "
	    "LIMIT 1", &st) != DB_OK)
		return db_fail(cx, "head");
	rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_col_int(st, 0);
		snprintf(hash, AUDIT_HASH_HEX, "%s", db_col_text(st, 1, NULL));
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "head step");
	if (rc == DB_ROW)
		return CRM_OK;
	/* Everything archived: the chain goes on from the newest anchor. */
	if (db_prepare(cx->db, "SELECT last_id, last_hash FROM audit_archives "
	    "ORDER BY id DESC LIMIT 1", &st) != DB_OK)
		return db_fail(cx, "head anchor");
	rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_col_int(st, 0);
		snprintf(hash, AUDIT_HASH_HEX, "%s", db_col_text(st, 1, NULL));
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "anchor step");
}

static void
bind_text_or_null(db_stmt_t *st, int idx, const char *s)
{
	if (s == NULL)
		db_bind_null(st, idx);
	else
		db_bind_text(st, idx, s, strlen(s));
}

static void
bind_int_or_null(db_stmt_t *st, int idx, int64_t v)
{
	if (v == 0)
		db_bind_null(st, idx);
	else
		db_bind_int(st, idx, v);
}

/* Signs the head when the last checkpoint is older than the interval. */
static int
maybe_checkpoint(struct core_ctx *cx, int64_t now)
{
	db_stmt_t *st;
	int64_t last = 0;
	int rc;

	if (cx->audit_key == NULL || !cx->audit_key->has_secret)
		return CRM_OK;
	if (db_prepare(cx->db, "SELECT MAX(at) FROM audit_checkpoints", &st) != DB_OK)
		return db_fail(cx, "checkpoint age");
	rc = db_step(st);
	if (rc == DB_ROW && !db_col_null(st, 0))
		last = db_col_int(st, 0);
	db_done(st);
	if (rc != DB_ROW)
		return db_fail(cx, "checkpoint age step");
	return now - last >= AUDIT_CHECKPOINT_MS ? audit_checkpoint(cx) : CRM_OK;
}

static int append(struct core_ctx *cx, const char *action, const char *entity,
    int64_t record_id, json_t *detail);

int
audit_append(struct core_ctx *cx, const char *action, const char *entity,
    int64_t record_id, json_t *detail)
{
	/* Outside a transaction the head and the new entry must not part. */
	if (!db_in_txn(cx->db))
		return audit_event(cx, action, entity, record_id, detail);
	return append(cx, action, entity, record_id, detail);
}

static int
append(struct core_ctx *cx, const char *action, const char *entity,
    int64_t record_id, json_t *detail)
{
	char prev[AUDIT_HASH_HEX], hash[AUDIT_HASH_HEX];
	char *dj = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct core_memo *memo;
	struct entry e;
	db_stmt_t *st;
	uint64_t txn;
	int64_t last;
	int rc;

	if (dj != NULL && strlen(dj) > AUDIT_DETAIL_MAX) {
		/* Kept whole would let one request bloat the log: keep its size. */
		free(dj);
		dj = xstrdup("{\"truncated\":true}");
	}
	/* One writer at a time extends the chain (PostgreSQL: a lock). */
	rc = db_lock_named(cx->db, "audit_log") == DB_OK ? CRM_OK :
	    db_fail(cx, "lock");
	/*
	 * Under that lock the head is this transaction's own: once read or
	 * written here it is known until the transaction ends (an import
	 * appends thousands of entries per transaction).
	 */
	txn = db_txn(cx->db);
	memo = core_memo(cx);
	if (rc == CRM_OK && txn != 0 && memo->head_txn == txn) {
		last = memo->head_id;
		memcpy(prev, memo->head_hash, sizeof(prev));
	} else if (rc == CRM_OK) {
		rc = head(cx, &last, prev);
	}
	if (rc != CRM_OK) {
		free(dj);
		return rc;
	}
	e.id = last + 1;
	e.at = time_now_ms();
	e.actor_id = cx->actor.user_id;
	e.actor_email = cx->actor.user_id > 0 ? cx->actor.email : NULL;
	e.action = action;
	e.entity = entity;
	e.record_id = record_id;
	e.address = cx->address;
	e.agent = cx->agent;
	e.detail = dj ? dj : "{}";
	e.prev_hash = prev;
	entry_hash(&e, hash);
	if (db_prepare(cx->db, "INSERT INTO audit_log (id, at, actor_id, "
	    "actor_email, action, entity, record_id, address, agent, detail, "
	    "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    &st) != DB_OK) {
		free(dj);
		return db_fail(cx, "append");
	}
	db_bind_int(st, 1, e.id);
	db_bind_int(st, 2, e.at);
	bind_int_or_null(st, 3, e.actor_id);
	bind_text_or_null(st, 4, e.actor_email);
	db_bind_text(st, 5, action, strlen(action));
	bind_text_or_null(st, 6, entity);
	bind_int_or_null(st, 7, record_id);
	bind_text_or_null(st, 8, e.address);
	bind_text_or_null(st, 9, e.agent);
	db_bind_text(st, 10, e.detail, strlen(e.detail));
	db_bind_text(st, 11, prev, strlen(prev));
	db_bind_text(st, 12, hash, strlen(hash));
	rc = db_step(st);
	db_done(st);
	free(dj);
	if (rc != DB_DONE) {
		memo->head_txn = 0;
		return db_fail(cx, "append step");
	}
	memo->head_txn = txn;
	memo->head_id = e.id;
	memcpy(memo->head_hash, hash, sizeof(memo->head_hash));
	return maybe_checkpoint(cx, e.at);
}

int
audit_event(struct core_ctx *cx, const char *action, const char *entity,
    int64_t record_id, json_t *detail)
{
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = append(cx, action, entity, record_id, detail);
	return core_txn_end(cx, rc, NULL);
}

int
audit_checkpoint(struct core_ctx *cx)
{
	char hash[AUDIT_HASH_HEX], msg[256], sig_hex[2 * crypto_sign_BYTES + 1];
	unsigned char sig[crypto_sign_BYTES];
	db_stmt_t *st;
	int64_t last, now = time_now_ms();
	size_t mlen;
	int rc;

	if (cx->audit_key == NULL || !cx->audit_key->has_secret)
		return core_fail(cx, CRM_EINVAL, "No audit signing key: give "
		    "--audit-key FILE");
	rc = head(cx, &last, hash);
	if (rc != CRM_OK || last == 0)
		return rc;
	mlen = checkpoint_message(now, last, hash, msg, sizeof(msg));
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, mlen,
	    cx->audit_key->sk);
	to_hex(sig, sizeof(sig), sig_hex);
	if (db_prepare(cx->db, "INSERT INTO audit_checkpoints (at, last_id, "
	    "last_hash, signature) VALUES (?, ?, ?, ?)", &st) != DB_OK)
		return db_fail(cx, "checkpoint");
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, last);
	db_bind_text(st, 3, hash, strlen(hash));
	db_bind_text(st, 4, sig_hex, strlen(sig_hex));
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "checkpoint step");
}

/* ---- diffs ---- */

static void
diff_into(json_t *changes, const char *prefix, json_t *before, json_t *after)
{
	const char *k;
	json_t *v;
	char name[160];

	json_object_foreach(after, k, v) {
		json_t *old = json_object_get(before, k);

		if (strcmp(k, "version") == 0 || strcmp(k, "updated_at") == 0 ||
		    strcmp(k, "updated_by") == 0)
			continue;
		snprintf(name, sizeof(name), "%s%s", prefix, k);
		if (strcmp(k, "custom") == 0 && prefix[0] == '\0') {
			diff_into(changes, "custom.", old, v);
			continue;
		}
		if (old == NULL || !json_equal(old, v))
			json_object_set_new(changes, name, json_pack("[OO]",
			    old ? old : json_null(), v));
	}
	json_object_foreach(before, k, v) {
		snprintf(name, sizeof(name), "%s%s", prefix, k);
		if (json_object_get(after, k) == NULL &&
		    json_object_get(changes, name) == NULL)
			json_object_set_new(changes, name, json_pack("[On]", v));
	}
}

json_t *
audit_diff(json_t *before, json_t *after)
{
	json_t *changes = json_object();

	diff_into(changes, "", before, after);
	if (json_object_size(changes) == 0) {
		json_decref(changes);
		return NULL;
	}
	return json_pack("{s:o}", "changes", changes);
}

/* ---- verifying ---- */

static void
problem(json_t *list, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
problem(json_t *list, const char *fmt, ...)
{
	char s[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	if (json_array_size(list) < 20)
		json_array_append_new(list, json_string(s));
}

static const char *
col_or_null(db_stmt_t *st, int c)
{
	return db_col_null(st, c) ? NULL : db_col_text(st, c, NULL);
}

/* Finds entry id's stored hash: *found false when there is none. */
static int
hash_of(struct core_ctx *cx, int64_t id, char out[AUDIT_HASH_HEX], bool *found)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "SELECT hash FROM audit_log WHERE id = ?", &st) != DB_OK)
		return db_fail(cx, "hash of");
	db_bind_int(st, 1, id);
	rc = db_step(st);
	*found = rc == DB_ROW;
	if (rc == DB_ROW)
		snprintf(out, AUDIT_HASH_HEX, "%s", db_col_text(st, 0, NULL));
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "hash of step");
}

/*
 * Where the chain starts: entry 1 after zeros, or after the newest archive
 * anchor (its signature checked when there is a key).
 */
static int
chain_start(struct core_ctx *cx, const struct audit_key *key, json_t *problems,
    int64_t *expect, char prev[AUDIT_HASH_HEX])
{
	unsigned char sig[crypto_sign_BYTES];
	char msg[300];
	db_stmt_t *st;
	int rc;

	*expect = 1;
	if (db_prepare(cx->db, "SELECT id, at, first_id, last_id, last_hash, "
	    "signature FROM audit_archives ORDER BY id DESC LIMIT 1", &st) != DB_OK)
		return db_fail(cx, "anchor");
	rc = db_step(st);
	if (rc == DB_ROW) {
		const char *h = db_col_text(st, 4, NULL);
		size_t mlen = archive_message(db_col_int(st, 1), db_col_int(st, 2),
		    db_col_int(st, 3), h, msg, sizeof(msg));

		*expect = db_col_int(st, 3) + 1;
		snprintf(prev, AUDIT_HASH_HEX, "%s", h);
		if (key != NULL && (hex_decode(db_col_text(st, 5, NULL), sig,
		    sizeof(sig)) != 0 || crypto_sign_verify_detached(sig,
		    (const unsigned char *)msg, mlen, key->pk) != 0))
			problem(problems, "archive anchor %lld has no valid signature "
			    "of this key: it was forged or changed",
			    (long long)db_col_int(st, 0));
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "anchor step");
}

static int
verify_chain(struct core_ctx *cx, const struct audit_key *key,
    json_t *problems, int64_t *entries, int64_t *last_id, int64_t *first_live)
{
	char prev[AUDIT_HASH_HEX], h[AUDIT_HASH_HEX];
	db_stmt_t *st;
	int64_t expect = 1;
	bool broken = false;
	int rc;

	snprintf(prev, sizeof(prev), "%s", ZERO_HASH);
	*entries = 0;
	*last_id = 0;
	rc = chain_start(cx, key, problems, &expect, prev);
	if (rc != CRM_OK)
		return rc;
	*first_live = expect;
	*last_id = expect - 1;
	if (db_prepare(cx->db, "SELECT id, at, actor_id, actor_email, action, "
	    "entity, record_id, address, agent, detail, prev_hash, hash FROM "
	    "audit_log ORDER BY id", &st) != DB_OK)
		return db_fail(cx, "verify");
	while ((rc = db_step(st)) == DB_ROW) {
		struct entry e;
		const char *stored = db_col_text(st, 11, NULL);

		e.id = db_col_int(st, 0);
		e.at = db_col_int(st, 1);
		e.actor_id = db_col_null(st, 2) ? 0 : db_col_int(st, 2);
		e.actor_email = col_or_null(st, 3);
		e.action = col_or_null(st, 4);
		e.entity = col_or_null(st, 5);
		e.record_id = db_col_null(st, 6) ? 0 : db_col_int(st, 6);
		e.address = col_or_null(st, 7);
		e.agent = col_or_null(st, 8);
		e.detail = col_or_null(st, 9);
		e.prev_hash = col_or_null(st, 10);
		(*entries)++;
		*last_id = e.id;
		if (broken)
			continue;
		entry_hash(&e, h);
		if (e.id > expect) {
			problem(problems, "entry %lld%s removed: the ids jump from "
			    "%lld to %lld", (long long)expect, e.id - expect > 1 ?
			    " and the ones after it were" : " was", (long long)expect
			    - 1, (long long)e.id);
			broken = true;
		} else if (e.id < expect) {
			problem(problems, "entry %lld appears twice or out of order",
			    (long long)e.id);
			broken = true;
		} else if (e.prev_hash == NULL || strcmp(e.prev_hash, prev) != 0) {
			problem(problems, "entry %lld was inserted or moved: it does "
			    "not follow entry %lld", (long long)e.id,
			    (long long)e.id - 1);
			broken = true;
		} else if (stored == NULL || strcmp(stored, h) != 0) {
			problem(problems, "entry %lld was changed: its content no "
			    "longer matches its hash", (long long)e.id);
			broken = true;
		}
		snprintf(prev, sizeof(prev), "%s", stored ? stored : "");
		expect = e.id + 1;
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "verify step");
}

static int
verify_checkpoints(struct core_ctx *cx, const struct audit_key *key,
    int64_t first_live, int64_t last_id, json_t *problems, int64_t *count)
{
	db_stmt_t *st;
	int rc;

	*count = 0;
	if (db_prepare(cx->db, "SELECT id, at, last_id, last_hash, signature FROM "
	    "audit_checkpoints ORDER BY id", &st) != DB_OK)
		return db_fail(cx, "checkpoints");
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t cid = db_col_int(st, 0), lid = db_col_int(st, 2);
		const char *lhash = db_col_text(st, 3, NULL);
		unsigned char sig[crypto_sign_BYTES];
		char msg[256], now_hash[AUDIT_HASH_HEX];
		size_t mlen = checkpoint_message(db_col_int(st, 1), lid, lhash, msg,
		    sizeof(msg));
		bool found = false;
		int r;

		(*count)++;
		if (key != NULL && (hex_decode(db_col_text(st, 4, NULL), sig,
		    sizeof(sig)) != 0 || mlen == 0 ||
		    crypto_sign_verify_detached(sig, (const unsigned char *)msg,
		    mlen, key->pk) != 0)) {
			problem(problems, "checkpoint %lld has no valid signature of "
			    "this key: it was forged or changed", (long long)cid);
			continue;
		}
		if (lid > last_id) {
			problem(problems, "entries after %lld were removed: checkpoint "
			    "%lld signed the log up to entry %lld", (long long)last_id,
			    (long long)cid, (long long)lid);
			continue;
		}
		r = hash_of(cx, lid, now_hash, &found);
		if (r != CRM_OK) {
			db_done(st);
			return r;
		}
		if (!found && lid < first_live)
			continue;	/* archived: its file is checked on its own */
		if (!found || strcmp(now_hash, lhash) != 0)
			problem(problems, "the log up to entry %lld was rewritten after "
			    "checkpoint %lld signed it", (long long)lid, (long long)cid);
	}
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "checkpoints step");
}

int
audit_verify(struct core_ctx *cx, const struct audit_key *key, json_t **out)
{
	json_t *problems;
	int64_t entries = 0, last_id = 0, checkpoints = 0, first_live = 1;
	int rc = core_admin_only(cx, "check the audit log");

	if (rc != CRM_OK)
		return rc;
	problems = json_array();
	rc = verify_chain(cx, key, problems, &entries, &last_id, &first_live);
	if (rc == CRM_OK)
		rc = verify_checkpoints(cx, key, first_live, last_id, problems,
		    &checkpoints);
	if (rc != CRM_OK) {
		json_decref(problems);
		return rc;
	}
	*out = json_pack("{s:b, s:I, s:I, s:b, s:o}", "ok",
	    json_array_size(problems) == 0, "entries", (json_int_t)entries,
	    "checkpoints", (json_int_t)checkpoints, "signatures_checked",
	    key != NULL, "problems", problems);
	return CRM_OK;
}

/* ---- reading ---- */

/* The columns row_read expects, in its order. */
#define ROW_COLUMNS "id, at, actor_id, actor_email, action, entity, " \
	"record_id, address, agent, detail"

static void
row_read(db_stmt_t *st, struct audit_row *r)
{
	r->id = db_col_int(st, 0);
	r->at = db_col_int(st, 1);
	r->actor_id = db_col_null(st, 2) ? 0 : db_col_int(st, 2);
	r->actor_email = col_or_null(st, 3);
	r->action = db_col_text(st, 4, NULL);
	r->entity = col_or_null(st, 5);
	r->record_id = db_col_null(st, 6) ? 0 : db_col_int(st, 6);
	r->address = col_or_null(st, 7);
	r->agent = col_or_null(st, 8);
	r->detail = db_col_text(st, 9, &r->detail_len);
}

static json_t *
text_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
int_or_null(int64_t v)
{
	return v != 0 ? json_integer(v) : json_null();
}

static json_t *
entry_json(const struct audit_row *r)
{
	char ts[TIME_RFC3339_LEN];
	json_t *detail = json_loadb(r->detail, r->detail_len, 0, NULL);

	time_format(r->at, ts, sizeof(ts));
	return json_pack("{s:I, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o}",
	    "id", (json_int_t)r->id, "at", ts,
	    "actor_id", int_or_null(r->actor_id),
	    "actor_email", text_or_null(r->actor_email),
	    "action", r->action,
	    "entity", text_or_null(r->entity),
	    "record_id", int_or_null(r->record_id),
	    "address", text_or_null(r->address),
	    "agent", text_or_null(r->agent),
	    "detail", detail ? detail : json_object());
}

/*
 * Prepares the one query of the screen, the history and the export: the
 * entries matching q's filters (and q->before_id), newest first, at most
 * limit of them.
 */
static int
query_open(struct core_ctx *cx, const struct audit_query *q, int64_t limit,
    db_stmt_t **st)
{
	struct dbq dq;
	int rc;

	dbq_init(&dq);
	dbq_sql(&dq, "SELECT " ROW_COLUMNS " FROM audit_log WHERE 1 = 1");
	if (q->actor_id > 0) {
		dbq_sql(&dq, " AND actor_id = ?");
		dbq_int(&dq, q->actor_id);
	}
	if (q->action != NULL && q->action[0] != '\0') {
		size_t len = strlen(q->action);

		if (q->action[len - 1] == '.' && len < 64) {
			/* A family: "record." is every record action ('/' follows '.'). */
			char hi[64];

			memcpy(hi, q->action, len);
			hi[len - 1] = '/';
			dbq_sql(&dq, " AND action >= ? AND action < ?");
			dbq_text(&dq, q->action, len);
			dbq_text(&dq, hi, len);
		} else {
			dbq_sql(&dq, " AND action = ?");
			dbq_text(&dq, q->action, len);
		}
	}
	if (q->entity != NULL) {
		dbq_sql(&dq, " AND entity = ?");
		dbq_text(&dq, q->entity, strlen(q->entity));
	}
	if (q->record_id > 0) {
		dbq_sql(&dq, " AND record_id = ?");
		dbq_int(&dq, q->record_id);
	}
	if (q->address != NULL) {
		dbq_sql(&dq, " AND address = ?");
		dbq_text(&dq, q->address, strlen(q->address));
	}
	if (q->from_ms > 0) {
		dbq_sql(&dq, " AND at >= ?");
		dbq_int(&dq, q->from_ms);
	}
	if (q->to_ms > 0) {
		dbq_sql(&dq, " AND at < ?");
		dbq_int(&dq, q->to_ms);
	}
	if (q->before_id > 0) {
		dbq_sql(&dq, " AND id < ?");
		dbq_int(&dq, q->before_id);
	}
	dbq_sql(&dq, " ORDER BY id DESC LIMIT ?");
	dbq_int(&dq, limit);
	rc = db_prepare_q(cx->db, &dq, st);
	dbq_free(&dq);
	return rc == DB_OK ? CRM_OK : db_fail(cx, "list");
}

/*
 * A record's history shows its values only as far as the record itself
 * would: a field the role hides stays hidden in the created values and in
 * the changes of later updates.
 */
static int
redact(struct core_ctx *cx, const struct entity *e, json_t *entry)
{
	json_t *detail = json_object_get(entry, "detail");
	json_t *changes = json_object_get(detail, "changes");
	const char *k;
	json_t *v;
	void *tmp;

	if (json_is_object(changes)) {
		json_object_foreach_safe(changes, tmp, k, v) {
			if (access_field(cx, e, k) == FIELD_HIDDEN)
				json_object_del(changes, k);
		}
		return CRM_OK;
	}
	if (strcmp(json_string_value(json_object_get(entry, "action")),
	    "record.create") == 0)
		return access_redact(cx, e, detail);
	return CRM_OK;
}

/* The entries of q, redacted for the reader when they are record's history. */
static int
list(struct core_ctx *cx, const struct audit_query *q,
    const struct entity *record, json_t **out)
{
	struct audit_row r;
	db_stmt_t *st;
	json_t *data;
	int64_t last = 0;
	int rc, crc = CRM_OK, n = 0;

	if (q->limit < 1 || q->limit > 500)
		return core_fail(cx, CRM_EBADQUERY, "limit: must be 1 to 500");
	rc = query_open(cx, q, q->limit + 1, &st);
	if (rc != CRM_OK)
		return rc;
	data = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *entry;

		if (++n > q->limit)
			break;
		row_read(st, &r);
		last = r.id;
		entry = entry_json(&r);
		json_array_append_new(data, entry);
		if (record != NULL)
			crc = redact(cx, record, entry);
		if (crc != CRM_OK)
			break;
	}
	db_done(st);
	if (crc != CRM_OK || (rc != DB_ROW && rc != DB_DONE)) {
		json_decref(data);
		return crc != CRM_OK ? crc : db_fail(cx, "list step");
	}
	*out = json_pack("{s:o, s:o}", "data", data, "next_cursor",
	    n > q->limit ? json_sprintf("%lld", (long long)last) : json_null());
	return CRM_OK;
}

int
audit_list(struct core_ctx *cx, const struct audit_query *q, json_t **out)
{
	int rc = core_admin_only(cx, "open the audit log");

	return rc != CRM_OK ? rc : list(cx, q, NULL, out);
}

int
audit_history(struct core_ctx *cx, const struct entity *e, int64_t id,
    const struct audit_query *q, json_t **out)
{
	struct audit_query h = *q;
	int rc = access_check(cx, e, ACC_AUDIT, id, false);

	if (rc != CRM_OK)
		return rc;
	h.entity = e->name;
	h.record_id = id;
	return list(cx, &h, e, out);
}

/* The filters of an export as its audit entry records them. */
static json_t *
filters_json(const struct audit_query *q)
{
	json_t *f = json_object();
	char ts[TIME_RFC3339_LEN];

	if (q->actor_id > 0)
		json_object_set_new(f, "actor_id", json_integer(q->actor_id));
	if (q->action != NULL)
		json_object_set_new(f, "action", json_string(q->action));
	if (q->entity != NULL)
		json_object_set_new(f, "entity", json_string(q->entity));
	if (q->record_id > 0)
		json_object_set_new(f, "record_id", json_integer(q->record_id));
	if (q->address != NULL)
		json_object_set_new(f, "address", json_string(q->address));
	if (q->from_ms > 0) {
		time_format(q->from_ms, ts, sizeof(ts));
		json_object_set_new(f, "from", json_string(ts));
	}
	if (q->to_ms > 0) {
		time_format(q->to_ms, ts, sizeof(ts));
		json_object_set_new(f, "to", json_string(ts));
	}
	return f;
}

/*
 * Reads and hands out the rows inside the write transaction, then appends
 * the trace: the count in the entry is exactly what was given, and a
 * failure anywhere leaves neither.
 */
static int
export_rows(struct core_ctx *cx, const struct audit_query *q,
    audit_row_fn fn, void *arg, int64_t *rows, bool *truncated)
{
	struct audit_query all = *q;
	struct audit_row r;
	db_stmt_t *st;
	json_t *detail;
	int rc, step;

	all.before_id = 0;
	rc = query_open(cx, &all, AUDIT_EXPORT_MAX + 1, &st);
	if (rc != CRM_OK)
		return rc;
	while ((step = db_step(st)) == DB_ROW) {
		if (*rows == AUDIT_EXPORT_MAX) {
			*truncated = true;
			break;
		}
		row_read(st, &r);
		rc = fn(arg, &r);
		if (rc != CRM_OK)
			break;
		(*rows)++;
	}
	db_done(st);
	if (rc != CRM_OK)
		return rc;
	if (step != DB_ROW && step != DB_DONE)
		return db_fail(cx, "export step");
	detail = json_pack("{s:o, s:I, s:b}", "filters", filters_json(q),
	    "rows", (json_int_t)*rows, "truncated", *truncated);
	rc = append(cx, "audit.export", NULL, 0, detail);
	json_decref(detail);
	return rc;
}

int
audit_export(struct core_ctx *cx, const struct audit_query *q,
    audit_row_fn fn, void *arg, int64_t *rows, bool *truncated)
{
	int rc = core_admin_only(cx, "export the audit log");

	*rows = 0;
	*truncated = false;
	if (rc != CRM_OK)
		return rc;
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = export_rows(cx, q, fn, arg, rows, truncated);
	rc = core_txn_end(cx, rc, NULL);
	if (rc != CRM_OK)
		*rows = 0;
	return rc;
}

/* ---- retention ---- */


/* An entry as one line of an archive: every column, detail as stored. */
static json_t *
archive_line(db_stmt_t *st)
{
	json_t *o = json_object();
	static const char *const text[] = { NULL, NULL, NULL, "actor_email",
	    "action", "entity", NULL, "address", "agent", "detail", "prev_hash",
	    "hash" };
	static const char *const ints[] = { "id", "at", "actor_id", NULL, NULL,
	    NULL, "record_id" };

	for (int c = 0; c < 12; c++) {
		const char *name = c < 7 && ints[c] ? ints[c] : text[c];

		if (db_col_null(st, c))
			json_object_set_new(o, name, json_null());
		else if (c < 7 && ints[c])
			json_object_set_new(o, name, json_integer(db_col_int(st, c)));
		else
			json_object_set_new(o, name, json_string(db_col_text(st, c,
			    NULL)));
	}
	return o;
}

static int
emit_json(audit_emit_fn emit, void *arg, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	int rc = s != NULL && emit(arg, s, strlen(s)) == 0 ? 0 : -1;

	free(s);
	return rc;
}

/* The range to archive: entries older than before_ms, oldest first. */
static int
archive_range(struct core_ctx *cx, int64_t before_ms, int64_t *first,
    int64_t *last)
{
	db_stmt_t *st;
	int rc;

	*first = *last = 0;
	if (db_prepare(cx->db, "SELECT MIN(id), MAX(id) FROM audit_log WHERE "
	    "at < ?", &st) != DB_OK)
		return db_fail(cx, "archive range");
	db_bind_int(st, 1, before_ms);
	rc = db_step(st);
	if (rc == DB_ROW && !db_col_null(st, 0)) {
		*first = db_col_int(st, 0);
		*last = db_col_int(st, 1);
	}
	db_done(st);
	return rc == DB_ROW ? CRM_OK : db_fail(cx, "archive range step");
}

static int
archive_write(struct core_ctx *cx, int64_t first, int64_t last,
    audit_emit_fn emit, void *arg, char hash[AUDIT_HASH_HEX])
{
	char msg[300], sig_hex[2 * crypto_sign_BYTES + 1];
	unsigned char sig[crypto_sign_BYTES];
	int64_t now = time_now_ms();
	db_stmt_t *st;
	json_t *header;
	size_t mlen;
	bool found = false;
	int rc = hash_of(cx, last, hash, &found);

	if (rc != CRM_OK)
		return rc;
	mlen = archive_message(now, first, last, hash, msg, sizeof(msg));
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, mlen,
	    cx->audit_key->sk);
	to_hex(sig, sizeof(sig), sig_hex);
	header = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s}", "format",
	    "crm-audit-archive-1", "at", (json_int_t)now, "first_id",
	    (json_int_t)first, "last_id", (json_int_t)last, "last_hash", hash,
	    "signature", sig_hex);
	rc = emit_json(emit, arg, header);
	json_decref(header);
	if (rc != 0)
		return core_fail(cx, CRM_EINVAL, "Writing the archive failed; "
		    "nothing was removed");
	if (db_prepare(cx->db, "SELECT id, at, actor_id, actor_email, action, "
	    "entity, record_id, address, agent, detail, prev_hash, hash FROM "
	    "audit_log WHERE id BETWEEN ? AND ? ORDER BY id", &st) != DB_OK)
		return db_fail(cx, "archive read");
	db_bind_int(st, 1, first);
	db_bind_int(st, 2, last);
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *line = archive_line(st);
		int e = emit_json(emit, arg, line);

		json_decref(line);
		if (e != 0) {
			db_done(st);
			return core_fail(cx, CRM_EINVAL, "Writing the archive failed; "
			    "nothing was removed");
		}
	}
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "archive read step");
	/* The end: the caller makes the file durable before anything goes. */
	if (emit(arg, NULL, 0) != 0)
		return core_fail(cx, CRM_EINVAL, "The archive could not be saved; "
		    "nothing was removed");
	if (db_prepare(cx->db, "INSERT INTO audit_archives (at, first_id, "
	    "last_id, last_hash, file, signature) VALUES (?, ?, ?, ?, '', ?)",
	    &st) != DB_OK)
		return db_fail(cx, "archive anchor");
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, first);
	db_bind_int(st, 3, last);
	db_bind_text(st, 4, hash, strlen(hash));
	db_bind_text(st, 5, sig_hex, strlen(sig_hex));
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "archive anchor step");
}

/* Names the archive in its anchor and removes the archived entries. */
static int
archive_finish(struct core_ctx *cx, const char *file, int64_t last)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "UPDATE audit_archives SET file = ? WHERE id = "
	    "(SELECT MAX(id) FROM audit_archives)", &st) != DB_OK)
		return db_fail(cx, "archive file");
	db_bind_text(st, 1, file, strlen(file));
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(cx, "archive file step");
	/* The head is read again after entries go (core_memo). */
	core_memo(cx)->head_txn = 0;
	if (db_prepare(cx->db, "DELETE FROM audit_log WHERE id <= ?", &st) != DB_OK)
		return db_fail(cx, "archive prune");
	db_bind_int(st, 1, last);
	rc = db_step(st);
	db_done(st);
	return rc == DB_DONE ? CRM_OK : db_fail(cx, "archive prune step");
}

int
audit_archive(struct core_ctx *cx, int64_t before_ms, const char *file,
    audit_emit_fn emit, void *arg, int64_t *moved)
{
	char hash[AUDIT_HASH_HEX];
	int64_t first = 0, last = 0;
	json_t *d;
	int rc;

	*moved = 0;
	if (cx->audit_key == NULL || !cx->audit_key->has_secret)
		return core_fail(cx, CRM_EINVAL, "Archiving needs the audit key's "
		    "secret half (--key FILE) to sign where the log now starts");
	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "begin");
	rc = db_lock_named(cx->db, "audit_log") == DB_OK ? CRM_OK :
	    db_fail(cx, "lock");
	if (rc == CRM_OK)
		rc = audit_checkpoint(cx);
	if (rc == CRM_OK)
		rc = archive_range(cx, before_ms, &first, &last);
	if (rc == CRM_OK && last > 0)
		rc = archive_write(cx, first, last, emit, arg, hash);
	if (rc == CRM_OK && last > 0)
		rc = archive_finish(cx, file, last);
	if (rc == CRM_OK && last > 0) {
		*moved = last - first + 1;
		d = json_pack("{s:I, s:I, s:s}", "first_id", (json_int_t)first,
		    "last_id", (json_int_t)last, "file", file);
		rc = append(cx, "audit.archive", NULL, 0, d);
		json_decref(d);
	}
	return core_txn_end(cx, rc, NULL);
}

int
audit_archive_check(const struct audit_key *key, audit_next_fn next,
    void *arg, json_t **out)
{
	json_t *problems = json_array(), *h = NULL;
	char prev[AUDIT_HASH_HEX] = "", hh[AUDIT_HASH_HEX], msg[300];
	unsigned char sig[crypto_sign_BYTES];
	const char *line;
	size_t len;
	int64_t expect = 0, n = 0, last = 0;
	int r;

	if (next(arg, &line, &len) != 0 ||
	    (h = json_loadb(line, len, 0, NULL)) == NULL ||
	    !json_is_string(json_object_get(h, "format")) ||
	    strcmp(json_string_value(json_object_get(h, "format")),
	    "crm-audit-archive-1") != 0) {
		problem(problems, "not a crm audit archive (its first line is not "
		    "the header)");
		goto done;
	}
	expect = json_integer_value(json_object_get(h, "first_id"));
	last = json_integer_value(json_object_get(h, "last_id"));
	if (key != NULL && (!json_is_string(json_object_get(h, "signature")) ||
	    !json_is_string(json_object_get(h, "last_hash")) ||
	    hex_decode(json_string_value(json_object_get(h, "signature")), sig,
	    sizeof(sig)) != 0 || crypto_sign_verify_detached(sig,
	    (const unsigned char *)msg, archive_message(json_integer_value(
	    json_object_get(h, "at")), expect, last, json_string_value(
	    json_object_get(h, "last_hash")), msg, sizeof(msg)),
	    key->pk) != 0))
		problem(problems, "the archive's header has no valid signature of "
		    "this key");
	while ((r = next(arg, &line, &len)) == 0) {
		json_t *o = json_loadb(line, len, 0, NULL);
		struct entry e;
		const char *stored;

		n++;
		if (!json_is_object(o)) {
			problem(problems, "line %lld is not an entry", (long long)n + 1);
			json_decref(o);
			break;
		}
		e.id = json_integer_value(json_object_get(o, "id"));
		e.at = json_integer_value(json_object_get(o, "at"));
		e.actor_id = json_integer_value(json_object_get(o, "actor_id"));
		e.actor_email = json_string_value(json_object_get(o, "actor_email"));
		e.action = json_string_value(json_object_get(o, "action"));
		e.entity = json_string_value(json_object_get(o, "entity"));
		e.record_id = json_integer_value(json_object_get(o, "record_id"));
		e.address = json_string_value(json_object_get(o, "address"));
		e.agent = json_string_value(json_object_get(o, "agent"));
		e.detail = json_string_value(json_object_get(o, "detail"));
		e.prev_hash = json_string_value(json_object_get(o, "prev_hash"));
		stored = json_string_value(json_object_get(o, "hash"));
		entry_hash(&e, hh);
		if (e.id != expect)
			problem(problems, "entry %lld is missing from the archive",
			    (long long)expect);
		else if (prev[0] != '\0' && (e.prev_hash == NULL ||
		    strcmp(e.prev_hash, prev) != 0))
			problem(problems, "entry %lld was inserted or moved",
			    (long long)e.id);
		else if (stored == NULL || strcmp(stored, hh) != 0)
			problem(problems, "entry %lld was changed", (long long)e.id);
		snprintf(prev, sizeof(prev), "%s", stored ? stored : "");
		json_decref(o);
		if (json_array_size(problems) > 0)
			break;
		expect++;
	}
	if (json_array_size(problems) == 0 && (r < 0 || expect != last + 1 ||
	    strcmp(prev, json_string_value(json_object_get(h, "last_hash")) ?
	    json_string_value(json_object_get(h, "last_hash")) : "") != 0))
		problem(problems, "the archive ends early or its last entry is not "
		    "the one signed (entry %lld)", (long long)last);
done:
	json_decref(h);
	*out = json_pack("{s:b, s:I, s:b, s:o}", "ok",
	    json_array_size(problems) == 0, "entries", (json_int_t)n,
	    "signatures_checked", key != NULL, "problems", problems);
	return CRM_OK;
}
