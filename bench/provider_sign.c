/* ECDSA P-256 signatures per second through the iotreg provider against
 * raw PKCS#11 (SHA-256 in software, C_SignInit + C_Sign) on the same
 * SoftHSM2 key, in the same run. Two provider loops: EVP_DigestSign with a
 * fresh context and EVP_DigestSignInit per signature (what X509_sign does
 * for every certificate), and EVP_DigestSign repeated on one initialised
 * context (the provider's own cost alone). The loops alternate in rounds so
 * that load from elsewhere on the machine falls on all of them alike.
 *
 * Makes its own token in a temporary directory; run from the build tree
 * with OPENSSL_MODULES=provider/.libs (see bench/README.md).
 * usage: provider_sign [-n SIGNATURES] [-r ROUNDS] */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "keystore/subca.h"
#include "tests/keystore/kstest.h"

#define MSG_LEN 512 /* about a TBSCertificate */

typedef struct bench {
    kstest t;
    OSSL_LIB_CTX *libctx;
    EVP_PKEY *key;
    EVP_MD_CTX *kept; /* initialised once, for the reused-context loop */
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE h;
    unsigned char msg[MSG_LEN];
} bench;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int raw_sign(bench *b)
{
    CK_MECHANISM mech = {CKM_ECDSA, NULL, 0};
    CK_FUNCTION_LIST *p11 = ir_ks_functions(b->t.ks);
    unsigned char md[32], sig[128];
    unsigned int mdlen = 0;
    CK_ULONG siglen = sizeof(sig);

    return EVP_Digest(b->msg, sizeof(b->msg), md, &mdlen, EVP_sha256(), NULL) &&
           p11->C_SignInit(b->s, &mech, b->h) == CKR_OK &&
           p11->C_Sign(b->s, md, mdlen, sig, &siglen) == CKR_OK;
}

static int provider_sign(bench *b)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned char sig[128];
    size_t siglen = sizeof(sig);
    int ok = m != NULL &&
             EVP_DigestSignInit_ex(m, NULL, "SHA256", b->libctx, NULL, b->key, NULL) > 0 &&
             EVP_DigestSign(m, sig, &siglen, b->msg, sizeof(b->msg)) > 0;

    EVP_MD_CTX_free(m);
    return ok;
}

static int provider_sign_reused(bench *b)
{
    unsigned char sig[128];
    size_t siglen = sizeof(sig);

    return EVP_DigestSign(b->kept, sig, &siglen, b->msg, sizeof(b->msg)) > 0;
}

/* Runs n signatures of f; adds the time taken to *elapsed. */
static int timed(bench *b, int (*f)(bench *), int n, double *elapsed)
{
    double start = now();
    int i;

    for (i = 0; i < n; i++)
        if (!f(b))
            return 0;
    *elapsed += now() - start;
    return 1;
}

/* The raw loop keeps one pool session for the whole run (no fork happens
 * here, so holding it while the provider takes its own is harmless). */
static int setup(bench *b)
{
    ir_err err = {0};

    memset(b->msg, 0x5a, sizeof(b->msg));
    if (kstest_setup(&b->t, true) != 0)
        return 0;
    if (ir_ks_generate_key(b->t.ks, "bench", "ec:P-256", &err) != IR_OK ||
        ir_ks_ossl_libctx(b->t.config, &b->libctx, &err) != IR_OK ||
        ir_ks_ossl_load_key(b->libctx, "iotreg:object=bench;type=private", NULL, &b->key, &err) !=
            IR_OK ||
        (b->kept = EVP_MD_CTX_new()) == NULL ||
        EVP_DigestSignInit_ex(b->kept, NULL, "SHA256", b->libctx, NULL, b->key, NULL) <= 0 ||
        ir_ks_session_get(b->t.ks, &b->s, &err) != IR_OK ||
        ir_ks_find(b->t.ks, b->s, CKO_PRIVATE_KEY, "bench", NULL, &b->h, &err) != IR_OK) {
        fprintf(stderr, "provider_sign: setup: %s\n", err.msg);
        return 0;
    }
    return 1;
}

static void report(const char *what, int n, double secs, double raw)
{
    printf("%-46s %6d signatures %7.3f s %8.1f /s", what, n, secs, n / secs);
    if (raw > 0)
        printf("  overhead %+5.1f%%", (secs / raw - 1.0) * 100.0);
    printf("\n");
}

int main(int argc, char **argv)
{
    bench b;
    double raw = 0, prov = 0, reused = 0;
    int n = 4000, rounds = 20, per, i, opt;

    while ((opt = getopt(argc, argv, "n:r:")) != -1) {
        if (opt == 'n')
            n = atoi(optarg);
        else if (opt == 'r')
            rounds = atoi(optarg);
        else {
            fprintf(stderr, "usage: provider_sign [-n SIGNATURES] [-r ROUNDS]\n");
            return 2;
        }
    }
    per = rounds > 0 && n >= rounds ? n / rounds : 1;
    if (!setup(&b))
        return 1;
    /* Warm both paths up (session pool, handle cache, method caches). */
    if (!timed(&b, raw_sign, 50, &raw) || !timed(&b, provider_sign, 50, &prov) ||
        !timed(&b, provider_sign_reused, 50, &reused))
        return 1;
    raw = prov = reused = 0;
    for (i = 0; i < rounds; i++)
        if (!timed(&b, raw_sign, per, &raw) || !timed(&b, provider_sign, per, &prov) ||
            !timed(&b, provider_sign_reused, per, &reused)) {
            fprintf(stderr, "provider_sign: a signature failed\n");
            return 1;
        }
    report("raw PKCS#11 (SHA-256 + C_SignInit + C_Sign)", per * rounds, raw, 0);
    report("provider, DigestSignInit per signature", per * rounds, prov, raw);
    report("provider, one context reused", per * rounds, reused, raw);
    EVP_MD_CTX_free(b.kept);
    ir_ks_session_put(b.t.ks, b.s, false);
    EVP_PKEY_free(b.key);
    OSSL_LIB_CTX_free(b.libctx);
    kstest_teardown(&b.t);
    return 0;
}
