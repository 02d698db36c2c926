#include "autoconf.h"

#include "aws/transport/retry.h"

#include <openssl/rand.h>
#include <stdlib.h>

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
