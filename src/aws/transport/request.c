#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "aws/transport/request_internal.h"
#include "core/uri_encode.h"

ir_rc ir_ops_req_begin(ir_ops_req *b, const ir_aws_target *t, const char *service,
                       const char *operation, const char *method, ir_aws_request *req,
                       ir_buf *storage, ir_err *err)
{
    ir_buf_init(storage, IR_OPS_STORAGE_MAX);
    memset(b, 0, sizeof(*b));
    memset(req, 0, sizeof(*req));
    b->req = req;
    b->storage = storage;
    if (t == NULL || t->region == NULL || t->region[0] == '\0')
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: the target has no region", operation);
    if (t->creds == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: the target has no credential provider",
                          operation);
    req->service = service;
    req->region = t->region;
    req->operation = operation;
    req->method = method;
    req->creds = t->creds;
    req->account_key = t->account_key;
    req->endpoint = t->endpoint;
    return IR_OK;
}

/* Appends a NUL-terminated copy of s and returns its offset in *off. */
static ir_rc store_str(ir_buf *storage, const char *s, size_t *off, ir_err *err)
{
    *off = storage->len;
    return ir_buf_append(storage, s, strlen(s) + 1, err);
}

ir_rc ir_ops_req_path(ir_ops_req *b, const char *prefix, const char *label, const char *suffix,
                      ir_err *err)
{
    ir_rc rc;

    if (label != NULL && label[0] == '\0')
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: a path label is empty", b->req->operation);
    b->path_off = b->storage->len;
    b->has_path = true;
    rc = ir_buf_append_str(b->storage, prefix, err);
    if (rc == IR_OK && label != NULL)
        rc = ir_uri_encode(b->storage, label, strlen(label), false, err);
    if (rc == IR_OK && suffix != NULL)
        rc = ir_buf_append_str(b->storage, suffix, err);
    if (rc == IR_OK)
        rc = ir_buf_append(b->storage, "", 1, err);
    return rc;
}

ir_rc ir_ops_req_query(ir_ops_req *b, const char *name, const char *value, ir_err *err)
{
    ir_aws_request *req = b->req;

    if (req->n_query == IR_AWS_MAX_PARAMS)
        return ir_err_set(err, IR_ERR_INTERNAL, "%s: too many query parameters", req->operation);
    req->query[req->n_query].name = name;
    return store_str(b->storage, value, &b->query_off[req->n_query++], err);
}

ir_rc ir_ops_req_query_bool(ir_ops_req *b, const char *name, bool value, ir_err *err)
{
    return ir_ops_req_query(b, name, value ? "true" : "false", err);
}

ir_rc ir_ops_req_query_int(ir_ops_req *b, const char *name, long value, ir_err *err)
{
    char text[24];

    snprintf(text, sizeof(text), "%ld", value);
    return ir_ops_req_query(b, name, text, err);
}

ir_rc ir_ops_req_header(ir_ops_req *b, const char *name, const char *value, ir_err *err)
{
    ir_aws_request *req = b->req;

    if (req->n_headers == IR_AWS_MAX_HEADERS)
        return ir_err_set(err, IR_ERR_INTERNAL, "%s: too many headers", req->operation);
    if (strpbrk(value, "\r\n") != NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: header %s holds a line break",
                          req->operation, name);
    req->headers[req->n_headers].name = name;
    return store_str(b->storage, value, &b->header_off[req->n_headers++], err);
}

ir_rc ir_ops_req_body(ir_ops_req *b, const char *content_type, const void *data, size_t len,
                      ir_err *err)
{
    ir_rc rc;

    if (len > IR_AWS_MAX_REQUEST_BYTES)
        return ir_err_set(err, IR_ERR_TOO_LARGE,
                          "%s: the request body of %zu bytes exceeds the limit of %u bytes",
                          b->req->operation, len, IR_AWS_MAX_REQUEST_BYTES);
    b->body_off = b->storage->len;
    rc = ir_buf_append(b->storage, data, len, err);
    if (rc == IR_OK)
        rc = ir_buf_append(b->storage, "", 1, err);
    if (rc != IR_OK)
        return rc;
    b->has_body = true;
    b->req->content_type = content_type;
    b->req->body_len = len;
    return IR_OK;
}

void ir_ops_req_finish(ir_ops_req *b)
{
    ir_aws_request *req = b->req;
    const char *base = (const char *)b->storage->data;
    size_t i;

    req->path = b->has_path ? base + b->path_off : "/";
    for (i = 0; i < req->n_query; i++)
        req->query[i].value = base + b->query_off[i];
    for (i = 0; i < req->n_headers; i++)
        req->headers[i].value = base + b->header_off[i];
    req->body = b->has_body ? base + b->body_off : NULL;
}

ir_rc ir_ops_call_send(ir_aws_client *c, ir_ops_call *k, ir_rc build_rc, ir_aws_error *aerr,
                       ir_err *err)
{
    ir_rc rc = build_rc;

    k->aerr = aerr != NULL ? aerr : &k->own_aerr;
    memset(k->aerr, 0, sizeof(*k->aerr));
    ir_aws_response_init(&k->resp);
    if (rc == IR_OK)
        rc = ir_aws_send(c, &k->req, &k->resp, k->aerr, err);
    ir_buf_free(&k->storage);
    return rc;
}

ir_rc ir_ops_call_end(ir_ops_call *k, ir_rc rc)
{
    ir_aws_response_free(&k->resp);
    return rc;
}
