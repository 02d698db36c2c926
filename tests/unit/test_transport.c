/* The transport against awsemu, which verifies every signature with botocore:
 * signing (both IoT signing names, session tokens, the kDate callback), error
 * classification and retries under injected faults, rate limiting, the async
 * path, TLS verification, and what the logs may contain. Run by
 * tests/transport.test, which starts the emulator (and a TLS server) and
 * passes their URLs in the environment. */
#include "autoconf.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/auth/sigv4.h"
#include "aws/transport/client.h"
#include "core/hmac.h"
#include "core/log.h"
#include "core/util.h"
#include "testutil.h"

#define CSP_ACCOUNT "111111111111"

static const char *emu_url, *csp_akid, *csp_secret, *role_arn, *external_id;

/* -- the emulator's admin API (unsigned) -- */

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    return ir_buf_append(ud, p, size * n, NULL) == IR_OK ? size * n : 0;
}

static long emu_admin(const char *method, const char *path, const char *body, ir_buf *out)
{
    CURL *h = curl_easy_init();
    char url[512];
    long status = 0;

    snprintf(url, sizeof(url), "%s%s", emu_url, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body != NULL)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    return status;
}

static void set_faults(const char *json)
{
    ir_buf sink;

    ir_buf_init(&sink, 1 << 16);
    CU_ASSERT_EQUAL(emu_admin("POST", "/_emu/faults", json, &sink), 200);
    ir_buf_free(&sink);
}

static void reset_stats(void)
{
    ir_buf sink;

    ir_buf_init(&sink, 1 << 16);
    CU_ASSERT_EQUAL(emu_admin("POST", "/_emu/reset-stats", "{}", &sink), 200);
    ir_buf_free(&sink);
}

/* A number from GET /_emu/stats: key, or key/sub for one level down. */
static json_int_t stat_value(const char *key, const char *sub)
{
    ir_buf b;
    json_t *root, *v;
    json_int_t n = -1;

    ir_buf_init(&b, 4 << 20);
    if (emu_admin("GET", "/_emu/stats", NULL, &b) == 200 &&
        (root = json_loads(ir_buf_cstr(&b), 0, NULL)) != NULL) {
        v = json_object_get(root, key);
        if (sub != NULL)
            v = json_object_get(v, sub);
        n = json_is_integer(v) ? json_integer_value(v) : (v == NULL ? 0 : -1);
        json_decref(root);
    }
    ir_buf_free(&b);
    return n;
}

/* -- clients, credentials and requests -- */

static ir_aws_client *new_client(int max_attempts, const char *signing_name)
{
    ir_aws_client_opts o;
    ir_aws_client *c = NULL;
    ir_err err = {0};

    ir_aws_client_opts_default(&o);
    o.endpoint = emu_url;
    o.allow_http = true;
    o.max_attempts = max_attempts;
    o.base_backoff_ms = 5;
    o.max_backoff_ms = 50;
    o.request_timeout_ms = 20000;
    if (signing_name != NULL)
        o.iot_signing_name = signing_name;
    if (ir_aws_client_new(&o, &c, &err) != IR_OK)
        fprintf(stderr, "\nclient: %s\n", err.msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    return c;
}

static ir_aws_cred_provider *static_provider(const char *akid, const char *secret,
                                             const char *token)
{
    ir_aws_creds *creds = NULL;
    ir_aws_cred_provider *p = NULL;

    CU_ASSERT_EQUAL_FATAL(ir_aws_creds_new_secret(akid, secret, token, 0, &creds, NULL), IR_OK);
    CU_ASSERT_EQUAL_FATAL(ir_aws_cred_provider_static(creds, &p, NULL), IR_OK);
    ir_aws_creds_unref(creds);
    return p;
}

static ir_aws_request regcode_request(ir_aws_cred_provider *p, const char *account)
{
    ir_aws_request r;

    memset(&r, 0, sizeof(r));
    r.service = "iot";
    r.region = "us-east-1";
    r.operation = "GetRegistrationCode";
    r.method = "GET";
    r.path = "/registrationcode";
    r.creds = p;
    r.account_key = account;
    return r;
}

typedef struct outcome {
    ir_rc rc;
    ir_aws_response resp;
    ir_aws_error aerr;
    ir_err err;
} outcome;

static void send_one(ir_aws_client *c, const ir_aws_request *r, outcome *o)
{
    memset(o, 0, sizeof(*o));
    ir_aws_response_init(&o->resp);
    o->rc = ir_aws_send(c, r, &o->resp, &o->aerr, &o->err);
    if (o->rc != IR_OK)
        fprintf(stderr, "\n  [%s] %s\n", ir_rc_name(o->rc), o->err.msg);
}

static void outcome_free(outcome *o)
{
    ir_aws_response_free(&o->resp);
}

/* The registration code from a GetRegistrationCode response, or "". */
static void regcode_of(const outcome *o, char *out, size_t n)
{
    json_t *root = json_loads(ir_buf_cstr(&o->resp.body), 0, NULL);
    json_t *v = json_object_get(root, "registrationCode");

    snprintf(out, n, "%s", json_is_string(v) ? json_string_value(v) : "");
    json_decref(root);
}

/* -- signing -- */

static void check_regcode_ok(ir_aws_client *c, ir_aws_cred_provider *p, char *code, size_t n)
{
    ir_aws_request r = regcode_request(p, NULL);
    outcome o;

    send_one(c, &r, &o);
    CU_ASSERT_EQUAL(o.rc, IR_OK);
    CU_ASSERT_EQUAL(o.resp.http_status, 200);
    CU_ASSERT_EQUAL(o.aerr.attempts, 1);
    CU_ASSERT_NOT_EQUAL(o.resp.request_id[0], '\0');
    if (code != NULL)
        regcode_of(&o, code, n);
    outcome_free(&o);
}

static void test_signed_get_with_both_signing_names(void)
{
    ir_aws_cred_provider *p = static_provider(csp_akid, csp_secret, NULL);
    ir_aws_client *c = new_client(1, NULL);
    char code1[128], code2[128];

    check_regcode_ok(c, p, code1, sizeof(code1));
    ir_aws_client_free(c);
    c = new_client(1, "execute-api");
    check_regcode_ok(c, p, code2, sizeof(code2));
    CU_ASSERT_NOT_EQUAL(code1[0], '\0');
    CU_ASSERT_STRING_EQUAL(code1, code2);
    ir_aws_client_free(c);
    ir_aws_cred_provider_free(p);
}

static void test_wrong_secret_is_final(void)
{
    ir_aws_cred_provider *p = static_provider(csp_akid, "not-the-secret", NULL);
    ir_aws_client *c = new_client(5, NULL);
    ir_aws_request r = regcode_request(p, NULL);
    outcome o;

    send_one(c, &r, &o);
    CU_ASSERT_EQUAL(o.rc, IR_ERR_AWS);
    CU_ASSERT_STRING_EQUAL(o.aerr.type, "InvalidSignatureException");
    CU_ASSERT_EQUAL(o.aerr.http_status, 403);
    CU_ASSERT_FALSE(o.aerr.retryable);
    CU_ASSERT_EQUAL(o.aerr.attempts, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err.msg, "InvalidSignatureException"));
    outcome_free(&o);
    ir_aws_client_free(c);
    ir_aws_cred_provider_free(p);
}

/* kDate from a callback that holds the secret, as the HSM will. */
typedef struct hsm_ctx {
    const char *secret;
    atomic_int calls;
} hsm_ctx;

static ir_rc hsm_kdate(void *ctx, const char *date, unsigned char out[IR_AWS_KDATE_LEN],
                       ir_err *err)
{
    hsm_ctx *h = ctx;
    char key[256];
    ir_rc rc;

    atomic_fetch_add(&h->calls, 1);
    snprintf(key, sizeof(key), "AWS4%s", h->secret);
    rc = ir_hmac_sha256(key, strlen(key), date, strlen(date), out, err);
    memset(key, 0, sizeof(key));
    return rc;
}

static void test_kdate_callback_signs_for_botocore(void)
{
    hsm_ctx h = {.secret = csp_secret};
    ir_aws_creds *creds = NULL;
    ir_aws_cred_provider *p = NULL;
    ir_aws_client *c = new_client(1, NULL);

    atomic_init(&h.calls, 0);
    CU_ASSERT_EQUAL_FATAL(ir_aws_creds_new_kdate(csp_akid, hsm_kdate, &h, NULL, &creds, NULL),
                          IR_OK);
    ir_aws_cred_provider_static(creds, &p, NULL);
    ir_aws_creds_unref(creds);
    check_regcode_ok(c, p, NULL, 0);
    CU_ASSERT_EQUAL(atomic_load(&h.calls), 1);
    ir_aws_client_free(c);
    ir_aws_cred_provider_free(p);
}

/* Between <tag> and </tag>, or "" (STS's credentials need no unescaping). */
static void xml_between(const char *xml, const char *tag, char *out, size_t n)
{
    char open[64], close[64];
    const char *a, *b;

    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    a = strstr(xml, open);
    b = a != NULL ? strstr(a, close) : NULL;
    if (a == NULL || b == NULL) {
        out[0] = '\0';
        return;
    }
    a += strlen(open);
    snprintf(out, n, "%.*s", (int)(b - a), a);
}

typedef struct session {
    char akid[64];
    char secret[128];
    char token[4096];
} session;

static ir_rc assume_role(ir_aws_client *c, ir_aws_cred_provider *csp, session *s)
{
    char body[1024];
    ir_aws_request r;
    outcome o;
    ir_rc rc;

    snprintf(body, sizeof(body),
             "Action=AssumeRole&Version=2011-06-15&RoleArn=%s&RoleSessionName=iotreg-test"
             "&ExternalId=%s&DurationSeconds=900",
             role_arn, external_id);
    memset(&r, 0, sizeof(r));
    r.service = "sts";
    r.region = "us-east-1";
    r.operation = "AssumeRole";
    r.method = "POST";
    r.path = "/";
    r.content_type = "application/x-www-form-urlencoded; charset=utf-8";
    r.body = body;
    r.body_len = strlen(body);
    r.creds = csp;
    r.account_key = CSP_ACCOUNT;
    send_one(c, &r, &o);
    xml_between(ir_buf_cstr(&o.resp.body), "AccessKeyId", s->akid, sizeof(s->akid));
    xml_between(ir_buf_cstr(&o.resp.body), "SecretAccessKey", s->secret, sizeof(s->secret));
    xml_between(ir_buf_cstr(&o.resp.body), "SessionToken", s->token, sizeof(s->token));
    rc = o.rc;
    outcome_free(&o);
    return rc;
}

static void test_session_token_from_assume_role(void)
{
    ir_aws_cred_provider *csp = static_provider(csp_akid, csp_secret, NULL), *cust;
    ir_aws_client *c = new_client(3, NULL);
    char csp_code[128], cust_code[128];
    session s;

    CU_ASSERT_EQUAL_FATAL(assume_role(c, csp, &s), IR_OK);
    CU_ASSERT_EQUAL(strncmp(s.akid, "ASIA", 4), 0);
    CU_ASSERT_TRUE(strlen(s.token) > 16);
    cust = static_provider(s.akid, s.secret, s.token);
    check_regcode_ok(c, cust, cust_code, sizeof(cust_code));
    check_regcode_ok(c, csp, csp_code, sizeof(csp_code));
    /* Different accounts: the session really is the customer's. */
    CU_ASSERT_STRING_NOT_EQUAL(cust_code, csp_code);
    ir_aws_cred_provider_free(cust);
    ir_aws_cred_provider_free(csp);
    ir_aws_client_free(c);
}

/* -- faults and retries -- */

static void test_5xx_is_retried_max_attempts_then_fails(void)
{
    ir_aws_cred_provider *p = static_provider(csp_akid, csp_secret, NULL);
    ir_aws_client *c = new_client(4, NULL);
    ir_aws_request r = regcode_request(p, CSP_ACCOUNT);
    outcome o;

    reset_stats();
    set_faults("{\"rate5xx\": 1}");
    send_one(c, &r, &o);
    set_faults("{}");
    CU_ASSERT_EQUAL(o.rc, IR_ERR_AWS);
    CU_ASSERT_EQUAL(o.aerr.attempts, 4);
    CU_ASSERT_TRUE(o.aerr.retryable);
    CU_ASSERT_TRUE(o.aerr.http_status == 503 || o.aerr.http_status == 500);
    CU_ASSERT_TRUE(strcmp(o.aerr.type, "ServiceUnavailableException") == 0 ||
                   strcmp(o.aerr.type, "InternalFailureException") == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err.msg, "4 attempts"));
    CU_ASSERT_EQUAL(stat_value("injected", "5xx"), 4);
    outcome_free(&o);
    ir_aws_client_free(c);
    ir_aws_cred_provider_free(p);
}

static void test_throttling_recovers_after_retries(void)
{
    ir_aws_cred_provider *p = static_provider(csp_akid, csp_secret, NULL);
    ir_aws_client *c = new_client(10, NULL);
    ir_aws_request r = regcode_request(p, CSP_ACCOUNT);
    int i, ok = 0, attempts = 0;
    outcome o;

    reset_stats();
    set_faults("{\"rateThrottle\": 0.5, \"seed\": 7}");
    for (i = 0; i < 8; i++) {
        send_one(c, &r, &o);
        ok += o.rc == IR_OK;
        attempts += o.aerr.attempts;
        outcome_free(&o);
    }
    set_faults("{}");
    CU_ASSERT_EQUAL(ok, 8);
    CU_ASSERT_TRUE(attempts > 8); /* some were throttled and retried */
    CU_ASSERT_EQUAL(stat_value("injected", "throttle"), attempts - 8);
    ir_aws_client_free(c);
    ir_aws_cred_provider_free(p);
}

static void test_connection_reset_is_a_retried_transport_error(void)
{
    ir_aws_cred_provider *p = static_provider(csp_akid, csp_secret, NULL);
    ir_aws_client *c = new_client(3, NULL);
    ir_aws_request r = regcode_request(p, CSP_ACCOUNT);
    outcome o;

    set_faults("{\"rateReset\": 1}");
    send_one(c, &r, &o);
    CU_ASSERT_EQUAL(o.rc, IR_ERR_NETWORK);
    CU_ASSERT_EQUAL(o.aerr.attempts, 3);
    CU_ASSERT_EQUAL(o.aerr.http_status, 0);
    CU_ASSERT_TRUE(o.aerr.retryable);
    outcome_free(&o);
    ir_aws_client_free(c);
    c = new_client(12, NULL);
    set_faults("{\"rateReset\": 0.5, \"seed\": 3}");
    send_one(c, &r, &o);
    set_faults("{}");
    CU_ASSERT_EQUAL(o.rc, IR_OK);
    outcome_free(&o);
    ir_aws_client_free(c);
    ir_aws_cred_provider_free(p);
}

/* Credentials that are stale by the next attempt: each attempt must fetch. */
typedef struct short_lived {
    atomic_int fetches;
} short_lived;

static ir_rc fetch_short_lived(void *ctx, ir_aws_creds **out, ir_err *err)
{
    atomic_fetch_add(&((short_lived *)ctx)->fetches, 1);
    return ir_aws_creds_new_secret(csp_akid, csp_secret, NULL, ir_realtime_ms() + 1000, out, err);
}

static void test_credentials_are_resolved_for_each_attempt(void)
{
    short_lived s;
    ir_aws_cred_provider *p = NULL;
    ir_aws_client *c = new_client(3, NULL);
    ir_aws_request r;
    outcome o;

    atomic_init(&s.fetches, 0);
    ir_aws_cred_provider_refreshing(fetch_short_lived, &s, NULL, 60000, "short-lived", &p, NULL);
    r = regcode_request(p, CSP_ACCOUNT);
    set_faults("{\"rate5xx\": 1}");
    send_one(c, &r, &o);
    set_faults("{}");
    CU_ASSERT_EQUAL(o.aerr.attempts, 3);
    CU_ASSERT_EQUAL(atomic_load(&s.fetches), 3);
    outcome_free(&o);
    ir_aws_client_free(c);
    ir_aws_cred_provider_free(p);
}

static void test_oversize_response_is_refused(void)
{
    ir_aws_cred_provider *p = static_provider(csp_akid, csp_secret, NULL);
    ir_aws_client_opts opts;
    ir_aws_client *c = NULL;
    ir_aws_request r = regcode_request(p, CSP_ACCOUNT);
    outcome o;

    ir_aws_client_opts_default(&opts);
    opts.endpoint = emu_url;
    opts.allow_http = true;
    opts.max_response_bytes = 16;
    CU_ASSERT_EQUAL_FATAL(ir_aws_client_new(&opts, &c, NULL), IR_OK);
    send_one(c, &r, &o);
    CU_ASSERT_EQUAL(o.rc, IR_ERR_TOO_LARGE);
    CU_ASSERT_EQUAL(o.aerr.attempts, 1);
    CU_ASSERT_FALSE(o.aerr.retryable);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err.msg, "limit of 16 bytes"));
    outcome_free(&o);
    ir_aws_client_free(c);
    ir_aws_cred_provider_free(p);
}

/* -- rate limits and concurrency -- */

typedef struct worker {
    ir_aws_client *c;
    ir_aws_cred_provider *p;
    int ok;
} worker;

static void *worker_run(void *arg)
{
    worker *w = arg;
    ir_aws_request r = regcode_request(w->p, CSP_ACCOUNT);
    int i;

    for (i = 0; i < 5; i++) {
        ir_aws_response resp;
        ir_aws_response_init(&resp);
        w->ok += ir_aws_send(w->c, &r, &resp, NULL, NULL) == IR_OK;
        ir_aws_response_free(&resp);
    }
    return NULL;
}

static void test_blocking_threads_share_buckets(void)
{
    ir_aws_cred_provider *p = static_provider(csp_akid, csp_secret, NULL);
    ir_aws_client *c = new_client(1, NULL); /* no retries: a throttle would show */
    worker w[4];
    pthread_t t[4];
    int64_t start = ir_monotonic_ms(), elapsed;
    int i, ok = 0;

    reset_stats();
    for (i = 0; i < 4; i++) {
        w[i] = (worker){c, p, 0};
        pthread_create(&t[i], NULL, worker_run, &w[i]);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
    }
    elapsed = ir_monotonic_ms() - start;
    fprintf(stderr, "\n20 blocking requests from 4 threads at 10 TPS: %lld ms\n",
            (long long)elapsed);
    CU_ASSERT_EQUAL(ok, 20);
    CU_ASSERT_EQUAL(stat_value("quotaThrottled", NULL), 0);
    CU_ASSERT_TRUE(elapsed >= 1900);
    ir_aws_client_free(c);
    ir_aws_cred_provider_free(p);
}

/* -- logs -- */

typedef struct log_capture {
    char text[16384];
    size_t len;
} log_capture;

static log_capture captured;

static void capture_sink(void *ctx, ir_log_level level, const char *line)
{
    size_t n = strlen(line);

    if (captured.len + n + 2 < sizeof(captured.text)) {
        memcpy(captured.text + captured.len, line, n);
        captured.len += n;
        captured.text[captured.len++] = '\n';
        captured.text[captured.len] = '\0';
    }
}

static void test_logs_name_attempts_but_no_secrets(void)
{
    ir_aws_cred_provider *csp = static_provider(csp_akid, csp_secret, NULL), *cust;
    ir_aws_client *c = new_client(3, NULL);
    ir_aws_request r;
    session s;
    outcome o;

    CU_ASSERT_EQUAL_FATAL(assume_role(c, csp, &s), IR_OK);
    cust = static_provider(s.akid, s.secret, s.token);
    r = regcode_request(cust, "222222222222");
    memset(&captured, 0, sizeof(captured));
    ir_log_set_level(IR_LOG_DEBUG);
    ir_log_set_sink(capture_sink, NULL);
    set_faults("{\"rate5xx\": 1}");
    send_one(c, &r, &o);
    outcome_free(&o);
    set_faults("{}");
    send_one(c, &r, &o);
    outcome_free(&o);
    ir_log_set_sink(NULL, NULL);
    ir_log_set_level(IR_LOG_INFO);
    fprintf(stderr, "\n%s", captured.text);
    CU_ASSERT_PTR_NOT_NULL(strstr(captured.text, "GetRegistrationCode attempt 1/3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(captured.text, "attempt 3/3: HTTP 50"));
    CU_ASSERT_PTR_NOT_NULL(strstr(captured.text, "HTTP 200"));
    CU_ASSERT_PTR_NOT_NULL(strstr(captured.text, " ms"));
    CU_ASSERT_PTR_NULL(strstr(captured.text, s.secret));
    CU_ASSERT_PTR_NULL(strstr(captured.text, s.token));
    CU_ASSERT_PTR_NULL(strstr(captured.text, csp_secret));
    CU_ASSERT_PTR_NULL(strstr(captured.text, "Signature="));
    CU_ASSERT_PTR_NULL(strstr(captured.text, "Authorization"));
    ir_aws_cred_provider_free(cust);
    ir_aws_cred_provider_free(csp);
    ir_aws_client_free(c);
}

/* -- TLS -- */

static ir_rc tls_get(const char *url, const char *ca_file, outcome *o)
{
    ir_aws_cred_provider *p = static_provider(csp_akid, csp_secret, NULL);
    ir_aws_client_opts opts;
    ir_aws_client *c = NULL;
    ir_aws_request r = regcode_request(p, CSP_ACCOUNT);

    ir_aws_client_opts_default(&opts);
    opts.endpoint = url;
    opts.ca_file = ca_file;
    opts.max_attempts = 3;
    opts.base_backoff_ms = 5;
    CU_ASSERT_EQUAL_FATAL(ir_aws_client_new(&opts, &c, NULL), IR_OK);
    send_one(c, &r, o);
    ir_aws_client_free(c);
    ir_aws_cred_provider_free(p);
    return o->rc;
}

static void test_tls_verification_is_always_on(void)
{
    const char *port = getenv("IR_TEST_TLS_PORT"), *ca = getenv("IR_TEST_TLS_CA");
    char by_name[128], by_ip[128];
    outcome o;

    CU_ASSERT_PTR_NOT_NULL_FATAL(port); /* tests/transport.test starts the TLS server */
    CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
    snprintf(by_name, sizeof(by_name), "https://localhost:%s", port);
    snprintf(by_ip, sizeof(by_ip), "https://127.0.0.1:%s", port); /* not in the certificate */
    /* An unknown issuer: refused, and not retried. */
    CU_ASSERT_EQUAL(tls_get(by_name, NULL, &o), IR_ERR_CRYPTO);
    CU_ASSERT_EQUAL(o.aerr.attempts, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err.msg, "ca_file"));
    outcome_free(&o);
    /* ca_file makes the issuer known... */
    CU_ASSERT_EQUAL(tls_get(by_name, ca, &o), IR_OK);
    CU_ASSERT_EQUAL(o.resp.http_status, 200);
    outcome_free(&o);
    /* ...but the host name must still match. */
    CU_ASSERT_EQUAL(tls_get(by_ip, ca, &o), IR_ERR_CRYPTO);
    CU_ASSERT_EQUAL(o.aerr.attempts, 1);
    outcome_free(&o);
}

static int read_env(void)
{
    emu_url = getenv("IR_TEST_EMU_URL");
    csp_akid = getenv("IR_TEST_CSP_AKID");
    csp_secret = getenv("IR_TEST_CSP_SECRET");
    role_arn = getenv("IR_TEST_ROLE_ARN");
    external_id = getenv("IR_TEST_EXTERNAL_ID");
    return emu_url != NULL && csp_akid != NULL && csp_secret != NULL && role_arn != NULL &&
           external_id != NULL;
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_signed_get_with_both_signing_names),
        IR_TEST(test_wrong_secret_is_final),
        IR_TEST(test_kdate_callback_signs_for_botocore),
        IR_TEST(test_session_token_from_assume_role),
        IR_TEST(test_5xx_is_retried_max_attempts_then_fails),
        IR_TEST(test_throttling_recovers_after_retries),
        IR_TEST(test_connection_reset_is_a_retried_transport_error),
        IR_TEST(test_credentials_are_resolved_for_each_attempt),
        IR_TEST(test_oversize_response_is_refused),
        IR_TEST(test_blocking_threads_share_buckets),
        IR_TEST(test_logs_name_attempts_but_no_secrets),
        IR_TEST(test_tls_verification_is_always_on),
        {NULL, NULL},
    };

    if (!read_env()) {
        printf("SKIP: run through tests/transport.test, which starts the emulator\n"
               "0 passed, 0 failed\n");
        return IR_TEST_SKIP;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return ir_test_run("transport", cases, NULL, NULL);
}
