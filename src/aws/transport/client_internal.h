/* The inside of the AWS client, shared by client.c (lifecycle, the blocking
 * call) and client_call.c (one request through its attempts), and the
 * client's test hook. */
#ifndef IOTREG_AWS_TRANSPORT_CLIENT_INTERNAL_H
#define IOTREG_AWS_TRANSPORT_CLIENT_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "aws/transport/client.h"
#include "aws/transport/endpoint.h"
#include "aws/transport/http.h"
#include "aws/transport/ratelimit.h"
#include "aws/transport/retry.h"

typedef struct aws_call aws_call;

struct ir_aws_client {
    ir_aws_client_opts opts; /* its strings point at the owned copies below */
    char *endpoint;
    char *ca_file;
    char *iot_signing_name;
    ir_http_opts http;
    ir_retry_policy retry;
    ir_ratelimit *rl;
    ir_rng_fn rng;
    void *rng_ctx;

    pthread_mutex_t pool_lock; /* idle easy handles, kept for their connections */
    CURL **pool;
    size_t n_pool;

    atomic_int *abort_flag; /* set: blocking calls stop waiting and give up */
    ir_aws_observer_fn observer;
    void *observer_ctx;
};

/* One request, through all its attempts. */
struct aws_call {
    ir_aws_client *c;
    ir_aws_request req; /* the caller's */
    ir_aws_endpoint ep;
    const char *signing_name;
    char *url;
    int attempts;
    int64_t first_send_ms; /* monotonic; 0 before the first send */
    int64_t token_wait_ms; /* time spent waiting for tokens, outside the retry budget */
    int64_t attempt_start_ms;
    ir_aws_response *resp;
    ir_aws_response own_resp; /* for a caller that passed none */
    ir_aws_error aerr;
    ir_err err;
    ir_rc rc;
    ir_http_exchange x;
    struct curl_slist *headers; /* holds the Authorization and token: cleansed when freed */
    long backoff_ms;            /* after CALL_RETRY: the delay before the next attempt */
};

typedef enum call_verdict { CALL_DONE, CALL_RETRY } call_verdict;

/* client_call.c */
ir_rc aws_call_init(ir_aws_client *c, const ir_aws_request *req, aws_call *call,
                    ir_aws_response *resp, ir_err *err);
void aws_call_cleanup(aws_call *call);
/* Resolves credentials, signs, and prepares the exchange on easy. On failure
 * the call is finished (call->rc, call->err, call->aerr). */
ir_rc aws_call_prepare_attempt(aws_call *call, CURL *easy);
/* Records the outcome of one attempt and decides what comes next; for
 * CALL_RETRY call->backoff_ms holds the delay. */
call_verdict aws_call_attempt_done(aws_call *call, ir_rc transport_rc, const ir_err *terr);
/* Records a failure before anything was sent (credentials, signing). */
void aws_call_fail(aws_call *call, ir_rc rc, const ir_err *err);

/* Test hook, not for production code: replaces the backoff jitter's random
 * source (NULL restores the default). */
void ir_aws_client_set_rng(ir_aws_client *c, ir_rng_fn rng, void *ctx);

#endif
