/* bench/claim: what one claim costs on a PostgreSQL journal as the queue
 * grows. For each SIZE a database of its own (iotreg_claim_SIZE) gets the
 * journal's schema (ir_journal_open creates it) and SIZE pending entries,
 * all due, spread over the customers, bulk-inserted with generate_series
 * straight into the entries table, and SIZE / 10 more of one customer
 * ("customer-waiting") whose entries all wait for a retry an hour later;
 * then VACUUM ANALYZE and a checkpoint. Then rounds: in each, on every
 * database in turn (so that load from other processes falls on all sizes
 * alike), one ir_journal_claim of MAX entries of any customer, one of
 * customer-1's and one of customer-waiting's, which finds nothing (iotregd
 * claims a share for every customer in turn, with or without due work); each claim is timed, and
 * its entries are then (untimed) given a retry due at once, as a worker whose AWS call failed
 * would: they leave the head of the queue for its tail, and SIZE entries stay queued and due.
 *
 *   bench/claim -c CONNINFO [-r ROUNDS] [-m MAX] [-C CUSTOMERS] [-k] [-I] SIZE...
 *
 * CONNINFO names the server and a role that may create databases, without
 * dbname ("host=/tmp/pg user=postgres"). -k keeps the databases (default:
 * dropped at the end). -I adds the index proposed_index below after the
 * fill. Prints p50, p99 and the mean per size and shape, and each size's p50
 * and p99 over the first size's.
 *
 * Every row is a valid pending entry: its DER is a real certificate of a
 * test SubCA with the serial number replaced by the row's number (the
 * signature no longer verifies; the journal never checks it), its cert_id
 * the SHA-256 of that DER, its step the first, a customer set. */
#include "autoconf.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "journal/journal.h"
#include "testcerts.h"

#define MAX_SIZES 4
#define SERIAL    0x1122334455667788ULL /* found again in the DER to be replaced */
#define LEASE_MS  60000
#define WARMUP    20
#define CONN_MAX  512
#define WORKER_ID "bench-claim"
#define N_SHAPES  3 /* any customer, one customer, a customer with nothing due */
#define WAITING   "customer-waiting"

typedef struct sample_set {
    double *us;
    size_t n;
} sample_set;

typedef struct size_run {
    long size;
    char conninfo[CONN_MAX];
    ir_journal *j;
    sample_set shape[N_SHAPES];
    long claimed;
} size_run;

static const char *const shape_name[N_SHAPES] = {"any customer", "one customer", "nothing due"};
static const char *const shape_customer[N_SHAPES] = {NULL, "customer-1", WAITING};
/* What -I adds: the index proposed for claims of one customer. */
static const char proposed_index[] =
    "CREATE INDEX entries_due_customer ON entries (customer, next_attempt_at, seq)"
    " WHERE state IN ('pending', 'revoke-pending')";

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static PGconn *connect_db(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);

    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "bench: cannot connect (%s): %s", conninfo, PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, quiet, NULL);
    return c;
}

static int exec_sql(PGconn *c, const char *sql, int n, const char *const *v, const int *len,
                    const int *fmt)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, v, len, fmt, 0);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

    if (!ok)
        fprintf(stderr, "bench: %.60s...: %s", sql, PQerrorMessage(c));
    PQclear(r);
    return ok ? 0 : -1;
}

/* A real certificate's DER, and where its 8 serial bytes are. */
static int template_cert(unsigned char **der, size_t *len, size_t *serial_at)
{
    static const unsigned char serial[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    tc_ca ca;
    size_t i;
    int rc = tc_ca_new(&ca, "iotreg bench SubCA");

    if (rc == 0)
        rc = tc_issue(&ca, "Acme", "bench-claim", SERIAL, der, len);
    tc_ca_free(&ca);
    for (i = 0; rc == 0 && i + sizeof(serial) <= *len; i++)
        if (memcmp(*der + i, serial, sizeof(serial)) == 0) {
            *serial_at = i;
            return 0;
        }
    return -1;
}

/* Creates the size's database afresh, opens the journal in it (which
 * creates the schema) and fills it. */
static int prepare(size_run *s, const char *base, int customers, int index,
                   const unsigned char *der, size_t der_len, size_t serial_at)
{
    char sql[2048], admin[CONN_MAX], nbuf[32], cbuf[16], obuf[16], tbuf[32];
    const char *v[5];
    int len[5] = {0}, fmt[5] = {0};
    ir_journal_opts o = {.kind = IR_JOURNAL_KIND_POSTGRES, .conninfo = s->conninfo};
    ir_err err = {0};
    PGconn *c;
    double t0 = now_us();
    int rc;

    snprintf(admin, sizeof(admin), "%s dbname=postgres", base);
    c = connect_db(admin);
    if (c == NULL)
        return -1;
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS iotreg_claim_%ld", s->size);
    rc = exec_sql(c, sql, 0, NULL, NULL, NULL);
    snprintf(sql, sizeof(sql), "CREATE DATABASE iotreg_claim_%ld", s->size);
    if (rc == 0)
        rc = exec_sql(c, sql, 0, NULL, NULL, NULL);
    PQfinish(c);
    if (rc != 0)
        return -1;
    if (ir_journal_open(&o, &s->j, &err) != IR_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return -1;
    }
    c = connect_db(s->conninfo);
    if (c == NULL)
        return -1;
    /* $1 the template DER, $2 rows, $3 customers, $4 where the serial's 8
     * bytes start (1-based), $5 now (ms). Row i is due at now - rows + i;
     * then the waiting customer's rows, numbered on, due an hour on. */
    snprintf(nbuf, sizeof(nbuf), "%ld", s->size);
    snprintf(cbuf, sizeof(cbuf), "%d", customers);
    snprintf(obuf, sizeof(obuf), "%zu", serial_at + 1);
    snprintf(tbuf, sizeof(tbuf), "%lld", (long long)wall_ms());
    v[0] = (const char *)der;
    len[0] = (int)der_len;
    fmt[0] = 1;
    v[1] = nbuf;
    v[2] = cbuf;
    v[3] = obuf;
    v[4] = tbuf;
    rc = exec_sql(c,
                  "INSERT INTO entries (cert_id, der, subca, customer, source, state, step,"
                  " next_attempt_at, created_at, updated_at)"
                  " SELECT encode(sha256(d), 'hex'), d, 'devices', 'customer-' || (i % $3::int),"
                  " 'import', 'pending', '" IR_STEP_FIRST "', $5::bigint - $2::bigint + i,"
                  " $5::bigint, $5::bigint"
                  " FROM (SELECT i, overlay($1::bytea PLACING int8send(i) FROM $4::int FOR 8) AS d"
                  " FROM generate_series(1, $2::bigint) AS i) AS rows",
                  5, v, len, fmt);
    if (rc == 0)
        rc = exec_sql(c,
                      "INSERT INTO entries (cert_id, der, subca, customer, source, state, step,"
                      " next_attempt_at, created_at, updated_at, attempts, last_error)"
                      " SELECT encode(sha256(d), 'hex'), d, 'devices', '" WAITING "', 'import',"
                      " 'pending', '" IR_STEP_FIRST "', $5::bigint + 3600000 + i, $5::bigint,"
                      " $5::bigint, 1, 'bench: waiting'"
                      " FROM (SELECT i, overlay($1::bytea PLACING int8send(i) FROM $4::int FOR 8)"
                      " AS d FROM generate_series($2::bigint + 1, $2::bigint * 11 / 10) AS i)"
                      " AS rows WHERE $3::int > 0", /* every parameter needs a type */
                      5, v, len, fmt);
    if (rc == 0 && index)
        rc = exec_sql(c, proposed_index, 0, NULL, NULL, NULL);
    if (rc == 0)
        rc = exec_sql(c, "VACUUM ANALYZE entries", 0, NULL, NULL, NULL);
    if (rc == 0)
        rc = exec_sql(c, "CHECKPOINT", 0, NULL, NULL, NULL);
    PQfinish(c);
    if (rc == 0)
        printf("filled %8ld due entries (%d customers) + %ld waiting in %6.1f s%s\n", s->size,
               customers, s->size / 10, (now_us() - t0) / 1e6, index ? ", with -I's index" : "");
    fflush(stdout);
    return rc;
}

/* One claim, timed; its entries then retried at once (untimed): to the tail. */
static int claim_once(size_run *s, size_t max, int shape, double *us)
{
    ir_claim_opts o = {
        .worker = WORKER_ID, .max = max, .lease_ms = LEASE_MS, .customer = shape_customer[shape]};
    size_t expect =
        shape_customer[shape] == NULL || strcmp(shape_customer[shape], WAITING) != 0 ? max : 0;
    ir_entry_list l = {0};
    ir_err err = {0};
    double t0 = now_us();
    size_t i;
    int rc = 0;

    if (ir_journal_claim(s->j, &o, &l, &err) != IR_OK) {
        fprintf(stderr, "bench: claim: %s\n", err.msg);
        return -1;
    }
    *us = now_us() - t0;
    if (l.n != expect) {
        fprintf(stderr, "bench: a claim of %zu (%s) returned %zu entries\n", max, shape_name[shape],
                l.n);
        rc = -1;
    }
    s->claimed += (long)l.n;
    for (i = 0; rc == 0 && i < l.n; i++)
        if (ir_journal_schedule_retry(s->j, l.items[i].cert_id, WORKER_ID, wall_ms(),
                                      "bench: retried later", &err) != IR_OK) {
            fprintf(stderr, "bench: retry: %s\n", err.msg);
            rc = -1;
        }
    ir_entry_list_free(&l);
    return rc;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void stats(sample_set *s, double *p50, double *p99, double *mean)
{
    double sum = 0;
    size_t i;

    qsort(s->us, s->n, sizeof(double), compare_double);
    for (i = 0; i < s->n; i++)
        sum += s->us[i];
    *p50 = s->us[s->n / 2] / 1e3;
    *p99 = s->us[s->n * 99 / 100] / 1e3;
    *mean = sum / (double)s->n / 1e3;
}

static void drop_db(const char *base, long size)
{
    char admin[CONN_MAX], sql[128];
    PGconn *c;

    snprintf(admin, sizeof(admin), "%s dbname=postgres", base);
    c = connect_db(admin);
    if (c == NULL)
        return;
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS iotreg_claim_%ld", size);
    exec_sql(c, sql, 0, NULL, NULL, NULL);
    PQfinish(c);
}

static int usage(void)
{
    fprintf(stderr, "usage: bench/claim -c CONNINFO [-r ROUNDS] [-m MAX] [-C CUSTOMERS] [-k] [-I] "
                    "SIZE...\n");
    return 2;
}

/* Rounds over every size and shape, in an order that turns each round. */
static int measure(size_run *runs, int n_sizes, long rounds, size_t max)
{
    long r;
    int k, sh, idx;
    double us;

    for (r = -WARMUP; r < rounds; r++)
        for (k = 0; k < n_sizes * N_SHAPES; k++) {
            idx = (int)((k + r + WARMUP) % (n_sizes * N_SHAPES));
            sh = idx % N_SHAPES;
            if (claim_once(&runs[idx / N_SHAPES], max, sh, &us) != 0)
                return -1;
            if (r >= 0)
                runs[idx / N_SHAPES].shape[sh].us[runs[idx / N_SHAPES].shape[sh].n++] = us;
        }
    return 0;
}

static void report(size_run *runs, int n_sizes, size_t max)
{
    double p50[MAX_SIZES][N_SHAPES], p99[MAX_SIZES][N_SHAPES], mean;
    int i, sh;

    for (i = 0; i < n_sizes; i++)
        for (sh = 0; sh < N_SHAPES; sh++) {
            stats(&runs[i].shape[sh], &p50[i][sh], &p99[i][sh], &mean);
            printf("claim %zu (%-12s) %8ld due  %5zu claims  p50 %7.2f ms  p99 %7.2f ms  mean "
                   "%7.2f ms\n",
                   max, shape_name[sh], runs[i].size, runs[i].shape[sh].n, p50[i][sh], p99[i][sh],
                   mean);
        }
    for (i = 1; i < n_sizes; i++)
        for (sh = 0; sh < N_SHAPES; sh++)
            printf("ratio %ld / %ld due (%-12s): p50 %.2f  p99 %.2f\n", runs[i].size, runs[0].size,
                   shape_name[sh], p50[i][sh] / p50[0][sh], p99[i][sh] / p99[0][sh]);
}

int main(int argc, char **argv)
{
    const char *base = NULL;
    long rounds = 500;
    size_t max = 10, serial_at = 0, der_len = 0;
    int opt, i, sh, customers = 2, keep = 0, index = 0, n_sizes, rc = 0;
    size_run runs[MAX_SIZES];
    unsigned char *der = NULL;

    while ((opt = getopt(argc, argv, "c:r:m:C:kIh")) != -1) {
        if (opt == 'c')
            base = optarg;
        else if (opt == 'r')
            rounds = strtol(optarg, NULL, 10);
        else if (opt == 'm')
            max = strtoul(optarg, NULL, 10);
        else if (opt == 'C')
            customers = atoi(optarg);
        else if (opt == 'k')
            keep = 1;
        else if (opt == 'I')
            index = 1;
        else
            return usage();
    }
    n_sizes = argc - optind;
    if (base == NULL || n_sizes < 1 || n_sizes > MAX_SIZES || rounds < 10 || max < 1 ||
        max > IR_JOURNAL_CLAIM_MAX || customers < 2)
        return usage();
    if (template_cert(&der, &der_len, &serial_at) != 0) {
        fprintf(stderr, "bench: cannot make the template certificate\n");
        return 1;
    }
    memset(runs, 0, sizeof(runs));
    for (i = 0; rc == 0 && i < n_sizes; i++) {
        runs[i].size = strtol(argv[optind + i], NULL, 10);
        snprintf(runs[i].conninfo, sizeof(runs[i].conninfo), "%s dbname=iotreg_claim_%ld", base,
                 runs[i].size);
        for (sh = 0; sh < N_SHAPES; sh++)
            runs[i].shape[sh].us = calloc((size_t)rounds, sizeof(double));
        if (runs[i].size < (long)max * 10)
            rc = usage();
        else
            rc = prepare(&runs[i], base, customers, index, der, der_len, serial_at);
    }
    if (rc == 0)
        rc = measure(runs, n_sizes, rounds, max);
    if (rc == 0)
        report(runs, n_sizes, max);
    for (i = 0; i < n_sizes; i++) {
        ir_journal_close(runs[i].j);
        if (!keep && runs[i].size > 0)
            drop_db(base, runs[i].size);
        for (sh = 0; sh < N_SHAPES; sh++)
            free(runs[i].shape[sh].us);
    }
    free(der);
    return rc == 0 ? 0 : 1;
}
