#include "autoconf.h"

#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#define LOG_LINE_MAX 2048

/* The sink is process-wide configuration; a mutex keeps a sink change and a
 * concurrent message from seeing half an update. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static ir_log_sink_fn log_sink;
static void *log_sink_ctx;
static int log_syslog;
static int log_level = -1;
static char log_prefix[64] = "iotreg";

static int level_from_env(void)
{
    const char *v = getenv("IOTREG_DEBUG");

    if (v != NULL && v[0] != '\0' && strcmp(v, "0") != 0)
        return IR_LOG_DEBUG;
    return IR_LOG_INFO;
}

int ir_log_enabled(ir_log_level level)
{
    int current;

    pthread_mutex_lock(&log_lock);
    if (log_level < 0)
        log_level = level_from_env();
    current = log_level;
    pthread_mutex_unlock(&log_lock);
    return (int)level <= current;
}

void ir_log_set_level(ir_log_level level)
{
    pthread_mutex_lock(&log_lock);
    log_level = (int)level;
    pthread_mutex_unlock(&log_lock);
}

void ir_log_set_sink(ir_log_sink_fn fn, void *ctx)
{
    pthread_mutex_lock(&log_lock);
    log_sink = fn;
    log_sink_ctx = ctx;
    log_syslog = 0;
    pthread_mutex_unlock(&log_lock);
}

void ir_log_use_syslog(const char *ident)
{
    openlog(ident, LOG_PID, LOG_DAEMON);
    pthread_mutex_lock(&log_lock);
    log_sink = NULL;
    log_syslog = 1;
    pthread_mutex_unlock(&log_lock);
}

void ir_log_set_prefix(const char *prefix)
{
    pthread_mutex_lock(&log_lock);
    snprintf(log_prefix, sizeof(log_prefix), "%s", prefix);
    pthread_mutex_unlock(&log_lock);
}

static const char *level_name(ir_log_level level)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};

    return (unsigned)level < 4 ? names[level] : "?";
}

static int syslog_priority(ir_log_level level)
{
    static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

    return (unsigned)level < 4 ? prio[level] : LOG_INFO;
}

void ir_log(ir_log_level level, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    va_list ap;

    if (!ir_log_enabled(level))
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);

    pthread_mutex_lock(&log_lock);
    if (log_sink != NULL)
        log_sink(log_sink_ctx, level, line);
    else if (log_syslog)
        syslog(syslog_priority(level), "%s", line);
    else
        fprintf(stderr, "%s: %s: %s\n", log_prefix, level_name(level), line);
    pthread_mutex_unlock(&log_lock);
}
