/* CA certificates: GetRegistrationCode, RegisterCACertificate,
 * DescribeCACertificate, ListCACertificates. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot_internal.h"

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
    ir_ops_call k;
    ir_rc rc = ir_ops_call_send(
        c, &k, ir_iot_build_get_registration_code(t, &k.req, &k.storage, err), aerr, err);

    if (rc == IR_OK)
        rc = ir_iot_parse_get_registration_code(&k.resp, code, err);
    return ir_ops_call_end(&k, rc);
}

/* ---- RegisterCACertificate ---- */

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

static ir_rc ca_query_and_body(ir_ops_req *b, const ir_iot_register_ca_args *a, ir_err *err)
{
    ir_iot_json_member body[] = {
        {"caCertificate", a->ca_certificate_pem},
        {"verificationCertificate", a->verification_certificate_pem},
        {"certificateMode", a->certificate_mode},
    };
    ir_rc rc = ir_ops_req_query_bool(b, "setAsActive", a->set_as_active, err);

    if (rc == IR_OK)
        rc = ir_ops_req_query_bool(b, "allowAutoRegistration", a->allow_auto_registration, err);
    if (rc == IR_OK)
        rc = ir_iot_json_body_members(b, IR_IOT_FIELDS(body), err);
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
        rc = ca_query_and_body(&b, args, err);
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
    ir_ops_call k;
    ir_rc rc = ir_iot_build_register_ca_certificate(t, args, &k.req, &k.storage, err);

    return ir_iot_call_register(c, &k, rc, "RegisterCACertificate", out, aerr, err);
}

/* ---- DescribeCACertificate ---- */

static const ir_iot_json_field ca_desc_fields[] = {
    IR_IOT_STR(ir_iot_ca_desc, certificate_id, "certificateId", true),
    IR_IOT_STR(ir_iot_ca_desc, certificate_arn, "certificateArn", true),
    IR_IOT_STATUS(ir_iot_ca_desc, status, true),
    IR_IOT_STR(ir_iot_ca_desc, certificate_pem, "certificatePem", false),
    IR_IOT_STR(ir_iot_ca_desc, owned_by, "ownedBy", false),
    IR_IOT_STR(ir_iot_ca_desc, auto_registration_status, "autoRegistrationStatus", false),
    IR_IOT_STR(ir_iot_ca_desc, certificate_mode, "certificateMode", false),
    IR_IOT_DATE(ir_iot_ca_desc, creation_date_ms, "creationDate"),
    IR_IOT_DATE(ir_iot_ca_desc, last_modified_date_ms, "lastModifiedDate"),
};

void ir_iot_ca_desc_free(ir_iot_ca_desc *d)
{
    ir_iot_json_fields_free(IR_IOT_FIELDS(ca_desc_fields), d);
    memset(d, 0, sizeof(*d));
}

ir_rc ir_iot_build_describe_ca_certificate(const ir_iot_target *t, const char *ca_certificate_id,
                                           ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = ir_iot_build_cert_op(&b, t, "DescribeCACertificate", "GET", "/cacertificate/",
                                    ca_certificate_id, req, storage, err);

    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_parse_describe_ca_certificate(const ir_aws_response *resp, ir_iot_ca_desc *out,
                                           ir_err *err)
{
    return ir_iot_parse_description(resp, "DescribeCACertificate", IR_IOT_FIELDS(ca_desc_fields),
                                    NULL, out, err);
}

ir_rc ir_iot_describe_ca_certificate(ir_aws_client *c, const ir_iot_target *t,
                                     const char *ca_certificate_id, ir_iot_ca_desc *out,
                                     ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_ops_call_send(
        c, &k, ir_iot_build_describe_ca_certificate(t, ca_certificate_id, &k.req, &k.storage, err),
        aerr, err);

    if (rc == IR_OK)
        rc = ir_iot_parse_describe_ca_certificate(&k.resp, out, err);
    return ir_ops_call_end(&k, rc);
}

/* ---- ListCACertificates ---- */

ir_rc ir_iot_build_list_ca_certificates(const ir_iot_target *t, const ir_iot_page_opts *page,
                                        ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    return ir_iot_build_list(t, &ir_iot_ca_list_shape, page, req, storage, err);
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
    return ir_iot_list_cert_page(c, t, &ir_iot_ca_list_shape, page, out, aerr, err);
}

ir_rc ir_iot_list_all_ca_certificates(ir_aws_client *c, const ir_iot_target *t,
                                      ir_iot_cert_list *out, ir_aws_error *aerr, ir_err *err)
{
    return ir_iot_list_all_cert_pages(c, t, &ir_iot_ca_list_shape, 0, out, aerr, err);
}
