/* Keystore-backed AWS credentials. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "keystore/awscreds.h"

ir_rc ir_ks_kdate_cb(void *ctx, const char *date, unsigned char out[IR_AWS_KDATE_LEN],
                     ir_err *err)
{
    ir_ks_kdate_ctx *k = ctx;

    return ir_keystore_aws_kdate(k->ks, k->label, date, out, err);
}

ir_rc ir_keystore_aws_creds(ir_keystore *ks, const char *label, const char *access_key_id,
                            ir_aws_creds **out, ir_err *err)
{
    char stored[IR_KS_AKID_MAX + 1];
    ir_ks_kdate_ctx *ctx;
    ir_rc rc = ir_ks_check_name(label, err);

    *out = NULL;
    if (rc == IR_OK && access_key_id == NULL) {
        rc = ir_ks_aws_access_key_id(ks, label, stored, sizeof(stored), err);
        access_key_id = stored;
    }
    if (rc != IR_OK)
        return rc;
    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    ctx->ks = ks;
    snprintf(ctx->label, sizeof(ctx->label), "%s", label);
    rc = ir_aws_creds_new_kdate(access_key_id, ir_ks_kdate_cb, ctx, free, out, err);
    if (rc != IR_OK)
        free(ctx);
    return rc;
}
