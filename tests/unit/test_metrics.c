/* The metrics registry's text exposition (core/metrics.h) and iotregd's
 * metrics (daemon/metrics.h): the exact format, label escaping, histogram
 * buckets (cumulative, upper bounds inclusive, +Inf), what a counter
 * refuses, the series cap, and the daemon's label words. */
#include "autoconf.h"

#include <math.h>
#include <string.h>

#include "core/metrics.h"
#include "daemon/metrics.h"
#include "testutil.h"

static char text[1 << 16];

static const char *render(ir_metrics *m)
{
    ir_buf b;
    ir_err err = {0};

    ir_buf_init(&b, sizeof(text) - 1);
    text[0] = '\0';
    if (ir_metrics_render(m, &b, &err) == IR_OK)
        snprintf(text, sizeof(text), "%s", ir_buf_cstr(&b));
    ir_buf_free(&b);
    return text;
}

static void test_counter_and_gauge_format(void)
{
    static const char *const labels[] = {"customer", "outcome", NULL};
    ir_metrics *m = ir_metrics_new();
    int c =
        ir_metrics_family(m, "iotreg_x_total", "Things done.", IR_METRIC_COUNTER, labels, NULL, 0);
    int g = ir_metrics_family(m, "iotreg_y", "A level.", IR_METRIC_GAUGE, NULL, NULL, 0);
    const char *a[] = {"alpha", "ok"};
    const char *b[] = {"be\"ta\\x\ny", NULL};

    CU_ASSERT(c >= 0 && g >= 0);
    ir_metrics_add(m, c, a, 1);
    ir_metrics_add(m, c, a, 2);
    ir_metrics_add(m, c, b, 1);
    ir_metrics_set(m, g, NULL, 0.25);
    CU_ASSERT_STRING_EQUAL(render(m),
                           "# HELP iotreg_x_total Things done.\n"
                           "# TYPE iotreg_x_total counter\n"
                           "iotreg_x_total{customer=\"alpha\",outcome=\"ok\"} 3\n"
                           "iotreg_x_total{customer=\"be\\\"ta\\\\x\\ny\",outcome=\"\"} 1\n"
                           "# HELP iotreg_y A level.\n"
                           "# TYPE iotreg_y gauge\n"
                           "iotreg_y 0.25\n"
                           "# HELP iotreg_metrics_dropped_series_total Updates dropped "
                           "because a metric had too many series.\n"
                           "# TYPE iotreg_metrics_dropped_series_total counter\n"
                           "iotreg_metrics_dropped_series_total 0\n");
    /* A counter only goes up; a gauge is replaced by a fresh count. */
    ir_metrics_add(m, c, a, -5);
    ir_metrics_set(m, c, a, 0);
    ir_metrics_gauge_replace(m, g, NULL, NULL, 0);
    ir_metrics_gauge_replace(m, c, NULL, NULL, 0); /* not a gauge: nothing happens */
    render(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "outcome=\"ok\"} 3\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\niotreg_y 0\n"));
    ir_metrics_free(m);
}

static void test_gauge_replace(void)
{
    static const char *const labels[] = {"state", "customer", NULL};
    ir_metrics *m = ir_metrics_new();
    int g = ir_metrics_family(m, "iotreg_e", "Entries.", IR_METRIC_GAUGE, labels, NULL, 0);
    const char *first[] = {"pending", "alpha", "done", "alpha"};
    const char *second[] = {"done", "alpha"};
    const double v1[] = {2, 1}, v2[] = {3};

    ir_metrics_gauge_replace(m, g, first, v1, 2);
    ir_metrics_gauge_replace(m, g, second, v2, 1);
    render(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "iotreg_e{state=\"pending\",customer=\"alpha\"} 0\n"
                                        "iotreg_e{state=\"done\",customer=\"alpha\"} 3\n"));
    ir_metrics_free(m);
}

static void test_histogram_buckets(void)
{
    static const char *const labels[] = {"step", NULL};
    static const double bounds[] = {0.125, 1, 10};
    ir_metrics *m = ir_metrics_new();
    int h = ir_metrics_family(m, "iotreg_z_seconds", "Durations.", IR_METRIC_HISTOGRAM, labels,
                              bounds, 3);
    const char *s[] = {"register"};

    CU_ASSERT_FATAL(h >= 0);
    ir_metrics_observe(m, h, s, 0.0625); /* <= 0.125 */
    ir_metrics_observe(m, h, s, 0.125);  /* a bound is inclusive */
    ir_metrics_observe(m, h, s, 5);      /* <= 10 */
    ir_metrics_observe(m, h, s, 100);    /* only +Inf */
    ir_metrics_add(m, h, s, 1);          /* not a histogram's operation */
    render(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(text,
                                  "# TYPE iotreg_z_seconds histogram\n"
                                  "iotreg_z_seconds_bucket{step=\"register\",le=\"0.125\"} 2\n"
                                  "iotreg_z_seconds_bucket{step=\"register\",le=\"1\"} 2\n"
                                  "iotreg_z_seconds_bucket{step=\"register\",le=\"10\"} 3\n"
                                  "iotreg_z_seconds_bucket{step=\"register\",le=\"+Inf\"} 4\n"
                                  "iotreg_z_seconds_sum{step=\"register\"} 105.1875\n"
                                  "iotreg_z_seconds_count{step=\"register\"} 4\n"));
    ir_metrics_free(m);
}

static void test_latency_buckets_increase(void)
{
    size_t i;

    CU_ASSERT(ir_metrics_n_latency_buckets >= 10 &&
              ir_metrics_n_latency_buckets < IR_METRICS_MAX_BUCKETS);
    for (i = 1; i < ir_metrics_n_latency_buckets; i++)
        CU_ASSERT(ir_metrics_latency_buckets[i] > ir_metrics_latency_buckets[i - 1]);
}

static void test_declarations_refused(void)
{
    static const char *const le[] = {"le", NULL};
    static const char *const bad[] = {"0x", NULL};
    static const char *const reserved[] = {"__name", NULL};
    static const double unsorted[] = {1, 0.5};
    ir_metrics *m = ir_metrics_new();

    CU_ASSERT(ir_metrics_family(m, "ok_total", "", IR_METRIC_COUNTER, NULL, NULL, 0) >= 0);
    CU_ASSERT_EQUAL(ir_metrics_family(m, "ok_total", "", IR_METRIC_COUNTER, NULL, NULL, 0), -1);
    CU_ASSERT_EQUAL(ir_metrics_family(m, "9lives", "", IR_METRIC_GAUGE, NULL, NULL, 0), -1);
    CU_ASSERT_EQUAL(ir_metrics_family(m, "a-b", "", IR_METRIC_GAUGE, NULL, NULL, 0), -1);
    CU_ASSERT_EQUAL(ir_metrics_family(m, "h1", "", IR_METRIC_HISTOGRAM, le, unsorted, 0), -1);
    CU_ASSERT_EQUAL(ir_metrics_family(m, "g1", "", IR_METRIC_GAUGE, bad, NULL, 0), -1);
    CU_ASSERT_EQUAL(ir_metrics_family(m, "g2", "", IR_METRIC_GAUGE, reserved, NULL, 0), -1);
    CU_ASSERT_EQUAL(ir_metrics_family(m, "h2", "", IR_METRIC_HISTOGRAM, NULL, unsorted, 2), -1);
    /* A failed declaration's index is ignored by updates. */
    ir_metrics_add(m, -1, NULL, 1);
    ir_metrics_free(m);
}

static void test_series_are_capped(void)
{
    static const char *const labels[] = {"k", NULL};
    ir_metrics *m = ir_metrics_new();
    int c = ir_metrics_family(m, "many_total", "", IR_METRIC_COUNTER, labels, NULL, 0);
    char v[32];
    const char *vals[] = {v};
    int i;

    for (i = 0; i < IR_METRICS_MAX_SERIES + 5; i++) {
        snprintf(v, sizeof(v), "v%d", i);
        ir_metrics_add(m, c, vals, 1);
    }
    render(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "iotreg_metrics_dropped_series_total 5\n"));
    snprintf(v, sizeof(v), "{k=\"v%d\"}", IR_METRICS_MAX_SERIES);
    CU_ASSERT_PTR_NULL(strstr(text, v));
    ir_metrics_free(m);
}

static void test_daemon_label_words(void)
{
    ir_dmetrics *dm = ir_dmetrics_new();
    ir_aws_attempt_info a = {"iot", "RegisterCertificate", 200, false, false};

    CU_ASSERT_STRING_EQUAL(ir_dmetrics_park_class(NULL), "other");
    CU_ASSERT_STRING_EQUAL(
        ir_dmetrics_park_class("role arn:aws:iam::1:role/r can be assumed without its ExternalId"),
        "unsafe_role");
    CU_ASSERT_STRING_EQUAL(ir_dmetrics_park_class("customer 'x' is not in the configuration"),
                           "configuration");
    CU_ASSERT_STRING_EQUAL(ir_dmetrics_park_class("customer a rejected the transfer (reason: x)"),
                           "transfer");
    CU_ASSERT_STRING_EQUAL(ir_dmetrics_park_class("thing t in account 1 already has principal p"),
                           "thing");
    CU_ASSERT_STRING_EQUAL(
        ir_dmetrics_park_class("CreateThing: InvalidRequestException (HTTP 400): no"), "aws");
    CU_ASSERT_FATAL(dm != NULL);
    ir_dmetrics_aws_attempt(dm, &a);
    a.http_status = 429;
    a.throttled = true;
    a.will_retry = true;
    ir_dmetrics_aws_attempt(dm, &a);
    a.http_status = 0;
    a.throttled = false;
    ir_dmetrics_aws_attempt(dm, &a);
    a.service = "sts";
    a.operation = "AssumeRole";
    a.http_status = 403;
    a.will_retry = false;
    ir_dmetrics_aws_attempt(dm, &a);
    render(ir_dmetrics_registry(dm));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "iotreg_aws_requests_total{service=\"iot\",operation="
                                        "\"RegisterCertificate\",status_class=\"2xx\"} 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "status_class=\"4xx\"} 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "status_class=\"none\"} 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "iotreg_aws_throttles_total{service=\"iot\",operation="
                                        "\"RegisterCertificate\"} 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "iotreg_aws_retries_total{service=\"iot\",operation="
                                        "\"RegisterCertificate\"} 2\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "iotreg_assume_role_total{outcome=\"refused\"} 1\n"));
    /* NULL: metrics off, nothing happens. */
    ir_dmetrics_delivery(NULL, "alpha", "delivered");
    ir_dmetrics_free(dm);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_counter_and_gauge_format), IR_TEST(test_gauge_replace),
        IR_TEST(test_histogram_buckets),        IR_TEST(test_latency_buckets_increase),
        IR_TEST(test_declarations_refused),     IR_TEST(test_series_are_capped),
        IR_TEST(test_daemon_label_words),       {NULL, NULL},
    };

    return ir_test_run("metrics", cases, NULL, NULL);
}
