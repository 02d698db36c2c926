/* Internals of iotreg_hook.so shared by its files. */
#ifndef IOTREG_HOOKS_HOOK_INTERNAL_H
#define IOTREG_HOOKS_HOOK_INTERNAL_H

#include <stddef.h>

#include "capture/capture.h"
#include "core/error.h"
#include "iotreg_hook.h"

/* Routes libiotreg's log messages to the host's logger, or nowhere. */
void hook_log_install(void);

/* Copies err's message (or msg) into errbuf and returns code. */
int hook_fail(int code, const char *msg, char *errbuf, size_t errlen);
/* Clears errbuf and returns code. */
int hook_ok(int code, char *errbuf, size_t errlen);
/* The hook's code for a failed capture. */
int hook_code_for_capture(ir_capture_failure f, ir_rc rc);
/* The hook's code for a failed journal call (fallback for the usual case). */
int hook_code_for_rc(ir_rc rc, int fallback);
/* The hook's code for a configuration that failed to load. */
int hook_code_for_config(ir_rc rc);

#endif
