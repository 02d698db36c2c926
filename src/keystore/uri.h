/* iotreg: URIs in RFC 7512 attribute syntax, naming keystore objects:
 *   iotreg:object=LABEL;type=private|public|cert|token|secret
 * Attribute values are percent-decoded; unknown or repeated attributes,
 * missing values and bad escapes are errors. Without type, the URI names the
 * SubCA's private key and its certificate. */
#ifndef IOTREG_KEYSTORE_URI_H
#define IOTREG_KEYSTORE_URI_H

#include "core/error.h"
#include "keystore/keystore.h"

#define IR_KS_URI_SCHEME "iotreg"
#define IR_KS_URI_MAX    1024

typedef enum ir_ks_uri_type {
    IR_KS_URI_ANY = 0, /* no type= : private key and certificate */
    IR_KS_URI_PRIVATE,
    IR_KS_URI_PUBLIC,
    IR_KS_URI_CERT,
    IR_KS_URI_TOKEN,  /* the SubCA's AWS registration token */
    IR_KS_URI_SECRET, /* an AWS secret's metadata */
} ir_ks_uri_type;

typedef struct ir_ks_uri {
    char object[IR_KS_LABEL_MAX + 1];
    ir_ks_uri_type type;
} ir_ks_uri;

ir_rc ir_ks_uri_parse(const char *uri, ir_ks_uri *out, ir_err *err);
/* "private", "cert", ... ; "any" for IR_KS_URI_ANY. */
const char *ir_ks_uri_type_name(ir_ks_uri_type t);

#endif
