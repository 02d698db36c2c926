/* RFC 5280 CRLReason codes by number and by name, as CAs write them
 * (openssl ca's index.txt, EJBCA, the command line). */
#ifndef IOTREG_CAPTURE_CRL_REASON_H
#define IOTREG_CAPTURE_CRL_REASON_H

#include "core/error.h"

/* "keyCompromise" for 1; "unknown" for a number that is none. */
const char *ir_crl_reason_name(int reason);
/* A number (0-6, 8-10) or a name, case-insensitive ("keyCompromise",
 * "key-compromise" and "keycompromise" alike). */
ir_rc ir_crl_reason_parse(const char *s, int *out, ir_err *err);

#endif
