#include "autoconf.h"

#include "aws/retry.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/client.h"

/* Throttling, by error type, whatever the HTTP status (AWS has used 400 and
 * 429 for these). */
static const char *const throttling_types[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "RequestThrottled",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
    "BandwidthLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};

/* Transient server-side failures, also by type. */
static const char *const transient_types[] = {
    "ServiceUnavailable", "ServiceUnavailableException",
    "InternalFailure",    "InternalFailureException",
    "InternalError",      "InternalServerError",
    "RequestTimeout",     "RequestTimeoutException",
};

static bool type_in(const char *type, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(type, list[i]) == 0)
            return true;
    return false;
}

bool ir_aws_error_is_retryable(long http_status, const char *type, ir_rc transport_rc)
{
    if (transport_rc == IR_ERR_NETWORK || transport_rc == IR_ERR_TIMEOUT)
        return true;
    if (transport_rc != IR_OK)
        return false; /* TLS verification, oversize response, bad request: final */
    if (type != NULL && type[0] != '\0' &&
        (type_in(type, throttling_types, sizeof(throttling_types) / sizeof(*throttling_types)) ||
         type_in(type, transient_types, sizeof(transient_types) / sizeof(*transient_types))))
        return true;
    return http_status == 429 || (http_status >= 500 && http_status <= 599);
}

uint64_t ir_retry_default_rng(void *ctx)
{
    uint64_t v = 0;

    if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
        v = ((uint64_t)random() << 32) ^ (uint64_t)random();
    return v;
}

long ir_retry_backoff_cap_ms(const ir_retry_policy *p, int retry)
{
    long cap = p->base_backoff_ms;
    int i;

    if (cap <= 0 || p->max_backoff_ms <= 0)
        return 0;
    for (i = 0; i < retry && cap < p->max_backoff_ms; i++)
        cap *= 2;
    return cap < p->max_backoff_ms ? cap : p->max_backoff_ms;
}

long ir_retry_backoff_ms(const ir_retry_policy *p, int retry, ir_rng_fn rng, void *rng_ctx)
{
    long cap = ir_retry_backoff_cap_ms(p, retry);

    if (cap <= 0)
        return 0;
    if (rng == NULL)
        rng = ir_retry_default_rng;
    return (long)(rng(rng_ctx) % ((uint64_t)cap + 1));
}

bool ir_retry_allowed(const ir_retry_policy *p, bool retryable, int attempts, int64_t elapsed_ms,
                      long backoff_ms)
{
    if (!retryable || attempts >= p->max_attempts)
        return false;
    return elapsed_ms + backoff_ms <= p->max_retry_ms;
}
