/* The fields of a certificate that attribution rules and thing name
 * templates look at, as text. Values holding a NUL byte are never returned:
 * they could make a certificate look like it says something it does not. */
#ifndef IOTREG_CAPTURE_CERTFIELDS_H
#define IOTREG_CAPTURE_CERTFIELDS_H

#include <openssl/x509.h>
#include <stdbool.h>

#include "config/config.h"
#include "core/error.h"

/* Called with each value; returning true stops the walk. */
typedef bool (*ir_cert_value_fn)(void *ctx, const char *value);

/* Walks the values of subject attribute nid (NID_organizationName...) in
 * the order of the name, as UTF-8; true when fn stopped the walk. */
bool ir_cert_subject_each(X509 *cert, int nid, ir_cert_value_fn fn, void *ctx);
/* Walks the subjectAltName entries of type (IR_SAN_ANY: all of DNS, URI,
 * email, IP) as text; true when fn stopped the walk. */
bool ir_cert_san_each(X509 *cert, ir_san_type type, ir_cert_value_fn fn, void *ctx);
/* The first value of the walk, malloc'd; NULL when there is none. */
char *ir_cert_subject_first(X509 *cert, int nid);
char *ir_cert_san_first(X509 *cert, ir_san_type type);

/* The value of the extension oid as text: the string when the value is an
 * ASN.1 string, else the lower-case hex of its DER. *out is NULL (and the
 * result IR_OK) when the certificate has no such extension, or has it twice. */
ir_rc ir_cert_extension_text(X509 *cert, const char *oid, char **out, ir_err *err);

/* The serial number in lower-case hex (a leading '-' when negative). */
ir_rc ir_cert_serial_hex(X509 *cert, char *out, size_t n, ir_err *err);

#endif
