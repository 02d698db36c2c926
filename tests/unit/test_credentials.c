/* Credentials and their providers: static, environment, shared credentials
 * file, and the single-flight refreshing provider. */
#include "autoconf.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/auth/credentials.h"
#include "aws/auth/sigv4.h"
#include "core/hmac.h"
#include "core/log.h"
#include "core/util.h"
#include "creds/credref.h"
#include "keystore/keystore.h"
#include "testutil.h"

static char tmpdir[PATH_MAX];

/* -- helpers -- */

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static void tmp_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir, name);
}

typedef struct log_capture {
    char text[8192];
    size_t len;
} log_capture;

static log_capture captured;

static void capture_sink(void *ctx, ir_log_level level, const char *line)
{
    log_capture *c = ctx;
    size_t n = strlen(line);

    if (c->len + n + 2 < sizeof(c->text)) {
        memcpy(c->text + c->len, line, n);
        c->len += n;
        c->text[c->len++] = '\n';
        c->text[c->len] = '\0';
    }
}

static void capture_start(void)
{
    memset(&captured, 0, sizeof(captured));
    ir_log_set_sink(capture_sink, &captured);
}

static void capture_stop(void)
{
    ir_log_set_sink(NULL, NULL);
}

/* -- credential sets -- */

static void test_secret_creds_compute_kdate(void)
{
    unsigned char got[IR_AWS_KDATE_LEN], want[IR_AWS_KDATE_LEN];
    const char *key = "AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    ir_aws_creds *c = NULL;

    CU_ASSERT_EQUAL_FATAL(ir_aws_creds_new_secret("AKIDEXAMPLE",
                                                  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "",
                                                  1234, &c, NULL),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(c), "AKIDEXAMPLE");
    CU_ASSERT_PTR_NULL(ir_aws_creds_session_token(c)); /* "" means none */
    CU_ASSERT_EQUAL(ir_aws_creds_expires_ms(c), 1234);
    CU_ASSERT_TRUE(ir_aws_creds_holds_secret(c));
    CU_ASSERT_EQUAL(ir_aws_creds_kdate(c, "20150830", got, NULL), IR_OK);
    ir_hmac_sha256(key, strlen(key), "20150830", 8, want, NULL);
    CU_ASSERT_EQUAL(memcmp(got, want, sizeof(got)), 0);
    CU_ASSERT_EQUAL(ir_aws_creds_kdate(c, "2015-08-30", got, NULL), IR_ERR_INVALID_ARG);
    ir_aws_creds_unref(c);
}

static void test_bad_creds_are_refused(void)
{
    ir_aws_creds *c = NULL;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_aws_creds_new_secret("", "s", NULL, 0, &c, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL(ir_aws_creds_new_secret("AK/ID", "s", NULL, 0, &c, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL(ir_aws_creds_new_secret("AKID", "", NULL, 0, &c, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL(ir_aws_creds_new_secret("AKID", "s", "tok\r\nX-Evil: 1", 0, &c, &err),
                    IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL(ir_aws_creds_new_kdate("AKID", NULL, NULL, NULL, &c, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_PTR_NULL(c);
}

typedef struct counting_ctx {
    atomic_int calls;
    atomic_int freed;
} counting_ctx;

static ir_rc zero_kdate(void *ctx, const char *date, unsigned char out[IR_AWS_KDATE_LEN],
                        ir_err *err)
{
    atomic_fetch_add(&((counting_ctx *)ctx)->calls, 1);
    memset(out, 0x5a, IR_AWS_KDATE_LEN);
    return IR_OK;
}

static void counting_free(void *ctx)
{
    atomic_fetch_add(&((counting_ctx *)ctx)->freed, 1);
}

static void *ref_unref_loop(void *arg)
{
    ir_aws_creds *c = arg;
    int i;

    for (i = 0; i < 20000; i++)
        ir_aws_creds_unref(ir_aws_creds_ref(c));
    return NULL;
}

static void test_kdate_creds_refcount_is_thread_safe(void)
{
    counting_ctx k;
    pthread_t t[8];
    ir_aws_creds *c = NULL;
    unsigned char out[IR_AWS_KDATE_LEN];
    int i;

    atomic_init(&k.calls, 0);
    atomic_init(&k.freed, 0);
    CU_ASSERT_EQUAL_FATAL(
        ir_aws_creds_new_kdate("AKIDHSM", zero_kdate, &k, counting_free, &c, NULL), IR_OK);
    CU_ASSERT_FALSE(ir_aws_creds_holds_secret(c));
    CU_ASSERT_EQUAL(ir_aws_creds_kdate(c, "20240101", out, NULL), IR_OK);
    CU_ASSERT_EQUAL(atomic_load(&k.calls), 1);
    for (i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, ref_unref_loop, c);
    for (i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    CU_ASSERT_EQUAL(atomic_load(&k.freed), 0);
    ir_aws_creds_ref(c);
    ir_aws_creds_unref(c);
    CU_ASSERT_EQUAL(atomic_load(&k.freed), 0);
    ir_aws_creds_unref(c);
    CU_ASSERT_EQUAL(atomic_load(&k.freed), 1);
}

/* -- static and environment -- */

static void test_static_provider(void)
{
    ir_aws_creds *c = NULL, *got = NULL;
    ir_aws_cred_provider *p = NULL;

    ir_aws_creds_new_secret("AKIDSTATIC", "TOPSECRETVALUE", NULL, 0, &c, NULL);
    CU_ASSERT_EQUAL_FATAL(ir_aws_cred_provider_static(c, &p, NULL), IR_OK);
    ir_aws_creds_unref(c); /* the provider holds its own reference */
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &got, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(got), "AKIDSTATIC");
    CU_ASSERT_PTR_NOT_NULL(strstr(ir_aws_cred_provider_describe(p), "AKIDSTATIC"));
    CU_ASSERT_PTR_NULL(strstr(ir_aws_cred_provider_describe(p), "TOPSECRET"));
    ir_aws_creds_unref(got);
    ir_aws_cred_provider_free(p);
}

static void test_env_provider_reads_at_each_get(void)
{
    ir_aws_cred_provider *p = NULL;
    ir_aws_creds *c = NULL;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_aws_cred_provider_env(&p, NULL), IR_OK);
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV1", 1);
    unsetenv("AWS_SECRET_ACCESS_KEY");
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "AWS_SECRET_ACCESS_KEY"));
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    setenv("AWS_SESSION_TOKEN", "envtoken", 1);
    CU_ASSERT_EQUAL_FATAL(ir_aws_cred_provider_get(p, &c, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(c), "AKIDENV1");
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_session_token(c), "envtoken");
    ir_aws_creds_unref(c);
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV2", 1);
    unsetenv("AWS_SESSION_TOKEN");
    CU_ASSERT_EQUAL_FATAL(ir_aws_cred_provider_get(p, &c, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(c), "AKIDENV2");
    CU_ASSERT_PTR_NULL(ir_aws_creds_session_token(c));
    ir_aws_creds_unref(c);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    ir_aws_cred_provider_free(p);
}

/* -- the shared credentials file -- */

static const char *profile_text = "# AWS credentials\n"
                                  "[default]\n"
                                  "aws_access_key_id = AKIDDEFAULT\n"
                                  "aws_secret_access_key = defaultsecret\n"
                                  "\n"
                                  "; another comment\n"
                                  "[ customer-a ]\r\n"
                                  "  aws_access_key_id=AKIDCUSTA  \r\n"
                                  "\taws_secret_access_key =\tcustasecret/with+chars=\r\n"
                                  "aws_session_token = custatoken\r\n"
                                  "region = eu-west-1\r\n"
                                  "[nokey]\n"
                                  "aws_access_key_id = AKIDNOKEY\n";

static ir_rc profile_get(const char *file, const char *profile, ir_aws_creds **c, ir_err *err)
{
    ir_aws_cred_provider *p = NULL;
    ir_rc rc = ir_aws_cred_provider_profile(file, profile, &p, err);

    if (rc == IR_OK)
        rc = ir_aws_cred_provider_get(p, c, err);
    ir_aws_cred_provider_free(p);
    return rc;
}

static void test_profile_file_parsing(void)
{
    char file[PATH_MAX];
    ir_aws_creds *c = NULL;
    unsigned char k1[32], k2[32];
    const char *key = "AWS4custasecret/with+chars=";

    tmp_path(file, sizeof(file), "credentials");
    write_file(file, profile_text, 0600);
    CU_ASSERT_EQUAL_FATAL(profile_get(file, NULL, &c, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(c), "AKIDDEFAULT");
    CU_ASSERT_PTR_NULL(ir_aws_creds_session_token(c));
    ir_aws_creds_unref(c);
    CU_ASSERT_EQUAL_FATAL(profile_get(file, "customer-a", &c, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(c), "AKIDCUSTA");
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_session_token(c), "custatoken");
    /* The secret was read exactly (trimmed, '=' and '/' kept). */
    ir_aws_creds_kdate(c, "20240101", k1, NULL);
    ir_hmac_sha256(key, strlen(key), "20240101", 8, k2, NULL);
    CU_ASSERT_EQUAL(memcmp(k1, k2, 32), 0);
    ir_aws_creds_unref(c);
}

static void test_profile_errors_name_file_and_profile(void)
{
    char file[PATH_MAX], missing[PATH_MAX];
    ir_aws_creds *c = NULL;
    ir_err err = {0};

    tmp_path(file, sizeof(file), "credentials");
    write_file(file, profile_text, 0600);
    CU_ASSERT_EQUAL(profile_get(file, "nosuch", &c, &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "[nosuch]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, file));
    CU_ASSERT_EQUAL(profile_get(file, "nokey", &c, &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "aws_secret_access_key"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "[nokey]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, file));
    tmp_path(missing, sizeof(missing), "absent");
    CU_ASSERT_EQUAL(profile_get(missing, NULL, &c, &err), IR_ERR_NOT_FOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, missing));
    write_file(file, "[default]\nthis line has no equals sign\n", 0600);
    CU_ASSERT_EQUAL(profile_get(file, NULL, &c, &err), IR_ERR_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "line 2"));
    CU_ASSERT_PTR_NULL(c);
}

static void test_profile_bounds(void)
{
    char file[PATH_MAX];
    ir_aws_creds *c = NULL;
    ir_err err = {0};
    char *big = malloc((2u << 20) + 1);
    FILE *f;

    tmp_path(file, sizeof(file), "credentials");
    memset(big, 'x', 5000);
    memcpy(big, "[default]\naws_access_key_id = ", 30);
    big[5000] = '\0';
    write_file(file, big, 0600);
    CU_ASSERT_EQUAL(profile_get(file, NULL, &c, &err), IR_ERR_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "longer than"));
    f = fopen(file, "w");
    memset(big, '#', 2u << 20);
    big[2u << 20] = '\0';
    fputs(big, f);
    fclose(f);
    CU_ASSERT_EQUAL(profile_get(file, NULL, &c, &err), IR_ERR_TOO_LARGE);
    free(big);
}

static void test_profile_defaults_from_env_and_reload(void)
{
    char file[PATH_MAX];
    ir_aws_cred_provider *p = NULL;
    ir_aws_creds *c = NULL;

    tmp_path(file, sizeof(file), "envcreds");
    write_file(file, "[from-env]\naws_access_key_id=AKIDONE\naws_secret_access_key=s1\n", 0600);
    setenv("AWS_SHARED_CREDENTIALS_FILE", file, 1);
    setenv("AWS_PROFILE", "from-env", 1);
    CU_ASSERT_EQUAL_FATAL(ir_aws_cred_provider_profile(NULL, NULL, &p, NULL), IR_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(ir_aws_cred_provider_describe(p), "[from-env]"));
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(c), "AKIDONE");
    ir_aws_creds_unref(c);
    /* A rotated key is picked up: the file is re-read when it changes. */
    write_file(file, "[from-env]\naws_access_key_id=AKIDTWO22\naws_secret_access_key=s2\n", 0600);
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(c), "AKIDTWO22");
    ir_aws_creds_unref(c);
    ir_aws_cred_provider_free(p);
    unsetenv("AWS_PROFILE");
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
}

static void test_profile_readable_by_others_is_refused(void)
{
    char file[PATH_MAX];
    ir_aws_creds *c = NULL;
    ir_err err = {0};

    tmp_path(file, sizeof(file), "open-credentials");
    write_file(file, profile_text, 0644);
    CU_ASSERT_EQUAL(profile_get(file, NULL, &c, &err), IR_ERR_PERMISSION);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "chmod 600"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, file));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "defaultsecret"));
    write_file(file, profile_text, 0640);
    CU_ASSERT_EQUAL(profile_get(file, NULL, &c, &err), IR_ERR_PERMISSION);
}

/* A profile that becomes readable by others after it was loaded is refused
 * at the next use, its credentials with it, until it is private again. */
static void test_profile_refused_on_reload_when_opened_up(void)
{
    char file[PATH_MAX], link[PATH_MAX];
    ir_aws_cred_provider *p = NULL;
    ir_aws_creds *c = NULL;
    ir_err err = {0};

    tmp_path(file, sizeof(file), "reload-credentials");
    tmp_path(link, sizeof(link), "reload-link");
    write_file(file, profile_text, 0600);
    CU_ASSERT_EQUAL_FATAL(ir_aws_cred_provider_profile(file, NULL, &p, NULL), IR_OK);
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, NULL), IR_OK);
    ir_aws_creds_unref(c);
    c = NULL;
    CU_ASSERT_EQUAL(chmod(file, 0644), 0);
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, &err), IR_ERR_PERMISSION);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "chmod 600"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, file));
    CU_ASSERT_EQUAL(chmod(file, 0600), 0);
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(c), "AKIDDEFAULT");
    ir_aws_creds_unref(c);
    ir_aws_cred_provider_free(p);
    /* A symbolic link is not followed, at start or later. */
    CU_ASSERT_EQUAL_FATAL(symlink(file, link), 0);
    CU_ASSERT_EQUAL(profile_get(link, NULL, &c, &err), IR_ERR_PERMISSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "symbolic link"));
    unlink(link);
}

/* -- secret files named by the configuration -- */

static ir_rc secret_file_get(const char *file, ir_aws_creds **c, ir_err *err)
{
    ir_credential_ref ref = {.source = IR_CRED_FILE, .secret_file = (char *)file};
    ir_aws_cred_provider *p = NULL;
    ir_rc rc;

    ref.access_key_id = "AKIDFILEEXAMPLE01";
    rc = ir_credref_provider(NULL, &ref, &p, err);
    if (rc == IR_OK)
        rc = ir_aws_cred_provider_get(p, c, err);
    ir_aws_cred_provider_free(p);
    return rc;
}

static void test_secret_file_refuses_links_and_open_modes(void)
{
    char file[PATH_MAX], link[PATH_MAX];
    ir_aws_creds *c = NULL;
    ir_err err = {0};

    tmp_path(file, sizeof(file), "csp.secret");
    tmp_path(link, sizeof(link), "csp.secret.link");
    write_file(file, "fileSecretKey0001\n", 0600);
    CU_ASSERT_EQUAL(secret_file_get(file, &c, NULL), IR_OK);
    ir_aws_creds_unref(c);
    c = NULL;
    CU_ASSERT_EQUAL_FATAL(symlink(file, link), 0);
    CU_ASSERT_EQUAL(secret_file_get(link, &c, &err), IR_ERR_PERMISSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "symbolic link"));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "fileSecretKey"));
    unlink(link);
    CU_ASSERT_EQUAL(chmod(file, 0640), 0);
    CU_ASSERT_EQUAL(secret_file_get(file, &c, &err), IR_ERR_PERMISSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "chmod 600"));
    write_file(file, " \n", 0600);
    CU_ASSERT_EQUAL(secret_file_get(file, &c, &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "empty"));
}

static void test_pin_file_refuses_links(void)
{
    char file[PATH_MAX], link[PATH_MAX], pin[IR_KS_PIN_MAX];
    ir_err err = {0};

    tmp_path(file, sizeof(file), "user.pin");
    tmp_path(link, sizeof(link), "user.pin.link");
    write_file(file, "4321\r\n", 0600);
    CU_ASSERT_EQUAL(ir_ks_read_pin_file(file, pin, sizeof(pin), &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(pin, "4321");
    CU_ASSERT_EQUAL_FATAL(symlink(file, link), 0);
    CU_ASSERT_EQUAL(ir_ks_read_pin_file(link, pin, sizeof(pin), &err), IR_ERR_PERMISSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "symbolic link"));
    unlink(link);
    CU_ASSERT_EQUAL(chmod(file, 0604), 0);
    CU_ASSERT_EQUAL(ir_ks_read_pin_file(file, pin, sizeof(pin), &err), IR_ERR_PERMISSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "chmod 600"));
}

/* Opening a keystore (as the provider and the hook do inside a CA) leaves
 * SOFTHSM2_CONF alone; only iotreg's own programs, which call
 * ir_ks_softhsm_env_allow, have it set from <softhsm-dir>. */
static void test_keystore_leaves_the_environment_alone(void)
{
    ir_keystore_opts o = {.module = "/nonexistent/libno-such-pkcs11.so",
                          .softhsm_dir = "/nonexistent/hsm"};
    ir_keystore *ks = NULL;
    const char *v;

    unsetenv("SOFTHSM2_CONF");
    CU_ASSERT_NOT_EQUAL(ir_keystore_open(&o, &ks, NULL), IR_OK);
    CU_ASSERT_PTR_NULL(getenv("SOFTHSM2_CONF"));
    ir_ks_softhsm_env_allow();
    CU_ASSERT_NOT_EQUAL(ir_keystore_open(&o, &ks, NULL), IR_OK);
    v = getenv("SOFTHSM2_CONF");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(v, "/nonexistent/hsm/softhsm2.conf");
    setenv("SOFTHSM2_CONF", "/elsewhere.conf", 1);
    CU_ASSERT_NOT_EQUAL(ir_keystore_open(&o, &ks, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(getenv("SOFTHSM2_CONF"), "/elsewhere.conf");
    unsetenv("SOFTHSM2_CONF");
}

/* -- refreshing, single-flight -- */

typedef struct fetch_ctx {
    atomic_int calls;
    atomic_int callers; /* threads about to call get */
    int wait_for_callers;
    int sleep_ms;
    int fail;            /* fetches fail while set */
    int64_t lifetime_ms; /* expiry of what a fetch returns, from now */
    int freed;
} fetch_ctx;

static ir_rc counting_fetch(void *ctx, ir_aws_creds **out, ir_err *err)
{
    fetch_ctx *f = ctx;
    int n = atomic_fetch_add(&f->calls, 1) + 1;
    char akid[32];

    /* Hold the fetch until every thread has arrived, so that all of them
     * must wait for this one fetch however the scheduler runs them. */
    for (int64_t t0 = ir_monotonic_ms();
         atomic_load(&f->callers) < f->wait_for_callers && ir_monotonic_ms() - t0 < 10000;)
        ir_sleep_ms(1);
    ir_sleep_ms(f->sleep_ms);
    if (f->fail)
        return ir_err_set(err, IR_ERR_AWS, "AccessDenied: fetch %d refused", n);
    snprintf(akid, sizeof(akid), "ASIAFETCH%d", n);
    return ir_aws_creds_new_secret(akid, "tmpsecret", "tmptoken", ir_realtime_ms() + f->lifetime_ms,
                                   out, err);
}

static void fetch_ctx_free(void *ctx)
{
    ((fetch_ctx *)ctx)->freed++;
}

static ir_aws_cred_provider *refreshing(fetch_ctx *f, int64_t margin_ms)
{
    ir_aws_cred_provider *p = NULL;

    CU_ASSERT_EQUAL(ir_aws_cred_provider_refreshing(counting_fetch, f, fetch_ctx_free, margin_ms,
                                                    "role arn:aws:iam::1:role/x", &p, NULL),
                    IR_OK);
    return p;
}

static void test_refreshing_fetches_when_needed(void)
{
    fetch_ctx f = {.lifetime_ms = 3600 * 1000};
    ir_aws_cred_provider *p;
    ir_aws_creds *c = NULL;
    ir_err err = {0};

    atomic_init(&f.calls, 0);
    atomic_init(&f.callers, 0);
    p = refreshing(&f, 60 * 1000);
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(c), "ASIAFETCH1");
    ir_aws_creds_unref(c);
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, NULL), IR_OK);
    ir_aws_creds_unref(c);
    CU_ASSERT_EQUAL(atomic_load(&f.calls), 1); /* still fresh: no fetch */
    ir_aws_cred_provider_free(p);
    CU_ASSERT_EQUAL(f.freed, 1);

    /* Credentials inside the margin are refreshed; a failure is reported
     * when nothing usable is left, and the next call tries again. */
    f.lifetime_ms = 30 * 1000;
    atomic_store(&f.calls, 0);
    p = refreshing(&f, 60 * 1000);
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, NULL), IR_OK);
    ir_aws_creds_unref(c);
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(c), "ASIAFETCH2");
    ir_aws_creds_unref(c);
    f.fail = 1;
    capture_start();
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, &err), IR_OK); /* not expired yet */
    capture_stop();
    CU_ASSERT_PTR_NOT_NULL(strstr(captured.text, "refresh failed"));
    CU_ASSERT_PTR_NULL(strstr(captured.text, "tmpsecret"));
    ir_aws_creds_unref(c);
    CU_ASSERT_EQUAL(atomic_load(&f.calls), 3);
    ir_aws_cred_provider_free(p);
}

static void test_refreshing_failure_is_reported_then_retried(void)
{
    fetch_ctx f = {.lifetime_ms = 3600 * 1000, .fail = 1};
    ir_aws_cred_provider *p;
    ir_aws_creds *c = NULL;
    ir_err err = {0};

    atomic_init(&f.calls, 0);
    atomic_init(&f.callers, 0);
    p = refreshing(&f, 1000);
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, &err), IR_ERR_AWS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "fetch 1 refused"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "role arn:aws:iam::1:role/x"));
    CU_ASSERT_PTR_NULL(c);
    f.fail = 0;
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &c, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(c), "ASIAFETCH2");
    ir_aws_creds_unref(c);
    ir_aws_cred_provider_free(p);
}

typedef struct waiter {
    ir_aws_cred_provider *p;
    fetch_ctx *f;
    ir_rc rc;
    ir_aws_creds *creds;
    ir_err err;
} waiter;

static void *waiter_run(void *arg)
{
    waiter *w = arg;

    atomic_fetch_add(&w->f->callers, 1);
    w->rc = ir_aws_cred_provider_get(w->p, &w->creds, &w->err);
    return NULL;
}

static void run_waiters(ir_aws_cred_provider *p, fetch_ctx *f, waiter *w, int n)
{
    pthread_t t[8];
    int i;

    atomic_store(&f->callers, 0);
    f->wait_for_callers = n;
    for (i = 0; i < n; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].p = p;
        w[i].f = f;
        pthread_create(&t[i], NULL, waiter_run, &w[i]);
    }
    for (i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

static void test_refreshing_is_single_flight(void)
{
    fetch_ctx f = {.lifetime_ms = 3600 * 1000, .sleep_ms = 200};
    ir_aws_cred_provider *p;
    waiter w[8];
    int i;

    atomic_init(&f.calls, 0);
    atomic_init(&f.callers, 0);
    p = refreshing(&f, 1000);
    run_waiters(p, &f, w, 8);
    CU_ASSERT_EQUAL(atomic_load(&f.calls), 1);
    for (i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(w[i].rc, IR_OK);
        CU_ASSERT_PTR_EQUAL(w[i].creds, w[0].creds);
    }
    for (i = 0; i < 8; i++)
        ir_aws_creds_unref(w[i].creds);

    /* A failed fetch reaches every waiter, and only one fetch was made. */
    ir_aws_cred_provider_free(p);
    atomic_store(&f.calls, 0);
    f.fail = 1;
    p = refreshing(&f, 1000);
    run_waiters(p, &f, w, 8);
    CU_ASSERT_EQUAL(atomic_load(&f.calls), 1);
    for (i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(w[i].rc, IR_ERR_AWS);
        CU_ASSERT_PTR_NOT_NULL(strstr(w[i].err.msg, "fetch 1 refused"));
    }
    ir_aws_cred_provider_free(p);
}

static int setup(void)
{
    const char *base = getenv("TMPDIR");

    snprintf(tmpdir, sizeof(tmpdir), "%s/iotreg-creds-XXXXXX", base != NULL ? base : "/tmp");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int teardown(void)
{
    char cmd[PATH_MAX + 16];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_secret_creds_compute_kdate),
        IR_TEST(test_bad_creds_are_refused),
        IR_TEST(test_kdate_creds_refcount_is_thread_safe),
        IR_TEST(test_static_provider),
        IR_TEST(test_env_provider_reads_at_each_get),
        IR_TEST(test_profile_file_parsing),
        IR_TEST(test_profile_errors_name_file_and_profile),
        IR_TEST(test_profile_bounds),
        IR_TEST(test_profile_defaults_from_env_and_reload),
        IR_TEST(test_profile_readable_by_others_is_refused),
        IR_TEST(test_profile_refused_on_reload_when_opened_up),
        IR_TEST(test_secret_file_refuses_links_and_open_modes),
        IR_TEST(test_pin_file_refuses_links),
        IR_TEST(test_keystore_leaves_the_environment_alone),
        IR_TEST(test_refreshing_fetches_when_needed),
        IR_TEST(test_refreshing_failure_is_reported_then_retried),
        IR_TEST(test_refreshing_is_single_flight),
        {NULL, NULL},
    };

    return ir_test_run("credentials", cases, setup, teardown);
}
