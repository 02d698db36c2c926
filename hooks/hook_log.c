/* The hook's log sink. Inside a CA, nothing goes to standard output, and
 * standard error only gets debug messages the operator asked for with
 * IOTREG_DEBUG; everything else reaches the host's logger when it gave one. */
#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>

#include "core/log.h"
#include "hook_internal.h"

static pthread_mutex_t logger_lock = PTHREAD_MUTEX_INITIALIZER;
static iotreg_hook_log_fn logger_fn;
static void *logger_ctx;

static void hook_sink(void *unused, ir_log_level level, const char *line)
{
    (void)unused;
    pthread_mutex_lock(&logger_lock);
    if (logger_fn != NULL)
        logger_fn(logger_ctx, (int)level, line);
    else if (level == IR_LOG_DEBUG)
        fprintf(stderr, "iotreg_hook: debug: %s\n", line);
    pthread_mutex_unlock(&logger_lock);
}

void hook_log_install(void)
{
    ir_log_set_sink(hook_sink, NULL);
}

void iotreg_hook_set_logger(iotreg_hook_log_fn fn, void *ctx)
{
    pthread_mutex_lock(&logger_lock);
    logger_fn = fn;
    logger_ctx = ctx;
    pthread_mutex_unlock(&logger_lock);
    hook_log_install();
}
