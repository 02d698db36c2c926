/* Internal: assembling an ir_aws_request whose strings (path, query values,
 * headers, body) live in one bounded ir_buf. The buffer may move while it
 * grows, so positions are recorded as offsets and turned into pointers by
 * ir_ops_req_finish() once nothing more is appended. */
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

/* Sends a built request when build_rc is IR_OK, then frees storage. resp is
 * initialised in every case, so the caller always frees it; aerr (may be
 * NULL) is zeroed, then filled by the send. */
ir_rc ir_ops_send_built(ir_aws_client *c, ir_rc build_rc, const ir_aws_request *req,
                        ir_buf *storage, ir_aws_response *resp, ir_aws_error *aerr, ir_err *err);

/* Number of Unicode characters in UTF-8 text (AWS's length unit). */
size_t ir_ops_utf8_chars(const char *s);

#endif
