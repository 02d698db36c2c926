/* Signature operations shared by ECDSA and RSA (sig_ecdsa.c, sig_rsa.c).
 *
 * The whole message reaches the point of signing. One-shot digest_sign has
 * it as its argument. digest_sign_update hashes each piece in software as it
 * arrives and also keeps a copy in a bounded buffer (IR_SIG_MESSAGE_MAX);
 * digest_sign_final hands both the digest and the copy to ir_sig_finish,
 * the single place where the token signs. A message longer than the bound
 * (only large CRLs are) is still signed from its digest, without a copy:
 * the later issuance tap looks only at certificates, which are small.
 * Hashing in software keeps what the token does constant-size (it signs a
 * digest), which is also what makes the provider as fast as raw C_Sign. */
#ifndef IOTREG_PROVIDER_SIGNATURE_H
#define IOTREG_PROVIDER_SIGNATURE_H

#include <openssl/core_dispatch.h>
#include <openssl/evp.h>

#include "core/buf.h"
#include "provider/key.h"

#define IR_SIG_MESSAGE_MAX (1u << 20)
/* An int parameter of the signature context: 0 keeps what this context signs
 * out of the issuance tap (iotregctl's own certificates: SubCAs, and the
 * verification certificate that proves possession to AWS). */
#define IR_SIG_PARAM_TAP "iotreg-tap"
#define IR_SIG_MDNAME_MAX  32

typedef struct ir_sig_ctx ir_sig_ctx;

/* What each algorithm adds to the shared machinery. */
typedef struct ir_sig_alg {
    ir_key_type key_type;
    /* Signs the digest with the token into sig (sigsize bytes). 1/0. */
    int (*sign_digest)(ir_sig_ctx *ctx, const unsigned char *dgst, size_t dlen, unsigned char *sig,
                       size_t *siglen, size_t sigsize);
    /* The DER AlgorithmIdentifier of the signature; 1/0. *der freed by the caller. */
    int (*algorithm_id)(const ir_sig_ctx *ctx, unsigned char **der, int *len);
} ir_sig_alg;

struct ir_sig_ctx {
    ir_prov_ctx *prov;
    const ir_sig_alg *alg;
    ir_pkey *key;
    char mdname[IR_SIG_MDNAME_MAX];
    EVP_MD *md; /* NULL until a digest is set */
    EVP_MD_CTX *mdctx;
    int hashing;      /* mdctx has been initialised for the current message */
    ir_buf msg;       /* the message so far, for the issuance tap */
    int msg_overflow; /* the message outgrew msg: only its digest is known */
    int tap_off;      /* IR_SIG_PARAM_TAP set to 0 */
    /* RSA only */
    int pad_mode;                        /* RSA_PKCS1_PADDING or RSA_PKCS1_PSS_PADDING */
    int saltlen;                         /* bytes, or RSA_PSS_SALTLEN_DIGEST / _MAX / _AUTO */
    char mgf1_mdname[IR_SIG_MDNAME_MAX]; /* "" = the message digest */
};

void *ir_sig_newctx(void *provctx, const ir_sig_alg *alg);
OSSL_FUNC_signature_freectx_fn ir_sig_freectx;
OSSL_FUNC_signature_dupctx_fn ir_sig_dupctx;
OSSL_FUNC_signature_sign_init_fn ir_sig_sign_init;
OSSL_FUNC_signature_sign_fn ir_sig_sign;
OSSL_FUNC_signature_digest_sign_init_fn ir_sig_digest_sign_init;
OSSL_FUNC_signature_digest_sign_update_fn ir_sig_digest_sign_update;
OSSL_FUNC_signature_digest_sign_final_fn ir_sig_digest_sign_final;
OSSL_FUNC_signature_digest_sign_fn ir_sig_digest_sign;

/* Parameters every algorithm has: the digest and the AlgorithmIdentifier. */
int ir_sig_get_common_params(ir_sig_ctx *ctx, OSSL_PARAM params[]);
int ir_sig_set_common_params(ir_sig_ctx *ctx, const OSSL_PARAM params[]);
/* Sets the digest by name (SHA-256, SHA-384 or SHA-512); raises. 1/0. */
int ir_sig_set_digest(ir_sig_ctx *ctx, const char *mdname);
/* The digest's size, or 0 when none is set. */
size_t ir_sig_digest_size(const ir_sig_ctx *ctx);

/* The point of signing: msg (NULL when it outgrew the bound) is the whole
 * message whose digest is dgst. */
int ir_sig_finish(ir_sig_ctx *ctx, const unsigned char *msg, size_t msglen,
                  const unsigned char *dgst, size_t dlen, unsigned char *sig, size_t *siglen,
                  size_t sigsize);

#endif
