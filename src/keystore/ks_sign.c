/* Signing with a token key on a pooled session: ECDSA, RSA PKCS#1 v1.5 and
 * PSS, and the HMAC of the AWS secret; and signatures of a digest in the
 * form X.509 carries them, for iotregctl's own certificates. */
#include "autoconf.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "keystore/ks_internal.h"

#define KS_ECDSA_RAW_MAX 132 /* r||s of P-521, the largest curve a token could hand us */

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

bool ir_ks_ecdsa_sig_der(const unsigned char *raw, size_t len, unsigned char *sig, size_t *siglen,
                         size_t sigsize)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = len > 0 && len % 2 == 0 ? BN_bin2bn(raw, (int)(len / 2), NULL) : NULL;
    BIGNUM *sv = r != NULL ? BN_bin2bn(raw + len / 2, (int)(len / 2), NULL) : NULL;
    unsigned char *p = sig;
    int n = -1;

    if (s != NULL && r != NULL && sv != NULL && ECDSA_SIG_set0(s, r, sv)) {
        r = sv = NULL; /* owned by s */
        n = i2d_ECDSA_SIG(s, NULL);
        n = n > 0 && (size_t)n <= sigsize ? i2d_ECDSA_SIG(s, &p) : -1;
    }
    BN_free(r);
    BN_free(sv);
    ECDSA_SIG_free(s);
    if (n <= 0)
        return false;
    *siglen = (size_t)n;
    return true;
}

/* CKM_ECDSA over the digest, r||s made a DER ECDSA-Sig-Value. */
static ir_rc sign_ecdsa(ir_keystore *ks, ir_ks_objref *key, const unsigned char *dgst, size_t dlen,
                        unsigned char *sig, size_t *siglen, ir_err *err)
{
    CK_MECHANISM mech = {CKM_ECDSA, NULL, 0};
    unsigned char raw[KS_ECDSA_RAW_MAX];
    size_t rawlen = sizeof(raw);
    ir_rc rc = ir_ks_sign(ks, key, &mech, dgst, dlen, raw, &rawlen, err);

    if (rc == IR_OK && !ir_ks_ecdsa_sig_der(raw, rawlen, sig, siglen, *siglen))
        rc = ks_fail(err, IR_ERR_CRYPTO, IR_KS_R_PKCS11, CKR_OK,
                     "the token's ECDSA signature (%zu bytes) is not r||s", rawlen);
    OPENSSL_cleanse(raw, sizeof(raw));
    return rc;
}

/* PKCS#1 wants explicit NULL parameters, whatever the digest's flags say. */
int ir_ks_rsa_digest_info(const EVP_MD *md, const unsigned char *dgst, size_t dlen,
                          unsigned char **der)
{
    X509_SIG *di = X509_SIG_new();
    X509_ALGOR *alg = NULL;
    ASN1_OCTET_STRING *digest = NULL;
    int len = -1;

    if (di != NULL) {
        X509_SIG_getm(di, &alg, &digest);
        if (X509_ALGOR_set0(alg, OBJ_nid2obj(EVP_MD_get_type(md)), V_ASN1_NULL, NULL) &&
            ASN1_OCTET_STRING_set(digest, dgst, (int)dlen))
            len = i2d_X509_SIG(di, der);
    }
    X509_SIG_free(di);
    return len;
}

static ir_rc sign_rsa_pkcs1(ir_keystore *ks, ir_ks_objref *key, const EVP_MD *md,
                            const unsigned char *dgst, size_t dlen, unsigned char *sig,
                            size_t *siglen, ir_err *err)
{
    CK_MECHANISM mech = {CKM_RSA_PKCS, NULL, 0};
    unsigned char *di = NULL;
    int dilen = ir_ks_rsa_digest_info(md, dgst, dlen, &di);
    ir_rc rc = dilen > 0 ? ir_ks_sign(ks, key, &mech, di, (size_t)dilen, sig, siglen, err)
                         : ir_err_set(err, IR_ERR_NOMEM, "cannot encode the DigestInfo");

    OPENSSL_free(di);
    return rc;
}

ir_rc ir_ks_sign_digest(ir_keystore *ks, const char *label, const EVP_MD *md,
                        const unsigned char *dgst, size_t dlen, unsigned char *sig, size_t *siglen,
                        ir_err *err)
{
    ir_ks_objref key;
    CK_KEY_TYPE type;
    ir_rc rc = ir_ks_objref_init(&key, CKO_PRIVATE_KEY, label, err);

    if (rc == IR_OK)
        rc = ir_ks_key_type(ks, CKO_PRIVATE_KEY, label, &type, err);
    if (rc != IR_OK)
        return rc;
    if (type == CKK_EC)
        return sign_ecdsa(ks, &key, dgst, dlen, sig, siglen, err);
    if (type == CKK_RSA)
        return sign_rsa_pkcs1(ks, &key, md, dgst, dlen, sig, siglen, err);
    return ks_fail(err, IR_ERR_UNSUPPORTED, IR_KS_R_UNSUPPORTED_KEY, CKR_OK,
                   "'%s' is neither an EC nor an RSA key", label);
}
