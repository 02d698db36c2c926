/* One request through its attempts: checking it, signing each
 * attempt with freshly resolved credentials, and deciding after each attempt
 * whether it is done or goes again after a backoff. */
#include "autoconf.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/auth/sigv4.h"
#include "aws/transport/client_internal.h"
#include "core/log.h"
#include "core/util.h"

#define URL_MAX         (16u << 10)
#define HEADER_LINE_MAX (16u << 10)

/* -- checking the request -- */

/* Printable ASCII; spaces and tabs only where allowed. */
static bool is_printable(const char *s, bool allow_space)
{
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == ' ' || ch == '\t') {
            if (!allow_space)
                return false;
        } else if (ch < 0x21 || ch >= 0x7f) {
            return false;
        }
    }
    return true;
}

static bool is_token(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("!#$%&'*+-.^_`|~", *s) != NULL))
            return false;
    return true;
}

/* Headers the transport sets itself: a caller may not supply them. */
static bool is_reserved_header(const char *name)
{
    static const char *const reserved[] = {
        "host",         "authorization",  "x-amz-date", "x-amz-security-token",
        "content-type", "content-length", "expect",     "transfer-encoding"};
    size_t i;

    for (i = 0; i < sizeof(reserved) / sizeof(*reserved); i++)
        if (strcasecmp(name, reserved[i]) == 0)
            return true;
    return false;
}

static ir_rc check_headers(const ir_aws_request *req, ir_err *err)
{
    size_t i;

    if (req->n_headers > IR_AWS_MAX_HEADERS)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: more than %d extra headers", req->operation,
                          IR_AWS_MAX_HEADERS);
    for (i = 0; i < req->n_headers; i++) {
        const ir_aws_param *h = &req->headers[i];
        if (!is_token(h->name) || h->value == NULL || !is_printable(h->value, true))
            return ir_err_set(err, IR_ERR_INVALID_ARG,
                              "%s: header %zu has an invalid name or value (control characters "
                              "are not allowed)",
                              req->operation, i);
        if (is_reserved_header(h->name))
            return ir_err_set(err, IR_ERR_INVALID_ARG,
                              "%s: header %s is set by the transport, not by the caller",
                              req->operation, h->name);
    }
    return IR_OK;
}

static ir_rc check_query(const ir_aws_request *req, ir_err *err)
{
    size_t i;

    if (req->n_query > IR_AWS_MAX_PARAMS)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: more than %d query parameters",
                          req->operation, IR_AWS_MAX_PARAMS);
    for (i = 0; i < req->n_query; i++)
        if (req->query[i].name == NULL || req->query[i].name[0] == '\0')
            return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: query parameter %zu has no name",
                              req->operation, i);
    return IR_OK;
}

static ir_rc check_basics(const ir_aws_request *req, ir_err *err)
{
    if (req->operation == NULL || req->operation[0] == '\0' || !is_printable(req->operation, false))
        return ir_err_set(err, IR_ERR_INVALID_ARG, "AWS request without an operation name");
    if (req->service == NULL || req->region == NULL || req->service[0] == '\0' ||
        req->region[0] == '\0')
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: no service or region", req->operation);
    if (!is_token(req->method))
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: bad HTTP method", req->operation);
    if (req->path == NULL || req->path[0] != '/' || !is_printable(req->path, false) ||
        strpbrk(req->path, "?#") != NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "%s: the path must start with '/' and be URI-encoded (no spaces, '?' "
                          "or '#')",
                          req->operation);
    if (req->creds == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: no credentials", req->operation);
    if (req->body_len > 0 && req->body == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: body length without a body",
                          req->operation);
    if (req->body_len > IR_AWS_MAX_REQUEST_BYTES)
        return ir_err_set(err, IR_ERR_TOO_LARGE,
                          "%s: request body of %zu bytes exceeds the limit of %u bytes",
                          req->operation, req->body_len, IR_AWS_MAX_REQUEST_BYTES);
    if (req->content_type != NULL && !is_printable(req->content_type, true))
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: bad content type", req->operation);
    return IR_OK;
}

static ir_rc check_request(const ir_aws_request *req, ir_err *err)
{
    ir_rc rc = check_basics(req, err);

    if (rc == IR_OK)
        rc = check_query(req, err);
    if (rc == IR_OK)
        rc = check_headers(req, err);
    return rc;
}

/* -- setting up -- */

static ir_rc build_url(aws_call *call, ir_err *err)
{
    ir_buf b;
    ir_rc rc;

    ir_buf_init(&b, URL_MAX);
    rc = ir_buf_appendf(&b, err, "%s%s", call->ep.base_url, call->req.path);
    if (rc == IR_OK && call->req.n_query > 0)
        rc = ir_buf_append(&b, "?", 1, err);
    if (rc == IR_OK)
        rc = ir_sigv4_canonical_query(call->req.query, call->req.n_query, &b, err);
    if (rc != IR_OK) {
        ir_buf_free(&b);
        return rc;
    }
    call->url = ir_buf_steal(&b, NULL);
    return call->url != NULL ? IR_OK : ir_err_set(err, IR_ERR_NOMEM, "out of memory");
}

static void response_attach(aws_call *call, ir_aws_response *resp, size_t max)
{
    if (resp == NULL)
        resp = &call->own_resp;
    ir_buf_free(&resp->body);
    ir_buf_init(&resp->body, max);
    resp->http_status = 0;
    resp->error_type[0] = '\0';
    resp->request_id[0] = '\0';
    call->resp = resp;
}

ir_rc aws_call_init(ir_aws_client *c, const ir_aws_request *req, aws_call *call,
                    ir_aws_response *resp, ir_err *err)
{
    const char *endpoint;
    ir_rc rc;

    call->c = c;
    call->req = *req;
    ir_aws_response_init(&call->own_resp);
    response_attach(call, resp, c->opts.max_response_bytes);
    rc = check_request(req, err);
    if (rc != IR_OK)
        return rc;
    endpoint = req->endpoint != NULL && req->endpoint[0] != '\0' ? req->endpoint : c->endpoint;
    rc = ir_aws_endpoint_resolve(endpoint, c->opts.allow_http, req->service, req->region, &call->ep,
                                 err);
    if (rc != IR_OK) {
        ir_err_prefix(err, "%s: ", req->operation);
        return rc;
    }
    call->signing_name = strcmp(req->service, "iot") == 0 ? c->iot_signing_name : req->service;
    return build_url(call, err);
}

static void headers_free(struct curl_slist *l)
{
    struct curl_slist *p;

    for (p = l; p != NULL; p = p->next)
        OPENSSL_cleanse(p->data, strlen(p->data));
    curl_slist_free_all(l);
}

void aws_call_cleanup(aws_call *call)
{
    headers_free(call->headers);
    call->headers = NULL;
    free(call->url);
    call->url = NULL;
    ir_aws_response_free(&call->own_resp);
}

/* -- one attempt -- */

static ir_rc header_add(struct curl_slist **l, const char *name, const char *value, ir_err *err)
{
    char line[HEADER_LINE_MAX];
    struct curl_slist *n;
    int len = snprintf(line, sizeof(line), "%s:%s%s", name, value[0] != '\0' ? " " : "", value);

    if (len < 0 || (size_t)len >= sizeof(line))
        return ir_err_set(err, IR_ERR_TOO_LARGE, "header %s is too long", name);
    n = curl_slist_append(*l, line);
    OPENSSL_cleanse(line, (size_t)len);
    if (n == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    *l = n;
    return IR_OK;
}

typedef struct signed_set {
    ir_aws_param h[IR_AWS_MAX_HEADERS + 2];
    size_t n;
} signed_set;

static void signed_set_build(const aws_call *call, signed_set *s)
{
    size_t i;

    s->n = 0;
    s->h[s->n++] = (ir_aws_param){"Host", call->ep.host_header};
    if (call->req.content_type != NULL)
        s->h[s->n++] = (ir_aws_param){"Content-Type", call->req.content_type};
    for (i = 0; i < call->req.n_headers; i++)
        s->h[s->n++] = call->req.headers[i];
}

static ir_rc headers_build(const aws_call *call, const signed_set *s, const ir_sigv4_output *sig,
                           const char *amz_date, const ir_aws_creds *creds, struct curl_slist **out,
                           ir_err *err)
{
    struct curl_slist *l = NULL;
    size_t i;
    ir_rc rc = IR_OK;

    for (i = 0; i < s->n && rc == IR_OK; i++)
        rc = header_add(&l, s->h[i].name, s->h[i].value, err);
    if (rc == IR_OK && sig->add_date_header)
        rc = header_add(&l, "X-Amz-Date", amz_date, err);
    if (rc == IR_OK && sig->add_token_header)
        rc = header_add(&l, "X-Amz-Security-Token", ir_aws_creds_session_token(creds), err);
    if (rc == IR_OK && call->req.content_type == NULL)
        rc = header_add(&l, "Content-Type", "", err); /* no libcurl default */
    if (rc == IR_OK)
        rc = header_add(&l, "Authorization", ir_buf_cstr(&sig->authorization), err);
    if (rc == IR_OK)
        rc = header_add(&l, "Expect", "", err); /* no 100-continue round trip */
    if (rc != IR_OK) {
        headers_free(l);
        return rc;
    }
    *out = l;
    return IR_OK;
}

static ir_rc sign_attempt(aws_call *call, const ir_aws_creds *creds, ir_err *err)
{
    char amz_date[IR_SIGV4_AMZ_DATE_LEN + 1];
    ir_sigv4_output sig;
    signed_set s;
    ir_rc rc;

    ir_sigv4_amz_date(ir_realtime_ms(), amz_date);
    signed_set_build(call, &s);
    {
        ir_sigv4_input in = {call->req.method,
                             call->req.path,
                             call->req.query,
                             call->req.n_query,
                             s.h,
                             s.n,
                             call->req.body,
                             call->req.body_len,
                             amz_date,
                             call->req.region,
                             call->signing_name,
                             false};

        ir_sigv4_output_init(&sig);
        rc = ir_sigv4_sign(&in, creds, &sig, err);
    }
    headers_free(call->headers);
    call->headers = NULL;
    if (rc == IR_OK)
        rc = headers_build(call, &s, &sig, amz_date, creds, &call->headers, err);
    ir_sigv4_output_free(&sig);
    return rc;
}

void aws_call_fail(aws_call *call, ir_rc rc, const ir_err *err)
{
    const char *op = call->req.operation != NULL ? call->req.operation : "AWS request";

    ir_aws_error_from_failure(&call->aerr, err != NULL ? err->msg : ir_rc_name(rc), false);
    call->aerr.attempts = call->attempts;
    call->rc = rc;
    ir_err_set(&call->err, rc, "%s: %s", op, err != NULL ? err->msg : ir_rc_name(rc));
}

ir_rc aws_call_prepare_attempt(aws_call *call, CURL *easy)
{
    ir_aws_creds *creds = NULL;
    ir_err err = {0};
    ir_rc rc = ir_aws_cred_provider_get(call->req.creds, &creds, &err);

    if (rc == IR_OK)
        rc = sign_attempt(call, creds, &err);
    ir_aws_creds_unref(creds);
    if (rc == IR_OK) {
        call->x = (ir_http_exchange){.method = call->req.method,
                                     .url = call->url,
                                     .headers = call->headers,
                                     .body = call->req.body,
                                     .body_len = call->req.body_len,
                                     .resp = call->resp};
        rc = ir_http_prepare(easy, &call->c->http, &call->x, &err);
    }
    if (rc != IR_OK) {
        aws_call_fail(call, rc, &err);
        return rc;
    }
    call->attempt_start_ms = ir_monotonic_ms();
    if (call->first_send_ms == 0)
        call->first_send_ms = call->attempt_start_ms;
    call->attempts++;
    return IR_OK;
}

/* -- after one attempt -- */

static void log_attempt(const aws_call *call, ir_rc transport_rc, int64_t latency_ms)
{
    const ir_aws_error *e = &call->aerr;

    if (!ir_log_enabled(IR_LOG_DEBUG))
        return;
    if (transport_rc != IR_OK)
        ir_log_debug("aws: %s attempt %d/%d: %s: %s (%lld ms)", call->req.operation, call->attempts,
                     call->c->retry.max_attempts, ir_rc_name(transport_rc), e->message,
                     (long long)latency_ms);
    else
        ir_log_debug("aws: %s attempt %d/%d: HTTP %ld%s%s (%lld ms, request id %s)",
                     call->req.operation, call->attempts, call->c->retry.max_attempts,
                     call->resp->http_status, e->type[0] != '\0' ? " " : "", e->type,
                     (long long)latency_ms,
                     call->resp->request_id[0] != '\0' ? call->resp->request_id : "none");
}

static void record_transport_error(aws_call *call, ir_rc rc, const ir_err *terr)
{
    call->rc = rc;
    ir_err_set(&call->err, rc, "%s: %s (%d attempt%s)", call->req.operation, terr->msg,
               call->attempts, call->attempts == 1 ? "" : "s");
}

static void classify_attempt(aws_call *call, ir_rc transport_rc, const ir_err *terr)
{
    if (transport_rc == IR_OK) {
        ir_aws_error_from_response(call->resp, &call->aerr);
    } else {
        ir_aws_error_from_failure(&call->aerr, terr->msg,
                                  ir_aws_error_is_retryable(0, "", transport_rc));
    }
    call->aerr.attempts = call->attempts;
}

/* Tells the client's observer (metrics) what the attempt came to. */
static void observe_attempt(const aws_call *call, ir_rc transport_rc, bool will_retry)
{
    const ir_aws_client *c = call->c;
    ir_aws_attempt_info a;

    if (c->observer == NULL)
        return;
    a.service = call->req.service;
    a.operation = call->req.operation;
    a.http_status = transport_rc == IR_OK ? call->resp->http_status : 0;
    a.throttled = transport_rc == IR_OK && ir_aws_error_classify(a.http_status, call->aerr.type,
                                                                 IR_OK) == IR_AWS_ERROR_THROTTLED;
    a.will_retry = will_retry;
    c->observer(c->observer_ctx, &a);
}

call_verdict aws_call_attempt_done(aws_call *call, ir_rc transport_rc, const ir_err *terr)
{
    ir_aws_client *c = call->c;
    int64_t now = ir_monotonic_ms(), elapsed;
    long status = call->resp->http_status;

    if (transport_rc == IR_OK && status >= 200 && status <= 299) {
        memset(&call->aerr, 0, sizeof(call->aerr));
        call->aerr.http_status = status;
        call->aerr.attempts = call->attempts;
        ir_strlcpy(call->aerr.request_id, call->resp->request_id, sizeof(call->aerr.request_id));
        call->rc = IR_OK;
        log_attempt(call, IR_OK, now - call->attempt_start_ms);
        observe_attempt(call, IR_OK, false);
        return CALL_DONE;
    }
    classify_attempt(call, transport_rc, terr);
    log_attempt(call, transport_rc, now - call->attempt_start_ms);
    call->backoff_ms = ir_retry_backoff_ms(&c->retry, call->attempts - 1, c->rng, c->rng_ctx);
    elapsed = now - call->first_send_ms - call->token_wait_ms;
    if (ir_retry_allowed(&c->retry, call->aerr.retryable, call->attempts, elapsed,
                         call->backoff_ms)) {
        observe_attempt(call, transport_rc, true);
        return CALL_RETRY;
    }
    observe_attempt(call, transport_rc, false);
    if (transport_rc == IR_OK)
        call->rc = ir_aws_error_to_err(&call->aerr, call->req.operation, &call->err);
    else
        record_transport_error(call, transport_rc, terr);
    return CALL_DONE;
}
