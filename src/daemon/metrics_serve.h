/* Where iotregd's metrics go (<daemon><metrics>): an HTTP listener that
 * answers GET /metrics, and a file written atomically for node_exporter's
 * textfile collector; one thread does both. */
#ifndef IOTREG_DAEMON_METRICS_SERVE_H
#define IOTREG_DAEMON_METRICS_SERVE_H

#include "core/error.h"
#include "daemon/metrics.h"
#include "journal/journal.h"

typedef struct ir_metrics_server ir_metrics_server;

typedef struct ir_metrics_server_opts {
    const char *listen;   /* "HOST:PORT" (numeric host, "[v6]:PORT"), "PORT" (127.0.0.1); NULL */
    const char *textfile; /* NULL: none */
    long textfile_ms;     /* how often the file is written; 0: 15000 */
} ir_metrics_server_opts;

/* Binds the listener now (so that a port in use fails the start with a
 * clear error, before the daemon detaches); nothing runs yet. */
ir_rc ir_metrics_server_open(ir_dmetrics *dm, const ir_metrics_server_opts *o,
                             ir_metrics_server **out, ir_err *err);
/* Starts the thread (after the daemon detached). */
ir_rc ir_metrics_server_start(ir_metrics_server *s, ir_err *err);
/* Stops the thread, writes the textfile a last time, closes the listener. */
void ir_metrics_server_close(ir_metrics_server *s);

/* The exposition as text (the caller frees *out). */
ir_rc ir_metrics_server_render(ir_dmetrics *dm, char **out, size_t *len, ir_err *err);
/* Writes the exposition to path atomically (a temporary file beside it,
 * fsync, rename), mode 0644: it holds no secret. */
ir_rc ir_metrics_write_textfile(ir_dmetrics *dm, const char *path, ir_err *err);

#endif
