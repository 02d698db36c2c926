#include "autoconf.h"

#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const rc_names[IR_RC_COUNT] = {
    [IR_OK] = "ok",
    [IR_ERR_INVALID_ARG] = "invalid-argument",
    [IR_ERR_NOMEM] = "out-of-memory",
    [IR_ERR_IO] = "io",
    [IR_ERR_PARSE] = "parse",
    [IR_ERR_TOO_LARGE] = "too-large",
    [IR_ERR_NETWORK] = "network",
    [IR_ERR_TIMEOUT] = "timeout",
    [IR_ERR_AWS] = "aws",
    [IR_ERR_CRYPTO] = "crypto",
    [IR_ERR_CONFIG] = "config",
    [IR_ERR_NOT_FOUND] = "not-found",
    [IR_ERR_EXISTS] = "exists",
    [IR_ERR_PKCS11] = "pkcs11",
    [IR_ERR_JOURNAL] = "journal",
    [IR_ERR_BUSY] = "busy",
    [IR_ERR_STATE] = "state",
    [IR_ERR_PERMISSION] = "permission",
    [IR_ERR_UNSUPPORTED] = "unsupported",
    [IR_ERR_INTERNAL] = "internal",
};

ir_rc ir_err_set(ir_err *err, ir_rc rc, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return rc;
    err->rc = rc;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return rc;
}

ir_rc ir_err_prefix(ir_err *err, const char *fmt, ...)
{
    char joined[IR_ERR_MSG_MAX];
    size_t used;
    va_list ap;
    int n;

    if (err == NULL)
        return IR_OK;
    va_start(ap, fmt);
    n = vsnprintf(joined, sizeof(joined), fmt, ap);
    va_end(ap);
    used = n < 0 ? 0 : ((size_t)n < sizeof(joined) ? (size_t)n : sizeof(joined) - 1);
    /* The original message follows the prefix, cut to what still fits. */
    memcpy(joined + used, err->msg, sizeof(joined) - used - 1);
    joined[sizeof(joined) - 1] = '\0';
    memcpy(err->msg, joined, sizeof(err->msg));
    return err->rc;
}

void ir_err_clear(ir_err *err)
{
    if (err == NULL)
        return;
    err->rc = IR_OK;
    err->msg[0] = '\0';
}

const char *ir_rc_name(ir_rc rc)
{
    if ((unsigned)rc >= IR_RC_COUNT || rc_names[rc] == NULL)
        return "unknown";
    return rc_names[rc];
}
