/* What the transport puts on the wire and how it treats what comes back,
 * checked against a scripted HTTP server on a loopback socket: request line
 * and query encoding, Host, the signing name in the credential scope, the
 * session token, no Expect: 100-continue, connection reuse, response headers,
 * the response cap, timeouts, empty replies and refused connections. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aws/transport/client.h"
#include "core/buf.h"
#include "core/util.h"
#include "testutil.h"

typedef enum server_mode { RESPOND, SILENT, HANG_UP } server_mode;

typedef struct wire_server {
    int lfd;
    int port;
    pthread_t thread;
    server_mode mode;
    const char *response; /* raw bytes sent after each request */
    int max_requests;
    pthread_mutex_t lock;
    ir_buf log; /* every request received, head and body, each after "=== " */
    int connections;
    int requests;
} wire_server;

/* -- the server -- */

static bool wait_readable(int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};

    return poll(&p, 1, ms) > 0;
}

static long content_length(const char *head)
{
    const char *p = strcasestr(head, "\r\ncontent-length:");

    return p != NULL ? strtol(p + 17, NULL, 10) : 0;
}

/* Reads one request into req; false at EOF or on error. */
static bool read_request(int fd, ir_buf *req)
{
    char ch;
    const char *end = NULL;
    long body;

    while (end == NULL) {
        if (!wait_readable(fd, 10000) || read(fd, &ch, 1) != 1)
            return false;
        if (ir_buf_append(req, &ch, 1, NULL) != IR_OK)
            return false;
        end = strstr(ir_buf_cstr(req), "\r\n\r\n");
    }
    for (body = content_length(ir_buf_cstr(req)); body > 0; body--)
        if (!wait_readable(fd, 10000) || read(fd, &ch, 1) != 1 ||
            ir_buf_append(req, &ch, 1, NULL) != IR_OK)
            return false;
    return true;
}

static void record(wire_server *s, const ir_buf *req)
{
    pthread_mutex_lock(&s->lock);
    ir_buf_appendf(&s->log, NULL, "=== %s\n", ir_buf_cstr(req));
    s->requests++;
    pthread_mutex_unlock(&s->lock);
}

static bool serve_one(wire_server *s, int fd)
{
    ir_buf req;
    bool more;

    ir_buf_init(&req, 1 << 20);
    more = read_request(fd, &req);
    if (more) {
        record(s, &req);
        if (s->mode == RESPOND)
            more = send(fd, s->response, strlen(s->response), MSG_NOSIGNAL) ==
                   (ssize_t)strlen(s->response);
        else if (s->mode == SILENT)
            while (wait_readable(fd, 5000) && read(fd, &req.data[0], 1) == 1)
                ;
        more = more && s->mode == RESPOND;
    }
    ir_buf_free(&req);
    return more;
}

static void *server_run(void *arg)
{
    wire_server *s = arg;

    while (s->requests < s->max_requests && wait_readable(s->lfd, 10000)) {
        int fd = accept(s->lfd, NULL, NULL);

        if (fd < 0)
            break;
        pthread_mutex_lock(&s->lock);
        s->connections++;
        pthread_mutex_unlock(&s->lock);
        while (s->requests < s->max_requests && serve_one(s, fd))
            ;
        close(fd);
    }
    return NULL;
}

static int listen_loopback(int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

static void server_start(wire_server *s, server_mode mode, const char *response, int max)
{
    memset(s, 0, sizeof(*s));
    s->mode = mode;
    s->response = response;
    s->max_requests = max;
    pthread_mutex_init(&s->lock, NULL);
    ir_buf_init(&s->log, 8 << 20);
    s->lfd = listen_loopback(&s->port);
    CU_ASSERT_FATAL(s->lfd >= 0);
    pthread_create(&s->thread, NULL, server_run, s);
}

static void server_stop(wire_server *s)
{
    shutdown(s->lfd, SHUT_RDWR);
    pthread_join(s->thread, NULL);
    close(s->lfd);
    ir_buf_free(&s->log);
    pthread_mutex_destroy(&s->lock);
}

/* -- the client side -- */

static ir_aws_client *client_for(const wire_server *s, int attempts, long timeout_ms,
                                 size_t max_response, const char *signing_name)
{
    ir_aws_client_opts o;
    ir_aws_client *c = NULL;
    char url[64];

    snprintf(url, sizeof(url), "http://127.0.0.1:%d", s->port);
    ir_aws_client_opts_default(&o);
    o.endpoint = url;
    o.allow_http = true;
    o.max_attempts = attempts;
    o.base_backoff_ms = 1;
    o.max_backoff_ms = 5;
    o.rate_limit = false;
    if (timeout_ms > 0)
        o.request_timeout_ms = timeout_ms;
    if (max_response > 0)
        o.max_response_bytes = max_response;
    if (signing_name != NULL)
        o.iot_signing_name = signing_name;
    CU_ASSERT_EQUAL_FATAL(ir_aws_client_new(&o, &c, NULL), IR_OK);
    return c;
}

static ir_aws_cred_provider *creds(const char *token)
{
    ir_aws_creds *c = NULL;
    ir_aws_cred_provider *p = NULL;

    ir_aws_creds_new_secret("AKIDWIRE", "wire-secret", token, 0, &c, NULL);
    ir_aws_cred_provider_static(c, &p, NULL);
    ir_aws_creds_unref(c);
    return p;
}

static ir_aws_request get_request(ir_aws_cred_provider *p)
{
    ir_aws_request r;

    memset(&r, 0, sizeof(r));
    r.service = "iot";
    r.region = "eu-west-1";
    r.operation = "DescribeCertificate";
    r.method = "GET";
    r.path = "/certificates/abc%3D";
    r.creds = p;
    return r;
}

static ir_rc send_req(ir_aws_client *c, const ir_aws_request *r, ir_aws_error *aerr, ir_err *err,
                      long *status)
{
    ir_aws_response resp;
    ir_rc rc;

    ir_aws_response_init(&resp);
    rc = ir_aws_send(c, r, &resp, aerr, err);
    *status = resp.http_status;
    ir_aws_response_free(&resp);
    return rc;
}

#define OK_EMPTY "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nx-amzn-RequestId: r-1\r\n\r\n{}"

static bool logged(wire_server *s, const char *needle)
{
    bool found;

    pthread_mutex_lock(&s->lock);
    found = strstr(ir_buf_cstr(&s->log), needle) != NULL;
    pthread_mutex_unlock(&s->lock);
    return found;
}

static void test_get_on_the_wire(void)
{
    wire_server s;
    ir_aws_cred_provider *p = creds(NULL);
    ir_aws_client *c;
    ir_aws_request r = get_request(p);
    ir_aws_error aerr;
    char host[64];
    long status;

    server_start(&s, RESPOND, OK_EMPTY, 3);
    c = client_for(&s, 1, 0, 0, "execute-api");
    r.query[0] = (ir_aws_param){"newStatus", "ACTIVE"};
    r.query[1] = (ir_aws_param){"b", "x y/z"};
    r.n_query = 2;
    r.headers[0] = (ir_aws_param){"x-amzn-principal", "arn:aws:iot:eu-west-1:1:cert/abc"};
    r.n_headers = 1;
    CU_ASSERT_EQUAL(send_req(c, &r, &aerr, NULL, &status), IR_OK);
    CU_ASSERT_EQUAL(status, 200);
    CU_ASSERT_STRING_EQUAL(aerr.request_id, "r-1");
    snprintf(host, sizeof(host), "\r\nHost: 127.0.0.1:%d\r\n", s.port);
    CU_ASSERT_TRUE(
        logged(&s, "=== GET /certificates/abc%3D?b=x%20y%2Fz&newStatus=ACTIVE HTTP/1.1"));
    CU_ASSERT_TRUE(logged(&s, host));
    CU_ASSERT_TRUE(logged(&s, "/eu-west-1/execute-api/aws4_request, "
                              "SignedHeaders=host;x-amz-date;x-amzn-principal, Signature="));
    CU_ASSERT_TRUE(logged(&s, "\r\nx-amzn-principal: arn:aws:iot:eu-west-1:1:cert/abc\r\n"));
    CU_ASSERT_TRUE(logged(&s, "\r\nX-Amz-Date: "));
    CU_ASSERT_FALSE(logged(&s, "Content-Type"));
    CU_ASSERT_FALSE(logged(&s, "X-Amz-Security-Token"));
    /* Two more on the same connection. */
    CU_ASSERT_EQUAL(send_req(c, &r, &aerr, NULL, &status), IR_OK);
    CU_ASSERT_EQUAL(send_req(c, &r, &aerr, NULL, &status), IR_OK);
    ir_aws_client_free(c);
    server_stop(&s);
    CU_ASSERT_EQUAL(s.requests, 3);
    CU_ASSERT_EQUAL(s.connections, 1);
    ir_aws_cred_provider_free(p);
}

static void test_post_with_token_and_no_expect(void)
{
    wire_server s;
    ir_aws_cred_provider *p = creds("session-token-123");
    ir_aws_client *c;
    ir_aws_request r = get_request(p);
    static char body[200000];
    char clen[64];
    long status;

    memset(body, 'a', sizeof(body) - 1);
    server_start(&s, RESPOND, OK_EMPTY, 1);
    c = client_for(&s, 1, 0, 0, NULL);
    r.method = "POST";
    r.path = "/certificate/register";
    r.content_type = "application/json";
    r.body = body;
    r.body_len = strlen(body);
    CU_ASSERT_EQUAL(send_req(c, &r, NULL, NULL, &status), IR_OK);
    snprintf(clen, sizeof(clen), "\r\nContent-Length: %zu\r\n", strlen(body));
    CU_ASSERT_TRUE(logged(&s, "=== POST /certificate/register HTTP/1.1"));
    CU_ASSERT_TRUE(logged(&s, clen));
    CU_ASSERT_TRUE(logged(&s, "\r\nContent-Type: application/json\r\n"));
    CU_ASSERT_TRUE(logged(&s, "\r\nX-Amz-Security-Token: session-token-123\r\n"));
    CU_ASSERT_TRUE(logged(&s, "/eu-west-1/iot/aws4_request, SignedHeaders=content-type;host;"
                              "x-amz-date;x-amz-security-token, Signature="));
    CU_ASSERT_FALSE(logged(&s, "Expect"));
    ir_aws_client_free(c);
    server_stop(&s);
    ir_aws_cred_provider_free(p);
}

static void test_put_without_body_sends_length_zero(void)
{
    wire_server s;
    ir_aws_cred_provider *p = creds(NULL);
    ir_aws_client *c;
    ir_aws_request r = get_request(p);
    long status;

    server_start(&s, RESPOND, OK_EMPTY, 1);
    c = client_for(&s, 1, 0, 0, NULL);
    r.method = "PUT";
    r.query[0] = (ir_aws_param){"newStatus", "INACTIVE"};
    r.n_query = 1;
    CU_ASSERT_EQUAL(send_req(c, &r, NULL, NULL, &status), IR_OK);
    CU_ASSERT_TRUE(logged(&s, "=== PUT /certificates/abc%3D?newStatus=INACTIVE HTTP/1.1"));
    CU_ASSERT_TRUE(logged(&s, "\r\nContent-Length: 0\r\n"));
    CU_ASSERT_FALSE(logged(&s, "Content-Type"));
    ir_aws_client_free(c);
    server_stop(&s);
    ir_aws_cred_provider_free(p);
}

static void test_error_headers_are_read(void)
{
    wire_server s;
    ir_aws_cred_provider *p = creds(NULL);
    ir_aws_client *c;
    ir_aws_request r = get_request(p);
    ir_aws_error aerr;
    ir_err err = {0};
    long status;

    server_start(&s, RESPOND,
                 "HTTP/1.1 400 Bad Request\r\n"
                 "x-amzn-ErrorType: ThrottlingException:http://internal.amazon.com/coral/x/\r\n"
                 "x-amz-request-id: req-abc\r\nContent-Length: 20\r\n\r\n"
                 "{\"message\":\"slow!\"}\n",
                 2);
    c = client_for(&s, 2, 0, 0, NULL);
    CU_ASSERT_EQUAL(send_req(c, &r, &aerr, &err, &status), IR_ERR_AWS);
    CU_ASSERT_EQUAL(status, 400);
    CU_ASSERT_STRING_EQUAL(aerr.type, "ThrottlingException");
    CU_ASSERT_STRING_EQUAL(aerr.message, "slow!");
    CU_ASSERT_STRING_EQUAL(aerr.request_id, "req-abc");
    CU_ASSERT_TRUE(aerr.retryable);
    CU_ASSERT_EQUAL(aerr.attempts, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "ThrottlingException"));
    ir_aws_client_free(c);
    server_stop(&s);
    ir_aws_cred_provider_free(p);
}

static void test_response_cap(void)
{
    wire_server s;
    ir_aws_cred_provider *p = creds(NULL);
    ir_aws_client *c;
    ir_aws_request r = get_request(p);
    ir_aws_error aerr;
    ir_err err = {0};
    static char big[70000];
    long status;
    int n;

    n = snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nContent-Length: 60000\r\n\r\n");
    memset(big + n, 'x', 60000);
    big[n + 60000] = '\0';
    server_start(&s, RESPOND, big, 1);
    c = client_for(&s, 3, 0, 1024, NULL);
    CU_ASSERT_EQUAL(send_req(c, &r, &aerr, &err, &status), IR_ERR_TOO_LARGE);
    CU_ASSERT_EQUAL(aerr.attempts, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "limit of 1024 bytes"));
    ir_aws_client_free(c);
    server_stop(&s);
    ir_aws_cred_provider_free(p);
}

static void check_transport_failure(server_mode mode, long timeout_ms, ir_rc want)
{
    wire_server s;
    ir_aws_cred_provider *p = creds(NULL);
    ir_aws_client *c;
    ir_aws_request r = get_request(p);
    ir_aws_error aerr;
    ir_err err = {0};
    long status;

    server_start(&s, mode, NULL, 2);
    c = client_for(&s, 2, timeout_ms, 0, NULL);
    CU_ASSERT_EQUAL(send_req(c, &r, &aerr, &err, &status), want);
    CU_ASSERT_EQUAL(aerr.attempts, 2);
    CU_ASSERT_TRUE(aerr.retryable);
    CU_ASSERT_EQUAL(aerr.http_status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "2 attempts"));
    ir_aws_client_free(c);
    server_stop(&s);
    CU_ASSERT_EQUAL(s.requests, 2);
    ir_aws_cred_provider_free(p);
}

static void test_timeout_is_retried(void)
{
    check_transport_failure(SILENT, 300, IR_ERR_TIMEOUT);
}

static void test_empty_reply_is_retried(void)
{
    check_transport_failure(HANG_UP, 0, IR_ERR_NETWORK);
}

static void test_refused_connection_is_retried(void)
{
    ir_aws_cred_provider *p = creds(NULL);
    ir_aws_client_opts o;
    ir_aws_client *c = NULL;
    ir_aws_request r = get_request(p);
    ir_aws_error aerr;
    char url[64];
    long status;
    int port = 0, fd = listen_loopback(&port);

    close(fd); /* nothing listens there now */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    ir_aws_client_opts_default(&o);
    o.endpoint = url;
    o.allow_http = true;
    o.max_attempts = 3;
    o.base_backoff_ms = 1;
    CU_ASSERT_EQUAL_FATAL(ir_aws_client_new(&o, &c, NULL), IR_OK);
    CU_ASSERT_EQUAL(send_req(c, &r, &aerr, NULL, &status), IR_ERR_NETWORK);
    CU_ASSERT_EQUAL(aerr.attempts, 3);
    ir_aws_client_free(c);
    ir_aws_cred_provider_free(p);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_get_on_the_wire),
        IR_TEST(test_post_with_token_and_no_expect),
        IR_TEST(test_put_without_body_sends_length_zero),
        IR_TEST(test_error_headers_are_read),
        IR_TEST(test_response_cap),
        IR_TEST(test_timeout_is_retried),
        IR_TEST(test_empty_reply_is_retried),
        IR_TEST(test_refused_connection_is_retried),
        {NULL, NULL},
    };

    return ir_test_run("http_wire", cases, NULL, NULL);
}
