/* Importing an existing private key into the token as a sensitive,
 * non-extractable object (with its public key object). The key material
 * is cleansed as soon as the token has it. */
#include "autoconf.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/rand.h>

#include "core/secret.h"
#include "keystore/ks_internal.h"

#define KEY_ID_LEN  20
#define N_RSA_PARTS 8

typedef struct bin {
    unsigned char *p;
    size_t n;
} bin;

typedef struct import {
    CK_KEY_TYPE type;
    unsigned char id[KEY_ID_LEN];
    unsigned char ec_params[64];
    size_t ec_params_len;
    unsigned char *ec_point;
    size_t ec_point_len;
    bin parts[N_RSA_PARTS]; /* RSA: n e d p q dp dq qinv; EC: parts[0] = scalar */
} import;

static void import_free(import *im)
{
    size_t i;

    for (i = 0; i < N_RSA_PARTS; i++)
        ir_secret_free(im->parts[i].p, im->parts[i].n);
    OPENSSL_free(im->ec_point);
}

static int bn_part(const EVP_PKEY *pk, const char *name, bin *out, size_t pad)
{
    BIGNUM *bn = NULL;
    int n, ok;

    if (!EVP_PKEY_get_bn_param(pk, name, &bn))
        return 0;
    n = BN_num_bytes(bn);
    out->n = pad > (size_t)n ? pad : (size_t)n;
    out->p = OPENSSL_zalloc(out->n);
    ok = out->p != NULL && BN_bn2binpad(bn, out->p, (int)out->n) == (int)out->n;
    BN_clear_free(bn);
    return ok;
}

static int ec_parts(const EVP_PKEY *pk, import *im)
{
    char group[64];
    ASN1_OBJECT *oid;
    unsigned char *p = im->ec_params;
    int len;

    if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL))
        return 0;
    if (strcmp(group, "prime256v1") != 0 && strcmp(group, "secp384r1") != 0 &&
        strcmp(group, "P-256") != 0 && strcmp(group, "P-384") != 0)
        return 0;
    oid = OBJ_txt2obj(group[0] == 'P' ? (group[2] == '2' ? "prime256v1" : "secp384r1") : group, 0);
    len = oid != NULL ? i2d_ASN1_OBJECT(oid, &p) : -1;
    ASN1_OBJECT_free(oid);
    if (len <= 0)
        return 0;
    im->ec_params_len = (size_t)len;
    im->ec_point_len = EVP_PKEY_get1_encoded_public_key((EVP_PKEY *)pk, &im->ec_point);
    return im->ec_point_len > 0 &&
           bn_part(pk, OSSL_PKEY_PARAM_PRIV_KEY, &im->parts[0], (EVP_PKEY_get_bits(pk) + 7) / 8);
}

static int rsa_parts(const EVP_PKEY *pk, import *im)
{
    static const char *const names[N_RSA_PARTS] = {
        OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
    };
    int bits = EVP_PKEY_get_bits(pk);
    size_t i;

    if (bits < 2048 || bits > 4096)
        return 0;
    for (i = 0; i < N_RSA_PARTS; i++)
        if (!bn_part(pk, names[i], &im->parts[i], 0))
            return 0;
    return 1;
}

static ir_rc extract(EVP_PKEY *pk, import *im, ir_err *err)
{
    int ok = 0;

    if (EVP_PKEY_is_a(pk, "EC")) {
        im->type = CKK_EC;
        ok = ec_parts(pk, im);
    } else if (EVP_PKEY_is_a(pk, "RSA")) {
        im->type = CKK_RSA;
        ok = rsa_parts(pk, im);
    }
    if (!ok)
        return ks_fail(err, IR_ERR_UNSUPPORTED, IR_KS_R_UNSUPPORTED_KEY, CKR_OK,
                       "the key to import is not an EC P-256/P-384 or RSA 2048..4096 private "
                       "key with all its components");
    if (RAND_bytes(im->id, sizeof(im->id)) != 1)
        return ks_fail(err, IR_ERR_CRYPTO, IR_KS_R_PKCS11, CKR_OK, "no random bytes for CKA_ID");
    return IR_OK;
}

static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

static CK_ULONG private_template(const import *im, const char *label, CK_OBJECT_CLASS *cls,
                                 CK_ATTRIBUTE *t)
{
    static const CK_ATTRIBUTE_TYPE rsa_types[N_RSA_PARTS] = {
        CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
        CKA_PRIME_2, CKA_EXPONENT_1,      CKA_EXPONENT_2,       CKA_COEFFICIENT,
    };
    CK_ULONG n = 0;
    size_t i;

    t[n++] = KS_ATTR(CKA_CLASS, cls, sizeof(*cls));
    t[n++] = KS_ATTR(CKA_KEY_TYPE, &im->type, sizeof(im->type));
    t[n++] = KS_ATTR(CKA_TOKEN, &yes, sizeof(yes));
    t[n++] = KS_ATTR(CKA_PRIVATE, &yes, sizeof(yes));
    t[n++] = KS_ATTR(CKA_SENSITIVE, &yes, sizeof(yes));
    t[n++] = KS_ATTR(CKA_EXTRACTABLE, &no, sizeof(no));
    t[n++] = KS_ATTR(CKA_SIGN, &yes, sizeof(yes));
    t[n++] = KS_ATTR(CKA_LABEL, label, strlen(label));
    t[n++] = KS_ATTR(CKA_ID, im->id, sizeof(im->id));
    if (im->type == CKK_EC) {
        t[n++] = KS_ATTR(CKA_EC_PARAMS, im->ec_params, im->ec_params_len);
        t[n++] = KS_ATTR(CKA_VALUE, im->parts[0].p, im->parts[0].n);
        return n;
    }
    for (i = 0; i < N_RSA_PARTS; i++)
        t[n++] = KS_ATTR(rsa_types[i], im->parts[i].p, im->parts[i].n);
    return n;
}

/* CKA_EC_POINT holds the point wrapped in a DER OCTET STRING. */
static CK_ULONG public_template(const import *im, const char *label, CK_OBJECT_CLASS *cls,
                                unsigned char *point_der, size_t der_size, CK_ATTRIBUTE *t)
{
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    unsigned char *p = point_der;
    CK_ULONG n = 0;
    int len = -1;

    t[n++] = KS_ATTR(CKA_CLASS, cls, sizeof(*cls));
    t[n++] = KS_ATTR(CKA_KEY_TYPE, &im->type, sizeof(im->type));
    t[n++] = KS_ATTR(CKA_TOKEN, &yes, sizeof(yes));
    t[n++] = KS_ATTR(CKA_PRIVATE, &no, sizeof(no));
    t[n++] = KS_ATTR(CKA_VERIFY, &yes, sizeof(yes));
    t[n++] = KS_ATTR(CKA_LABEL, label, strlen(label));
    t[n++] = KS_ATTR(CKA_ID, im->id, sizeof(im->id));
    if (im->type == CKK_RSA) {
        t[n++] = KS_ATTR(CKA_MODULUS, im->parts[0].p, im->parts[0].n);
        t[n++] = KS_ATTR(CKA_PUBLIC_EXPONENT, im->parts[1].p, im->parts[1].n);
    } else if (os != NULL && ASN1_OCTET_STRING_set(os, im->ec_point, (int)im->ec_point_len) &&
               (len = i2d_ASN1_OCTET_STRING(os, NULL)) > 0 && (size_t)len <= der_size) {
        len = i2d_ASN1_OCTET_STRING(os, &p);
        t[n++] = KS_ATTR(CKA_EC_PARAMS, im->ec_params, im->ec_params_len);
        t[n++] = KS_ATTR(CKA_EC_POINT, point_der, (CK_ULONG)len);
    } else {
        n = 0;
    }
    ASN1_OCTET_STRING_free(os);
    return n;
}

static ir_rc create_pair(ir_keystore *ks, const char *label, const import *im, ir_err *err)
{
    CK_OBJECT_CLASS priv_cls = CKO_PRIVATE_KEY, pub_cls = CKO_PUBLIC_KEY;
    CK_ATTRIBUTE priv[20], pub[12];
    unsigned char point_der[256];
    CK_ULONG n_priv = private_template(im, label, &priv_cls, priv);
    CK_ULONG n_pub = public_template(im, label, &pub_cls, point_der, sizeof(point_der), pub);
    ir_rc rc;

    if (n_pub == 0)
        return ks_fail(err, IR_ERR_CRYPTO, IR_KS_R_UNSUPPORTED_KEY, CKR_OK,
                       "cannot encode the public point of the key to import");
    rc = ks_create_object(ks, pub, n_pub, NULL, err);
    if (rc != IR_OK)
        return rc;
    rc = ks_create_object(ks, priv, n_priv, NULL, err);
    if (rc != IR_OK)
        ir_ks_destroy(ks, CKO_PUBLIC_KEY, label, NULL, NULL);
    return rc;
}

ir_rc ir_ks_import_key(ir_keystore *ks, const char *label, EVP_PKEY *pkey, ir_err *err)
{
import im;
    bool exists = false;
    ir_rc rc;

    memset(&im, 0, sizeof(im));
    rc = ir_ks_exists(ks, CKO_PRIVATE_KEY, label, &exists, err);
    if (rc == IR_OK && exists)
        rc =
            ks_fail(err, IR_ERR_EXISTS, IR_KS_R_OBJECT_EXISTS, CKR_OK,
                    "token '%s' already holds a private key labelled '%s'", ks->token_label, label);
    if (rc == IR_OK)
        rc = extract(pkey, &im, err);
    if (rc == IR_OK)
        rc = create_pair(ks, label, &im, err);
    import_free(&im);
    return rc;
}
