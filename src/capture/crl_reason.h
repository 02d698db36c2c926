/* RFC 5280 CRLReason codes by number and by name, as CAs write them
 * (openssl ca's index.txt, EJBCA, the command line). The one parser every
 * command that takes a revocation reason uses (iotreg-publish --reason,
 * iotregctl revoke --reason, iotregctl import). */
#ifndef IOTREG_CAPTURE_CRL_REASON_H
#define IOTREG_CAPTURE_CRL_REASON_H

#include <stdbool.h>

#include "core/error.h"

/* What ir_crl_reason_parse accepts, for --help texts (lines of at most 78
 * columns, each ending in a newline). */
#define IR_CRL_REASON_HELP                                                                         \
    "Revocation reasons (RFC 5280 CRLReason): a number 0-6 or 8-10, or its name,\n"                \
    "case-insensitive, with '-' and '_' ignored (keyCompromise, key-compromise,\n"                 \
    "KEY_COMPROMISE): 0 unspecified, 1 keyCompromise, 2 cACompromise,\n"                           \
    "3 affiliationChanged, 4 superseded, 5 cessationOfOperation, 6 certificateHold,\n"             \
    "8 removeFromCRL, 9 privilegeWithdrawn, 10 aACompromise.\n"

/* False for the reasons that list a certificate without revoking it:
 * certificateHold (6: it may come back) and removeFromCRL (8: taken off
 * hold). iotreg records no revocation for them (deactivating a certificate
 * in AWS is for good). */
bool ir_crl_reason_revokes(int reason);

/* "keyCompromise" for 1; "unknown" for a number that is none. */
const char *ir_crl_reason_name(int reason);
/* A number (0-6, 8-10, decimal digits only) or a name as IR_CRL_REASON_HELP
 * says; anything else is IR_ERR_INVALID_ARG with a message listing them. */
ir_rc ir_crl_reason_parse(const char *s, int *out, ir_err *err);

#endif
