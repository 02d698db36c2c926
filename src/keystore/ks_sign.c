/* Signing with a token key on a pooled session: ECDSA, RSA PKCS#1 v1.5 and
 * PSS, and the HMAC of the AWS secret. */
#include "config.h"

#include "keystore/ks_internal.h"

static void forget_handle(ir_keystore *ks, ir_ks_objref *ref)
{
    pthread_mutex_lock(&ks->lock);
    ref->generation = 0;
    pthread_mutex_unlock(&ks->lock);
}

static bool stale_handle(CK_RV rv)
{
    return rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID;
}

/* C_SignInit with the cached handle, looking the key up again when the
 * handle went stale (the object was replaced by another process). */
static ir_rc sign_init(ir_keystore *ks, CK_SESSION_HANDLE s, ir_ks_objref *key, CK_MECHANISM *mech,
                       ir_err *err)
{
    CK_OBJECT_HANDLE h;
    CK_RV rv;
    int attempt;
    ir_rc rc;

    for (attempt = 0; attempt < 2; attempt++) {
        rc = ks_objref_resolve_with(ks, s, key, &h, err);
        if (rc != IR_OK)
            return rc;
        rv = ks->p11->C_SignInit(s, mech, h);
        if (rv == CKR_OK)
            return IR_OK;
        if (!stale_handle(rv))
            break;
        forget_handle(ks, key);
    }
    return ks_fail_rv(err, rv, "C_SignInit");
}

ir_rc ir_ks_sign(ir_keystore *ks, ir_ks_objref *key, CK_MECHANISM *mech, const unsigned char *in,
                 size_t inlen, unsigned char *sig, size_t *siglen, ir_err *err)
{
    CK_SESSION_HANDLE s;
    CK_ULONG len = *siglen;
    CK_RV rv;
    ir_rc rc = ir_ks_session_get(ks, &s, err);

    if (rc != IR_OK)
        return rc;
    rc = sign_init(ks, s, key, mech, err);
    if (rc == IR_OK) {
        rv = ks->p11->C_Sign(s, (CK_BYTE *)in, inlen, sig, &len);
        if (rv != CKR_OK)
            rc = ks_fail_rv(err, rv, "C_Sign");
        else
            *siglen = len;
    }
    ir_ks_session_put(ks, s, rc != IR_OK);
    return rc;
}
