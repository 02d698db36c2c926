/* A private SoftHSM2 token for one C test: a mkdtemp directory with
 * softhsm2.conf (SOFTHSM2_CONF), a token directory, the PIN files and an
 * iotreg configuration naming them (IOTREG_CONF, which the provider reads).
 * The token is created through the keystore (C_InitToken, C_InitPIN). */
#ifndef IOTREG_TESTS_KSTEST_H
#define IOTREG_TESTS_KSTEST_H

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keystore/keystore.h"

#define KSTEST_MODULE   "/usr/lib/softhsm/libsofthsm2.so"
#define KSTEST_USER_PIN "246810"
#define KSTEST_SO_PIN   "13579"

typedef struct kstest {
    char dir[256];
    char pin_file[300];
    char config[300];
    ir_keystore *ks;
} kstest;

static inline int kstest_write(const char *path, mode_t mode, const char *text)
{
    FILE *f;

    umask(077);
    f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    fclose(f);
    return chmod(path, mode);
}

static inline int kstest_write_files(kstest *t)
{
    char path[400], text[2048];

    snprintf(path, sizeof(path), "%s/softhsm2.conf", t->dir);
    snprintf(text, sizeof(text),
             "directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n",
             t->dir);
    if (kstest_write(path, 0600, text) != 0)
        return -1;
    setenv("SOFTHSM2_CONF", path, 1);
    snprintf(t->pin_file, sizeof(t->pin_file), "%s/user.pin", t->dir);
    if (kstest_write(t->pin_file, 0600, KSTEST_USER_PIN "\n") != 0)
        return -1;
    snprintf(t->config, sizeof(t->config), "%s/iotreg.xml", t->dir);
    snprintf(text, sizeof(text),
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<iotreg xmlns=\"urn:iotreg:config:1\" version=\"1\">\n"
             "  <keystore><module>%s</module><token-label>iotreg</token-label>\n"
             "    <pin-file>%s</pin-file></keystore>\n"
             "  <journal><sqlite path=\"%s/journal.db\"/></journal>\n"
             "</iotreg>\n",
             KSTEST_MODULE, t->pin_file, t->dir);
    if (kstest_write(t->config, 0600, text) != 0)
        return -1;
    setenv("IOTREG_CONF", t->config, 1);
    return 0;
}

static inline ir_keystore_opts kstest_opts(const kstest *t)
{
    ir_keystore_opts o = {KSTEST_MODULE, "iotreg", t->pin_file, NULL, t->config};

    return o;
}

/* 0 ready (logged in when login), 77 when SoftHSM2 is not installed, 1 on
 * failure (printed). */
static inline int kstest_setup(kstest *t, bool login)
{
    char tokens[300];
    ir_keystore_opts o;
    ir_err err = {0};

    memset(t, 0, sizeof(*t));
    if (access(KSTEST_MODULE, R_OK) != 0) {
        printf("SKIP: SoftHSM2 (%s) is not installed\n", KSTEST_MODULE);
        return 77;
    }
    snprintf(t->dir, sizeof(t->dir), "%s/iotreg-kstest.XXXXXX",
             getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(t->dir) == NULL)
        return 1;
    snprintf(tokens, sizeof(tokens), "%s/tokens", t->dir);
    if (mkdir(tokens, 0700) != 0 || kstest_write_files(t) != 0)
        return 1;
    o = kstest_opts(t);
    if (ir_ks_token_create(&o, KSTEST_SO_PIN, KSTEST_USER_PIN, &err) != IR_OK ||
        ir_keystore_open(&o, &t->ks, &err) != IR_OK ||
        (login && ir_keystore_login(t->ks, NULL, NULL, &err) != IR_OK)) {
        printf("token setup failed: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static inline int kstest_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static inline void kstest_teardown(kstest *t)
{
    ir_keystore_close(t->ks);
    t->ks = NULL;
    if (t->dir[0] != '\0')
        nftw(t->dir, kstest_rm, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
