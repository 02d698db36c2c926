/* Endpoints and the client's checks that need no server: URL resolution,
 * the loopback-only rule for plain http, option and request validation.
 * Nothing here opens a connection. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/transport/client.h"
#include "aws/transport/endpoint.h"
#include "core/util.h"
#include "testutil.h"

static void check_resolves(const char *override, bool allow_http, const char *service,
                           const char *region, const char *url, const char *host)
{
    ir_aws_endpoint ep;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_aws_endpoint_resolve(override, allow_http, service, region, &ep, &err),
                    IR_OK);
    CU_ASSERT_STRING_EQUAL(ep.base_url, url);
    CU_ASSERT_STRING_EQUAL(ep.host_header, host);
}

static void test_default_endpoints(void)
{
    check_resolves(NULL, false, "iot", "eu-west-1", "https://iot.eu-west-1.amazonaws.com",
                   "iot.eu-west-1.amazonaws.com");
    check_resolves(NULL, false, "sts", "us-east-2", "https://sts.us-east-2.amazonaws.com",
                   "sts.us-east-2.amazonaws.com");
    check_resolves("", false, "iot", "cn-north-1", "https://iot.cn-north-1.amazonaws.com.cn",
                   "iot.cn-north-1.amazonaws.com.cn");
}

static void test_override_applies_to_every_service(void)
{
    check_resolves("https://emu.example.net:8443/", false, "iot", "eu-west-1",
                   "https://emu.example.net:8443", "emu.example.net:8443");
    check_resolves("https://emu.example.net:8443", false, "sts", "eu-west-1",
                   "https://emu.example.net:8443", "emu.example.net:8443");
    check_resolves("http://127.0.0.1:4566", true, "iot", "us-east-1", "http://127.0.0.1:4566",
                   "127.0.0.1:4566");
    check_resolves("http://[::1]:4566", true, "sts", "us-east-1", "http://[::1]:4566",
                   "[::1]:4566");
    check_resolves("http://localhost:9", true, "iot", "us-east-1", "http://localhost:9",
                   "localhost:9");
}

static void test_loopback_detection(void)
{
    static const char *const yes[] = {
        "127.0.0.1",        "127.255.3.4",    "::1", "[::1]", "localhost", "LocalHost",
        "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"};
    static const char *const no[] = {"128.0.0.1",
                                     "10.0.0.1",
                                     "0.0.0.0",
                                     "::",
                                     "[::2]",
                                     "127.0.0.1.nip.io",
                                     "localhost.example.com",
                                     "",
                                     "::ffff:10.0.0.1",
                                     "example.com",
                                     "1.127.0.0"};
    size_t i;

    for (i = 0; i < sizeof(yes) / sizeof(*yes); i++)
        CU_ASSERT_TRUE(ir_aws_host_is_loopback(yes[i]));
    for (i = 0; i < sizeof(no) / sizeof(*no); i++)
        CU_ASSERT_FALSE(ir_aws_host_is_loopback(no[i]));
    CU_ASSERT_FALSE(ir_aws_host_is_loopback(NULL));
}

static void check_refused(const char *url, bool allow_http, const char *needle)
{
    ir_aws_endpoint ep;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_aws_endpoint_resolve(url, allow_http, "iot", "us-east-1", &ep, &err),
                    IR_ERR_CONFIG);
    if (strstr(err.msg, needle) == NULL)
        fprintf(stderr, "\n%s: message lacks \"%s\": %s\n", url, needle, err.msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, needle));
}

static void test_plain_http_rules(void)
{
    check_refused("http://127.0.0.1:4566", false, "allow_http");
    check_refused("http://10.1.2.3:4566", true, "not a loopback");
    check_refused("http://10.1.2.3:4566", true, "use https");
    check_refused("http://127.0.0.1.nip.io", true, "not a loopback");
    check_refused("http://[::2]:80", true, "not a loopback");
    check_refused("ftp://127.0.0.1", true, "scheme");
    check_refused("https://user:pw@emu.example.net", false, "user information");
    check_refused("https://emu.example.net/prefix", false, "path");
    check_refused("https://emu.example.net/?x=1", false, "query");
    check_refused("not a url at all", false, "not a URL");
}

static void test_bad_region_or_service(void)
{
    ir_aws_endpoint ep;

    CU_ASSERT_EQUAL(ir_aws_endpoint_resolve(NULL, false, "iot", "evil.com/x", &ep, NULL),
                    IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL(ir_aws_endpoint_resolve(NULL, false, "IOT", "us-east-1", &ep, NULL),
                    IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL(ir_aws_endpoint_resolve(NULL, false, "iot", "", &ep, NULL), IR_ERR_INVALID_ARG);
}

/* -- the client refuses before sending -- */

static void test_client_options_are_checked(void)
{
    ir_aws_client_opts o;
    ir_aws_client *c = NULL;
    ir_err err = {0};

    ir_aws_client_opts_default(&o);
    CU_ASSERT_TRUE(o.rate_limit);
    CU_ASSERT_EQUAL(o.max_attempts, 8);
    CU_ASSERT_STRING_EQUAL(o.iot_signing_name, "iot");
    o.iot_signing_name = "iotdata";
    CU_ASSERT_EQUAL(ir_aws_client_new(&o, &c, &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "execute-api"));
    o.iot_signing_name = "execute-api";
    o.endpoint = "http://192.0.2.10:8080";
    o.allow_http = true;
    CU_ASSERT_EQUAL(ir_aws_client_new(&o, &c, &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a loopback"));
    CU_ASSERT_PTR_NULL(c);
    o.endpoint = "http://127.0.0.1:1";
    CU_ASSERT_EQUAL(ir_aws_client_new(&o, &c, &err), IR_OK);
    ir_aws_client_free(c);
}

static ir_aws_cred_provider *test_provider(void)
{
    ir_aws_creds *creds = NULL;
    ir_aws_cred_provider *p = NULL;

    ir_aws_creds_new_secret("AKIDEXAMPLE", "secret", NULL, 0, &creds, NULL);
    ir_aws_cred_provider_static(creds, &p, NULL);
    ir_aws_creds_unref(creds);
    return p;
}

static ir_aws_request base_request(ir_aws_cred_provider *p)
{
    ir_aws_request r;

    memset(&r, 0, sizeof(r));
    r.service = "iot";
    r.region = "us-east-1";
    r.operation = "GetRegistrationCode";
    r.method = "GET";
    r.path = "/registrationcode";
    r.creds = p;
    return r;
}

static ir_rc send_expecting_no_attempt(ir_aws_client *c, const ir_aws_request *r, ir_err *err)
{
    ir_aws_response resp;
    ir_aws_error aerr;
    ir_rc rc;

    ir_aws_response_init(&resp);
    memset(&aerr, 0xff, sizeof(aerr));
    rc = ir_aws_send(c, r, &resp, &aerr, err);
    CU_ASSERT_EQUAL(aerr.attempts, 0);
    CU_ASSERT_EQUAL(aerr.http_status, 0);
    CU_ASSERT_EQUAL(resp.http_status, 0);
    ir_aws_response_free(&resp);
    return rc;
}

static void test_requests_are_checked_before_sending(void)
{
    ir_aws_cred_provider *p = test_provider();
    ir_aws_client *c = NULL;
    ir_aws_request r;
    ir_err err = {0};
    static char big[IR_AWS_MAX_REQUEST_BYTES + 1];
    int64_t start = ir_monotonic_ms();

    CU_ASSERT_EQUAL_FATAL(ir_aws_client_new(NULL, &c, NULL), IR_OK);
    r = base_request(p);
    r.endpoint = "http://192.0.2.10:8080"; /* per-request override, client without allow_http */
    CU_ASSERT_EQUAL(send_expecting_no_attempt(c, &r, &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "GetRegistrationCode"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "plain http"));
    r = base_request(p);
    r.headers[0] = (ir_aws_param){"x-amzn-principal", "arn\r\nX-Injected: 1"};
    r.n_headers = 1;
    CU_ASSERT_EQUAL(send_expecting_no_attempt(c, &r, &err), IR_ERR_INVALID_ARG);
    r.headers[0] = (ir_aws_param){"Authorization", "x"};
    CU_ASSERT_EQUAL(send_expecting_no_attempt(c, &r, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "set by the transport"));
    r = base_request(p);
    r.path = "/things/a b";
    CU_ASSERT_EQUAL(send_expecting_no_attempt(c, &r, &err), IR_ERR_INVALID_ARG);
    r = base_request(p);
    r.method = "POST";
    r.body = big;
    r.body_len = sizeof(big);
    CU_ASSERT_EQUAL(send_expecting_no_attempt(c, &r, &err), IR_ERR_TOO_LARGE);
    r = base_request(p);
    r.n_query = IR_AWS_MAX_PARAMS + 1;
    CU_ASSERT_EQUAL(send_expecting_no_attempt(c, &r, &err), IR_ERR_INVALID_ARG);
    r = base_request(p);
    r.creds = NULL;
    CU_ASSERT_EQUAL(send_expecting_no_attempt(c, &r, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_TRUE(ir_monotonic_ms() - start < 5000); /* refused, not timed out */
    ir_aws_client_free(c);
    ir_aws_cred_provider_free(p);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_default_endpoints),
        IR_TEST(test_override_applies_to_every_service),
        IR_TEST(test_loopback_detection),
        IR_TEST(test_plain_http_rules),
        IR_TEST(test_bad_region_or_service),
        IR_TEST(test_client_options_are_checked),
        IR_TEST(test_requests_are_checked_before_sending),
        {NULL, NULL},
    };

    return ir_test_run("endpoint", cases, NULL, NULL);
}
