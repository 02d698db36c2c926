/* The metrics listener and textfile writer (daemon/metrics_serve.h). The
 * HTTP side is as small as a scrape needs: one request per connection, read
 * with a size cap and a timeout; GET /metrics answers, anything else is 404
 * (405 for another method); the answer closes the connection. */
#include "autoconf.h"

#include "daemon/metrics_serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"

#define REQUEST_MAX    8192
#define IO_TIMEOUT_MS  2000
#define POLL_MS        200
#define TEXTFILE_MS    15000
#define EXPOSITION_MAX (16u << 20)
#define CONTENT_TYPE   "text/plain; version=0.0.4; charset=utf-8"

struct ir_metrics_server {
    ir_dmetrics *dm;
    int fd; /* -1: no listener */
    char *listen;
    char where[96]; /* the address bound, as a URL's host:port */
    char *textfile;
    long textfile_ms;
    pthread_t thread;
    bool running;
    atomic_int stop;
};

ir_rc ir_metrics_server_render(ir_dmetrics *dm, char **out, size_t *len, ir_err *err)
{
    ir_buf b;
    ir_rc rc;

    ir_dmetrics_prepare(dm);
    ir_buf_init(&b, EXPOSITION_MAX);
    rc = ir_metrics_render(ir_dmetrics_registry(dm), &b, err);
    if (rc == IR_OK) {
        *out = ir_buf_steal(&b, len);
        if (*out == NULL)
            rc = ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    }
    ir_buf_free(&b);
    return rc;
}

static ir_rc write_all(int fd, const char *p, size_t n, ir_err *err)
{
    if (ir_write_all(fd, p, n) == 0)
        return IR_OK;
    return ir_err_set(err, IR_ERR_IO, "write: %s",
                      errno != 0 ? strerror(errno) : "nothing written");
}

ir_rc ir_metrics_write_textfile(ir_dmetrics *dm, const char *path, ir_err *err)
{
    char tmp[PATH_MAX], *text = NULL;
    size_t len = 0;
    int fd;
    ir_rc rc;

    /* Not ending in .prom: the collector never reads a half-written file. */
    static atomic_uint seq;

    if (snprintf(tmp, sizeof(tmp), "%s.%ld.%u.tmp", path, (long)getpid(),
                 atomic_fetch_add(&seq, 1)) >= (int)sizeof(tmp))
        return ir_err_set(err, IR_ERR_INVALID_ARG, "metrics textfile path is too long");
    rc = ir_metrics_server_render(dm, &text, &len, err);
    if (rc != IR_OK)
        return rc;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        rc = ir_err_set(err, IR_ERR_IO, "metrics textfile %s: %s", tmp, strerror(errno));
        free(text);
        return rc;
    }
    fchmod(fd, 0644); /* whatever the umask: node_exporter runs as another user */
    rc = write_all(fd, text, len, err);
    if (rc == IR_OK && fsync(fd) != 0)
        rc = ir_err_set(err, IR_ERR_IO, "fsync: %s", strerror(errno));
    close(fd);
    free(text);
    if (rc == IR_OK && rename(tmp, path) != 0)
        rc = ir_err_set(err, IR_ERR_IO, "rename to %s: %s", path, strerror(errno));
    if (rc != IR_OK) {
        unlink(tmp);
        ir_err_prefix(err, "metrics textfile %s: ", path);
    }
    return rc;
}

/* -- the listener -- */

/* "HOST:PORT", "[V6]:PORT" or "PORT" (on 127.0.0.1) into host and port. */
static ir_rc split_listen(const char *listen, char *host, size_t hn, char *port, size_t pn,
                          ir_err *err)
{
    const char *colon = strrchr(listen, ':');
    const char *h = listen;
    size_t hl;

    if (colon == NULL) {
        ir_strlcpy(host, "127.0.0.1", hn);
        ir_strlcpy(port, listen, pn);
        return IR_OK;
    }
    hl = (size_t)(colon - listen);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl == 0 || hl >= hn || strlen(colon + 1) >= pn)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "metrics listen address '%s' is not HOST:PORT (a numeric host)", listen);
    memcpy(host, h, hl);
    host[hl] = '\0';
    ir_strlcpy(port, colon + 1, pn);
    return IR_OK;
}

static ir_rc bind_listener(const char *addr, int *out, char *where, size_t wn, ir_err *err)
{
    char host[64], port[16];
    struct addrinfo hints, *ai = NULL;
    int fd = -1, one = 1, gai;
    ir_rc rc = split_listen(addr, host, sizeof(host), port, sizeof(port), err);

    if (rc != IR_OK)
        return rc;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    gai = getaddrinfo(host, port, &hints, &ai);
    if (gai != 0)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "metrics listen address '%s': %s (a numeric host and port)", addr,
                          gai_strerror(gai));
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        rc = ir_err_set(err, IR_ERR_IO, "metrics: socket: %s", strerror(errno));
    } else {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
            rc = ir_err_set(err, errno == EADDRINUSE ? IR_ERR_EXISTS : IR_ERR_IO,
                            "metrics: cannot listen on %s: %s%s", addr, strerror(errno),
                            errno == EADDRINUSE ? " (another program listens there: stop it, "
                                                  "or choose another port in <metrics listen>)"
                                                : "");
        else if (listen(fd, 16) != 0)
            rc = ir_err_set(err, IR_ERR_IO, "metrics: listen on %s: %s", addr, strerror(errno));
    }
    freeaddrinfo(ai);
    if (rc != IR_OK) {
        if (fd >= 0)
            close(fd);
        return rc;
    }
    if (strchr(host, ':') != NULL)
        snprintf(where, wn, "[%s]:%s", host, port);
    else
        snprintf(where, wn, "%s:%s", host, port);
    *out = fd;
    return IR_OK;
}

/* Reads the request head (to the blank line), at most REQUEST_MAX bytes;
 * false when the client sent none in time. */
static bool read_head(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t r;

    while (n < cap - 1) {
        r = recv(fd, buf + n, cap - 1 - n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
        buf[n] = '\0';
        if (strstr(buf, "\r\n\r\n") != NULL || strstr(buf, "\n\n") != NULL)
            return true;
    }
    buf[n] = '\0';
    /* A request line without its end (too long, or cut off): answer anyway. */
    return n > 0;
}

static void respond(int fd, const char *status, const char *type, const char *body, size_t len,
                    bool head_only)
{
    char head[256];
    int hn = snprintf(head, sizeof(head),
                      "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n",
                      status, type, len);
    ir_err err = {0};

    if (write_all(fd, head, (size_t)hn, &err) == IR_OK && !head_only)
        write_all(fd, body, len, &err);
}

/* The path of "METHOD PATH HTTP/x", without its query. */
static bool is_metrics_path(const char *target)
{
    size_t n = strcspn(target, "? \r\n");

    return n == 8 && strncmp(target, "/metrics", 8) == 0;
}

static void serve_one(ir_metrics_server *s, int fd)
{
    static const char not_found[] = "not found: iotregd serves /metrics\n";
    static const char bad_method[] = "only GET /metrics\n";
    char req[REQUEST_MAX], *text = NULL, *sp;
    struct timeval tv = {IO_TIMEOUT_MS / 1000, (IO_TIMEOUT_MS % 1000) * 1000};
    size_t len = 0;
    bool get, head;
    ir_err err = {0};

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (!read_head(fd, req, sizeof(req)))
        return;
    get = strncmp(req, "GET ", 4) == 0;
    head = strncmp(req, "HEAD ", 5) == 0;
    sp = strchr(req, ' ');
    if (!get && !head) {
        respond(fd, "405 Method Not Allowed", "text/plain", bad_method, sizeof(bad_method) - 1,
                false);
    } else if (sp == NULL || !is_metrics_path(sp + 1)) {
        respond(fd, "404 Not Found", "text/plain", not_found, sizeof(not_found) - 1, head);
    } else if (ir_metrics_server_render(s->dm, &text, &len, &err) != IR_OK) {
        ir_log_warn("metrics: %s", err.msg);
        respond(fd, "500 Internal Server Error", "text/plain", "", 0, head);
    } else {
        respond(fd, "200 OK", CONTENT_TYPE, text, len, head);
    }
    free(text);
}

static void write_textfile(ir_metrics_server *s)
{
    ir_err err = {0};

    if (s->textfile != NULL && ir_metrics_write_textfile(s->dm, s->textfile, &err) != IR_OK)
        ir_log_warn("%s", err.msg);
}

static void *server_main(void *arg)
{
    ir_metrics_server *s = arg;
    int64_t next_write = ir_monotonic_ms();
    struct pollfd p;
    int fd;

    while (!atomic_load(&s->stop)) {
        if (s->textfile != NULL && ir_monotonic_ms() >= next_write) {
            write_textfile(s);
            next_write = ir_monotonic_ms() + s->textfile_ms;
        }
        if (s->fd < 0) {
            ir_sleep_ms(POLL_MS);
            continue;
        }
        p.fd = s->fd;
        p.events = POLLIN;
        if (poll(&p, 1, POLL_MS) <= 0 || !(p.revents & POLLIN))
            continue;
        fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        serve_one(s, fd);
        close(fd);
    }
    return NULL;
}

ir_rc ir_metrics_server_open(ir_dmetrics *dm, const ir_metrics_server_opts *o,
                             ir_metrics_server **out, ir_err *err)
{
    ir_metrics_server *s = calloc(1, sizeof(*s));
    ir_rc rc = IR_OK;

    *out = NULL;
    if (s == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    s->dm = dm;
    s->fd = -1;
    s->textfile_ms = o->textfile_ms > 0 ? o->textfile_ms : TEXTFILE_MS;
    if (o->textfile != NULL && (s->textfile = strdup(o->textfile)) == NULL)
        rc = ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    if (rc == IR_OK && o->listen != NULL) {
        s->listen = strdup(o->listen);
        rc = s->listen != NULL ? bind_listener(o->listen, &s->fd, s->where, sizeof(s->where), err)
                               : ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    }
    if (rc != IR_OK) {
        ir_metrics_server_close(s);
        return rc;
    }
    *out = s;
    return IR_OK;
}

ir_rc ir_metrics_server_start(ir_metrics_server *s, ir_err *err)
{
    if (pthread_create(&s->thread, NULL, server_main, s) != 0)
        return ir_err_set(err, IR_ERR_INTERNAL, "metrics: cannot start its thread");
    s->running = true;
    if (s->listen != NULL)
        ir_log_info("metrics served at http://%s/metrics", s->where);
    return IR_OK;
}

void ir_metrics_server_close(ir_metrics_server *s)
{
    if (s == NULL)
        return;
    if (s->running) {
        atomic_store(&s->stop, 1);
        pthread_join(s->thread, NULL);
        write_textfile(s); /* the last word: what --once did */
    }
    if (s->fd >= 0)
        close(s->fd);
    free(s->listen);
    free(s->textfile);
    free(s);
}
