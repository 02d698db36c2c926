/* Policies: CreatePolicy, GetPolicy, AttachPolicy, DetachPolicy,
 * ListAttachedPolicies. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot_internal.h"

#define IR_IOT_MAX_POLICY_DOC_CHARS 404600
#define POLICY_NAME_EXTRA           "_+=,.@-"

/* CreatePolicy's and GetPolicy's members, around the version id whose
 * name differs (policyVersionId, defaultVersionId). */
static const ir_iot_json_field policy_head[] = {
    IR_IOT_STR(ir_iot_policy, policy_name, "policyName", true),
    IR_IOT_STR(ir_iot_policy, policy_arn, "policyArn", true),
    IR_IOT_STR(ir_iot_policy, policy_document, "policyDocument", false),
};
static const ir_iot_json_field policy_tail[] = {
    IR_IOT_STR(ir_iot_policy, generation_id, "generationId", false),
    IR_IOT_DATE(ir_iot_policy, creation_date_ms, "creationDate"),
    IR_IOT_DATE(ir_iot_policy, last_modified_date_ms, "lastModifiedDate"),
};

void ir_iot_policy_free(ir_iot_policy *p)
{
    ir_iot_json_fields_free(IR_IOT_FIELDS(policy_head), p);
    ir_iot_strfree(&p->version_id);
    ir_iot_json_fields_free(IR_IOT_FIELDS(policy_tail), p);
    memset(p, 0, sizeof(*p));
}

/* "METHOD PREFIX{policyName}" with the name checked. */
static ir_rc build_policy_op(ir_ops_req *b, const ir_iot_target *t, const char *op,
                             const char *method, const char *prefix, const char *name,
                             ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_rc rc = ir_iot_begin(b, t, op, method, req, storage, err);

    if (rc == IR_OK)
        rc = ir_iot_check_name(op, "policyName", name, 128, POLICY_NAME_EXTRA, err);
    if (rc == IR_OK)
        rc = ir_ops_req_path(b, prefix, name, NULL, err);
    return rc;
}

/* A body with one string member. */
static ir_rc one_member_body(ir_ops_req *b, const char *key, const char *value, ir_err *err)
{
    ir_iot_json_member body = {key, value};

    return ir_iot_json_body_members(b, &body, 1, err);
}

ir_rc ir_iot_build_create_policy(const ir_iot_target *t, const char *policy_name,
                                 const char *policy_document, ir_aws_request *req, ir_buf *storage,
                                 ir_err *err)
{
    const char *op = "CreatePolicy";
    ir_ops_req b;
    ir_rc rc = build_policy_op(&b, t, op, "POST", "/policies/", policy_name, req, storage, err);

    if (rc == IR_OK)
        rc = ir_iot_check_text(op, "policyDocument", policy_document, 1,
                               IR_IOT_MAX_POLICY_DOC_CHARS, err);
    if (rc == IR_OK)
        rc = one_member_body(&b, "policyDocument", policy_document, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

static ir_rc parse_policy(const ir_aws_response *resp, const char *op, const char *version_key,
                          ir_iot_policy *out, ir_err *err)
{
    json_t *root;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_fields(root, NULL, IR_IOT_FIELDS(policy_head), out, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(root, NULL, version_key, false, &out->version_id, err);
    if (rc == IR_OK)
        rc = ir_iot_json_fields(root, NULL, IR_IOT_FIELDS(policy_tail), out, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, op, err);
}

ir_rc ir_iot_parse_create_policy(const ir_aws_response *resp, ir_iot_policy *out, ir_err *err)
{
    return parse_policy(resp, "CreatePolicy", "policyVersionId", out, err);
}

ir_rc ir_iot_create_policy(ir_aws_client *c, const ir_iot_target *t, const char *policy_name,
                           const char *policy_document, ir_iot_policy *out, ir_aws_error *aerr,
                           ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_ops_call_send(
        c, &k, ir_iot_build_create_policy(t, policy_name, policy_document, &k.req, &k.storage, err),
        aerr, err);

    if (rc == IR_OK)
        rc = ir_iot_parse_create_policy(&k.resp, out, err);
    else
        ir_iot_keep_existing(&k, rc, NULL, &out->policy_arn);
    return ir_ops_call_end(&k, rc);
}

ir_rc ir_iot_build_get_policy(const ir_iot_target *t, const char *policy_name, ir_aws_request *req,
                              ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc =
        build_policy_op(&b, t, "GetPolicy", "GET", "/policies/", policy_name, req, storage, err);

    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_parse_get_policy(const ir_aws_response *resp, ir_iot_policy *out, ir_err *err)
{
    return parse_policy(resp, "GetPolicy", "defaultVersionId", out, err);
}

ir_rc ir_iot_get_policy(ir_aws_client *c, const ir_iot_target *t, const char *policy_name,
                        ir_iot_policy *out, ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_ops_call_send(
        c, &k, ir_iot_build_get_policy(t, policy_name, &k.req, &k.storage, err), aerr, err);

    if (rc == IR_OK)
        rc = ir_iot_parse_get_policy(&k.resp, out, err);
    return ir_ops_call_end(&k, rc);
}

/* AttachPolicy (PUT) and DetachPolicy (POST) differ only in method. */
static ir_rc build_target_policy(const ir_iot_target *t, const char *op, const char *method,
                                 const char *policy_name, const char *policy_target,
                                 ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc =
        build_policy_op(&b, t, op, method, "/target-policies/", policy_name, req, storage, err);

    if (rc == IR_OK)
        rc = ir_iot_check_text(op, "target", policy_target, 1, 2048, err);
    if (rc == IR_OK)
        rc = one_member_body(&b, "target", policy_target, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_build_attach_policy(const ir_iot_target *t, const char *policy_name,
                                 const char *policy_target, ir_aws_request *req, ir_buf *storage,
                                 ir_err *err)
{
    return build_target_policy(t, "AttachPolicy", "PUT", policy_name, policy_target, req, storage,
                               err);
}

ir_rc ir_iot_attach_policy(ir_aws_client *c, const ir_iot_target *t, const char *policy_name,
                           const char *policy_target, ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_iot_build_attach_policy(t, policy_name, policy_target, &k.req, &k.storage, err);

    return ir_iot_call_empty(c, &k, rc, aerr, err);
}

ir_rc ir_iot_build_detach_policy(const ir_iot_target *t, const char *policy_name,
                                 const char *policy_target, ir_aws_request *req, ir_buf *storage,
                                 ir_err *err)
{
    return build_target_policy(t, "DetachPolicy", "POST", policy_name, policy_target, req, storage,
                               err);
}

ir_rc ir_iot_detach_policy(ir_aws_client *c, const ir_iot_target *t, const char *policy_name,
                           const char *policy_target, ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_iot_build_detach_policy(t, policy_name, policy_target, &k.req, &k.storage, err);

    return ir_iot_call_empty(c, &k, rc, aerr, err);
}

/* ---- ListAttachedPolicies ---- */

static const ir_iot_json_field policy_ref_fields[] = {
    IR_IOT_STR(ir_iot_policy_ref, policy_name, "policyName", true),
    IR_IOT_STR(ir_iot_policy_ref, policy_arn, "policyArn", false),
};

/* POST /attached-policies/{target}: built by its own function. */
static const ir_iot_list_shape policy_list_shape = IR_IOT_LIST_OF(
    "ListAttachedPolicies", NULL, "policies", "nextMarker", ir_iot_policy_ref, policy_ref_fields);

void ir_iot_policy_list_free(ir_iot_policy_list *l)
{
    ir_iot_list_free(&policy_list_shape, (void **)&l->items, &l->n, &l->next_marker);
}

static ir_rc attached_path_query(ir_ops_req *b, const ir_iot_attached_args *args, ir_err *err)
{
    const char *op = b->req->operation;
    ir_iot_page_opts page = {0};
    ir_rc rc;

    if (args == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: no arguments", op);
    rc = ir_iot_check_text(op, "target", args->policy_target, 1, 2048, err);
    if (rc == IR_OK)
        rc = ir_ops_req_path(b, "/attached-policies/", args->policy_target, NULL, err);
    if (rc == IR_OK && args->recursive)
        rc = ir_ops_req_query_bool(b, "recursive", true, err);
    page.page_size = args->page_size;
    page.marker = args->marker;
    if (rc == IR_OK)
        rc = ir_iot_page_query(b, &page, false, err);
    return rc;
}

ir_rc ir_iot_build_list_attached_policies(const ir_iot_target *t, const ir_iot_attached_args *args,
                                          ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = ir_iot_begin(&b, t, "ListAttachedPolicies", "POST", req, storage, err);

    if (rc == IR_OK)
        rc = attached_path_query(&b, args, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_parse_list_attached_policies(const ir_aws_response *resp, ir_iot_policy_list *out,
                                          ir_err *err)
{
    return ir_iot_parse_list(resp, &policy_list_shape, (void **)&out->items, &out->n,
                             &out->next_marker, err);
}

ir_rc ir_iot_list_attached_policies(ir_aws_client *c, const ir_iot_target *t,
                                    const ir_iot_attached_args *args, ir_iot_policy_list *out,
                                    ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_iot_build_list_attached_policies(t, args, &k.req, &k.storage, err);

    return ir_iot_call_list(c, &k, rc, &policy_list_shape, (void **)&out->items, &out->n,
                            &out->next_marker, aerr, err);
}

static ir_rc fetch_attached_page(ir_aws_client *c, const ir_iot_target *t, const void *ctx,
                                 const char *marker, void *list, ir_aws_error *aerr, ir_err *err)
{
    ir_iot_attached_args args = *(const ir_iot_attached_args *)ctx;

    args.marker = marker;
    return ir_iot_list_attached_policies(c, t, &args, list, aerr, err);
}

ir_rc ir_iot_list_all_attached_policies(ir_aws_client *c, const ir_iot_target *t,
                                        const ir_iot_attached_args *args, ir_iot_policy_list *out,
                                        ir_aws_error *aerr, ir_err *err)
{
    if (args == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "ListAttachedPolicies: no arguments");
    return ir_iot_follow_pages(c, t, fetch_attached_page, args, out, &out->next_marker, aerr, err);
}
