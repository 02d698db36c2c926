/* hostca: a stand-in CA for the shell tests. It loads iotreg_hook.so with
 * dlopen, like a CA would, and publishes certificates from certgen batch
 * files; it also reads the journal back to check what landed.
 *   hostca loop CONFIG BATCH               one thread; prints "ok CERTID" after each success
 *   hostca race CONFIG THREADS SEED BATCH...  every certificate of the batches, THREADS at
 *                                          once, in an order shuffled by SEED (0: as given)
 *   hostca verify CONFIG TOTAL BATCH...    every certificate is journaled, TOTAL entries in all
 *   hostca verify-ids CONFIG FILE          every "ok CERTID" line of FILE is journaled
 *   hostca store CONFIG FILE [SUBCA]       stores one certificate (DER or PEM), naming SUBCA
 *                                          in the metadata; prints "rc N: MESSAGE"
 *   hostca test CONFIG                     iotreg_hook_test_connection; prints "rc N: MESSAGE" */
#include "autoconf.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/runtime.h"
#include "config/config.h"
#include "config/load.h"
#include "core/util.h"
#include "iotreg_hook.h"
#include "journal/journal.h"
#include "testcerts.h"

typedef int (*init_fn)(const char *, iotreg_hook **, char *, size_t);
typedef int (*store_fn)(iotreg_hook *, const unsigned char *, size_t, const iotreg_hook_metadata *,
                        char *, size_t);
typedef void (*fini_fn)(iotreg_hook *);

typedef struct host {
    void *dl;
    iotreg_hook *h;
    store_fn store;
    fini_fn fini;
} host;

typedef struct batch {
    const unsigned char **der;
    size_t *len;
    size_t n;
    unsigned char **blobs;
    size_t n_blobs;
} batch;

static int host_open(host *x, const char *config)
{
    char path[1024], errbuf[512];
    const char *top = getenv("top_builddir");
    init_fn init;

    snprintf(path, sizeof(path), "%s/hooks/.libs/iotreg_hook.so", top ? top : ".");
    x->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (x->dl == NULL) {
        fprintf(stderr, "hostca: %s\n", dlerror());
        return -1;
    }
    *(void **)&init = dlsym(x->dl, "iotreg_hook_init");
    *(void **)&x->store = dlsym(x->dl, "iotreg_hook_store_certificate");
    *(void **)&x->fini = dlsym(x->dl, "iotreg_hook_fini");
    if (init == NULL || x->store == NULL || x->fini == NULL ||
        init(config, &x->h, errbuf, sizeof(errbuf)) != IOTREG_HOOK_OK) {
        fprintf(stderr, "hostca: init: %s\n", errbuf);
        return -1;
    }
    return 0;
}

static void host_close(host *x)
{
    if (x->h != NULL)
        x->fini(x->h);
    if (x->dl != NULL)
        dlclose(x->dl);
}

static int batch_add(batch *b, const unsigned char *der, size_t len)
{
    const unsigned char **d = realloc(b->der, (b->n + 1) * sizeof(*d));
    size_t *l = d ? realloc(b->len, (b->n + 1) * sizeof(*l)) : NULL;

    if (d != NULL)
        b->der = d;
    if (l == NULL)
        return -1;
    b->len = l;
    b->der[b->n] = der;
    b->len[b->n++] = len;
    return 0;
}

static int batch_load(batch *b, const char *path)
{
    size_t len = 0, off = 0, dlen;
    const unsigned char *der;
    unsigned char *data = tc_read_file(path, &len);
    unsigned char **blobs = realloc(b->blobs, (b->n_blobs + 1) * sizeof(*blobs));
    int r;

    if (data == NULL || blobs == NULL) {
        free(data);
        return -1;
    }
    b->blobs = blobs;
    b->blobs[b->n_blobs++] = data;
    while ((r = tc_next_der(data, len, &off, &der, &dlen)) == 1)
        if (batch_add(b, der, dlen) != 0)
            return -1;
    return r;
}

static void batch_free(batch *b)
{
    size_t i;

    for (i = 0; i < b->n_blobs; i++)
        free(b->blobs[i]);
    free(b->blobs);
    free(b->der);
    free(b->len);
}

static int load_batches(batch *b, char **paths, int n)
{
    int i;

    memset(b, 0, sizeof(*b));
    for (i = 0; i < n; i++)
        if (batch_load(b, paths[i]) != 0) {
            fprintf(stderr, "hostca: cannot read batch %s\n", paths[i]);
            return -1;
        }
    return 0;
}

static int cmd_loop(const char *config, char *path)
{
    host x = {0};
    batch b;
    char errbuf[512], id[65];
    size_t i;
    int rc = load_batches(&b, &path, 1) || host_open(&x, config);

    for (i = 0; rc == 0 && i < b.n; i++) {
        if (x.store(x.h, b.der[i], b.len[i], NULL, errbuf, sizeof(errbuf)) < 0) {
            fprintf(stderr, "hostca: %s\n", errbuf);
            rc = 1;
            break;
        }
        ir_sha256_hex(b.der[i], b.len[i], id, NULL);
        printf("ok %s\n", id);
        fflush(stdout);
    }
    host_close(&x);
    batch_free(&b);
    return rc;
}

typedef struct racer {
    host *x;
    batch *b;
    size_t first, step;
    long ok, known, failed;
} racer;

static void *race_thread(void *p)
{
    racer *r = p;
    char errbuf[512];
    size_t i;
    int rc;

    for (i = r->first; i < r->b->n; i += r->step) {
        rc = r->x->store(r->x->h, r->b->der[i], r->b->len[i], NULL, errbuf, sizeof(errbuf));
        r->ok += rc == IOTREG_HOOK_OK;
        r->known += rc == IOTREG_HOOK_ALREADY_KNOWN;
        if (rc < 0 && r->failed++ < 5)
            fprintf(stderr, "hostca: %s\n", errbuf);
    }
    return NULL;
}

/* A deterministic shuffle, so that two processes meet in the middle. */
static void shuffle(batch *b, unsigned seed)
{
    const unsigned char *d;
    size_t i, k, l;

    for (i = b->n; seed != 0 && i > 1; i--) {
        k = (size_t)rand_r(&seed) % i;
        d = b->der[i - 1];
        b->der[i - 1] = b->der[k];
        b->der[k] = d;
        l = b->len[i - 1];
        b->len[i - 1] = b->len[k];
        b->len[k] = l;
    }
}

static int cmd_race(const char *config, int threads, unsigned seed, char **paths, int n)
{
    host x = {0};
    batch b;
    racer r[64];
    pthread_t th[64];
    long ok = 0, known = 0, failed = 0;
    int i;

    if (threads < 1 || threads > 64 || load_batches(&b, paths, n) != 0 || host_open(&x, config))
        return 1;
    shuffle(&b, seed);
    for (i = 0; i < threads; i++) {
        r[i] = (racer){.x = &x, .b = &b, .first = (size_t)i, .step = (size_t)threads};
        pthread_create(&th[i], NULL, race_thread, &r[i]);
    }
    for (i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        ok += r[i].ok;
        known += r[i].known;
        failed += r[i].failed;
    }
    printf("journaled %ld already-known %ld failed %ld\n", ok, known, failed);
    host_close(&x);
    batch_free(&b);
    return failed == 0 ? 0 : 1;
}

static ir_journal *open_journal(const char *config, ir_config **cfg)
{
    ir_journal *j = NULL;
    ir_err err = {0};

    if (ir_config_load(config, cfg, &err) != IR_OK ||
        ir_runtime_open_journal(*cfg, &j, &err) != IR_OK)
        fprintf(stderr, "hostca: %s\n", err.msg);
    return j;
}

static int64_t journal_total(ir_journal *j)
{
    ir_count_row *rows = NULL;
    size_t n = 0, i;
    int64_t total = 0;

    ir_journal_count(j, &rows, &n, NULL);
    for (i = 0; i < n; i++)
        total += rows[i].count;
    ir_count_rows_free(rows, n);
    return total;
}

static int has(ir_journal *j, const char *id)
{
    ir_journal_entry *e = NULL;
    int found = ir_journal_get(j, id, &e, NULL) == IR_OK;

    ir_journal_entry_free(e);
    return found;
}

static int cmd_verify(const char *config, long long total, char **paths, int n)
{
    ir_config *cfg = NULL;
    ir_journal *j = open_journal(config, &cfg);
    batch b;
    char id[65];
    long missing = 0;
    int64_t have;
    size_t i;

    if (j == NULL || load_batches(&b, paths, n) != 0)
        return 1;
    for (i = 0; i < b.n; i++) {
        ir_sha256_hex(b.der[i], b.len[i], id, NULL);
        missing += !has(j, id);
    }
    have = journal_total(j);
    printf("certificates %zu missing %ld entries %lld expected %lld\n", b.n, missing,
           (long long)have, total);
    batch_free(&b);
    ir_journal_close(j);
    ir_config_free(cfg);
    return missing == 0 && have == total ? 0 : 1;
}

static int cmd_verify_ids(const char *config, const char *path)
{
    ir_config *cfg = NULL;
    ir_journal *j = open_journal(config, &cfg);
    FILE *f = fopen(path, "r");
    char line[256];
    long seen = 0, missing = 0;

    if (j == NULL || f == NULL)
        return 1;
    /* Only complete lines count: the writer may have died in the middle of one. */
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "ok ", 3) == 0 && strlen(line) == 3 + 64 + 1) {
            line[3 + 64] = '\0';
            seen++;
            missing += !has(j, line + 3);
        }
    fclose(f);
    printf("reported %ld missing %ld\n", seen, missing);
    ir_journal_close(j);
    ir_config_free(cfg);
    return missing == 0 && seen > 0 ? 0 : 1;
}

/* One certificate, the way a CA that knows its issuing SubCA's name stores it. */
static int cmd_store(const char *config, const char *path, const char *subca)
{
    iotreg_hook_metadata meta = {.struct_size = sizeof(meta), .subca = subca};
    char errbuf[1024] = "";
    unsigned char *data;
    size_t len = 0;
    host x = {0};
    int rc;

    data = tc_read_file(path, &len);
    if (data == NULL) {
        fprintf(stderr, "hostca: cannot read %s\n", path);
        return 1;
    }
    if (host_open(&x, config) != 0) {
        free(data);
        host_close(&x);
        return 1;
    }
    rc = x.store(x.h, data, len, &meta, errbuf, sizeof(errbuf));
    printf("rc %d: %s\n", rc, errbuf);
    host_close(&x);
    free(data);
    return 0;
}

static int cmd_test(const char *config)
{
    int (*test)(iotreg_hook *, char *, size_t);
    char errbuf[1024] = "";
    host x = {0};

    if (host_open(&x, config) != 0) {
        host_close(&x);
        return 1;
    }
    *(void **)&test = dlsym(x.dl, "iotreg_hook_test_connection");
    if (test != NULL)
        printf("rc %d: %s\n", test(x.h, errbuf, sizeof(errbuf)), errbuf);
    host_close(&x);
    return test != NULL ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "loop") == 0)
        return cmd_loop(argv[2], argv[3]);
    if (argc >= 6 && strcmp(argv[1], "race") == 0)
        return cmd_race(argv[2], atoi(argv[3]), (unsigned)atoi(argv[4]), argv + 5, argc - 5);
    if (argc >= 5 && strcmp(argv[1], "verify") == 0)
        return cmd_verify(argv[2], atoll(argv[3]), argv + 4, argc - 4);
    if (argc == 4 && strcmp(argv[1], "verify-ids") == 0)
        return cmd_verify_ids(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "test") == 0)
        return cmd_test(argv[2]);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "store") == 0)
        return cmd_store(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
    fprintf(stderr, "usage: hostca loop|race|verify|verify-ids|store|test ... (see the source)\n");
    return 2;
}
