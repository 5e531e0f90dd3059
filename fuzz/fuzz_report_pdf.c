/*
 * A report's PDF (core/report_pdf.c and core/chart_draw.c) from any
 * answer: the bytes are parsed as JSON and drawn whatever their shape
 * (columns without keys, labels or types; rows shorter or longer than the
 * columns, or no arrays at all; values of every type; any chart kind;
 * text with control characters and what looks like pango markup). The
 * answers the server draws are its own, but the drawing must not trust
 * their shape: every input either draws a document that starts with
 * "%PDF-", or fails cleanly when it outgrows its buffer.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/reports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct report_pdf_meta m = { .title = "<b>Fuzz</b>",
	    .params = "Period: 2026-01-01 to 2026-03-31", .viewer = "Fz",
	    .run_ms = 1790000000000LL, .tz = "Europe/Berlin", .currency = "EUR",
	    .digits = 2 };
	json_t *answer = json_loadb((const char *)data, size, JSON_DECODE_ANY,
	    NULL);
	struct buf out;
	int rc;

	if (answer == NULL)
		return 0;
	buf_init(&out, 16 * 1024 * 1024);
	rc = report_pdf_write(answer, &m, &out);
	if (rc == 0 && (out.len < 5 || memcmp(out.data, "%PDF-", 5) != 0))
		fz_fail("report_pdf_write answered 0 without a PDF");
	buf_free(&out);
	json_decref(answer);
	return 0;
}
