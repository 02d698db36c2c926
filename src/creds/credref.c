#include "autoconf.h"

#include "creds/credref.h"

#include <stdlib.h>
#include <string.h>

#include "core/secret.h"
#include "core/util.h"
#include "keystore/keystore.h"

#define SECRET_FILE_MAX 1024

/* kDate callback context: the token holds the secret. */
typedef struct hsm_secret {
    ir_keystore *ks;
    char label[IR_KS_LABEL_MAX + 1];
} hsm_secret;

static ir_rc hsm_kdate(void *ctx, const char *date, unsigned char out[IR_AWS_KDATE_LEN],
                       ir_err *err)
{
    hsm_secret *h = ctx;

    return ir_keystore_aws_kdate(h->ks, h->label, date, out, err);
}

static void hsm_secret_free(void *ctx)
{
    hsm_secret *h = ctx;

    ir_keystore_close(h->ks);
    free(h);
}

static ir_rc open_keystore(const ir_config *cfg, ir_keystore **out, ir_err *err)
{
    ir_keystore_opts o = {0};
    ir_rc rc;

    o.module = cfg->keystore.module;
    o.token_label = cfg->keystore.token_label;
    o.pin_file = cfg->keystore.pin_file;
    o.softhsm_dir = cfg->keystore.softhsm_dir;
    o.config_path = cfg->path;
    rc = ir_keystore_open(&o, out, err);
    if (rc != IR_OK)
        return rc;
    rc = ir_keystore_login(*out, NULL, NULL, err);
    if (rc != IR_OK) {
        ir_keystore_close(*out);
        *out = NULL;
    }
    return rc;
}

static ir_rc keystore_creds(const ir_config *cfg, const ir_credential_ref *ref, ir_aws_creds **out,
                            ir_err *err)
{
    char akid[IR_KS_AKID_MAX];
    hsm_secret *h = calloc(1, sizeof(*h));
    ir_rc rc;

    if (h == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    if (ir_strlcpy(h->label, ref->keystore_name, sizeof(h->label))) {
        free(h);
        return ir_err_set(err, IR_ERR_CONFIG, "keystore secret name '%s' is too long",
                          ref->keystore_name);
    }
    rc = open_keystore(cfg, &h->ks, err);
    if (rc == IR_OK)
        rc = ir_ks_aws_access_key_id(h->ks, h->label, akid, sizeof(akid), err);
    if (rc == IR_OK && ref->access_key_id != NULL && strcmp(ref->access_key_id, akid) != 0)
        rc = ir_err_set(err, IR_ERR_CONFIG,
                        "the keystore secret '%s' belongs to access key %s, the configuration "
                        "names %s; store the right secret with iotregctl secret set-aws",
                        h->label, akid, ref->access_key_id);
    if (rc == IR_OK)
        rc = ir_aws_creds_new_kdate(akid, hsm_kdate, h, hsm_secret_free, out, err);
    if (rc != IR_OK)
        hsm_secret_free(h);
    return rc;
}

/* The secret file holds the secret access key alone, maybe with a newline. */
static ir_rc file_creds(const ir_credential_ref *ref, ir_aws_creds **out, ir_err *err)
{
    ir_secret *s = NULL;
    ir_rc rc = ir_secret_file_read(ref->secret_file, SECRET_FILE_MAX, &s, err);

    if (rc != IR_OK)
        return rc;
    ir_secret_trim_end(s, " \t\r\n\f\v");
    if (ir_secret_len(s) == 0)
        rc = ir_err_set(err, IR_ERR_CONFIG,
                        "secret file %s is empty; write the secret access key into it",
                        ref->secret_file);
    else if (strlen(ir_secret_cstr(s)) != ir_secret_len(s))
        rc =
            ir_err_set(err, IR_ERR_CONFIG,
                       "secret file %s holds a NUL byte; write the secret access key alone into it",
                       ref->secret_file);
    if (rc == IR_OK)
        rc = ir_aws_creds_new_secret(ref->access_key_id, ir_secret_cstr(s), NULL, 0, out, err);
    ir_secret_destroy(s);
    return rc;
}

static ir_rc static_provider(ir_aws_creds *creds, ir_aws_cred_provider **out, ir_err *err)
{
    ir_rc rc = ir_aws_cred_provider_static(creds, out, err);

    ir_aws_creds_unref(creds);
    return rc;
}

ir_rc ir_credref_provider(const ir_config *cfg, const ir_credential_ref *ref,
                          ir_aws_cred_provider **out, ir_err *err)
{
    ir_aws_creds *creds = NULL;
    ir_rc rc;

    switch (ref->source) {
    case IR_CRED_ENVIRONMENT:
        return ir_aws_cred_provider_env(out, err);
    case IR_CRED_PROFILE:
        return ir_aws_cred_provider_profile(ref->profile_file, ref->profile, out, err);
    case IR_CRED_FILE:
        rc = file_creds(ref, &creds, err);
        return rc != IR_OK ? rc : static_provider(creds, out, err);
    case IR_CRED_KEYSTORE:
        rc = keystore_creds(cfg, ref, &creds, err);
        return rc != IR_OK ? rc : static_provider(creds, out, err);
    }
    return ir_err_set(err, IR_ERR_CONFIG, "unknown credential source %d", (int)ref->source);
}
