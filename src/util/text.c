/* Validation of outside text; every function is bounded by the given length. */
#include "util/text.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool
text_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		unsigned cp;
		size_t n;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

bool
text_is_printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return false;
	}
	return true;
}

size_t
text_utf8_count(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static bool
is_space_or_ctl(unsigned char c)
{
	return c <= 0x20 || c == 0x7f;
}

bool
text_is_email(const char *s, size_t len)
{
	const char *at = NULL, *dot;
	size_t local, domain;

	if (len < 3 || len > 254)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_space_or_ctl(c) || c == '<' || c == '>' || c == ',' ||
		    c == ';' || c == '"' || c == '(' || c == ')' || c == '\\')
			return false;
		if (c == '@') {
			if (at != NULL)
				return false;
			at = s + i;
		}
	}
	if (at == NULL)
		return false;
	local = (size_t)(at - s);
	domain = len - local - 1;
	if (local == 0 || local > 64 || domain < 3)
		return false;
	dot = memchr(at + 1, '.', domain);
	if (dot == NULL || dot == at + 1 || s[len - 1] == '.')
		return false;
	for (size_t i = local + 1; i + 1 < len; i++)
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
	return true;
}

bool
text_is_url(const char *s, size_t len)
{
	size_t skip, host = 0;

	if (len > 2048)
		return false;
	if (len > 7 && strncmp(s, "http://", 7) == 0)
		skip = 7;
	else if (len > 8 && strncmp(s, "https://", 8) == 0)
		skip = 8;
	else
		return false;
	for (size_t i = 0; i < len; i++)
		if (is_space_or_ctl((unsigned char)s[i]))
			return false;
	while (skip + host < len && s[skip + host] != '/' &&
	    s[skip + host] != '?' && s[skip + host] != '#')
		host++;
	return host > 0 && s[skip] != '.' && s[skip] != ':';
}

bool
text_is_phone(const char *s, size_t len)
{
	size_t digits = 0, i = 0;

	if (len == 0 || len > 40)
		return false;
	if (s[0] == '+')
		i = 1;
	for (; i < len; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9') {
			digits++;
		} else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' ||
		    c == '/') {
			continue;
		} else if (c == 'x' || (c == 'e' && len - i >= 3 &&
		    strncmp(s + i, "ext", 3) == 0)) {
			/* an extension: only digits, spaces and dots may follow */
			i += c == 'x' ? 1 : 3;
			for (; i < len; i++) {
				if (s[i] >= '0' && s[i] <= '9')
					continue;
				if (s[i] != ' ' && s[i] != '.')
					return false;
			}
			break;
		} else {
			return false;
		}
	}
	return digits >= 3 && digits <= 20;
}

size_t
text_digits(const char *s, size_t len, char *out, size_t outlen)
{
	size_t n = 0;

	if (outlen == 0)
		return 0;
	for (size_t i = 0; i < len && n + 1 < outlen; i++)
		if (s[i] >= '0' && s[i] <= '9')
			out[n++] = s[i];
	out[n] = '\0';
	return n;
}

bool
text_is_decimal(const char *s, size_t len)
{
	size_t i = 0, intd = 0, fracd = 0;

	if (i < len && s[i] == '-')
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		i++;
		intd++;
	}
	if (intd == 0 || intd > 18)
		return false;
	if (i == len)
		return true;
	if (s[i] != '.')
		return false;
	i++;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		i++;
		fracd++;
	}
	return i == len && fracd > 0 && fracd <= 18;
}

bool
text_is_ident(const char *s, size_t len, size_t maxlen)
{
	if (len == 0 || len > maxlen || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

bool
text_is_currency(const char *s, size_t len)
{
	if (len != 3)
		return false;
	for (size_t i = 0; i < 3; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return true;
}

void
text_like_pattern(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	if (outlen < 3) {
		if (outlen > 0)
			out[0] = '\0';
		return;
	}
	out[n++] = '%';
	for (; *s != '\0' && n + 3 < outlen; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			out[n++] = '\\';
		out[n++] = *s;
	}
	out[n++] = '%';
	out[n] = '\0';
}

int
text_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
text_addr_bucket(const char *addr, char *out, size_t len)
{
	struct in6_addr a;
	char net[INET6_ADDRSTRLEN];

	if (strchr(addr, ':') == NULL || inet_pton(AF_INET6, addr, &a) != 1 ||
	    IN6_IS_ADDR_V4MAPPED(&a)) {
		snprintf(out, len, "%s", addr);
		return;
	}
	memset(a.s6_addr + 8, 0, 8);	/* the interface half */
	if (inet_ntop(AF_INET6, &a, net, sizeof(net)) == NULL)
		snprintf(out, len, "%s", addr);
	else
		snprintf(out, len, "%s/64", net);
}
