/* Device certificates: RegisterCertificate, RegisterCertificateWithoutCA,
 * DescribeCertificate, UpdateCertificate, DeleteCertificate, ListCertificates. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot_internal.h"

#define IR_IOT_MAX_PEM_CHARS 65536

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

static ir_rc register_body(ir_ops_req *b, const ir_iot_register_cert_args *a, bool with_ca,
                           ir_err *err)
{
    const char *op = b->req->operation;
    json_t *body = json_object();
    ir_rc rc = body != NULL ? IR_OK : ir_err_set(err, IR_ERR_NOMEM, "out of memory");

    if (rc == IR_OK)
        rc = ir_iot_json_set_str(body, op, "certificatePem", a->certificate_pem, err);
    if (rc == IR_OK && with_ca)
        rc = ir_iot_json_set_str(body, op, "caCertificatePem", a->ca_certificate_pem, err);
    if (rc == IR_OK)
        rc = ir_iot_json_set_str(body, op, "status", ir_iot_cert_status_name(a->status), err);
    if (rc == IR_OK)
        rc = ir_iot_json_body(b, body, err);
    json_decref(body);
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
    if (rc == IR_OK)
        rc = register_body(&b, args, with_ca, err);
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

/* Sends a Register* request; a duplicate leaves the existing ids in out. */
static ir_rc call_register(ir_aws_client *c, ir_rc build_rc, const ir_aws_request *req, ir_buf *st,
                           const char *op, ir_iot_cert_ref *out, ir_aws_error *aerr, ir_err *err)
{
    ir_aws_response resp;
    ir_aws_error local;
    ir_rc rc;

    aerr = aerr != NULL ? aerr : &local;
    rc = ir_ops_send_built(c, build_rc, req, st, &resp, aerr, err);
    if (rc == IR_OK)
        rc = ir_iot_parse_cert_ref(&resp, op, out, err);
    else if (rc == IR_ERR_AWS)
        ir_iot_keep_existing(&resp, aerr, &out->certificate_id, &out->certificate_arn);
    ir_aws_response_free(&resp);
    return rc;
}

ir_rc ir_iot_register_certificate(ir_aws_client *c, const ir_iot_target *t,
                                  const ir_iot_register_cert_args *args, ir_iot_cert_ref *out,
                                  ir_aws_error *aerr, ir_err *err)
{
    ir_aws_request req;
    ir_buf st;
    ir_rc rc = ir_iot_build_register_certificate(t, args, &req, &st, err);

    return call_register(c, rc, &req, &st, "RegisterCertificate", out, aerr, err);
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
    ir_aws_request req;
    ir_buf st;
    ir_rc rc = ir_iot_build_register_certificate_without_ca(t, args, &req, &st, err);

    return call_register(c, rc, &req, &st, "RegisterCertificateWithoutCA", out, aerr, err);
}

/* ---- DescribeCertificate ---- */

void ir_iot_cert_desc_free(ir_iot_cert_desc *d)
{
    ir_iot_strfree(&d->certificate_id);
    ir_iot_strfree(&d->certificate_arn);
    ir_iot_strfree(&d->ca_certificate_id);
    ir_iot_strfree(&d->certificate_pem);
    ir_iot_strfree(&d->owned_by);
    ir_iot_strfree(&d->previous_owned_by);
    ir_iot_strfree(&d->certificate_mode);
    ir_iot_strfree(&d->transfer_data.transfer_message);
    ir_iot_strfree(&d->transfer_data.reject_reason);
    memset(d, 0, sizeof(*d));
}

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

static ir_rc parse_transfer_data(const json_t *d, ir_iot_cert_desc *out, ir_err *err)
{
    const char *w = "certificateDescription.transferData";
    ir_iot_transfer_data *td = &out->transfer_data;
    json_t *obj = NULL;
    ir_rc rc = ir_iot_json_object(d, "certificateDescription", "transferData", false, &obj, err);

    if (rc != IR_OK || obj == NULL)
        return rc;
    out->has_transfer_data = true;
    rc = ir_iot_json_str(obj, w, "transferMessage", false, &td->transfer_message, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(obj, w, "rejectReason", false, &td->reject_reason, err);
    if (rc == IR_OK)
        rc = ir_iot_json_date_ms(obj, w, "transferDate", &td->transfer_date_ms, err);
    if (rc == IR_OK)
        rc = ir_iot_json_date_ms(obj, w, "acceptDate", &td->accept_date_ms, err);
    if (rc == IR_OK)
        rc = ir_iot_json_date_ms(obj, w, "rejectDate", &td->reject_date_ms, err);
    return rc;
}

static ir_rc parse_cert_strings(const json_t *d, ir_iot_cert_desc *out, ir_err *err)
{
    const char *w = "certificateDescription";
    ir_rc rc = ir_iot_json_str(d, w, "certificateId", true, &out->certificate_id, err);

    if (rc == IR_OK)
        rc = ir_iot_json_str(d, w, "certificateArn", true, &out->certificate_arn, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(d, w, "caCertificateId", false, &out->ca_certificate_id, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(d, w, "certificatePem", false, &out->certificate_pem, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(d, w, "ownedBy", false, &out->owned_by, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(d, w, "previousOwnedBy", false, &out->previous_owned_by, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(d, w, "certificateMode", false, &out->certificate_mode, err);
    return rc;
}

static ir_rc parse_cert_desc(const json_t *d, ir_iot_cert_desc *out, ir_err *err)
{
    const char *w = "certificateDescription";
    ir_rc rc = parse_cert_strings(d, out, err);

    if (rc == IR_OK)
        rc = ir_iot_json_status(d, w, true, &out->status, err);
    if (rc == IR_OK)
        rc = ir_iot_json_date_ms(d, w, "creationDate", &out->creation_date_ms, err);
    if (rc == IR_OK)
        rc = ir_iot_json_date_ms(d, w, "lastModifiedDate", &out->last_modified_date_ms, err);
    if (rc == IR_OK)
        rc = parse_transfer_data(d, out, err);
    return rc;
}

ir_rc ir_iot_parse_describe_certificate(const ir_aws_response *resp, ir_iot_cert_desc *out,
                                        ir_err *err)
{
    json_t *root, *desc = NULL;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_object(root, NULL, "certificateDescription", true, &desc, err);
    if (rc == IR_OK)
        rc = parse_cert_desc(desc, out, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, "DescribeCertificate", err);
}

ir_rc ir_iot_describe_certificate(ir_aws_client *c, const ir_iot_target *t,
                                  const char *certificate_id, ir_iot_cert_desc *out,
                                  ir_aws_error *aerr, ir_err *err)
{
    ir_aws_request req;
    ir_aws_response resp;
    ir_buf st;
    ir_rc rc = ir_iot_build_describe_certificate(t, certificate_id, &req, &st, err);

    rc = ir_ops_send_built(c, rc, &req, &st, &resp, aerr, err);
    if (rc == IR_OK)
        rc = ir_iot_parse_describe_certificate(&resp, out, err);
    ir_aws_response_free(&resp);
    return rc;
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
    ir_aws_request req;
    ir_buf st;
    ir_rc rc = ir_iot_build_update_certificate(t, certificate_id, new_status, &req, &st, err);

    return ir_iot_call_empty(c, rc, &req, &st, aerr, err);
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
    ir_aws_request req;
    ir_buf st;
    ir_rc rc = ir_iot_build_delete_certificate(t, certificate_id, force_delete, &req, &st, err);

    return ir_iot_call_empty(c, rc, &req, &st, aerr, err);
}

/* ---- ListCertificates ---- */

ir_rc ir_iot_build_list_certificates(const ir_iot_target *t, const ir_iot_page_opts *page,
                                     ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    return ir_iot_build_list(t, "ListCertificates", "/certificates", page, req, storage, err);
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
    ir_aws_request req;
    ir_aws_response resp;
    ir_buf st;
    ir_rc rc = ir_iot_build_list_certificates(t, page, &req, &st, err);

    rc = ir_ops_send_built(c, rc, &req, &st, &resp, aerr, err);
    if (rc == IR_OK)
        rc = ir_iot_parse_list_certificates(&resp, out, err);
    ir_aws_response_free(&resp);
    return rc;
}

static ir_rc fetch_cert_page(ir_aws_client *c, const ir_iot_target *t, const void *ctx,
                             const char *marker, void *list, ir_aws_error *aerr, ir_err *err)
{
    ir_iot_page_opts page = {*(const int *)ctx, marker, false};

    return ir_iot_list_certificates(c, t, &page, list, aerr, err);
}

ir_rc ir_iot_list_all_certificates(ir_aws_client *c, const ir_iot_target *t, int page_size,
                                   ir_iot_cert_list *out, ir_aws_error *aerr, ir_err *err)
{
    return ir_iot_follow_pages(c, t, fetch_cert_page, &page_size, out, &out->next_marker, aerr,
                               err);
}
