/* The registration record: JSON in a data object of the token. */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/subca_register.h"

#define RECORD_MAX (256u << 10)

static void copy_str(json_t *obj, const char *key, char *out, size_t size)
{
    const char *v = json_string_value(json_object_get(obj, key));

    snprintf(out, size, "%s", v != NULL ? v : "");
}

static void entry_from_json(json_t *e, ir_subca_registration *r)
{
    memset(r, 0, sizeof(*r));
    copy_str(e, "account", r->account, sizeof(r->account));
    copy_str(e, "accountId", r->account_id, sizeof(r->account_id));
    copy_str(e, "region", r->region, sizeof(r->region));
    copy_str(e, "caCertificateId", r->ca_certificate_id, sizeof(r->ca_certificate_id));
    copy_str(e, "caCertificateArn", r->ca_certificate_arn, sizeof(r->ca_certificate_arn));
    copy_str(e, "registrationCode", r->registration_code, sizeof(r->registration_code));
    copy_str(e, "status", r->status, sizeof(r->status));
    copy_str(e, "registeredAt", r->registered_at, sizeof(r->registered_at));
    copy_str(e, "certificateMode", r->mode, sizeof(r->mode));
    if (r->mode[0] == '\0')
        snprintf(r->mode, sizeof(r->mode), "DEFAULT");
}

static json_t *entry_to_json(const ir_subca_registration *r, const char *verification_pem)
{
    json_t *e =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "account", r->account,
                  "accountId", r->account_id, "region", r->region, "caCertificateId",
                  r->ca_certificate_id, "caCertificateArn", r->ca_certificate_arn,
                  "registrationCode", r->registration_code, "status", r->status, "registeredAt",
                  r->registered_at, "certificateMode", r->mode[0] != '\0' ? r->mode : "DEFAULT");

    if (e != NULL && verification_pem != NULL)
        json_object_set_new(e, "verificationCertificate", json_string(verification_pem));
    return e;
}

/* The record, or a new empty one when the SubCA has none yet. */
static ir_rc load_record(ir_keystore *ks, const char *subca, json_t **out, ir_err *err)
{
    ir_buf b;
    json_error_t jerr;
    ir_rc rc;

    ir_buf_init(&b, RECORD_MAX);
    rc = ir_ks_read_data(ks, subca, IR_KS_APP_REGISTRATION, &b, err);
    if (rc == IR_ERR_NOT_FOUND) {
        ir_buf_free(&b);
        *out = json_pack("{s:s, s:[]}", "subca", subca, "registrations");
        return *out != NULL ? IR_OK : ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    }
    if (rc == IR_OK) {
        *out = json_loadb((const char *)b.data, b.len, 0, &jerr);
        if (*out == NULL || !json_is_array(json_object_get(*out, "registrations"))) {
            json_decref(*out);
            rc = ir_err_set(err, IR_ERR_PARSE,
                            "the registration record of '%s' in the token is not valid JSON (%s)",
                            subca, jerr.text);
        }
    }
    ir_buf_free(&b);
    return rc;
}

ir_rc ir_subca_registrations(ir_keystore *ks, const char *subca, ir_subca_registration **out,
                             size_t *n, ir_err *err)
{
    json_t *rec = NULL, *regs;
    size_t i;
    ir_rc rc = load_record(ks, subca, &rec, err);

    *out = NULL;
    *n = 0;
    if (rc != IR_OK)
        return rc;
    regs = json_object_get(rec, "registrations");
    *out = calloc(json_array_size(regs) + 1, sizeof(**out));
    if (*out == NULL) {
        json_decref(rec);
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < json_array_size(regs); i++)
        entry_from_json(json_array_get(regs, i), &(*out)[(*n)++]);
    json_decref(rec);
    return IR_OK;
}

/* Index of the entry for the same account id and region, or -1. */
static long find_entry(json_t *regs, const ir_subca_registration *r)
{
    size_t i;
    json_t *e;

    json_array_foreach(regs, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "accountId"));
        const char *region = json_string_value(json_object_get(e, "region"));
        if (id != NULL && region != NULL && strcmp(id, r->account_id) == 0 &&
            strcmp(region, r->region) == 0)
            return (long)i;
    }
    return -1;
}

static ir_rc save_record(ir_keystore *ks, const char *subca, json_t *rec, ir_err *err)
{
    char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
    ir_rc rc;

    if (text == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    rc = ir_ks_store_data(ks, subca, IR_KS_APP_REGISTRATION, text, strlen(text), err);
    free(text);
    return rc;
}

ir_rc ir_subca_record_registration(ir_keystore *ks, const char *subca,
                                   const ir_subca_registration *reg, const char *verification_pem,
                                   ir_err *err)
{
    json_t *rec = NULL, *regs, *entry, *old_pem;
    long at;
    ir_rc rc = load_record(ks, subca, &rec, err);

    if (rc != IR_OK)
        return rc;
    regs = json_object_get(rec, "registrations");
    at = find_entry(regs, reg);
    old_pem = at >= 0 ? json_object_get(json_array_get(regs, (size_t)at), "verificationCertificate")
                      : NULL;
    entry = entry_to_json(reg,
                          verification_pem != NULL ? verification_pem : json_string_value(old_pem));
    if (entry == NULL)
        rc = ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    else if (at >= 0)
        json_array_set_new(regs, (size_t)at, entry);
    else
        json_array_append_new(regs, entry);
    if (rc == IR_OK)
        rc = save_record(ks, subca, rec, err);
    json_decref(rec);
    return rc;
}
