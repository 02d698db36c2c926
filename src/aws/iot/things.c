/* Things: CreateThing, DescribeThing, AttachThingPrincipal,
 * DetachThingPrincipal, ListThingPrincipals, AddThingToThingGroup. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot_internal.h"

#define THING_NAME_EXTRA      ":_-"
#define IR_IOT_MAX_ATTRIBUTES 100

static const ir_iot_json_field thing_fields[] = {
    IR_IOT_STR(ir_iot_thing, thing_name, "thingName", true),
    IR_IOT_STR(ir_iot_thing, thing_arn, "thingArn", true),
    IR_IOT_STR(ir_iot_thing, thing_id, "thingId", false),
};

void ir_iot_thing_free(ir_iot_thing *th)
{
    ir_iot_json_fields_free(IR_IOT_FIELDS(thing_fields), th);
}

/* "METHOD /things/{thingName}SUFFIX" with the name checked. */
static ir_rc build_thing_op(ir_ops_req *b, const ir_iot_target *t, const char *op,
                            const char *method, const char *name, const char *suffix,
                            ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_rc rc = ir_iot_begin(b, t, op, method, req, storage, err);

    if (rc == IR_OK)
        rc = ir_iot_check_name(op, "thingName", name, 128, THING_NAME_EXTRA, err);
    if (rc == IR_OK)
        rc = ir_ops_req_path(b, "/things/", name, suffix, err);
    return rc;
}

static ir_rc attribute_payload(json_t *body, const char *op, const ir_iot_create_thing_args *a,
                               ir_err *err)
{
    json_t *payload, *attrs;
    size_t i;
    ir_rc rc = IR_OK;

    if (a->n_attributes == 0)
        return IR_OK;
    if (a->n_attributes > IR_IOT_MAX_ATTRIBUTES || a->attributes == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: 1 to %d attributes", op,
                          IR_IOT_MAX_ATTRIBUTES);
    payload = json_object();
    attrs = json_object();
    if (payload == NULL || attrs == NULL || json_object_set_new(payload, "attributes", attrs) != 0)
        rc = ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    for (i = 0; i < a->n_attributes && rc == IR_OK; i++) {
        rc = ir_iot_check_text(op, "an attribute name", a->attributes[i].name, 1, 128, err);
        if (rc == IR_OK)
            rc = ir_iot_check_text(op, "an attribute value", a->attributes[i].value, 0, 800, err);
        if (rc == IR_OK)
            rc = ir_iot_json_set_str(attrs, op, a->attributes[i].name, a->attributes[i].value, err);
    }
    if (rc == IR_OK && json_object_set(body, "attributePayload", payload) != 0)
        rc = ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    json_decref(payload);
    return rc;
}

static ir_rc create_thing_body(ir_ops_req *b, const ir_iot_create_thing_args *a, ir_err *err)
{
    const char *op = b->req->operation;
    json_t *body = json_object();
    ir_rc rc = body != NULL ? IR_OK : ir_err_set(err, IR_ERR_NOMEM, "out of memory");

    if (rc == IR_OK && a->thing_type_name != NULL)
        rc = ir_iot_check_name(op, "thingTypeName", a->thing_type_name, 128, THING_NAME_EXTRA, err);
    if (rc == IR_OK)
        rc = ir_iot_json_set_str(body, op, "thingTypeName", a->thing_type_name, err);
    if (rc == IR_OK)
        rc = attribute_payload(body, op, a, err);
    if (rc == IR_OK)
        rc = ir_iot_json_body(b, body, err);
    json_decref(body);
    return rc;
}

ir_rc ir_iot_build_create_thing(const ir_iot_target *t, const ir_iot_create_thing_args *args,
                                ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    const char *op = "CreateThing";
    ir_ops_req b;
    ir_rc rc;

    if (args == NULL) {
        ir_buf_init(storage, IR_OPS_STORAGE_MAX);
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: no arguments", op);
    }
    rc = build_thing_op(&b, t, op, "POST", args->thing_name, NULL, req, storage, err);
    if (rc == IR_OK)
        rc = create_thing_body(&b, args, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_parse_create_thing(const ir_aws_response *resp, ir_iot_thing *out, ir_err *err)
{
    json_t *root;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_fields(root, NULL, IR_IOT_FIELDS(thing_fields), out, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, "CreateThing", err);
}

ir_rc ir_iot_create_thing(ir_aws_client *c, const ir_iot_target *t,
                          const ir_iot_create_thing_args *args, ir_iot_thing *out,
                          ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_ops_call_send(c, &k, ir_iot_build_create_thing(t, args, &k.req, &k.storage, err),
                                aerr, err);

    if (rc == IR_OK)
        rc = ir_iot_parse_create_thing(&k.resp, out, err);
    else
        ir_iot_keep_existing(&k, rc, &out->thing_id, &out->thing_arn);
    return ir_ops_call_end(&k, rc);
}

/* ---- DescribeThing ---- */

static const ir_iot_json_field thing_desc_fields[] = {
    IR_IOT_STR(ir_iot_thing_desc, thing_name, "thingName", true),
    IR_IOT_STR(ir_iot_thing_desc, thing_arn, "thingArn", true),
    IR_IOT_STR(ir_iot_thing_desc, thing_id, "thingId", false),
    IR_IOT_STR(ir_iot_thing_desc, thing_type_name, "thingTypeName", false),
    IR_IOT_STR(ir_iot_thing_desc, default_client_id, "defaultClientId", false),
    IR_IOT_STR(ir_iot_thing_desc, billing_group_name, "billingGroupName", false),
    IR_IOT_INT64(ir_iot_thing_desc, version, "version"),
};

void ir_iot_thing_desc_free(ir_iot_thing_desc *d)
{
    size_t i;

    ir_iot_json_fields_free(IR_IOT_FIELDS(thing_desc_fields), d);
    for (i = 0; i < d->n_attributes; i++) {
        free(d->attributes[i].name);
        free(d->attributes[i].value);
    }
    free(d->attributes);
    memset(d, 0, sizeof(*d));
}

const char *ir_iot_thing_desc_attribute(const ir_iot_thing_desc *d, const char *name)
{
    size_t i;

    for (i = 0; i < d->n_attributes; i++)
        if (strcmp(d->attributes[i].name, name) == 0)
            return d->attributes[i].value;
    return NULL;
}

ir_rc ir_iot_build_describe_thing(const ir_iot_target *t, const char *thing_name,
                                  ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = build_thing_op(&b, t, "DescribeThing", "GET", thing_name, NULL, req, storage, err);

    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

static ir_rc parse_attribute(const char *key, const json_t *value, ir_iot_thing_desc *out,
                             ir_err *err)
{
    ir_iot_thing_attr *a;
    ir_rc rc;

    if (!json_is_string(value))
        return ir_err_set(err, IR_ERR_PARSE, "member attributes.%s is not a string", key);
    rc = ir_iot_array_grow((void **)&out->attributes, &out->n_attributes, sizeof(*a), err);
    if (rc != IR_OK)
        return rc;
    a = &out->attributes[out->n_attributes];
    a->name = strdup(key);
    a->value = strdup(json_string_value(value));
    if (a->name == NULL || a->value == NULL) {
        free(a->name);
        free(a->value);
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    }
    out->n_attributes++;
    return IR_OK;
}

static ir_rc parse_attributes(const json_t *root, ir_iot_thing_desc *out, ir_err *err)
{
    json_t *attrs = NULL, *value;
    const char *key;
    ir_rc rc = ir_iot_json_object(root, NULL, "attributes", false, &attrs, err);

    if (rc != IR_OK || attrs == NULL)
        return rc;
    json_object_foreach(attrs, key, value)
    {
        rc = parse_attribute(key, value, out, err);
        if (rc != IR_OK)
            return rc;
    }
    return IR_OK;
}

ir_rc ir_iot_parse_describe_thing(const ir_aws_response *resp, ir_iot_thing_desc *out, ir_err *err)
{
    json_t *root;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_fields(root, NULL, IR_IOT_FIELDS(thing_desc_fields), out, err);
    if (rc == IR_OK)
        rc = parse_attributes(root, out, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, "DescribeThing", err);
}

ir_rc ir_iot_describe_thing(ir_aws_client *c, const ir_iot_target *t, const char *thing_name,
                            ir_iot_thing_desc *out, ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_ops_call_send(
        c, &k, ir_iot_build_describe_thing(t, thing_name, &k.req, &k.storage, err), aerr, err);

    if (rc == IR_OK)
        rc = ir_iot_parse_describe_thing(&k.resp, out, err);
    return ir_ops_call_end(&k, rc);
}

/* ---- AttachThingPrincipal, DetachThingPrincipal ---- */

/* The principal goes in the x-amzn-principal header of both operations. */
static ir_rc build_principal_op(const ir_iot_target *t, const char *op, const char *method,
                                const char *thing_name, const char *principal, ir_aws_request *req,
                                ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = build_thing_op(&b, t, op, method, thing_name, "/principals", req, storage, err);

    if (rc == IR_OK)
        rc = ir_iot_check_text(op, "principal", principal, 1, 2048, err);
    if (rc == IR_OK)
        rc = ir_ops_req_header(&b, "x-amzn-principal", principal, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_build_attach_thing_principal(const ir_iot_target *t, const char *thing_name,
                                          const char *principal, ir_aws_request *req,
                                          ir_buf *storage, ir_err *err)
{
    return build_principal_op(t, "AttachThingPrincipal", "PUT", thing_name, principal, req, storage,
                              err);
}

ir_rc ir_iot_attach_thing_principal(ir_aws_client *c, const ir_iot_target *t,
                                    const char *thing_name, const char *principal,
                                    ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc =
        ir_iot_build_attach_thing_principal(t, thing_name, principal, &k.req, &k.storage, err);

    return ir_iot_call_empty(c, &k, rc, aerr, err);
}

ir_rc ir_iot_build_detach_thing_principal(const ir_iot_target *t, const char *thing_name,
                                          const char *principal, ir_aws_request *req,
                                          ir_buf *storage, ir_err *err)
{
    return build_principal_op(t, "DetachThingPrincipal", "DELETE", thing_name, principal, req,
                              storage, err);
}

ir_rc ir_iot_detach_thing_principal(ir_aws_client *c, const ir_iot_target *t,
                                    const char *thing_name, const char *principal,
                                    ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc =
        ir_iot_build_detach_thing_principal(t, thing_name, principal, &k.req, &k.storage, err);

    return ir_iot_call_empty(c, &k, rc, aerr, err);
}

/* ---- ListThingPrincipals ---- */

static ir_rc parse_principal(const json_t *item, const char *where, void *slot, ir_err *err)
{
    char **out = slot;

    if (!json_is_string(item))
        return ir_err_set(err, IR_ERR_PARSE, "member %s is not a string", where);
    *out = strdup(json_string_value(item));
    return *out != NULL ? IR_OK : ir_err_set(err, IR_ERR_NOMEM, "out of memory");
}

static void principal_free(void *item)
{
    ir_iot_strfree(item);
}

/* Elements are strings, not objects; the path names the thing. */
static const ir_iot_list_shape principal_list_shape = {
    .op = "ListThingPrincipals",
    .array_key = "principals",
    .next_key = "nextToken",
    .elem_size = sizeof(char *),
    .parse_item = parse_principal,
    .free_item = principal_free,
};

void ir_iot_principal_list_free(ir_iot_principal_list *l)
{
    ir_iot_list_free(&principal_list_shape, (void **)&l->items, &l->n, &l->next_token);
}

ir_rc ir_iot_build_list_thing_principals(const ir_iot_target *t, const char *thing_name,
                                         const ir_iot_page_opts *page, ir_aws_request *req,
                                         ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = build_thing_op(&b, t, "ListThingPrincipals", "GET", thing_name, "/principals", req,
                              storage, err);

    if (rc == IR_OK)
        rc = ir_iot_token_page_query(&b, page, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_parse_list_thing_principals(const ir_aws_response *resp, ir_iot_principal_list *out,
                                         ir_err *err)
{
    return ir_iot_parse_list(resp, &principal_list_shape, (void **)&out->items, &out->n,
                             &out->next_token, err);
}

ir_rc ir_iot_list_thing_principals(ir_aws_client *c, const ir_iot_target *t, const char *thing_name,
                                   const ir_iot_page_opts *page, ir_iot_principal_list *out,
                                   ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_iot_build_list_thing_principals(t, thing_name, page, &k.req, &k.storage, err);

    return ir_iot_call_list(c, &k, rc, &principal_list_shape, (void **)&out->items, &out->n,
                            &out->next_token, aerr, err);
}

static ir_rc fetch_principals_page(ir_aws_client *c, const ir_iot_target *t, const void *ctx,
                                   const char *token, void *list, ir_aws_error *aerr, ir_err *err)
{
    ir_iot_page_opts page = {0, token, false};

    return ir_iot_list_thing_principals(c, t, ctx, &page, list, aerr, err);
}

ir_rc ir_iot_list_all_thing_principals(ir_aws_client *c, const ir_iot_target *t,
                                       const char *thing_name, ir_iot_principal_list *out,
                                       ir_aws_error *aerr, ir_err *err)
{
    return ir_iot_follow_pages(c, t, fetch_principals_page, thing_name, out, &out->next_token, aerr,
                               err);
}

static ir_rc thing_group_body(ir_ops_req *b, const ir_iot_thing_group_args *a, ir_err *err)
{
    const char *op = b->req->operation;
    json_t *body = json_object();
    ir_rc rc = body != NULL ? IR_OK : ir_err_set(err, IR_ERR_NOMEM, "out of memory");

    if (rc == IR_OK)
        rc = ir_iot_json_set_str(body, op, "thingGroupName", a->thing_group_name, err);
    if (rc == IR_OK)
        rc = ir_iot_json_set_str(body, op, "thingGroupArn", a->thing_group_arn, err);
    if (rc == IR_OK)
        rc = ir_iot_json_set_str(body, op, "thingName", a->thing_name, err);
    if (rc == IR_OK)
        rc = ir_iot_json_set_str(body, op, "thingArn", a->thing_arn, err);
    if (rc == IR_OK && a->override_dynamic_groups &&
        json_object_set_new(body, "overrideDynamicGroups", json_true()) != 0)
        rc = ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    if (rc == IR_OK)
        rc = ir_iot_json_body(b, body, err);
    json_decref(body);
    return rc;
}

static ir_rc check_thing_group_args(const char *op, const ir_iot_thing_group_args *a, ir_err *err)
{
    if (a == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: no arguments", op);
    if (a->thing_group_name == NULL && a->thing_group_arn == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: a thing group name or ARN is needed", op);
    if (a->thing_name == NULL && a->thing_arn == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: a thing name or ARN is needed", op);
    return IR_OK;
}

ir_rc ir_iot_build_add_thing_to_thing_group(const ir_iot_target *t,
                                            const ir_iot_thing_group_args *args,
                                            ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    const char *op = "AddThingToThingGroup";
    ir_ops_req b;
    ir_rc rc = ir_iot_begin(&b, t, op, "PUT", req, storage, err);

    if (rc == IR_OK)
        rc = check_thing_group_args(op, args, err);
    if (rc == IR_OK)
        rc = ir_ops_req_path(&b, "/thing-groups/addThingToThingGroup", NULL, NULL, err);
    if (rc == IR_OK)
        rc = thing_group_body(&b, args, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

ir_rc ir_iot_add_thing_to_thing_group(ir_aws_client *c, const ir_iot_target *t,
                                      const ir_iot_thing_group_args *args, ir_aws_error *aerr,
                                      ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_iot_build_add_thing_to_thing_group(t, args, &k.req, &k.storage, err);

    return ir_iot_call_empty(c, &k, rc, aerr, err);
}
