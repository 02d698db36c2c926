/* Typed AWS STS operations (Query protocol, API version 2011-06-15):
 * AssumeRole and GetCallerIdentity. Build/parse/wrapper as in
 * aws/transport/message.h.
 * The request goes to the "sts" service of the target's region (the
 * signing region is the request's region). */
#ifndef IOTREG_AWS_STS_STS_H
#define IOTREG_AWS_STS_STS_H

#include <stdint.h>

#include "aws/auth/credentials.h"
#include "aws/transport/client.h"
#include "core/buf.h"

typedef ir_aws_target ir_sts_target;

#define IR_STS_MIN_DURATION_S 900
#define IR_STS_MAX_DURATION_S 43200

typedef struct ir_sts_assume_role_args {
    const char *role_arn;
    const char *role_session_name; /* 2..64 of [A-Za-z0-9_+=,.@-] */
    const char *external_id;       /* NULL: none sent */
    int duration_seconds;          /* 900..43200; 0: AWS's default (3600) */
} ir_sts_assume_role_args;

/* Temporary credentials. The secret key and session token are in cleansed
 * memory; never log them. */
typedef struct ir_sts_credentials {
    char *access_key_id;
    char *secret_access_key;
    char *session_token;
    int64_t expiration_ms; /* epoch ms */
    char *assumed_role_arn;
    char *assumed_role_id;
} ir_sts_credentials;
/* Cleanses the secrets, frees everything and zeroes sc. */
void ir_sts_credentials_free(ir_sts_credentials *sc);
/* An ir_aws_creds (reference for the caller) holding copies of sc's keys. */
ir_rc ir_sts_credentials_to_creds(const ir_sts_credentials *sc, ir_aws_creds **out, ir_err *err);

ir_rc ir_sts_build_assume_role(const ir_sts_target *t, const ir_sts_assume_role_args *args,
                               ir_aws_request *req, ir_buf *storage, ir_err *err);
/* Requires AccessKeyId, SecretAccessKey, SessionToken and Expiration. */
ir_rc ir_sts_parse_assume_role(const ir_aws_response *resp, ir_sts_credentials *out, ir_err *err);
/* AWS refusing the role (no or wrong ExternalId, untrusted caller) is
 * IR_ERR_AWS with aerr->type "AccessDenied". */
ir_rc ir_sts_assume_role(ir_aws_client *c, const ir_sts_target *t,
                         const ir_sts_assume_role_args *args, ir_sts_credentials *out,
                         ir_aws_error *aerr, ir_err *err);

typedef struct ir_sts_identity {
    char *account;
    char *arn;
    char *user_id;
} ir_sts_identity;
void ir_sts_identity_free(ir_sts_identity *id);

ir_rc ir_sts_build_get_caller_identity(const ir_sts_target *t, ir_aws_request *req, ir_buf *storage,
                                       ir_err *err);
ir_rc ir_sts_parse_get_caller_identity(const ir_aws_response *resp, ir_sts_identity *out,
                                       ir_err *err);
ir_rc ir_sts_get_caller_identity(ir_aws_client *c, const ir_sts_target *t, ir_sts_identity *out,
                                 ir_aws_error *aerr, ir_err *err);

/* ISO 8601 date-time as STS writes it (YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM))
 * to epoch ms. */
ir_rc ir_sts_parse_time(const char *s, int64_t *out_ms, ir_err *err);

#endif
