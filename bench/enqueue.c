/* bench/enqueue: how long a CA waits for iotreg_hook_store_certificate, the
 * whole capture path (parse, SubCA signature check, attribution, durable
 * enqueue with WAL and synchronous=FULL), from 1 thread and from 8 threads;
 * p50, p99 and max latency and the throughput. Then the journal alone from 8
 * threads, with how many transactions group commit needed.
 *
 *   bench/enqueue [-n COUNT] [-d DIR]
 *
 * Run from the build tree (it loads hooks/.libs/iotreg_hook.so, or the one
 * under $top_builddir). DIR (default: a new temporary directory, removed at
 * the end) gets the test PKI, the configuration and the journal: put it on
 * the file system the journal will live on. */
#include "autoconf.h"

#include <dlfcn.h>
#include <pthread.h>
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

/* Runs fn over the certificates from threads threads; prints the figures. */
static int run(const char *label, void *(*fn)(void *), worker *proto, int threads)
{
    pthread_t th[MAX_THREADS];
    worker w[MAX_THREADS];
    size_t n = proto->c->n;
    double *lat = calloc(n, sizeof(double)), t0, secs;
    int i, failed = 0;

    if (lat == NULL)
        return -1;
    t0 = now_us();
    for (i = 0; i < threads; i++) {
        w[i] = *proto;
        w[i].first = (size_t)i;
        w[i].step = (size_t)threads;
        w[i].lat_us = lat;
        pthread_create(&th[i], NULL, fn, &w[i]);
    }
    for (i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        failed += w[i].failed;
    }
    secs = (now_us() - t0) / 1e6;
    qsort(lat, n, sizeof(double), compare_double);
    printf("%-28s %2d thread%s %6zu certs  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  %7.0f/s%s\n",
           label, threads, threads > 1 ? "s" : " ", n, lat[n / 2] / 1e3, lat[n * 99 / 100] / 1e3,
           lat[n - 1] / 1e3, (double)n / secs, failed ? "  FAILURES" : "");
    free(lat);
    return failed ? -1 : 0;
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

/* Two hook runs (1 and 8 threads, each on certificates of its own). */
static int bench_hook(const char *dir, size_t n)
{
    char config[1024];
    certs one = {0}, eight = {0};
    iotreg_hook *h = NULL;
    store_fn store = NULL;
    fini_fn fini = NULL;
    void *dl = NULL;
    int rc = -1;

    snprintf(config, sizeof(config), "%s/iotreg.xml", dir);
    if (make_certs(dir, n, 1000000, &one) == 0 && make_certs(dir, n, 2000000, &eight) == 0)
        dl = open_hook(config, &h, &store, &fini);
    if (dl != NULL) {
        rc = run("hook store_certificate", store_thread,
                 &(worker){.store = store, .h = h, .c = &one}, 1);
        if (rc == 0)
            rc = run("hook store_certificate", store_thread,
                     &(worker){.store = store, .h = h, .c = &eight}, MAX_THREADS);
        fini(h);
        dlclose(dl);
    }
    free_certs(&one);
    free_certs(&eight);
    return rc;
}

static int bench_journal(const char *dir, size_t n)
{
    char path[1024];
    ir_journal_opts conf = {.kind = IR_JOURNAL_KIND_SQLITE, .path = path};
    ir_journal *j = NULL;
    ir_journal_stats st;
    certs c = {0};
    int rc;

    snprintf(path, sizeof(path), "%s/journal-only.db", dir);
    if (ir_journal_open(&conf, &j, NULL) != IR_OK || make_certs(dir, n, 3000000, &c) != 0) {
        ir_journal_close(j);
        free_certs(&c);
        return -1;
    }
    rc = run("journal enqueue only", enqueue_thread, &(worker){.journal = j, .c = &c}, MAX_THREADS);
    ir_journal_get_stats(j, &st);
    printf("group commit: %llu enqueues in %llu transactions (%.1f per fsync)\n",
           (unsigned long long)st.enqueues, (unsigned long long)st.transactions,
           st.transactions ? (double)st.enqueues / (double)st.transactions : 0.0);
    ir_journal_close(j);
    free_certs(&c);
    return rc;
}

int main(int argc, char **argv)
{
    char tmpl[256], cmd[600];
    const char *dir = NULL;
    size_t n = 2000;
    int opt, rc;

    while ((opt = getopt(argc, argv, "n:d:h")) != -1) {
        if (opt == 'n')
            n = strtoul(optarg, NULL, 10);
        else if (opt == 'd')
            dir = optarg;
        else {
            fprintf(stderr, "usage: bench/enqueue [-n COUNT] [-d DIR]\n");
            return 2;
        }
    }
    if (dir == NULL) {
        snprintf(tmpl, sizeof(tmpl), "%s/iotreg-bench-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        dir = mkdtemp(tmpl);
    }
    if (n < 100 || dir == NULL || tc_setup(dir) != 0) {
        fprintf(stderr, "bench: cannot set up %s (COUNT at least 100)\n",
                dir ? dir : "a directory");
        return 1;
    }
    rc = bench_hook(dir, n);
    if (rc == 0)
        rc = bench_journal(dir, n);
    if (dir == tmpl) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench: could not remove %s\n", dir);
    }
    return rc == 0 ? 0 : 1;
}
