/* Token buckets: AWS's quotas as defaults, overrides, strict spacing checked
 * on a fake clock, thread safety, and one real-time check with generous
 * bounds. */
#include "autoconf.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/transport/ratelimit.h"
#include "core/util.h"
#include "testutil.h"

typedef struct fake_clock {
    int64_t now_us;
} fake_clock;

static int64_t fake_now(void *ctx)
{
    return ((fake_clock *)ctx)->now_us;
}

static ir_ratelimit *fake_limiter(fake_clock *clk)
{
    ir_ratelimit *rl = NULL;

    CU_ASSERT_EQUAL_FATAL(ir_ratelimit_new(fake_now, clk, &rl, NULL), IR_OK);
    return rl;
}

static void test_published_defaults(void)
{
    static const char *const ten[] = {"RegisterCertificate",
                                      "RegisterCACertificate",
                                      "RegisterCertificateWithoutCA",
                                      "TransferCertificate",
                                      "AcceptCertificateTransfer",
                                      "RejectCertificateTransfer",
                                      "CancelCertificateTransfer",
                                      "UpdateCertificate",
                                      "DescribeCertificate",
                                      "ListCertificates",
                                      "CreatePolicy",
                                      "GetPolicy",
                                      "ListThings" /* any other IoT API */};
    static const char *const fifteen[] = {"AttachPolicy", "CreateThing", "AttachThingPrincipal",
                                          "AddThingToThingGroup"};
    size_t i;

    for (i = 0; i < sizeof(ten) / sizeof(*ten); i++)
        CU_ASSERT_DOUBLE_EQUAL(ir_ratelimit_default_quota("iot", ten[i]), 10.0, 1e-9);
    for (i = 0; i < sizeof(fifteen) / sizeof(*fifteen); i++)
        CU_ASSERT_DOUBLE_EQUAL(ir_ratelimit_default_quota("iot", fifteen[i]), 15.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(ir_ratelimit_default_quota("sts", "AssumeRole"), 50.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(ir_ratelimit_default_quota("sts", "GetCallerIdentity"), 50.0, 1e-9);
}

static void test_overrides_apply_per_api_and_account(void)
{
    fake_clock clk = {0};
    ir_ratelimit *rl = fake_limiter(&clk);
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_ratelimit_set_quota(rl, NULL, "RegisterCertificate", 25, NULL), IR_OK);
    CU_ASSERT_EQUAL(ir_ratelimit_set_quota(rl, "111111111111", "RegisterCertificate", 3, NULL),
                    IR_OK);
    CU_ASSERT_DOUBLE_EQUAL(ir_ratelimit_quota(rl, "111111111111", "iot", "RegisterCertificate"),
                           3.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(ir_ratelimit_quota(rl, "222222222222", "iot", "RegisterCertificate"),
                           25.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(ir_ratelimit_quota(rl, "111111111111", "iot", "AttachPolicy"), 15.0,
                           1e-9);
    CU_ASSERT_EQUAL(ir_ratelimit_set_quota(rl, NULL, "AttachPolicy", 0, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL(ir_ratelimit_set_quota(rl, NULL, "AttachPolicy", -1, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL(ir_ratelimit_set_quota(rl, NULL, "AttachPolicy", 1e9, &err),
                    IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL(ir_ratelimit_set_quota(rl, NULL, "", 5, &err), IR_ERR_INVALID_ARG);
    ir_ratelimit_free(rl);
}

static void test_interval_leaves_a_jitter_allowance(void)
{
    CU_ASSERT_EQUAL(ir_ratelimit_interval_us(10), 102500);
    CU_ASSERT_EQUAL(ir_ratelimit_interval_us(15), 68334); /* rounded up */
    CU_ASSERT_EQUAL(ir_ratelimit_interval_us(50), 20500);
    /* rate intervals always span more than a second plus the allowance */
    CU_ASSERT_TRUE(ir_ratelimit_interval_us(7) * 7 >= 1000000 + IR_RATELIMIT_JITTER_US);
}

/* The most send times in any window [t, t + window_us]. */
static int max_in_window(const int64_t *t, int n, int64_t window_us)
{
    int i, j = 0, best = 0;

    for (i = 0; i < n; i++) {
        while (t[i] - t[j] > window_us)
            j++;
        if (i - j + 1 > best)
            best = i - j + 1;
    }
    return best;
}

static void check_spacing(double tps, int n)
{
    fake_clock clk = {5000000};
    ir_ratelimit *rl = fake_limiter(&clk);
    int64_t *sends = calloc((size_t)n, sizeof(*sends));
    int i;

    ir_ratelimit_set_quota(rl, NULL, "DescribeCertificate", tps, NULL);
    /* Everyone asks at once; each is told when its token is due. */
    for (i = 0; i < n; i++)
        sends[i] = clk.now_us +
                   ir_ratelimit_reserve(rl, "acct", "eu-west-1", "iot", "DescribeCertificate");
    CU_ASSERT_EQUAL(sends[0], clk.now_us); /* a quiet bucket sends at once */
    for (i = 1; i < n; i++)
        CU_ASSERT_TRUE(sends[i] - sends[i - 1] >= (int64_t)(1e6 / tps));
    /* Within quota even if jitter shrinks a second by the allowance... */
    CU_ASSERT_TRUE(max_in_window(sends, n, 1000000 + IR_RATELIMIT_JITTER_US - 1) <= (int)tps);
    /* ...and not much below it. */
    CU_ASSERT_TRUE(max_in_window(sends, n, 1000000) >= (int)tps - 1);
    free(sends);
    ir_ratelimit_free(rl);
}

static void test_spacing_keeps_every_second_within_quota(void)
{
    check_spacing(10, 100);
    check_spacing(15, 150);
    check_spacing(50, 500);
    check_spacing(3, 30);
}

static void test_no_burst_after_idle(void)
{
    fake_clock clk = {0};
    ir_ratelimit *rl = fake_limiter(&clk);
    int64_t iv = ir_ratelimit_interval_us(15); /* CreateThing's quota */

    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "r", "iot", "CreateThing"), 0);
    clk.now_us += 60 * 1000000LL; /* a long quiet spell accumulates nothing */
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "r", "iot", "CreateThing"), 0);
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "r", "iot", "CreateThing"), iv);
    clk.now_us += 30000;
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "r", "iot", "CreateThing"), 2 * iv - 30000);
    ir_ratelimit_free(rl);
}

static void test_buckets_are_independent(void)
{
    fake_clock clk = {0};
    ir_ratelimit *rl = fake_limiter(&clk);

    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "eu-west-1", "iot", "CreateThing"), 0);
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "b", "eu-west-1", "iot", "CreateThing"), 0);
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "us-east-1", "iot", "CreateThing"), 0);
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "eu-west-1", "iot", "AttachPolicy"), 0);
    CU_ASSERT_TRUE(ir_ratelimit_reserve(rl, "a", "eu-west-1", "iot", "CreateThing") > 0);
    ir_ratelimit_free(rl);
}

static void test_override_changes_existing_bucket(void)
{
    fake_clock clk = {0};
    ir_ratelimit *rl = fake_limiter(&clk);
    int64_t at10 = ir_ratelimit_interval_us(10), at2 = ir_ratelimit_interval_us(2);

    ir_ratelimit_reserve(rl, "a", "r", "iot", "UpdateCertificate");
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "r", "iot", "UpdateCertificate"), at10);
    ir_ratelimit_set_quota(rl, "a", "UpdateCertificate", 2, NULL);
    /* the next slot is one new interval after the last one handed out */
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "r", "iot", "UpdateCertificate"), at10 + at2);
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "r", "iot", "UpdateCertificate"), at10 + 2 * at2);
    ir_ratelimit_free(rl);
}

/* -- slots shared with other processes -- */

typedef struct fake_shared {
    int calls;
    bool fail;
    int64_t next_wait;
    char bucket[320];
    int64_t interval_us;
} fake_shared;

static ir_rc fake_slot(void *ctx, const char *bucket, int64_t interval_us, int64_t *wait_us,
                       ir_err *err)
{
    fake_shared *f = ctx;

    f->calls++;
    snprintf(f->bucket, sizeof(f->bucket), "%s", bucket);
    f->interval_us = interval_us;
    if (f->fail)
        return ir_err_set(err, IR_ERR_IO, "the database cannot be reached");
    *wait_us = f->next_wait;
    return IR_OK;
}

static void test_shared_slot_decides_when_set(void)
{
    fake_clock clk = {0};
    ir_ratelimit *rl = fake_limiter(&clk);
    fake_shared f = {0};

    ir_ratelimit_set_quota(rl, "111111111111", "TransferCertificate", 40, NULL);
    ir_ratelimit_set_shared(rl, fake_slot, &f);
    f.next_wait = 123456;
    CU_ASSERT_EQUAL(
        ir_ratelimit_reserve(rl, "111111111111", "eu-west-1", "iot", "TransferCertificate"),
        123456);
    CU_ASSERT_EQUAL(f.calls, 1);
    CU_ASSERT_STRING_EQUAL(f.bucket, "111111111111/eu-west-1/TransferCertificate");
    CU_ASSERT_EQUAL(f.interval_us, ir_ratelimit_interval_us(40)); /* the bucket's own spacing */
    f.next_wait = 0;
    CU_ASSERT_EQUAL(
        ir_ratelimit_reserve(rl, "111111111111", "eu-west-1", "iot", "TransferCertificate"), 0);
    f.next_wait = -5; /* a slot already past is due now */
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "r", "sts", "AssumeRole"), 0);
    CU_ASSERT_EQUAL(f.interval_us, ir_ratelimit_interval_us(50));
    CU_ASSERT_EQUAL(f.calls, 3);
    CU_ASSERT_EQUAL(ir_ratelimit_shared_failures(rl), 0);
    /* The local buckets were not used meanwhile: unset, the first is quiet. */
    ir_ratelimit_set_shared(rl, NULL, NULL);
    CU_ASSERT_EQUAL(
        ir_ratelimit_reserve(rl, "111111111111", "eu-west-1", "iot", "TransferCertificate"), 0);
    CU_ASSERT_EQUAL(
        ir_ratelimit_reserve(rl, "111111111111", "eu-west-1", "iot", "TransferCertificate"),
        ir_ratelimit_interval_us(40));
    CU_ASSERT_EQUAL(f.calls, 3);
    ir_ratelimit_free(rl);
}

static void test_shared_slot_failure_falls_back_to_local(void)
{
    fake_clock clk = {0};
    ir_ratelimit *rl = fake_limiter(&clk);
    fake_shared f = {.fail = true};
    int64_t iv = ir_ratelimit_interval_us(10);

    ir_ratelimit_set_shared(rl, fake_slot, &f);
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "r", "iot", "RegisterCertificate"), 0);
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "r", "iot", "RegisterCertificate"), iv);
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "r", "iot", "RegisterCertificate"), 2 * iv);
    CU_ASSERT_EQUAL(f.calls, 3);
    CU_ASSERT_EQUAL(ir_ratelimit_shared_failures(rl), 3);
    /* It answers again: it decides again, and the count stays. */
    f.fail = false;
    f.next_wait = 7;
    CU_ASSERT_EQUAL(ir_ratelimit_reserve(rl, "a", "r", "iot", "RegisterCertificate"), 7);
    CU_ASSERT_EQUAL(ir_ratelimit_shared_failures(rl), 3);
    ir_ratelimit_free(rl);
}

/* -- threads -- */

#define THREADS    8
#define PER_THREAD 500

typedef struct reserver {
    ir_ratelimit *rl;
    int64_t waits[PER_THREAD];
} reserver;

static void *reserve_many(void *arg)
{
    reserver *r = arg;
    int i;

    for (i = 0; i < PER_THREAD; i++)
        r->waits[i] = ir_ratelimit_reserve(r->rl, "acct", "r", "sts", "AssumeRole");
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

static void test_concurrent_reservations_get_distinct_slots(void)
{
    static reserver r[THREADS];
    static int64_t all[THREADS * PER_THREAD];
    fake_clock clk = {0};
    ir_ratelimit *rl = fake_limiter(&clk);
    pthread_t t[THREADS];
    int i, bad = 0;

    for (i = 0; i < THREADS; i++) {
        r[i].rl = rl;
        pthread_create(&t[i], NULL, reserve_many, &r[i]);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        memcpy(all + i * PER_THREAD, r[i].waits, sizeof(r[i].waits));
    }
    qsort(all, THREADS * PER_THREAD, sizeof(*all), cmp_i64);
    for (i = 0; i < THREADS * PER_THREAD; i++)
        bad += all[i] != (int64_t)i * ir_ratelimit_interval_us(50); /* none lost or shared */
    CU_ASSERT_EQUAL(bad, 0);
    ir_ratelimit_free(rl);
}

/* Real time, generous bounds: 21 sends at 20 TPS cannot take less than 1 s. */
static void test_real_clock_rate(void)
{
    ir_ratelimit *rl = NULL;
    int64_t start, elapsed;
    int i;

    CU_ASSERT_EQUAL_FATAL(ir_ratelimit_new(NULL, NULL, &rl, NULL), IR_OK);
    ir_ratelimit_set_quota(rl, NULL, "GetPolicy", 20, NULL);
    start = ir_monotonic_ms();
    for (i = 0; i < 21; i++)
        ir_sleep_ms((ir_ratelimit_reserve(rl, "a", "r", "iot", "GetPolicy") + 999) / 1000);
    elapsed = ir_monotonic_ms() - start;
    fprintf(stderr, "\n21 requests at 20 TPS took %lld ms\n", (long long)elapsed);
    CU_ASSERT_TRUE(elapsed >= 995);
    CU_ASSERT_TRUE(elapsed < 10000);
    ir_ratelimit_free(rl);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_published_defaults),
        IR_TEST(test_overrides_apply_per_api_and_account),
        IR_TEST(test_interval_leaves_a_jitter_allowance),
        IR_TEST(test_spacing_keeps_every_second_within_quota),
        IR_TEST(test_no_burst_after_idle),
        IR_TEST(test_buckets_are_independent),
        IR_TEST(test_override_changes_existing_bucket),
        IR_TEST(test_shared_slot_decides_when_set),
        IR_TEST(test_shared_slot_failure_falls_back_to_local),
        IR_TEST(test_concurrent_reservations_get_distinct_slots),
        IR_TEST(test_real_clock_rate),
        {NULL, NULL},
    };

    return ir_test_run("ratelimit", cases, NULL, NULL);
}
