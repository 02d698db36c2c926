/* Error reporting: every fallible function returns an ir_rc and fills an
 * optional ir_err with a message that names the problem and, where one
 * exists, the fix. */
#ifndef IOTREG_CORE_ERROR_H
#define IOTREG_CORE_ERROR_H

#include <stddef.h>

#define IR_ERR_MSG_MAX 512

typedef enum ir_rc {
    IR_OK = 0,
    IR_ERR_INVALID_ARG,
    IR_ERR_NOMEM,
    IR_ERR_IO,
    IR_ERR_PARSE,
    IR_ERR_TOO_LARGE,
    IR_ERR_NETWORK,
    IR_ERR_TIMEOUT,
    IR_ERR_AWS,
    IR_ERR_CRYPTO,
    IR_ERR_CONFIG,
    IR_ERR_NOT_FOUND,
    IR_ERR_EXISTS,
    IR_ERR_PKCS11,
    IR_ERR_JOURNAL,
    IR_ERR_BUSY,
    IR_ERR_STATE,
    IR_ERR_PERMISSION,
    IR_ERR_UNSUPPORTED,
    IR_ERR_INTERNAL,
    IR_RC_COUNT
} ir_rc;

typedef struct ir_err {
    ir_rc rc;
    char msg[IR_ERR_MSG_MAX];
} ir_err;

/* Records rc and a formatted message in err (which may be NULL); returns rc so
 * callers can write `return ir_err_set(err, IR_ERR_IO, "...")`. */
ir_rc ir_err_set(ir_err *err, ir_rc rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prepends context ("reading FILE: ") to the message already in err. */
ir_rc ir_err_prefix(ir_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void ir_err_clear(ir_err *err);

/* A stable lower-case name for rc, e.g. "io", "aws", "too-large". */
const char *ir_rc_name(ir_rc rc);

#endif
