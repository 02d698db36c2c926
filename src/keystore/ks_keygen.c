/* Key pairs generated inside the token: the private key is sensitive and
 * never extractable. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/rand.h>

#include "keystore/ks_internal.h"

#define KEY_ID_LEN 20

ir_rc ir_ks_parse_key_spec(const char *spec, CK_KEY_TYPE *type, unsigned long *bits,
                           const char **curve, ir_err *err)
{
    static const struct {
        const char *spec;
        CK_KEY_TYPE type;
        unsigned long bits;
        const char *curve;
    } specs[] = {
        {"ec:P-256", CKK_EC, 256, "prime256v1"}, {"ec:P-384", CKK_EC, 384, "secp384r1"},
        {"rsa:2048", CKK_RSA, 2048, NULL},       {"rsa:3072", CKK_RSA, 3072, NULL},
        {"rsa:4096", CKK_RSA, 4096, NULL},
    };
    size_t i;

    for (i = 0; spec != NULL && i < sizeof(specs) / sizeof(specs[0]); i++)
        if (strcmp(spec, specs[i].spec) == 0) {
            *type = specs[i].type;
            *bits = specs[i].bits;
            *curve = specs[i].curve;
            return IR_OK;
        }
    return ks_fail(err, IR_ERR_INVALID_ARG, IR_KS_R_UNSUPPORTED_KEY, CKR_OK,
                   "unsupported key '%s': use ec:P-256, ec:P-384, rsa:2048, rsa:3072 or rsa:4096",
                   spec != NULL ? spec : "");
}

/* The DER OID of a named curve, for CKA_EC_PARAMS. */
static int curve_params(const char *curve, unsigned char *out, size_t size)
{
    ASN1_OBJECT *oid = OBJ_txt2obj(curve, 0);
    unsigned char *p = out;
    int len = oid != NULL ? i2d_ASN1_OBJECT(oid, NULL) : -1;

    if (len > 0 && (size_t)len <= size)
        len = i2d_ASN1_OBJECT(oid, &p);
    else
        len = -1;
    ASN1_OBJECT_free(oid);
    return len;
}

static ir_rc refuse_existing(ir_keystore *ks, const char *label, ir_err *err)
{
    bool exists = false;
    ir_rc rc = ir_ks_exists(ks, CKO_PRIVATE_KEY, label, &exists, err);

    if (rc == IR_OK && exists)
        return ks_fail(err, IR_ERR_EXISTS, IR_KS_R_OBJECT_EXISTS, CKR_OK,
                       "token '%s' already holds a private key labelled '%s'; choose another "
                       "name or delete the old key first",
                       ks->token_label, label);
    return rc;
}

typedef struct keygen {
    CK_MECHANISM mech;
    CK_ATTRIBUTE pub[8];
    CK_ULONG n_pub;
    CK_ATTRIBUTE priv[10];
    CK_ULONG n_priv;
} keygen;

static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static const CK_BYTE rsa_f4[] = {0x01, 0x00, 0x01};

/* Attributes every generated pair has. */
static void common_attrs(keygen *g, const char *label, const unsigned char *id)
{
    g->pub[g->n_pub++] = KS_ATTR(CKA_TOKEN, &yes, sizeof(yes));
    g->pub[g->n_pub++] = KS_ATTR(CKA_PRIVATE, &no, sizeof(no));
    g->pub[g->n_pub++] = KS_ATTR(CKA_VERIFY, &yes, sizeof(yes));
    g->pub[g->n_pub++] = KS_ATTR(CKA_LABEL, label, strlen(label));
    g->pub[g->n_pub++] = KS_ATTR(CKA_ID, id, KEY_ID_LEN);
    g->priv[g->n_priv++] = KS_ATTR(CKA_TOKEN, &yes, sizeof(yes));
    g->priv[g->n_priv++] = KS_ATTR(CKA_PRIVATE, &yes, sizeof(yes));
    g->priv[g->n_priv++] = KS_ATTR(CKA_SENSITIVE, &yes, sizeof(yes));
    g->priv[g->n_priv++] = KS_ATTR(CKA_EXTRACTABLE, &no, sizeof(no));
    g->priv[g->n_priv++] = KS_ATTR(CKA_SIGN, &yes, sizeof(yes));
    g->priv[g->n_priv++] = KS_ATTR(CKA_DECRYPT, &no, sizeof(no));
    g->priv[g->n_priv++] = KS_ATTR(CKA_LABEL, label, strlen(label));
    g->priv[g->n_priv++] = KS_ATTR(CKA_ID, id, KEY_ID_LEN);
}

static ir_rc run_keygen(ir_keystore *ks, keygen *g, ir_err *err)
{
    CK_OBJECT_HANDLE pub, priv;
    CK_SESSION_HANDLE s;
    CK_RV rv;
    ir_rc rc = ir_ks_session_get(ks, &s, err);

    if (rc != IR_OK)
        return rc;
    rv = ks->p11->C_GenerateKeyPair(s, &g->mech, g->pub, g->n_pub, g->priv, g->n_priv, &pub, &priv);
    ir_ks_session_put(ks, s, false);
    if (rv != CKR_OK)
        return ks_fail_rv(err, rv, "C_GenerateKeyPair");
    return IR_OK;
}

ir_rc ir_ks_generate_key(ir_keystore *ks, const char *label, const char *spec, ir_err *err)
{
    keygen g = {.mech = {CKM_EC_KEY_PAIR_GEN, NULL, 0}};
    unsigned char id[KEY_ID_LEN], ec_params[64];
    CK_KEY_TYPE type;
    CK_ULONG bits;
    const char *curve;
    int plen;
    ir_rc rc = ir_ks_parse_key_spec(spec, &type, &bits, &curve, err);

    if (rc == IR_OK)
        rc = refuse_existing(ks, label, err);
    if (rc != IR_OK)
        return rc;
    if (RAND_bytes(id, sizeof(id)) != 1)
        return ks_fail(err, IR_ERR_CRYPTO, IR_KS_R_PKCS11, CKR_OK, "no random bytes for CKA_ID");
    common_attrs(&g, label, id);
    if (type == CKK_EC) {
        plen = curve_params(curve, ec_params, sizeof(ec_params));
        if (plen <= 0)
            return ks_fail(err, IR_ERR_CRYPTO, IR_KS_R_UNSUPPORTED_KEY, CKR_OK,
                           "curve %s unknown to libcrypto", curve);
        g.pub[g.n_pub++] = KS_ATTR(CKA_EC_PARAMS, ec_params, (CK_ULONG)plen);
    } else {
        g.mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
        g.pub[g.n_pub++] = KS_ATTR(CKA_MODULUS_BITS, &bits, sizeof(bits));
        g.pub[g.n_pub++] = KS_ATTR(CKA_PUBLIC_EXPONENT, rsa_f4, sizeof(rsa_f4));
    }
    return run_keygen(ks, &g, err);
}
