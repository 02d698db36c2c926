/* Debug lines to stderr, prefixed with the provider's name and the pid. */
#include "autoconf.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "provider/debug.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int enabled;

static void read_env(void)
{
    const char *v = getenv("IOTREG_DEBUG");

    enabled = v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

int ir_prov_debug_enabled(void)
{
    pthread_once(&once, read_env);
    return enabled;
}

void ir_prov_debug(const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (!ir_prov_debug_enabled())
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "iotreg provider[%ld]: %s\n", (long)getpid(), line);
}
