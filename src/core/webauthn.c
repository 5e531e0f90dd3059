/* WebAuthn: see core/webauthn.h. */
#include "core/webauthn.h"

int
webauthn_check_assertion(struct core_ctx *cx, const struct twofa_rp *rp,
    int64_t user_id, json_t *assertion)
{
	(void)rp;
	(void)user_id;
	(void)assertion;
	return core_fail(cx, CRM_EBADQUERY, "Security keys are not supported yet");
}

int
twofa_webauthn_register_options(struct core_ctx *cx,
    const struct twofa_rp *rp, json_t **out)
{
	(void)rp;
	(void)out;
	return core_fail(cx, CRM_EBADQUERY, "Security keys are not supported yet");
}

int
twofa_webauthn_register_finish(struct core_ctx *cx,
    const struct twofa_rp *rp, const char *session, json_t *credential,
    const char *name, json_t **out)
{
	(void)rp; (void)session; (void)credential; (void)name; (void)out;
	return core_fail(cx, CRM_EBADQUERY, "Security keys are not supported yet");
}

int
twofa_webauthn_assert_options(struct core_ctx *cx,
    const struct twofa_rp *rp, json_t **out)
{
	(void)rp;
	(void)out;
	return core_fail(cx, CRM_EBADQUERY, "Security keys are not supported yet");
}

int
twofa_webauthn_rename(struct core_ctx *cx, int64_t id, const char *name,
    json_t **out)
{
	(void)id; (void)name; (void)out;
	return core_fail(cx, CRM_ENOTFOUND, "No such key");
}

int
twofa_webauthn_delete(struct core_ctx *cx, int64_t id)
{
	(void)id;
	return core_fail(cx, CRM_ENOTFOUND, "No such key");
}
