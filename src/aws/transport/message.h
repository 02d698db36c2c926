/* What the transport carries: a request as an operation builds it (service,
 * operation, method, path, query, headers, body, and whose credentials sign
 * it), the response as it came back, and the target an operation is sent to.
 *
 * Each typed operation X (aws/iot/iot.h, aws/sts/sts.h) is two pure functions
 * and a blocking wrapper:
 *   ir_..._build_X(target, args, &req, &storage, err)  fills an ir_aws_request
 *       whose strings live in storage (initialised by the builder: the caller
 *       calls ir_buf_free(&storage) once the request has been sent,
 *       whatever the builder returned);
 *   ir_..._parse_X(&resp, &result, err)  parses a 2xx response;
 *   ir_..._X(client, target, args, &result, &aerr, err)  = build, ir_aws_send, parse.
 * The pure halves let tests check a request and a response without a network. */
#ifndef IOTREG_AWS_TRANSPORT_MESSAGE_H
#define IOTREG_AWS_TRANSPORT_MESSAGE_H

#include <stddef.h>

#include "aws/auth/credentials.h"
#include "core/buf.h"

#define IR_AWS_MAX_RESPONSE_BYTES (4u << 20) /* default cap for one response body */
#define IR_AWS_MAX_REQUEST_BYTES  (1u << 20) /* cap for one request body */

typedef struct ir_aws_param {
    const char *name;
    const char *value; /* unencoded; the transport encodes */
} ir_aws_param;

#define IR_AWS_MAX_PARAMS  8
#define IR_AWS_MAX_HEADERS 8

typedef struct ir_aws_request {
    const char *service; /* endpoint prefix: "iot" or "sts" */
    const char *region;
    const char *operation; /* e.g. "RegisterCertificate": the rate-limit key and the log name */
    const char *method;    /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *path; /* raw path with each label already URI-encoded, e.g. "/certificates/abc" */
    ir_aws_param query[IR_AWS_MAX_PARAMS];
    size_t n_query;
    ir_aws_param headers[IR_AWS_MAX_HEADERS]; /* extra headers, e.g. x-amzn-principal */
    size_t n_headers;
    const char *content_type; /* NULL for no body */
    const void *body;
    size_t body_len;
    /* Whose credentials sign it, and the account the token bucket belongs to
     * (the account id when known, else the access key id). */
    ir_aws_cred_provider *creds;
    const char *account_key;
    /* Per-request endpoint override (a customer's account on a test
     * emulator); NULL uses the client's. */
    const char *endpoint;
} ir_aws_request;

typedef struct ir_aws_response {
    long http_status;
    ir_buf body;          /* capped at the client's max_response_bytes */
    char error_type[128]; /* x-amzn-ErrorType, trimmed at ':' */
    char request_id[96];  /* x-amzn-RequestId or x-amz-request-id */
} ir_aws_response;

void ir_aws_response_init(ir_aws_response *resp);
void ir_aws_response_free(ir_aws_response *resp);

/* Where a request is sent and whose credentials sign it. */
typedef struct ir_aws_target {
    const char *region;
    ir_aws_cred_provider *creds;
    /* The token bucket's account: the account id (NULL lets the transport
     * fall back to the access key id). */
    const char *account_key;
    /* Endpoint override for this account (the emulator); NULL = the client's. */
    const char *endpoint;
} ir_aws_target;

#endif
