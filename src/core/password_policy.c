/*
 * Password policy (see password_policy.h).
 *
 * libpwquality's settings are made per call from its defaults (never from
 * /etc/security/pwquality.conf), with the character-class credits turned
 * off: length and the dictionary judge a passphrase, not a recipe of
 * digits and capitals. cracklib, underneath, keeps static state while it
 * looks words up, so checks are serialised by one mutex: the only lock in
 * the core, held for a dictionary look-up (well under a millisecond).
 */
#include "core/password_policy.h"

#include <ctype.h>
#include <pthread.h>
#include <pwquality.h>
#include <stdio.h>
#include <string.h>

#include "core/users.h"
#include "util/log.h"

static pthread_mutex_t dict_mu = PTHREAD_MUTEX_INITIALIZER;

#define PASSWORD_LONG 20	/* characters from which length is enough */

/* Whether hay contains needle, ASCII case-insensitively. */
static bool
contains_ci(const char *hay, const char *needle, size_t nlen)
{
	size_t hlen = strlen(hay);

	if (nlen == 0 || nlen > hlen)
		return false;
	for (size_t i = 0; i + nlen <= hlen; i++)
		if (strncasecmp(hay + i, needle, nlen) == 0)
			return true;
	return false;
}

static int
refuse(struct core_ctx *cx, const char *why)
{
	verrs_add(&cx->errs, "password", "%s", why);
	return core_fail(cx, CRM_EINVAL, "%s", why);
}

/* Words of the name (3 bytes or more) found in the password. */
static bool
has_name_word(const char *password, const char *name)
{
	const char *p = name;

	while (*p != '\0') {
		size_t n;

		while (*p != '\0' && (isspace((unsigned char)*p) || *p == '-' ||
		    *p == '.' || *p == '\''))
			p++;
		n = strcspn(p, " \t-.'");
		if (n >= 3 && contains_ci(password, p, n))
			return true;
		p += n;
	}
	return false;
}

/* Whether s is one shorter piece said over and over ("abcabcabcabc"). */
static bool
is_repetition(const char *s, size_t len)
{
	for (size_t p = 1; p <= len / 2; p++) {
		size_t i;

		if (len % p != 0)
			continue;
		for (i = p; i < len && s[i] == s[i - p]; i++)
			;
		if (i == len)
			return true;
	}
	return false;
}

/*
 * Whether at least half of the neighbouring characters of s step by one
 * ("abcdef", "98765"): cracklib's "systematic" idea, kept for long
 * passwords (see password_policy_check).
 */
static bool
is_sequence(const char *s, size_t len)
{
	size_t steps = 0;

	for (size_t i = 1; i < len; i++) {
		int d = (unsigned char)s[i] - (unsigned char)s[i - 1];

		if (d == 1 || d == -1)
			steps++;
	}
	return len > 1 && steps * 2 >= len - 1;
}

/* Whether s is ASCII letters only. */
static bool
all_letters(const char *s)
{
	for (; *s; s++)
		if (!isalpha((unsigned char)*s))
			return false;
	return true;
}

/* The password without digits and signs around it; returns its length. */
static size_t
core_word(const char *s, char *out, size_t outlen)
{
	size_t a = 0, b = strlen(s);

	while (a < b && !isalpha((unsigned char)s[a]))
		a++;
	while (b > a && !isalpha((unsigned char)s[b - 1]))
		b--;
	if (b - a >= outlen || (a == 0 && s[b] == '\0'))
		return 0;	/* nothing around it: already judged whole */
	memcpy(out, s + a, b - a);
	out[b - a] = '\0';
	return b - a;
}

/*
 * libpwquality's verdict on pw with a minimum length: its score (>= 0) or
 * a PWQ_ERROR_* code, the reason in why. Serialised: see the top.
 */
static int
pwq_score(const char *pw, int minlen, char *why, size_t whylen)
{
	pwquality_settings_t *set = pwquality_default_settings();
	char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
	void *aux = NULL;
	int score;

	why[0] = '\0';
	if (set == NULL)
		return PWQ_ERROR_MEM_ALLOC;
	if (pwquality_set_int_value(set, PWQ_SETTING_MIN_LENGTH, minlen) != 0 ||
	    pwquality_set_int_value(set, PWQ_SETTING_DIG_CREDIT, 0) != 0 ||
	    pwquality_set_int_value(set, PWQ_SETTING_UP_CREDIT, 0) != 0 ||
	    pwquality_set_int_value(set, PWQ_SETTING_LOW_CREDIT, 0) != 0 ||
	    pwquality_set_int_value(set, PWQ_SETTING_OTH_CREDIT, 0) != 0 ||
	    pwquality_set_int_value(set, PWQ_SETTING_DICT_CHECK, 1) != 0) {
		pwquality_free_settings(set);
		return PWQ_ERROR_MEM_ALLOC;
	}
	pthread_mutex_lock(&dict_mu);
	score = pwquality_check(set, pw, NULL, NULL, &aux);
	if (score < 0) {
		const char *m = pwquality_strerror(buf, sizeof(buf), score, aux);

		snprintf(why, whylen, "%s", m != NULL ? m : "");
	}
	pthread_mutex_unlock(&dict_mu);
	pwquality_free_settings(set);
	return score;
}

int
password_policy_check(struct core_ctx *cx, const char *password,
    const char *email, const char *name)
{
	size_t len = strlen(password), local = strcspn(email, "@");
	char why[PWQ_MAX_ERROR_MESSAGE_LEN], buf[PWQ_MAX_ERROR_MESSAGE_LEN];
	char word[USER_PASSWORD_MAX + 1];
	int score;

	if (len < USER_PASSWORD_MIN)
		return refuse(cx, "The password is too short: use at least 10 "
		    "characters; a few unrelated words make a good one");
	if (len > USER_PASSWORD_MAX)
		return refuse(cx, "The password is too long: use at most 1024 "
		    "characters");
	if (local >= 3 && contains_ci(password, email, local))
		return refuse(cx, "The password contains your email address; "
		    "choose one that has nothing to do with your account");
	if (has_name_word(password, name))
		return refuse(cx, "The password contains your name; choose one "
		    "that has nothing to do with your account");
	if (is_repetition(password, len))
		return refuse(cx, "The password only repeats a shorter piece; use "
		    "a few unrelated words instead");
	/*
	 * From PASSWORD_LONG characters on, length carries the strength and
	 * cracklib's verdict on the whole is not asked: it refused about one
	 * in seven random 32-character strings from a password manager as
	 * "too simplistic/systematic" (any run of neighbouring letters or
	 * digits such as "56" or "cd" counts against it). A long run of steps
	 * is still refused, and a common word inside ("1234567890password!")
	 * is still judged below when the part inside is letters only.
	 */
	if (len >= PASSWORD_LONG) {
		if (is_sequence(password, len))
			return refuse(cx, "The password is a simple sequence of "
			    "characters; use a few unrelated words instead");
		score = 0;
	} else
		score = pwq_score(password, USER_PASSWORD_MIN, why, sizeof(why));
	/*
	 * cracklib forgives a common word with digits or signs around it
	 * ("password1234"): the word inside is judged too.
	 */
	if (score >= 0 && core_word(password, word, sizeof(word)) >= 6 &&
	    (len < PASSWORD_LONG || all_letters(word)) &&
	    pwq_score(word, 6, buf, sizeof(buf)) == PWQ_ERROR_CRACKLIB_CHECK)
		score = PWQ_ERROR_CRACKLIB_CHECK;
	if (score >= 0)
		return CRM_OK;
	if (score == PWQ_ERROR_CRACKLIB_CHECK)
		return refuse(cx, "The password is a dictionary word or a common "
		    "password and would be guessed quickly; use a few unrelated "
		    "words, or a longer phrase");
	if (score == PWQ_ERROR_MEM_ALLOC)
		return core_fail(cx, CRM_EDB, "Out of memory checking the password");
	if (why[0] == '\0')
		snprintf(why, sizeof(why), "it is too simple");
	verrs_add(&cx->errs, "password", "The password is too weak (%s); use a "
	    "longer phrase of unrelated words", why);
	return core_fail(cx, CRM_EINVAL, "The password is too weak (%s); use a "
	    "longer phrase of unrelated words", why);
}
