/* Signature operations shared by ECDSA and RSA (sig_ecdsa.c, sig_rsa.c).
 *
 * The message reaches the point of signing. One-shot digest_sign has it
 * whole as its argument, whatever its size. digest_sign_update hashes each
 * piece in software as it arrives and also keeps a copy in a bounded buffer
 * (IR_SIG_MESSAGE_MAX); digest_sign_final hands the digest and the copy to
 * ir_sig_finish, the single place where the token signs. Of a streamed
 * message longer than the bound only its first IR_SIG_MESSAGE_MAX bytes are
 * kept: for a tapped key it is signed only when those bytes prove it is no
 * TBSCertificate (a large CRL), and refused otherwise. Pre-hashed input
 * (sign) carries no message at all: refused for a tapped key (tap.h says
 * what the tap guarantees). Hashing in software keeps what the token does
 * constant-size (it signs a digest), which is also what makes the provider
 * as fast as raw C_Sign. */
#ifndef IOTREG_PROVIDER_SIGNATURE_H
#define IOTREG_PROVIDER_SIGNATURE_H

#include <openssl/core_dispatch.h>
#include <openssl/evp.h>

#include "core/buf.h"
#include "provider/key.h"

#define IR_SIG_MESSAGE_MAX (1u << 20)
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
    /* Work handed to libcrypto (sig_delegate.c): vmd for digest-and-sign or
     * verify (vpk is then its EVP_PKEY_CTX), vpk alone for one-shot. */
    EVP_MD_CTX *vmd;
    EVP_PKEY_CTX *vpk;
    int hashing;      /* mdctx has been initialised for the current message */
    ir_buf msg;       /* the message so far, for the issuance tap */
    int msg_overflow; /* the message outgrew msg: msg holds its first bytes */
    /* RSA only */
    int pad_mode;                        /* RSA_PKCS1_PADDING or RSA_PKCS1_PSS_PADDING */
    int saltlen;                         /* bytes, or RSA_PSS_SALTLEN_DIGEST / _MAX / _AUTO */
    char mgf1_mdname[IR_SIG_MDNAME_MAX]; /* "" = the message digest */
    size_t msg_total;                    /* bytes given to digest_sign_update so far */
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

/* What the point of signing sees of the message whose digest it signs. */
typedef enum ir_sig_seen {
    IR_SIG_SEEN_ALL,  /* data is the whole message */
    IR_SIG_SEEN_HEAD, /* data is its first len of total bytes */
    IR_SIG_SEEN_NONE, /* pre-hashed: nothing but the digest */
} ir_sig_seen;

typedef struct ir_sig_msg {
    ir_sig_seen seen;
    const unsigned char *data;
    size_t len, total;
} ir_sig_msg;

/* The point of signing: dgst is the digest of the message m describes. For
 * a tapped key, refuses before signing what the tap cannot journal and
 * withholds the signature when the tap does not take it. 1/0 (raised). */
int ir_sig_finish(ir_sig_ctx *ctx, const ir_sig_msg *m, const unsigned char *dgst, size_t dlen,
                  unsigned char *sig, size_t *siglen, size_t sigsize);

#endif
