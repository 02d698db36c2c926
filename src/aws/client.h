/* The AWS transport every operation goes through: endpoint resolution, SigV4
 * signing, per-(account, region, API) token buckets, retries with capped
 * exponential backoff and full jitter, and libcurl (easy handles kept for
 * their connections). Calls block; threads may share one client.
 *
 * This header is the contract between the transport (sigv4.c, credentials.c,
 * http.c, ratelimit.c, retry.c, client.c) and the typed operations (iot.c,
 * sts.c). Operations build an ir_aws_request, and parse the ir_aws_response
 * into their typed result. */
#ifndef IOTREG_AWS_CLIENT_H
#define IOTREG_AWS_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/credentials.h"
#include "core/buf.h"
#include "core/error.h"

#define IR_AWS_MAX_RESPONSE_BYTES (4u << 20) /* default cap for one response body */
#define IR_AWS_MAX_REQUEST_BYTES (1u << 20)  /* cap for one request body */

/* AWS's verdict on a request, or the transport's when there was none. */
typedef struct ir_aws_error {
    long http_status;   /* 0 when no HTTP response arrived */
    char type[128];     /* e.g. "ThrottlingException"; "" when none */
    char message[512];  /* AWS's message, or the transport's */
    char request_id[96];
    bool retryable;     /* ir_aws_error_is_retryable() of the above */
    int attempts;       /* how many times the request was sent */
} ir_aws_error;

typedef struct ir_aws_param {
    const char *name;
    const char *value; /* unencoded; the transport encodes */
} ir_aws_param;

#define IR_AWS_MAX_PARAMS 8
#define IR_AWS_MAX_HEADERS 8

typedef struct ir_aws_request {
    const char *service;   /* endpoint prefix: "iot" or "sts" */
    const char *region;
    const char *operation; /* e.g. "RegisterCertificate": the rate-limit key and the log name */
    const char *method;    /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *path;      /* raw path with each label already URI-encoded, e.g. "/certificates/abc" */
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
    ir_buf body;             /* capped at the client's max_response_bytes */
    char error_type[128];    /* x-amzn-ErrorType, trimmed at ':' */
    char request_id[96];     /* x-amzn-RequestId or x-amz-request-id */
} ir_aws_response;

void ir_aws_response_init(ir_aws_response *resp);
void ir_aws_response_free(ir_aws_response *resp);

typedef struct ir_aws_client_opts {
    /* Replaces https://SERVICE.REGION.amazonaws.com for every service (the
     * emulator serves IoT and STS on one port). http:// is refused unless
     * allow_http is set and the host is a loopback address. */
    const char *endpoint;
    bool allow_http;
    const char *ca_file;          /* extra CA bundle; TLS verification is always on */
    const char *iot_signing_name; /* "iot" (default) or "execute-api" */
    long connect_timeout_ms;      /* default 5000 */
    long request_timeout_ms;      /* default 30000 */
    int max_attempts;             /* default 8; 1 disables retries */
    long max_retry_ms;            /* total budget for one request's retries, default 120000 */
    long base_backoff_ms;         /* default 100 */
    long max_backoff_ms;          /* default 20000 */
    size_t max_response_bytes;    /* default IR_AWS_MAX_RESPONSE_BYTES */
    bool rate_limit;              /* token buckets on (default true when opts are zeroed? see ir_aws_client_opts_default) */
} ir_aws_client_opts;
/* Numeric fields left 0 take the defaults above; a zeroed rate_limit is off,
 * so start from ir_aws_client_opts_default (which turns it on). */

/* Fills opts with the defaults above. */
void ir_aws_client_opts_default(ir_aws_client_opts *opts);

typedef struct ir_aws_client ir_aws_client;

ir_rc ir_aws_client_new(const ir_aws_client_opts *opts, ir_aws_client **out, ir_err *err);
void ir_aws_client_free(ir_aws_client *c);

/* Quota for api (an operation name) in tps; account_key NULL sets the
 * default for every account. The defaults are AWS's published quotas. */
ir_rc ir_aws_client_set_quota(ir_aws_client *c, const char *account_key, const char *api,
                              double tps, ir_err *err);

/* When *flag becomes nonzero (a daemon stopping), blocking calls that wait
 * for a token or a retry give up with IR_ERR_BUSY instead of sending. */
void ir_aws_client_set_abort(ir_aws_client *c, atomic_int *flag);

/* Blocking: waits for a token, signs, sends, retries retryable failures
 * within the budget. Returns IR_OK for a 2xx response; IR_ERR_AWS with aerr
 * filled for an AWS error response; IR_ERR_NETWORK / IR_ERR_TIMEOUT when no
 * response arrived after the last attempt. resp holds the last response. */
ir_rc ir_aws_send(ir_aws_client *c, const ir_aws_request *req, ir_aws_response *resp,
                  ir_aws_error *aerr, ir_err *err);
/* Threads: ir_aws_send may be called from any number of threads at once (the
 * token buckets are shared). The request's creds provider must outlive the
 * call. */

/* Classification: ThrottlingException by type whatever the status code,
 * 5xx, ServiceUnavailable, RequestTimeout, and transport failures are
 * retryable; everything else is final. */
bool ir_aws_error_is_retryable(long http_status, const char *type, ir_rc transport_rc);

/* Fills aerr from an error response (x-amzn-ErrorType header, JSON body's
 * __type / code / message, or STS's XML <Error><Code>). */
void ir_aws_error_from_response(const ir_aws_response *resp, ir_aws_error *aerr);

#endif
