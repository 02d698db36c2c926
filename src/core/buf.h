/* A growable byte buffer with a hard cap, for anything read from the network
 * or a file: appending past the cap fails with IR_ERR_TOO_LARGE instead of
 * growing without bound. The data is always NUL-terminated. */
#ifndef IOTREG_CORE_BUF_H
#define IOTREG_CORE_BUF_H

#include <stddef.h>

#include "core/error.h"

typedef struct ir_buf {
    unsigned char *data;
    size_t len;
    size_t cap;
    size_t max;
} ir_buf;

void ir_buf_init(ir_buf *b, size_t max);
ir_rc ir_buf_append(ir_buf *b, const void *p, size_t n, ir_err *err);
ir_rc ir_buf_append_str(ir_buf *b, const char *s, ir_err *err);
ir_rc ir_buf_appendf(ir_buf *b, ir_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The contents as a C string; "" for an empty buffer, never NULL. */
const char *ir_buf_cstr(const ir_buf *b);
/* Forgets the contents, keeps the memory (cleansed first). */
void ir_buf_reset(ir_buf *b);
/* Releases the memory; the contents are cleansed first, so a buffer that held
 * a secret needs nothing more. */
void ir_buf_free(ir_buf *b);
/* Hands the heap data (NUL-terminated) to the caller, who frees it with free(). */
char *ir_buf_steal(ir_buf *b, size_t *len);

#endif
