/* The public half of a token key as an EVP_PKEY: from the public key object,
 * else the private key's RSA modulus and exponent, else the certificate. */
#include "autoconf.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "keystore/ks_internal.h"

#define PUB_ATTR_MAX 2048

static ir_rc pkey_failed(ir_err *err, const char *label, const char *what)
{
    return ks_fail(err, IR_ERR_CRYPTO, IR_KS_R_UNSUPPORTED_KEY, CKR_OK,
                   "cannot build the public key of '%s' from the token: %s", label, what);
}

static ir_rc fromdata(OSSL_LIB_CTX *libctx, const char *propq, const char *type,
                      OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(libctx, type, propq);
    int ok = params != NULL && ctx != NULL && EVP_PKEY_fromdata_init(ctx) > 0 &&
             EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) > 0;

    OSSL_PARAM_free(params);
    EVP_PKEY_CTX_free(ctx);
    return ok ? IR_OK : IR_ERR_CRYPTO;
}

/* CKA_EC_POINT is a DER OCTET STRING around the point; some modules give
 * the bare point. */
static ir_rc ec_point_octets(const ir_buf *attr, const unsigned char **pt, size_t *len)
{
    const unsigned char *p = attr->data;
    ASN1_OCTET_STRING *os = d2i_ASN1_OCTET_STRING(NULL, &p, (long)attr->len);
    size_t inner;

    if (os != NULL && p == attr->data + attr->len) {
        inner = (size_t)ASN1_STRING_length(os);
        ASN1_OCTET_STRING_free(os);
        if (inner % 2 == 1 && attr->len > inner) {
            *pt = attr->data + (attr->len - inner);
            *len = inner;
            return IR_OK;
        }
    } else {
        ASN1_OCTET_STRING_free(os);
    }
    *pt = attr->data;
    *len = attr->len;
    return attr->len > 0 ? IR_OK : IR_ERR_PARSE;
}

static ir_rc ec_from_attrs(const ir_buf *params, const ir_buf *point, OSSL_LIB_CTX *libctx,
                           const char *propq, EVP_PKEY **out)
{
    const unsigned char *p = params->data, *pt;
    ASN1_OBJECT *oid = d2i_ASN1_OBJECT(NULL, &p, (long)params->len);
    int nid = oid != NULL ? OBJ_obj2nid(oid) : NID_undef;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    size_t ptlen;
    ir_rc rc = IR_ERR_CRYPTO;

    ASN1_OBJECT_free(oid);
    if (bld != NULL && nid != NID_undef && ec_point_octets(point, &pt, &ptlen) == IR_OK &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, OBJ_nid2sn(nid), 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, ptlen))
        rc = fromdata(libctx, propq, "EC", bld, out);
    OSSL_PARAM_BLD_free(bld);
    return rc;
}

static ir_rc rsa_from_attrs(const ir_buf *n, const ir_buf *e, OSSL_LIB_CTX *libctx,
                            const char *propq, EVP_PKEY **out)
{
    BIGNUM *bn_n = BN_bin2bn(n->data, (int)n->len, NULL);
    BIGNUM *bn_e = BN_bin2bn(e->data, (int)e->len, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    ir_rc rc = IR_ERR_CRYPTO;

    if (bld != NULL && bn_n != NULL && bn_e != NULL &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
        rc = fromdata(libctx, propq, "RSA", bld, out);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    return rc;
}

static ir_rc key_type(ir_keystore *ks, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, CK_KEY_TYPE *t,
                      ir_err *err)
{
    CK_ATTRIBUTE a = KS_ATTR(CKA_KEY_TYPE, t, sizeof(*t));
    CK_RV rv = ks->p11->C_GetAttributeValue(s, h, &a, 1);

    return rv == CKR_OK ? IR_OK : ks_fail_rv(err, rv, "C_GetAttributeValue(CKA_KEY_TYPE)");
}

ir_rc ir_ks_key_type(ir_keystore *ks, CK_OBJECT_CLASS cls, const char *label, CK_KEY_TYPE *out,
                     ir_err *err)
{
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE h;
    ir_rc rc = ir_ks_session_get(ks, &s, err);

    if (rc != IR_OK)
        return rc;
    rc = ir_ks_find(ks, s, cls, label, NULL, &h, err);
    if (rc == IR_OK)
        rc = key_type(ks, s, h, out, err);
    ir_ks_session_put(ks, s, false);
    return rc;
}

/* From a key object (public, or an RSA private key). IR_ERR_NOT_FOUND when
 * the object cannot give it (an EC private key). */
static ir_rc from_key_object(ir_keystore *ks, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h,
                             bool is_private, OSSL_LIB_CTX *libctx, const char *propq,
                             EVP_PKEY **out, ir_err *err)
{
    CK_KEY_TYPE t;
    ir_buf a, b;
    ir_rc rc = key_type(ks, s, h, &t, err);

    if (rc != IR_OK)
        return rc;
    if (t == CKK_EC && is_private)
        return IR_ERR_NOT_FOUND;
    if (t != CKK_EC && t != CKK_RSA)
        return ks_fail(err, IR_ERR_UNSUPPORTED, IR_KS_R_UNSUPPORTED_KEY, CKR_OK,
                       "key type 0x%lx is neither EC nor RSA", t);
    ir_buf_init(&a, PUB_ATTR_MAX);
    ir_buf_init(&b, PUB_ATTR_MAX);
    rc = ir_ks_get_attr(ks, s, h, t == CKK_EC ? CKA_EC_PARAMS : CKA_MODULUS, &a, err);
    if (rc == IR_OK)
        rc = ir_ks_get_attr(ks, s, h, t == CKK_EC ? CKA_EC_POINT : CKA_PUBLIC_EXPONENT, &b, err);
    if (rc == IR_OK)
        rc = t == CKK_EC ? ec_from_attrs(&a, &b, libctx, propq, out)
                         : rsa_from_attrs(&a, &b, libctx, propq, out);
    ir_buf_free(&a);
    ir_buf_free(&b);
    return rc;
}

static ir_rc from_cert(ir_keystore *ks, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h,
                       OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY **out, ir_err *err)
{
    ir_buf der;
    const unsigned char *p;
    unsigned char *spki = NULL;
    X509 *x;
    int len;
    ir_rc rc;

    ir_buf_init(&der, KS_ATTR_MAX);
    rc = ir_ks_get_attr(ks, s, h, CKA_VALUE, &der, err);
    p = der.data;
    x = rc == IR_OK ? d2i_X509(NULL, &p, (long)der.len) : NULL;
    len = x != NULL ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki) : -1;
    p = spki;
    if (rc == IR_OK)
        rc = len > 0 && (*out = d2i_PUBKEY_ex(NULL, &p, len, libctx, propq)) != NULL
                 ? IR_OK
                 : IR_ERR_CRYPTO;
    OPENSSL_free(spki);
    X509_free(x);
    ir_buf_free(&der);
    return rc;
}

static ir_rc try_class(ir_keystore *ks, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const char *label,
                       OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY **out, ir_err *err)
{
    CK_OBJECT_HANDLE h;
    ir_rc rc = ir_ks_find(ks, s, cls, label, NULL, &h, err);

    if (rc != IR_OK)
        return rc;
    if (cls == CKO_CERTIFICATE)
        return from_cert(ks, s, h, libctx, propq, out, err);
    return from_key_object(ks, s, h, cls == CKO_PRIVATE_KEY, libctx, propq, out, err);
}

ir_rc ir_ks_public_key(ir_keystore *ks, const char *label, OSSL_LIB_CTX *libctx, const char *propq,
                       EVP_PKEY **out, ir_err *err)
{
    static const CK_OBJECT_CLASS order[] = {CKO_PUBLIC_KEY, CKO_PRIVATE_KEY, CKO_CERTIFICATE};
    CK_SESSION_HANDLE s;
    size_t i;
    ir_rc rc = ir_ks_session_get(ks, &s, err);

    *out = NULL;
    if (rc != IR_OK)
        return rc;
    for (i = 0, rc = IR_ERR_NOT_FOUND; i < 3 && rc == IR_ERR_NOT_FOUND; i++)
        rc = try_class(ks, s, order[i], label, libctx, propq, out, err);
    ir_ks_session_put(ks, s, false);
    if (rc == IR_ERR_NOT_FOUND)
        return ks_fail(err, IR_ERR_NOT_FOUND, IR_KS_R_OBJECT_NOT_FOUND, CKR_OK,
                       "no public key, RSA private key or certificate labelled '%s' in token "
                       "'%s' gives the public key",
                       label, ks->token_label);
    if (rc == IR_ERR_CRYPTO)
        return pkey_failed(err, label, "the token's attributes are not a valid EC or RSA key");
    return rc;
}
