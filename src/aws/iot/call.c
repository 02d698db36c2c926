#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot_internal.h"

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

void ir_iot_strfree(char **s)
{
    free(*s);
    *s = NULL;
}

ir_rc ir_iot_begin(ir_ops_req *b, const ir_iot_target *t, const char *op, const char *method,
                   ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    return ir_ops_req_begin(b, t, "iot", op, method, req, storage, err);
}

static bool all_chars_in(const char *s, const char *set)
{
    return s[strspn(s, set)] == '\0';
}

ir_rc ir_iot_check_cert_id(const char *op, const char *id, ir_err *err)
{
    if (id == NULL || strlen(id) != 64 || !all_chars_in(id, "0123456789abcdefABCDEF"))
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "%s: the certificate id must be 64 hex digits (SHA-256 of the DER)", op);
    return IR_OK;
}

ir_rc ir_iot_check_account_id(const char *op, const char *account, ir_err *err)
{
    if (account == NULL || strlen(account) != 12 || !all_chars_in(account, "0123456789"))
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: an AWS account id is 12 digits, not '%s'",
                          op, account ? account : "(none)");
    return IR_OK;
}

ir_rc ir_iot_check_text(const char *op, const char *what, const char *s, size_t min_chars,
                        size_t max_chars, ir_err *err)
{
    size_t n = s != NULL ? ir_ops_utf8_chars(s) : 0;

    if (s == NULL && min_chars > 0)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: %s is required", op, what);
    if (n < min_chars || n > max_chars)
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "%s: %s has %zu characters, AWS accepts %zu to %zu", op, what, n,
                          min_chars, max_chars);
    return IR_OK;
}

ir_rc ir_iot_check_name(const char *op, const char *what, const char *name, size_t max,
                        const char *extra, ir_err *err)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    size_t n = name != NULL ? strlen(name) : 0;

    if (n == 0 || n > max)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: %s must have 1 to %zu characters", op, what,
                          max);
    for (; *name != '\0'; name++)
        if (strchr(alnum, *name) == NULL && strchr(extra, *name) == NULL)
            return ir_err_set(err, IR_ERR_INVALID_ARG,
                              "%s: %s may hold only letters, digits and '%s'", op, what, extra);
    return IR_OK;
}

ir_rc ir_iot_page_query(ir_ops_req *b, const ir_iot_page_opts *page, bool with_order, ir_err *err)
{
    ir_rc rc = IR_OK;

    if (page == NULL)
        return IR_OK;
    if (page->page_size < 0 || page->page_size > IR_IOT_MAX_PAGE_SIZE)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: pageSize must be 1..%d", b->req->operation,
                          IR_IOT_MAX_PAGE_SIZE);
    if (page->page_size > 0)
        rc = ir_ops_req_query_int(b, "pageSize", page->page_size, err);
    if (rc == IR_OK && page->marker != NULL)
        rc = ir_ops_req_query(b, "marker", page->marker, err);
    if (rc == IR_OK && with_order && page->ascending)
        rc = ir_ops_req_query_bool(b, "isAscendingOrder", true, err);
    return rc;
}

ir_rc ir_iot_call_empty(ir_aws_client *c, ir_rc build_rc, const ir_aws_request *req,
                        ir_buf *storage, ir_aws_error *aerr, ir_err *err)
{
    ir_aws_response resp;
    ir_rc rc = ir_ops_send_built(c, build_rc, req, storage, &resp, aerr, err);

    if (rc == IR_OK)
        rc = ir_iot_parse_empty(&resp, err);
    ir_aws_response_free(&resp);
    return rc;
}

ir_rc ir_iot_parse_failed(ir_rc rc, const char *op, ir_err *err)
{
    if (rc != IR_OK)
        ir_err_prefix(err, "%s response: ", op);
    return rc;
}

ir_rc ir_iot_parse_empty(const ir_aws_response *resp, ir_err *err)
{
    json_t *root;
    ir_rc rc = ir_iot_json_load(resp, true, &root, err);

    json_decref(root);
    return rc;
}

ir_rc ir_iot_parse_already_exists(const ir_aws_response *resp, ir_iot_existing *out, ir_err *err)
{
    json_t *root;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_str(root, NULL, "resourceId", false, &out->resource_id, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(root, NULL, "resourceArn", false, &out->resource_arn, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, "ResourceAlreadyExistsException", err);
}

void ir_iot_existing_free(ir_iot_existing *e)
{
    ir_iot_strfree(&e->resource_id);
    ir_iot_strfree(&e->resource_arn);
}

static void replace(char **dst, char **src)
{
    if (dst == NULL || *src == NULL)
        return;
    free(*dst);
    *dst = *src;
    *src = NULL;
}

void ir_iot_keep_existing(const ir_aws_response *resp, const ir_aws_error *aerr, char **id,
                          char **arn)
{
    ir_iot_existing e = {0};

    if (!ir_aws_error_is(aerr, "ResourceAlreadyExistsException"))
        return;
    if (ir_iot_parse_already_exists(resp, &e, NULL) == IR_OK) {
        replace(id, &e.resource_id);
        replace(arn, &e.resource_arn);
    }
    ir_iot_existing_free(&e);
}
