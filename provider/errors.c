/* Raising errors through the core's upcalls, with the provider's reasons. */
#include "autoconf.h"

#include <stdarg.h>

#include <openssl/crypto.h>

#include "provider/debug.h"
#include "provider/errors.h"

static const OSSL_ITEM reason_strings[] = {
    {IOTREG_R_PIN_INCORRECT, "PIN incorrect"},
    {IOTREG_R_PIN_LOCKED, "PIN locked"},
    {IOTREG_R_PIN_FILE, "PIN file unusable"},
    {IOTREG_R_PIN_MISSING, "no PIN"},
    {IOTREG_R_TOKEN_NOT_FOUND, "token not found"},
    {IOTREG_R_MODULE_LOAD, "PKCS#11 module not loaded"},
    {IOTREG_R_OBJECT_NOT_FOUND, "object not found"},
    {IOTREG_R_OBJECT_AMBIGUOUS, "object ambiguous"},
    {IOTREG_R_OBJECT_EXISTS, "object exists"},
    {IOTREG_R_MALFORMED_URI, "malformed URI"},
    {IOTREG_R_CONFIG, "configuration error"},
    {IOTREG_R_PKCS11, "PKCS#11 error"},
    {IOTREG_R_UNSUPPORTED_KEY, "unsupported key"},
    {IOTREG_R_PRIVATE_KEY_EXPORT, "private key cannot leave the token"},
    {IOTREG_R_NO_PRIVATE_KEY, "no private key"},
    {IOTREG_R_BAD_REFERENCE, "bad key reference"},
    {IOTREG_R_INVALID_PARAMETER, "invalid parameter"},
    {IOTREG_R_UNSUPPORTED_DIGEST, "unsupported digest"},
    {IOTREG_R_BUFFER_TOO_SMALL, "buffer too small"},
    {IOTREG_R_CRYPTO, "cryptographic operation failed"},
    {IOTREG_R_INVALID_ARGUMENT, "invalid argument"},
    {IOTREG_R_KEYSTORE, "keystore error"},
    {IOTREG_R_TAP, "issuance tap: certificate not journaled"},
    {0, NULL},
};

const OSSL_ITEM *ir_prov_reason_strings(void)
{
    return reason_strings;
}

void ir_prov_raise_at(const ir_prov_ctx *ctx, int reason, const char *file, int line,
                      const char *func, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (ctx != NULL && ctx->new_error != NULL && ctx->vset_error != NULL) {
        ctx->new_error(ctx->handle);
        if (ctx->set_error_debug != NULL)
            ctx->set_error_debug(ctx->handle, file, line, func);
        ctx->vset_error(ctx->handle, (uint32_t)reason, fmt, ap);
    }
    va_end(ap);
    ir_prov_debug("error %d at %s:%d (%s)", reason, file, line, func);
}

static int reason_of(ir_ks_reason r)
{
    static const int map[] = {
        [IR_KS_R_NONE] = IOTREG_R_KEYSTORE,
        [IR_KS_R_INVALID] = IOTREG_R_INVALID_ARGUMENT,
        [IR_KS_R_MODULE_LOAD] = IOTREG_R_MODULE_LOAD,
        [IR_KS_R_TOKEN_NOT_FOUND] = IOTREG_R_TOKEN_NOT_FOUND,
        [IR_KS_R_PIN_FILE] = IOTREG_R_PIN_FILE,
        [IR_KS_R_PIN_MISSING] = IOTREG_R_PIN_MISSING,
        [IR_KS_R_PIN_INCORRECT] = IOTREG_R_PIN_INCORRECT,
        [IR_KS_R_PIN_LOCKED] = IOTREG_R_PIN_LOCKED,
        [IR_KS_R_OBJECT_NOT_FOUND] = IOTREG_R_OBJECT_NOT_FOUND,
        [IR_KS_R_OBJECT_AMBIGUOUS] = IOTREG_R_OBJECT_AMBIGUOUS,
        [IR_KS_R_OBJECT_EXISTS] = IOTREG_R_OBJECT_EXISTS,
        [IR_KS_R_UNSUPPORTED_KEY] = IOTREG_R_UNSUPPORTED_KEY,
        [IR_KS_R_PKCS11] = IOTREG_R_PKCS11,
    };

    return (unsigned)r < sizeof(map) / sizeof(map[0]) ? map[r] : IOTREG_R_KEYSTORE;
}

void ir_prov_raise_ks_at(const ir_prov_ctx *ctx, const ir_err *err, const char *file, int line,
                         const char *func)
{
    ir_prov_raise_at(ctx, reason_of(ir_keystore_last_reason()), file, line, func, "%s", err->msg);
}
