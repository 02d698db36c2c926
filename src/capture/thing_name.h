/* Thing names: a customer's thing name template (config/template.h says
 * its syntax and variables) expanded for a certificate, made to fit AWS's
 * thing names ([a-zA-Z0-9:_-]+, at most 128).
 *
 * In the variables' values the characters A-Z a-z 0-9 _ - stay; every other
 * byte, and ':' itself, becomes ':' and two upper-case hex digits
 * ("sensor.42" -> "sensor:2E42", "a:b" -> "a:3Ab"), so that distinct values
 * never give one name. A name longer than 128 is refused, never cut. */
#ifndef IOTREG_CAPTURE_THING_NAME_H
#define IOTREG_CAPTURE_THING_NAME_H

#include <openssl/x509.h>
#include <stddef.h>

#include "core/error.h"

#define IR_THING_NAME_MAX 128

/* The values a template's variables take, as text; NULL where the
 * certificate has none. */
typedef struct ir_thing_fields {
    const char *subject_cn; /* the first value of the subject attribute */
    const char *subject_o;
    const char *subject_ou;
    const char *serial;   /* lower-case hex, '-' first when negative; NULL when empty or too long */
    const char *certid;   /* SHA-256 of the DER: 64 lower-case hex digits */
    const char *san_dns;  /* the first DNS subjectAltName */
    const char *customer; /* the customer's id */
} ir_thing_fields;

/* Expands tmpl with the values f. Fails with a message naming the variable
 * when a value the template uses is missing, when tmpl is not a valid
 * template (ir_template_check's message), or when the result is empty or
 * longer than IR_THING_NAME_MAX (IR_ERR_TOO_LARGE). */
ir_rc ir_template_expand_fields(const char *tmpl, const ir_thing_fields *f,
                                char out[IR_THING_NAME_MAX + 1], ir_err *err);

/* Expands tmpl for cert, whose DER encoding is der (needed by ${certid};
 * NULL: computed from cert): its fields read, then ir_template_expand_fields. */
ir_rc ir_template_expand(const char *tmpl, X509 *cert, const unsigned char *der, size_t der_len,
                         const char *customer, char out[IR_THING_NAME_MAX + 1], ir_err *err);

/* The same from the DER alone. */
ir_rc ir_template_expand_der(const char *tmpl, const unsigned char *der, size_t der_len,
                             const char *customer, char out[IR_THING_NAME_MAX + 1], ir_err *err);

/* One value escaped as the template escapes a variable's value, into out
 * (outsz bytes); IR_ERR_TOO_LARGE when it does not fit. */
ir_rc ir_template_escape(const char *value, char *out, size_t outsz, ir_err *err);

#endif
