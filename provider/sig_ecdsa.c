/* ECDSA with SHA-256/384/512: the token signs the digest (CKM_ECDSA) and
 * returns r||s, which becomes a DER ECDSA-Sig-Value (ir_ks_ecdsa_sig_der). */
#include "autoconf.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "provider/errors.h"
#include "provider/sig_delegate.h"
#include "provider/signature.h"

#define RAW_MAX 132 /* r||s of P-521, the largest curve a token could hand us */

static OSSL_FUNC_signature_newctx_fn ecdsa_newctx;
static OSSL_FUNC_signature_get_ctx_params_fn ecdsa_get_ctx_params;
static OSSL_FUNC_signature_gettable_ctx_params_fn ecdsa_gettable_ctx_params;
static OSSL_FUNC_signature_set_ctx_params_fn ecdsa_set_ctx_params;
static OSSL_FUNC_signature_settable_ctx_params_fn ecdsa_settable_ctx_params;

static int ecdsa_sign_digest(ir_sig_ctx *ctx, const unsigned char *dgst, size_t dlen,
                             unsigned char *sig, size_t *siglen, size_t sigsize)
{
    CK_MECHANISM mech = {CKM_ECDSA, NULL, 0};
    unsigned char raw[RAW_MAX];
    size_t rawlen = sizeof(raw);
    int ok;

    if (!ir_pkey_token_sign(ctx->key, &mech, dgst, dlen, raw, &rawlen))
        return 0;
    ok = ir_ks_ecdsa_sig_der(raw, rawlen, sig, siglen, sigsize);
    OPENSSL_cleanse(raw, sizeof(raw));
    if (!ok)
        IR_PROV_ERR(ctx->prov, IOTREG_R_CRYPTO,
                    "the token's ECDSA signature (%zu bytes) is not r||s", rawlen);
    return ok;
}

static int ecdsa_algorithm_id(const ir_sig_ctx *ctx, unsigned char **der, int *len)
{
    X509_ALGOR *alg = X509_ALGOR_new();
    int sigid = NID_undef;

    *len = -1;
    if (alg != NULL &&
        OBJ_find_sigid_by_algs(&sigid, EVP_MD_get_type(ctx->md), NID_X9_62_id_ecPublicKey) &&
        X509_ALGOR_set0(alg, OBJ_nid2obj(sigid), V_ASN1_UNDEF, NULL))
        *len = i2d_X509_ALGOR(alg, der);
    X509_ALGOR_free(alg);
    return *len > 0;
}

static const ir_sig_alg ecdsa_alg = {IR_KEY_EC, ecdsa_sign_digest, ecdsa_algorithm_id};

static void *ecdsa_newctx(void *provctx, const char *propq)
{
    return ir_sig_newctx(provctx, &ecdsa_alg);
}

static int ecdsa_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    return ir_sig_get_common_params(vctx, params);
}

static const OSSL_PARAM *ecdsa_gettable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_END,
    };

    return params;
}

static int ecdsa_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    return ir_sig_set_common_params(vctx, params);
}

static const OSSL_PARAM *ecdsa_settable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PROPERTIES, NULL, 0),
        OSSL_PARAM_END,
    };

    return params;
}

/* While libcrypto does the work, the parameters are its own (sig_delegate.c). */
static int ecdsa_set_params(void *vctx, const OSSL_PARAM params[])
{
    return ir_sigd_set_params(vctx, params, ecdsa_set_ctx_params);
}

static int ecdsa_get_params(void *vctx, OSSL_PARAM params[])
{
    return ir_sigd_get_params(vctx, params, ecdsa_get_ctx_params);
}

const OSSL_DISPATCH ir_ecdsa_signature_functions[] = {
    IR_DISPATCH(OSSL_FUNC_SIGNATURE_NEWCTX, ecdsa_newctx),
    IR_SIGD_FUNCTIONS,
    IR_DISPATCH(OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, ecdsa_get_params),
    IR_DISPATCH(OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, ecdsa_gettable_ctx_params),
    IR_DISPATCH(OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, ecdsa_set_params),
    IR_DISPATCH(OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, ecdsa_settable_ctx_params),
    {0, NULL},
};
