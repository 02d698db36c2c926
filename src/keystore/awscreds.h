/* AWS credentials backed by the keystore: the access key id stored with the
 * secret, and kDate computed inside the token (ir_keystore_aws_kdate) as the
 * kdate callback of src/aws/credentials.h. */
#ifndef IOTREG_KEYSTORE_AWSCREDS_H
#define IOTREG_KEYSTORE_AWSCREDS_H

#include "aws/credentials.h"
#include "keystore/keystore.h"

/* The callback itself: ctx is an ir_ks_kdate_ctx. */
typedef struct ir_ks_kdate_ctx {
    ir_keystore *ks;
    char label[IR_KS_LABEL_MAX + 1];
} ir_ks_kdate_ctx;

ir_rc ir_ks_kdate_cb(void *ctx, const char *date, unsigned char out[IR_AWS_KDATE_LEN],
                     ir_err *err);

/* Credentials for the secret labelled label; access_key_id NULL takes the
 * one stored with it. ks must outlive the credentials. */
ir_rc ir_keystore_aws_creds(ir_keystore *ks, const char *label, const char *access_key_id,
                            ir_aws_creds **out, ir_err *err);

#endif
