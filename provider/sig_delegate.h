/* Signature operations the provider hands to libcrypto (sig_delegate.c):
 * every verification, and signing with a software key that libcrypto made
 * through this provider's keymgmt. The token signs only with token keys. */
#ifndef IOTREG_PROVIDER_SIG_DELEGATE_H
#define IOTREG_PROVIDER_SIG_DELEGATE_H

#include <openssl/core_dispatch.h>

#include "provider/signature.h"

OSSL_FUNC_signature_verify_init_fn ir_sigd_verify_init;
OSSL_FUNC_signature_verify_fn ir_sigd_verify;
OSSL_FUNC_signature_digest_verify_init_fn ir_sigd_digest_verify_init;
OSSL_FUNC_signature_digest_verify_update_fn ir_sigd_digest_verify_update;
OSSL_FUNC_signature_digest_verify_final_fn ir_sigd_digest_verify_final;
OSSL_FUNC_signature_digest_verify_fn ir_sigd_digest_verify;

/* Signing: libcrypto's for a software key, the token's (signature.c) for a
 * token key. */
OSSL_FUNC_signature_sign_init_fn ir_sigd_sign_init;
OSSL_FUNC_signature_sign_fn ir_sigd_sign;
OSSL_FUNC_signature_digest_sign_init_fn ir_sigd_digest_sign_init;
OSSL_FUNC_signature_digest_sign_update_fn ir_sigd_digest_sign_update;
OSSL_FUNC_signature_digest_sign_final_fn ir_sigd_digest_sign_final;
OSSL_FUNC_signature_digest_sign_fn ir_sigd_digest_sign;

/* A copy copies the delegate, freeing frees it. */
OSSL_FUNC_signature_dupctx_fn ir_sigd_dupctx;
OSSL_FUNC_signature_freectx_fn ir_sigd_freectx;

/* Context parameters go to the delegate while there is one, else to the
 * algorithm's own handler. */
int ir_sigd_set_params(void *vctx, const OSSL_PARAM params[],
                       OSSL_FUNC_signature_set_ctx_params_fn *own);
int ir_sigd_get_params(void *vctx, OSSL_PARAM params[], OSSL_FUNC_signature_get_ctx_params_fn *own);

/* The dispatch entries ECDSA and RSA share (inside a table of IR_DISPATCH
 * entries): the context, signing and verification functions above. */
#define IR_SIGD_FUNCTIONS                                                                          \
    IR_DISPATCH(OSSL_FUNC_SIGNATURE_FREECTX, ir_sigd_freectx),                                     \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_DUPCTX, ir_sigd_dupctx),                                   \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_SIGN_INIT, ir_sigd_sign_init),                             \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_SIGN, ir_sigd_sign),                                       \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, ir_sigd_digest_sign_init),               \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, ir_sigd_digest_sign_update),           \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, ir_sigd_digest_sign_final),             \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_DIGEST_SIGN, ir_sigd_digest_sign),                         \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_VERIFY_INIT, ir_sigd_verify_init),                         \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_VERIFY, ir_sigd_verify),                                   \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, ir_sigd_digest_verify_init),           \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE, ir_sigd_digest_verify_update),       \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL, ir_sigd_digest_verify_final),         \
        IR_DISPATCH(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY, ir_sigd_digest_verify)

#endif
