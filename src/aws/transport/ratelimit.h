/* Token buckets per (account, region, API) with AWS's published quotas as
 * defaults and per-API overrides (for all accounts or one).
 *
 * The choice: each bucket holds one token and refills at slightly less than
 * its rate, i.e. requests are spaced (1 s + 25 ms) / rate apart (rounded up to
 * the microsecond). AWS and the emulator enforce the same quota with a bucket
 * whose capacity is a whole second of rate, so strict spacing never drains
 * theirs; the 25 ms allowance (2.5% of throughput) keeps even the receiver's
 * view of any 1-second window within the quota when network and scheduling
 * jitter bunch requests up (exact 1/rate spacing puts rate + 1 requests in a
 * closed 1-second window, and jitter can move the last one inside). The
 * price is no burst: a quiet bucket sends one request at once, then one per
 * interval.
 *
 * Tokens are reserved: ir_ratelimit_reserve() takes the next free slot and
 * says how long until it is due, so callers sleep exactly that long.
 *
 * Several processes that send for the same accounts share each bucket's
 * slots through a shared-slot function the layer above sets (iotregd: the
 * journal's database, so N daemons together keep each bucket's spacing).
 * When it fails, the local bucket decides that request (counted).
 * Thread-safe. */
#ifndef IOTREG_AWS_TRANSPORT_RATELIMIT_H
#define IOTREG_AWS_TRANSPORT_RATELIMIT_H

#include <stdint.h>

#include "core/error.h"

#define IR_RATELIMIT_MAX_TPS   100000.0
#define IR_RATELIMIT_JITTER_US 25000 /* added to each second's worth of spacing */

/* Microseconds on a monotonic clock; tests pass a fake one. */
typedef int64_t (*ir_clock_us_fn)(void *ctx);
int64_t ir_clock_monotonic_us(void *ctx);

typedef struct ir_ratelimit ir_ratelimit;

ir_rc ir_ratelimit_new(ir_clock_us_fn clock, void *clock_ctx, ir_ratelimit **out, ir_err *err);
void ir_ratelimit_free(ir_ratelimit *rl);

/* account_key NULL: the default for every account without its own override. */
ir_rc ir_ratelimit_set_quota(ir_ratelimit *rl, const char *account_key, const char *api, double tps,
                             ir_err *err);
/* The quota that applies: account override, then all-accounts override, then
 * AWS's published default (service "sts" defaults to 50, others to 10). */
double ir_ratelimit_quota(ir_ratelimit *rl, const char *account_key, const char *service,
                          const char *api);
/* AWS's published quota for api, ignoring overrides. */
double ir_ratelimit_default_quota(const char *service, const char *api);

/* The spacing between two requests of a bucket at tps. */
int64_t ir_ratelimit_interval_us(double tps);

/* Reserves the next slot of the shared bucket named bucket ("ACCOUNT/REGION/
 * API"), whose requests are spaced interval_us apart, and sets *wait_us to
 * the microseconds until it is due. Anything but IR_OK: the local bucket
 * decides. Called without the limiter's lock, from any thread. */
typedef ir_rc (*ir_ratelimit_shared_fn)(void *ctx, const char *bucket, int64_t interval_us,
                                        int64_t *wait_us, ir_err *err);
/* fn NULL: local buckets only (the default). Set before requests are sent. */
void ir_ratelimit_set_shared(ir_ratelimit *rl, ir_ratelimit_shared_fn fn, void *ctx);
/* Reservations the local bucket decided because the shared function failed. */
uint64_t ir_ratelimit_shared_failures(ir_ratelimit *rl);

/* Takes the next token of the bucket (account_key, region, api) and returns
 * the microseconds until it is due (0: now). The caller must not send before. */
int64_t ir_ratelimit_reserve(ir_ratelimit *rl, const char *account_key, const char *region,
                             const char *service, const char *api);

#endif
