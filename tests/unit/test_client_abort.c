/* A blocking call gives up, without sending again, once the abort flag a
 * stopping daemon sets is raised while it waits for a retry. */
#include "autoconf.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "aws/transport/client.h"
#include "core/util.h"
#include "testutil.h"

static atomic_int abort_flag;

static void *raise_later(void *arg)
{
    (void)arg;
    ir_sleep_ms(300);
    atomic_store(&abort_flag, 1);
    return NULL;
}

static ir_aws_client *client_to_closed_port(void)
{
    ir_aws_client_opts o;
    ir_aws_client *c = NULL;

    ir_aws_client_opts_default(&o);
    /* Port 1 on loopback refuses at once: a retryable transport failure. */
    o.endpoint = "http://127.0.0.1:1";
    o.allow_http = true;
    o.max_attempts = 5;
    o.base_backoff_ms = 5000;
    o.max_backoff_ms = 5000;
    o.max_retry_ms = 60000;
    CU_ASSERT_EQUAL_FATAL(ir_aws_client_new(&o, &c, NULL), IR_OK);
    return c;
}

static void send_get(ir_aws_client *c, ir_aws_cred_provider *p, ir_rc *rc, ir_err *err)
{
    ir_aws_request req;
    ir_aws_response resp;
    ir_aws_error aerr = {0};

    memset(&req, 0, sizeof(req));
    req.service = "iot";
    req.region = "us-east-1";
    req.operation = "GetRegistrationCode";
    req.method = "GET";
    req.path = "/registrationcode";
    req.creds = p;
    req.account_key = "111111111111";
    ir_aws_response_init(&resp);
    *rc = ir_aws_send(c, &req, &resp, &aerr, err);
    ir_aws_response_free(&resp);
}

static void test_abort_stops_retry_wait(void)
{
    ir_aws_client *c = client_to_closed_port();
    ir_aws_creds *creds = NULL;
    ir_aws_cred_provider *p = NULL;
    ir_err err = {0};
    pthread_t t;
    int64_t start, took;
    ir_rc rc = IR_OK;

    CU_ASSERT_EQUAL_FATAL(ir_aws_creds_new_secret("AKIDEXAMPLE", "secret", NULL, 0, &creds, NULL),
                          IR_OK);
    CU_ASSERT_EQUAL_FATAL(ir_aws_cred_provider_static(creds, &p, NULL), IR_OK);
    ir_aws_client_set_abort(c, &abort_flag);
    pthread_create(&t, NULL, raise_later, NULL);
    start = ir_monotonic_ms();
    send_get(c, p, &rc, &err);
    took = ir_monotonic_ms() - start;
    pthread_join(t, NULL);
    CU_ASSERT_EQUAL(rc, IR_ERR_BUSY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "stopping"));
    /* Without the flag it would wait out four 5-second back-offs. */
    CU_ASSERT(took < 4000);
    ir_aws_cred_provider_free(p);
    ir_aws_creds_unref(creds);
    ir_aws_client_free(c);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_abort_stops_retry_wait),
        {NULL, NULL},
    };

    return ir_test_run("client-abort", cases, NULL, NULL);
}
