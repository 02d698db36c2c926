/* The AWS client: options, lifecycle, quotas and the blocking call. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/transport/client_internal.h"
#include "core/log.h"
#include "core/util.h"

#define EASY_POOL_MAX 16

void ir_aws_response_init(ir_aws_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    ir_buf_init(&resp->body, IR_AWS_MAX_RESPONSE_BYTES);
}

void ir_aws_response_free(ir_aws_response *resp)
{
    ir_buf_free(&resp->body);
}

void ir_aws_client_opts_default(ir_aws_client_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->iot_signing_name = "iot";
    opts->connect_timeout_ms = 5000;
    opts->request_timeout_ms = 30000;
    opts->max_attempts = 8;
    opts->max_retry_ms = 120000;
    opts->base_backoff_ms = 100;
    opts->max_backoff_ms = 20000;
    opts->max_response_bytes = IR_AWS_MAX_RESPONSE_BYTES;
    opts->rate_limit = true;
}

/* -- options -- */

static ir_rc check_opts(const ir_aws_client_opts *o, ir_err *err)
{
    const char *sn = o->iot_signing_name;

    if (sn != NULL && sn[0] != '\0' && strcmp(sn, "iot") != 0 && strcmp(sn, "execute-api") != 0)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "IoT signing name \"%.64s\" is not supported; use \"iot\" (the default) "
                          "or \"execute-api\"",
                          sn);
    if (o->connect_timeout_ms < 0 || o->request_timeout_ms < 0 || o->max_attempts < 0 ||
        o->max_retry_ms < 0 || o->base_backoff_ms < 0 || o->max_backoff_ms < 0)
        return ir_err_set(err, IR_ERR_CONFIG, "AWS client timeouts and retry limits must be >= 0");
    if (o->endpoint != NULL && o->endpoint[0] != '\0')
        return ir_aws_endpoint_check(o->endpoint, o->allow_http, err);
    return IR_OK;
}

static char *dup_or_null(const char *s, bool *failed)
{
    char *d;

    if (s == NULL || s[0] == '\0')
        return NULL;
    d = strdup(s);
    if (d == NULL)
        *failed = true;
    return d;
}

/* Zero means "the default" for every numeric option. */
static void opts_apply(ir_aws_client *c, const ir_aws_client_opts *o)
{
    ir_aws_client_opts d;

    ir_aws_client_opts_default(&d);
    c->opts = *o;
#define DEFAULT_IF_ZERO(f)                                                                         \
    if (c->opts.f == 0)                                                                            \
    c->opts.f = d.f
    DEFAULT_IF_ZERO(connect_timeout_ms);
    DEFAULT_IF_ZERO(request_timeout_ms);
    DEFAULT_IF_ZERO(max_attempts);
    DEFAULT_IF_ZERO(max_retry_ms);
    DEFAULT_IF_ZERO(base_backoff_ms);
    DEFAULT_IF_ZERO(max_backoff_ms);
    DEFAULT_IF_ZERO(max_response_bytes);
#undef DEFAULT_IF_ZERO
    c->opts.endpoint = c->endpoint;
    c->opts.ca_file = c->ca_file;
    c->opts.iot_signing_name = c->iot_signing_name;
    c->http = (ir_http_opts){c->ca_file, c->opts.connect_timeout_ms, c->opts.request_timeout_ms};
    c->retry = (ir_retry_policy){c->opts.max_attempts, c->opts.max_retry_ms,
                                 c->opts.base_backoff_ms, c->opts.max_backoff_ms};
}

static ir_rc client_alloc(const ir_aws_client_opts *o, ir_aws_client **out, ir_err *err)
{
    ir_aws_client *c = calloc(1, sizeof(*c));
    bool failed = false;

    if (c == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&c->pool_lock, NULL);
    c->endpoint = dup_or_null(o->endpoint, &failed);
    c->ca_file = dup_or_null(o->ca_file, &failed);
    c->iot_signing_name =
        dup_or_null(o->iot_signing_name != NULL ? o->iot_signing_name : "iot", &failed);
    if (c->iot_signing_name == NULL)
        failed = true;
    *out = c;
    return failed ? ir_err_set(err, IR_ERR_NOMEM, "out of memory") : IR_OK;
}

ir_rc ir_aws_client_new(const ir_aws_client_opts *opts, ir_aws_client **out, ir_err *err)
{
    ir_aws_client_opts defaults;
    ir_aws_client *c = NULL;
    ir_rc rc;

    *out = NULL;
    if (opts == NULL) {
        ir_aws_client_opts_default(&defaults);
        opts = &defaults;
    }
    rc = check_opts(opts, err);
    if (rc == IR_OK)
        rc = ir_http_global_init(err);
    if (rc == IR_OK)
        rc = client_alloc(opts, &c, err);
    if (rc == IR_OK) {
        opts_apply(c, opts);
        rc = ir_ratelimit_new(NULL, NULL, &c->rl, err);
    }
    if (rc != IR_OK) {
        ir_aws_client_free(c);
        return rc;
    }
    *out = c;
    return IR_OK;
}

void ir_aws_client_free(ir_aws_client *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->n_pool; i++)
        curl_easy_cleanup(c->pool[i]);
    free(c->pool);
    ir_ratelimit_free(c->rl);
    pthread_mutex_destroy(&c->pool_lock);
    free(c->endpoint);
    free(c->ca_file);
    free(c->iot_signing_name);
    free(c);
}

void ir_aws_client_set_rng(ir_aws_client *c, ir_rng_fn rng, void *ctx)
{
    c->rng = rng;
    c->rng_ctx = ctx;
}

ir_rc ir_aws_client_set_quota(ir_aws_client *c, const char *account_key, const char *api,
                              double tps, ir_err *err)
{
    return ir_ratelimit_set_quota(c->rl, account_key, api, tps, err);
}

void ir_aws_client_set_shared_quota(ir_aws_client *c, ir_ratelimit_shared_fn fn, void *ctx)
{
    ir_ratelimit_set_shared(c->rl, fn, ctx);
}

/* -- easy handles, kept for their connections -- */

static CURL *take_easy(ir_aws_client *c)
{
    CURL *h = NULL;

    pthread_mutex_lock(&c->pool_lock);
    if (c->n_pool > 0)
        h = c->pool[--c->n_pool];
    pthread_mutex_unlock(&c->pool_lock);
    return h != NULL ? h : curl_easy_init();
}

static void give_easy(ir_aws_client *c, CURL *h)
{
    if (h == NULL)
        return;
    pthread_mutex_lock(&c->pool_lock);
    if (c->pool == NULL)
        c->pool = calloc(EASY_POOL_MAX, sizeof(*c->pool));
    if (c->pool != NULL && c->n_pool < EASY_POOL_MAX) {
        c->pool[c->n_pool++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->pool_lock);
    curl_easy_cleanup(h); /* NULL when pooled */
}

static int64_t reserve_token_us(ir_aws_client *c, const aws_call *call)
{
    const ir_aws_request *r = &call->req;
    const char *account = r->account_key != NULL && r->account_key[0] != '\0'
                              ? r->account_key
                              : ir_aws_cred_provider_describe(r->creds);

    if (!c->opts.rate_limit)
        return 0;
    return ir_ratelimit_reserve(c->rl, account, r->region, r->service, r->operation);
}

/* -- the blocking call -- */

void ir_aws_client_set_abort(ir_aws_client *c, atomic_int *flag)
{
    c->abort_flag = flag;
}

void ir_aws_client_set_observer(ir_aws_client *c, ir_aws_observer_fn fn, void *ctx)
{
    c->observer = fn;
    c->observer_ctx = ctx;
}

/* Sleeps ms, in slices, unless the abort flag is (or becomes) set: false then. */
static bool client_sleep(const ir_aws_client *c, int64_t ms)
{
    int64_t slice;

    while (ms > 0) {
        if (c->abort_flag != NULL && atomic_load(c->abort_flag))
            return false;
        slice = ms < 100 ? ms : 100;
        ir_sleep_ms(slice);
        ms -= slice;
    }
    return c->abort_flag == NULL || !atomic_load(c->abort_flag);
}

static bool wait_for_token(ir_aws_client *c, aws_call *call)
{
    int64_t wait_ms = (reserve_token_us(c, call) + 999) / 1000;

    if (wait_ms <= 0)
        return true;
    if (call->first_send_ms != 0)
        call->token_wait_ms += wait_ms;
    return client_sleep(c, wait_ms);
}

/* The caller is shutting down: the request is not sent (again). */
static void call_aborted(aws_call *call)
{
    call->rc = ir_err_set(&call->err, IR_ERR_BUSY, "%s not sent: the program is stopping",
                          call->req.operation);
}

static void send_attempts(ir_aws_client *c, aws_call *call, CURL *easy)
{
    for (;;) {
        ir_err terr = {0};
        ir_rc rc;

        if (!wait_for_token(c, call)) {
            call_aborted(call);
            return;
        }
        if (aws_call_prepare_attempt(call, easy) != IR_OK)
            return;
        rc = ir_http_finish(easy, curl_easy_perform(easy), &call->x, &terr);
        if (aws_call_attempt_done(call, rc, &terr) == CALL_DONE)
            return;
        if (!client_sleep(c, call->backoff_ms)) {
            call_aborted(call);
            return;
        }
    }
}

static void send_finish(aws_call *call, ir_aws_error *aerr, ir_err *err)
{
    if (aerr != NULL)
        *aerr = call->aerr;
    if (call->rc != IR_OK && err != NULL)
        *err = call->err;
}

ir_rc ir_aws_send(ir_aws_client *c, const ir_aws_request *req, ir_aws_response *resp,
                  ir_aws_error *aerr, ir_err *err)
{
    aws_call call;
    CURL *easy;
    ir_rc rc;

    memset(&call, 0, sizeof(call));
    rc = aws_call_init(c, req, &call, resp, err);
    if (rc != IR_OK) {
        aws_call_fail(&call, rc, err);
        send_finish(&call, aerr, NULL);
        aws_call_cleanup(&call);
        return rc;
    }
    easy = take_easy(c);
    if (easy == NULL) {
        aws_call_cleanup(&call);
        return ir_err_set(err, IR_ERR_NOMEM, "libcurl could not create a handle");
    }
    send_attempts(c, &call, easy);
    give_easy(c, easy);
    send_finish(&call, aerr, err);
    rc = call.rc;
    aws_call_cleanup(&call);
    return rc;
}
