/* Parsing PEM and DER certificate input, strictly. */
#include "autoconf.h"

#include "capture/cert_input.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

/* The length of the outer SEQUENCE (header + content) der announces; 0 when
 * the header itself is malformed. */
static size_t announced_len(const unsigned char *der, size_t len)
{
    size_t n, i, content = 0;

    if (len < 2 || der[0] != 0x30)
        return 0;
    if (der[1] < 0x80)
        return 2 + (size_t)der[1];
    n = der[1] & 0x7f;
    if (n == 0 || n > 4 || len < 2 + n) /* 0: indefinite length, which DER forbids */
        return 0;
    for (i = 0; i < n; i++)
        content = (content << 8) | der[2 + i];
    return 2 + n + content;
}

static ir_rc check_framing(const unsigned char *der, size_t len, ir_err *err)
{
    size_t want;

    if (len == 0)
        return ir_err_set(err, IR_ERR_PARSE, "empty input: no certificate");
    if (len > IR_CERT_MAX_DER)
        return ir_err_set(err, IR_ERR_TOO_LARGE,
                          "a certificate of %zu bytes exceeds the limit of %d bytes", len,
                          IR_CERT_MAX_DER);
    want = announced_len(der, len);
    if (want == 0)
        return ir_err_set(err, IR_ERR_PARSE,
                          "not a certificate: the data does not start with a DER SEQUENCE");
    if (want > len)
        return ir_err_set(err, IR_ERR_PARSE,
                          "truncated DER: the certificate announces %zu bytes but only %zu are "
                          "present",
                          want, len);
    if (want < len)
        return ir_err_set(err, IR_ERR_PARSE,
                          "trailing data: %zu bytes follow the certificate's %zu bytes", len - want,
                          want);
    return IR_OK;
}

ir_rc ir_cert_check_der(const unsigned char *der, size_t len, X509 **out, ir_err *err)
{
    const unsigned char *p = der;
    X509 *x;
    ir_rc rc = check_framing(der, len, err);

    if (out != NULL)
        *out = NULL;
    if (rc != IR_OK)
        return rc;
    ERR_set_mark();
    x = d2i_X509(NULL, &p, (long)len);
    ERR_pop_to_mark();
    if (x == NULL || (size_t)(p - der) != len) {
        X509_free(x);
        return ir_err_set(err, IR_ERR_PARSE,
                          "not an X.509 certificate: the DER does not decode as one (a CRL, a "
                          "request or a key?)");
    }
    if (out != NULL)
        *out = x;
    else
        X509_free(x);
    return IR_OK;
}

void ir_der_free(ir_der *d)
{
    if (d == NULL)
        return;
    free(d->data);
    d->data = NULL;
    d->len = 0;
}

void ir_der_list_free(ir_der_list *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->n; i++)
        ir_der_free(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

static ir_rc list_add(ir_der_list *l, const unsigned char *der, size_t len, ir_err *err)
{
    ir_der *items = realloc(l->items, (l->n + 1) * sizeof(*items));

    if (items == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory reading certificates");
    l->items = items;
    items[l->n].data = malloc(len);
    if (items[l->n].data == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory reading certificates");
    memcpy(items[l->n].data, der, len);
    items[l->n++].len = len;
    return IR_OK;
}

static int is_pem(const unsigned char *data, size_t len)
{
    return memmem(data, len, "-----BEGIN ", 11) != NULL;
}

/* One PEM block: a certificate is checked and kept, anything else refused. */
static ir_rc pem_block(const char *name, const unsigned char *der, long len, size_t index,
                       ir_der_list *out, ir_err *err)
{
    ir_rc rc;

    if (strcmp(name, "CERTIFICATE") != 0 && strcmp(name, "X509 CERTIFICATE") != 0)
        return ir_err_set(err, IR_ERR_PARSE,
                          "not a certificate: PEM block %zu is a '%.64s', not a 'CERTIFICATE'",
                          index, name);
    rc = ir_cert_check_der(der, (size_t)len, NULL, err);
    if (rc != IR_OK) {
        ir_err_prefix(err, "PEM block %zu: ", index);
        return rc;
    }
    return list_add(out, der, (size_t)len, err);
}

/* True at the clean end of PEM input (no further BEGIN line). */
static int pem_at_end(void)
{
    unsigned long e = ERR_peek_last_error();

    return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

static ir_rc parse_pem(const unsigned char *data, size_t len, ir_der_list *out, ir_err *err)
{
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    char *name = NULL, *header = NULL;
    unsigned char *der = NULL;
    long der_len = 0;
    ir_rc rc = IR_OK;
    size_t index;

    if (bio == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory reading PEM");
    ERR_set_mark();
    for (index = 1; rc == IR_OK; index++) {
        if (!PEM_read_bio(bio, &name, &header, &der, &der_len)) {
            if (!pem_at_end())
                rc = ir_err_set(err, IR_ERR_PARSE,
                                "bad PEM: block %zu is damaged (broken base64 or no END line)",
                                index);
            break;
        }
        rc = pem_block(name, der, der_len, index, out, err);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(der);
    }
    ERR_pop_to_mark();
    BIO_free(bio);
    return rc;
}

ir_rc ir_cert_input_parse(const unsigned char *data, size_t len, ir_der_list *out, ir_err *err)
{
    ir_rc rc;

    out->items = NULL;
    out->n = 0;
    if (len == 0)
        return ir_err_set(err, IR_ERR_PARSE, "empty input: no certificate");
    if (len > IR_CERT_INPUT_MAX)
        return ir_err_set(err, IR_ERR_TOO_LARGE, "input of %zu bytes exceeds the limit of %d", len,
                          IR_CERT_INPUT_MAX);
    if (is_pem(data, len))
        rc = parse_pem(data, len, out, err);
    else if (data[0] != 0x30)
        rc = ir_err_set(err, IR_ERR_PARSE,
                        "not a certificate: neither PEM (no -----BEGIN line) nor DER");
    else if ((rc = ir_cert_check_der(data, len, NULL, err)) == IR_OK)
        rc = list_add(out, data, len, err);
    if (rc == IR_OK && out->n == 0)
        rc = ir_err_set(err, IR_ERR_PARSE, "no certificate in the PEM input");
    if (rc != IR_OK)
        ir_der_list_free(out);
    return rc;
}

ir_rc ir_cert_input_one(const unsigned char *data, size_t len, ir_der *out, ir_err *err)
{
    ir_der_list l;
    ir_rc rc = ir_cert_input_parse(data, len, &l, err);

    out->data = NULL;
    out->len = 0;
    if (rc != IR_OK)
        return rc;
    if (l.n != 1) {
        rc = ir_err_set(err, IR_ERR_PARSE,
                        "%zu certificates in one input: give one certificate per call (the "
                        "bundle is refused as a whole, nothing was journaled)",
                        l.n);
        ir_der_list_free(&l);
        return rc;
    }
    *out = l.items[0];
    free(l.items);
    return IR_OK;
}

static ir_rc read_stdin(ir_buf *b, ir_err *err)
{
    unsigned char chunk[8192];
    ssize_t n;
    ir_rc rc = IR_OK;

    while (rc == IR_OK) {
        n = read(STDIN_FILENO, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ir_err_set(err, IR_ERR_IO, "cannot read standard input: %s", strerror(errno));
        if (n == 0)
            break;
        rc = ir_buf_append(b, chunk, (size_t)n, err);
    }
    if (rc != IR_OK)
        ir_err_prefix(err, "standard input: ");
    return rc;
}

ir_rc ir_cert_input_read(const char *path, ir_buf *b, ir_err *err)
{
    ir_buf_init(b, IR_CERT_INPUT_MAX);
    if (strcmp(path, "-") == 0)
        return read_stdin(b, err);
    return ir_read_file(path, b, err);
}
