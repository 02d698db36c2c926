/* Thing name templates: literal text and ${variables} taken from the
 * certificate, made to fit AWS's thing names ([a-zA-Z0-9:_-]+, at most 128).
 *
 *   ${subject.CN} ${subject.O} ${subject.OU}  first value of the attribute
 *   ${serial}   serial number, lower-case hex
 *   ${certid}   SHA-256 of the DER, lower-case hex (AWS's certificateId)
 *   ${certid8}  its first 8 hex digits
 *   ${customer} the customer's id
 *   ${san.dns}  the first DNS subjectAltName
 *
 * Literal text may only use A-Z a-z 0-9 _ - (checked at load). In the
 * variables' values those characters stay; every other byte, and ':'
 * itself, becomes ':' and two upper-case hex digits ("sensor.42" ->
 * "sensor:2E42", "a:b" -> "a:3Ab"), so that distinct values never give one
 * name. A name longer than 128 is refused, never cut. */
#ifndef IOTREG_CONFIG_TEMPLATE_H
#define IOTREG_CONFIG_TEMPLATE_H

#include <openssl/x509.h>
#include <stddef.h>

#include "core/error.h"

#define IR_THING_NAME_MAX 128

/* Checks the syntax, that every variable exists and that literal text is
 * plain (run when the configuration is loaded). */
ir_rc ir_template_check(const char *tmpl, ir_err *err);

/* Expands tmpl for cert, whose DER encoding is der (needed by ${certid};
 * NULL: computed from cert). Fails with a message naming the variable when
 * the certificate lacks a field the template uses, or the result is empty
 * or longer than IR_THING_NAME_MAX (IR_ERR_TOO_LARGE). */
ir_rc ir_template_expand(const char *tmpl, X509 *cert, const unsigned char *der, size_t der_len,
                         const char *customer, char out[IR_THING_NAME_MAX + 1], ir_err *err);

/* One value escaped as the template escapes a variable's value, into out
 * (outsz bytes); IR_ERR_TOO_LARGE when it does not fit. */
ir_rc ir_template_escape(const char *value, char *out, size_t outsz, ir_err *err);

/* The same from the DER alone. */
ir_rc ir_template_expand_der(const char *tmpl, const unsigned char *der, size_t der_len,
                             const char *customer, char out[IR_THING_NAME_MAX + 1], ir_err *err);

#endif
