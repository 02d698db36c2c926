/* One IoT call: starting its request, calling an operation without output,
 * and what a failed Create or Register call says about the resource that
 * already exists. */
#include "autoconf.h"

#include <stdlib.h>

#include "aws/iot/iot_internal.h"

ir_rc ir_iot_begin(ir_ops_req *b, const ir_iot_target *t, const char *op, const char *method,
                   ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    return ir_ops_req_begin(b, t, "iot", op, method, req, storage, err);
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

ir_rc ir_iot_call_empty(ir_aws_client *c, ir_ops_call *k, ir_rc build_rc, ir_aws_error *aerr,
                        ir_err *err)
{
    ir_rc rc = ir_ops_call_send(c, k, build_rc, aerr, err);

    return ir_ops_call_end(k, rc == IR_OK ? ir_iot_parse_empty(&k->resp, err) : rc);
}

/* -- ResourceAlreadyExistsException -- */

static const ir_iot_json_field existing_fields[] = {
    IR_IOT_STR(ir_iot_existing, resource_id, "resourceId", false),
    IR_IOT_STR(ir_iot_existing, resource_arn, "resourceArn", false),
};

ir_rc ir_iot_parse_already_exists(const ir_aws_response *resp, ir_iot_existing *out, ir_err *err)
{
    json_t *root;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_fields(root, NULL, IR_IOT_FIELDS(existing_fields), out, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, "ResourceAlreadyExistsException", err);
}

void ir_iot_existing_free(ir_iot_existing *e)
{
    ir_iot_json_fields_free(IR_IOT_FIELDS(existing_fields), e);
}

static void replace(char **dst, char **src)
{
    if (dst == NULL || *src == NULL)
        return;
    free(*dst);
    *dst = *src;
    *src = NULL;
}

ir_rc ir_iot_keep_existing(const ir_ops_call *k, ir_rc rc, char **id, char **arn)
{
    ir_iot_existing e = {0};

    if (rc != IR_ERR_AWS || !ir_aws_error_is(k->aerr, "ResourceAlreadyExistsException"))
        return rc;
    if (ir_iot_parse_already_exists(&k->resp, &e, NULL) == IR_OK) {
        replace(id, &e.resource_id);
        replace(arn, &e.resource_arn);
    }
    ir_iot_existing_free(&e);
    return rc;
}
