/*
 * Exports (see export.h): the columns an actor may ask for, one statement
 * over the list's own SQL (core/list.c: rec_scan_sql) narrowed by the
 * export right, and two writers behind one small interface: CSV through
 * util/csv.h into an unnamed file, XLSX through libxlsxwriter in its
 * constant-memory mode (each row goes to disk as it is written) into a
 * named temporary file that is opened and unlinked when complete.
 */
#include "core/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/access.h"
#include "core/audit.h"
#include "core/currency.h"
#include "core/customfields.h"
#include "core/record.h"
#include "core/watch.h"
#include "util/alloc.h"
#include "util/csv.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"

#define CELL_MAX (1024 * 1024)		/* bytes of one rendered cell */
#define CSV_CHUNK (64 * 1024)		/* CSV bytes gathered before a write */
#define CSV_BUF_MAX (16 * 1024 * 1024)	/* a chunk and one more row */
#define XLSX_TEXT_MAX 32767		/* characters Excel keeps in a cell */
#define XLSX_EPOCH_DAYS 25569		/* 1970-01-01 as an Excel serial date */
#define WIDTH_MIN 6
#define WIDTH_MAX 60
/* The owner's name, read beside the record (extra of rec_scan_sql). */
#define OWNER_NAME_SQL "(SELECT ou.name FROM users ou WHERE ou.id = t.owner_id)"

int
export_format_parse(const char *s)
{
	if (s != NULL && strcmp(s, "csv") == 0)
		return EXPORT_CSV;
	if (s != NULL && strcmp(s, "xlsx") == 0)
		return EXPORT_XLSX;
	return -1;
}

/* ---- rendering one value ---- */

/* Minor units as a decimal in major units: 125000, 2 -> "1250.00". */
static int
put_major(struct buf *b, int64_t minor, int digits)
{
	int64_t scale = 1, v = minor < 0 ? -minor : minor;

	for (int i = 0; i < digits; i++)
		scale *= 10;
	if (digits <= 0)
		return buf_printf(b, "%s%lld", minor < 0 ? "-" : "", (long long)v);
	return buf_printf(b, "%s%lld.%0*lld", minor < 0 ? "-" : "",
	    (long long)(v / scale), digits, (long long)(v % scale));
}

static int
currency_digits(const char *code)
{
	const struct currency *c = code != NULL ? currency_find(code) : NULL;

	return c != NULL ? c->digits : 2;
}

/* One element of a joined list: strings as they are, the rest as JSON. */
static int
put_plain(struct buf *b, json_t *v)
{
	char *s;
	int rc;

	if (json_is_string(v))
		return buf_append(b, json_string_value(v), json_string_length(v));
	if (json_is_integer(v))
		return buf_printf(b, "%lld", (long long)json_integer_value(v));
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	rc = s != NULL ? buf_puts(b, s) : -1;
	free(s);
	return rc;
}

int
export_cell(enum export_kind kind, json_t *v, int digits, struct buf *text,
    enum export_type *type, int64_t *num)
{
	const char *s = json_string_value(v);
	json_t *amount, *item;
	size_t i;
	int rc = 0;

	buf_reset(text);
	*type = EXPORT_EMPTY;
	*num = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (kind == EXPORT_K_MONEY && json_is_integer(v)) {
		*type = EXPORT_DECIMAL;
		return put_major(text, json_integer_value(v), digits);
	}
	if (kind == EXPORT_K_DATE && s != NULL &&
	    time_parse_date(s, strlen(s), num) == 0) {
		*type = EXPORT_DATE;
		return buf_puts(text, s);
	}
	if (kind == EXPORT_K_TIME && s != NULL &&
	    time_parse_datetime(s, strlen(s), num) == 0) {
		*type = EXPORT_TIME;
		return buf_puts(text, s);
	}
	if (json_is_integer(v)) {
		*type = EXPORT_INT;
		*num = json_integer_value(v);
		return buf_printf(text, "%lld", (long long)*num);
	}
	if (json_is_boolean(v)) {
		*type = EXPORT_BOOL;
		*num = json_is_true(v);
		return buf_puts(text, json_is_true(v) ? "true" : "false");
	}
	if (json_is_array(v)) {
		if (json_array_size(v) == 0)
			return 0;
		*type = EXPORT_TEXT;
		json_array_foreach(v, i, item) {
			if (i > 0)
				rc |= buf_puts(text, ", ");
			rc |= put_plain(text, item);
		}
		return rc != 0 ? -1 : 0;
	}
	/* A custom money value: {"amount": minor units, "currency": "EUR"}. */
	amount = json_object_get(v, "amount");
	if (json_is_object(v) && json_is_integer(amount) &&
	    json_is_string(json_object_get(v, "currency"))) {
		const char *cur = json_string_value(json_object_get(v, "currency"));

		*type = EXPORT_TEXT;
		return put_major(text, json_integer_value(amount),
		    currency_digits(cur)) != 0 || buf_printf(text, " %s", cur) != 0 ?
		    -1 : 0;
	}
	*type = EXPORT_TEXT;
	return put_plain(text, v);
}

/* ---- columns ---- */

enum col_from { FROM_RECORD, FROM_CUSTOM };

struct col {
	char		 name[96];	/* the header: "phones", "custom.segment" */
	const char	*key;		/* into name: the key in the record or custom */
	enum col_from	 from;
	enum export_kind kind;
	bool		 money_base;	/* money in the base currency */
	const char	*currency;	/* money: the record's currency field */
	bool		 decimal;	/* a custom decimal or percent (a number) */
};

struct cols {
	struct col	 c[EXPORT_MAX_COLUMNS];
	int		 n;
};

/* Money fields: minor units of the record's currency, or of the base one. */
static const struct {
	const char	*entity;
	const char	*field;
	const char	*currency;	/* the field naming it; NULL: the base */
} money_fields[] = {
	{ "deals", "amount", "currency" },
	{ "deals", "amount_base", NULL },
};

/* The columns every record has beside its entity's fields. */
static const struct {
	const char	*name;
	enum export_kind kind;
} common_cols[] = {
	{ "id", EXPORT_K_PLAIN },
	{ "owner_id", EXPORT_K_PLAIN },
	{ "owner_name", EXPORT_K_PLAIN },
	{ "tags", EXPORT_K_PLAIN },
	{ "created_at", EXPORT_K_TIME },
	{ "created_by", EXPORT_K_PLAIN },
	{ "updated_at", EXPORT_K_TIME },
	{ "updated_by", EXPORT_K_PLAIN },
};

/*
 * Whether the role hides a column: its own rule, and for a linked name
 * ("company_name", "owner_name") the rule of the id it names.
 */
static bool
col_hidden(struct core_ctx *cx, const struct entity *e, const char *name)
{
	char id[96];
	size_t n = strlen(name);

	if (access_field(cx, e, name) == FIELD_HIDDEN)
		return true;
	if (n > 5 && n - 5 < sizeof(id) - 3 && strcmp(name + n - 5, "_name") == 0) {
		snprintf(id, sizeof(id), "%.*s_id", (int)(n - 5), name);
		return access_field(cx, e, id) == FIELD_HIDDEN;
	}
	return false;
}

static void
col_set(struct col *c, const char *name, enum col_from from,
    enum export_kind kind)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->key = from == FROM_CUSTOM ? c->name + 7 : c->name;
	c->from = from;
	c->kind = kind;
}

/*
 * Describes the column called name into c: false when e has no such
 * column (or the actor may not see it). defs are the custom fields.
 */
static bool
col_describe(struct core_ctx *cx, const struct entity *e, json_t *defs,
    const char *name, struct col *c)
{
	const struct field *f;
	json_t *d;
	size_t i;

	if (strlen(name) >= sizeof(c->name) || col_hidden(cx, e, name))
		return false;
	if (strncmp(name, "custom.", 7) == 0) {
		json_array_foreach(defs, i, d) {
			const char *type = json_string_value(json_object_get(d, "type"));

			if (strcmp(json_string_value(json_object_get(d, "name")),
			    name + 7) != 0)
				continue;
			col_set(c, name, FROM_CUSTOM, strcmp(type, "date") == 0 ?
			    EXPORT_K_DATE : strcmp(type, "datetime") == 0 ?
			    EXPORT_K_TIME : EXPORT_K_PLAIN);
			c->decimal = strcmp(type, "decimal") == 0 ||
			    strcmp(type, "percent") == 0;
			return true;
		}
		return false;
	}
	for (i = 0; i < sizeof(common_cols) / sizeof(*common_cols); i++)
		if (strcmp(name, common_cols[i].name) == 0) {
			col_set(c, name, FROM_RECORD, common_cols[i].kind);
			return true;
		}
	f = entity_field(e, name);
	if (f == NULL || f->kind == FK_SIDE)
		return false;
	col_set(c, name, FROM_RECORD, f->kind == FK_DATE ? EXPORT_K_DATE :
	    f->kind == FK_TIME ? EXPORT_K_TIME : EXPORT_K_PLAIN);
	for (i = 0; i < sizeof(money_fields) / sizeof(*money_fields); i++)
		if (strcmp(money_fields[i].entity, e->name) == 0 &&
		    strcmp(money_fields[i].field, name) == 0) {
			c->kind = EXPORT_K_MONEY;
			c->currency = money_fields[i].currency;
			c->money_base = c->currency == NULL;
		}
	return true;
}

static int
cols_add(struct core_ctx *cx, const struct entity *e, json_t *defs,
    struct cols *cs, const char *name, bool asked)
{
	for (int i = 0; i < cs->n; i++)
		if (strcmp(cs->c[i].name, name) == 0)
			return asked ? core_fail(cx, CRM_EBADQUERY, "columns: '%.64s' "
			    "is named twice", name) : CRM_OK;
	if (cs->n == EXPORT_MAX_COLUMNS)
		return core_fail(cx, CRM_EBADQUERY, "columns: at most %d",
		    EXPORT_MAX_COLUMNS);
	if (!col_describe(cx, e, defs, name, &cs->c[cs->n])) {
		if (!asked)
			return CRM_OK;
		/* The same answer for a hidden column as for none at all. */
		return core_fail(cx, CRM_EBADQUERY, "columns: '%.64s' is not a "
		    "column of %s (use field names such as those of the list, "
		    "or custom.<name>)", name, e->name);
	}
	cs->n++;
	return CRM_OK;
}

/*
 * Every column the actor may see: the id, the entity's fields in their
 * order, the owner, tags, custom fields, then the times.
 */
static int
cols_default(struct core_ctx *cx, const struct entity *e, json_t *defs,
    struct cols *cs)
{
	static const char *const owner[] = { "owner_id", "owner_name", "tags" };
	char name[96];
	json_t *d;
	size_t i;
	int rc = cols_add(cx, e, defs, cs, "id", false);

	for (i = 0; i < e->nfields && rc == CRM_OK; i++) {
		const char *f = e->fields[i].name;
		size_t len = strlen(f);

		/* JSON structures (a checklist) are for the API, not a sheet. */
		if (e->fields[i].kind == FK_JSON)
			continue;
		rc = cols_add(cx, e, defs, cs, f, false);
		/* An id's name beside it: company_id, company_name. */
		if (rc == CRM_OK && len > 3 && len < 80 &&
		    strcmp(f + len - 3, "_id") == 0) {
			snprintf(name, sizeof(name), "%.*s_name", (int)(len - 3), f);
			if (entity_field(e, name) != NULL)
				rc = cols_add(cx, e, defs, cs, name, false);
		}
	}
	for (i = 0; i < sizeof(owner) / sizeof(*owner) && rc == CRM_OK; i++)
		rc = cols_add(cx, e, defs, cs, owner[i], false);
	json_array_foreach(defs, i, d) {
		if (rc != CRM_OK)
			break;
		snprintf(name, sizeof(name), "custom.%.80s",
		    json_string_value(json_object_get(d, "name")));
		rc = cols_add(cx, e, defs, cs, name, false);
	}
	if (rc == CRM_OK)
		rc = cols_add(cx, e, defs, cs, "created_at", false);
	if (rc == CRM_OK)
		rc = cols_add(cx, e, defs, cs, "updated_at", false);
	return rc;
}

/* "a,b,custom.c" into columns; every name checked. */
static int
cols_parse(struct core_ctx *cx, const struct entity *e, json_t *defs,
    const char *spec, struct cols *cs)
{
	char name[128];
	const char *p = spec;
	int rc = CRM_OK;

	if (strlen(spec) > EXPORT_COLUMNS_MAX_LEN ||
	    !text_utf8_valid(spec, strlen(spec)))
		return core_fail(cx, CRM_EBADQUERY, "columns: at most %d bytes of "
		    "field names separated by commas", EXPORT_COLUMNS_MAX_LEN);
	while (rc == CRM_OK) {
		size_t len = strcspn(p, ",");

		while (len > 0 && *p == ' ') {
			p++;
			len--;
		}
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == 0 || len >= sizeof(name))
			return core_fail(cx, CRM_EBADQUERY, "columns: field names "
			    "separated by commas, none empty (\"name,phones\")");
		memcpy(name, p, len);
		name[len] = '\0';
		rc = cols_add(cx, e, defs, cs, name, true);
		p += strcspn(p, ",");
		if (*p == '\0')
			break;
		p++;
	}
	return rc;
}

/* ---- writers ---- */

struct sink {
	enum export_format	 format;
	const struct cols	*cs;
	int			 fd;		/* the file (CSV: written as rows come) */
	uint64_t		 bytes;		/* written, or (XLSX) text given */
	struct buf		 line;		/* CSV: one row */
	lxw_workbook		*wb;
	lxw_worksheet		*ws;
	lxw_format		*bold, *date, *time, *money[4], *wrap;
	char			 path[4200];	/* XLSX: the named file until done */
	unsigned char		 width[EXPORT_MAX_COLUMNS];
	lxw_row_t		 row;
};

static int
sink_fail(struct core_ctx *cx, const char *what)
{
	log_error("export: %s: %s", what, strerror(errno));
	return core_fail(cx, CRM_EDB, "The export file could not be written");
}

static int
too_large(struct core_ctx *cx)
{
	return core_fail(cx, CRM_EBADQUERY, "The export would be larger than "
	    "%lld MiB: narrow it with filters or fewer columns",
	    EXPORT_MAX_BYTES / (1024 * 1024));
}

/* An unnamed file in dir (O_TMPFILE), or a named one removed at once. */
static int
tmpfile_open(const char *dir, char *path, size_t pathlen)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0)
		return fd;
	if ((size_t)snprintf(path, pathlen, "%s/.export-XXXXXX", dir) >= pathlen)
		return -1;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* Writes out what the CSV buffer holds (rows, or the header). */
static int
csv_flush(struct core_ctx *cx, struct sink *k)
{
	size_t off = 0;

	k->bytes += k->line.len;
	while (off < k->line.len) {
		ssize_t n = write(k->fd, k->line.data + off, k->line.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return sink_fail(cx, "write");
		off += (size_t)n;
	}
	buf_reset(&k->line);
	return CRM_OK;
}

static void
width_note(struct sink *k, int col, const char *text)
{
	size_t w = text_utf8_count(text, strlen(text)) + 2;

	if (w > WIDTH_MAX)
		w = WIDTH_MAX;
	if (w > k->width[col])
		k->width[col] = (unsigned char)w;
}

static int
sink_open(struct core_ctx *cx, struct sink *k, enum export_format format,
    const struct cols *cs, const char *dir)
{
	lxw_workbook_options o = { .constant_memory = 1, .tmpdir = NULL,
	    .use_zip64 = 1 };
	int rc = CRM_OK, fd;

	memset(k, 0, sizeof(*k));
	k->format = format;
	k->cs = cs;
	k->fd = -1;
	buf_init(&k->line, CSV_BUF_MAX);
	if (format == EXPORT_CSV) {
		k->fd = tmpfile_open(dir, k->path, sizeof(k->path));
		if (k->fd < 0)
			return sink_fail(cx, "temporary file");
		/* The BOM: Excel then reads the file as UTF-8. */
		rc = buf_puts(&k->line, "\xef\xbb\xbf") == 0 ? CRM_OK : too_large(cx);
		for (int i = 0; i < cs->n && rc == CRM_OK; i++)
			if ((i > 0 && buf_putc(&k->line, ',') != 0) ||
			    csv_cell(&k->line, cs->c[i].name) != 0)
				rc = too_large(cx);
		if (rc == CRM_OK && buf_puts(&k->line, "\r\n") != 0)
			rc = too_large(cx);
		return rc == CRM_OK ? csv_flush(cx, k) : rc;
	}
	/* libxlsxwriter writes to a name: a fresh one of ours in dir. */
	if ((size_t)snprintf(k->path, sizeof(k->path), "%s/.export-XXXXXX.xlsx",
	    dir) >= sizeof(k->path))
		return core_fail(cx, CRM_EDB, "The export folder's name is too long");
	fd = mkostemps(k->path, 5, O_CLOEXEC);
	if (fd < 0) {
		k->path[0] = '\0';
		return sink_fail(cx, "temporary file");
	}
	close(fd);
	o.tmpdir = (char *)dir;
	k->wb = workbook_new_opt(k->path, &o);
	k->ws = k->wb != NULL ? workbook_add_worksheet(k->wb, NULL) : NULL;
	if (k->ws == NULL)
		return core_fail(cx, CRM_EDB, "The workbook could not be started");
	k->bold = workbook_add_format(k->wb);
	format_set_bold(k->bold);
	k->date = workbook_add_format(k->wb);
	format_set_num_format(k->date, "yyyy-mm-dd");
	k->time = workbook_add_format(k->wb);
	format_set_num_format(k->time, "yyyy-mm-dd hh:mm:ss");
	for (int d = 0; d < 4; d++) {
		static const char *const fmt[] = { "#,##0", "#,##0.0", "#,##0.00",
		    "#,##0.000" };

		k->money[d] = workbook_add_format(k->wb);
		format_set_num_format(k->money[d], fmt[d]);
	}
	worksheet_freeze_panes(k->ws, 1, 0);
	for (int i = 0; i < cs->n && rc == CRM_OK; i++) {
		width_note(k, i, cs->c[i].name);
		if (worksheet_write_string(k->ws, 0, (lxw_col_t)i, cs->c[i].name,
		    k->bold) != LXW_NO_ERROR)
			rc = core_fail(cx, CRM_EDB, "The workbook could not be written");
	}
	k->row = 1;
	return rc;
}

/* Text cut to what a cell holds, at a character boundary. */
static const char *
xlsx_text(struct buf *t)
{
	size_t chars = 0, i = 0;

	for (; i < t->len && chars < XLSX_TEXT_MAX; chars++) {
		i++;
		while (i < t->len && ((unsigned char)t->data[i] & 0xc0) == 0x80)
			i++;
	}
	if (i < t->len) {
		t->data[i] = '\0';
		t->len = i;
	}
	return t->data;
}

static int
xlsx_cell(struct sink *k, int col, enum export_type type, int64_t num,
    int digits, struct buf *text)
{
	lxw_col_t c = (lxw_col_t)col;
	lxw_error e = LXW_NO_ERROR;

	switch (type) {
	case EXPORT_EMPTY:
		return 0;
	case EXPORT_INT:
		e = worksheet_write_number(k->ws, k->row, c, (double)num, NULL);
		break;
	case EXPORT_DECIMAL:
		e = worksheet_write_number(k->ws, k->row, c, strtod(text->data, NULL),
		    digits >= 0 && digits <= 3 ? k->money[digits] : NULL);
		break;
	case EXPORT_DATE:
		e = worksheet_write_number(k->ws, k->row, c, (double)(num +
		    XLSX_EPOCH_DAYS), k->date);
		break;
	case EXPORT_TIME:
		e = worksheet_write_number(k->ws, k->row, c, (double)num /
		    86400000.0 + XLSX_EPOCH_DAYS, k->time);
		break;
	case EXPORT_BOOL:
		e = worksheet_write_boolean(k->ws, k->row, c, (int)num, NULL);
		break;
	case EXPORT_TEXT:
		/* Always a string cell: text starting with = is never a formula. */
		e = worksheet_write_string(k->ws, k->row, c, xlsx_text(text), NULL);
		break;
	}
	if (type == EXPORT_DATE || type == EXPORT_TIME)
		width_note(k, col, type == EXPORT_DATE ? "2026-01-01" :
		    "2026-01-01 00:00:00");
	else
		width_note(k, col, text->data);
	return e == LXW_NO_ERROR ? 0 : -1;
}

/* Renders and writes one record. */
static int
sink_row(struct core_ctx *cx, struct sink *k, json_t *rec, int base_digits,
    struct buf *text)
{
	enum export_type type;
	int64_t num;

	for (int i = 0; i < k->cs->n; i++) {
		const struct col *c = &k->cs->c[i];
		json_t *v = json_object_get(c->from == FROM_CUSTOM ?
		    json_object_get(rec, "custom") : rec, c->key);
		int digits = c->kind != EXPORT_K_MONEY ? -1 : c->money_base ?
		    base_digits : currency_digits(json_string_value(
		    json_object_get(rec, c->currency)));

		if (export_cell(c->kind, v, digits, text, &type, &num) != 0)
			return too_large(cx);
		if (c->decimal && type == EXPORT_TEXT)
			type = EXPORT_DECIMAL;
		if (k->format == EXPORT_XLSX) {
			k->bytes += text->len;
			if (k->bytes > (uint64_t)EXPORT_MAX_BYTES)
				return too_large(cx);
			if (xlsx_cell(k, i, type, num, digits, text) != 0)
				return core_fail(cx, CRM_EDB, "The workbook could not "
				    "be written");
			continue;
		}
		if ((i > 0 && buf_putc(&k->line, ',') != 0) ||
		    csv_cell(&k->line, text->data) != 0)
			return too_large(cx);
	}
	if (k->format == EXPORT_XLSX) {
		k->row++;
		return CRM_OK;
	}
	if (buf_puts(&k->line, "\r\n") != 0 ||
	    k->bytes + k->line.len > (uint64_t)EXPORT_MAX_BYTES)
		return too_large(cx);
	/* Rows go out in chunks, not a write per row. */
	return k->line.len >= CSV_CHUNK ? csv_flush(cx, k) : CRM_OK;
}

/* Completes the file: out->fd and out->size. */
static int
sink_finish(struct core_ctx *cx, struct sink *k, struct export_result *out)
{
	struct stat sb;
	lxw_error e;

	if (k->format == EXPORT_CSV && csv_flush(cx, k) != CRM_OK)
		return CRM_EDB;
	if (k->format == EXPORT_XLSX) {
		for (int i = 0; i < k->cs->n; i++)
			worksheet_set_column(k->ws, (lxw_col_t)i, (lxw_col_t)i,
			    k->width[i] < WIDTH_MIN ? WIDTH_MIN : k->width[i], NULL);
		e = workbook_close(k->wb);
		k->wb = NULL;
		if (e != LXW_NO_ERROR) {
			log_error("export: workbook: %s", lxw_strerror(e));
			return core_fail(cx, CRM_EDB, "The workbook could not be "
			    "written");
		}
		k->fd = open(k->path, O_RDONLY | O_CLOEXEC);
		if (k->fd < 0)
			return sink_fail(cx, "open workbook");
		unlink(k->path);
		k->path[0] = '\0';
	}
	if (fstat(k->fd, &sb) != 0 || lseek(k->fd, 0, SEEK_SET) != 0)
		return sink_fail(cx, "stat");
	if ((uint64_t)sb.st_size > (uint64_t)EXPORT_MAX_BYTES)
		return too_large(cx);
	out->fd = k->fd;
	out->size = (uint64_t)sb.st_size;
	k->fd = -1;
	return CRM_OK;
}

/* Releases whatever the sink still holds (after success: nothing). */
static void
sink_free(struct sink *k)
{
	if (k->wb != NULL) {
		/* Closing is the only way to free a workbook: into the bin. */
		workbook_close(k->wb);
		k->wb = NULL;
	}
	if (k->format == EXPORT_XLSX && k->path[0] != '\0')
		unlink(k->path);
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	buf_free(&k->line);
}

/* ---- the export ---- */

/* What the audit entry says of the export. */
static json_t *
trace(const struct export_req *r, const struct cols *cs, int64_t rows)
{
	json_t *filters = json_object(), *columns = json_array();

	for (int i = 0; i < r->lq->nfilters; i++)
		json_object_set_new(filters, r->lq->filters[i].key,
		    json_string(r->lq->filters[i].value));
	for (int i = 0; i < cs->n; i++)
		json_array_append_new(columns, json_string(cs->c[i].name));
	return json_pack("{s:s, s:o, s:o, s:s?, s:s?, s:b, s:I}",
	    "format", r->format == EXPORT_XLSX ? "xlsx" : "csv",
	    "filters", filters, "columns", columns,
	    "q", r->lq->q != NULL && r->lq->q[0] != '\0' ? r->lq->q : NULL,
	    "sort", r->lq->sort != NULL && r->lq->sort[0] != '\0' ?
	    r->lq->sort : NULL, "deleted", r->lq->deleted, "rows",
	    (json_int_t)rows);
}

/*
 * The rows: read by one statement (in WAL mode one consistent snapshot,
 * holding no lock that writers wait for), redacted, written to the sink.
 * *rows counts what the file holds.
 */
static int
export_rows(struct core_ctx *cx, const struct export_req *r, struct sink *k,
    int base_digits, int64_t *rows)
{
	const struct entity *e = r->e;
	struct rec_scan s;
	struct buf text;
	struct dbq q;
	db_stmt_t *st;
	int rc, step;

	dbq_init(&q);
	rc = rec_scan_sql(cx, e, r->lq, OWNER_NAME_SQL, &s, &q);
	/* Readable and inside the export scope (which has no shares). */
	if (rc == CRM_OK)
		rc = access_where(cx, e, ACC_EXPORT, "t", &q);
	if (rc == CRM_OK) {
		rec_scan_order(&s, &q);
		if (db_prepare_q(cx->db, &q, &st) != DB_OK) {
			log_error("database: export: %s", db_errmsg(cx->db));
			rc = core_fail(cx, CRM_EDB, "The database failed to export "
			    "%s", e->name);
		}
	}
	dbq_free(&q);
	if (rc != CRM_OK)
		return rc;
	buf_init(&text, CELL_MAX);
	while ((step = db_step(st)) == DB_ROW) {
		json_t *rec = rec_row_to_json(e, st);
		int last = db_col_count(st) - 1;
		size_t len;
		const char *name = db_col_text(st, last, &len);
		bool keep = false;

		if (!db_col_null(st, last))
			json_object_set_new(rec, "owner_name", json_stringn(name, len));
		rc = rec_scan_keep(cx, e, &s, rec, &keep);
		if (rc == CRM_OK && keep && *rows == EXPORT_MAX_ROWS)
			rc = core_fail(cx, CRM_EBADQUERY, "More than %d %s match: "
			    "narrow the export with filters", EXPORT_MAX_ROWS, e->name);
		if (rc == CRM_OK && keep) {
			rc = sink_row(cx, k, rec, base_digits, &text);
			(*rows)++;
		}
		json_decref(rec);
		if (rc != CRM_OK)
			break;
	}
	db_done(st);
	buf_free(&text);
	if (rc != CRM_OK)
		return rc;
	if (step != DB_ROW && step != DB_DONE) {
		log_error("database: export step: %s", db_errmsg(cx->db));
		return core_fail(cx, CRM_EDB, "The database failed to export %s",
		    e->name);
	}
	return CRM_OK;
}

/* The trace of a complete file, inside the caller's write transaction. */
static int
export_trace(struct core_ctx *cx, const struct export_req *r,
    const struct cols *cs, int64_t rows)
{
	json_t *detail;
	char action[64];
	int rc = watch_reads(cx, r->e, rows);

	if (rc != CRM_OK)
		return rc;
	snprintf(action, sizeof(action), "%s.export", r->e->name);
	detail = trace(r, cs, rows);
	rc = audit_append(cx, action, r->e->name, 0, detail);
	json_decref(detail);
	return rc;
}

int
export_run(struct core_ctx *cx, const struct export_req *r,
    struct export_result *out)
{
	const struct entity *e = r->e;
	struct cols *cs = xcalloc(1, sizeof(*cs));
	struct sink k;
	enum acc_scope sc;
	json_t *defs = NULL, *list = NULL;
	char base[4] = "EUR";
	int64_t rows = 0;
	int rc;

	out->fd = -1;
	out->size = 0;
	out->rows = 0;
	memset(&k, 0, sizeof(k));
	k.fd = -1;
	buf_init(&k.line, 0);
	if (r->lq->cursor != NULL || r->lq->limit != NULL) {
		rc = core_fail(cx, CRM_EBADQUERY, "%s: an export is the whole list; "
		    "leave out cursor and limit", r->lq->cursor ? "cursor" : "limit");
		goto out;
	}
	rc = access_scope(cx, e, ACC_EXPORT, &sc);
	if (rc == CRM_OK && sc == SCOPE_NONE)
		rc = core_fail(cx, CRM_EFORBIDDEN, "Your role does not allow you to "
		    "export %s; ask an administrator for the export right", e->name);
	if (rc == CRM_OK)
		rc = cf_list(cx, e->name, &list);
	if (rc != CRM_OK)
		goto out;
	defs = json_incref(json_object_get(list, "data"));
	rc = r->columns != NULL ? cols_parse(cx, e, defs, r->columns, cs) :
	    cols_default(cx, e, defs, cs);
	if (rc == CRM_OK && cs->n == 0)
		rc = core_fail(cx, CRM_EBADQUERY, "columns: none you may see");
	if (rc == CRM_OK)
		rc = currency_base_get(cx, base);
	if (rc == CRM_OK)
		rc = sink_open(cx, &k, r->format, cs, r->dir);
	if (rc != CRM_OK)
		goto out;
	/*
	 * The file is complete before its trace is written, and handed out
	 * only once the trace has committed: no trace of a failure, no file
	 * without a trace, and writers wait only for the trace, not the read.
	 */
	rc = export_rows(cx, r, &k, currency_digits(base), &rows);
	if (rc == CRM_OK)
		rc = sink_finish(cx, &k, out);
	if (rc == CRM_OK) {
		if (db_begin(cx->db) != DB_OK) {
			log_error("database: export begin: %s", db_errmsg(cx->db));
			rc = core_fail(cx, CRM_EDB, "The database failed to "
			    "record the export of %s", e->name);
		} else {
			rc = core_txn_end(cx, export_trace(cx, r, cs, rows),
			    NULL);
		}
	}
	if (rc == CRM_OK)
		out->rows = rows;
	else if (out->fd >= 0) {
		close(out->fd);
		out->fd = -1;
	}
out:
	sink_free(&k);
	json_decref(defs);
	json_decref(list);
	free(cs);
	return rc;
}
