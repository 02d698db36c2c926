/* The provider's errors: a named reason for each problem, raised through the
 * core's error upcalls so that OpenSSL prints "iotreg::<reason>:<detail>". */
#ifndef IOTREG_PROVIDER_ERRORS_H
#define IOTREG_PROVIDER_ERRORS_H

#include <openssl/core.h>

#include "core/error.h"
#include "provider/provider.h"

enum ir_prov_reason {
    IOTREG_R_PIN_INCORRECT = 1,
    IOTREG_R_PIN_LOCKED,
    IOTREG_R_PIN_FILE,
    IOTREG_R_PIN_MISSING,
    IOTREG_R_TOKEN_NOT_FOUND,
    IOTREG_R_MODULE_LOAD,
    IOTREG_R_OBJECT_NOT_FOUND,
    IOTREG_R_OBJECT_AMBIGUOUS,
    IOTREG_R_OBJECT_EXISTS,
    IOTREG_R_MALFORMED_URI,
    IOTREG_R_CONFIG,
    IOTREG_R_PKCS11,
    IOTREG_R_UNSUPPORTED_KEY,
    IOTREG_R_PRIVATE_KEY_EXPORT,
    IOTREG_R_NO_PRIVATE_KEY,
    IOTREG_R_BAD_REFERENCE,
    IOTREG_R_INVALID_PARAMETER,
    IOTREG_R_UNSUPPORTED_DIGEST,
    IOTREG_R_BUFFER_TOO_SMALL,
    IOTREG_R_CRYPTO,
    IOTREG_R_INVALID_ARGUMENT,
    IOTREG_R_KEYSTORE,
    IOTREG_R_TAP,
};

/* The reason strings for OSSL_FUNC_PROVIDER_GET_REASON_STRINGS. */
const OSSL_ITEM *ir_prov_reason_strings(void);

void ir_prov_raise_at(const ir_prov_ctx *ctx, int reason, const char *file, int line,
                      const char *func, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define IR_PROV_ERR(ctx, reason, ...)                                                              \
    ir_prov_raise_at((ctx), (reason), OPENSSL_FILE, OPENSSL_LINE, OPENSSL_FUNC, __VA_ARGS__)

/* A keystore failure: the reason follows from ir_keystore_last_reason(),
 * the detail is err's message. */
void ir_prov_raise_ks_at(const ir_prov_ctx *ctx, const ir_err *err, const char *file, int line,
                         const char *func);
#define IR_PROV_ERR_KS(ctx, err)                                                                   \
    ir_prov_raise_ks_at((ctx), (err), OPENSSL_FILE, OPENSSL_LINE, OPENSSL_FUNC)

#endif
