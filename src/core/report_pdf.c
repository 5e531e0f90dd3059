/*
 * A report's answer as a PDF (core/reports.h, report_pdf_write).
 */
#include "core/reports.h"

int
report_pdf_write(json_t *answer, const struct report_pdf_meta *m,
    struct buf *out)
{
	(void)answer;
	(void)m;
	(void)out;
	return -1;
}
