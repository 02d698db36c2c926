/* Turns a credential reference of the configuration into a provider:
 * the keystore (kDate computed in the HSM, the secret never in memory), the
 * environment, a shared-credentials profile, or an access key id with its
 * secret in a file private to its owner. */
#ifndef IOTREG_CREDS_CREDREF_H
#define IOTREG_CREDS_CREDREF_H

#include "aws/auth/credentials.h"
#include "config/config.h"
#include "core/error.h"

ir_rc ir_credref_provider(const ir_config *cfg, const ir_credential_ref *ref,
                          ir_aws_cred_provider **out, ir_err *err);

#endif
