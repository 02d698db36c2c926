/* The signature machinery ECDSA and RSA share: contexts, digests, the
 * message on its way to the token, and the point of signing. */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "capture/tbs.h"
#include "provider/debug.h"
#include "provider/errors.h"
#include "provider/signature.h"
#include "provider/tap.h"

#define DEFAULT_DIGEST "SHA2-256"

void *ir_sig_newctx(void *provctx, const ir_sig_alg *alg)
{
    ir_sig_ctx *ctx = calloc(1, sizeof(*ctx));

    if (ctx == NULL)
        return NULL;
    ctx->prov = provctx;
    ctx->alg = alg;
    ctx->pad_mode = RSA_PKCS1_PADDING;
    ctx->saltlen = RSA_PSS_SALTLEN_DIGEST;
    ir_buf_init(&ctx->msg, IR_SIG_MESSAGE_MAX);
    return ctx;
}

void ir_sig_freectx(void *vctx)
{
    ir_sig_ctx *ctx = vctx;

    if (ctx == NULL)
        return;
    EVP_MD_CTX_free(ctx->mdctx);
    EVP_MD_free(ctx->md);
    ir_buf_free(&ctx->msg);
    ir_pkey_free(ctx->key);
    free(ctx);
}

static int copy_state(ir_sig_ctx *to, const ir_sig_ctx *from)
{
    if (from->md != NULL && EVP_MD_up_ref(from->md))
        to->md = from->md;
    if (from->mdctx != NULL && from->hashing) {
        to->mdctx = EVP_MD_CTX_new();
        if (to->mdctx == NULL || !EVP_MD_CTX_copy_ex(to->mdctx, from->mdctx))
            return 0;
    }
    if (from->key != NULL)
        to->key = ir_pkey_up_ref(from->key);
    return from->msg.len == 0 ||
           ir_buf_append(&to->msg, from->msg.data, from->msg.len, NULL) == IR_OK;
}

void *ir_sig_dupctx(void *vctx)
{
    const ir_sig_ctx *from = vctx;
    ir_sig_ctx *to = malloc(sizeof(*to));

    if (to == NULL)
        return NULL;
    *to = *from;
    to->md = NULL;
    to->mdctx = NULL;
    to->key = NULL;
    ir_buf_init(&to->msg, IR_SIG_MESSAGE_MAX);
    if (!copy_state(to, from)) {
        ir_sig_freectx(to);
        return NULL;
    }
    return to;
}

size_t ir_sig_digest_size(const ir_sig_ctx *ctx)
{
    return ctx->md != NULL ? (size_t)EVP_MD_get_size(ctx->md) : 0;
}

int ir_sig_set_digest(ir_sig_ctx *ctx, const char *mdname)
{
    EVP_MD *md = ir_prov_fetch_md(ctx->prov, mdname);

    if (md == NULL || !(EVP_MD_is_a(md, "SHA2-256") || EVP_MD_is_a(md, "SHA2-384") ||
                        EVP_MD_is_a(md, "SHA2-512"))) {
        EVP_MD_free(md);
        IR_PROV_ERR(ctx->prov, IOTREG_R_UNSUPPORTED_DIGEST,
                    "digest '%s' is not supported with token keys: use SHA-256, SHA-384 or "
                    "SHA-512",
                    mdname);
        return 0;
    }
    EVP_MD_free(ctx->md);
    ctx->md = md;
    snprintf(ctx->mdname, sizeof(ctx->mdname), "%s", EVP_MD_get0_name(md));
    return 1;
}

static void forget_message(ir_sig_ctx *ctx)
{
    ir_buf_reset(&ctx->msg);
    ctx->msg_overflow = 0;
    ctx->msg_total = 0;
}

/* Sets the key and the parameters common to sign_init and digest_sign_init. */
static int init_key(ir_sig_ctx *ctx, void *provkey, const OSSL_PARAM params[])
{
    ir_pkey *key = provkey;

    if (key == NULL && ctx->key == NULL)
        return 0;
    if (key != NULL) {
        if (key->type != ctx->alg->key_type || !key->has_private) {
            IR_PROV_ERR(ctx->prov, IOTREG_R_NO_PRIVATE_KEY,
                        "signing needs a %s private key from the token",
                        ir_pkey_type_name(ctx->alg->key_type));
            return 0;
        }
        ir_pkey_free(ctx->key);
        ctx->key = ir_pkey_up_ref(key);
    }
    forget_message(ctx);
    return 1;
}

int ir_sig_sign_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    ir_sig_ctx *ctx = vctx;

    return init_key(ctx, provkey, params) && ctx->alg != NULL &&
           ir_sig_set_common_params(ctx, params);
}

int ir_sig_digest_sign_init(void *vctx, const char *mdname, void *provkey,
                            const OSSL_PARAM params[])
{
    ir_sig_ctx *ctx = vctx;

    if (!init_key(ctx, provkey, params))
        return 0;
    if (mdname != NULL && mdname[0] != '\0'
            ? !ir_sig_set_digest(ctx, mdname)
            : ctx->md == NULL && !ir_sig_set_digest(ctx, DEFAULT_DIGEST))
        return 0;
    ctx->hashing = 0;
    return ir_sig_set_common_params(ctx, params);
}

/* The message's hash starts with its first byte, not at init: a one-shot
 * signature then costs one hash context, and a fresh init nothing. */
static int start_hashing(ir_sig_ctx *ctx)
{
    if (ctx->hashing)
        return 1;
    if (ctx->md == NULL || (ctx->mdctx == NULL && (ctx->mdctx = EVP_MD_CTX_new()) == NULL) ||
        !EVP_DigestInit_ex2(ctx->mdctx, ctx->md, NULL))
        return 0;
    ctx->hashing = 1;
    return 1;
}

static int finish_hashing(ir_sig_ctx *ctx, unsigned char *dgst, unsigned int *dlen)
{
    int ok = start_hashing(ctx) && EVP_DigestFinal_ex(ctx->mdctx, dgst, dlen);

    ctx->hashing = 0;
    return ok;
}

/* Keeps what fits of data in msg: all of a message up to the bound, the
 * first IR_SIG_MESSAGE_MAX bytes of a longer one (enough for the tap to tell
 * a large CRL from a TBSCertificate). */
static int keep_message(ir_sig_ctx *ctx, const unsigned char *data, size_t datalen)
{
    size_t room = ctx->msg.max - ctx->msg.len;
    size_t n = datalen < room ? datalen : room;

    ctx->msg_total = datalen > SIZE_MAX - ctx->msg_total ? SIZE_MAX : ctx->msg_total + datalen;
    if (n > 0 && ir_buf_append(&ctx->msg, data, n, NULL) != IR_OK) {
        IR_PROV_ERR(ctx->prov, IOTREG_R_CRYPTO, "out of memory keeping the message being signed");
        return 0;
    }
    if (n < datalen && !ctx->msg_overflow) {
        ctx->msg_overflow = 1;
        ir_prov_debug("message longer than %u bytes: keeping only its first bytes",
                      IR_SIG_MESSAGE_MAX);
    }
    return 1;
}

int ir_sig_digest_sign_update(void *vctx, const unsigned char *data, size_t datalen)
{
    ir_sig_ctx *ctx = vctx;

    return start_hashing(ctx) && EVP_DigestUpdate(ctx->mdctx, data, datalen) &&
           keep_message(ctx, data, datalen);
}

static int size_only(ir_sig_ctx *ctx, size_t *siglen)
{
    if (ctx->key == NULL)
        return 0;
    *siglen = ir_pkey_max_signature(ctx->key);
    return 1;
}

int ir_sig_digest_sign_final(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize)
{
    ir_sig_ctx *ctx = vctx;
    ir_sig_msg m = {ctx->msg_overflow ? IR_SIG_SEEN_HEAD : IR_SIG_SEEN_ALL, ctx->msg.data,
                    ctx->msg.len, ctx->msg_total};
    unsigned char dgst[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    int ok;

    if (sig == NULL)
        return size_only(ctx, siglen);
    if (!finish_hashing(ctx, dgst, &dlen))
        return 0;
    ok = ir_sig_finish(ctx, &m, dgst, dlen, sig, siglen, sigsize);
    forget_message(ctx);
    OPENSSL_cleanse(dgst, sizeof(dgst));
    return ok;
}

int ir_sig_digest_sign(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize,
                       const unsigned char *tbs, size_t tbslen)
{
    ir_sig_ctx *ctx = vctx;
    ir_sig_msg m = {IR_SIG_SEEN_ALL, tbs, tbslen, tbslen};
    unsigned char dgst[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    int ok;

    if (sig == NULL)
        return size_only(ctx, siglen);
    ctx->hashing = 0;
    if (!start_hashing(ctx) || !EVP_DigestUpdate(ctx->mdctx, tbs, tbslen) ||
        !finish_hashing(ctx, dgst, &dlen))
        return 0;
    ok = ir_sig_finish(ctx, &m, dgst, dlen, sig, siglen, sigsize);
    OPENSSL_cleanse(dgst, sizeof(dgst));
    return ok;
}

/* Pre-hashed input: its length tells the digest when none was set. */
static int digest_for_length(ir_sig_ctx *ctx, size_t tbslen)
{
    static const struct {
        size_t len;
        const char *name;
    } by_len[] = {{32, "SHA2-256"}, {48, "SHA2-384"}, {64, "SHA2-512"}};
    size_t i;

    if (ctx->md != NULL && ir_sig_digest_size(ctx) == tbslen)
        return 1;
    for (i = 0; ctx->md == NULL && i < 3; i++)
        if (tbslen == by_len[i].len)
            return ir_sig_set_digest(ctx, by_len[i].name);
    IR_PROV_ERR(ctx->prov, IOTREG_R_INVALID_ARGUMENT,
                "a pre-hashed input of %zu bytes does not match the digest", tbslen);
    return 0;
}

int ir_sig_sign(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize,
                const unsigned char *tbs, size_t tbslen)
{
    ir_sig_ctx *ctx = vctx;
    ir_sig_msg m = {IR_SIG_SEEN_NONE, NULL, 0, 0};

    if (sig == NULL)
        return size_only(ctx, siglen);
    if (!digest_for_length(ctx, tbslen))
        return 0;
    return ir_sig_finish(ctx, &m, tbs, tbslen, sig, siglen, sigsize);
}

/* For a tapped key: whether the tap must see what is signed, because it may
 * be a TBSCertificate (pre-hashed input always may). */
static int tap_must_see(ir_sig_ctx *ctx, const ir_sig_msg *m)
{
    if (!ir_tap_wants(ctx->prov, ctx->key))
        return 0;
    return m->seen == IR_SIG_SEEN_NONE || ir_tbs_may_be_certificate(m->data, m->len, m->total);
}

/* A tapped key signs nothing the tap cannot journal: raises why. */
static int refuse_unseen(ir_sig_ctx *ctx, const ir_sig_msg *m)
{
    if (m->seen == IR_SIG_SEEN_NONE)
        IR_PROV_ERR(ctx->prov, IOTREG_R_TAP,
                    "'%s' is a SubCA key with the issuance tap on, which must see every message "
                    "that could be a certificate: it refuses to sign a pre-hashed digest, whose "
                    "message it cannot see. Sign the message, not its hash (EVP_DigestSign, "
                    "openssl dgst -sign, openssl pkeyutl -rawin)",
                    ctx->key->priv.label);
    else
        IR_PROV_ERR(ctx->prov, IOTREG_R_TAP,
                    "'%s' is a SubCA key with the issuance tap on: a %zu-byte message that "
                    "starts like a TBSCertificate was streamed, and the tap keeps only the first "
                    "%u bytes of a streamed message, so it cannot journal it and refuses to sign",
                    ctx->key->priv.label, m->total, IR_SIG_MESSAGE_MAX);
    return 0;
}

/* Hands the signed message to the issuance tap, which may withhold the
 * signature (1: release it, 0: error raised). */
static int tap_signature(ir_sig_ctx *ctx, const ir_sig_msg *m, const unsigned char *sig,
                         size_t siglen)
{
    unsigned char *algid = NULL;
    int algid_len = 0, ok;

    if (ir_tap_fault("algid") || !ctx->alg->algorithm_id(ctx, &algid, &algid_len)) {
        OPENSSL_free(algid);
        IR_PROV_ERR(ctx->prov, IOTREG_R_TAP,
                    "issuance tap: cannot encode the AlgorithmIdentifier of the signature made "
                    "with '%s' (out of memory?), so the certificate cannot be journaled and the "
                    "signature is withheld",
                    ctx->key->priv.label);
        return 0;
    }
    ok = ir_tap_signed(ctx->prov, ctx->key, m->data, m->len, algid, (size_t)algid_len, sig, siglen);
    OPENSSL_free(algid);
    return ok;
}

int ir_sig_finish(ir_sig_ctx *ctx, const ir_sig_msg *m, const unsigned char *dgst, size_t dlen,
                  unsigned char *sig, size_t *siglen, size_t sigsize)
{
    size_t max;
    int tapped;

    if (ctx->key == NULL)
        return 0;
    max = ir_pkey_max_signature(ctx->key);
    if (sigsize < max) {
        IR_PROV_ERR(ctx->prov, IOTREG_R_BUFFER_TOO_SMALL,
                    "signature buffer of %zu bytes, %zu needed", sigsize, max);
        return 0;
    }
    tapped = tap_must_see(ctx, m);
    if (tapped && m->seen != IR_SIG_SEEN_ALL)
        return refuse_unseen(ctx, m);
    ir_prov_debug("signing a %zu-byte message (%s) with '%s'", m->total,
                  m->seen == IR_SIG_SEEN_ALL ? "whole message at hand" : "digest only",
                  ctx->key->priv.label);
    if (!ctx->alg->sign_digest(ctx, dgst, dlen, sig, siglen, sigsize))
        return 0;
    if (tapped && !tap_signature(ctx, m, sig, *siglen)) {
        OPENSSL_cleanse(sig, *siglen);
        return 0;
    }
    return 1;
}

int ir_sig_get_common_params(ir_sig_ctx *ctx, OSSL_PARAM params[])
{
    OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
    unsigned char *der = NULL;
    int len = 0, ok = 1;

    if (p != NULL) {
        ok = ctx->md != NULL && ctx->alg->algorithm_id(ctx, &der, &len) &&
             OSSL_PARAM_set_octet_string(p, der, (size_t)len);
        OPENSSL_free(der);
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (ok && p != NULL)
        ok = OSSL_PARAM_set_utf8_string(p, ctx->mdname);
    return ok;
}

int ir_sig_set_common_params(ir_sig_ctx *ctx, const OSSL_PARAM params[])
{
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
    char mdname[IR_SIG_MDNAME_MAX], *pm = mdname;

    if (p == NULL)
        return 1;
    if (!OSSL_PARAM_get_utf8_string(p, &pm, sizeof(mdname)))
        return 0;
    return ir_sig_set_digest(ctx, mdname);
}
