/* Unit tests of the journal's file modes: the configured mode reaches the
 * database, its -wal and -shm, and the spool whatever the umask; files this
 * process owns are given at least that mode, and nothing for others; a
 * spool file the draining user may not open is left in place, named in the
 * error with the fix, and taken in once its permissions allow. */
#include "autoconf.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/settings.h"
#include "config/config.h"
#include "config/load.h"
#include "journal/journal.h"
#include "journal/spool.h"
#include "jtest.h"
#include "testutil.h"

#define NOBODY 65534 /* who a drain runs as when the test runs as root */

static unsigned mode_of(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 01000000;
}

static void suffixed(char *out, size_t n, const char *path, const char *suffix)
{
    snprintf(out, n, "%s%s", path, suffix);
}

static ir_rc append_one(ir_spool *s, int n)
{
    unsigned char der[64];
    ir_enqueue_req r = {.der = der,
                        .der_len = sizeof(der),
                        .subca = "devices-eu",
                        .customer = "acme",
                        .source = IR_SOURCE_TAP};
    ir_err err = {0};
    ir_rc rc;

    fake_der(der, n);
    rc = ir_spool_append(s, &r, &err);
    if (rc != IR_OK)
        fprintf(stderr, "append: %s\n", err.msg);
    return rc;
}

/* Appends certificates first..first+count-1 to the spool of db. */
static ir_rc spool_some(const char *db, unsigned mode, int first, int count)
{
    ir_spool *s = NULL;
    ir_err err = {0};
    ir_rc rc = ir_spool_open(db, mode, &s, &err);
    int i;

    if (rc != IR_OK)
        fprintf(stderr, "spool: %s\n", err.msg);
    for (i = 0; rc == IR_OK && i < count; i++)
        rc = append_one(s, first + i);
    ir_spool_close(s);
    return rc;
}

static ir_journal *open_with_mode(const char *path, unsigned mode)
{
    ir_journal_opts conf = {.kind = IR_JOURNAL_KIND_SQLITE, .path = path, .mode = mode};
    ir_journal *j = NULL;
    ir_err err = {0};

    if (ir_journal_open(&conf, &j, &err) != IR_OK)
        fprintf(stderr, "open %s: %s\n", path, err.msg);
    return j;
}

/* Opens the journal at path with mode under umask mask, writes to it (so
 * that its WAL and shared memory exist) and checks all three files. */
static void check_journal_files(const char *path, unsigned mode, mode_t mask, unsigned want)
{
    char wal[300], shm[300];
    mode_t old = umask(mask);
    ir_journal *j = open_with_mode(path, mode);

    umask(old);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(ir_journal_check_writable(j, NULL), IR_OK);
    suffixed(wal, sizeof(wal), path, "-wal");
    suffixed(shm, sizeof(shm), path, "-shm");
    CU_ASSERT_EQUAL(mode_of(path), want);
    CU_ASSERT_EQUAL(mode_of(wal), want);
    CU_ASSERT_EQUAL(mode_of(shm), want);
    ir_journal_close(j);
}

static void test_journal_files_get_the_mode_whatever_the_umask(void)
{
    char path[256];

    new_path(path, sizeof(path));
    check_journal_files(path, 0660, 077, 0660); /* iotregd's unit: UMask=0077 */
    new_path(path, sizeof(path));
    check_journal_files(path, 0660, 022, 0660); /* a CA's usual umask */
    new_path(path, sizeof(path));
    check_journal_files(path, 0, 0, IR_JOURNAL_MODE_DEFAULT); /* SQLite's own: 0644 */
}

static void test_owned_journal_files_are_given_at_least_the_mode(void)
{
    char path[256];

    new_path(path, sizeof(path));
    check_journal_files(path, 0600, 022, 0600);
    check_journal_files(path, 0660, 022, 0660); /* the operator set the mode */
    /* A configuration without it (the other user's, say) leaves the group
     * what it has. */
    check_journal_files(path, 0, 022, 0660);
    /* Others lose what they had. */
    CU_ASSERT_EQUAL(chmod(path, 0666), 0);
    check_journal_files(path, 0660, 022, 0660);
}

static void test_spool_gets_the_mode_whatever_the_umask(void)
{
    char path[256], spool[300];
    mode_t old;

    new_path(path, sizeof(path));
    suffixed(spool, sizeof(spool), path, "-spool");
    old = umask(022);
    CU_ASSERT_EQUAL(spool_some(path, 0660, 1, 1), IR_OK);
    umask(old);
    CU_ASSERT_EQUAL(mode_of(spool), 0660);
    new_path(path, sizeof(path));
    suffixed(spool, sizeof(spool), path, "-spool");
    old = umask(0);
    CU_ASSERT_EQUAL(spool_some(path, 0, 1, 1), IR_OK);
    umask(old);
    CU_ASSERT_EQUAL(mode_of(spool), IR_JOURNAL_MODE_DEFAULT); /* was 0644 */
}

static void test_owned_spool_is_given_at_least_the_mode(void)
{
    char path[256], spool[300];
    FILE *f;

    new_path(path, sizeof(path));
    suffixed(spool, sizeof(spool), path, "-spool");
    f = fopen(spool, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
    CU_ASSERT_EQUAL(chmod(spool, 0644), 0);
    CU_ASSERT_EQUAL(spool_some(path, 0660, 1, 1), IR_OK);
    CU_ASSERT_EQUAL(mode_of(spool), 0660);
    CU_ASSERT_EQUAL(chmod(spool, 0606), 0);
    CU_ASSERT_EQUAL(spool_some(path, 0600, 2, 1), IR_OK);
    CU_ASSERT_EQUAL(mode_of(spool), 0600);
}

/* --- a drain that may not open a spool file ----------------------------- */

static size_t sunk;

static ir_rc counting_sink(void *ctx, const ir_enqueue_req *reqs, size_t n, ir_err *err)
{
    (void)ctx;
    (void)reqs;
    (void)err;
    sunk += n;
    return IR_OK;
}

/* The checks a drain that runs as another user makes, as an exit status:
 * 0 when the drain failed as expected, naming want_path and the fix, with
 * want_records drained. */
static int drain_checks(const char *db, const char *want_path, const char *want_prefix,
                        size_t want_records)
{
    ir_spool_drained d;
    ir_err err = {0};
    ir_rc rc = ir_spool_drain(db, 1000, counting_sink, NULL, &d, &err);

    if (rc != IR_ERR_PERMISSION)
        return 1;
    if (strstr(err.msg, want_path) == NULL || strstr(err.msg, "chmod 0660") == NULL ||
        strstr(err.msg, "chgrp ") == NULL || strstr(err.msg, "mode=\"0660\"") == NULL)
        return 2;
    if (want_prefix != NULL && strncmp(err.msg, want_prefix, strlen(want_prefix)) != 0)
        return 3;
    if (d.records != want_records || sunk != want_records)
        return 4;
    return 0;
}

/* Runs drain_checks in a child that, when the test runs as root, is nobody:
 * root opens any file. */
static int drain_as_other(const char *db, const char *want_path, const char *want_prefix,
                          size_t want_records)
{
    pid_t pid = fork();
    int status = 0;

    if (pid == 0) {
        if (geteuid() == 0 &&
            (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0))
            _exit(5);
        _exit(drain_checks(db, want_path, want_prefix, want_records));
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    if (WEXITSTATUS(status) != 0)
        fprintf(stderr, "the drain's check %d failed\n", WEXITSTATUS(status));
    return WEXITSTATUS(status);
}

/* Makes the spool of db a taken spool named suffix, with mode. */
static void take_as(const char *db, const char *suffix, unsigned mode, char *out, size_t n)
{
    char spool[300];

    suffixed(spool, sizeof(spool), db, "-spool");
    snprintf(out, n, "%s.taken-%s", spool, suffix);
    CU_ASSERT_EQUAL(rename(spool, out), 0);
    CU_ASSERT_EQUAL(chmod(out, mode), 0);
}

static void test_a_taken_file_the_drain_may_not_open_waits_with_the_fix(void)
{
    char dir[300], db[320], spool[340], locked[400], open_one[400];
    ir_spool_drained d;

    snprintf(dir, sizeof(dir), "%s/shared", jtest_dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0777), 0);
    CU_ASSERT_EQUAL(chmod(dir, 0777), 0); /* the other user renames and removes here */
    CU_ASSERT_EQUAL(chmod(jtest_dir, 0711), 0);
    snprintf(db, sizeof(db), "%s/j.db", dir);
    CU_ASSERT_EQUAL(spool_some(db, 0660, 1, 3), IR_OK);
    take_as(db, "1-1-1", 0, locked, sizeof(locked)); /* no one but root opens it */
    CU_ASSERT_EQUAL(spool_some(db, 0660, 10, 2), IR_OK);
    take_as(db, "1-1-2", 0666, open_one, sizeof(open_one));
    CU_ASSERT_EQUAL(spool_some(db, 0660, 20, 1), IR_OK);
    suffixed(spool, sizeof(spool), db, "-spool");
    CU_ASSERT_EQUAL(chmod(spool, 0666), 0);
    /* The other files are drained (2 + 1), the one it may not open stays. */
    CU_ASSERT_EQUAL(drain_as_other(db, locked, NULL, 3), 0);
    CU_ASSERT_EQUAL(access(locked, F_OK), 0);
    CU_ASSERT_EQUAL(mode_of(locked), 0);
    CU_ASSERT_NOT_EQUAL(access(open_one, F_OK), 0);
    /* Every drain says it again; and the file is still there. */
    CU_ASSERT_EQUAL(drain_as_other(db, locked, NULL, 0), 0);
    CU_ASSERT_EQUAL(access(locked, F_OK), 0);
    /* Two such files: both stay, and the message says there are two. */
    CU_ASSERT_EQUAL(spool_some(db, 0660, 30, 1), IR_OK);
    take_as(db, "1-1-3", 0, open_one, sizeof(open_one));
    CU_ASSERT_EQUAL(drain_as_other(db, "taken-1-1-", "2 taken spools were left", 0), 0);
    CU_ASSERT_EQUAL(access(open_one, F_OK), 0);
    /* Once its permissions allow, the next drain takes it in. */
    CU_ASSERT_EQUAL(chmod(locked, 0666), 0);
    CU_ASSERT_EQUAL(chmod(open_one, 0666), 0);
    CU_ASSERT_EQUAL(ir_spool_drain(db, 1000, counting_sink, NULL, &d, NULL), IR_OK);
    CU_ASSERT_EQUAL(d.records, 4);
    CU_ASSERT_NOT_EQUAL(access(locked, F_OK), 0);
    CU_ASSERT_NOT_EQUAL(access(open_one, F_OK), 0);
}

/* --- the configuration -------------------------------------------------- */

/* Loads a configuration whose <journal> holds journal_xml. */
static ir_rc load_journal(const char *journal_xml, ir_config **cfg, ir_err *err)
{
    char xml[300], pin[300], doc[1600];
    FILE *f;

    snprintf(xml, sizeof(xml), "%s/mode.xml", jtest_dir);
    snprintf(pin, sizeof(pin), "%s/user.pin", jtest_dir);
    if ((f = fopen(pin, "w")) == NULL)
        return IR_ERR_IO;
    fputs("1234\n", f);
    fclose(f);
    chmod(pin, 0600);
    snprintf(doc, sizeof(doc),
             "<?xml version=\"1.0\"?>\n<iotreg xmlns=\"urn:iotreg:config:1\" version=\"1\">\n"
             "<keystore><pin-file>%s</pin-file></keystore>\n"
             "<journal>%s</journal>\n</iotreg>\n",
             pin, journal_xml);
    if ((f = fopen(xml, "w")) == NULL)
        return IR_ERR_IO;
    fputs(doc, f);
    fclose(f);
    return ir_config_load(xml, cfg, err);
}

static ir_rc load_with_mode(const char *mode_attr, ir_config **cfg, ir_err *err)
{
    char journal[600];

    snprintf(journal, sizeof(journal), "<sqlite path=\"%s/j.db\" %s/>", jtest_dir, mode_attr);
    return load_journal(journal, cfg, err);
}

static void check_mode_attr(const char *attr, ir_rc want_rc, unsigned want_mode)
{
    ir_config *cfg = NULL;
    ir_journal_opts opts;
    ir_err err = {0};

    CU_ASSERT_EQUAL(load_with_mode(attr, &cfg, &err), want_rc);
    if (want_rc == IR_OK && cfg != NULL) {
        ir_journal_opts_from_config(cfg, &opts);
        CU_ASSERT_EQUAL(ir_journal_file_mode(&opts), want_mode);
    }
    if (want_rc != IR_OK)
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "mode"));
    ir_config_free(cfg);
}

static void test_the_configuration_names_the_mode(void)
{
    check_mode_attr("", IR_OK, 0600);
    check_mode_attr("mode=\"0660\"", IR_OK, 0660);
    check_mode_attr("mode=\"660\"", IR_OK, 0660);
    check_mode_attr("mode=\"0600\"", IR_OK, 0600);
    check_mode_attr("mode=\"0666\"", IR_ERR_CONFIG, 0); /* never for others */
    check_mode_attr("mode=\"0644\"", IR_ERR_CONFIG, 0);
}

/* <postgresql> becomes the PostgreSQL backend's options: the spool is the
 * local path the element names. */
static void test_the_configuration_names_postgresql(void)
{
    char journal[800], want[300];
    ir_config *cfg = NULL;
    ir_journal_opts opts;
    ir_err err = {0};

    snprintf(journal, sizeof(journal),
             "<postgresql conninfo=\"postgresql://iotreg@db.example/iotreg\""
             " password-file=\"%s/pg.pw\" sslmode=\"verify-full\" ca-file=\"%s/ca.pem\""
             " spool=\"%s/journal\"/>",
             jtest_dir, jtest_dir, jtest_dir);
    CU_ASSERT_EQUAL_FATAL(load_journal(journal, &cfg, &err), IR_OK);
    ir_journal_opts_from_config(cfg, &opts);
    CU_ASSERT_EQUAL(opts.kind, IR_JOURNAL_KIND_POSTGRES);
    CU_ASSERT_STRING_EQUAL(opts.conninfo, "postgresql://iotreg@db.example/iotreg");
    snprintf(want, sizeof(want), "%s/pg.pw", jtest_dir);
    CU_ASSERT_STRING_EQUAL(opts.password_file, want);
    CU_ASSERT_STRING_EQUAL(opts.sslmode, "verify-full");
    snprintf(want, sizeof(want), "%s/ca.pem", jtest_dir);
    CU_ASSERT_STRING_EQUAL(opts.ca_file, want);
    snprintf(want, sizeof(want), "%s/journal", jtest_dir);
    CU_ASSERT_STRING_EQUAL(opts.path, want);
    ir_config_free(cfg);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_journal_files_get_the_mode_whatever_the_umask),
        IR_TEST(test_owned_journal_files_are_given_at_least_the_mode),
        IR_TEST(test_spool_gets_the_mode_whatever_the_umask),
        IR_TEST(test_owned_spool_is_given_at_least_the_mode),
        IR_TEST(test_a_taken_file_the_drain_may_not_open_waits_with_the_fix),
        IR_TEST(test_the_configuration_names_the_mode),
        IR_TEST(test_the_configuration_names_postgresql),
        {NULL, NULL},
    };

    return ir_test_run("modes", cases, jtest_setup, jtest_teardown);
}
