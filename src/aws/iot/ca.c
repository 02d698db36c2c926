/* CA certificates: GetRegistrationCode, RegisterCACertificate,
 * DescribeCACertificate, ListCACertificates. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot_internal.h"

#define IR_IOT_MAX_PEM_CHARS 65536

void ir_iot_cert_ref_free(ir_iot_cert_ref *r)
{
    ir_iot_strfree(&r->certificate_id);
    ir_iot_strfree(&r->certificate_arn);
}

ir_rc ir_iot_build_get_registration_code(const ir_iot_target *t, ir_aws_request *req,
                                         ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = ir_iot_begin(&b, t, "GetRegistrationCode", "GET", req, storage, err);

    if (rc == IR_OK)
        rc = ir_ops_req_path(&b, "/registrationcode", NULL, NULL, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_parse_get_registration_code(const ir_aws_response *resp, char **code, ir_err *err)
{
    json_t *root;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_str(root, NULL, "registrationCode", true, code, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, "GetRegistrationCode", err);
}

ir_rc ir_iot_get_registration_code(ir_aws_client *c, const ir_iot_target *t, char **code,
                                   ir_aws_error *aerr, ir_err *err)
{
    ir_aws_request req;
    ir_aws_response resp;
    ir_buf st;
    ir_rc rc = ir_iot_build_get_registration_code(t, &req, &st, err);

    rc = ir_ops_send_built(c, rc, &req, &st, &resp, aerr, err);
    if (rc == IR_OK)
        rc = ir_iot_parse_get_registration_code(&resp, code, err);
    ir_aws_response_free(&resp);
    return rc;
}

/* Shared by the Register* operations: certificateId (required) and certificateArn. */
ir_rc ir_iot_parse_cert_ref(const ir_aws_response *resp, const char *op, ir_iot_cert_ref *out,
                            ir_err *err)
{
    json_t *root;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_str(root, NULL, "certificateId", true, &out->certificate_id, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(root, NULL, "certificateArn", true, &out->certificate_arn, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, op, err);
}

static ir_rc check_ca_args(const ir_iot_register_ca_args *a, ir_err *err)
{
    const char *op = "RegisterCACertificate";
    ir_rc rc;

    if (a == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: no arguments", op);
    rc =
        ir_iot_check_text(op, "caCertificate", a->ca_certificate_pem, 1, IR_IOT_MAX_PEM_CHARS, err);
    if (rc == IR_OK && a->verification_certificate_pem != NULL)
        rc = ir_iot_check_text(op, "verificationCertificate", a->verification_certificate_pem, 1,
                               IR_IOT_MAX_PEM_CHARS, err);
    if (rc == IR_OK && a->certificate_mode != NULL && strcmp(a->certificate_mode, "DEFAULT") != 0 &&
        strcmp(a->certificate_mode, "SNI_ONLY") != 0)
        rc = ir_err_set(err, IR_ERR_INVALID_ARG, "%s: certificateMode must be DEFAULT or SNI_ONLY",
                        op);
    return rc;
}

static ir_rc ca_body(ir_ops_req *b, const ir_iot_register_ca_args *a, ir_err *err)
{
    const char *op = b->req->operation;
    json_t *body = json_object();
    ir_rc rc = body != NULL ? IR_OK : ir_err_set(err, IR_ERR_NOMEM, "out of memory");

    if (rc == IR_OK)
        rc = ir_iot_json_set_str(body, op, "caCertificate", a->ca_certificate_pem, err);
    if (rc == IR_OK)
        rc = ir_iot_json_set_str(body, op, "verificationCertificate",
                                 a->verification_certificate_pem, err);
    if (rc == IR_OK)
        rc = ir_iot_json_set_str(body, op, "certificateMode", a->certificate_mode, err);
    if (rc == IR_OK)
        rc = ir_iot_json_body(b, body, err);
    json_decref(body);
    return rc;
}

ir_rc ir_iot_build_register_ca_certificate(const ir_iot_target *t,
                                           const ir_iot_register_ca_args *args, ir_aws_request *req,
                                           ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = ir_iot_begin(&b, t, "RegisterCACertificate", "POST", req, storage, err);

    if (rc == IR_OK)
        rc = check_ca_args(args, err);
    if (rc == IR_OK)
        rc = ir_ops_req_path(&b, "/cacertificate", NULL, NULL, err);
    if (rc == IR_OK)
        rc = ir_ops_req_query_bool(&b, "setAsActive", args->set_as_active, err);
    if (rc == IR_OK)
        rc = ir_ops_req_query_bool(&b, "allowAutoRegistration", args->allow_auto_registration, err);
    if (rc == IR_OK)
        rc = ca_body(&b, args, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_parse_register_ca_certificate(const ir_aws_response *resp, ir_iot_cert_ref *out,
                                           ir_err *err)
{
    return ir_iot_parse_cert_ref(resp, "RegisterCACertificate", out, err);
}

ir_rc ir_iot_register_ca_certificate(ir_aws_client *c, const ir_iot_target *t,
                                     const ir_iot_register_ca_args *args, ir_iot_cert_ref *out,
                                     ir_aws_error *aerr, ir_err *err)
{
    ir_aws_request req;
    ir_aws_response resp;
    ir_aws_error local;
    ir_buf st;
    ir_rc rc = ir_iot_build_register_ca_certificate(t, args, &req, &st, err);

    aerr = aerr != NULL ? aerr : &local;
    rc = ir_ops_send_built(c, rc, &req, &st, &resp, aerr, err);
    if (rc == IR_OK)
        rc = ir_iot_parse_register_ca_certificate(&resp, out, err);
    else if (rc == IR_ERR_AWS)
        ir_iot_keep_existing(&resp, aerr, &out->certificate_id, &out->certificate_arn);
    ir_aws_response_free(&resp);
    return rc;
}

void ir_iot_ca_desc_free(ir_iot_ca_desc *d)
{
    ir_iot_strfree(&d->certificate_id);
    ir_iot_strfree(&d->certificate_arn);
    ir_iot_strfree(&d->certificate_pem);
    ir_iot_strfree(&d->owned_by);
    ir_iot_strfree(&d->auto_registration_status);
    ir_iot_strfree(&d->certificate_mode);
    memset(d, 0, sizeof(*d));
}

ir_rc ir_iot_build_describe_ca_certificate(const ir_iot_target *t, const char *ca_certificate_id,
                                           ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = ir_iot_begin(&b, t, "DescribeCACertificate", "GET", req, storage, err);

    if (rc == IR_OK)
        rc = ir_iot_check_cert_id("DescribeCACertificate", ca_certificate_id, err);
    if (rc == IR_OK)
        rc = ir_ops_req_path(&b, "/cacertificate/", ca_certificate_id, NULL, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

static ir_rc parse_ca_desc(const json_t *d, ir_iot_ca_desc *out, ir_err *err)
{
    const char *w = "certificateDescription";
    ir_rc rc = ir_iot_json_str(d, w, "certificateId", true, &out->certificate_id, err);

    if (rc == IR_OK)
        rc = ir_iot_json_str(d, w, "certificateArn", true, &out->certificate_arn, err);
    if (rc == IR_OK)
        rc = ir_iot_json_status(d, w, true, &out->status, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(d, w, "certificatePem", false, &out->certificate_pem, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(d, w, "ownedBy", false, &out->owned_by, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(d, w, "autoRegistrationStatus", false, &out->auto_registration_status,
                             err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(d, w, "certificateMode", false, &out->certificate_mode, err);
    if (rc == IR_OK)
        rc = ir_iot_json_date_ms(d, w, "creationDate", &out->creation_date_ms, err);
    if (rc == IR_OK)
        rc = ir_iot_json_date_ms(d, w, "lastModifiedDate", &out->last_modified_date_ms, err);
    return rc;
}

ir_rc ir_iot_parse_describe_ca_certificate(const ir_aws_response *resp, ir_iot_ca_desc *out,
                                           ir_err *err)
{
    json_t *root, *desc = NULL;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_object(root, NULL, "certificateDescription", true, &desc, err);
    if (rc == IR_OK)
        rc = parse_ca_desc(desc, out, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, "DescribeCACertificate", err);
}

ir_rc ir_iot_describe_ca_certificate(ir_aws_client *c, const ir_iot_target *t,
                                     const char *ca_certificate_id, ir_iot_ca_desc *out,
                                     ir_aws_error *aerr, ir_err *err)
{
    ir_aws_request req;
    ir_aws_response resp;
    ir_buf st;
    ir_rc rc = ir_iot_build_describe_ca_certificate(t, ca_certificate_id, &req, &st, err);

    rc = ir_ops_send_built(c, rc, &req, &st, &resp, aerr, err);
    if (rc == IR_OK)
        rc = ir_iot_parse_describe_ca_certificate(&resp, out, err);
    ir_aws_response_free(&resp);
    return rc;
}

ir_rc ir_iot_build_list_ca_certificates(const ir_iot_target *t, const ir_iot_page_opts *page,
                                        ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    return ir_iot_build_list(t, "ListCACertificates", "/cacertificates", page, req, storage, err);
}

ir_rc ir_iot_parse_list_ca_certificates(const ir_aws_response *resp, ir_iot_cert_list *out,
                                        ir_err *err)
{
    return ir_iot_parse_list(resp, &ir_iot_ca_list_shape, (void **)&out->items, &out->n,
                             &out->next_marker, err);
}

ir_rc ir_iot_list_ca_certificates(ir_aws_client *c, const ir_iot_target *t,
                                  const ir_iot_page_opts *page, ir_iot_cert_list *out,
                                  ir_aws_error *aerr, ir_err *err)
{
    ir_aws_request req;
    ir_aws_response resp;
    ir_buf st;
    ir_rc rc = ir_iot_build_list_ca_certificates(t, page, &req, &st, err);

    rc = ir_ops_send_built(c, rc, &req, &st, &resp, aerr, err);
    if (rc == IR_OK)
        rc = ir_iot_parse_list_ca_certificates(&resp, out, err);
    ir_aws_response_free(&resp);
    return rc;
}

static ir_rc fetch_ca_page(ir_aws_client *c, const ir_iot_target *t, const void *ctx,
                           const char *marker, void *list, ir_aws_error *aerr, ir_err *err)
{
    ir_iot_page_opts page = {0, marker, false};

    (void)ctx;
    return ir_iot_list_ca_certificates(c, t, &page, list, aerr, err);
}

ir_rc ir_iot_list_all_ca_certificates(ir_aws_client *c, const ir_iot_target *t,
                                      ir_iot_cert_list *out, ir_aws_error *aerr, ir_err *err)
{
    return ir_iot_follow_pages(c, t, fetch_ca_page, NULL, out, &out->next_marker, aerr, err);
}
