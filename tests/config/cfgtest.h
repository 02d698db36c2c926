/* Helpers for the configuration tests: a private temporary directory per
 * run, files written into it, and a collector of reported problems. */
#ifndef IOTREG_TESTS_CONFIG_CFGTEST_H
#define IOTREG_TESTS_CONFIG_CFGTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config/config.h"
#include "config/load.h"

#define CFGTEST_MAX_PROBLEMS 64

typedef struct cfgtest_problem {
    long line;
    char msg[1024];
} cfgtest_problem;

typedef struct cfgtest_problems {
    size_t n;
    cfgtest_problem items[CFGTEST_MAX_PROBLEMS];
} cfgtest_problems;

/* Creates the run's directory (mkdtemp); NULL on failure. */
const char *cfgtest_dir(void);
/* Removes it and everything in it. */
void cfgtest_cleanup(void);
/* Writes data to DIR/name with mode; returns the path, kept until cleanup. */
const char *cfgtest_write(const char *name, const char *data, size_t len, mode_t mode);
const char *cfgtest_write_str(const char *name, const char *text, mode_t mode);
/* DIR/name, kept until cleanup. */
const char *cfgtest_path(const char *name);

/* text with every "@DIR@" replaced by the run's directory; malloc'd. */
char *cfgtest_subst_dir(const char *text);

/* The 1-based line of the first occurrence of needle in text; 0 when absent. */
long cfgtest_line_of(const char *text, const char *needle);
/* text with the first occurrence of from replaced by to; malloc'd. */
char *cfgtest_replace(const char *text, const char *from, const char *to);

/* An ir_config_diag_fn that collects into a cfgtest_problems. */
void cfgtest_collect(void *ctx, const char *file, long line, const char *msg);
/* Whether a collected problem is at line and contains needle. */
bool cfgtest_has(const cfgtest_problems *p, long line, const char *needle);
/* Prints the problems (to help when an assertion fails). */
void cfgtest_dump(const cfgtest_problems *p);

#endif
