/* SigV4 against AWS's official test suite (read in place from
 * $IOTREG_SHARED_DIR/vectors/aws4_testsuite), plus the kDate callback path. */
#include "autoconf.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws/auth/credentials.h"
#include "aws/auth/sigv4.h"
#include "core/buf.h"
#include "core/hmac.h"
#include "core/util.h"
#include "testutil.h"

#define SUITE_AKID      "AKIDEXAMPLE"
#define SUITE_SECRET    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_REGION    "us-east-1"
#define SUITE_SERVICE   "service"
#define SUITE_DATE      "20150830T123600Z"
#define REQ_MAX_HEADERS 32
#define REQ_MAX_QUERY   32
#define FILE_MAX        (64u << 10)

static char suite_dir[PATH_MAX];

/* -- a bounded parser for the suite's .req files -- */

typedef struct parsed_req {
    char *text; /* the file, cut in place */
    const char *method;
    char *path;
    ir_aws_param query[REQ_MAX_QUERY];
    size_t n_query;
    ir_aws_param headers[REQ_MAX_HEADERS];
    size_t n_headers;
    const char *body;
    size_t body_len;
} parsed_req;

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* In-place percent-decoding; the suite's queries carry some names encoded. */
static void percent_decode(char *s)
{
    char *w = s;

    for (; *s != '\0'; s++) {
        if (s[0] == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
            *w++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 2;
        } else {
            *w++ = *s;
        }
    }
    *w = '\0';
}

static int parse_query(parsed_req *r, char *q)
{
    char *save = NULL, *pair;

    for (pair = strtok_r(q, "&", &save); pair != NULL; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');

        if (r->n_query >= REQ_MAX_QUERY)
            return -1;
        if (eq != NULL)
            *eq = '\0';
        percent_decode(pair);
        if (eq != NULL)
            percent_decode(eq + 1);
        r->query[r->n_query].name = pair;
        r->query[r->n_query].value = eq != NULL ? eq + 1 : "";
        r->n_query++;
    }
    return 0;
}

/* "METHOD PATH?QUERY HTTP/1.1"; the path may contain spaces (get-space). */
static int parse_request_line(parsed_req *r, char *line)
{
    char *sp = strchr(line, ' ');
    char *proto = strstr(line, " HTTP/");
    char *q;

    if (sp == NULL || proto == NULL || proto < sp)
        return -1;
    *sp = '\0';
    *proto = '\0';
    r->method = line;
    r->path = sp + 1;
    q = strchr(r->path, '?');
    if (q == NULL)
        return 0;
    *q = '\0';
    return parse_query(r, q + 1);
}

/* "Name:value" lines; a line starting with whitespace continues the last
 * value (get-header-value-multiline): the newline stays in the value and the
 * signer collapses it with the other whitespace. */
static int parse_header_line(parsed_req *r, char *line)
{
    char *colon;

    if ((line[0] == ' ' || line[0] == '\t') && r->n_headers > 0) {
        line[-1] = '\n'; /* re-join with the previous line */
        return 0;
    }
    colon = strchr(line, ':');
    if (colon == NULL || r->n_headers >= REQ_MAX_HEADERS)
        return -1;
    *colon = '\0';
    r->headers[r->n_headers].name = line;
    r->headers[r->n_headers].value = colon + 1;
    r->n_headers++;
    return 0;
}

static int parse_req(parsed_req *r, char *text, size_t len)
{
    char *line = text, *nl;
    int first = 1;

    memset(r, 0, sizeof(*r));
    r->text = text;
    for (;;) {
        nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        if (!first && line[0] == '\0')
            break;
        if (first ? parse_request_line(r, line) : parse_header_line(r, line))
            return -1;
        first = 0;
        if (nl == NULL)
            return 0;
        line = nl + 1;
    }
    r->body = nl != NULL ? nl + 1 : "";
    r->body_len = strlen(r->body);
    (void)len;
    return 0;
}

/* -- running one case -- */

static char *read_text(const char *path)
{
    ir_buf b;

    ir_buf_init(&b, FILE_MAX);
    if (ir_read_file(path, &b, NULL) != IR_OK) {
        ir_buf_free(&b);
        return NULL;
    }
    return ir_buf_steal(&b, NULL);
}

static char *read_case_file(const char *dir, const char *name, const char *ext)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
    return read_text(path);
}

static int has_header(const parsed_req *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->n_headers; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return 1;
    return 0;
}

/* The suite's get-vanilla-with-session-token expects the signer to add the
 * token header itself: its value is only in the expected canonical request. */
static char *token_to_add(const parsed_req *r, const char *creq)
{
    const char *t = strstr(creq, "\nx-amz-security-token:");
    size_t n;
    char *tok;

    if (t == NULL || has_header(r, "X-Amz-Security-Token"))
        return NULL;
    t += strlen("\nx-amz-security-token:");
    n = strcspn(t, "\n");
    tok = malloc(n + 1);
    memcpy(tok, t, n);
    tok[n] = '\0';
    return tok;
}

static int compare_stage(const char *name, const char *stage, const char *got, const char *want)
{
    size_t wl = strlen(want);

    while (wl > 0 && want[wl - 1] == '\n')
        wl--;
    if (strlen(got) == wl && memcmp(got, want, wl) == 0)
        return 0;
    fprintf(stderr, "\n%s: %s differs\n--- want\n%.*s\n--- got\n%s\n", name, stage, (int)wl, want,
            got);
    return 1;
}

static int sign_case(const char *name, parsed_req *r, const char *token, ir_sigv4_output *out)
{
    ir_sigv4_input in = {r->method,  r->path,      r->query,      r->n_query,
                         r->headers, r->n_headers, r->body,       r->body_len,
                         SUITE_DATE, SUITE_REGION, SUITE_SERVICE, false};
    ir_aws_creds *creds = NULL;
    ir_err err = {0};
    ir_rc rc = ir_aws_creds_new_secret(SUITE_AKID, SUITE_SECRET, token, 0, &creds, &err);

    if (rc == IR_OK)
        rc = ir_sigv4_sign(&in, creds, out, &err);
    ir_aws_creds_unref(creds);
    if (rc != IR_OK)
        fprintf(stderr, "\n%s: signing failed: %s\n", name, err.msg);
    return rc == IR_OK ? 0 : 1;
}

/* Returns the number of failed stages (0 when the case passes). */
static int run_case(const char *dir, const char *name)
{
    char *req = read_case_file(dir, name, "req"), *creq = read_case_file(dir, name, "creq");
    char *sts = read_case_file(dir, name, "sts"), *authz = read_case_file(dir, name, "authz");
    char *token = NULL;
    ir_sigv4_output out;
    parsed_req r;
    int failed = 1;

    ir_sigv4_output_init(&out);
    if (req == NULL || creq == NULL || sts == NULL || authz == NULL ||
        parse_req(&r, req, strlen(req)) != 0) {
        fprintf(stderr, "\n%s: missing or unparsable case files\n", name);
        goto out;
    }
    token = token_to_add(&r, creq);
    if (sign_case(name, &r, token, &out) != 0)
        goto out;
    failed = compare_stage(name, "canonical request", ir_buf_cstr(&out.canonical_request), creq) +
             compare_stage(name, "string to sign", ir_buf_cstr(&out.string_to_sign), sts) +
             compare_stage(name, "authorization", ir_buf_cstr(&out.authorization), authz);
out:
    ir_sigv4_output_free(&out);
    free(req), free(creq), free(sts), free(authz), free(token);
    return failed;
}

typedef struct walk_stats {
    int cases;
    int failed;
} walk_stats;

static void walk(const char *dir, int depth, walk_stats *st)
{
    const char *base = strrchr(dir, '/') != NULL ? strrchr(dir, '/') + 1 : dir;
    char path[PATH_MAX];
    struct dirent *de;
    struct stat sb;
    DIR *d;

    snprintf(path, sizeof(path), "%s/%s.req", dir, base);
    if (stat(path, &sb) == 0) {
        st->cases++;
        st->failed += run_case(dir, base) != 0;
    }
    if (depth >= 3 || (d = opendir(dir)) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            walk(path, depth + 1, st);
    }
    closedir(d);
}

static int count_req_files(const char *dir, int depth)
{
    char path[PATH_MAX];
    struct dirent *de;
    struct stat sb;
    int n = 0;
    DIR *d = opendir(dir);

    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".req") == 0)
            n++;
        else if (depth < 3 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            n += count_req_files(path, depth + 1);
    }
    closedir(d);
    return n;
}

static void test_every_suite_case_passes(void)
{
    walk_stats st = {0, 0};
    int expected = count_req_files(suite_dir, 0);

    walk(suite_dir, 0, &st);
    fprintf(stderr, "\naws4_testsuite: %d cases, %d failed (%d .req files)\n", st.cases, st.failed,
            expected);
    CU_ASSERT(st.cases > 0);
    CU_ASSERT_EQUAL(st.cases, expected);
    CU_ASSERT_EQUAL(st.failed, 0);
}

/* -- kDate through a callback (the HSM path) -- */

typedef struct kdate_ctx {
    unsigned char kdate[IR_AWS_KDATE_LEN]; /* precomputed: the signer never sees the secret */
    char date_asked[16];
    int calls;
    int freed;
} kdate_ctx;

static ir_rc precomputed_kdate(void *ctx, const char *date, unsigned char out[IR_AWS_KDATE_LEN],
                               ir_err *err)
{
    kdate_ctx *k = ctx;

    k->calls++;
    snprintf(k->date_asked, sizeof(k->date_asked), "%s", date);
    memcpy(out, k->kdate, IR_AWS_KDATE_LEN);
    return IR_OK;
}

static void kdate_ctx_free(void *ctx)
{
    ((kdate_ctx *)ctx)->freed++;
}

static ir_aws_param vanilla_headers[] = {{"Host", "example.amazonaws.com"},
                                         {"X-Amz-Date", SUITE_DATE}};

static ir_rc sign_vanilla(const ir_aws_creds *creds, ir_sigv4_output *out, ir_err *err)
{
    ir_sigv4_input in = {"GET",      "/",          NULL,          0,    vanilla_headers, 2, NULL, 0,
                         SUITE_DATE, SUITE_REGION, SUITE_SERVICE, false};

    return ir_sigv4_sign(&in, creds, out, err);
}

static void test_kdate_callback_matches_secret(void)
{
    static kdate_ctx k;
    ir_aws_creds *plain = NULL, *hsm = NULL;
    ir_sigv4_output a, b;
    char key[64];

    memset(&k, 0, sizeof(k));
    /* What the HSM would compute, done here once; the secret is then gone. */
    snprintf(key, sizeof(key), "AWS4%s", SUITE_SECRET);
    CU_ASSERT_EQUAL_FATAL(ir_hmac_sha256(key, strlen(key), "20150830", 8, k.kdate, NULL), IR_OK);
    memset(key, 0, sizeof(key));
    CU_ASSERT_EQUAL_FATAL(ir_aws_creds_new_secret(SUITE_AKID, SUITE_SECRET, NULL, 0, &plain, NULL),
                          IR_OK);
    CU_ASSERT_EQUAL_FATAL(
        ir_aws_creds_new_kdate(SUITE_AKID, precomputed_kdate, &k, kdate_ctx_free, &hsm, NULL),
        IR_OK);
    CU_ASSERT_TRUE(ir_aws_creds_holds_secret(plain));
    CU_ASSERT_FALSE(ir_aws_creds_holds_secret(hsm));
    ir_sigv4_output_init(&a);
    ir_sigv4_output_init(&b);
    CU_ASSERT_EQUAL(sign_vanilla(plain, &a, NULL), IR_OK);
    CU_ASSERT_EQUAL(sign_vanilla(hsm, &b, NULL), IR_OK);
    CU_ASSERT_EQUAL(k.calls, 1);
    CU_ASSERT_STRING_EQUAL(k.date_asked, "20150830");
    CU_ASSERT_STRING_EQUAL(ir_buf_cstr(&a.authorization), ir_buf_cstr(&b.authorization));
    ir_sigv4_output_free(&a);
    ir_sigv4_output_free(&b);
    ir_aws_creds_unref(plain);
    ir_aws_creds_unref(hsm);
    CU_ASSERT_EQUAL(k.freed, 1);
}

static ir_rc failing_kdate(void *ctx, const char *date, unsigned char out[IR_AWS_KDATE_LEN],
                           ir_err *err)
{
    return ir_err_set(err, IR_ERR_PKCS11, "token removed");
}

static void test_kdate_failure_is_reported(void)
{
    ir_aws_creds *hsm = NULL;
    ir_sigv4_output out;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_aws_creds_new_kdate("AKIDHSM", failing_kdate, NULL, NULL, &hsm, NULL),
                          IR_OK);
    ir_sigv4_output_init(&out);
    CU_ASSERT_EQUAL(sign_vanilla(hsm, &out, &err), IR_ERR_PKCS11);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "token removed"));
    CU_ASSERT_EQUAL(out.authorization.len, 0);
    ir_sigv4_output_free(&out);
    ir_aws_creds_unref(hsm);
}

/* -- stages the suite does not cover -- */

static void check_uri(const char *path, const char *want)
{
    ir_buf b;

    ir_buf_init(&b, 4096);
    CU_ASSERT_EQUAL(ir_sigv4_canonical_uri(path, false, &b, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_buf_cstr(&b), want);
    ir_buf_free(&b);
}

static void test_path_is_double_encoded(void)
{
    check_uri("/things/a%3Ab", "/things/a%253Ab");
    check_uri("/policies/p%20q", "/policies/p%2520q");
    check_uri("", "/");
    check_uri("/a/./b/../c//", "/a/c/");
    check_uri("/../..", "/");
}

static void test_query_encoding_and_order(void)
{
    ir_aws_param q[] = {
        {"newStatus", "ACTIVE"}, {"b", "x y+z"}, {"a", NULL}, {"a", "="}, {"A", "~"}};
    ir_buf b;

    ir_buf_init(&b, 4096);
    CU_ASSERT_EQUAL(ir_sigv4_canonical_query(q, 5, &b, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_buf_cstr(&b), "A=~&a=&a=%3D&b=x%20y%2Bz&newStatus=ACTIVE");
    ir_buf_free(&b);
}

static void test_session_token_is_added_and_signed(void)
{
    ir_aws_creds *creds = NULL;
    ir_sigv4_output out;

    CU_ASSERT_EQUAL_FATAL(
        ir_aws_creds_new_secret("ASIAEXAMPLE", "s3cr3t", "TOKEN/+=", 0, &creds, NULL), IR_OK);
    ir_sigv4_output_init(&out);
    {
        ir_aws_param h[] = {{"Host", "iot.eu-west-1.amazonaws.com"}};
        ir_sigv4_input in = {"GET", "/registrationcode", NULL,        0,     h,    1, NULL,
                             0,     "20240102T030405Z",  "eu-west-1", "iot", false};

        CU_ASSERT_EQUAL(ir_sigv4_sign(&in, creds, &out, NULL), IR_OK);
    }
    CU_ASSERT_TRUE(out.add_date_header);
    CU_ASSERT_TRUE(out.add_token_header);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(ir_buf_cstr(&out.canonical_request), "\nx-amz-security-token:TOKEN/+=\n"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(ir_buf_cstr(&out.authorization),
               "Credential=ASIAEXAMPLE/20240102/eu-west-1/iot/aws4_request, "
               "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature="));
    CU_ASSERT_PTR_NULL(strstr(ir_buf_cstr(&out.authorization), "TOKEN"));
    ir_sigv4_output_free(&out);
    ir_aws_creds_unref(creds);
}

static void test_bad_inputs_are_refused(void)
{
    ir_aws_creds *creds = NULL;
    ir_aws_param no_host[] = {{"X-Amz-Date", SUITE_DATE}};
    ir_sigv4_input in = {"GET",      "/",          NULL,          0,    no_host, 1, NULL, 0,
                         SUITE_DATE, SUITE_REGION, SUITE_SERVICE, false};
    ir_sigv4_output out;
    ir_err err = {0};

    ir_aws_creds_new_secret(SUITE_AKID, SUITE_SECRET, NULL, 0, &creds, NULL);
    ir_sigv4_output_init(&out);
    CU_ASSERT_EQUAL(ir_sigv4_sign(&in, creds, &out, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Host"));
    in.headers = vanilla_headers;
    in.n_headers = 2;
    in.region = "us-east-1.evil.com/";
    CU_ASSERT_EQUAL(ir_sigv4_sign(&in, creds, &out, &err), IR_ERR_INVALID_ARG);
    in.region = SUITE_REGION;
    in.amz_date = "2015-08-30";
    CU_ASSERT_EQUAL(ir_sigv4_sign(&in, creds, &out, &err), IR_ERR_INVALID_ARG);
    ir_sigv4_output_free(&out);
    ir_aws_creds_unref(creds);
}

static void test_amz_date_format(void)
{
    char d[IR_SIGV4_AMZ_DATE_LEN + 1];

    ir_sigv4_amz_date(1440938160123LL, d);
    CU_ASSERT_STRING_EQUAL(d, "20150830T123600Z");
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_every_suite_case_passes),
        IR_TEST(test_kdate_callback_matches_secret),
        IR_TEST(test_kdate_failure_is_reported),
        IR_TEST(test_path_is_double_encoded),
        IR_TEST(test_query_encoding_and_order),
        IR_TEST(test_session_token_is_added_and_signed),
        IR_TEST(test_bad_inputs_are_refused),
        IR_TEST(test_amz_date_format),
        {NULL, NULL},
    };
    const char *shared = getenv("IOTREG_SHARED_DIR");
    struct stat sb;

    snprintf(suite_dir, sizeof(suite_dir), "%s/vectors/aws4_testsuite",
             shared != NULL ? shared : "../shared");
    if (stat(suite_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("SKIP: AWS SigV4 test suite not found at %s (set IOTREG_SHARED_DIR)\n"
               "0 passed, 0 failed\n",
               suite_dir);
        return IR_TEST_SKIP;
    }
    return ir_test_run("sigv4", cases, NULL, NULL);
}
