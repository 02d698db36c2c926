/* Certificates as they arrive from a CA: PEM or DER bytes of unknown
 * quality. Everything here is strict: a certificate is one complete DER
 * X.509 structure with nothing after it, of bounded size; anything else is
 * refused with a message that says what was found instead. */
#ifndef IOTREG_CAPTURE_CERT_INPUT_H
#define IOTREG_CAPTURE_CERT_INPUT_H

#include <openssl/x509.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

#define IR_CERT_MAX_DER   (64 * 1024)       /* one certificate */
#define IR_CERT_INPUT_MAX (4 * 1024 * 1024) /* one file or standard input */

typedef struct ir_der {
    unsigned char *data;
    size_t len;
} ir_der;

typedef struct ir_der_list {
    ir_der *items;
    size_t n;
} ir_der_list;

/* Checks that der is exactly one X.509 certificate (IR_ERR_PARSE: empty,
 * truncated, trailing data, not a certificate; IR_ERR_TOO_LARGE); *out, when
 * out is not NULL, receives the parsed certificate (X509_free it). */
ir_rc ir_cert_check_der(const unsigned char *der, size_t len, X509 **out, ir_err *err);

/* Every certificate in data: the CERTIFICATE blocks of PEM text (text
 * outside the blocks is ignored, as openssl does), or one DER certificate.
 * Input holding anything else (a key, a CRL, a CSR, garbage) is refused as a
 * whole. Each certificate is checked with ir_cert_check_der. */
ir_rc ir_cert_input_parse(const unsigned char *data, size_t len, ir_der_list *out, ir_err *err);

/* The same, insisting on exactly one certificate. */
ir_rc ir_cert_input_one(const unsigned char *data, size_t len, ir_der *out, ir_err *err);

/* Reads the file path ("-": standard input), at most IR_CERT_INPUT_MAX
 * bytes, into b (initialised here; ir_buf_free it). */
ir_rc ir_cert_input_read(const char *path, ir_buf *b, ir_err *err);

void ir_der_free(ir_der *d);
void ir_der_list_free(ir_der_list *l);

#endif
