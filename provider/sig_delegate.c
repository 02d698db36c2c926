/* Signature operations handed to libcrypto.
 *
 * libcrypto takes the first signature implementation it finds for an
 * algorithm, so with iotreg loaded before the default provider
 * (`-provider iotreg -provider default`, or that order in openssl.cnf), ours
 * serve every ECDSA and RSA operation of the process, not only those of
 * token keys:
 * - verifications, of certificate requests, certificates, CRLs and TLS
 *   peers, whose software public keys libcrypto imports into our keymgmt,
 *   and of the token's own public keys;
 * - signatures with software keys that libcrypto generated through our
 *   keymgmt (keymgmt_soft.c).
 * A token adds nothing to either, so each is handed to libcrypto with the
 * key's libcrypto half, in our library context but never back to this
 * provider (IR_PROV_PROPQ): the digest, padding and encoding rules are
 * libcrypto's own. A software private key from elsewhere never gets here:
 * keymgmt refuses to import one, and libcrypto then signs with its own
 * provider. Only token keys reach the token and the issuance tap. */
#include "autoconf.h"

#include <string.h>

#include <openssl/evp.h>

#include "provider/errors.h"
#include "provider/sig_delegate.h"

static void drop_delegate(ir_sig_ctx *ctx)
{
    if (ctx->vmd != NULL)
        EVP_MD_CTX_free(ctx->vmd); /* it owns vpk */
    else
        EVP_PKEY_CTX_free(ctx->vpk);
    ctx->vmd = NULL;
    ctx->vpk = NULL;
}

/* The key to work with: the one given, or for a re-init the one held. */
static int take_key(ir_sig_ctx *ctx, ir_pkey *key)
{
    if (key == NULL)
        return ctx->key != NULL && ctx->key->pub != NULL;
    if (key->type != ctx->alg->key_type || key->pub == NULL) {
        IR_PROV_ERR(ctx->prov, IOTREG_R_UNSUPPORTED_KEY, "this operation needs an %s key",
                    ir_pkey_type_name(ctx->alg->key_type));
        return 0;
    }
    ir_pkey_free(ctx->key);
    ctx->key = ir_pkey_up_ref(key);
    return 1;
}

static int delegate_failed(ir_sig_ctx *ctx)
{
    drop_delegate(ctx);
    IR_PROV_ERR(ctx->prov, IOTREG_R_CRYPTO,
                "libcrypto cannot use this %s key here (is the default provider loaded?)",
                ir_pkey_type_name(ctx->alg->key_type));
    return 0;
}

/* A one-shot delegate: verify (sign = 0) or sign with the key. */
static int pkey_delegate(ir_sig_ctx *ctx, int sign, const OSSL_PARAM params[])
{
    drop_delegate(ctx);
    ctx->vpk = EVP_PKEY_CTX_new_from_pkey(ctx->prov->libctx, ctx->key->pub, IR_PROV_PROPQ);
    if (ctx->vpk == NULL || (sign ? EVP_PKEY_sign_init_ex(ctx->vpk, params)
                                  : EVP_PKEY_verify_init_ex(ctx->vpk, params)) <= 0)
        return delegate_failed(ctx);
    return 1;
}

/* A digest-and-sign or digest-and-verify delegate. */
static int md_delegate(ir_sig_ctx *ctx, int sign, const char *mdname, const OSSL_PARAM params[])
{
    OSSL_LIB_CTX *libctx = ctx->prov->libctx;
    int ok;

    drop_delegate(ctx);
    if (mdname != NULL && mdname[0] == '\0')
        mdname = NULL; /* the key's default digest */
    if ((ctx->vmd = EVP_MD_CTX_new()) == NULL)
        return delegate_failed(ctx);
    ok = sign ? EVP_DigestSignInit_ex(ctx->vmd, &ctx->vpk, mdname, libctx, IR_PROV_PROPQ,
                                      ctx->key->pub, params)
              : EVP_DigestVerifyInit_ex(ctx->vmd, &ctx->vpk, mdname, libctx, IR_PROV_PROPQ,
                                        ctx->key->pub, params);
    return ok > 0 ? 1 : delegate_failed(ctx);
}

int ir_sigd_verify_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    return take_key(vctx, provkey) && pkey_delegate(vctx, 0, params);
}

int ir_sigd_verify(void *vctx, const unsigned char *sig, size_t siglen, const unsigned char *tbs,
                   size_t tbslen)
{
    ir_sig_ctx *ctx = vctx;

    return ctx->vpk != NULL && EVP_PKEY_verify(ctx->vpk, sig, siglen, tbs, tbslen) > 0;
}

int ir_sigd_digest_verify_init(void *vctx, const char *mdname, void *provkey,
                               const OSSL_PARAM params[])
{
    return take_key(vctx, provkey) && md_delegate(vctx, 0, mdname, params);
}

int ir_sigd_digest_verify_update(void *vctx, const unsigned char *data, size_t datalen)
{
    ir_sig_ctx *ctx = vctx;

    return ctx->vmd != NULL && EVP_DigestVerifyUpdate(ctx->vmd, data, datalen) > 0;
}

int ir_sigd_digest_verify_final(void *vctx, const unsigned char *sig, size_t siglen)
{
    ir_sig_ctx *ctx = vctx;

    return ctx->vmd != NULL && EVP_DigestVerifyFinal(ctx->vmd, sig, siglen) > 0;
}

int ir_sigd_digest_verify(void *vctx, const unsigned char *sig, size_t siglen,
                          const unsigned char *tbs, size_t tbslen)
{
    ir_sig_ctx *ctx = vctx;

    return ctx->vmd != NULL && EVP_DigestVerify(ctx->vmd, sig, siglen, tbs, tbslen) > 0;
}

static int is_software(const ir_sig_ctx *ctx, const ir_pkey *key)
{
    return key != NULL ? key->soft : ctx->key != NULL && ctx->key->soft;
}

int ir_sigd_sign_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    drop_delegate(vctx);
    if (is_software(vctx, provkey))
        return take_key(vctx, provkey) && pkey_delegate(vctx, 1, params);
    return ir_sig_sign_init(vctx, provkey, params);
}

int ir_sigd_sign(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize,
                 const unsigned char *tbs, size_t tbslen)
{
    ir_sig_ctx *ctx = vctx;

    if (ctx->vpk == NULL)
        return ir_sig_sign(vctx, sig, siglen, sigsize, tbs, tbslen);
    *siglen = sigsize;
    return EVP_PKEY_sign(ctx->vpk, sig, siglen, tbs, tbslen) > 0;
}

int ir_sigd_digest_sign_init(void *vctx, const char *mdname, void *provkey,
                             const OSSL_PARAM params[])
{
    drop_delegate(vctx);
    if (is_software(vctx, provkey))
        return take_key(vctx, provkey) && md_delegate(vctx, 1, mdname, params);
    return ir_sig_digest_sign_init(vctx, mdname, provkey, params);
}

int ir_sigd_digest_sign_update(void *vctx, const unsigned char *data, size_t datalen)
{
    ir_sig_ctx *ctx = vctx;

    if (ctx->vmd == NULL)
        return ir_sig_digest_sign_update(vctx, data, datalen);
    return EVP_DigestSignUpdate(ctx->vmd, data, datalen) > 0;
}

int ir_sigd_digest_sign_final(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize)
{
    ir_sig_ctx *ctx = vctx;

    if (ctx->vmd == NULL)
        return ir_sig_digest_sign_final(vctx, sig, siglen, sigsize);
    *siglen = sigsize;
    return EVP_DigestSignFinal(ctx->vmd, sig, siglen) > 0;
}

int ir_sigd_digest_sign(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize,
                        const unsigned char *tbs, size_t tbslen)
{
    ir_sig_ctx *ctx = vctx;

    if (ctx->vmd == NULL)
        return ir_sig_digest_sign(vctx, sig, siglen, sigsize, tbs, tbslen);
    *siglen = sigsize;
    return EVP_DigestSign(ctx->vmd, sig, siglen, tbs, tbslen) > 0;
}

static int copy_delegate(ir_sig_ctx *to, const ir_sig_ctx *from)
{
    if (from->vmd != NULL) {
        if ((to->vmd = EVP_MD_CTX_new()) == NULL || !EVP_MD_CTX_copy_ex(to->vmd, from->vmd))
            return 0;
        to->vpk = EVP_MD_CTX_get_pkey_ctx(to->vmd);
        return 1;
    }
    return from->vpk == NULL || (to->vpk = EVP_PKEY_CTX_dup(from->vpk)) != NULL;
}

void *ir_sigd_dupctx(void *vctx)
{
    ir_sig_ctx *to = ir_sig_dupctx(vctx);

    if (to == NULL)
        return NULL;
    /* The copy has the original's delegate until it gets its own. */
    to->vmd = NULL;
    to->vpk = NULL;
    if (!copy_delegate(to, vctx)) {
        ir_sigd_freectx(to);
        return NULL;
    }
    return to;
}

void ir_sigd_freectx(void *vctx)
{
    if (vctx == NULL)
        return;
    drop_delegate(vctx);
    ir_sig_freectx(vctx);
}

int ir_sigd_set_params(void *vctx, const OSSL_PARAM params[],
                       OSSL_FUNC_signature_set_ctx_params_fn *own)
{
    ir_sig_ctx *ctx = vctx;

    if (ctx->vpk == NULL)
        return own(vctx, params);
    return params == NULL || EVP_PKEY_CTX_set_params(ctx->vpk, params) > 0;
}

int ir_sigd_get_params(void *vctx, OSSL_PARAM params[], OSSL_FUNC_signature_get_ctx_params_fn *own)
{
    ir_sig_ctx *ctx = vctx;

    if (ctx->vpk == NULL)
        return own(vctx, params);
    return EVP_PKEY_CTX_get_params(ctx->vpk, params) > 0;
}
