/*
 * The text and time checkers every field value passes through
 * (util/text.h, util/timeutil.h), and the cursor decoder behind rec_list.
 *
 * Each checker gets the input as it stands: an exact-size buffer with no
 * terminator, so AddressSanitizer sees any read past the length the
 * contract gives. Properties that must hold are checked and abort when
 * broken: a valid date or date-time formats and parses back to itself,
 * text_digits never writes past its buffer and returns only digits.
 *
 * Cursors: the input is tried both raw and hex-encoded (the server's
 * cursor encoding), the latter so that mutations reach the "id\nvalue"
 * decoding after the hex layer, under each sort order.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/record.h"
#include "util/alloc.h"
#include "util/text.h"
#include "util/timeutil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db_t *db;
static struct actor admin;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	db = fz_open(":memory:", &admin);
	fz_seed(db, &admin);
	return 0;
}

static void
check_time(const char *s, size_t len)
{
	char buf[TIME_RFC3339_LEN];
	int64_t days, ms, back;

	if (time_parse_date(s, len, &days) == 0) {
		time_format(days * 86400000, buf, sizeof(buf));
		if (strncmp(buf, s, 10) != 0)
			fz_fail("date %.10s formats as %s", s, buf);
	}
	if (time_parse_datetime(s, len, &ms) == 0) {
		time_format(ms, buf, sizeof(buf));
		/* Offsets may move a date out of 1..9999; those need not round-trip. */
		if (strlen(buf) == 24 && buf[0] >= '0' && buf[0] <= '9' &&
		    strncmp(buf, "0000", 4) != 0 &&
		    (time_parse_datetime(buf, strlen(buf), &back) != 0 || back != ms))
			fz_fail("datetime %.*s -> %s does not parse back", (int)len, s,
			    buf);
	}
}

static void
check_text(const char *s, size_t len)
{
	char digits[24];
	size_t n, outlen = 1 + len % sizeof(digits);

	if (text_utf8_valid(s, len) && text_utf8_count(s, len) > len)
		fz_fail("text_utf8_count: more code points than bytes");
	(void)text_is_email(s, len);
	(void)text_is_url(s, len);
	(void)text_is_phone(s, len);
	(void)text_is_decimal(s, len);
	(void)text_is_ident(s, len, 1 + len % 64);
	(void)text_is_currency(s, len);
	n = text_digits(s, len, digits, outlen);
	if (n >= outlen || digits[n] != '\0' || strspn(digits, "0123456789") != n)
		fz_fail("text_digits: %zu digits in a buffer of %zu", n, outlen);
}

static void
check_cursor(const char *cursor, int variant)
{
	static const char *const sorts[] = {
		NULL, "-id", "name", "-name", "last_name", "-first_name",
		"created_at", "-updated_at",
	};
	const char *sort = sorts[variant % (sizeof(sorts) / sizeof(*sorts))];
	const struct entity *e = variant & 1 ? &entity_contacts : &entity_companies;
	struct list_query lq;
	struct core_ctx cx;
	json_t *out = NULL;

	memset(&lq, 0, sizeof(lq));
	lq.cursor = cursor;
	lq.sort = sort;
	lq.limit = "3";
	core_ctx_init(&cx, db, &admin);
	if (rec_list(&cx, e, &lq, &out) == CRM_OK)
		json_decref(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const char *s = (const char *)data;
	char *raw, *enc;

	check_text(s, size);
	check_time(s, size);
	if (size > 4096)
		return 0;
	raw = fz_strndup(data, size);
	enc = xmalloc(2 * size + 1);
	for (size_t i = 0; i < size; i++) {
		enc[2 * i] = hex[data[i] >> 4];
		enc[2 * i + 1] = hex[data[i] & 15];
	}
	enc[2 * size] = '\0';
	check_cursor(raw, size > 0 ? data[0] : 0);
	check_cursor(enc, size > 0 ? data[size - 1] : 0);
	free(enc);
	free(raw);
	return 0;
}
