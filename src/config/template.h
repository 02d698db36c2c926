/* Thing name templates as the configuration writes them (<thing
 * name-template="...">): literal text and ${variables}.
 *
 *   ${subject.CN} ${subject.O} ${subject.OU}  first value of the attribute
 *   ${serial}   serial number, lower-case hex
 *   ${certid}   SHA-256 of the DER, lower-case hex (AWS's certificateId)
 *   ${certid8}  its first 8 hex digits
 *   ${customer} the customer's id
 *   ${san.dns}  the first DNS subjectAltName
 *
 * Literal text may only use A-Z a-z 0-9 _ - (':' is the escape of the
 * values, see capture/thing_name.h). This is the syntax, checked when the
 * configuration is loaded; capture/thing_name.h expands a template for a
 * certificate. */
#ifndef IOTREG_CONFIG_TEMPLATE_H
#define IOTREG_CONFIG_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* The parts of a template: literal text, or one of the variables. */
typedef enum ir_template_part {
    IR_TEMPLATE_LITERAL = 0,
    IR_TEMPLATE_SUBJECT_CN,
    IR_TEMPLATE_SUBJECT_O,
    IR_TEMPLATE_SUBJECT_OU,
    IR_TEMPLATE_SERIAL,
    IR_TEMPLATE_CERTID,
    IR_TEMPLATE_CERTID8,
    IR_TEMPLATE_CUSTOMER,
    IR_TEMPLATE_SAN_DNS,
} ir_template_part;

/* Receives the parts of a template in order: for IR_TEMPLATE_LITERAL the
 * text (len plain characters, not NUL-terminated), for a variable NULL. An
 * error stops the walk. */
typedef ir_rc (*ir_template_part_fn)(void *ctx, ir_template_part part, const char *text, size_t len,
                                     ir_err *err);

/* Walks tmpl, handing each part to fn (which may be NULL: the syntax alone),
 * and fails at the first part that is not allowed: a '${' not closed, an
 * unknown variable, a character literal text may not have. The parts before
 * it have been handed to fn. */
ir_rc ir_template_walk(const char *tmpl, ir_template_part_fn fn, void *ctx, ir_err *err);

/* Checks the syntax, that every variable exists and that literal text is
 * plain (run when the configuration is loaded); an empty template is refused. */
ir_rc ir_template_check(const char *tmpl, ir_err *err);

/* Characters that stand for themselves in a thing name: A-Z a-z 0-9 _ -.
 * ':' is also allowed by AWS but is the escape, so it never stands for itself. */
bool ir_template_plain_char(unsigned char c);

#endif
