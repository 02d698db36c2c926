/* A credential provider that assumes a customer's IAM role with the CSP's
 * credentials (STS AssumeRole with the per-customer ExternalId). Built on
 * ir_aws_cred_provider_refreshing: the temporary credentials are cached and
 * one AssumeRole is made per refresh, when they are missing or expire within
 * the margin, however many threads ask at once. */
#ifndef IOTREG_AWS_AUTH_ASSUME_ROLE_H
#define IOTREG_AWS_AUTH_ASSUME_ROLE_H

#include <stdint.h>

#include "aws/auth/credentials.h"
#include "aws/transport/client.h"

#define IR_ASSUME_ROLE_DEFAULT_SESSION   "iotreg"
#define IR_ASSUME_ROLE_DEFAULT_MARGIN_MS (5 * 60 * 1000)

typedef struct ir_assume_role_opts {
    /* Borrowed: the client and source.creds must outlive the provider. */
    ir_aws_client *client;
    ir_aws_target source; /* the CSP's credentials and the STS region/endpoint; strings copied */
    const char *role_arn;
    const char *external_id;  /* NULL: none is sent */
    const char *session_name; /* NULL: IR_ASSUME_ROLE_DEFAULT_SESSION */
    int duration_seconds;     /* 900..43200; 0: AWS's default (3600) */
    int64_t margin_ms;        /* refresh this long before expiry; 0: the default */
} ir_assume_role_opts;

/* Getting credentials from it fails with IR_ERR_BUSY when STS stayed
 * throttling or unavailable through the client's retries (worth another
 * try later), with IR_ERR_AWS when STS refused the role. */
ir_rc ir_aws_cred_provider_assume_role(const ir_assume_role_opts *opts, ir_aws_cred_provider **out,
                                       ir_err *err);

#endif
