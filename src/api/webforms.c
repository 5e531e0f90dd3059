/*
 * The service desk's public pages, reached without signing in: the web
 * form a company embeds on its site (GET /f/{key}), the submissions it
 * posts (POST /api/v1/public/forms/{key}/tickets, a plain HTML form post
 * or JSON from a script), and the satisfaction question of a resolved
 * ticket (GET and POST /r/{token}). core/webform.h holds the rules.
 *
 * The pages are small, self-contained HTML: no script at all, one style
 * sheet allowed by its hash, every value escaped. Each sets its own
 * Content-Security-Policy (http/server.c then leaves out its default and
 * X-Frame-Options): a form page may be framed by the origins its
 * administrator allowed, a satisfaction page by nobody. A form post
 * (urlencoded or multipart/form-data) is answered with pages, its errors
 * too, since the browser shows whatever comes back; a browser (Accept
 * naming text/html) gets a GET's errors as pages; any other client gets
 * problem+json, like everywhere in the API.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/internal.h"
#include "core/webform.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/multipart.h"
#include "util/text.h"
#include "util/urlform.h"

#define PAGE_MAX (256 * 1024)
#define CSP_MAX 8192

static const char page_css[] =
	"body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1rem;"
	"color:#1a1a1a;background:#fff}main{max-width:36rem;margin:0 auto}"
	"h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 "
	".2rem;font-weight:600}input,textarea{box-sizing:border-box;width:100%;"
	"font:inherit;padding:.45rem;border:1px solid #767676;border-radius:4px}"
	"textarea{min-height:8rem}input:focus,textarea:focus,button:focus{"
	"outline:3px solid #1d5fbf;outline-offset:1px}button{margin-top:1rem;"
	"font:inherit;padding:.5rem 1.2rem;border:0;border-radius:4px;"
	"background:#1d5fbf;color:#fff;cursor:pointer}.err{color:#a30000;"
	"margin:.2rem 0}.errs{border:2px solid #a30000;padding:.5rem 1rem}"
	".hp{position:absolute;left:-10000px;width:1px;height:1px;"
	"overflow:hidden}fieldset{border:0;padding:0;margin:0}"
	"fieldset label{display:inline-block;font-weight:400;margin-right:1rem}"
	"fieldset input{width:auto}legend{font-weight:600}";

/* The inputs a form shows, in the order of its fields. */
static const struct {
	const char	*name;
	const char	*label;
	const char	*type;		/* NULL: a textarea */
	const char	*autocomplete;
	int		 max;
} inputs[] = {
	{ "name", "Your name", "text", "name", WEBFORM_NAME_MAX },
	{ "email", "Email", "email", "email", WEBFORM_EMAIL_MAX },
	{ "phone", "Phone", "tel", "tel", WEBFORM_PHONE_MAX },
	{ "subject", "Subject", "text", "off", WEBFORM_SUBJECT_MAX },
	{ "message", "How can we help?", NULL, "off", WEBFORM_MESSAGE_MAX },
};

/* Appends s as HTML text or attribute value. */
static void
html(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_putc(b, *s); break;
		}
}

static bool
wants_html(struct call *c)
{
	const char *accept = http_header(c->req, "Accept");

	return accept != NULL && strstr(accept, "text/html") != NULL;
}

/*
 * The page's headers: a policy allowing nothing but page_css (by its
 * hash) and posting back here, framed by ancestors ("'none'" or a list).
 */
static void
page_headers(struct call *c, const char *ancestors)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
	    sodium_base64_VARIANT_ORIGINAL)];
	struct buf csp;

	crypto_hash_sha256(h, (const unsigned char *)page_css,
	    sizeof(page_css) - 1);
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h),
	    sodium_base64_VARIANT_ORIGINAL);
	buf_init(&csp, CSP_MAX);
	buf_printf(&csp, "default-src 'none'; style-src 'sha256-%s'; "
	    "form-action 'self'; base-uri 'none'; frame-ancestors %s", b64,
	    ancestors);
	if (csp.data != NULL)
		http_resp_header(c->resp, "Content-Security-Policy", csp.data);
	buf_free(&csp);
	http_resp_header(c->resp, "Cache-Control", "no-store");
}

/* Who may frame a form's pages: this server and the allowed origins. */
static void
form_ancestors(json_t *form, char *out, size_t len)
{
	struct buf b;
	json_t *v;
	size_t i;

	buf_init(&b, len - 1);
	buf_puts(&b, "'self'");
	json_array_foreach(json_object_get(form, "origins"), i, v)
		buf_printf(&b, " %s", json_string_value(v));
	snprintf(out, len, "%s", b.data != NULL ? b.data : "'self'");
	buf_free(&b);
}

static void
page_start(struct buf *b, const char *title)
{
	buf_puts(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"><title>");
	html(b, title);
	buf_printf(b, "</title><style>%s</style></head><body><main><h1>",
	    page_css);
	html(b, title);
	buf_puts(b, "</h1>\n");
}

/* Ends the page in b and sends it with status (the headers are set). */
static void
page_send(struct call *c, int status, struct buf *b)
{
	/* The end fits only when everything before it did. */
	if (buf_puts(b, "</main></body></html>\n") != 0 || b->data == NULL) {
		buf_free(b);
		reply_problem(c, 500, NULL, "The page could not be made");
		return;
	}
	free(c->resp->body);
	c->resp->status = status;
	c->resp->content_type = "text/html; charset=utf-8";
	c->resp->len = b->len;
	c->resp->body = buf_steal(b);
}

/* A page of one message: title and text. */
static void
message_page(struct call *c, int status, const char *ancestors,
    const char *title, const char *text)
{
	struct buf b;

	buf_init(&b, PAGE_MAX);
	page_headers(c, ancestors);
	page_start(&b, title);
	buf_puts(&b, "<p role=\"status\">");
	html(&b, text);
	buf_puts(&b, "</p>\n");
	page_send(c, status, &b);
}

/*
 * Answers rc's failure: problem+json, or for a browser the same status,
 * Retry-After and detail as a page.
 */
static void
fail(struct call *c, int rc, bool as_page, const char *ancestors)
{
	int status;

	reply_core(c, rc);
	if (!as_page)
		return;
	status = c->resp->status;
	message_page(c, status, ancestors, status == 404 ? "Not found" :
	    status == 429 ? "Please wait a little" : status == 409 ?
	    "Already done" : status == 422 ? "Please check your answer" :
	    "Something went wrong", c->cx.detail[0] != '\0' ? c->cx.detail :
	    "Please try again later.");
}

/*
 * The secret segment of the path between prefix and suffix into out;
 * false when the path has none that fits.
 */
static bool
path_secret(struct call *c, const char *prefix, const char *suffix,
    char *out, size_t len)
{
	const char *p = c->req->path;
	size_t pl = strlen(prefix), sl = strlen(suffix), n = strlen(p);

	if (n <= pl + sl || strncmp(p, prefix, pl) != 0 ||
	    strcmp(p + n - sl, suffix) != 0 || n - pl - sl >= len)
		return false;
	memcpy(out, p + pl, n - pl - sl);
	out[n - pl - sl] = '\0';
	return true;
}

/* ---- bodies: JSON, or a plain HTML form post ---- */

struct pairs {
	json_t	*obj;
	bool	 bad;
};

static int
add_pair(void *arg, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	struct pairs *p = arg;
	char *k = xmalloc(nlen + 1), *v = xmalloc(vlen + 1);
	size_t kl = 0, vl = 0;

	if (urlform_decode(name, nlen, k, &kl) != 0 ||
	    urlform_decode(value, vlen, v, &vl) != 0 || kl == 0 ||
	    strlen(k) != kl || !text_utf8_valid(k, kl) ||
	    !text_utf8_valid(v, vl) || json_object_get(p->obj, k) != NULL)
		p->bad = true;
	else
		json_object_set_new(p->obj, k, json_stringn(v, vl));
	free(k);
	free(v);
	return p->bad ? 1 : 0;
}

/* What a post's Content-Type says it is: a browser's form post, or not. */
enum post_kind { POST_JSON, POST_URLENCODED, POST_MULTIPART };

static enum post_kind
post_kind(struct call *c)
{
	const char *ct = http_header(c->req, "Content-Type");

	if (ct != NULL && strncasecmp(ct, "application/x-www-form-urlencoded",
	    33) == 0)
		return POST_URLENCODED;
	if (ct != NULL && strncasecmp(ct, "multipart/form-data", 19) == 0)
		return POST_MULTIPART;
	return POST_JSON;
}

/*
 * A multipart/form-data post (a form with enctype="multipart/form-data"):
 * its text parts become the same pairs a urlencoded post gives, checked by
 * the same rules. A file is refused, as a form of the desk takes none; the
 * empty part a file input sends when nothing was chosen (no file name, no
 * bytes) is left out, so such a form still works without one.
 */
struct mp_fields {
	json_t		*obj;
	struct buf	 val;
	char		 name[MP_NAME_MAX];
	bool		 file;		/* the part is a file input's */
	const char	*why;		/* the refusal, for the page */
};

#define NO_FILES "This form takes no files. Please send it again without " \
	"attachments."
#define UNREADABLE "The form's data could not be read. Please go back and " \
	"send it again."

static int
mf_begin(void *arg, const struct mp_part *part)
{
	struct mp_fields *f = arg;

	if (part->has_filename && part->filename[0] != '\0') {
		f->why = NO_FILES;
		return 1;
	}
	f->file = part->has_filename;
	snprintf(f->name, sizeof(f->name), "%s", part->name);
	/* The whole body is at most HTTP_MAX_BODY; the core checks lengths. */
	buf_init(&f->val, HTTP_MAX_BODY);
	return 0;
}

static int
mf_data(void *arg, const char *p, size_t n)
{
	struct mp_fields *f = arg;

	if (f->file) {
		f->why = NO_FILES;
		return 1;
	}
	if (buf_append(&f->val, p, n) != 0) {
		f->why = UNREADABLE;
		return 1;
	}
	return 0;
}

static int
mf_end(void *arg)
{
	struct mp_fields *f = arg;
	const char *v = f->val.data != NULL ? f->val.data : "";

	if (!f->file && (f->name[0] == '\0' || !text_utf8_valid(f->name,
	    strlen(f->name)) || !text_utf8_valid(v, f->val.len) ||
	    json_object_get(f->obj, f->name) != NULL))
		f->why = UNREADABLE;
	else if (!f->file)
		json_object_set_new(f->obj, f->name, json_stringn(v, f->val.len));
	buf_free(&f->val);
	f->file = false;
	return f->why != NULL ? 1 : 0;
}

/* The fields of a multipart post, or NULL with *why saying what failed. */
static json_t *
multipart_fields(struct call *c, const char **why)
{
	static const struct mp_callbacks cb = { mf_begin, mf_data, mf_end };
	struct mp_fields f = { json_object(), { 0 }, "", false, NULL };
	char boundary[MP_BOUNDARY_MAX + 1];
	struct mp_parser mp;
	int rc;

	*why = NULL;
	if (mp_boundary(http_header(c->req, "Content-Type"), boundary,
	    sizeof(boundary)) != MP_OK) {
		json_decref(f.obj);
		*why = "The form's data could not be read: its Content-Type names "
		    "no valid boundary.";
		return NULL;
	}
	mp_init(&mp, boundary, &cb, &f);
	rc = upload_feed(c, &mp);
	if (rc == MP_OK)
		return f.obj;
	/* A part the parser gave up in the middle of. */
	buf_free(&f.val);
	json_decref(f.obj);
	*why = rc == MP_ECALLBACK && f.why != NULL ? f.why : rc ==
	    MP_ELIMIT ? "The form sent more, or longer, parts than it has "
	    "fields. Please go back and send it again." : UNREADABLE;
	return NULL;
}

/*
 * The body as an object: a form post's pairs as strings, else JSON
 * (body_object). NULL when it was answered (400 or 415; for a form post, a
 * page).
 */
static json_t *
read_body(struct call *c, enum post_kind kind, const char *ancestors)
{
	struct pairs p = { json_object(), false };
	const char *why = UNREADABLE;

	if (kind == POST_JSON) {
		json_decref(p.obj);
		return body_object(c);
	}
	if (kind == POST_MULTIPART) {
		json_decref(p.obj);
		p.obj = multipart_fields(c, &why);
	} else if (urlform_each(c->req->body, c->req->body_len, add_pair,
	    &p) != 0 || p.bad || strlen(c->req->body) != c->req->body_len) {
		json_decref(p.obj);
		p.obj = NULL;
	}
	if (p.obj == NULL)
		message_page(c, 400, ancestors, "Please check your answer", why);
	return p.obj;
}

/* ---- the web form ---- */

static const char *
field_error(const struct verrs *errs, const char *field)
{
	for (int i = 0; errs != NULL && i < errs->n; i++)
		if (strcmp(errs->items[i].field, field) == 0)
			return errs->items[i].message;
	return NULL;
}

/* One input of the form, with its value and its error, if any. */
static void
form_input(struct buf *b, size_t k, bool required, const char *value,
    const char *err)
{
	buf_printf(b, "<label for=\"f-%s\">%s%s</label>", inputs[k].name,
	    inputs[k].label, required ? " (required)" : "");
	if (err != NULL)
		buf_printf(b, "<p class=\"err\" id=\"f-%s-err\">", inputs[k].name);
	if (err != NULL) {
		html(b, inputs[k].label);
		buf_puts(b, ": ");
		html(b, err);
		buf_puts(b, "</p>");
	}
	if (inputs[k].type != NULL)
		buf_printf(b, "<input id=\"f-%s\" name=\"%s\" type=\"%s\" "
		    "autocomplete=\"%s\" maxlength=\"%d\"%s", inputs[k].name,
		    inputs[k].name, inputs[k].type, inputs[k].autocomplete,
		    inputs[k].max, required ? " required" : "");
	else
		buf_printf(b, "<textarea id=\"f-%s\" name=\"%s\" maxlength=\"%d\"%s",
		    inputs[k].name, inputs[k].name, inputs[k].max,
		    required ? " required" : "");
	if (err != NULL)
		buf_printf(b, " aria-invalid=\"true\" aria-describedby=\"f-%s-err\"",
		    inputs[k].name);
	if (inputs[k].type != NULL) {
		buf_puts(b, " value=\"");
		html(b, value);
		buf_puts(b, "\">\n");
	} else {
		buf_puts(b, ">");
		html(b, value);
		buf_puts(b, "</textarea>\n");
	}
}

/* The form page; values and errs (both may be NULL) from a refused post. */
static void
form_page(struct call *c, int status, const char *key, json_t *form,
    json_t *values, const struct verrs *errs, const char *ancestors)
{
	const char *title = json_string_value(json_object_get(form, "title"));
	json_t *fields = json_object_get(form, "fields"), *f;
	struct buf b;
	size_t i;

	buf_init(&b, PAGE_MAX);
	page_headers(c, ancestors);
	page_start(&b, title != NULL ? title : "Contact us");
	if (errs != NULL && errs->n > 0)
		buf_puts(&b, "<p class=\"errs\" role=\"alert\">Please check the "
		    "fields marked below.</p>\n");
	buf_puts(&b, "<form method=\"post\" action=\"/api/v1/public/forms/");
	html(&b, key);
	buf_puts(&b, "/tickets\">\n");
	json_array_foreach(fields, i, f)
		for (size_t k = 0; k < sizeof(inputs) / sizeof(*inputs); k++)
			if (strcmp(inputs[k].name, json_string_value(f)) == 0)
				form_input(&b, k, k == 1 || k == 4,
				    json_string_value(json_object_get(values,
				    inputs[k].name)), field_error(errs,
				    inputs[k].name));
	/* A robot fills every input; a person never sees this one. */
	buf_puts(&b, "<div class=\"hp\" aria-hidden=\"true\"><label for=\"f-"
	    WEBFORM_HONEYPOT "\">Leave this empty</label><input id=\"f-"
	    WEBFORM_HONEYPOT "\" name=\"" WEBFORM_HONEYPOT "\" tabindex=\"-1\" "
	    "autocomplete=\"off\"></div>\n<button type=\"submit\">Send"
	    "</button>\n</form>\n");
	page_send(c, status, &b);
}

void
h_webform_page(struct call *c)
{
	char key[WEBFORM_KEY_MAX], anc[CSP_MAX];
	json_t *form = NULL;
	int rc = CRM_ENOTFOUND;

	if (path_secret(c, "/f/", "", key, sizeof(key)))
		rc = webform_public(&c->cx, key, &form);
	else
		core_fail(&c->cx, rc, "No such form");
	if (rc != CRM_OK) {
		fail(c, rc, wants_html(c), "'none'");
		return;
	}
	form_ancestors(form, anc, sizeof(anc));
	form_page(c, 200, key, form, NULL, NULL, anc);
	json_decref(form);
}

/* Lets an allowed site's script read the answer (and its Retry-After). */
static void
cors_headers(struct call *c, const char *origin)
{
	http_resp_header(c->resp, "Access-Control-Allow-Origin", origin);
	http_resp_header(c->resp, "Access-Control-Expose-Headers",
	    "Retry-After");
	http_resp_header(c->resp, "Vary", "Origin");
}

/*
 * The form of the path's key into *form, and whether the request comes
 * from another site that may post to it (*cross). Answers and returns
 * false otherwise.
 */
static bool
form_for_post(struct call *c, json_t **form, bool *cross, bool as_page)
{
	const char *origin = http_header(c->req, "Origin");
	char key[WEBFORM_KEY_MAX];
	int rc = CRM_ENOTFOUND;

	*form = NULL;
	*cross = false;
	if (path_secret(c, "/api/v1/public/forms/", "/tickets", key, sizeof(key)))
		rc = webform_public(&c->cx, key, form);
	else
		core_fail(&c->cx, rc, "No such form");
	if (rc != CRM_OK) {
		fail(c, rc, as_page, "'none'");
		return false;
	}
	if (origin != NULL && !api_same_origin(c)) {
		if (!webform_origin_allowed(*form, origin)) {
			json_decref(*form);
			*form = NULL;
			reply_problem(c, 403, "Cross-site request refused", "This form "
			    "takes requests from its own page and from the sites its "
			    "administrator allowed");
			if (as_page)
				message_page(c, 403, "'none'", "Not accepted from this "
				    "site", "This form takes requests from its own page "
				    "and from the sites its owner allowed.");
			return false;
		}
		*cross = true;
	}
	return true;
}

void
h_webform_preflight(struct call *c)
{
	json_t *form = NULL;
	bool cross;

	if (!form_for_post(c, &form, &cross, false))
		return;
	json_decref(form);
	reply_empty(c, 204);
	if (!cross)
		return;
	cors_headers(c, http_header(c->req, "Origin"));
	http_resp_header(c->resp, "Access-Control-Allow-Methods", "POST");
	http_resp_header(c->resp, "Access-Control-Allow-Headers", "Content-Type");
	http_resp_header(c->resp, "Access-Control-Max-Age", "600");
}

/*
 * Whether the system's state refuses writes (answered by api/system.c as
 * problem+json); a form post gets the same status as a page.
 */
static bool
refused(struct call *c, bool page, const char *ancestors)
{
	if (!system_refuses(c, true, false))
		return false;
	if (page)
		message_page(c, c->resp->status, ancestors, "Please try again "
		    "later", "We cannot take requests right now. Please try again "
		    "later.");
	return true;
}

void
h_webform_submit(struct call *c)
{
	char key[WEBFORM_KEY_MAX], anc[CSP_MAX];
	json_t *form = NULL, *in = NULL, *out = NULL;
	const char *thanks;
	enum post_kind kind = post_kind(c);
	bool page = kind != POST_JSON, cross;
	int rc;

	if (!form_for_post(c, &form, &cross, page))
		return;
	form_ancestors(form, anc, sizeof(anc));
	path_secret(c, "/api/v1/public/forms/", "/tickets", key, sizeof(key));
	if (refused(c, page, anc))
		goto out;
	in = read_body(c, kind, anc);
	if (in == NULL)
		goto out;
	rc = webform_submit(&c->cx, key, c->req->remote, in, &out);
	if (!page) {
		reply_result(c, rc, 201, out);
		out = NULL;
	} else if (rc == CRM_EINVAL) {
		form_page(c, 422, key, form, in, &c->cx.errs, anc);
	} else if (rc != CRM_OK) {
		fail(c, rc, true, anc);
	} else {
		thanks = json_string_value(json_object_get(form, "thanks"));
		message_page(c, 200, anc, "Thank you!", thanks != NULL ? thanks :
		    "We received your request and will answer you soon.");
	}
	if (cross)
		cors_headers(c, http_header(c->req, "Origin"));
out:
	json_decref(form);
	json_decref(in);
	json_decref(out);
}

/* ---- the satisfaction question ---- */

static void
rating_page(struct call *c, const char *token, json_t *q)
{
	static const char *const words[] = { "not at all", "a little",
		"fairly", "mostly", "very" };
	struct buf b;

	buf_init(&b, PAGE_MAX);
	page_headers(c, "'none'");
	page_start(&b, "How did we do?");
	buf_printf(&b, "<p>Your request #%lld: ", (long long)json_integer_value(
	    json_object_get(q, "ticket_id")));
	html(&b, json_string_value(json_object_get(q, "subject")));
	buf_puts(&b, "</p>\n<form method=\"post\" action=\"/r/");
	html(&b, token);
	buf_puts(&b, "\"><fieldset><legend>How satisfied are you with our "
	    "help?</legend>\n");
	for (int i = 1; i <= 5; i++)
		buf_printf(&b, "<label><input type=\"radio\" name=\"rating\" "
		    "value=\"%d\" required> %d (%s)</label>\n", i, i, words[i - 1]);
	buf_printf(&b, "</fieldset><label for=\"comment\">Anything you want to "
	    "tell us? (optional)</label><textarea id=\"comment\" name=\"comment\" "
	    "maxlength=\"%d\"></textarea>\n<button type=\"submit\">Send</button>"
	    "</form>\n", WEBFORM_CSAT_COMMENT_MAX);
	page_send(c, 200, &b);
}

void
h_csat_page(struct call *c)
{
	char token[WEBFORM_TOKEN_MAX], text[160];
	json_t *q = NULL;
	const char *state;
	int rc = CRM_ENOTFOUND;

	if (path_secret(c, "/r/", "", token, sizeof(token)))
		rc = webform_csat_get(&c->cx, token, &q);
	else
		core_fail(&c->cx, rc, "This link is not known");
	if (rc != CRM_OK) {
		fail(c, rc, wants_html(c), "'none'");
		return;
	}
	state = json_string_value(json_object_get(q, "state"));
	if (strcmp(state, "open") == 0) {
		rating_page(c, token, q);
	} else if (strcmp(state, "answered") == 0) {
		snprintf(text, sizeof(text), "You answered this question already "
		    "(%lld of 5). Thank you!", (long long)json_integer_value(
		    json_object_get(q, "rating")));
		message_page(c, 200, "'none'", "Already answered", text);
	} else {
		message_page(c, 410, "'none'", "This link has expired", "This link "
		    "has expired. If something is still wrong, just write to us "
		    "again.");
	}
	json_decref(q);
}

void
h_csat_answer(struct call *c)
{
	char token[WEBFORM_TOKEN_MAX], text[160];
	json_t *in = NULL, *out = NULL, *r;
	enum post_kind kind = post_kind(c);
	bool page = kind != POST_JSON;
	int rc = CRM_ENOTFOUND;

	if (!path_secret(c, "/r/", "", token, sizeof(token))) {
		fail(c, core_fail(&c->cx, rc, "This link is not known"), page,
		    "'none'");
		return;
	}
	if (refused(c, page, "'none'"))
		return;
	in = read_body(c, kind, "'none'");
	if (in == NULL)
		return;
	/* A form posts the rating as text. */
	r = json_object_get(in, "rating");
	if (page && json_is_string(r) && json_string_length(r) == 1 &&
	    json_string_value(r)[0] >= '1' && json_string_value(r)[0] <= '5')
		json_object_set_new(in, "rating",
		    json_integer(json_string_value(r)[0] - '0'));
	rc = webform_csat_answer(&c->cx, token, in, &out);
	json_decref(in);
	if (!page) {
		reply_result(c, rc, 200, out);
		return;
	}
	if (rc != CRM_OK) {
		fail(c, rc, true, "'none'");
		return;
	}
	snprintf(text, sizeof(text), "We recorded your answer: %lld of 5. It "
	    "helps us get better.", (long long)json_integer_value(
	    json_object_get(out, "rating")));
	json_decref(out);
	message_page(c, 200, "'none'", "Thank you!", text);
}
