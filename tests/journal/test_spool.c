/* Unit tests of the journal's spool: records round-trip into the journal
 * with their capture time; damaged and torn records are skipped and the rest
 * kept; a drain that fails leaves the spool; a drain repeated after a crash
 * duplicates nothing; concurrent writers (processes, threads) and drains
 * lose nothing; an append that returned survives SIGKILL. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "journal/journal.h"
#include "journal/spool.h"
#include "jtest.h"
#include "testutil.h"

static ir_enqueue_req request(const unsigned char *der, const char *customer)
{
    ir_enqueue_req r = {.der = der,
                        .der_len = 64,
                        .subca = "devices-eu",
                        .customer = customer,
                        .unattributed_reason = customer ? NULL : "no rule matched",
                        .source = IR_SOURCE_TAP,
                        .end_entity = "ee-7"};
    return r;
}

static ir_rc append(ir_spool *s, int n, const char *customer, int64_t captured_ms)
{
    unsigned char der[64];
    ir_enqueue_req r = request(der, customer);
    ir_err err = {0};
    ir_rc rc;

    fake_der(der, n);
    r.captured_ms = captured_ms;
    rc = ir_spool_append(s, &r, &err);
    if (rc != IR_OK)
        fprintf(stderr, "append: %s\n", err.msg);
    return rc;
}

static void id_of(int n, char id[65])
{
    unsigned char der[64];

    fake_der(der, n);
    ir_sha256_hex(der, sizeof(der), id, NULL);
}

/* Bytes waiting for the journal: the spool and the spools drains took. */
static long pending_bytes(const char *db)
{
    char pattern[300];
    struct stat st;
    glob_t g;
    long total = 0;
    size_t i;

    snprintf(pattern, sizeof(pattern), "%s-spool*", db);
    if (glob(pattern, 0, NULL, &g) != 0)
        return 0;
    for (i = 0; i < g.gl_pathc; i++)
        if (stat(g.gl_pathv[i], &st) == 0)
            total += (long)st.st_size;
    globfree(&g);
    return total;
}

static int64_t total_entries(ir_journal *j)
{
    ir_count_row *rows = NULL;
    size_t n = 0, i;
    int64_t total = 0;

    CU_ASSERT_EQUAL_FATAL(ir_journal_count(j, &rows, &n, NULL), IR_OK);
    for (i = 0; i < n; i++)
        total += rows[i].count;
    ir_count_rows_free(rows, n);
    return total;
}

static ir_spool *spool_at(const char *db)
{
    ir_spool *s = NULL;
    ir_err err = {0};

    if (ir_spool_open(db, 0, &s, &err) != IR_OK)
        fprintf(stderr, "spool: %s\n", err.msg);
    return s;
}

static void test_records_reach_the_journal_when_it_opens(void)
{
    char path[256], id[65];
    ir_spool *s;
    ir_journal *j;
    ir_journal_entry *e = NULL;

    new_path(path, sizeof(path));
    s = spool_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(append(s, 1, "acme", 1700000000123), IR_OK);
    CU_ASSERT_EQUAL(append(s, 2, NULL, 0), IR_OK);
    CU_ASSERT(pending_bytes(path) > 128);
    j = open_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(pending_bytes(path), 0);
    CU_ASSERT_EQUAL(total_entries(j), 2);
    id_of(1, id);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(e->customer, "acme");
    CU_ASSERT_STRING_EQUAL(e->subca, "devices-eu");
    CU_ASSERT_STRING_EQUAL(e->end_entity, "ee-7");
    CU_ASSERT_PTR_NULL(e->profile);
    CU_ASSERT_EQUAL(e->source, IR_SOURCE_TAP);
    CU_ASSERT_EQUAL(e->state, IR_STATE_PENDING);
    CU_ASSERT_EQUAL(e->created_ms, 1700000000123); /* the capture's time, not the drain's */
    CU_ASSERT_EQUAL_FATAL(e->n_history, 1);
    CU_ASSERT_EQUAL(e->history[0].at_ms, 1700000000123);
    ir_journal_entry_free(e);
    id_of(2, id);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_EQUAL(e->state, IR_STATE_UNATTRIBUTED);
    CU_ASSERT_PTR_NULL(e->customer);
    CU_ASSERT_STRING_EQUAL(e->unattributed_reason, "no rule matched");
    ir_journal_entry_free(e);
    /* Appending goes on after a drain, through the same open spool. */
    CU_ASSERT_EQUAL(append(s, 3, "acme", 0), IR_OK);
    CU_ASSERT_EQUAL(ir_journal_absorb_spool(j, NULL, NULL), IR_OK);
    CU_ASSERT_EQUAL(total_entries(j), 3);
    ir_journal_close(j);
    ir_spool_close(s);
}

static void test_bad_requests_are_refused_and_leave_nothing(void)
{
    char path[256];
    unsigned char der[64];
    ir_enqueue_req r = request(der, "acme");
    ir_err err = {0};
    ir_spool *s;

    new_path(path, sizeof(path));
    s = spool_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fake_der(der, 1);
    r.subca = NULL;
    CU_ASSERT_EQUAL(ir_spool_append(s, &r, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "SubCA"));
    r.subca = "devices-eu";
    r.der_len = 0;
    CU_ASSERT_EQUAL(ir_spool_append(s, &r, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL(pending_bytes(path), 0);
    ir_spool_close(s);
    snprintf(path, sizeof(path), "%s/no-such-dir/j.db", jtest_dir);
    CU_ASSERT_EQUAL(ir_spool_open(path, 0, &s, &err), IR_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no-such-dir/j.db-spool"));
}

static void write_bytes(const char *db, const void *p, size_t n)
{
    char sp[300];
    int fd;

    snprintf(sp, sizeof(sp), "%s-spool", db);
    fd = open(sp, O_WRONLY | O_APPEND);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, p, n), (ssize_t)n);
    close(fd);
}

/* The bytes of one record, as a writer leaves them. */
static size_t record_bytes(int n, unsigned char *out, size_t cap)
{
    char path[256], sp[300];
    ir_spool *s;
    size_t len;
    FILE *f;

    new_path(path, sizeof(path));
    s = spool_at(path);
    append(s, n, "acme", 0);
    ir_spool_close(s);
    snprintf(sp, sizeof(sp), "%s-spool", path);
    f = fopen(sp, "rb");
    len = f != NULL ? fread(out, 1, cap, f) : 0;
    if (f != NULL)
        fclose(f);
    return len;
}

static void test_damaged_and_torn_records_are_skipped(void)
{
    char path[256], id[65];
    unsigned char rec[4096];
    size_t len = record_bytes(100, rec, sizeof(rec));
    ir_spool *s;
    ir_journal *j;
    ir_journal_entry *e = NULL;

    CU_ASSERT_FATAL(len > 64);
    new_path(path, sizeof(path));
    s = spool_at(path);
    CU_ASSERT_EQUAL(append(s, 1, "acme", 0), IR_OK);
    write_bytes(path, "garbage between records", 23);
    rec[len / 2] ^= 0x5a; /* a damaged copy of record 100 */
    write_bytes(path, rec, len);
    rec[len / 2] ^= 0x5a;
    CU_ASSERT_EQUAL(append(s, 2, "acme", 0), IR_OK);
    write_bytes(path, rec, len / 3); /* a torn write at the end */
    j = open_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(total_entries(j), 2);
    id_of(2, id);
    CU_ASSERT_EQUAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    ir_journal_entry_free(e);
    id_of(100, id);
    CU_ASSERT_EQUAL(ir_journal_get(j, id, &e, NULL), IR_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(pending_bytes(path), 0);
    ir_journal_close(j);
    ir_spool_close(s);
}

static ir_rc failing_sink(void *ctx, const ir_enqueue_req *reqs, size_t n, ir_err *err)
{
    (void)ctx;
    (void)reqs;
    (void)n;
    return ir_err_set(err, IR_ERR_IO, "the journal is full");
}

/* A drain that fails keeps every record for the next one, while writers go
 * on; records the journal holds already (a drain that crashed after its
 * commit) are taken once. */
static void test_failed_or_repeated_drains_lose_and_duplicate_nothing(void)
{
    char path[256], id[65];
    ir_spool_drained d;
    ir_err err = {0};
    ir_spool *s;
    ir_journal *j;
    ir_journal_entry *e = NULL;
    unsigned char der[64];
    ir_enqueue_req r = request(der, "acme");
    bool known = false;
    long before;

    new_path(path, sizeof(path));
    j = open_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    fake_der(der, 1);
    CU_ASSERT_EQUAL(ir_journal_enqueue(j, &r, &known, NULL), IR_OK);
    s = spool_at(path);
    CU_ASSERT_EQUAL(append(s, 1, "acme", 0), IR_OK);
    CU_ASSERT_EQUAL(append(s, 2, "acme", 0), IR_OK);
    before = pending_bytes(path);
    CU_ASSERT_EQUAL(ir_spool_drain(path, 1000, failing_sink, NULL, &d, &err), IR_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "the journal is full"));
    CU_ASSERT_EQUAL(pending_bytes(path), before);
    CU_ASSERT_EQUAL(append(s, 3, "acme", 0), IR_OK); /* into a new spool */
    CU_ASSERT(pending_bytes(path) > before);
    CU_ASSERT_EQUAL(ir_journal_absorb_spool(j, NULL, NULL), IR_OK);
    CU_ASSERT_EQUAL(pending_bytes(path), 0);
    CU_ASSERT_EQUAL(total_entries(j), 3);
    id_of(1, id);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_EQUAL(e->n_history, 1);
    ir_journal_entry_free(e);
    ir_journal_close(j);
    ir_spool_close(s);
}

/* A drain does not keep writers waiting while it hands records over: a
 * writer appending during the drain (here from inside the sink itself) gets
 * through at once, into a new spool the next drain takes. */
typedef struct appending_sink {
    ir_spool *spool;
    ir_rc rc;
    size_t seen;
} appending_sink;

static ir_rc sink_that_appends(void *p, const ir_enqueue_req *reqs, size_t n, ir_err *err)
{
    appending_sink *a = p;

    (void)reqs;
    (void)err;
    a->seen += n;
    a->rc = append(a->spool, 50, "acme", 0);
    return IR_OK;
}

static void test_writers_do_not_wait_for_a_drain(void)
{
    char path[256];
    appending_sink a = {0};
    ir_spool_drained d;
    ir_journal *j;

    new_path(path, sizeof(path));
    a.spool = spool_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a.spool);
    CU_ASSERT_EQUAL(append(a.spool, 1, "acme", 0), IR_OK);
    a.rc = IR_ERR_INTERNAL;
    CU_ASSERT_EQUAL(ir_spool_drain(path, 1000, sink_that_appends, &a, &d, NULL), IR_OK);
    CU_ASSERT_EQUAL(a.seen, 1);
    CU_ASSERT_EQUAL(a.rc, IR_OK);
    CU_ASSERT(pending_bytes(path) > 0); /* record 50, in the new spool */
    j = open_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(total_entries(j), 1);
    CU_ASSERT_EQUAL(pending_bytes(path), 0);
    ir_journal_close(j);
    ir_spool_close(a.spool);
}

/* Writers in other processes append while this one drains, again and
 * again: every record arrives exactly once. */
#define WRITERS    2
#define PER_WRITER 600

static void test_concurrent_writers_and_drains(void)
{
    char path[256];
    pid_t pids[WRITERS];
    int i, n, status, bad = 0;
    ir_journal *j;

    new_path(path, sizeof(path));
    j = open_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    for (i = 0; i < WRITERS; i++) {
        pids[i] = fork();
        CU_ASSERT_FATAL(pids[i] >= 0);
        if (pids[i] == 0) {
            ir_spool *s = spool_at(path);
            int rc = s != NULL ? 0 : 1;

            for (n = 0; rc == 0 && n < PER_WRITER; n++)
                rc = append(s, 1000 * (i + 1) + n, "acme", 0) == IR_OK ? 0 : 1;
            ir_spool_close(s);
            _exit(rc);
        }
    }
    for (i = 0; i < 50; i++) {
        CU_ASSERT_EQUAL(ir_journal_absorb_spool(j, NULL, NULL), IR_OK);
        ir_sleep_ms(5);
    }
    for (i = 0; i < WRITERS; i++) {
        waitpid(pids[i], &status, 0);
        bad += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(ir_journal_absorb_spool(j, NULL, NULL), IR_OK);
    CU_ASSERT_EQUAL(total_entries(j), WRITERS * PER_WRITER);
    ir_journal_close(j);
}

/* Threads of one CA process share one spool while another opener drains it
 * again and again: every record arrives exactly once. */
#define THREADS    8
#define PER_THREAD 150

typedef struct writer_arg {
    ir_spool *spool;
    int base;
    int failures;
} writer_arg;

static void *thread_writer(void *p)
{
    writer_arg *a = p;
    int n;

    for (n = 0; n < PER_THREAD; n++)
        a->failures += append(a->spool, a->base + n, "acme", 0) != IR_OK;
    return NULL;
}

static void test_threads_on_one_spool_while_draining(void)
{
    char path[256];
    pthread_t t[THREADS];
    writer_arg args[THREADS];
    ir_spool *s;
    ir_journal *j;
    int i, failures = 0;

    new_path(path, sizeof(path));
    s = spool_at(path);
    j = open_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    for (i = 0; i < THREADS; i++) {
        args[i] = (writer_arg){.spool = s, .base = 10000 * (i + 1)};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, thread_writer, &args[i]), 0);
    }
    /* While eight writers append back to back, a drain may find the spool
     * locked for its whole wait (flock favours no one, and a loaded machine
     * stretches every append): it then says so (IR_ERR_BUSY) and a later
     * round takes the records in, as the daemon's does. Nothing else may go
     * wrong, and nothing may be lost. */
    for (i = 0; i < 40; i++) {
        ir_err err = {0};
        ir_rc rc = ir_journal_absorb_spool(j, NULL, &err);

        if (rc != IR_OK && rc != IR_ERR_BUSY)
            fprintf(stderr, "absorb: %s\n", err.msg);
        CU_ASSERT(rc == IR_OK || rc == IR_ERR_BUSY);
        ir_sleep_ms(3);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        failures += args[i].failures;
    }
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT_EQUAL(ir_journal_absorb_spool(j, NULL, NULL), IR_OK);
    CU_ASSERT_EQUAL(total_entries(j), THREADS * PER_THREAD);
    ir_journal_close(j);
    ir_spool_close(s);
}

/* A writer killed at any moment: every append that returned is there. */
static void test_returned_appends_survive_sigkill(void)
{
    char path[256], id[65];
    int fds[2], last = -1, got, i, missing = 0;
    pid_t pid;
    ir_journal *j;

    new_path(path, sizeof(path));
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        ir_spool *s = spool_at(path);

        close(fds[0]);
        for (i = 0; s != NULL; i++)
            if (append(s, i, "acme", 0) == IR_OK && write(fds[1], &i, sizeof(i)) != sizeof(i))
                break;
        _exit(1);
    }
    close(fds[1]);
    while (last < 150 && read(fds[0], &got, sizeof(got)) == sizeof(got))
        last = got;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(fds[0]);
    j = open_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    for (i = 0; i <= last; i++) {
        ir_journal_entry *e = NULL;

        id_of(i, id);
        if (ir_journal_get(j, id, &e, NULL) != IR_OK)
            missing++;
        ir_journal_entry_free(e);
    }
    CU_ASSERT(last >= 150);
    CU_ASSERT_EQUAL(missing, 0);
    ir_journal_close(j);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_records_reach_the_journal_when_it_opens),
        IR_TEST(test_bad_requests_are_refused_and_leave_nothing),
        IR_TEST(test_damaged_and_torn_records_are_skipped),
        IR_TEST(test_failed_or_repeated_drains_lose_and_duplicate_nothing),
        IR_TEST(test_writers_do_not_wait_for_a_drain),
        IR_TEST(test_concurrent_writers_and_drains),
        IR_TEST(test_threads_on_one_spool_while_draining),
        IR_TEST(test_returned_appends_survive_sigkill),
        {NULL, NULL},
    };

    return ir_test_run(pg_conninfo() ? "spool (PostgreSQL)" : "spool", cases, jtest_setup,
                       jtest_teardown);
}
