/* Certificate transfer between accounts: TransferCertificate,
 * AcceptCertificateTransfer, RejectCertificateTransfer,
 * CancelCertificateTransfer, ListOutgoingCertificates. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot_internal.h"

/* A JSON body {key: value} (no body when value is NULL). */
static ir_rc message_body(ir_ops_req *b, const char *key, const char *value, ir_err *err)
{
    ir_iot_json_member body = {key, value};

    return value != NULL ? ir_iot_json_body_members(b, &body, 1, err) : IR_OK;
}

ir_rc ir_iot_build_transfer_certificate(const ir_iot_target *t, const char *certificate_id,
                                        const char *target_account, const char *message,
                                        ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    const char *op = "TransferCertificate";
    ir_ops_req b;
    ir_rc rc = ir_iot_build_cert_op(&b, t, op, "PATCH", "/transfer-certificate/", certificate_id,
                                    req, storage, err);

    if (rc == IR_OK)
        rc = ir_iot_check_account_id(op, target_account, err);
    if (rc == IR_OK)
        rc = ir_iot_check_text(op, "transferMessage", message, 0, IR_IOT_MAX_MESSAGE_CHARS, err);
    if (rc == IR_OK)
        rc = ir_ops_req_query(&b, "targetAwsAccount", target_account, err);
    if (rc == IR_OK)
        rc = message_body(&b, "transferMessage", message, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_parse_transfer_certificate(const ir_aws_response *resp, char **transferred_arn,
                                        ir_err *err)
{
    json_t *root;
    ir_rc rc = ir_iot_json_load(resp, true, &root, err);

    if (rc == IR_OK && transferred_arn != NULL)
        rc = ir_iot_json_str(root, NULL, "transferredCertificateArn", false, transferred_arn, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, "TransferCertificate", err);
}

ir_rc ir_iot_transfer_certificate(ir_aws_client *c, const ir_iot_target *t,
                                  const char *certificate_id, const char *target_account,
                                  const char *message, char **transferred_arn, ir_aws_error *aerr,
                                  ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_ops_call_send(c, &k,
                                ir_iot_build_transfer_certificate(t, certificate_id, target_account,
                                                                  message, &k.req, &k.storage, err),
                                aerr, err);

    if (rc == IR_OK)
        rc = ir_iot_parse_transfer_certificate(&k.resp, transferred_arn, err);
    return ir_ops_call_end(&k, rc);
}

ir_rc ir_iot_build_accept_certificate_transfer(const ir_iot_target *t, const char *certificate_id,
                                               bool set_as_active, ir_aws_request *req,
                                               ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc =
        ir_iot_build_cert_op(&b, t, "AcceptCertificateTransfer", "PATCH",
                             "/accept-certificate-transfer/", certificate_id, req, storage, err);

    if (rc == IR_OK)
        rc = ir_ops_req_query_bool(&b, "setAsActive", set_as_active, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_accept_certificate_transfer(ir_aws_client *c, const ir_iot_target *t,
                                         const char *certificate_id, bool set_as_active,
                                         ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_iot_build_accept_certificate_transfer(t, certificate_id, set_as_active, &k.req,
                                                        &k.storage, err);

    return ir_iot_call_empty(c, &k, rc, aerr, err);
}

ir_rc ir_iot_build_reject_certificate_transfer(const ir_iot_target *t, const char *certificate_id,
                                               const char *reason, ir_aws_request *req,
                                               ir_buf *storage, ir_err *err)
{
    const char *op = "RejectCertificateTransfer";
    ir_ops_req b;
    ir_rc rc = ir_iot_build_cert_op(&b, t, op, "PATCH", "/reject-certificate-transfer/",
                                    certificate_id, req, storage, err);

    if (rc == IR_OK)
        rc = ir_iot_check_text(op, "rejectReason", reason, 0, IR_IOT_MAX_MESSAGE_CHARS, err);
    if (rc == IR_OK)
        rc = message_body(&b, "rejectReason", reason, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_reject_certificate_transfer(ir_aws_client *c, const ir_iot_target *t,
                                         const char *certificate_id, const char *reason,
                                         ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_iot_build_reject_certificate_transfer(t, certificate_id, reason, &k.req,
                                                        &k.storage, err);

    return ir_iot_call_empty(c, &k, rc, aerr, err);
}

ir_rc ir_iot_build_cancel_certificate_transfer(const ir_iot_target *t, const char *certificate_id,
                                               ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc =
        ir_iot_build_cert_op(&b, t, "CancelCertificateTransfer", "PATCH",
                             "/cancel-certificate-transfer/", certificate_id, req, storage, err);

    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_cancel_certificate_transfer(ir_aws_client *c, const ir_iot_target *t,
                                         const char *certificate_id, ir_aws_error *aerr,
                                         ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_iot_build_cancel_certificate_transfer(t, certificate_id, &k.req, &k.storage, err);

    return ir_iot_call_empty(c, &k, rc, aerr, err);
}

/* ---- ListOutgoingCertificates ---- */

static const ir_iot_json_field outgoing_fields[] = {
    IR_IOT_STR(ir_iot_outgoing_cert, certificate_id, "certificateId", true),
    IR_IOT_STR(ir_iot_outgoing_cert, certificate_arn, "certificateArn", false),
    IR_IOT_STR(ir_iot_outgoing_cert, transferred_to, "transferredTo", false),
    IR_IOT_STR(ir_iot_outgoing_cert, transfer_message, "transferMessage", false),
    IR_IOT_DATE(ir_iot_outgoing_cert, transfer_date_ms, "transferDate"),
    IR_IOT_DATE(ir_iot_outgoing_cert, creation_date_ms, "creationDate"),
};

static const ir_iot_list_shape outgoing_shape =
    IR_IOT_LIST_OF("ListOutgoingCertificates", "/certificates-out-going", "outgoingCertificates",
                   "nextMarker", ir_iot_outgoing_cert, outgoing_fields);

void ir_iot_outgoing_list_free(ir_iot_outgoing_list *l)
{
    ir_iot_list_free(&outgoing_shape, (void **)&l->items, &l->n, &l->next_marker);
}

ir_rc ir_iot_build_list_outgoing_certificates(const ir_iot_target *t, const ir_iot_page_opts *page,
                                              ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    return ir_iot_build_list(t, &outgoing_shape, page, req, storage, err);
}

ir_rc ir_iot_parse_list_outgoing_certificates(const ir_aws_response *resp,
                                              ir_iot_outgoing_list *out, ir_err *err)
{
    return ir_iot_parse_list(resp, &outgoing_shape, (void **)&out->items, &out->n,
                             &out->next_marker, err);
}

ir_rc ir_iot_list_outgoing_certificates(ir_aws_client *c, const ir_iot_target *t,
                                        const ir_iot_page_opts *page, ir_iot_outgoing_list *out,
                                        ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_iot_build_list_outgoing_certificates(t, page, &k.req, &k.storage, err);

    return ir_iot_call_list(c, &k, rc, &outgoing_shape, (void **)&out->items, &out->n,
                            &out->next_marker, aerr, err);
}

static ir_rc fetch_outgoing_page(ir_aws_client *c, const ir_iot_target *t, const void *ctx,
                                 const char *marker, void *list, ir_aws_error *aerr, ir_err *err)
{
    ir_iot_page_opts page = {0, marker, false};

    (void)ctx;
    return ir_iot_list_outgoing_certificates(c, t, &page, list, aerr, err);
}

ir_rc ir_iot_list_all_outgoing_certificates(ir_aws_client *c, const ir_iot_target *t,
                                            ir_iot_outgoing_list *out, ir_aws_error *aerr,
                                            ir_err *err)
{
    return ir_iot_follow_pages(c, t, fetch_outgoing_page, NULL, out, &out->next_marker, aerr, err);
}
