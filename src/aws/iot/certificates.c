/* Device certificates: RegisterCertificate, RegisterCertificateWithoutCA,
 * DescribeCertificate, UpdateCertificate, DeleteCertificate, ListCertificates;
 * and what the CA certificates' operations (ca.c) share with them: statuses,
 * Register* calls, descriptions and list elements. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot_internal.h"

/* ---- statuses ---- */

static const char *const status_names[] = {
    [IR_IOT_STATUS_ACTIVE] = "ACTIVE",
    [IR_IOT_STATUS_INACTIVE] = "INACTIVE",
    [IR_IOT_STATUS_REVOKED] = "REVOKED",
    [IR_IOT_STATUS_PENDING_TRANSFER] = "PENDING_TRANSFER",
    [IR_IOT_STATUS_REGISTER_INACTIVE] = "REGISTER_INACTIVE",
    [IR_IOT_STATUS_PENDING_ACTIVATION] = "PENDING_ACTIVATION",
};

const char *ir_iot_cert_status_name(ir_iot_cert_status s)
{
    if (s <= IR_IOT_STATUS_NONE || s >= IR_IOT_STATUS_UNKNOWN)
        return NULL;
    return status_names[s];
}

ir_iot_cert_status ir_iot_cert_status_from_name(const char *name)
{
    int s;

    for (s = IR_IOT_STATUS_ACTIVE; s < IR_IOT_STATUS_UNKNOWN; s++)
        if (name != NULL && strcmp(name, status_names[s]) == 0)
            return (ir_iot_cert_status)s;
    return IR_IOT_STATUS_UNKNOWN;
}

/* ---- shared with the CA operations ---- */

ir_rc ir_iot_build_cert_op(ir_ops_req *b, const ir_iot_target *t, const char *op,
                           const char *method, const char *prefix, const char *id,
                           ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_rc rc = ir_iot_begin(b, t, op, method, req, storage, err);

    if (rc == IR_OK)
        rc = ir_iot_check_cert_id(op, id, err);
    if (rc == IR_OK)
        rc = ir_ops_req_path(b, prefix, id, NULL, err);
    return rc;
}

/* What every Register* response holds. */
static const ir_iot_json_field cert_ref_fields[] = {
    IR_IOT_STR(ir_iot_cert_ref, certificate_id, "certificateId", true),
    IR_IOT_STR(ir_iot_cert_ref, certificate_arn, "certificateArn", true),
};

void ir_iot_cert_ref_free(ir_iot_cert_ref *r)
{
    ir_iot_json_fields_free(IR_IOT_FIELDS(cert_ref_fields), r);
}

ir_rc ir_iot_parse_cert_ref(const ir_aws_response *resp, const char *op, ir_iot_cert_ref *out,
                            ir_err *err)
{
    json_t *root;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_fields(root, NULL, IR_IOT_FIELDS(cert_ref_fields), out, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, op, err);
}

ir_rc ir_iot_call_register(ir_aws_client *c, ir_ops_call *k, ir_rc build_rc, const char *op,
                           ir_iot_cert_ref *out, ir_aws_error *aerr, ir_err *err)
{
    ir_rc rc = ir_ops_call_send(c, k, build_rc, aerr, err);

    if (rc == IR_OK)
        rc = ir_iot_parse_cert_ref(&k->resp, op, out, err);
    else
        ir_iot_keep_existing(k, rc, &out->certificate_id, &out->certificate_arn);
    return ir_ops_call_end(k, rc);
}

ir_rc ir_iot_parse_description(const ir_aws_response *resp, const char *op,
                               const ir_iot_json_field *fields, size_t n, ir_iot_more_fn more,
                               void *out, ir_err *err)
{
    json_t *root, *desc = NULL;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_object(root, NULL, "certificateDescription", true, &desc, err);
    if (rc == IR_OK)
        rc = ir_iot_json_fields(desc, "certificateDescription", fields, n, out, err);
    if (rc == IR_OK && more != NULL)
        rc = more(desc, out, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, op, err);
}

static const ir_iot_json_field summary_fields[] = {
    IR_IOT_STR(ir_iot_cert_summary, certificate_id, "certificateId", true),
    IR_IOT_STR(ir_iot_cert_summary, certificate_arn, "certificateArn", false),
    IR_IOT_STATUS(ir_iot_cert_summary, status, false),
    IR_IOT_STR(ir_iot_cert_summary, certificate_mode, "certificateMode", false),
    IR_IOT_DATE(ir_iot_cert_summary, creation_date_ms, "creationDate"),
};

/* ListCertificates and ListCACertificates: the same elements at two paths. */
const ir_iot_list_shape ir_iot_cert_list_shape =
    IR_IOT_LIST_OF("ListCertificates", "/certificates", "certificates", "nextMarker",
                   ir_iot_cert_summary, summary_fields);
const ir_iot_list_shape ir_iot_ca_list_shape =
    IR_IOT_LIST_OF("ListCACertificates", "/cacertificates", "certificates", "nextMarker",
                   ir_iot_cert_summary, summary_fields);

void ir_iot_cert_list_free(ir_iot_cert_list *l)
{
    ir_iot_list_free(&ir_iot_cert_list_shape, (void **)&l->items, &l->n, &l->next_marker);
}

ir_rc ir_iot_list_cert_page(ir_aws_client *c, const ir_iot_target *t,
                            const ir_iot_list_shape *shape, const ir_iot_page_opts *page,
                            ir_iot_cert_list *out, ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_iot_build_list(t, shape, page, &k.req, &k.storage, err);

    return ir_iot_call_list(c, &k, rc, shape, (void **)&out->items, &out->n, &out->next_marker,
                            aerr, err);
}

typedef struct cert_pages {
    const ir_iot_list_shape *shape;
    int page_size;
} cert_pages;

static ir_rc fetch_cert_page(ir_aws_client *c, const ir_iot_target *t, const void *ctx,
                             const char *marker, void *list, ir_aws_error *aerr, ir_err *err)
{
    const cert_pages *p = ctx;
    ir_iot_page_opts page = {p->page_size, marker, false};

    return ir_iot_list_cert_page(c, t, p->shape, &page, list, aerr, err);
}

ir_rc ir_iot_list_all_cert_pages(ir_aws_client *c, const ir_iot_target *t,
                                 const ir_iot_list_shape *shape, int page_size,
                                 ir_iot_cert_list *out, ir_aws_error *aerr, ir_err *err)
{
    cert_pages p = {shape, page_size};

    return ir_iot_follow_pages(c, t, fetch_cert_page, &p, out, &out->next_marker, aerr, err);
}

/* ---- RegisterCertificate, RegisterCertificateWithoutCA ---- */

static ir_rc check_register_args(const char *op, const ir_iot_register_cert_args *a, ir_err *err)
{
    ir_rc rc;

    if (a == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: no arguments", op);
    rc = ir_iot_check_text(op, "certificatePem", a->certificate_pem, 1, IR_IOT_MAX_PEM_CHARS, err);
    if (rc == IR_OK && a->ca_certificate_pem != NULL)
        rc = ir_iot_check_text(op, "caCertificatePem", a->ca_certificate_pem, 1,
                               IR_IOT_MAX_PEM_CHARS, err);
    if (rc == IR_OK && a->status != IR_IOT_STATUS_NONE &&
        ir_iot_cert_status_name(a->status) == NULL)
        rc = ir_err_set(err, IR_ERR_INVALID_ARG, "%s: invalid certificate status", op);
    return rc;
}

static ir_rc build_register(const ir_iot_target *t, const char *op, const char *path,
                            const ir_iot_register_cert_args *args, bool with_ca,
                            ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = ir_iot_begin(&b, t, op, "POST", req, storage, err);

    if (rc == IR_OK)
        rc = check_register_args(op, args, err);
    if (rc == IR_OK)
        rc = ir_ops_req_path(&b, path, NULL, NULL, err);
    if (rc == IR_OK) {
        ir_iot_json_member body[] = {
            {"certificatePem", args->certificate_pem},
            {"caCertificatePem", with_ca ? args->ca_certificate_pem : NULL},
            {"status", ir_iot_cert_status_name(args->status)},
        };
        rc = ir_iot_json_body_members(&b, IR_IOT_FIELDS(body), err);
    }
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_build_register_certificate(const ir_iot_target *t,
                                        const ir_iot_register_cert_args *args, ir_aws_request *req,
                                        ir_buf *storage, ir_err *err)
{
    return build_register(t, "RegisterCertificate", "/certificate/register", args, true, req,
                          storage, err);
}

ir_rc ir_iot_parse_register_certificate(const ir_aws_response *resp, ir_iot_cert_ref *out,
                                        ir_err *err)
{
    return ir_iot_parse_cert_ref(resp, "RegisterCertificate", out, err);
}

ir_rc ir_iot_register_certificate(ir_aws_client *c, const ir_iot_target *t,
                                  const ir_iot_register_cert_args *args, ir_iot_cert_ref *out,
                                  ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_iot_build_register_certificate(t, args, &k.req, &k.storage, err);

    return ir_iot_call_register(c, &k, rc, "RegisterCertificate", out, aerr, err);
}

ir_rc ir_iot_build_register_certificate_without_ca(const ir_iot_target *t,
                                                   const ir_iot_register_cert_args *args,
                                                   ir_aws_request *req, ir_buf *storage,
                                                   ir_err *err)
{
    return build_register(t, "RegisterCertificateWithoutCA", "/certificate/register-no-ca", args,
                          false, req, storage, err);
}

ir_rc ir_iot_parse_register_certificate_without_ca(const ir_aws_response *resp,
                                                   ir_iot_cert_ref *out, ir_err *err)
{
    return ir_iot_parse_cert_ref(resp, "RegisterCertificateWithoutCA", out, err);
}

ir_rc ir_iot_register_certificate_without_ca(ir_aws_client *c, const ir_iot_target *t,
                                             const ir_iot_register_cert_args *args,
                                             ir_iot_cert_ref *out, ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_iot_build_register_certificate_without_ca(t, args, &k.req, &k.storage, err);

    return ir_iot_call_register(c, &k, rc, "RegisterCertificateWithoutCA", out, aerr, err);
}

/* ---- DescribeCertificate ---- */

static const ir_iot_json_field desc_fields[] = {
    IR_IOT_STR(ir_iot_cert_desc, certificate_id, "certificateId", true),
    IR_IOT_STR(ir_iot_cert_desc, certificate_arn, "certificateArn", true),
    IR_IOT_STR(ir_iot_cert_desc, ca_certificate_id, "caCertificateId", false),
    IR_IOT_STR(ir_iot_cert_desc, certificate_pem, "certificatePem", false),
    IR_IOT_STR(ir_iot_cert_desc, owned_by, "ownedBy", false),
    IR_IOT_STR(ir_iot_cert_desc, previous_owned_by, "previousOwnedBy", false),
    IR_IOT_STR(ir_iot_cert_desc, certificate_mode, "certificateMode", false),
    IR_IOT_STATUS(ir_iot_cert_desc, status, true),
    IR_IOT_DATE(ir_iot_cert_desc, creation_date_ms, "creationDate"),
    IR_IOT_DATE(ir_iot_cert_desc, last_modified_date_ms, "lastModifiedDate"),
};

static const ir_iot_json_field transfer_fields[] = {
    IR_IOT_STR(ir_iot_transfer_data, transfer_message, "transferMessage", false),
    IR_IOT_STR(ir_iot_transfer_data, reject_reason, "rejectReason", false),
    IR_IOT_DATE(ir_iot_transfer_data, transfer_date_ms, "transferDate"),
    IR_IOT_DATE(ir_iot_transfer_data, accept_date_ms, "acceptDate"),
    IR_IOT_DATE(ir_iot_transfer_data, reject_date_ms, "rejectDate"),
};

void ir_iot_cert_desc_free(ir_iot_cert_desc *d)
{
    ir_iot_json_fields_free(IR_IOT_FIELDS(desc_fields), d);
    ir_iot_json_fields_free(IR_IOT_FIELDS(transfer_fields), &d->transfer_data);
    memset(d, 0, sizeof(*d));
}

ir_rc ir_iot_build_describe_certificate(const ir_iot_target *t, const char *certificate_id,
                                        ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = ir_iot_build_cert_op(&b, t, "DescribeCertificate", "GET", "/certificates/",
                                    certificate_id, req, storage, err);

    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

/* The optional certificateDescription.transferData. */
static ir_rc parse_transfer_data(const json_t *desc, void *slot, ir_err *err)
{
    ir_iot_cert_desc *out = slot;
    json_t *obj = NULL;
    ir_rc rc = ir_iot_json_object(desc, "certificateDescription", "transferData", false, &obj, err);

    if (rc != IR_OK || obj == NULL)
        return rc;
    out->has_transfer_data = true;
    return ir_iot_json_fields(obj, "certificateDescription.transferData",
                              IR_IOT_FIELDS(transfer_fields), &out->transfer_data, err);
}

ir_rc ir_iot_parse_describe_certificate(const ir_aws_response *resp, ir_iot_cert_desc *out,
                                        ir_err *err)
{
    return ir_iot_parse_description(resp, "DescribeCertificate", IR_IOT_FIELDS(desc_fields),
                                    parse_transfer_data, out, err);
}

ir_rc ir_iot_describe_certificate(ir_aws_client *c, const ir_iot_target *t,
                                  const char *certificate_id, ir_iot_cert_desc *out,
                                  ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_ops_call_send(
        c, &k, ir_iot_build_describe_certificate(t, certificate_id, &k.req, &k.storage, err), aerr,
        err);

    if (rc == IR_OK)
        rc = ir_iot_parse_describe_certificate(&k.resp, out, err);
    return ir_ops_call_end(&k, rc);
}

/* ---- UpdateCertificate, DeleteCertificate ---- */

ir_rc ir_iot_build_update_certificate(const ir_iot_target *t, const char *certificate_id,
                                      ir_iot_cert_status new_status, ir_aws_request *req,
                                      ir_buf *storage, ir_err *err)
{
    const char *status = ir_iot_cert_status_name(new_status);
    ir_ops_req b;
    ir_rc rc = ir_iot_build_cert_op(&b, t, "UpdateCertificate", "PUT", "/certificates/",
                                    certificate_id, req, storage, err);

    if (rc == IR_OK && status == NULL)
        rc = ir_err_set(err, IR_ERR_INVALID_ARG, "UpdateCertificate: newStatus is required");
    if (rc == IR_OK)
        rc = ir_ops_req_query(&b, "newStatus", status, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_update_certificate(ir_aws_client *c, const ir_iot_target *t,
                                const char *certificate_id, ir_iot_cert_status new_status,
                                ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc =
        ir_iot_build_update_certificate(t, certificate_id, new_status, &k.req, &k.storage, err);

    return ir_iot_call_empty(c, &k, rc, aerr, err);
}

ir_rc ir_iot_build_delete_certificate(const ir_iot_target *t, const char *certificate_id,
                                      bool force_delete, ir_aws_request *req, ir_buf *storage,
                                      ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = ir_iot_build_cert_op(&b, t, "DeleteCertificate", "DELETE", "/certificates/",
                                    certificate_id, req, storage, err);

    if (rc == IR_OK && force_delete)
        rc = ir_ops_req_query_bool(&b, "forceDelete", true, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_delete_certificate(ir_aws_client *c, const ir_iot_target *t,
                                const char *certificate_id, bool force_delete, ir_aws_error *aerr,
                                ir_err *err)
{
    ir_ops_call k;
    ir_rc rc =
        ir_iot_build_delete_certificate(t, certificate_id, force_delete, &k.req, &k.storage, err);

    return ir_iot_call_empty(c, &k, rc, aerr, err);
}

/* ---- ListCertificates ---- */

ir_rc ir_iot_build_list_certificates(const ir_iot_target *t, const ir_iot_page_opts *page,
                                     ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    return ir_iot_build_list(t, &ir_iot_cert_list_shape, page, req, storage, err);
}

ir_rc ir_iot_parse_list_certificates(const ir_aws_response *resp, ir_iot_cert_list *out,
                                     ir_err *err)
{
    return ir_iot_parse_list(resp, &ir_iot_cert_list_shape, (void **)&out->items, &out->n,
                             &out->next_marker, err);
}

ir_rc ir_iot_list_certificates(ir_aws_client *c, const ir_iot_target *t,
                               const ir_iot_page_opts *page, ir_iot_cert_list *out,
                               ir_aws_error *aerr, ir_err *err)
{
    return ir_iot_list_cert_page(c, t, &ir_iot_cert_list_shape, page, out, aerr, err);
}

ir_rc ir_iot_list_all_certificates(ir_aws_client *c, const ir_iot_target *t, int page_size,
                                   ir_iot_cert_list *out, ir_aws_error *aerr, ir_err *err)
{
    return ir_iot_list_all_cert_pages(c, t, &ir_iot_cert_list_shape, page_size, out, aerr, err);
}
