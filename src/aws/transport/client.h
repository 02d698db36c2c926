/* The AWS transport every operation goes through: endpoint resolution, SigV4
 * signing, per-(account, region, API) token buckets, retries with capped
 * exponential backoff and full jitter, and libcurl (easy handles kept for
 * their connections). Calls block; threads may share one client.
 *
 * This header is the contract between the transport and the typed operations
 * (aws/iot, aws/sts): operations build an ir_aws_request (message.h), the
 * client sends it, and they parse the ir_aws_response into their typed
 * result; an AWS error comes back as an ir_aws_error (aws/aws_error.h). */
#ifndef IOTREG_AWS_TRANSPORT_CLIENT_H
#define IOTREG_AWS_TRANSPORT_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/auth/credentials.h"
#include "aws/aws_error.h"
#include "aws/transport/message.h"
#include "aws/transport/ratelimit.h"
#include "core/error.h"

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
    bool rate_limit;              /* token buckets on (default true when opts are zeroed? see
                                     ir_aws_client_opts_default) */
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

/* Shares the token buckets' slots with other processes through fn
 * (aws/transport/ratelimit.h); NULL: this client's buckets alone. */
void ir_aws_client_set_shared_quota(ir_aws_client *c, ir_ratelimit_shared_fn fn, void *ctx);

/* When *flag becomes nonzero (a daemon stopping), blocking calls that wait
 * for a token or a retry give up with IR_ERR_BUSY instead of sending. */
void ir_aws_client_set_abort(ir_aws_client *c, atomic_int *flag);

/* What one attempt of a request came to, for an observer (metrics): the
 * operation's name, the HTTP status (0: no response arrived), whether AWS
 * throttled it, and whether it is sent again. Carries no credential, header
 * or body. */
typedef struct ir_aws_attempt_info {
    const char *service;   /* "iot", "sts" */
    const char *operation; /* e.g. "RegisterCertificate" */
    long http_status;
    bool throttled;
    bool will_retry;
} ir_aws_attempt_info;
typedef void (*ir_aws_observer_fn)(void *ctx, const ir_aws_attempt_info *a);

/* fn (NULL: none) is called after every attempt, from the thread that made
 * it; it must be quick and thread-safe. */
void ir_aws_client_set_observer(ir_aws_client *c, ir_aws_observer_fn fn, void *ctx);

/* Blocking: waits for a token, signs, sends, retries retryable failures
 * within the budget. Returns IR_OK for a 2xx response; IR_ERR_AWS with aerr
 * filled for an AWS error response; IR_ERR_NETWORK / IR_ERR_TIMEOUT when no
 * response arrived after the last attempt. resp holds the last response. */
ir_rc ir_aws_send(ir_aws_client *c, const ir_aws_request *req, ir_aws_response *resp,
                  ir_aws_error *aerr, ir_err *err);
/* Threads: ir_aws_send may be called from any number of threads at once (the
 * token buckets are shared). The request's creds provider must outlive the
 * call. */

#endif
