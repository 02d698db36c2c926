/* One HTTP exchange over libcurl (OpenSSL): TLS peer and host verification
 * always on, connect and total timeouts, no Expect: 100-continue, keep-alive,
 * no redirects, http and https only, the response body capped. The same
 * easy handle is reused by the caller so that connections are kept. */
#ifndef IOTREG_AWS_TRANSPORT_HTTP_H
#define IOTREG_AWS_TRANSPORT_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/transport/message.h"
#include "core/error.h"

typedef struct ir_http_opts {
    const char *ca_file; /* trusted in addition to the system's CA directory */
    long connect_timeout_ms;
    long request_timeout_ms;
} ir_http_opts;

typedef struct ir_http_exchange {
    const char *method;
    const char *url;
    struct curl_slist *headers; /* "Name: value" lines, complete */
    const void *body;
    size_t body_len;
    ir_aws_response *resp; /* receives status, body (capped by its max), error type, id */
    bool overflow;         /* the body hit the cap */
    char curl_error[CURL_ERROR_SIZE];
} ir_http_exchange;

/* curl_global_init, once per process. */
ir_rc ir_http_global_init(ir_err *err);

/* Sets every option of one exchange on h (after curl_easy_reset, which keeps
 * h's connections). x must stay alive until the exchange finishes. */
ir_rc ir_http_prepare(CURL *h, const ir_http_opts *o, ir_http_exchange *x, ir_err *err);
/* Turns the transfer's outcome into an ir_rc: IR_OK when a response arrived
 * (whatever its status), IR_ERR_TOO_LARGE, IR_ERR_TIMEOUT, IR_ERR_NETWORK
 * (retryable transport failures), IR_ERR_CRYPTO (TLS verification, final). */
ir_rc ir_http_finish(CURL *h, CURLcode cc, ir_http_exchange *x, ir_err *err);

#endif
