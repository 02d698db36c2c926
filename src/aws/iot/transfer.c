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
    json_t *body;
    ir_rc rc;

    if (value == NULL)
        return IR_OK;
    body = json_object();
    if (body == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    rc = ir_iot_json_set_str(body, b->req->operation, key, value, err);
    if (rc == IR_OK)
        rc = ir_iot_json_body(b, body, err);
    json_decref(body);
    return rc;
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
    ir_aws_request req;
    ir_aws_response resp;
    ir_buf st;
    ir_rc rc = ir_iot_build_transfer_certificate(t, certificate_id, target_account, message, &req,
                                                 &st, err);

    rc = ir_ops_send_built(c, rc, &req, &st, &resp, aerr, err);
    if (rc == IR_OK)
        rc = ir_iot_parse_transfer_certificate(&resp, transferred_arn, err);
    ir_aws_response_free(&resp);
    return rc;
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
    ir_aws_request req;
    ir_buf st;
    ir_rc rc =
        ir_iot_build_accept_certificate_transfer(t, certificate_id, set_as_active, &req, &st, err);

    return ir_iot_call_empty(c, rc, &req, &st, aerr, err);
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
    ir_aws_request req;
    ir_buf st;
    ir_rc rc = ir_iot_build_reject_certificate_transfer(t, certificate_id, reason, &req, &st, err);

    return ir_iot_call_empty(c, rc, &req, &st, aerr, err);
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
    ir_aws_request req;
    ir_buf st;
    ir_rc rc = ir_iot_build_cancel_certificate_transfer(t, certificate_id, &req, &st, err);

    return ir_iot_call_empty(c, rc, &req, &st, aerr, err);
}

/* ---- ListOutgoingCertificates ---- */

static void outgoing_free(void *item)
{
    ir_iot_outgoing_cert *o = item;

    ir_iot_strfree(&o->certificate_id);
    ir_iot_strfree(&o->certificate_arn);
    ir_iot_strfree(&o->transferred_to);
    ir_iot_strfree(&o->transfer_message);
}

static ir_rc parse_outgoing(const json_t *item, const char *where, void *slot, ir_err *err)
{
    ir_iot_outgoing_cert *out = slot;
    ir_rc rc;

    if (!json_is_object(item))
        return ir_err_set(err, IR_ERR_PARSE, "member %s is not an object", where);
    rc = ir_iot_json_str(item, where, "certificateId", true, &out->certificate_id, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(item, where, "certificateArn", false, &out->certificate_arn, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(item, where, "transferredTo", false, &out->transferred_to, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(item, where, "transferMessage", false, &out->transfer_message, err);
    if (rc == IR_OK)
        rc = ir_iot_json_date_ms(item, where, "transferDate", &out->transfer_date_ms, err);
    if (rc == IR_OK)
        rc = ir_iot_json_date_ms(item, where, "creationDate", &out->creation_date_ms, err);
    return rc;
}

static const ir_iot_list_shape outgoing_shape = {"ListOutgoingCertificates", "outgoingCertificates",
                                                 sizeof(ir_iot_outgoing_cert), parse_outgoing,
                                                 outgoing_free};

void ir_iot_outgoing_list_free(ir_iot_outgoing_list *l)
{
    ir_iot_list_free(&outgoing_shape, (void **)&l->items, &l->n, &l->next_marker);
}

ir_rc ir_iot_build_list_outgoing_certificates(const ir_iot_target *t, const ir_iot_page_opts *page,
                                              ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    return ir_iot_build_list(t, "ListOutgoingCertificates", "/certificates-out-going", page, req,
                             storage, err);
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
    ir_aws_request req;
    ir_aws_response resp;
    ir_buf st;
    ir_rc rc = ir_iot_build_list_outgoing_certificates(t, page, &req, &st, err);

    rc = ir_ops_send_built(c, rc, &req, &st, &resp, aerr, err);
    if (rc == IR_OK)
        rc = ir_iot_parse_list_outgoing_certificates(&resp, out, err);
    ir_aws_response_free(&resp);
    return rc;
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
