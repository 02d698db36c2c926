/* What the journal's unit tests share: a scratch directory with fresh
 * journal paths, opening a journal there, fake certificate bytes. */
#ifndef IOTREG_TESTS_JOURNAL_JTEST_H
#define IOTREG_TESTS_JOURNAL_JTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal/journal.h"

static char jtest_dir[] = "/tmp/iotreg-journal-XXXXXX";
static int jtest_counter;

/* A fresh journal file path in the test's directory. */
static inline void new_path(char *path, size_t n)
{
    snprintf(path, n, "%s/j%d.db", jtest_dir, ++jtest_counter);
}

static inline ir_journal *open_at(const char *path)
{
    ir_journal_opts conf = {.kind = IR_JOURNAL_KIND_SQLITE, .path = path};
    ir_journal *j = NULL;
    ir_err err = {0};

    if (ir_journal_open(&conf, &j, &err) != IR_OK)
        fprintf(stderr, "open %s: %s\n", path, err.msg);
    return j;
}

/* Fake certificate bytes: the journal does not parse, it keys by SHA-256. */
static inline void fake_der(unsigned char der[64], int n)
{
    memset(der, 0x30, 64);
    snprintf((char *)der + 1, 32, "certificate-%d", n);
}

static inline int jtest_setup(void)
{
    return mkdtemp(jtest_dir) == NULL;
}

static inline int jtest_teardown(void)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", jtest_dir);
    return system(cmd) == 0 ? 0 : 1;
}

#endif
