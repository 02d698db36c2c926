#include "autoconf.h"

#include "core/buf.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char empty[1] = "";

void ir_buf_init(ir_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

/* Grows to hold need bytes plus the terminator; the old block is cleansed
 * because it may have held a secret. */
static ir_rc buf_reserve(ir_buf *b, size_t need, ir_err *err)
{
    size_t ncap;
    unsigned char *p;

    if (need > b->max)
        return ir_err_set(err, IR_ERR_TOO_LARGE, "data exceeds the limit of %zu bytes", b->max);
    if (need + 1 <= b->cap)
        return IR_OK;
    ncap = b->cap ? b->cap : 256;
    while (ncap < need + 1)
        ncap *= 2;
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    p = malloc(ncap);
    if (p == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory growing a buffer to %zu bytes", ncap);
    if (b->data != NULL) {
        memcpy(p, b->data, b->len);
        OPENSSL_cleanse(b->data, b->cap);
        free(b->data);
    }
    b->data = p;
    b->cap = ncap;
    return IR_OK;
}

ir_rc ir_buf_append(ir_buf *b, const void *p, size_t n, ir_err *err)
{
    ir_rc rc;

    if (n > b->max - b->len)
        return ir_err_set(err, IR_ERR_TOO_LARGE, "data exceeds the limit of %zu bytes", b->max);
    rc = buf_reserve(b, b->len + n, err);
    if (rc != IR_OK)
        return rc;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return IR_OK;
}

ir_rc ir_buf_append_str(ir_buf *b, const char *s, ir_err *err)
{
    return ir_buf_append(b, s, strlen(s), err);
}

ir_rc ir_buf_appendf(ir_buf *b, ir_err *err, const char *fmt, ...)
{
    va_list ap;
    int n;
    ir_rc rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ir_err_set(err, IR_ERR_INTERNAL, "formatting failed");
    if ((size_t)n > b->max - b->len)
        return ir_err_set(err, IR_ERR_TOO_LARGE, "data exceeds the limit of %zu bytes", b->max);
    rc = buf_reserve(b, b->len + (size_t)n, err);
    if (rc != IR_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return IR_OK;
}

const char *ir_buf_cstr(const ir_buf *b)
{
    return b->data != NULL ? (const char *)b->data : empty;
}

void ir_buf_reset(ir_buf *b)
{
    if (b->data != NULL) {
        OPENSSL_cleanse(b->data, b->cap);
        b->data[0] = '\0';
    }
    b->len = 0;
}

void ir_buf_free(ir_buf *b)
{
    if (b->data != NULL) {
        OPENSSL_cleanse(b->data, b->cap);
        free(b->data);
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

char *ir_buf_steal(ir_buf *b, size_t *len)
{
    char *p = (char *)b->data;

    if (p == NULL)
        p = calloc(1, 1);
    if (len != NULL)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
