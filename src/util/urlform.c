/* application/x-www-form-urlencoded bodies (see urlform.h). */
#include "util/urlform.h"

#include <string.h>

#include "util/text.h"

int
urlform_decode(const char *s, size_t len, char *out, size_t *outlen)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[n++] = ' ';
		} else if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			hi = text_hexval(s[i + 1]);
			lo = text_hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			out[n++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
	*outlen = n;
	return 0;
}

int
urlform_each(const char *s, size_t len,
    int (*fn)(void *arg, const char *name, size_t nlen, const char *value,
    size_t vlen), void *arg)
{
	size_t start = 0;
	int pairs = 0;

	while (start < len) {
		const char *p = s + start, *amp = memchr(p, '&', len - start);
		size_t plen = amp != NULL ? (size_t)(amp - p) : len - start;
		const char *eq = memchr(p, '=', plen);
		int rc;

		start += plen + 1;
		if (plen == 0)
			continue;
		if (++pairs > URLFORM_PAIRS_MAX)
			return -1;
		if (eq != NULL)
			rc = fn(arg, p, (size_t)(eq - p), eq + 1,
			    plen - (size_t)(eq - p) - 1);
		else
			rc = fn(arg, p, plen, p + plen, 0);
		if (rc != 0)
			return rc;
	}
	return 0;
}
