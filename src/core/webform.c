/*
 * Web forms: the admin table, the public page's data and a submission
 * becoming a ticket under the form's rate limits (see webform.h). The
 * satisfaction link is in webform_csat.c.
 */
#include "core/webform.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/record.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define SUBJECT_CUT 100		/* characters of a message's first line */
#define MIN_MS 60000LL

static const struct dcol form_cols[] = {
	{ "name", DC_TEXT, true, 100 },
	{ "public_key", DC_TEXT, false, WEBFORM_KEY_MAX - 1 },
	{ "enabled", DC_BOOL, false, 0 },
	{ "origins", DC_JSON, false, 0 },
	{ "fields", DC_JSON, false, 0 },
	{ "queue_id", DC_INT, false, 0 },
	{ "category", DC_TEXT, false, 100 },
	{ "priority", DC_TEXT, false, 10 },
	{ "title", DC_TEXT, false, 200 },
	{ "thanks", DC_TEXT, false, 1000 },
	{ "address_max", DC_INT, false, 0 },
	{ "address_window_min", DC_INT, false, 0 },
	{ "form_max", DC_INT, false, 0 },
	{ "form_window_min", DC_INT, false, 0 },
};

/* The inputs a form may show, with their limits in characters. */
static const struct {
	const char	*name;
	size_t		 max;
} inputs[] = {
	{ "name", WEBFORM_NAME_MAX },
	{ "email", WEBFORM_EMAIL_MAX },
	{ "phone", WEBFORM_PHONE_MAX },
	{ "subject", WEBFORM_SUBJECT_MAX },
	{ "message", WEBFORM_MESSAGE_MAX },
};
#define NINPUTS (sizeof(inputs) / sizeof(*inputs))

/* Defaults of the limits, and the most each may be. */
static const struct {
	const char	*name;
	int64_t		 def;
	int64_t		 max;
} limits[] = {
	{ "address_max", 5, WEBFORM_ADDRESS_LIMIT_MAX },
	{ "address_window_min", 10, WEBFORM_WINDOW_MIN_MAX },
	{ "form_max", 200, WEBFORM_FORM_LIMIT_MAX },
	{ "form_window_min", 60, WEBFORM_WINDOW_MIN_MAX },
};

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: web form %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed; nothing was changed");
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int64_t
num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/*
 * An origin as browsers send it: http or https, a host of letters,
 * digits, dots and dashes, an optional port; no path, no trailing slash.
 */
static bool
origin_ok(const char *s)
{
	const char *h;
	size_t n = 0, port = 0;

	if (strncmp(s, "https://", 8) == 0)
		h = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		h = s + 7;
	else
		return false;
	for (; *h != '\0' && *h != ':'; h++, n++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
		    (*h >= '0' && *h <= '9') || *h == '.' || *h == '-'))
			return false;
	if (n == 0 || n > 253)
		return false;
	if (*h == ':') {
		for (h++; *h >= '0' && *h <= '9'; h++)
			port++;
		if (port == 0 || port > 5 || *h != '\0')
			return false;
	}
	return true;
}

static void
check_origins(struct core_ctx *cx, json_t *merged)
{
	json_t *o = json_object_get(merged, "origins"), *v;
	size_t i;

	if (o == NULL || json_is_null(o)) {
		json_object_set_new(merged, "origins", json_array());
		return;
	}
	if (!json_is_array(o) || json_array_size(o) > WEBFORM_ORIGINS_MAX) {
		verrs_add(&cx->errs, "origins", "must be a list of at most %d "
		    "origins", WEBFORM_ORIGINS_MAX);
		return;
	}
	json_array_foreach(o, i, v)
		if (!core_text_ok(v, WEBFORM_ORIGIN_MAX) ||
		    !origin_ok(json_string_value(v))) {
			verrs_add(&cx->errs, "origins", "each is a site's origin such "
			    "as https://www.example.com (scheme, host, optional port; "
			    "no path)");
			return;
		}
}

static bool
known_input(const char *name)
{
	for (size_t i = 0; i < NINPUTS; i++)
		if (strcmp(inputs[i].name, name) == 0)
			return true;
	return false;
}

static bool
shows(json_t *fields, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(fields, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return true;
	return false;
}

static void
check_fields(struct core_ctx *cx, json_t *merged)
{
	json_t *f = json_object_get(merged, "fields"), *v, *w;
	size_t i, k;

	if (f == NULL || json_is_null(f)) {
		json_object_set_new(merged, "fields", json_pack("[s,s,s,s]", "name",
		    "email", "subject", "message"));
		return;
	}
	if (!json_is_array(f) || !shows(f, "message")) {
		verrs_add(&cx->errs, "fields", "must be a list of name, email, "
		    "phone, subject, message, with message");
		return;
	}
	json_array_foreach(f, i, v) {
		if (!json_is_string(v) || !known_input(json_string_value(v))) {
			verrs_add(&cx->errs, "fields", "each is name, email, phone, "
			    "subject or message");
			return;
		}
		json_array_foreach(f, k, w)
			if (k < i && json_equal(v, w)) {
				verrs_add(&cx->errs, "fields", "names %s twice",
				    json_string_value(v));
				return;
			}
	}
}

static int
form_check(struct core_ctx *cx, json_t *merged)
{
	const char *prio = str(merged, "priority");
	json_t *q = json_object_get(merged, "queue_id");
	bool found = false;
	int rc = CRM_OK;

	if (str(merged, "public_key") == NULL) {
		unsigned char raw[24];
		char key[WEBFORM_KEY_MAX];

		randombytes_buf(raw, sizeof(raw));
		sodium_bin2base64(key, sizeof(key), raw, sizeof(raw),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		json_object_set_new(merged, "public_key", json_string(key));
	}
	if (!json_is_boolean(json_object_get(merged, "enabled")))
		json_object_set_new(merged, "enabled", json_true());
	check_origins(cx, merged);
	check_fields(cx, merged);
	if (prio != NULL && strcmp(prio, "low") != 0 &&
	    strcmp(prio, "normal") != 0 && strcmp(prio, "high") != 0 &&
	    strcmp(prio, "urgent") != 0)
		verrs_add(&cx->errs, "priority", "must be low, normal, high or "
		    "urgent");
	for (size_t i = 0; i < sizeof(limits) / sizeof(*limits); i++) {
		json_t *v = json_object_get(merged, limits[i].name);

		if (v == NULL || json_is_null(v))
			json_object_set_new(merged, limits[i].name,
			    json_integer(limits[i].def));
		else if (json_integer_value(v) < 1 ||
		    json_integer_value(v) > limits[i].max)
			verrs_add(&cx->errs, limits[i].name, "must be 1 to %lld",
			    (long long)limits[i].max);
	}
	if (json_is_integer(q)) {
		int64_t id = json_integer_value(q);

		rc = core_probe(cx, "web form queue", "SELECT 1 FROM queues WHERE "
		    "id = ?", &id, 1, &found);
		if (rc == CRM_OK && !found)
			verrs_add(&cx->errs, "queue_id", "is not a queue");
	}
	return rc;
}

const struct dtable dtable_web_forms = {
	.table = "web_forms",
	.singular = "web form",
	.cols = form_cols,
	.ncols = sizeof(form_cols) / sizeof(*form_cols),
	.check = form_check,
	/* Tickets keep no link to their form: the counts go with it. */
	.before_delete_sql = "DELETE FROM web_form_hits WHERE form_id = ?",
	.order_by = "name, id",
	.admin_read = true,
	.readonly = "public_key",
};

bool
webform_secret_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* The enabled form with this key, all its columns, into *out. */
static int
form_by_key(struct core_ctx *cx, const char *key, json_t **out)
{
	db_stmt_t *st;
	int64_t id = 0;
	int rc;

	*out = NULL;
	if (!webform_secret_ok(key, WEBFORM_KEY_MAX))
		return core_fail(cx, CRM_ENOTFOUND, "No such form");
	if (db_prepare(cx->db, "SELECT id FROM web_forms WHERE public_key = ? AND "
	    "enabled = 1", &st) != DB_OK)
		return db_fail(cx, "by key");
	db_bind_text(st, 1, key, strlen(key));
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "by key step");
	if (id == 0)
		return core_fail(cx, CRM_ENOTFOUND, "No such form, or it is turned "
		    "off");
	return dtable_read(cx, &dtable_web_forms, id, out);
}

int
webform_public(struct core_ctx *cx, const char *key, json_t **out)
{
	json_t *f = NULL;
	int rc = form_by_key(cx, key, &f);

	*out = NULL;
	if (rc != CRM_OK)
		return rc;
	*out = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}",
	    "id", json_object_get(f, "id"), "name", json_object_get(f, "name"),
	    "title", json_object_get(f, "title"),
	    "thanks", json_object_get(f, "thanks"),
	    "fields", json_object_get(f, "fields"),
	    "origins", json_object_get(f, "origins"));
	json_decref(f);
	return CRM_OK;
}

bool
webform_origin_allowed(json_t *form, const char *origin)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(form, "origins"), i, v)
		if (json_is_string(v) && strcasecmp(json_string_value(v),
		    origin) == 0)
			return true;
	return false;
}

/*
 * The inputs: only the form's own and the honeypot, each text within its
 * limit (an empty one counts as not given), the message required and, when
 * the form asks for it, the email. The ticket checks the email's and the
 * phone's shape.
 */
static void
check_inputs(struct core_ctx *cx, json_t *form, json_t *in)
{
	json_t *fields = json_object_get(form, "fields"), *v;
	const char *key, *email = str(in, "email");

	json_object_foreach(in, key, v) {
		if (strcmp(key, WEBFORM_HONEYPOT) == 0) {
			if (!json_is_string(v))
				verrs_add(&cx->errs, key, "must be text");
			continue;
		}
		if (!shows(fields, key)) {
			verrs_add(&cx->errs, key, "is not a field of this form");
			continue;
		}
		for (size_t i = 0; i < NINPUTS; i++)
			if (strcmp(inputs[i].name, key) == 0 && (!json_is_string(v) ||
			    (json_string_length(v) > 0 &&
			    !core_text_ok(v, inputs[i].max))))
				verrs_add(&cx->errs, key, "must be text of at most "
				    "%zu characters", inputs[i].max);
	}
	if (cx->errs.n > 0)
		return;
	if (str(in, "message") == NULL || *str(in, "message") == '\0')
		verrs_add(&cx->errs, "message", "is required");
	if (shows(fields, "email") && (email == NULL || *email == '\0'))
		verrs_add(&cx->errs, "email", "is required, so that we can answer");
}

/*
 * The wait before the limit of max hits within window_ms lets another in:
 * the max-th newest hit must leave the window. address NULL: the form's.
 */
static int
hits_wait(struct core_ctx *cx, int64_t form_id, const char *address,
    int64_t max, int64_t window_ms, int64_t now, int64_t *wait)
{
	db_stmt_t *st;
	int rc, i = 1;

	*wait = 0;
	if (db_prepare(cx->db, address != NULL ? "SELECT at FROM web_form_hits "
	    "WHERE form_id = ? AND address = ? AND at > ? ORDER BY at DESC LIMIT "
	    "1 OFFSET ?" : "SELECT at FROM web_form_hits WHERE form_id = ? AND "
	    "at > ? ORDER BY at DESC LIMIT 1 OFFSET ?", &st) != DB_OK)
		return db_fail(cx, "limits");
	db_bind_int(st, i++, form_id);
	if (address != NULL)
		db_bind_text(st, i++, address, strlen(address));
	db_bind_int(st, i++, now - window_ms);
	db_bind_int(st, i, max - 1);
	rc = db_step(st);
	if (rc == DB_ROW)
		*wait = db_col_int(st, 0) + window_ms - now;
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(cx, "limits step");
	if (*wait < 1)
		*wait = rc == DB_ROW ? 1 : 0;
	return CRM_OK;
}

static int
throttled(struct core_ctx *cx, int64_t wait, const char *what)
{
	int64_t min = (wait + MIN_MS - 1) / MIN_MS;

	cx->retry_after_s = (wait + 999) / 1000;
	return core_fail(cx, CRM_ETHROTTLED, "Too many requests %s. Please try "
	    "again in %lld minute%s.", what, (long long)min, min == 1 ? "" : "s");
}

/* Both limits, then the hit counted (the form's row is locked by now). */
static int
count_hit(struct core_ctx *cx, json_t *form, const char *address, int64_t now)
{
	int64_t id = num(form, "id"), wait = 0;
	int64_t aw = num(form, "address_window_min") * MIN_MS;
	int64_t fw = num(form, "form_window_min") * MIN_MS;
	int rc = hits_wait(cx, id, address, num(form, "address_max"), aw, now,
	    &wait);

	if (rc == CRM_OK && wait > 0)
		return throttled(cx, wait, "from your network address");
	if (rc == CRM_OK)
		rc = hits_wait(cx, id, NULL, num(form, "form_max"), fw, now, &wait);
	if (rc == CRM_OK && wait > 0)
		return throttled(cx, wait, "for this form just now");
	if (rc == CRM_OK)
		rc = core_exec(cx, "DELETE FROM web_form_hits WHERE form_id = ? AND "
		    "at <= ?", "ii", id, now - (aw > fw ? aw : fw));
	if (rc == CRM_OK)
		rc = core_exec(cx, "INSERT INTO web_form_hits (form_id, address, at) "
		    "VALUES (?, ?, ?)", "isi", id, address, now);
	return rc;
}

/* The ticket's subject: the client's, else the message's first line, cut. */
static json_t *
subject_of(json_t *in)
{
	const char *s = str(in, "subject"), *m = str(in, "message");
	size_t n = 0, chars = 0;

	if (s != NULL && *s != '\0')
		return json_string(s);
	while (m[n] != '\0' && m[n] != '\n' && m[n] != '\r') {
		if (((unsigned char)m[n] & 0xc0) != 0x80 && ++chars > SUBJECT_CUT)
			break;
		n++;
	}
	return json_stringn(m, n);
}

/* The ticket a submission makes (new reference). */
static json_t *
ticket_of(json_t *form, json_t *in)
{
	const char *name = str(in, "name");
	json_t *t = json_pack("{s:o, s:s}", "subject", subject_of(in), "channel",
	    "form");
	struct buf d;
	static const char *const copy[][2] = { { "email", "email" },
		{ "phone", "phone" } };
	static const char *const defaults[] = { "queue_id", "category",
		"priority" };

	buf_init(&d, WEBFORM_MESSAGE_MAX * 4 + WEBFORM_NAME_MAX * 4 + 64);
	if (name != NULL && *name != '\0')
		buf_printf(&d, "Name: %s\n\n", name);
	buf_puts(&d, str(in, "message"));
	json_object_set_new(t, "description", json_stringn(d.data != NULL ?
	    d.data : "", d.len));
	buf_free(&d);
	for (size_t i = 0; i < sizeof(copy) / sizeof(*copy); i++)
		if (str(in, copy[i][0]) != NULL && *str(in, copy[i][0]) != '\0')
			json_object_set(t, copy[i][1], json_object_get(in,
			    copy[i][0]));
	for (size_t i = 0; i < sizeof(defaults) / sizeof(*defaults); i++) {
		json_t *v = json_object_get(form, defaults[i]);

		if (v != NULL && !json_is_null(v))
			json_object_set(t, defaults[i], v);
	}
	return t;
}

int
webform_submit(struct core_ctx *cx, const char *key, const char *address,
    json_t *in, json_t **out)
{
	json_t *form = NULL, *ticket = NULL, *t = NULL, *detail;
	const char *pot = str(in, WEBFORM_HONEYPOT);
	int64_t now = time_now_ms(), tid = 0;
	int rc;

	*out = NULL;
	memset(&cx->actor, 0, sizeof(cx->actor));	/* the system */
	if (address == NULL)
		address = "";
	rc = form_by_key(cx, key, &form);
	if (rc != CRM_OK)
		return rc;
	check_inputs(cx, form, in);
	if (cx->errs.n > 0) {
		json_decref(form);
		return core_invalid(cx);
	}
	if (db_begin(cx->db) != DB_OK) {
		json_decref(form);
		return db_fail(cx, "begin");
	}
	/* First: on PostgreSQL this row's lock orders the form's submissions. */
	rc = core_exec(cx, "UPDATE web_forms SET last_submit_at = ? WHERE id = ? "
	    "AND enabled = 1", "ii", now, num(form, "id"));
	if (rc == CRM_OK && db_changes(cx->db) == 0)
		rc = core_fail(cx, CRM_ENOTFOUND, "No such form, or it is turned "
		    "off");
	if (rc == CRM_OK)
		rc = count_hit(cx, form, address, now);
	if (rc == CRM_OK && (pot == NULL || *pot == '\0')) {
		ticket = ticket_of(form, in);
		rc = rec_create_txn(cx, &entity_tickets, ticket, &t);
		tid = num(t, "id");
	}
	if (rc == CRM_OK) {
		detail = json_pack("{s:s, s:s, s:o}", "form", str(form, "name"),
		    "address", address, "ticket_id", tid > 0 ? json_integer(tid) :
		    json_null());
		rc = audit_append(cx, tid > 0 ? "web_form.submit" :
		    "web_form.honeypot", "web_forms", num(form, "id"), detail);
		json_decref(detail);
	}
	if (rc == CRM_OK)
		*out = tid > 0 ? json_pack("{s:b, s:I}", "received", 1, "ticket_id",
		    (json_int_t)tid) : json_pack("{s:b}", "received", 1);
	json_decref(form);
	json_decref(ticket);
	json_decref(t);
	return core_txn_end(cx, rc, out);
}
