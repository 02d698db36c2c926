/* Retries: capped exponential backoff with full jitter, bounded by a number
 * of attempts and by a total time budget. (Which failures are retryable is
 * the error model's classification: ir_aws_error_classify in
 * aws/aws_error.h.) */
#ifndef IOTREG_AWS_TRANSPORT_RETRY_H
#define IOTREG_AWS_TRANSPORT_RETRY_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ir_retry_policy {
    int max_attempts;  /* sends in all, >= 1 */
    long max_retry_ms; /* total time from the first send to the last retry's start */
    long base_backoff_ms;
    long max_backoff_ms;
} ir_retry_policy;

/* Uniform 64-bit random numbers; a deterministic one may replace the default
 * in tests. */
typedef uint64_t (*ir_rng_fn)(void *ctx);
uint64_t ir_retry_default_rng(void *ctx);

/* The backoff cap before retry number `retry` (0 for the first retry):
 * min(max_backoff, base * 2^retry). */
long ir_retry_backoff_cap_ms(const ir_retry_policy *p, int retry);
/* Full jitter: a uniform draw from [0, cap]. */
long ir_retry_backoff_ms(const ir_retry_policy *p, int retry, ir_rng_fn rng, void *rng_ctx);

/* Whether a request that failed after `attempts` sends, `elapsed_ms` after
 * its first send, may be sent again after sleeping backoff_ms. */
bool ir_retry_allowed(const ir_retry_policy *p, bool retryable, int attempts, int64_t elapsed_ms,
                      long backoff_ms);

#endif
