/* A stand-in CA for iotreg_hook.so: dlopens the module from the build tree
 * and drives its ABI the way a CA would (8 publishing threads, revocations,
 * bad input, bad configuration, reloading), checking the journal afterwards
 * and that the module never writes to standard output. */
#include "autoconf.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "core/util.h"
#include "iotreg_hook.h"
#include "journal/journal.h"
#include "testcerts.h"
#include "testutil.h"

typedef struct hook_api {
    void *dl;
    int (*abi_version)(void);
    int (*init)(const char *, iotreg_hook **, char *, size_t);
    int (*store)(iotreg_hook *, const unsigned char *, size_t, const iotreg_hook_metadata *, char *,
                 size_t);
    int (*revoke)(iotreg_hook *, const unsigned char *, size_t, int, int64_t, char *, size_t);
    int (*revoke_id)(iotreg_hook *, const char *, int, int64_t, char *, size_t);
    int (*test_connection)(iotreg_hook *, char *, size_t);
    void (*fini)(iotreg_hook *);
    const char *(*strerror)(int);
} hook_api;

static char dir[] = "/tmp/iotreg-hook-XXXXXX";
static char config_path[512];
static tc_ca subca, other, rogue;
static int stdout_fd = -1;
static char stdout_path[600];

/* --- the module ------------------------------------------------------------ */

static int load_api(hook_api *api)
{
    char path[1024];
    const char *top = getenv("top_builddir");

    memset(api, 0, sizeof(*api));
    snprintf(path, sizeof(path), "%s/hooks/.libs/iotreg_hook.so", top ? top : ".");
    api->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (api->dl == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return -1;
    }
    *(void **)&api->abi_version = dlsym(api->dl, "iotreg_hook_abi_version");
    *(void **)&api->init = dlsym(api->dl, "iotreg_hook_init");
    *(void **)&api->store = dlsym(api->dl, "iotreg_hook_store_certificate");
    *(void **)&api->revoke = dlsym(api->dl, "iotreg_hook_revoke");
    *(void **)&api->revoke_id = dlsym(api->dl, "iotreg_hook_revoke_id");
    *(void **)&api->test_connection = dlsym(api->dl, "iotreg_hook_test_connection");
    *(void **)&api->fini = dlsym(api->dl, "iotreg_hook_fini");
    *(void **)&api->strerror = dlsym(api->dl, "iotreg_hook_strerror");
    return api->abi_version && api->init && api->store && api->revoke && api->revoke_id &&
                   api->test_connection && api->fini && api->strerror
               ? 0
               : -1;
}

static void unload_api(hook_api *api)
{
    if (api->dl != NULL)
        dlclose(api->dl);
    api->dl = NULL;
}

/* Standard output goes to a file while the module runs; it must stay empty. */
static void stdout_capture_begin(void)
{
    int fd;

    fflush(stdout);
    snprintf(stdout_path, sizeof(stdout_path), "%s/stdout", dir);
    fd = open(stdout_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    stdout_fd = dup(1);
    dup2(fd, 1);
    close(fd);
}

static void stdout_capture_end(void)
{
    struct stat st;

    fflush(stdout);
    dup2(stdout_fd, 1);
    close(stdout_fd);
    CU_ASSERT_EQUAL(stat(stdout_path, &st), 0);
    CU_ASSERT_EQUAL(st.st_size, 0);
}

/* --- the journal, read directly -------------------------------------------- */

static ir_journal *journal_open(void)
{
    char path[600];
    ir_journal_opts conf = {.kind = IR_JOURNAL_KIND_SQLITE, .path = path};
    ir_journal *j = NULL;

    snprintf(path, sizeof(path), "%s/journal.db", dir);
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, NULL), IR_OK);
    return j;
}

static int64_t journal_total(void)
{
    ir_journal *j = journal_open();
    ir_count_row *rows = NULL;
    size_t n = 0, i;
    int64_t total = 0;

    if (j == NULL)
        return -1;
    ir_journal_count(j, &rows, &n, NULL);
    for (i = 0; i < n; i++)
        total += rows[i].count;
    ir_count_rows_free(rows, n);
    ir_journal_close(j);
    return total;
}

static void cert_id(const unsigned char *der, size_t len, char id[65])
{
    ir_sha256_hex(der, len, id, NULL);
}

/* --- tests ----------------------------------------------------------------- */

static void test_abi_version_and_reload(void)
{
    hook_api api;
    iotreg_hook *h = NULL;
    unsigned char *der = NULL;
    size_t len;
    char errbuf[512];
    int round;

    for (round = 0; round < 2; round++) {
        CU_ASSERT_EQUAL_FATAL(load_api(&api), 0);
        CU_ASSERT_EQUAL(api.abi_version(), IOTREG_HOOK_ABI_VERSION);
        stdout_capture_begin();
        CU_ASSERT_EQUAL(api.init(config_path, &h, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
        tc_issue(&subca, "Acme", "reload", 900 + round, &der, &len);
        CU_ASSERT_EQUAL(api.store(h, der, len, NULL, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
        CU_ASSERT_EQUAL(api.test_connection(h, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
        api.fini(h);
        stdout_capture_end();
        free(der);
        unload_api(&api);
    }
    CU_ASSERT_EQUAL(journal_total(), 2);
}

/* A copy of the test configuration whose journal is journal_rel in the test directory. */
static int write_config_with_journal(const char *path, const char *journal_rel)
{
    size_t len = 0;
    char *xml = (char *)tc_read_file(config_path, &len), *at, out[8192];
    int n;

    if (xml == NULL)
        return -1;
    xml[len] = '\0';
    at = strstr(xml, "/journal.db");
    if (at == NULL) {
        free(xml);
        return -1;
    }
    n = snprintf(out, sizeof(out), "%.*s/%s%s", (int)(at - xml), xml, journal_rel,
                 at + strlen("/journal.db"));
    free(xml);
    return n > 0 && (size_t)n < sizeof(out) ? tc_write_file(path, out, (size_t)n) : -1;
}

static void test_bad_config_is_an_error_not_a_crash(void)
{
    char path[600], errbuf[512];
    hook_api api;
    iotreg_hook *h = (iotreg_hook *)&api;

    CU_ASSERT_EQUAL_FATAL(load_api(&api), 0);
    stdout_capture_begin();
    snprintf(path, sizeof(path), "%s/missing.xml", dir);
    CU_ASSERT_EQUAL(api.init(path, &h, errbuf, sizeof(errbuf)), IOTREG_HOOK_ECONFIG);
    CU_ASSERT_PTR_NULL(h);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "missing.xml"));
    snprintf(path, sizeof(path), "%s/bad.xml", dir);
    tc_write_file(path, "<iotreg xmlns=\"urn:iotreg:config:1\" version=\"1\"><journal/></iotreg>",
                  66);
    CU_ASSERT_EQUAL(api.init(path, &h, errbuf, sizeof(errbuf)), IOTREG_HOOK_ECONFIG);
    CU_ASSERT(strlen(errbuf) > 0);
    CU_ASSERT_EQUAL(api.init(path, NULL, errbuf, sizeof(errbuf)), IOTREG_HOOK_EINVAL);
    CU_ASSERT_EQUAL(api.store(NULL, (const unsigned char *)"x", 1, NULL, errbuf, sizeof(errbuf)),
                    IOTREG_HOOK_EINVAL);
    CU_ASSERT_EQUAL(api.init(path, &h, NULL, 0), IOTREG_HOOK_ECONFIG);
    snprintf(path, sizeof(path), "%s/no-journal-dir.xml", dir);
    CU_ASSERT_EQUAL_FATAL(write_config_with_journal(path, "no-such-dir/journal.db"), 0);
    CU_ASSERT_EQUAL(api.init(path, &h, errbuf, sizeof(errbuf)), IOTREG_HOOK_EJOURNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "directory exists"));
    stdout_capture_end();
    CU_ASSERT_STRING_EQUAL(api.strerror(IOTREG_HOOK_EJOURNAL), "journal unavailable");
    unload_api(&api);
}

#define THREADS    8
#define PER_THREAD 200

static const char *const orgs[] = {"Acme", "Globex", "Nobody"};
static const char *const customers[] = {"acme", "globex", NULL};

typedef struct publisher {
    hook_api *api;
    iotreg_hook *h;
    int t;
    unsigned char *der[PER_THREAD];
    size_t len[PER_THREAD];
    int ok, failed, known;
} publisher;

static void *publish_thread(void *p)
{
    publisher *pub = p;
    char errbuf[256];
    int i, rc;

    for (i = 0; i < PER_THREAD; i++) {
        rc = pub->api->store(pub->h, pub->der[i], pub->len[i], NULL, errbuf, sizeof(errbuf));
        pub->ok += rc == IOTREG_HOOK_OK;
        pub->failed += rc < 0;
        if (rc < 0)
            fprintf(stderr, "thread %d: %s\n", pub->t, errbuf);
    }
    /* Once more: every certificate is known now. */
    for (i = 0; i < PER_THREAD; i += 50)
        pub->known += pub->api->store(pub->h, pub->der[i], pub->len[i], NULL, errbuf,
                                      sizeof(errbuf)) == IOTREG_HOOK_ALREADY_KNOWN;
    return NULL;
}

static void check_landed(ir_journal *j, publisher *pubs)
{
    ir_journal_entry *e;
    char id[65];
    int t, i, wrong = 0, missing = 0;
    const char *want;

    for (t = 0; t < THREADS; t++)
        for (i = 0; i < PER_THREAD; i++) {
            cert_id(pubs[t].der[i], pubs[t].len[i], id);
            if (ir_journal_get(j, id, &e, NULL) != IR_OK) {
                missing++;
                continue;
            }
            want = customers[(t + i) % 3];
            if (want ? !e->customer || strcmp(e->customer, want) : e->customer != NULL)
                wrong++;
            if (e->source != IR_SOURCE_HOOK || e->n_history != 1)
                wrong++;
            ir_journal_entry_free(e);
        }
    CU_ASSERT_EQUAL(missing, 0);
    CU_ASSERT_EQUAL(wrong, 0);
}

static void test_eight_threads_publish_each_once(void)
{
    static publisher pubs[THREADS];
    pthread_t th[THREADS];
    hook_api api;
    iotreg_hook *h = NULL;
    ir_journal *j;
    int64_t before = journal_total();
    int t, i, ok = 0, failed = 0, known = 0;

    CU_ASSERT_EQUAL_FATAL(load_api(&api), 0);
    for (t = 0; t < THREADS; t++) {
        pubs[t] = (publisher){.api = &api, .t = t};
        for (i = 0; i < PER_THREAD; i++)
            tc_issue(&subca, orgs[(t + i) % 3], "threaded", 10000 + t * PER_THREAD + i,
                     &pubs[t].der[i], &pubs[t].len[i]);
    }
    stdout_capture_begin();
    CU_ASSERT_EQUAL_FATAL(api.init(config_path, &h, NULL, 0), IOTREG_HOOK_OK);
    for (t = 0; t < THREADS; t++) {
        pubs[t].h = h;
        pthread_create(&th[t], NULL, publish_thread, &pubs[t]);
    }
    for (t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        ok += pubs[t].ok;
        failed += pubs[t].failed;
        known += pubs[t].known;
    }
    api.fini(h);
    stdout_capture_end();
    unload_api(&api);
    CU_ASSERT_EQUAL(ok, THREADS * PER_THREAD);
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT_EQUAL(known, THREADS * PER_THREAD / 50);
    CU_ASSERT_EQUAL(journal_total(), before + THREADS * PER_THREAD);
    j = journal_open();
    check_landed(j, pubs);
    ir_journal_close(j);
    for (t = 0; t < THREADS; t++)
        for (i = 0; i < PER_THREAD; i++)
            free(pubs[t].der[i]);
}

#define OWN_HANDLE_CERTS 20

static void *own_handle_thread(void *p)
{
    publisher *pub = p;
    iotreg_hook *h = NULL;
    char errbuf[256];
    int i;

    if (pub->api->init(config_path, &h, errbuf, sizeof(errbuf)) != IOTREG_HOOK_OK) {
        pub->failed = OWN_HANDLE_CERTS;
        return NULL;
    }
    for (i = 0; i < OWN_HANDLE_CERTS; i++)
        pub->ok += pub->api->store(h, pub->der[i], pub->len[i], NULL, errbuf, sizeof(errbuf)) ==
                   IOTREG_HOOK_OK;
    pub->api->fini(h);
    return NULL;
}

/* Eight threads, each with a handle of its own: eight connection pools
 * writing to one journal, as eight CA processes would. */
static void test_eight_handles_at_once(void)
{
    static publisher pubs[THREADS];
    pthread_t th[THREADS];
    hook_api api;
    int64_t before = journal_total();
    int t, i, ok = 0, failed = 0;

    CU_ASSERT_EQUAL_FATAL(load_api(&api), 0);
    for (t = 0; t < THREADS; t++) {
        pubs[t] = (publisher){.api = &api, .t = t};
        for (i = 0; i < OWN_HANDLE_CERTS; i++)
            tc_issue(&subca, "Acme", "own-handle", 40000 + t * OWN_HANDLE_CERTS + i,
                     &pubs[t].der[i], &pubs[t].len[i]);
    }
    stdout_capture_begin();
    for (t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, own_handle_thread, &pubs[t]);
    for (t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        ok += pubs[t].ok;
        failed += pubs[t].failed;
    }
    stdout_capture_end();
    unload_api(&api);
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT_EQUAL(ok, THREADS * OWN_HANDLE_CERTS);
    CU_ASSERT_EQUAL(journal_total(), before + THREADS * OWN_HANDLE_CERTS);
    for (t = 0; t < THREADS; t++)
        for (i = 0; i < OWN_HANDLE_CERTS; i++)
            free(pubs[t].der[i]);
}

/* A PEM text of the given DER certificates. */
static size_t pem_of(unsigned char **ders, size_t *lens, int n, char *out, size_t cap)
{
    size_t used = 0;
    int i;
    BIO *b = BIO_new(BIO_s_mem());
    const unsigned char *p;
    X509 *x;

    for (i = 0; i < n; i++) {
        p = ders[i];
        x = d2i_X509(NULL, &p, (long)lens[i]);
        PEM_write_bio_X509(b, x);
        X509_free(x);
    }
    used = (size_t)BIO_read(b, out, (int)cap - 1);
    out[used] = '\0';
    BIO_free(b);
    return used;
}

static void test_bad_input_is_refused_and_not_journaled(void)
{
    hook_api api;
    iotreg_hook *h = NULL;
    unsigned char *good = NULL, *foreign = NULL, *forged = NULL, *bigger;
    unsigned char *pair[2];
    size_t glen, flen, rlen, lens[2];
    char errbuf[512], pem[8192];
    int64_t before = journal_total();

    tc_issue(&subca, "Acme", "bad-input", 500, &good, &glen);
    tc_issue(&other, "Acme", "foreign", 501, &foreign, &flen);
    tc_issue(&rogue, "Acme", "forged", 502, &forged, &rlen);
    CU_ASSERT_EQUAL_FATAL(load_api(&api), 0);
    stdout_capture_begin();
    CU_ASSERT_EQUAL_FATAL(api.init(config_path, &h, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    CU_ASSERT_EQUAL(api.store(h, (const unsigned char *)"hello", 5, NULL, errbuf, sizeof(errbuf)),
                    IOTREG_HOOK_ENOTCERT);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "not a certificate"));
    CU_ASSERT_EQUAL(api.store(h, good, glen - 10, NULL, errbuf, sizeof(errbuf)),
                    IOTREG_HOOK_ENOTCERT);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "truncated"));
    bigger = malloc(glen + 3);
    memcpy(bigger, good, glen);
    memcpy(bigger + glen, "xyz", 3);
    CU_ASSERT_EQUAL(api.store(h, bigger, glen + 3, NULL, errbuf, sizeof(errbuf)),
                    IOTREG_HOOK_ENOTCERT);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "trailing"));
    CU_ASSERT_EQUAL(api.store(h, good, 0, NULL, errbuf, sizeof(errbuf)), IOTREG_HOOK_ENOTCERT);
    CU_ASSERT_EQUAL(api.store(h, foreign, flen, NULL, errbuf, sizeof(errbuf)),
                    IOTREG_HOOK_EUNKNOWN_ISSUER);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "CN=another CA"));
    CU_ASSERT_EQUAL(api.store(h, forged, rlen, NULL, errbuf, sizeof(errbuf)), IOTREG_HOOK_EBADSIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, TC_SUBCA_NAME));
    pair[0] = good, pair[1] = forged, lens[0] = glen, lens[1] = rlen;
    pem_of(pair, lens, 2, pem, sizeof(pem));
    CU_ASSERT_EQUAL(api.store(h, (unsigned char *)pem, strlen(pem), NULL, errbuf, sizeof(errbuf)),
                    IOTREG_HOOK_ENOTCERT);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "2 certificates"));
    api.fini(h);
    stdout_capture_end();
    unload_api(&api);
    CU_ASSERT_EQUAL(journal_total(), before);
    free(good);
    free(foreign);
    free(forged);
    free(bigger);
}

static void test_revoke_records_a_request(void)
{
    hook_api api;
    iotreg_hook *h = NULL;
    unsigned char *a = NULL, *b = NULL, *held = NULL;
    size_t alen, blen, heldlen;
    char errbuf[512], id[65], held_id[65];
    ir_journal *j;
    ir_journal_entry *e = NULL;

    tc_issue(&subca, "Acme", "revoked-a", 700, &a, &alen);
    tc_issue(&subca, "Globex", "revoked-b", 701, &b, &blen);
    CU_ASSERT_EQUAL_FATAL(load_api(&api), 0);
    stdout_capture_begin();
    CU_ASSERT_EQUAL_FATAL(api.init(config_path, &h, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    CU_ASSERT_EQUAL(api.store(h, a, alen, NULL, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    CU_ASSERT_EQUAL(api.revoke(h, a, alen, 7, 0, errbuf, sizeof(errbuf)), IOTREG_HOOK_EINVAL);
    CU_ASSERT_EQUAL(api.revoke(h, a, alen, 1, 1700000000, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    CU_ASSERT_EQUAL(api.revoke(h, a, alen, 1, 1700000000, errbuf, sizeof(errbuf)),
                    IOTREG_HOOK_ALREADY_KNOWN);
    /* Never stored: captured, then its revocation recorded. */
    CU_ASSERT_EQUAL(api.revoke(h, b, blen, 4, 0, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    CU_ASSERT_EQUAL(
        api.revoke_id(h, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 1, 0,
                      errbuf, sizeof(errbuf)),
        IOTREG_HOOK_ENOTFOUND);
    cert_id(b, blen, id);
    CU_ASSERT_EQUAL(api.revoke_id(h, id, 4, 0, errbuf, sizeof(errbuf)), IOTREG_HOOK_ALREADY_KNOWN);
    /* A hold and its release (EJBCA passes 6 and 8) record nothing. */
    tc_issue(&subca, "Acme", "held", 702, &held, &heldlen);
    CU_ASSERT_EQUAL(api.revoke(h, held, heldlen, 6, 0, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    cert_id(held, heldlen, held_id);
    CU_ASSERT_EQUAL(api.revoke_id(h, held_id, 8, 0, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    api.fini(h);
    stdout_capture_end();
    unload_api(&api);
    j = journal_open();
    cert_id(a, alen, id);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_EQUAL(e->state, IR_STATE_REVOKE_PENDING);
    CU_ASSERT_EQUAL(e->revocation_reason, 1);
    CU_ASSERT_EQUAL(e->revocation_time_ms, 1700000000000LL);
    ir_journal_entry_free(e);
    cert_id(b, blen, id);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_EQUAL(e->state, IR_STATE_REVOKE_PENDING);
    CU_ASSERT_STRING_EQUAL(e->customer, "globex");
    ir_journal_entry_free(e);
    e = NULL;
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, held_id, &e, NULL), IR_OK);
    CU_ASSERT_NOT_EQUAL(e->state, IR_STATE_REVOKE_PENDING);
    CU_ASSERT_EQUAL(e->revocation_time_ms, 0);
    ir_journal_entry_free(e);
    ir_journal_close(j);
    free(a);
    free(b);
    free(held);
}

/* Revocation times outside 0 .. IOTREG_HOOK_TIME_MAX are EINVAL, checked
 * before any arithmetic on them: the build has UBSan, which stops this
 * program on a signed overflow such as INT64_MAX * 1000. */
static void test_revocation_time_out_of_range(void)
{
    static const int64_t bad[] = {INT64_MAX, INT64_MIN, -1, IOTREG_HOOK_TIME_MAX + 1,
                                  INT64_MAX / 1000 + 1};
    iotreg_hook_metadata meta = {
        .struct_size = sizeof(meta), .status = IOTREG_HOOK_CERT_REVOKED, .revocation_reason = 1};
    hook_api api;
    iotreg_hook *h = NULL;
    unsigned char *der = NULL;
    size_t len, i;
    char errbuf[512], id[65];
    ir_journal *j;
    ir_journal_entry *e = NULL;
    int64_t before;

    tc_issue(&subca, "Acme", "times", 950, &der, &len);
    cert_id(der, len, id);
    CU_ASSERT_EQUAL_FATAL(load_api(&api), 0);
    stdout_capture_begin();
    CU_ASSERT_EQUAL_FATAL(api.init(config_path, &h, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    before = journal_total();
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(api.revoke(h, der, len, 1, bad[i], errbuf, sizeof(errbuf)),
                        IOTREG_HOOK_EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "out of range"));
        meta.revocation_time = bad[i];
        CU_ASSERT_EQUAL(api.store(h, der, len, &meta, errbuf, sizeof(errbuf)), IOTREG_HOOK_EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "253402300799"));
    }
    CU_ASSERT_EQUAL(journal_total(), before);
    CU_ASSERT_EQUAL(api.store(h, der, len, NULL, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(api.revoke_id(h, id, 1, bad[i], errbuf, sizeof(errbuf)),
                        IOTREG_HOOK_EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "out of range"));
    }
    CU_ASSERT_EQUAL(api.revoke_id(h, id, 1, IOTREG_HOOK_TIME_MAX, errbuf, sizeof(errbuf)),
                    IOTREG_HOOK_OK);
    api.fini(h);
    stdout_capture_end();
    unload_api(&api);
    j = journal_open();
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_EQUAL(e->state, IR_STATE_REVOKE_PENDING);
    CU_ASSERT_EQUAL(e->revocation_time_ms, IOTREG_HOOK_TIME_MAX * 1000);
    ir_journal_entry_free(e);
    ir_journal_close(j);
    free(der);
}

static void test_metadata_feeds_attribution(void)
{
    hook_api api;
    iotreg_hook *h = NULL;
    unsigned char *der = NULL, *rev = NULL;
    size_t len, rlen;
    char errbuf[512], id[65], pem[4096];
    iotreg_hook_metadata meta = {
        .struct_size = sizeof(meta), .end_entity = "device-42", .profile = "globex-profile"};
    iotreg_hook_metadata revoked = {
        .struct_size = sizeof(revoked), .status = IOTREG_HOOK_CERT_REVOKED, .revocation_reason = 5};
    iotreg_hook_metadata empty = {0};
    ir_journal *j;
    ir_journal_entry *e = NULL;

    tc_issue(&subca, NULL, "meta", 800, &der, &len);
    tc_issue(&subca, "Acme", "stored-revoked", 801, &rev, &rlen);
    pem_of(&rev, &rlen, 1, pem, sizeof(pem));
    CU_ASSERT_EQUAL_FATAL(load_api(&api), 0);
    stdout_capture_begin();
    CU_ASSERT_EQUAL_FATAL(api.init(config_path, &h, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    CU_ASSERT_EQUAL(api.store(h, der, len, &empty, errbuf, sizeof(errbuf)), IOTREG_HOOK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "struct_size"));
    CU_ASSERT_EQUAL(api.store(h, der, len, &meta, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    /* PEM is accepted as well as DER. */
    CU_ASSERT_EQUAL(
        api.store(h, (unsigned char *)pem, strlen(pem), &revoked, errbuf, sizeof(errbuf)),
        IOTREG_HOOK_OK);
    CU_ASSERT_EQUAL(api.store(h, rev, rlen, &revoked, errbuf, sizeof(errbuf)),
                    IOTREG_HOOK_ALREADY_KNOWN);
    api.fini(h);
    stdout_capture_end();
    unload_api(&api);
    j = journal_open();
    cert_id(der, len, id);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(e->customer, "globex");
    CU_ASSERT_STRING_EQUAL(e->end_entity, "device-42");
    CU_ASSERT_STRING_EQUAL(e->profile, "globex-profile");
    ir_journal_entry_free(e);
    cert_id(rev, rlen, id);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_EQUAL(e->state, IR_STATE_REVOKE_PENDING);
    CU_ASSERT_EQUAL(e->revocation_reason, 5);
    ir_journal_entry_free(e);
    ir_journal_close(j);
    free(der);
    free(rev);
}

static void test_connection_notices_a_broken_config(void)
{
    hook_api api;
    iotreg_hook *h = NULL;
    char errbuf[512], moved[600];

    CU_ASSERT_EQUAL_FATAL(load_api(&api), 0);
    stdout_capture_begin();
    CU_ASSERT_EQUAL_FATAL(api.init(config_path, &h, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    CU_ASSERT_EQUAL(api.test_connection(h, errbuf, sizeof(errbuf)), IOTREG_HOOK_OK);
    snprintf(moved, sizeof(moved), "%s.away", config_path);
    rename(config_path, moved);
    CU_ASSERT_EQUAL(api.test_connection(h, errbuf, sizeof(errbuf)), IOTREG_HOOK_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "iotreg.xml"));
    rename(moved, config_path);
    api.fini(h);
    stdout_capture_end();
    unload_api(&api);
}

static int setup(void)
{
    if (mkdtemp(dir) == NULL || tc_setup(dir) != 0)
        return 1;
    snprintf(config_path, sizeof(config_path), "%s/iotreg.xml", dir);
    unsetenv("IOTREG_DEBUG");
    return tc_ca_load(&subca, dir, "subca") || tc_ca_load(&other, dir, "other") ||
           tc_ca_load(&rogue, dir, "rogue");
}

static int teardown(void)
{
    char cmd[600];

    tc_ca_free(&subca);
    tc_ca_free(&other);
    tc_ca_free(&rogue);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_abi_version_and_reload),
        IR_TEST(test_bad_config_is_an_error_not_a_crash),
        IR_TEST(test_eight_threads_publish_each_once),
        IR_TEST(test_eight_handles_at_once),
        IR_TEST(test_bad_input_is_refused_and_not_journaled),
        IR_TEST(test_revoke_records_a_request),
        IR_TEST(test_revocation_time_out_of_range),
        IR_TEST(test_metadata_feeds_attribution),
        IR_TEST(test_connection_notices_a_broken_config),
        {NULL, NULL},
    };

    return ir_test_run("hook", cases, setup, teardown);
}
