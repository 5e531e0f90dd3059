/*
 * The application/x-www-form-urlencoded reader (util/urlform.h) behind the
 * public web form's plain HTML posts: a body anyone on the network sends.
 *
 * Input: the body, in an exact-size buffer so AddressSanitizer sees any
 * read past its end. Each pair is decoded as api/webforms.c decodes it
 * (into a buffer of the raw length + 1, exact size too).
 *
 * Properties, each aborting when broken:
 *   - urlform_each hands out the pairs in order, each name and value a
 *     slice of the body: the name holds no '&' or '=', the value no '&',
 *     they are adjacent (name "=" value, or a name alone at the end of
 *     its pair), no pair is empty, and the pairs with the '&' between
 *     them rebuild the body (but for empty pairs and trailing '&'s);
 *     a lone "=" is a pair (empty name and value) for the caller to refuse;
 *   - it refuses (-1) exactly the bodies with more than URLFORM_PAIRS_MAX
 *     non-empty pairs, and stops on the first non-zero callback result;
 *   - urlform_decode writes at most len bytes and the NUL after them, and
 *     agrees with a reference decoder: -1 exactly when a '%' is not
 *     followed by two hex digits, else '+' is a space and %XX its byte;
 *   - a decoded text re-encoded (every byte as %XX) decodes back to it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "util/alloc.h"
#include "util/text.h"
#include "util/urlform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct walk {
	const char	*body;
	size_t		 len;
	size_t		 at;		/* where the next pair may start */
	int		 pairs;
	int		 stop_at;	/* the callback answers 7 on this pair */
};

/* The reference decoder: the decoded length, or -1. */
static long
ref_decode(const char *s, size_t len, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (len - i < 3 || text_hexval(s[i + 1]) < 0 || text_hexval(s[i + 2]) < 0)
				return -1;
			out[n++] = (char)(text_hexval(s[i + 1]) * 16 + text_hexval(s[i + 2]));
			i += 2;
		} else {
			out[n++] = s[i] == '+' ? ' ' : s[i];
		}
	}
	return (long)n;
}

static void
check_decode(const char *what, const char *s, size_t len)
{
	/* Exact sizes: len + 1 as the contract asks, no slack to hide in. */
	char *out = xmalloc(len + 1), *ref = xmalloc(len + 1), *enc, *back;
	size_t olen = (size_t)-1, blen = (size_t)-1;
	long rlen = ref_decode(s, len, ref);
	int rc = urlform_decode(s, len, out, &olen);

	if ((rc == 0) != (rlen >= 0))
		fz_fail("%s: urlform_decode %d, the reference %ld", what, rc, rlen);
	if (rc == 0) {
		if (olen != (size_t)rlen || memcmp(out, ref, olen) != 0)
			fz_fail("%s: decoded differently from the reference", what);
		if (out[olen] != '\0')
			fz_fail("%s: no NUL after the decoded text", what);
		enc = xmalloc(olen * 3 + 1);
		back = xmalloc(olen * 3 + 1);
		for (size_t i = 0; i < olen; i++)
			snprintf(enc + i * 3, 4, "%%%02X", (unsigned char)out[i]);
		if (urlform_decode(enc, olen * 3, back, &blen) != 0 ||
		    blen != olen || memcmp(back, out, olen) != 0)
			fz_fail("%s: re-encoded text does not decode back", what);
		free(enc);
		free(back);
	}
	free(out);
	free(ref);
}

static int
pair(void *arg, const char *name, size_t nlen, const char *value, size_t vlen)
{
	struct walk *w = arg;
	const char *end = w->body + w->len;

	w->pairs++;
	if (w->pairs > URLFORM_PAIRS_MAX)
		fz_fail("pair %d handed out past URLFORM_PAIRS_MAX", w->pairs);
	if (name < w->body + w->at || name > end || nlen > (size_t)(end - name))
		fz_fail("pair %d: the name is not a slice of the body after the "
		    "last pair", w->pairs);
	/* Empty pairs between the last one and this are skipped, nothing else. */
	for (const char *p = w->body + w->at; p < name; p++)
		if (*p != '&')
			fz_fail("pair %d: bytes skipped before it", w->pairs);
	if (memchr(name, '&', nlen) != NULL || memchr(name, '=', nlen) != NULL)
		fz_fail("pair %d: the name holds '&' or '='", w->pairs);
	if (vlen > 0 && value != name + nlen + 1)
		fz_fail("pair %d: the value does not follow the name's '='",
		    w->pairs);
	if (value < w->body || value > end || vlen > (size_t)(end - value))
		fz_fail("pair %d: the value is not a slice of the body", w->pairs);
	if (memchr(value, '&', vlen) != NULL)
		fz_fail("pair %d: the value holds '&'", w->pairs);
	/* The pair ends at the body's end or at a '&'. */
	if (value + vlen < end && value[vlen] != '&')
		fz_fail("pair %d ends before its '&'", w->pairs);
	if (vlen == 0 && value != name + nlen && value != name + nlen + 1)
		fz_fail("pair %d: an empty value away from its name", w->pairs);
	w->at = (size_t)(value + vlen - w->body);
	check_decode("name", name, nlen);
	check_decode("value", value, vlen);
	return w->pairs == w->stop_at ? 7 : 0;
}

/* The non-empty pairs of the body, counted by hand. */
static int
count_pairs(const char *s, size_t len)
{
	int n = 0;

	for (size_t i = 0; i < len; i++)
		if (s[i] != '&' && (i == 0 || s[i - 1] == '&'))
			n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = xmalloc(size > 0 ? size : 1);
	int want = count_pairs((const char *)data, size), rc;
	struct walk w = { body, size, 0, 0, 0 };

	memcpy(body, data, size);
	rc = urlform_each(body, size, pair, &w);
	if (want > URLFORM_PAIRS_MAX) {
		if (rc != -1 || w.pairs != URLFORM_PAIRS_MAX)
			fz_fail("%d pairs: %d after %d handed out", want, rc, w.pairs);
	} else if (rc != 0 || w.pairs != want) {
		fz_fail("%d pairs: %d after %d handed out", want, rc, w.pairs);
	} else {
		for (size_t p = w.at; p < size; p++)
			if (body[p] != '&')
				fz_fail("bytes after the last pair were not handed out");
	}
	/* A callback's non-zero answer stops the walk and is returned. */
	if (want > 0) {
		w = (struct walk){ body, size, 0, 0, (int)(size % 3) + 1 };
		if (w.stop_at > want)
			w.stop_at = want;
		rc = urlform_each(body, size, pair, &w);
		if (w.stop_at <= URLFORM_PAIRS_MAX && (rc != 7 ||
		    w.pairs != w.stop_at))
			fz_fail("the callback stopped at pair %d: %d after %d",
			    w.stop_at, rc, w.pairs);
	}
	free(body);
	return 0;
}
