/* Retry classification, backoff bounds (deterministic RNG), the retry budget,
 * and error-response parsing (JSON, STS XML, headers, hostile bodies). */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/aws_error.h"
#include "aws/transport/client.h"
#include "aws/transport/retry.h"
#include "testutil.h"

/* -- classification -- */

static void test_throttling_is_retryable_by_type_whatever_the_status(void)
{
    static const char *const types[] = {"ThrottlingException", "Throttling", "ThrottledException",
                                        "TooManyRequestsException", "RequestLimitExceeded"};
    static const long statuses[] = {400, 429, 403, 503};
    size_t i, j;

    for (i = 0; i < sizeof(types) / sizeof(*types); i++)
        for (j = 0; j < sizeof(statuses) / sizeof(*statuses); j++)
            CU_ASSERT_TRUE(ir_aws_error_is_retryable(statuses[j], types[i], IR_OK));
}

static void test_server_and_transport_failures_are_retryable(void)
{
    static const char *const types[] = {"ServiceUnavailable", "ServiceUnavailableException",
                                        "InternalFailure",    "InternalFailureException",
                                        "RequestTimeout",     "RequestTimeoutException"};
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(*types); i++)
        CU_ASSERT_TRUE(ir_aws_error_is_retryable(400, types[i], IR_OK));
    CU_ASSERT_TRUE(ir_aws_error_is_retryable(500, "", IR_OK));
    CU_ASSERT_TRUE(ir_aws_error_is_retryable(502, NULL, IR_OK));
    CU_ASSERT_TRUE(ir_aws_error_is_retryable(503, "SomethingNew", IR_OK));
    CU_ASSERT_TRUE(ir_aws_error_is_retryable(504, "", IR_OK));
    CU_ASSERT_TRUE(ir_aws_error_is_retryable(429, "", IR_OK));
    CU_ASSERT_TRUE(ir_aws_error_is_retryable(0, "", IR_ERR_NETWORK));
    CU_ASSERT_TRUE(ir_aws_error_is_retryable(0, "", IR_ERR_TIMEOUT));
}

static void test_client_errors_are_final(void)
{
    static const struct {
        long status;
        const char *type;
    } finals[] = {
        {406, "CertificateStateException"},
        {403, "AccessDenied"},
        {403, "AccessDeniedException"},
        {403, "InvalidSignatureException"},
        {400, "ExpiredToken"},
        {403, "ExpiredTokenException"},
        {409, "ResourceAlreadyExistsException"},
        {404, "ResourceNotFoundException"},
        {410, "LimitExceededException"},
        {400, "InvalidRequestException"},
        {400, ""},
        {404, NULL},
    };
    size_t i;

    for (i = 0; i < sizeof(finals) / sizeof(*finals); i++)
        CU_ASSERT_FALSE(ir_aws_error_is_retryable(finals[i].status, finals[i].type, IR_OK));
    CU_ASSERT_FALSE(ir_aws_error_is_retryable(0, "", IR_ERR_TOO_LARGE));
    CU_ASSERT_FALSE(ir_aws_error_is_retryable(0, "", IR_ERR_CRYPTO));
    CU_ASSERT_FALSE(ir_aws_error_is_retryable(0, "", IR_ERR_INVALID_ARG));
}

static void test_classes_tell_throttling_from_transient(void)
{
    CU_ASSERT_EQUAL(ir_aws_error_classify(400, "ThrottlingException", IR_OK),
                    IR_AWS_ERROR_THROTTLED);
    CU_ASSERT_EQUAL(ir_aws_error_classify(503, "SlowDown", IR_OK), IR_AWS_ERROR_THROTTLED);
    CU_ASSERT_EQUAL(ir_aws_error_classify(429, "", IR_OK), IR_AWS_ERROR_THROTTLED);
    CU_ASSERT_EQUAL(ir_aws_error_classify(503, "ServiceUnavailable", IR_OK),
                    IR_AWS_ERROR_TRANSIENT);
    CU_ASSERT_EQUAL(ir_aws_error_classify(500, NULL, IR_OK), IR_AWS_ERROR_TRANSIENT);
    CU_ASSERT_EQUAL(ir_aws_error_classify(0, "", IR_ERR_TIMEOUT), IR_AWS_ERROR_TRANSIENT);
    CU_ASSERT_EQUAL(ir_aws_error_classify(400, "InvalidRequestException", IR_OK),
                    IR_AWS_ERROR_FINAL);
    CU_ASSERT_EQUAL(ir_aws_error_classify(0, "", IR_ERR_CRYPTO), IR_AWS_ERROR_FINAL);
}

static void test_retryable_aws_errors_become_busy(void)
{
    ir_aws_error aerr = {0};
    ir_err err = {0};

    aerr.retryable = true;
    CU_ASSERT_EQUAL(ir_aws_error_busy_if_retryable(IR_ERR_AWS, &aerr), IR_ERR_BUSY);
    CU_ASSERT_EQUAL(ir_aws_error_busy_if_retryable(IR_ERR_NETWORK, &aerr), IR_ERR_NETWORK);
    aerr.retryable = false;
    CU_ASSERT_EQUAL(ir_aws_error_busy_if_retryable(IR_ERR_AWS, &aerr), IR_ERR_AWS);
    strcpy(aerr.type, "AccessDenied");
    strcpy(aerr.message, "no");
    aerr.http_status = 403;
    aerr.attempts = 1;
    CU_ASSERT_EQUAL(ir_aws_error_to_err(&aerr, "AssumeRole", &err), IR_ERR_AWS);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "AssumeRole: AccessDenied, HTTP 403: no (request id none, 1 attempt)");
}

/* -- backoff -- */

static uint64_t rng_max(void *ctx)
{
    return UINT64_MAX;
}

static uint64_t rng_zero(void *ctx)
{
    return 0;
}

/* A xorshift generator: deterministic, seeded by the test. */
static uint64_t rng_xorshift(void *ctx)
{
    uint64_t *s = ctx;

    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_backoff_cap_doubles_up_to_the_maximum(void)
{
    ir_retry_policy p = {8, 120000, 100, 20000};
    static const long want[] = {100, 200, 400, 800, 1600, 3200, 6400, 12800, 20000, 20000};
    int i;

    for (i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(ir_retry_backoff_cap_ms(&p, i), want[i]);
    CU_ASSERT_EQUAL(ir_retry_backoff_cap_ms(&p, 1000000), 20000); /* no overflow */
    p.base_backoff_ms = 0;
    CU_ASSERT_EQUAL(ir_retry_backoff_cap_ms(&p, 3), 0);
}

static void test_full_jitter_stays_within_zero_and_cap(void)
{
    ir_retry_policy p = {8, 120000, 100, 20000};
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    long lo = 1 << 30, hi = -1;
    int retry, i;

    for (retry = 0; retry < 12; retry++) {
        long cap = ir_retry_backoff_cap_ms(&p, retry);

        CU_ASSERT_EQUAL(ir_retry_backoff_ms(&p, retry, rng_zero, NULL), 0);
        CU_ASSERT_EQUAL(ir_retry_backoff_ms(&p, retry, rng_max, NULL) <= cap, 1);
        for (i = 0; i < 2000; i++) {
            long b = ir_retry_backoff_ms(&p, retry, rng_xorshift, &seed);
            CU_ASSERT_TRUE_FATAL(b >= 0 && b <= cap);
            if (retry == 4) {
                lo = b < lo ? b : lo;
                hi = b > hi ? b : hi;
            }
        }
    }
    /* Full jitter spreads over the whole range, not just near the cap. */
    CU_ASSERT_TRUE(lo < 1600 / 10);
    CU_ASSERT_TRUE(hi > 1600 * 9 / 10);
}

static void test_retry_budget_bounds(void)
{
    ir_retry_policy p = {3, 1000, 100, 20000};

    CU_ASSERT_TRUE(ir_retry_allowed(&p, true, 1, 0, 100));
    CU_ASSERT_TRUE(ir_retry_allowed(&p, true, 2, 800, 200));
    CU_ASSERT_FALSE(ir_retry_allowed(&p, true, 3, 0, 0));     /* attempts used up */
    CU_ASSERT_FALSE(ir_retry_allowed(&p, true, 1, 900, 101)); /* past the time budget */
    CU_ASSERT_FALSE(ir_retry_allowed(&p, false, 1, 0, 0));    /* final error */
    p.max_attempts = 1;
    CU_ASSERT_FALSE(ir_retry_allowed(&p, true, 1, 0, 0));
}

/* -- error responses -- */

static void response_with(ir_aws_response *r, long status, const char *type_header,
                          const char *body)
{
    ir_aws_response_init(r);
    r->http_status = status;
    if (type_header != NULL)
        snprintf(r->error_type, sizeof(r->error_type), "%s", type_header);
    snprintf(r->request_id, sizeof(r->request_id), "req-123");
    if (body != NULL)
        ir_buf_append_str(&r->body, body, NULL);
}

static void parse(long status, const char *hdr, const char *body, ir_aws_error *e)
{
    ir_aws_response r;

    response_with(&r, status, hdr, body);
    ir_aws_error_from_response(&r, e);
    ir_aws_response_free(&r);
}

static void test_json_errors(void)
{
    ir_aws_error e;

    parse(400, NULL,
          "{\"__type\":\"com.amazonaws.iot#ThrottlingException\",\"message\":\"Rate exceeded\"}",
          &e);
    CU_ASSERT_STRING_EQUAL(e.type, "ThrottlingException");
    CU_ASSERT_STRING_EQUAL(e.message, "Rate exceeded");
    CU_ASSERT_STRING_EQUAL(e.request_id, "req-123");
    CU_ASSERT_EQUAL(e.http_status, 400);
    CU_ASSERT_TRUE(e.retryable);

    parse(409, NULL, "{\"code\":\"ResourceAlreadyExistsException\",\"Message\":\"exists\"}", &e);
    CU_ASSERT_STRING_EQUAL(e.type, "ResourceAlreadyExistsException");
    CU_ASSERT_STRING_EQUAL(e.message, "exists");
    CU_ASSERT_FALSE(e.retryable);

    /* The header wins over the body, and is trimmed at ':'. */
    parse(406, "CertificateStateException:http://internal.amazon.com/coral/com.amazonaws.iot/",
          "{\"__type\":\"Other\",\"message\":\"certificate is active\"}", &e);
    CU_ASSERT_STRING_EQUAL(e.type, "CertificateStateException");
    CU_ASSERT_STRING_EQUAL(e.message, "certificate is active");
    CU_ASSERT_FALSE(e.retryable);
}

static void test_sts_xml_errors(void)
{
    ir_aws_error e;

    parse(403, NULL,
          "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
          "  <Error><Type>Sender</Type><Code>AccessDenied</Code>\n"
          "  <Message>User is not authorized to perform: sts:AssumeRole</Message></Error>\n"
          "  <RequestId>abc</RequestId>\n</ErrorResponse>\n",
          &e);
    CU_ASSERT_STRING_EQUAL(e.type, "AccessDenied");
    CU_ASSERT_STRING_EQUAL(e.message, "User is not authorized to perform: sts:AssumeRole");
    CU_ASSERT_FALSE(e.retryable);

    parse(400, NULL,
          "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
          "</ErrorResponse>",
          &e);
    CU_ASSERT_STRING_EQUAL(e.type, "Throttling");
    CU_ASSERT_TRUE(e.retryable);
}

static void test_hostile_bodies_never_crash(void)
{
    ir_aws_error e;
    char *big;
    int i;
    uint64_t seed = 12345;

    /* An entity-expansion attempt is not expanded and yields no type. */
    parse(400, NULL,
          "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY a \"AAAAAAAAAA\">"
          "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
          "<ErrorResponse><Error><Code>&b;</Code></Error></ErrorResponse>",
          &e);
    CU_ASSERT_STRING_EQUAL(e.type, "");
    CU_ASSERT_PTR_NULL(strstr(e.message, "AAAAAAAAAAAAAAAAAAAA"));
    /* An external entity is never fetched. */
    parse(400, NULL,
          "<!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Error><Code>&x;</Code></Error>",
          &e);
    CU_ASSERT_PTR_NULL(strstr(e.type, "root"));
    CU_ASSERT_PTR_NULL(strstr(e.message, "root:"));
    parse(500, NULL, "{\"__type\": 42, \"message\": [1,2]}", &e);
    CU_ASSERT_STRING_EQUAL(e.type, "");
    CU_ASSERT_TRUE(e.retryable);
    parse(400, NULL, "{\"__type\":\"Bad\\u0001Type\"", &e); /* truncated */
    CU_ASSERT_STRING_EQUAL(e.type, "");
    parse(503, NULL, "", &e);
    CU_ASSERT_STRING_EQUAL(e.message, "HTTP 503 with no error details");
    parse(502, NULL, "<html>\x01\x02 bad gateway</html>", &e);
    CU_ASSERT_TRUE(e.retryable);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "bad gateway"));
    CU_ASSERT_PTR_NULL(strchr(e.message, '\x01'));
    big = malloc(200001);
    memset(big, ' ', 200000);
    big[0] = '{';
    big[200000] = '\0';
    parse(400, NULL, big, &e); /* too large to parse: not parsed, still an error */
    CU_ASSERT_STRING_EQUAL(e.type, "");
    for (i = 0; i < 3000; i++) {
        size_t n = 1 + rng_xorshift(&seed) % 300, k;
        for (k = 0; k < n; k++)
            big[k] = (char)(1 + rng_xorshift(&seed) % 255);
        big[0] = (i & 1) ? '{' : '<';
        big[n] = '\0';
        parse(400, NULL, big, &e);
        CU_ASSERT_TRUE_FATAL(strlen(e.type) < sizeof(e.type));
    }
    free(big);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_throttling_is_retryable_by_type_whatever_the_status),
        IR_TEST(test_server_and_transport_failures_are_retryable),
        IR_TEST(test_client_errors_are_final),
        IR_TEST(test_classes_tell_throttling_from_transient),
        IR_TEST(test_retryable_aws_errors_become_busy),
        IR_TEST(test_backoff_cap_doubles_up_to_the_maximum),
        IR_TEST(test_full_jitter_stays_within_zero_and_cap),
        IR_TEST(test_retry_budget_bounds),
        IR_TEST(test_json_errors),
        IR_TEST(test_sts_xml_errors),
        IR_TEST(test_hostile_bodies_never_crash),
        {NULL, NULL},
    };

    return ir_test_run("retry", cases, NULL, NULL);
}
