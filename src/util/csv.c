/* CSV cells for exports (see csv.h). */
#include "util/csv.h"

#include <stdbool.h>
#include <string.h>

int
csv_cell(struct buf *b, const char *s)
{
	bool quote, defuse;
	int rc = 0;

	if (s == NULL)
		return 0;
	quote = strpbrk(s, ",\"\r\n") != NULL;
	defuse = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
	if (quote)
		rc |= buf_putc(b, '"');
	if (defuse)
		rc |= buf_putc(b, '\'');
	while (*s != '\0' && rc == 0) {
		size_t n = strcspn(s, "\"");

		rc |= buf_append(b, s, n);
		s += n;
		if (*s == '"') {
			rc |= buf_append(b, "\"\"", 2);
			s++;
		}
	}
	if (quote)
		rc |= buf_putc(b, '"');
	return rc == 0 ? 0 : -1;
}
