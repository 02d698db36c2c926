/* The iotreg provider in a library context of its own, against a private
 * SoftHSM2 token: 8 threads signing at once, a forked child signing, the
 * size-only call, AlgorithmIdentifier, duplicated contexts, key matching
 * and public export, and private export refused. Every signature is
 * verified by the default provider with the certificate's public key. */
#include "autoconf.h"

#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "keystore/subca.h"
#include "tests/keystore/kstest.h"
#include "tests/unit/testutil.h"

#define THREADS    8
#define PER_THREAD 25
#define MSG_LEN    600
#define SIG_MAX    512

static kstest T;
static OSSL_LIB_CTX *libctx;
static EVP_PKEY *ec_key, *rsa_key; /* token keys through the provider */
static EVP_PKEY *ec_pub, *rsa_pub; /* their public halves, default provider */

static int sign(EVP_PKEY *key, const char *md, int pss, const unsigned char *msg, size_t len,
                unsigned char *sig, size_t *siglen)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    int ok = m != NULL && EVP_DigestSignInit_ex(m, &pc, md, libctx, NULL, key, NULL) > 0 &&
             (!pss || EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) > 0) &&
             EVP_DigestSign(m, sig, siglen, msg, len) > 0;

    EVP_MD_CTX_free(m);
    return ok;
}

static int verify(EVP_PKEY *pub, const char *md, int pss, const unsigned char *msg, size_t len,
                  const unsigned char *sig, size_t siglen)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    int ok = m != NULL && EVP_DigestVerifyInit_ex(m, &pc, md, NULL, NULL, pub, NULL) > 0 &&
             (!pss || EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) > 0) &&
             EVP_DigestVerify(m, sig, siglen, msg, len) == 1;

    EVP_MD_CTX_free(m);
    return ok;
}

static void make_msg(unsigned char *msg, int thread, int i)
{
    int k;

    for (k = 0; k < MSG_LEN; k++)
        msg[k] = (unsigned char)(thread * 31 + i * 7 + k);
}

typedef struct work {
    int id;
    int signed_ok, verified_ok;
} work;

static void *signer(void *arg)
{
    work *w = arg;
    unsigned char msg[MSG_LEN], sig[SIG_MAX];
    size_t siglen;
    int i, rsa, pss;

    for (i = 0; i < PER_THREAD; i++) {
        rsa = (w->id + i) % 3 == 0;
        pss = rsa && i % 2 == 0;
        make_msg(msg, w->id, i);
        siglen = sizeof(sig);
        if (!sign(rsa ? rsa_key : ec_key, "SHA256", pss, msg, sizeof(msg), sig, &siglen))
            continue;
        w->signed_ok++;
        /* One message changed: its signature must not verify. */
        if (verify(rsa ? rsa_pub : ec_pub, "SHA256", pss, msg, sizeof(msg), sig, siglen)) {
            msg[0] ^= 1;
            w->verified_ok +=
                !verify(rsa ? rsa_pub : ec_pub, "SHA256", pss, msg, sizeof(msg), sig, siglen);
        }
    }
    ERR_clear_error();
    return NULL;
}

static void test_eight_threads_sign_valid_signatures(void)
{
    pthread_t th[THREADS];
    work w[THREADS];
    int i, signed_ok = 0, verified_ok = 0;

    for (i = 0; i < THREADS; i++) {
        w[i] = (work){i, 0, 0};
        CU_ASSERT_FATAL(pthread_create(&th[i], NULL, signer, &w[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        signed_ok += w[i].signed_ok;
        verified_ok += w[i].verified_ok;
    }
    CU_ASSERT_EQUAL(signed_ok, THREADS * PER_THREAD);
    CU_ASSERT_EQUAL(verified_ok, THREADS * PER_THREAD);
}

/* The child signs with the key loaded before the fork and writes the
 * signature to a pipe; the parent verifies it, then signs again itself. */
static void test_child_signs_after_fork(void)
{
    unsigned char msg[] = "signed by the child", sig[SIG_MAX];
    size_t siglen = sizeof(sig);
    ssize_t got = 0, n;
    int fds[2], status = -1;
    pid_t pid;

    CU_ASSERT_FATAL(sign(ec_key, "SHA256", 0, msg, sizeof(msg), sig, &siglen));
    CU_ASSERT_FATAL(pipe(fds) == 0);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        alarm(120); /* a child stuck in the token fails the test instead of hanging it */
        close(fds[0]);
        siglen = sizeof(sig);
        if (!sign(ec_key, "SHA256", 0, msg, sizeof(msg), sig, &siglen))
            _exit(3);
        _exit(write(fds[1], sig, siglen) == (ssize_t)siglen ? 0 : 4);
    }
    close(fds[1]);
    while ((n = read(fds[0], sig + got, sizeof(sig) - (size_t)got)) > 0)
        got += n;
    close(fds[0]);
    waitpid(pid, &status, 0);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CU_ASSERT(got > 0 && verify(ec_pub, "SHA256", 0, msg, sizeof(msg), sig, (size_t)got));
    siglen = sizeof(sig);
    CU_ASSERT(sign(ec_key, "SHA256", 0, msg, sizeof(msg), sig, &siglen));
    CU_ASSERT(verify(ec_pub, "SHA256", 0, msg, sizeof(msg), sig, siglen));
}

/* Runs f with stderr in a file and returns whether the provider's debug
 * output (IOTREG_DEBUG is on) reports a token signature. */
static int token_signed_during(int (*f)(size_t *), size_t *out)
{
    char path[400], buf[8192] = "";
    int saved = dup(2), fd;
    ssize_t n;

    snprintf(path, sizeof(path), "%s/stderr", T.dir);
    fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
    fflush(stderr);
    dup2(fd, 2);
    CU_ASSERT(f(out));
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    n = read(fd, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    return strstr(buf, "signing a ") != NULL;
}

static int size_only(size_t *len)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    int ok = EVP_DigestSignInit_ex(m, NULL, "SHA256", libctx, NULL, ec_key, NULL) > 0 &&
             EVP_DigestSign(m, NULL, len, (const unsigned char *)"x", 1) > 0;

    EVP_MD_CTX_free(m);
    return ok;
}

static int real_sign(size_t *len)
{
    unsigned char sig[SIG_MAX];

    *len = sizeof(sig);
    return sign(ec_key, "SHA256", 0, (const unsigned char *)"x", 1, sig, len);
}

static void test_size_only_call_does_not_sign(void)
{
    size_t len = 0;

    CU_ASSERT_FALSE(token_signed_during(size_only, &len));
    CU_ASSERT_EQUAL(len, 72); /* DER ECDSA-Sig-Value of P-256 at most */
    CU_ASSERT_TRUE(token_signed_during(real_sign, &len));
    CU_ASSERT(len > 0 && len <= 72);
    CU_ASSERT_EQUAL(EVP_PKEY_get_size(rsa_key), 384);
}

static int algorithm_id(EVP_PKEY *key, OSSL_LIB_CTX *lc, const char *md, int pss,
                        unsigned char *aid, size_t *len)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    OSSL_PARAM p[] = {OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, aid, 128),
                      OSSL_PARAM_END};
    int ok = EVP_DigestSignInit_ex(m, &pc, md, lc, NULL, key, NULL) > 0 &&
             (!pss || (EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) > 0 &&
                       EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) > 0)) &&
             EVP_PKEY_CTX_get_params(pc, p) > 0;

    *len = p[0].return_size;
    EVP_MD_CTX_free(m);
    return ok;
}

/* The AlgorithmIdentifier equals the default provider's for a software key
 * of the same kind. */
static void same_algorithm_id(EVP_PKEY *token_key, EVP_PKEY *soft_key, const char *md, int pss)
{
    unsigned char ours[128], theirs[128];
    size_t n_ours = 0, n_theirs = 0;

    CU_ASSERT_FATAL(algorithm_id(token_key, libctx, md, pss, ours, &n_ours));
    CU_ASSERT_FATAL(algorithm_id(soft_key, NULL, md, pss, theirs, &n_theirs));
    CU_ASSERT(n_ours > 0 && n_ours == n_theirs && memcmp(ours, theirs, n_ours) == 0);
}

static void test_algorithm_id(void)
{
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);

    same_algorithm_id(ec_key, ec, "SHA256", 0);
    same_algorithm_id(ec_key, ec, "SHA384", 0);
    same_algorithm_id(rsa_key, rsa, "SHA256", 0);
    same_algorithm_id(rsa_key, rsa, "SHA512", 0);
    same_algorithm_id(rsa_key, rsa, "SHA256", 1);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(rsa);
}

/* sign_init/sign: the caller hashed; the token signs the digest. */
static void test_prehashed_sign(void)
{
    unsigned char dgst[32], sig[SIG_MAX];
    size_t siglen = sizeof(sig), maxlen = 0;
    EVP_PKEY_CTX *sc = EVP_PKEY_CTX_new_from_pkey(libctx, ec_key, NULL);
    EVP_PKEY_CTX *vc = EVP_PKEY_CTX_new_from_pkey(NULL, ec_pub, NULL);

    memset(dgst, 0x42, sizeof(dgst));
    CU_ASSERT_FATAL(sc != NULL && vc != NULL);
    CU_ASSERT(EVP_PKEY_sign_init(sc) > 0);
    CU_ASSERT(EVP_PKEY_CTX_set_signature_md(sc, EVP_sha256()) > 0);
    CU_ASSERT(EVP_PKEY_sign(sc, NULL, &maxlen, dgst, sizeof(dgst)) > 0);
    CU_ASSERT_EQUAL(maxlen, 72);
    CU_ASSERT(EVP_PKEY_sign(sc, sig, &siglen, dgst, sizeof(dgst)) > 0);
    CU_ASSERT(EVP_PKEY_verify_init(vc) > 0);
    CU_ASSERT_EQUAL(EVP_PKEY_verify(vc, sig, siglen, dgst, sizeof(dgst)), 1);
    dgst[0] ^= 1;
    CU_ASSERT_NOT_EQUAL(EVP_PKEY_verify(vc, sig, siglen, dgst, sizeof(dgst)), 1);
    EVP_PKEY_CTX_free(sc);
    EVP_PKEY_CTX_free(vc);
    ERR_clear_error();
}

static void test_dupctx_signs_the_same_message(void)
{
    static const unsigned char part1[] = "first half, ", part2[] = "second half";
    unsigned char whole[sizeof(part1) + sizeof(part2)], sig[SIG_MAX];
    EVP_MD_CTX *m = EVP_MD_CTX_new(), *copy = EVP_MD_CTX_new();
    size_t siglen = sizeof(sig), n = sizeof(part1) - 1 + sizeof(part2) - 1;

    memcpy(whole, part1, sizeof(part1) - 1);
    memcpy(whole + sizeof(part1) - 1, part2, sizeof(part2) - 1);
    CU_ASSERT_FATAL(EVP_DigestSignInit_ex(m, NULL, "SHA384", libctx, NULL, ec_key, NULL) > 0);
    CU_ASSERT(EVP_DigestSignUpdate(m, part1, sizeof(part1) - 1) > 0);
    CU_ASSERT_FATAL(EVP_MD_CTX_copy_ex(copy, m) > 0);
    CU_ASSERT(EVP_DigestSignUpdate(copy, part2, sizeof(part2) - 1) > 0);
    CU_ASSERT(EVP_DigestSignFinal(copy, sig, &siglen) > 0);
    CU_ASSERT(verify(ec_pub, "SHA384", 0, whole, n, sig, siglen));
    EVP_MD_CTX_free(m);
    EVP_MD_CTX_free(copy);
}

static void test_private_material_never_leaves(void)
{
    BIGNUM *priv = NULL;
    OSSL_PARAM *params = NULL;

    CU_ASSERT_FALSE(EVP_PKEY_get_bn_param(ec_key, OSSL_PKEY_PARAM_PRIV_KEY, &priv));
    CU_ASSERT_FALSE(EVP_PKEY_get_bn_param(rsa_key, OSSL_PKEY_PARAM_RSA_D, &priv));
    CU_ASSERT(EVP_PKEY_todata(ec_key, EVP_PKEY_KEYPAIR, &params) <= 0);
    CU_ASSERT_PTR_NULL(priv);
    ERR_clear_error();
    CU_ASSERT(EVP_PKEY_todata(ec_key, EVP_PKEY_PUBLIC_KEY, &params) > 0);
    CU_ASSERT_PTR_NOT_NULL(OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_PUB_KEY));
    OSSL_PARAM_free(params);
}

static void test_matches_the_certificate_key_only(void)
{
    EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

    CU_ASSERT_EQUAL(EVP_PKEY_eq(ec_pub, ec_key), 1);
    CU_ASSERT_EQUAL(EVP_PKEY_eq(rsa_pub, rsa_key), 1);
    CU_ASSERT_NOT_EQUAL(EVP_PKEY_eq(other, ec_key), 1);
    CU_ASSERT_EQUAL(EVP_PKEY_get_bits(ec_key), 256);
    CU_ASSERT_EQUAL(EVP_PKEY_get_security_bits(rsa_key), 128);
    EVP_PKEY_free(other);
    ERR_clear_error();
}

static int load_keys(void)
{
    ir_err err = {0};

    if (ir_ks_generate_key(T.ks, "ec", "ec:P-256", &err) != IR_OK ||
        ir_ks_generate_key(T.ks, "rsa", "rsa:3072", &err) != IR_OK ||
        ir_ks_ossl_libctx(T.config, &libctx, &err) != IR_OK ||
        ir_ks_ossl_load_key(libctx, "iotreg:object=ec;type=private", NULL, &ec_key, &err) !=
            IR_OK ||
        ir_ks_ossl_load_key(libctx, "iotreg:object=rsa;type=private", NULL, &rsa_key, &err) !=
            IR_OK ||
        ir_ks_public_key(T.ks, "ec", NULL, NULL, &ec_pub, &err) != IR_OK ||
        ir_ks_public_key(T.ks, "rsa", NULL, NULL, &rsa_pub, &err) != IR_OK) {
        printf("setup: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int suite_clean(void);

static int suite_init(void)
{
    setenv("IOTREG_DEBUG", "1", 1); /* the size-only test reads the provider's debug lines */
    if (kstest_setup(&T, true) == 0 && load_keys() == 0)
        return 0;
    suite_clean(); /* CUnit skips the cleanup of a suite whose init failed */
    return -1;
}

static int suite_clean(void)
{
    EVP_PKEY_free(ec_key);
    EVP_PKEY_free(rsa_key);
    EVP_PKEY_free(ec_pub);
    EVP_PKEY_free(rsa_pub);
    OSSL_LIB_CTX_free(libctx);
    kstest_teardown(&T);
    return 0;
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_eight_threads_sign_valid_signatures),
        IR_TEST(test_child_signs_after_fork),
        IR_TEST(test_size_only_call_does_not_sign),
        IR_TEST(test_algorithm_id),
        IR_TEST(test_prehashed_sign),
        IR_TEST(test_dupctx_signs_the_same_message),
        IR_TEST(test_private_material_never_leaves),
        IR_TEST(test_matches_the_certificate_key_only),
        {NULL, NULL},
    };

    if (access(KSTEST_MODULE, R_OK) != 0) {
        printf("SKIP: SoftHSM2 (%s) is not installed\n", KSTEST_MODULE);
        return IR_TEST_SKIP;
    }
    return ir_test_run("provider", cases, suite_init, suite_clean);
}
