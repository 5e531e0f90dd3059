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

int
password_policy_check(struct core_ctx *cx, const char *password,
    const char *email, const char *name)
{
	pwquality_settings_t *pw;
	void *aux = NULL;
	size_t len = strlen(password), local = strcspn(email, "@");
	char why[PWQ_MAX_ERROR_MESSAGE_LEN], buf[PWQ_MAX_ERROR_MESSAGE_LEN];
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
	pw = pwquality_default_settings();
	if (pw == NULL)
		return core_fail(cx, CRM_EDB, "Out of memory checking the password");
	if (pwquality_set_int_value(pw, PWQ_SETTING_MIN_LENGTH,
	    USER_PASSWORD_MIN) != 0 ||
	    pwquality_set_int_value(pw, PWQ_SETTING_DIG_CREDIT, 0) != 0 ||
	    pwquality_set_int_value(pw, PWQ_SETTING_UP_CREDIT, 0) != 0 ||
	    pwquality_set_int_value(pw, PWQ_SETTING_LOW_CREDIT, 0) != 0 ||
	    pwquality_set_int_value(pw, PWQ_SETTING_OTH_CREDIT, 0) != 0 ||
	    pwquality_set_int_value(pw, PWQ_SETTING_DICT_CHECK, 1) != 0) {
		pwquality_free_settings(pw);
		return core_fail(cx, CRM_EDB, "The password checker cannot be set up");
	}
	pthread_mutex_lock(&dict_mu);
	score = pwquality_check(pw, password, NULL, NULL, &aux);
	why[0] = '\0';
	if (score < 0) {
		const char *m = pwquality_strerror(buf, sizeof(buf), score, aux);

		snprintf(why, sizeof(why), "%s", m != NULL ? m : "");
	}
	pthread_mutex_unlock(&dict_mu);
	pwquality_free_settings(pw);
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
