/* bench/enqueue: how long a CA waits for iotreg_hook_store_certificate, the
 * whole capture path (parse, SubCA signature check, attribution, durable
 * enqueue: SQLite with WAL and synchronous=FULL, or PostgreSQL with
 * synchronous_commit on), from 1 thread, from 8 threads on one handle, and
 * from PROCS processes (one handle each) of 8 / PROCS threads; p50, p99 and
 * max latency and the throughput. Then the journal alone from 8 threads,
 * with how many transactions group commit needed.
 *
 *   bench/enqueue [-n COUNT] [-d DIR] [-p CONNINFO] [-P PROCS]
 *
 * Run from the build tree (it loads hooks/.libs/iotreg_hook.so, or the one
 * under $top_builddir). DIR (default: a new temporary directory, removed at
 * the end) gets the test PKI, the configuration and the SQLite journal: put
 * it on the file system the journal will live on. -p puts the journal on
 * the PostgreSQL server and database CONNINFO names (a libpq conninfo
 * without a password; the configuration's <postgresql conninfo>) instead.
 * PROCS (default 2) divides 8. */
#include "autoconf.h"

#include <dlfcn.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "iotreg_hook.h"
#include "journal/journal.h"
#include "testcerts.h"

#define MAX_THREADS 8

typedef int (*init_fn)(const char *, iotreg_hook **, char *, size_t);
typedef int (*store_fn)(iotreg_hook *, const unsigned char *, size_t, const iotreg_hook_metadata *,
                        char *, size_t);
typedef void (*fini_fn)(iotreg_hook *);

typedef struct certs {
    unsigned char **der;
    size_t *len;
    size_t n;
} certs;

typedef struct worker {
    store_fn store;
    iotreg_hook *h;
    ir_journal *journal; /* the journal-only run */
    const certs *c;
    size_t first, step;
    double *lat_us; /* one per certificate */
    int failed;
} worker;

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* n certificates of the test SubCA with serials from base. */
static int make_certs(const char *dir, size_t n, uint64_t base, certs *c)
{
    tc_ca ca;
    size_t i;
    int rc = 0;

    c->der = calloc(n, sizeof(*c->der));
    c->len = calloc(n, sizeof(*c->len));
    c->n = n;
    if (c->der == NULL || c->len == NULL || tc_ca_load(&ca, dir, "subca") != 0)
        return -1;
    for (i = 0; rc == 0 && i < n; i++)
        rc = tc_issue(&ca, i % 2 ? "Acme" : "Globex", "bench", base + i, &c->der[i], &c->len[i]);
    tc_ca_free(&ca);
    return rc;
}

static void free_certs(certs *c)
{
    size_t i;

    for (i = 0; c->der != NULL && i < c->n; i++)
        free(c->der[i]);
    free(c->der);
    free(c->len);
}

static void *store_thread(void *p)
{
    worker *w = p;
    char errbuf[256];
    double t0;
    size_t i;

    for (i = w->first; i < w->c->n; i += w->step) {
        t0 = now_us();
        if (w->store(w->h, w->c->der[i], w->c->len[i], NULL, errbuf, sizeof(errbuf)) < 0 &&
            w->failed++ == 0)
            fprintf(stderr, "bench: %s\n", errbuf);
        w->lat_us[i] = now_us() - t0;
    }
    return NULL;
}

static void *enqueue_thread(void *p)
{
    worker *w = p;
    ir_enqueue_req req = {.subca = TC_SUBCA_NAME, .customer = "acme", .source = IR_SOURCE_HOOK};
    bool known;
    double t0;
    size_t i;

    for (i = w->first; i < w->c->n; i += w->step) {
        req.der = w->c->der[i];
        req.der_len = w->c->len[i];
        t0 = now_us();
        w->failed += ir_journal_enqueue(w->journal, &req, &known, NULL) != IR_OK;
        w->lat_us[i] = now_us() - t0;
    }
    return NULL;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static const char *backend = "sqlite"; /* the first column of every line */

/* Runs fn from threads threads over the certificates first, first + stride,
 * ...: thread i starts at first + i. Returns the failures. */
static int run_threads(void *(*fn)(void *), const worker *proto, int threads, size_t first,
                       size_t stride, double *lat)
{
    pthread_t th[MAX_THREADS];
    worker w[MAX_THREADS];
    int i, failed = 0;

    for (i = 0; i < threads; i++) {
        w[i] = *proto;
        w[i].first = first + (size_t)i;
        w[i].step = stride;
        w[i].lat_us = lat;
        pthread_create(&th[i], NULL, fn, &w[i]);
    }
    for (i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        failed += w[i].failed;
    }
    return failed;
}

/* One line of figures: the n latencies in lat (sorted here), secs of wall. */
static int report(const char *label, const char *shape, double *lat, size_t n, double secs,
                  int failed)
{
    qsort(lat, n, sizeof(double), compare_double);
    printf("%-10s %-22s %-16s %6zu certs  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  %6.0f/s%s\n",
           backend, label, shape, n, lat[n / 2] / 1e3, lat[n * 99 / 100] / 1e3, lat[n - 1] / 1e3,
           (double)n / secs, failed ? "  FAILURES" : "");
    fflush(stdout);
    return failed ? -1 : 0;
}

/* Runs fn over the certificates from threads threads; prints the figures. */
static int run(const char *label, void *(*fn)(void *), worker *proto, int threads)
{
    size_t n = proto->c->n;
    double *lat = calloc(n, sizeof(double)), t0;
    char shape[32];
    int failed, rc;

    if (lat == NULL)
        return -1;
    t0 = now_us();
    failed = run_threads(fn, proto, threads, 0, (size_t)threads, lat);
    snprintf(shape, sizeof(shape), "%d thread%s", threads, threads > 1 ? "s" : "");
    rc = report(label, shape, lat, n, (now_us() - t0) / 1e6, failed);
    free(lat);
    return rc;
}

static void *open_hook(const char *config, iotreg_hook **h, store_fn *store, fini_fn *fini)
{
    char path[1024], errbuf[512];
    const char *top = getenv("top_builddir");
    void *dl;
    init_fn init;

    snprintf(path, sizeof(path), "%s/hooks/.libs/iotreg_hook.so", top ? top : ".");
    dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        fprintf(stderr, "bench: %s (run from the build tree or set top_builddir)\n", dlerror());
        return NULL;
    }
    *(void **)&init = dlsym(dl, "iotreg_hook_init");
    *(void **)store = dlsym(dl, "iotreg_hook_store_certificate");
    *(void **)fini = dlsym(dl, "iotreg_hook_fini");
    if (init == NULL || init(config, h, errbuf, sizeof(errbuf)) != IOTREG_HOOK_OK) {
        fprintf(stderr, "bench: %s\n", errbuf);
        dlclose(dl);
        return NULL;
    }
    return dl;
}

/* What the processes of run_procs share. */
typedef struct shared {
    int failed[MAX_THREADS];
    double end_us[MAX_THREADS]; /* when each finished its last certificate */
    double lat[];               /* one per certificate */
} shared;

/* Process i of procs: its own hook handle, threads threads, certificates
 * i * threads + k, stepping procs * threads. Starts when go is closed. */
static void proc_main(const char *config, const certs *c, int i, int procs, int threads, shared *sh,
                      int ready, int go)
{
    iotreg_hook *h = NULL;
    store_fn store = NULL;
    fini_fn fini = NULL;
    void *dl = open_hook(config, &h, &store, &fini);
    char byte = dl != NULL ? 'r' : 'x';

    if (write(ready, &byte, 1) != 1 || dl == NULL)
        _exit(1);
    while (read(go, &byte, 1) > 0)
        ;
    sh->failed[i] = run_threads(store_thread, &(worker){.store = store, .h = h, .c = c}, threads,
                                (size_t)(i * threads), (size_t)(procs * threads), sh->lat);
    sh->end_us[i] = now_us();
    fini(h);
    dlclose(dl);
    _exit(0);
}

/* The hook from procs processes at once, each with its own handle (as
 * several CA processes or hosts). Times from the moment every process has
 * its handle to the last certificate stored. */
static int run_procs(const char *config, const certs *c, int procs)
{
    size_t size = sizeof(shared) + c->n * sizeof(double);
    shared *sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int ready[2], go[2], i, started = 0, failed = 0, status, threads = MAX_THREADS / procs;
    char shape[32], byte;
    double t0, end = 0;
    pid_t pid[MAX_THREADS];

    if (sh == MAP_FAILED || pipe(ready) != 0 || pipe(go) != 0)
        return -1;
    fflush(stdout);
    for (i = 0; i < procs; i++) {
        pid[i] = fork();
        if (pid[i] == 0) {
            close(ready[0]);
            close(go[1]);
            proc_main(config, c, i, procs, threads, sh, ready[1], go[0]);
        }
    }
    close(ready[1]);
    close(go[0]);
    while (started < procs && read(ready[0], &byte, 1) == 1 && byte == 'r')
        started++;
    t0 = now_us();
    close(go[1]); /* go */
    for (i = 0; i < procs; i++) {
        if (pid[i] < 0 || waitpid(pid[i], &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            failed++;
        failed += sh->failed[i];
        end = sh->end_us[i] > end ? sh->end_us[i] : end;
    }
    close(ready[0]);
    snprintf(shape, sizeof(shape), "%d procs x %d thr", procs, threads);
    i = started == procs
            ? report("hook store_certificate", shape, sh->lat, c->n, (end - t0) / 1e6, failed)
            : -1;
    munmap(sh, size);
    return i;
}

/* Three hook runs (1 and 8 threads on one handle, procs processes), each
 * on certificates of its own. */
static int bench_hook(const char *dir, size_t n, int procs)
{
    char config[1024];
    certs one = {0}, eight = {0}, multi = {0};
    iotreg_hook *h = NULL;
    store_fn store = NULL;
    fini_fn fini = NULL;
    void *dl = NULL;
    int rc = -1;

    snprintf(config, sizeof(config), "%s/iotreg.xml", dir);
    if (make_certs(dir, n, 1000000, &one) == 0 && make_certs(dir, n, 2000000, &eight) == 0 &&
        make_certs(dir, n, 4000000, &multi) == 0)
        dl = open_hook(config, &h, &store, &fini);
    if (dl != NULL) {
        rc = run("hook store_certificate", store_thread,
                 &(worker){.store = store, .h = h, .c = &one}, 1);
        if (rc == 0)
            rc = run("hook store_certificate", store_thread,
                     &(worker){.store = store, .h = h, .c = &eight}, MAX_THREADS);
        fini(h);
        dlclose(dl);
        if (rc == 0)
            rc = run_procs(config, &multi, procs);
    }
    free_certs(&one);
    free_certs(&eight);
    free_certs(&multi);
    return rc;
}

static int bench_journal(const char *dir, size_t n, const char *conninfo)
{
    char path[1024];
    ir_journal_opts conf = {.kind = IR_JOURNAL_KIND_SQLITE, .path = path};
    ir_journal *j = NULL;
    ir_journal_stats st;
    certs c = {0};
    int rc;

    snprintf(path, sizeof(path), "%s/journal-only.db", dir);
    if (conninfo != NULL) {
        conf.kind = IR_JOURNAL_KIND_POSTGRES;
        conf.path = NULL;
        conf.conninfo = conninfo;
    }
    if (ir_journal_open(&conf, &j, NULL) != IR_OK || make_certs(dir, n, 3000000, &c) != 0) {
        ir_journal_close(j);
        free_certs(&c);
        return -1;
    }
    rc = run("journal enqueue only", enqueue_thread, &(worker){.journal = j, .c = &c}, MAX_THREADS);
    ir_journal_get_stats(j, &st);
    printf("%-10s group commit: %llu enqueues in %llu transactions (%.1f per commit)\n", backend,
           (unsigned long long)st.enqueues, (unsigned long long)st.transactions,
           st.transactions ? (double)st.enqueues / (double)st.transactions : 0.0);
    ir_journal_close(j);
    free_certs(&c);
    return rc;
}

/* Points dir/iotreg.xml's journal (tc_write_config's SQLite file) at the
 * PostgreSQL server conninfo names. */
static int use_postgresql(const char *dir, const char *conninfo)
{
    char path[1024], sqlite[1100], *xml, *at, *out;
    size_t len = 0, i, o = 0;
    int rc;

    snprintf(path, sizeof(path), "%s/iotreg.xml", dir);
    snprintf(sqlite, sizeof(sqlite), "<sqlite path=\"%s/journal.db\"/>", dir);
    xml = (char *)tc_read_file(path, &len);
    if (xml == NULL)
        return -1;
    xml[len] = '\0';
    at = strstr(xml, sqlite);
    out = malloc(len + 6 * strlen(conninfo) + 64);
    if (at == NULL || out == NULL) {
        free(xml);
        free(out);
        return -1;
    }
    o = (size_t)(at - xml);
    memcpy(out, xml, o);
    o += (size_t)sprintf(out + o, "<postgresql conninfo=\"");
    for (i = 0; conninfo[i] != '\0'; i++) {
        const char *esc = conninfo[i] == '&'   ? "&amp;"
                          : conninfo[i] == '"' ? "&quot;"
                          : conninfo[i] == '<' ? "&lt;"
                                               : NULL;
        if (esc != NULL)
            o += (size_t)sprintf(out + o, "%s", esc);
        else
            out[o++] = conninfo[i];
    }
    o += (size_t)sprintf(out + o, "\"/>%s", at + strlen(sqlite));
    rc = tc_write_file(path, out, o);
    free(xml);
    free(out);
    return rc;
}

int main(int argc, char **argv)
{
    char tmpl[256], cmd[600];
    const char *dir = NULL, *conninfo = NULL;
    size_t n = 2000;
    int opt, rc, procs = 2;

    while ((opt = getopt(argc, argv, "n:d:p:P:h")) != -1) {
        if (opt == 'n')
            n = strtoul(optarg, NULL, 10);
        else if (opt == 'd')
            dir = optarg;
        else if (opt == 'p')
            conninfo = optarg;
        else if (opt == 'P')
            procs = atoi(optarg);
        else {
            fprintf(stderr, "usage: bench/enqueue [-n COUNT] [-d DIR] [-p CONNINFO] [-P PROCS]\n");
            return 2;
        }
    }
    if (procs < 1 || procs > MAX_THREADS || MAX_THREADS % procs != 0) {
        fprintf(stderr, "bench: PROCS must divide %d\n", MAX_THREADS);
        return 2;
    }
    if (conninfo != NULL)
        backend = "postgresql";
    if (dir == NULL) {
        snprintf(tmpl, sizeof(tmpl), "%s/iotreg-bench-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        dir = mkdtemp(tmpl);
    }
    if (n < 100 || dir == NULL || tc_setup(dir) != 0 ||
        (conninfo != NULL && use_postgresql(dir, conninfo) != 0)) {
        fprintf(stderr, "bench: cannot set up %s (COUNT at least 100)\n",
                dir ? dir : "a directory");
        return 1;
    }
    rc = bench_hook(dir, n, procs);
    if (rc == 0)
        rc = bench_journal(dir, n, conninfo);
    if (dir == tmpl) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench: could not remove %s\n", dir);
    }
    return rc == 0 ? 0 : 1;
}
