/* Collects configuration problems: each goes to the caller's callback as it
 * is found, and into one joined message for ir_err. */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>

#include "config/config_internal.h"

/* Enough for ir_err's message; the rest is counted, not kept. */
#define JOINED_MAX IR_ERR_MSG_MAX

void ir_diag_init(ir_diag *d, const char *file, ir_config_diag_fn fn, void *ctx)
{
    d->file = file;
    d->fn = fn;
    d->ctx = ctx;
    d->rc = IR_OK;
    d->count = 0;
    ir_buf_init(&d->joined, JOINED_MAX);
}

/* Messages that no longer fit are counted only, so the joined text keeps
 * the first problems whole and in order. */
static void join_line(ir_diag *d, long line, const char *msg)
{
    char text[1400];
    const char *sep = d->joined.len > 0 ? "\n" : "";

    if (d->joined.len > 0 && d->joined.len == d->joined.max)
        return; /* full: counted only */
    if (line > 0)
        snprintf(text, sizeof(text), "%s%s:%ld: %s", sep, d->file, line, msg);
    else
        snprintf(text, sizeof(text), "%s%s: %s", sep, d->file, msg);
    if (ir_buf_append_str(&d->joined, text, NULL) == IR_OK)
        return;
    /* A first problem too long on its own is kept cut short: an error must
     * never come without its text. */
    if (d->joined.len == 0)
        (void)ir_buf_append(&d->joined, text, d->joined.max, NULL);
    d->joined.max = d->joined.len;
}

static void diag_addv(ir_diag *d, ir_rc rc, long line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void diag_addv(ir_diag *d, ir_rc rc, long line, const char *fmt, va_list ap)
{
    char msg[1024];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (d->rc == IR_OK)
        d->rc = rc;
    d->count++;
    if (d->fn != NULL)
        d->fn(d->ctx, d->file, line, msg);
    join_line(d, line, msg);
}

void ir_diag_add(ir_diag *d, long line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    diag_addv(d, IR_ERR_CONFIG, line, fmt, ap);
    va_end(ap);
}

void ir_diag_add_rc(ir_diag *d, ir_rc rc, long line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    diag_addv(d, rc, line, fmt, ap);
    va_end(ap);
}

ir_rc ir_diag_finish(ir_diag *d, ir_err *err)
{
    ir_rc rc = d->rc;

    if (rc != IR_OK)
        ir_err_set(err, rc, "%s", ir_buf_cstr(&d->joined));
    if (rc != IR_OK && d->count > 1)
        ir_err_prefix(err, "%zu problems:\n", d->count);
    ir_buf_free(&d->joined);
    return rc;
}
