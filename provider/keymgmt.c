/* Key management common to EC and RSA. */
#include "autoconf.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "provider/debug.h"
#include "provider/errors.h"
#include "provider/keymgmt.h"

void *ir_km_new(void *provctx, ir_key_type type)
{
    return ir_pkey_new(provctx, type);
}

void ir_km_free(void *keydata)
{
    ir_pkey_free(keydata);
}

void *ir_km_load(const void *reference, size_t reference_sz, ir_key_type type)
{
    return ir_pkey_from_ref(reference, reference_sz, type);
}

int ir_km_has(const void *keydata, int selection)
{
    const ir_pkey *k = keydata;

    if (k == NULL)
        return 0;
    if (k->soft)
        return ir_km_soft_has(k, selection);
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && !k->has_private)
        return 0;
    if ((selection & (OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_ALL_PARAMETERS)) &&
        k->pub == NULL)
        return 0;
    return 1;
}

int ir_km_match(const void *keydata1, const void *keydata2, int selection)
{
    const ir_pkey *a = keydata1, *b = keydata2;

    if (a->type != b->type || a->pub == NULL || b->pub == NULL)
        return 0;
    if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY)
        /* The same token object, or nothing we can tell. */
        return a->has_private && b->has_private && strcmp(a->priv.label, b->priv.label) == 0 &&
               EVP_PKEY_eq(a->pub, b->pub) == 1;
    if (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY)
        return EVP_PKEY_eq(a->pub, b->pub) == 1;
    return EVP_PKEY_parameters_eq(a->pub, b->pub) == 1;
}

static int is_private_param(const char *key)
{
    return strcmp(key, OSSL_PKEY_PARAM_PRIV_KEY) == 0 || strcmp(key, OSSL_PKEY_PARAM_RSA_D) == 0 ||
           strncmp(key, "rsa-factor", 10) == 0 || strncmp(key, "rsa-exponent", 12) == 0 ||
           strncmp(key, "rsa-coefficient", 15) == 0;
}

int ir_km_get_params(void *keydata, OSSL_PARAM params[])
{
    ir_pkey *k = keydata;
    OSSL_PARAM *p;

    if (k->soft)
        return EVP_PKEY_get_params(k->pub, params);
    for (p = params; p != NULL && p->key != NULL; p++)
        if (is_private_param(p->key)) {
            IR_PROV_ERR(k->prov, IOTREG_R_PRIVATE_KEY_EXPORT,
                        "'%s' of a token key is private material, which never leaves the "
                        "token",
                        p->key);
            return 0;
        }
    if (k->pub == NULL)
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE);
    if (p != NULL && !OSSL_PARAM_set_size_t(p, ir_pkey_max_signature(k)) &&
        !OSSL_PARAM_set_int(p, (int)ir_pkey_max_signature(k)))
        return 0;
    return EVP_PKEY_get_params(k->pub, params);
}

const OSSL_PARAM *ir_km_public_types(ir_key_type type)
{
    static const OSSL_PARAM ec[] = {
        OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, NULL, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
        OSSL_PARAM_END,
    };
    static const OSSL_PARAM rsa[] = {
        OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
        OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
        OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
        OSSL_PARAM_END,
    };

    return type == IR_KEY_EC ? ec : rsa;
}

static int has_private_param(const OSSL_PARAM params[])
{
    const OSSL_PARAM *p;

    for (p = params; p != NULL && p->key != NULL; p++)
        if (is_private_param(p->key))
            return 1;
    return 0;
}

int ir_km_import(void *keydata, int selection, const OSSL_PARAM params[])
{
    ir_pkey *k = keydata;
    EVP_PKEY_CTX *ctx;
    EVP_PKEY *pub = NULL;
    int what = (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) ? EVP_PKEY_PUBLIC_KEY
                                                            : EVP_PKEY_KEY_PARAMETERS;

    /* Only public keys come in (to be verified with, sig_verify.c): a
     * private key is imported into the token with iotregctl, never through
     * OpenSSL. Refusing a software private key without an error is what
     * makes libcrypto sign with the key's own provider instead of ours. */
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && has_private_param(params)) {
        ir_prov_debug("a software private key is not imported: its own provider signs with it");
        return 0;
    }
    ctx = EVP_PKEY_CTX_new_from_name(k->prov->libctx, ir_pkey_type_name(k->type), IR_PROV_PROPQ);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pub, what, (OSSL_PARAM *)params) <= 0) {
        EVP_PKEY_CTX_free(ctx);
        IR_PROV_ERR(k->prov, IOTREG_R_INVALID_PARAMETER, "cannot import this %s public key",
                    ir_pkey_type_name(k->type));
        return 0;
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(k->pub);
    k->pub = pub;
    return 1;
}

int ir_km_export(void *keydata, int selection, OSSL_CALLBACK *cb, void *cbarg)
{
    ir_pkey *k = keydata;

    if (k->soft)
        return EVP_PKEY_export(k->pub, selection, cb, cbarg);
    /* OSSL_KEYMGMT_SELECT_ALL is libcrypto probing whether another
     * provider could use the key (before it falls back to ours): refused
     * without an error on the queue. An explicit request for the private
     * key (an encoder writing it out) gets the error. */
    if (selection == OSSL_KEYMGMT_SELECT_ALL) {
        ir_prov_debug("export of '%s' to another provider refused: private", k->priv.label);
        return 0;
    }
    if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) {
        IR_PROV_ERR(k->prov, IOTREG_R_PRIVATE_KEY_EXPORT,
                    "the private key '%s' is not extractable: it stays in the token and signs "
                    "there (only its public part can be exported)",
                    k->priv.label);
        return 0;
    }
    if (k->pub == NULL)
        return 0;
    return EVP_PKEY_export(k->pub, selection, cb, cbarg);
}

void *ir_km_dup(const void *keydata_from, int selection)
{
    const ir_pkey *from = keydata_from;
    ir_pkey *k;

    if (from->soft)
        return ir_km_soft_dup(from, selection);
    if ((k = ir_pkey_new(from->prov, from->type)) == NULL)
        return NULL;
    if (from->pub != NULL && EVP_PKEY_up_ref(from->pub))
        k->pub = from->pub;
    if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) {
        k->has_private = from->has_private;
        k->priv = from->priv;
    }
    return k;
}

/* Only a software key takes new values (TLS sets a peer's public point on a
 * copy of our parameters); a token key's public half is the token's. */
int ir_km_set_params(void *keydata, const OSSL_PARAM params[])
{
    ir_pkey *k = keydata;

    if (params == NULL || params[0].key == NULL)
        return 1;
    if (!k->soft) {
        IR_PROV_ERR(k->prov, IOTREG_R_INVALID_PARAMETER,
                    "the public half of a token key cannot be changed");
        return 0;
    }
    return EVP_PKEY_set_params(k->pub, (OSSL_PARAM *)params);
}

const OSSL_PARAM *ir_km_settable_params(void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
        OSSL_PARAM_END,
    };

    return params;
}
