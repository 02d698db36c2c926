/* Logging. Messages go to a sink: stderr by default, syslog for the daemon,
 * or a function of the host's when iotreg runs inside a CA (the hook).
 * Nothing here ever writes to stdout. Debug messages are on when the
 * environment variable IOTREG_DEBUG is set to a non-empty value other than 0.
 * Callers never pass secrets to these functions. */
#ifndef IOTREG_CORE_LOG_H
#define IOTREG_CORE_LOG_H

typedef enum ir_log_level { IR_LOG_ERROR = 0, IR_LOG_WARN, IR_LOG_INFO, IR_LOG_DEBUG } ir_log_level;

typedef void (*ir_log_sink_fn)(void *ctx, ir_log_level level, const char *line);

void ir_log(ir_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define ir_log_error(...) ir_log(IR_LOG_ERROR, __VA_ARGS__)
#define ir_log_warn(...)  ir_log(IR_LOG_WARN, __VA_ARGS__)
#define ir_log_info(...)  ir_log(IR_LOG_INFO, __VA_ARGS__)
#define ir_log_debug(...) ir_log(IR_LOG_DEBUG, __VA_ARGS__)

/* Messages above level are dropped. */
void ir_log_set_level(ir_log_level level);
int ir_log_enabled(ir_log_level level);
/* Routes messages to fn(ctx, ...); NULL restores stderr. */
void ir_log_set_sink(ir_log_sink_fn fn, void *ctx);
/* Routes messages to syslog with the given ident. */
void ir_log_use_syslog(const char *ident);
/* A prefix for stderr lines, e.g. the program name. */
void ir_log_set_prefix(const char *prefix);

#endif
