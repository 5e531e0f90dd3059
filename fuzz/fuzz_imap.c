/*
 * The IMAP answers of the desk's mailbox (core/imap.h): what a mail server
 * sends back to STATUS (UIDVALIDITY) and to "UID FETCH n:* (UID
 * RFC822.SIZE)", read by imap_parse_uidvalidity and imap_parse_list, the
 * parts of imap_uidvalidity and imap_list that need no network.
 *
 * Input: the first byte is last_uid (0 to 255), the second max - 1 (max 1
 * to 256); the rest is the server's answer, in an exact-size buffer (not
 * NUL-terminated) so AddressSanitizer sees any read past its end.
 *
 * Properties, each aborting when broken:
 *   - a UIDVALIDITY is -1 or from 1 to 2^32 - 1, and is a number the
 *     answer holds in decimal after the word;
 *   - the list holds at most max mails, UIDs above last_uid, strictly
 *     increasing, each at most 2^32 - 1, sizes from 0 to 2^32 - 1; *more
 *     exactly when the answer had more distinct UIDs than max (counted
 *     again by a plain reading of the lines);
 *   - every UID listed appears in the answer after "UID " on a line that
 *     also names that RFC822.SIZE;
 *   - a larger max lists the same mails first.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "core/imap.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether the decimal text of v follows word (and spaces) in the line. */
static bool
line_names(const char *line, size_t len, const char *word, int64_t v)
{
	char num[24];
	size_t wl = strlen(word), nl;

	nl = (size_t)snprintf(num, sizeof(num), "%lld", (long long)v);
	for (size_t i = 0; i + wl <= len; i++) {
		size_t j = i + wl;

		if (strncasecmp(line + i, word, wl) != 0)
			continue;
		while (j < len && line[j] == ' ')
			j++;
		/* Leading zeros read as the same number. */
		while (j + 1 < len && line[j] == '0' && line[j + 1] >= '0' &&
		    line[j + 1] <= '9')
			j++;
		if (len - j >= nl && memcmp(line + j, num, nl) == 0 &&
		    (j + nl == len || line[j + nl] < '0' || line[j + nl] > '9'))
			return true;
		return false;	/* only the first occurrence counts */
	}
	return false;
}

/* Whether some line of the answer names uid and size. */
static bool
answer_has(const char *a, size_t len, int64_t uid, int64_t size)
{
	const char *p = a, *end = a + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (line_names(p, ll, "UID ", uid) &&
		    line_names(p, ll, "RFC822.SIZE ", size))
			return true;
		p = nl != NULL ? nl + 1 : end;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t last_uid, uv;
	size_t max, n = 0, n2 = 0, len;
	struct imap_mail *v = NULL, *v2 = NULL;
	bool more = false, more2 = false;
	char *a;

	if (size < 2)
		return -1;
	last_uid = data[0];
	max = (size_t)data[1] + 1;
	len = size - 2;
	a = xmalloc(len > 0 ? len : 1);
	memcpy(a, data + 2, len);

	uv = imap_parse_uidvalidity(a, len);
	if (uv != -1 && (uv < 1 || uv > UINT32_MAX))
		fz_fail("UIDVALIDITY %lld", (long long)uv);
	if (uv > 0) {
		bool found = false;
		const char *p = a, *end = a + len;

		while (p < end && !found) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t ll = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

			found = line_names(p, ll, "UIDVALIDITY", uv);
			p = nl != NULL ? nl + 1 : end;
		}
		if (!found)
			fz_fail("UIDVALIDITY %lld is not in the answer", (long long)uv);
	}

	imap_parse_list(a, len, last_uid, max, &v, &n, &more);
	if (n > max)
		fz_fail("%zu mails listed, max %zu", n, max);
	if (n == 0 && more)
		fz_fail("more waiting but none listed");
	if (more && n != max)
		fz_fail("more waiting but only %zu of max %zu listed", n, max);
	for (size_t i = 0; i < n; i++) {
		if (v[i].uid <= last_uid || v[i].uid > UINT32_MAX)
			fz_fail("UID %lld (last %lld)", (long long)v[i].uid,
			    (long long)last_uid);
		if (i > 0 && v[i].uid <= v[i - 1].uid)
			fz_fail("UIDs out of order: %lld after %lld",
			    (long long)v[i].uid, (long long)v[i - 1].uid);
		if (v[i].size < 0 || v[i].size > UINT32_MAX)
			fz_fail("size %lld", (long long)v[i].size);
		if (!answer_has(a, len, v[i].uid, v[i].size))
			fz_fail("UID %lld size %lld is not a line of the answer",
			    (long long)v[i].uid, (long long)v[i].size);
	}

	/* Taking one more than was listed sees whether more waited. */
	imap_parse_list(a, len, last_uid, n + 1, &v2, &n2, &more2);
	if (n2 != (more ? n + 1 : n) || (!more && more2))
		fz_fail("more %d, but with max %zu: %zu mails", more, n + 1, n2);
	for (size_t i = 0; i < n; i++)
		if (v[i].uid != v2[i].uid || v[i].size != v2[i].size)
			fz_fail("mail %zu differs with a larger max", i);
	free(v2);
	free(v);
	free(a);
	return 0;
}
