#include "autoconf.h"

#include "aws/transport/http.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

ir_rc ir_http_global_init(ir_err *err)
{
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return ir_err_set(err, IR_ERR_NETWORK, "libcurl initialisation failed: %s",
                          curl_easy_strerror(global_rc));
    return IR_OK;
}

/* -- response callbacks -- */

static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
    ir_http_exchange *x = userdata;
    size_t n = size * nmemb;

    if (ir_buf_append(&x->resp->body, p, n, NULL) != IR_OK) {
        x->overflow = true;
        return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    return n;
}

/* Copies the header's value, trimmed, into dst when line is "name: value". */
static bool header_value(const char *line, size_t n, const char *name, char *dst, size_t cap)
{
    size_t nl = strlen(name), vlen;
    const char *v;

    if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
        return false;
    v = line + nl + 1;
    vlen = n - nl - 1;
    while (vlen > 0 && (*v == ' ' || *v == '\t'))
        v++, vlen--;
    while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
        vlen--;
    if (vlen >= cap)
        vlen = cap - 1;
    memcpy(dst, v, vlen);
    dst[vlen] = '\0';
    return true;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *userdata)
{
    ir_http_exchange *x = userdata;
    ir_aws_response *r = x->resp;
    size_t n = size * nmemb;

    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        /* A new response (after a 1xx): forget the previous one's headers. */
        r->error_type[0] = '\0';
        r->request_id[0] = '\0';
    } else if (header_value(p, n, "x-amzn-ErrorType", r->error_type, sizeof(r->error_type))) {
        r->error_type[strcspn(r->error_type, ":")] = '\0';
    } else if (!header_value(p, n, "x-amzn-RequestId", r->request_id, sizeof(r->request_id)) &&
               r->request_id[0] == '\0') {
        header_value(p, n, "x-amz-request-id", r->request_id, sizeof(r->request_id));
    }
    return n;
}

/* -- request -- */

static CURLcode set_method_and_body(CURL *h, const ir_http_exchange *x)
{
    bool has_body_semantics = strcmp(x->method, "POST") == 0 || strcmp(x->method, "PUT") == 0 ||
                              strcmp(x->method, "PATCH") == 0;
    CURLcode cc = CURLE_OK;

    if (x->body_len > 0 || has_body_semantics) {
        cc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
        if (cc == CURLE_OK)
            cc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body_len > 0 ? x->body : "");
        if (cc == CURLE_OK && strcmp(x->method, "POST") != 0)
            cc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, x->method);
    } else if (strcmp(x->method, "GET") == 0) {
        cc = curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(x->method, "HEAD") == 0) {
        cc = curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        cc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, x->method);
    }
    return cc;
}

static CURLcode set_transport_options(CURL *h, const ir_http_opts *o)
{
    CURLcode cc = CURLE_OK;

#define SET(opt, val)                                                                              \
    if (cc == CURLE_OK)                                                                            \
    cc = curl_easy_setopt(h, opt, val)
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, o->request_timeout_ms);
    /* Never disabled: there is no option to turn verification off. */
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
    if (o->ca_file != NULL && o->ca_file[0] != '\0')
        SET(CURLOPT_CAINFO, o->ca_file);
#undef SET
    return cc;
}

static CURLcode set_exchange_options(CURL *h, ir_http_exchange *x)
{
    CURLcode cc = CURLE_OK;

#define SET(opt, val)                                                                              \
    if (cc == CURLE_OK)                                                                            \
    cc = curl_easy_setopt(h, opt, val)
    SET(CURLOPT_URL, x->url);
    SET(CURLOPT_HTTPHEADER, x->headers);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, x);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, x);
    SET(CURLOPT_ERRORBUFFER, x->curl_error);
#undef SET
    if (cc == CURLE_OK)
        cc = set_method_and_body(h, x);
    return cc;
}

ir_rc ir_http_prepare(CURL *h, const ir_http_opts *o, ir_http_exchange *x, ir_err *err)
{
    CURLcode cc;

    if (x->body_len > IR_AWS_MAX_REQUEST_BYTES)
        return ir_err_set(err, IR_ERR_TOO_LARGE,
                          "request body of %zu bytes exceeds the limit of %u bytes", x->body_len,
                          IR_AWS_MAX_REQUEST_BYTES);
    curl_easy_reset(h);
    x->overflow = false;
    x->curl_error[0] = '\0';
    x->resp->http_status = 0;
    x->resp->error_type[0] = '\0';
    x->resp->request_id[0] = '\0';
    ir_buf_reset(&x->resp->body);
    cc = set_transport_options(h, o);
    if (cc == CURLE_OK)
        cc = set_exchange_options(h, x);
    if (cc != CURLE_OK)
        return ir_err_set(err, IR_ERR_INTERNAL, "libcurl refused an option: %s",
                          curl_easy_strerror(cc));
    return IR_OK;
}

/* -- outcome -- */

static ir_rc classify_curl_error(CURLcode cc)
{
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return IR_ERR_TIMEOUT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
        return IR_ERR_CRYPTO;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return IR_ERR_INVALID_ARG;
    case CURLE_OUT_OF_MEMORY:
        return IR_ERR_NOMEM;
    default:
        /* refused, reset, empty reply, DNS, partial transfer: worth a retry */
        return IR_ERR_NETWORK;
    }
}

static const char *exchange_host(const ir_http_exchange *x, char *buf, size_t cap)
{
    const char *p = strstr(x->url, "://");
    size_t n;

    p = p != NULL ? p + 3 : x->url;
    n = strcspn(p, "/?#");
    snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
    return buf;
}

ir_rc ir_http_finish(CURL *h, CURLcode cc, ir_http_exchange *x, ir_err *err)
{
    char host[256];
    ir_rc rc;
    long status = 0;

    if (cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        x->resp->http_status = status;
        return IR_OK;
    }
    exchange_host(x, host, sizeof(host));
    if (cc == CURLE_WRITE_ERROR && x->overflow)
        return ir_err_set(err, IR_ERR_TOO_LARGE,
                          "the response from %s exceeds the limit of %zu bytes "
                          "(max_response_bytes)",
                          host, x->resp->body.max);
    rc = classify_curl_error(cc);
    if (rc == IR_ERR_CRYPTO)
        return ir_err_set(err, rc,
                          "TLS verification of %s failed: %s; check the endpoint, or add the "
                          "CA that issued its certificate with ca_file",
                          host, x->curl_error[0] != '\0' ? x->curl_error : curl_easy_strerror(cc));
    return ir_err_set(err, rc, "%s %s: %s", x->method, host,
                      x->curl_error[0] != '\0' ? x->curl_error : curl_easy_strerror(cc));
}
