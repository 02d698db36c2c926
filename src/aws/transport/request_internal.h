/* What the typed operations (aws/iot, aws/sts) share to build and send a
 * request. Building: an ir_aws_request whose strings (path, query values,
 * headers, body) live in one bounded ir_buf; the buffer may move while it
 * grows, so positions are recorded as offsets and turned into pointers by
 * ir_ops_req_finish() once nothing more is appended. Sending: ir_ops_call,
 * one blocking call. */
#ifndef IOTREG_AWS_TRANSPORT_REQUEST_INTERNAL_H
#define IOTREG_AWS_TRANSPORT_REQUEST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/transport/client.h"
#include "core/buf.h"

/* Storage cap: the largest body plus room for the path and parameters. */
#define IR_OPS_STORAGE_MAX (IR_AWS_MAX_REQUEST_BYTES + 16384)

typedef struct ir_ops_req {
    ir_aws_request *req;
    ir_buf *storage;
    size_t path_off;
    size_t query_off[IR_AWS_MAX_PARAMS];
    size_t header_off[IR_AWS_MAX_HEADERS];
    size_t body_off;
    bool has_path;
    bool has_body;
} ir_ops_req;

/* Initialises storage and req; checks the target. */
ir_rc ir_ops_req_begin(ir_ops_req *b, const ir_aws_target *t, const char *service,
                       const char *operation, const char *method, ir_aws_request *req,
                       ir_buf *storage, ir_err *err);
/* The path: prefix, then label URI-encoded (ir_uri_encode; NULL for none),
 * then suffix (may be NULL). */
ir_rc ir_ops_req_path(ir_ops_req *b, const char *prefix, const char *label, const char *suffix,
                      ir_err *err);
ir_rc ir_ops_req_query(ir_ops_req *b, const char *name, const char *value, ir_err *err);
ir_rc ir_ops_req_query_bool(ir_ops_req *b, const char *name, bool value, ir_err *err);
ir_rc ir_ops_req_query_int(ir_ops_req *b, const char *name, long value, ir_err *err);
ir_rc ir_ops_req_header(ir_ops_req *b, const char *name, const char *value, ir_err *err);
ir_rc ir_ops_req_body(ir_ops_req *b, const char *content_type, const void *data, size_t len,
                      ir_err *err);
/* Points req's strings into storage; call last. */
void ir_ops_req_finish(ir_ops_req *b);

/* One blocking call of a typed operation: the request and the storage its
 * strings live in (which the builder fills), the response, and the AWS error
 * (the caller's, or the call's own when the caller passed none). A wrapper
 * reads:
 *     ir_ops_call k;
 *     ir_rc rc = ir_ops_call_send(c, &k, build_X(..., &k.req, &k.storage, err), aerr, err);
 *
 *     return ir_ops_call_end(&k, rc == IR_OK ? parse_X(&k.resp, out, err) : rc); */
typedef struct ir_ops_call {
    ir_aws_request req;
    ir_buf storage;
    ir_aws_response resp;
    ir_aws_error *aerr;
    ir_aws_error own_aerr;
} ir_ops_call;

/* Sends k's request when build_rc is IR_OK, then frees its storage. k->resp
 * is initialised in every case; k->aerr (aerr, or k's own) is zeroed, then
 * filled by the send. Returns build_rc, or the send's. */
ir_rc ir_ops_call_send(ir_aws_client *c, ir_ops_call *k, ir_rc build_rc, ir_aws_error *aerr,
                       ir_err *err);
/* Frees k's response and returns rc. */
ir_rc ir_ops_call_end(ir_ops_call *k, ir_rc rc);

#endif
