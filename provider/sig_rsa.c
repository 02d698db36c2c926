/* RSA signatures with the token key: PKCS#1 v1.5 (the DigestInfo is built
 * here, the token pads and signs it with CKM_RSA_PKCS) and PSS
 * (CKM_RSA_PKCS_PSS over the digest, with the salt length and MGF1 digest
 * set through the context parameters). */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "provider/errors.h"
#include "provider/rsa_encode.h"
#include "provider/sig_delegate.h"
#include "provider/signature.h"

static OSSL_FUNC_signature_newctx_fn rsa_newctx;
static OSSL_FUNC_signature_get_ctx_params_fn rsa_get_ctx_params;
static OSSL_FUNC_signature_gettable_ctx_params_fn rsa_gettable_ctx_params;
static OSSL_FUNC_signature_set_ctx_params_fn rsa_set_ctx_params;
static OSSL_FUNC_signature_settable_ctx_params_fn rsa_settable_ctx_params;

typedef struct md_mech {
    const char *name;
    CK_MECHANISM_TYPE hash;
    CK_RSA_PKCS_MGF_TYPE mgf;
} md_mech;

static const md_mech md_mechs[] = {
    {"SHA2-256", CKM_SHA256, CKG_MGF1_SHA256},
    {"SHA2-384", CKM_SHA384, CKG_MGF1_SHA384},
    {"SHA2-512", CKM_SHA512, CKG_MGF1_SHA512},
};

static const md_mech *mech_of(const EVP_MD *md)
{
    size_t i;

    for (i = 0; md != NULL && i < sizeof(md_mechs) / sizeof(md_mechs[0]); i++)
        if (EVP_MD_is_a(md, md_mechs[i].name))
            return &md_mechs[i];
    return NULL;
}

/* The MGF1 digest: the one set, else the message digest. */
static EVP_MD *mgf1_md(const ir_sig_ctx *ctx)
{
    if (ctx->mgf1_mdname[0] == '\0')
        return EVP_MD_up_ref(ctx->md) ? ctx->md : NULL;
    return ir_prov_fetch_md(ctx->prov, ctx->mgf1_mdname);
}

/* The salt length in bytes: RSA_PSS_SALTLEN_DIGEST is the digest's size,
 * _MAX and _AUTO the most the modulus allows. */
static int resolve_salt(const ir_sig_ctx *ctx)
{
    int hlen = (int)ir_sig_digest_size(ctx);
    int emlen = (ir_pkey_bits(ctx->key) - 1 + 7) / 8;

    if (ctx->saltlen == RSA_PSS_SALTLEN_DIGEST)
        return hlen;
    if (ctx->saltlen == RSA_PSS_SALTLEN_MAX || ctx->saltlen == RSA_PSS_SALTLEN_AUTO)
        return emlen - hlen - 2;
    return ctx->saltlen;
}

static int sign_pkcs1(ir_sig_ctx *ctx, const unsigned char *dgst, size_t dlen, unsigned char *sig,
                      size_t *siglen, size_t sigsize)
{
    CK_MECHANISM mech = {CKM_RSA_PKCS, NULL, 0};
    unsigned char *di = NULL;
    int dilen = ir_ks_rsa_digest_info(ctx->md, dgst, dlen, &di);
    int ok;

    *siglen = sigsize;
    ok = dilen > 0 && ir_pkey_token_sign(ctx->key, &mech, di, (size_t)dilen, sig, siglen);
    OPENSSL_free(di);
    return ok;
}

static int sign_pss(ir_sig_ctx *ctx, const unsigned char *dgst, size_t dlen, unsigned char *sig,
                    size_t *siglen, size_t sigsize)
{
    EVP_MD *mgf = mgf1_md(ctx);
    const md_mech *h = mech_of(ctx->md), *m = mech_of(mgf);
    CK_RSA_PKCS_PSS_PARAMS pss;
    CK_MECHANISM mech = {CKM_RSA_PKCS_PSS, &pss, sizeof(pss)};
    int salt = resolve_salt(ctx);

    EVP_MD_free(mgf);
    if (h == NULL || m == NULL || salt < 0) {
        IR_PROV_ERR(ctx->prov, IOTREG_R_INVALID_PARAMETER,
                    "PSS needs SHA-256/384/512 for the digest and MGF1, and a salt that fits");
        return 0;
    }
    pss.hashAlg = h->hash;
    pss.mgf = m->mgf;
    pss.sLen = (CK_ULONG)salt;
    *siglen = sigsize;
    return ir_pkey_token_sign(ctx->key, &mech, dgst, dlen, sig, siglen);
}

static int rsa_sign_digest(ir_sig_ctx *ctx, const unsigned char *dgst, size_t dlen,
                           unsigned char *sig, size_t *siglen, size_t sigsize)
{
    if (ctx->pad_mode == RSA_PKCS1_PSS_PADDING)
        return sign_pss(ctx, dgst, dlen, sig, siglen, sigsize);
    return sign_pkcs1(ctx, dgst, dlen, sig, siglen, sigsize);
}

static int rsa_algorithm_id(const ir_sig_ctx *ctx, unsigned char **der, int *len)
{
    EVP_MD *mgf;

    if (ctx->pad_mode != RSA_PKCS1_PSS_PADDING) {
        *len = ir_rsa_pkcs1_algid(ctx->md, der);
        return *len > 0;
    }
    mgf = mgf1_md(ctx);
    *len = mgf != NULL && ctx->key != NULL ? ir_rsa_pss_algid(ctx->md, mgf, resolve_salt(ctx), der)
                                           : -1;
    EVP_MD_free(mgf);
    return *len > 0;
}

static const ir_sig_alg rsa_alg = {IR_KEY_RSA, rsa_sign_digest, rsa_algorithm_id};

static void *rsa_newctx(void *provctx, const char *propq)
{
    return ir_sig_newctx(provctx, &rsa_alg);
}

static int get_pad_mode(const ir_sig_ctx *ctx, OSSL_PARAM *p)
{
    if (p->data_type == OSSL_PARAM_UTF8_STRING)
        return OSSL_PARAM_set_utf8_string(p, ctx->pad_mode == RSA_PKCS1_PSS_PADDING
                                                 ? OSSL_PKEY_RSA_PAD_MODE_PSS
                                                 : OSSL_PKEY_RSA_PAD_MODE_PKCSV15);
    return OSSL_PARAM_set_int(p, ctx->pad_mode);
}

static int get_saltlen(const ir_sig_ctx *ctx, OSSL_PARAM *p)
{
    char text[16];

    if (p->data_type != OSSL_PARAM_UTF8_STRING)
        return OSSL_PARAM_set_int(p, ctx->saltlen);
    if (ctx->saltlen == RSA_PSS_SALTLEN_DIGEST)
        return OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST);
    if (ctx->saltlen == RSA_PSS_SALTLEN_MAX)
        return OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_RSA_PSS_SALT_LEN_MAX);
    if (ctx->saltlen == RSA_PSS_SALTLEN_AUTO)
        return OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_RSA_PSS_SALT_LEN_AUTO);
    snprintf(text, sizeof(text), "%d", ctx->saltlen);
    return OSSL_PARAM_set_utf8_string(p, text);
}

static int rsa_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    ir_sig_ctx *ctx = vctx;
    OSSL_PARAM *p;

    if (!ir_sig_get_common_params(ctx, params))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
    if (p != NULL && !get_pad_mode(ctx, p))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
    if (p != NULL && !get_saltlen(ctx, p))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST);
    if (p != NULL && !OSSL_PARAM_set_utf8_string(p, ctx->mgf1_mdname[0] != '\0' ? ctx->mgf1_mdname
                                                                                : ctx->mdname))
        return 0;
    return 1;
}

static const OSSL_PARAM *rsa_gettable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, NULL, 0),
        OSSL_PARAM_END,
    };

    return params;
}

static int set_pad_mode(ir_sig_ctx *ctx, const OSSL_PARAM *p)
{
    const char *s = NULL;
    int mode = 0;

    if (p->data_type == OSSL_PARAM_UTF8_STRING) {
        if (!OSSL_PARAM_get_utf8_string_ptr(p, &s))
            return 0;
        mode = strcmp(s, OSSL_PKEY_RSA_PAD_MODE_PSS) == 0       ? RSA_PKCS1_PSS_PADDING
               : strcmp(s, OSSL_PKEY_RSA_PAD_MODE_PKCSV15) == 0 ? RSA_PKCS1_PADDING
                                                                : 0;
    } else if (!OSSL_PARAM_get_int(p, &mode)) {
        return 0;
    }
    if (mode != RSA_PKCS1_PADDING && mode != RSA_PKCS1_PSS_PADDING) {
        IR_PROV_ERR(ctx->prov, IOTREG_R_INVALID_PARAMETER,
                    "RSA padding must be pkcs1 or pss with token keys");
        return 0;
    }
    ctx->pad_mode = mode;
    return 1;
}

static int set_saltlen(ir_sig_ctx *ctx, const OSSL_PARAM *p)
{
    const char *s = NULL;
    char *end = NULL;
    long v;

    if (p->data_type != OSSL_PARAM_UTF8_STRING)
        return OSSL_PARAM_get_int(p, &ctx->saltlen) && ctx->saltlen >= RSA_PSS_SALTLEN_MAX;
    if (!OSSL_PARAM_get_utf8_string_ptr(p, &s))
        return 0;
    if (strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST) == 0)
        ctx->saltlen = RSA_PSS_SALTLEN_DIGEST;
    else if (strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_MAX) == 0)
        ctx->saltlen = RSA_PSS_SALTLEN_MAX;
    else if (strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_AUTO) == 0)
        ctx->saltlen = RSA_PSS_SALTLEN_AUTO;
    else if ((v = strtol(s, &end, 10)) >= 0 && v <= 1024 && end != s && *end == '\0')
        ctx->saltlen = (int)v;
    else
        return 0;
    return 1;
}

static int set_mgf1(ir_sig_ctx *ctx, const OSSL_PARAM *p)
{
    char name[IR_SIG_MDNAME_MAX], *pn = name;
    EVP_MD *md;

    if (!OSSL_PARAM_get_utf8_string(p, &pn, sizeof(name)))
        return 0;
    md = ir_prov_fetch_md(ctx->prov, name);
    if (mech_of(md) == NULL) {
        EVP_MD_free(md);
        IR_PROV_ERR(ctx->prov, IOTREG_R_UNSUPPORTED_DIGEST,
                    "MGF1 digest '%s' is not supported (use SHA-256, SHA-384 or SHA-512)", name);
        return 0;
    }
    snprintf(ctx->mgf1_mdname, sizeof(ctx->mgf1_mdname), "%s", EVP_MD_get0_name(md));
    EVP_MD_free(md);
    return 1;
}

static int rsa_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    ir_sig_ctx *ctx = vctx;
    const OSSL_PARAM *p;

    if (!ir_sig_set_common_params(ctx, params))
        return 0;
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
    if (p != NULL && !set_pad_mode(ctx, p))
        return 0;
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
    if (p != NULL && !set_saltlen(ctx, p)) {
        IR_PROV_ERR(ctx->prov, IOTREG_R_INVALID_PARAMETER,
                    "PSS salt length must be digest, max, auto or a number of bytes");
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST);
    return p == NULL || set_mgf1(ctx, p);
}

static const OSSL_PARAM *rsa_settable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PROPERTIES, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_PROPERTIES, NULL, 0),
        OSSL_PARAM_END,
    };

    return params;
}

/* While libcrypto does the work, the parameters are its own (sig_delegate.c). */
static int rsa_set_params(void *vctx, const OSSL_PARAM params[])
{
    return ir_sigd_set_params(vctx, params, rsa_set_ctx_params);
}

static int rsa_get_params(void *vctx, OSSL_PARAM params[])
{
    return ir_sigd_get_params(vctx, params, rsa_get_ctx_params);
}

const OSSL_DISPATCH ir_rsa_signature_functions[] = {
    IR_DISPATCH(OSSL_FUNC_SIGNATURE_NEWCTX, rsa_newctx),
    IR_SIGD_FUNCTIONS,
    IR_DISPATCH(OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, rsa_get_params),
    IR_DISPATCH(OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, rsa_gettable_ctx_params),
    IR_DISPATCH(OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, rsa_set_params),
    IR_DISPATCH(OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, rsa_settable_ctx_params),
    {0, NULL},
};
