/*
 * The password policy, applied wherever a password is set (crm init, crm
 * user add/passwd, changing one's own password): USER_PASSWORD_MIN to
 * USER_PASSWORD_MAX bytes, not a dictionary word or common password
 * (libpwquality with its cracklib dictionary, system configuration files
 * not read, so every server judges alike), and not containing the
 * account's email (its local part) or a word of its name.
 */
#ifndef CORE_PASSWORD_POLICY_H
#define CORE_PASSWORD_POLICY_H

#include "core/core.h"

/*
 * CRM_OK when password may be used by the account (email, name; either may
 * be ""); else CRM_EINVAL with one cx->errs entry for "password" and a
 * detail that says why and how to choose a better one.
 */
int password_policy_check(struct core_ctx *cx, const char *password,
    const char *email, const char *name);

#endif
