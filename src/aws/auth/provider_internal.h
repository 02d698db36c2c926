/* The inside of a credential provider: each kind (static, environment,
 * profile, refreshing) embeds ir_aws_cred_provider first and fills its ops. */
#ifndef IOTREG_AWS_AUTH_PROVIDER_INTERNAL_H
#define IOTREG_AWS_AUTH_PROVIDER_INTERNAL_H

#include "aws/auth/credentials.h"

#define IR_CRED_DESCRIPTION_MAX 256

typedef struct ir_aws_cred_provider_ops {
    ir_rc (*get)(ir_aws_cred_provider *p, ir_aws_creds **out, ir_err *err);
    void (*free)(ir_aws_cred_provider *p);
} ir_aws_cred_provider_ops;

struct ir_aws_cred_provider {
    const ir_aws_cred_provider_ops *ops;
    char description[IR_CRED_DESCRIPTION_MAX];
};

/* Parses the shared credentials file text in data for profile; fills the
 * three values (session_token NULL when absent), which the caller frees with
 * ir_secret_strfree. file names the file in error messages. */
typedef struct ir_aws_profile_values {
    char *access_key_id;
    char *secret_access_key;
    char *session_token;
} ir_aws_profile_values;

ir_rc ir_aws_profile_parse(const char *data, size_t len, const char *file, const char *profile,
                           ir_aws_profile_values *out, ir_err *err);
void ir_aws_profile_values_free(ir_aws_profile_values *v);

#endif
