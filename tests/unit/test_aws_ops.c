/* The typed IoT and STS operations through the real transport against the
 * local AWS emulator (tests/aws-ops.test and tests/aws-rate.test start it
 * and pass its URL and accounts by environment):
 *   test_aws_ops ops    every operation, the AWS errors callers rely on, and
 *                       the AssumeRole credential provider;
 *   test_aws_ops rate   200 DescribeCertificate through one 10 TPS bucket. */
#include "autoconf.h"

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/auth/assume_role.h"
#include "aws/iot/iot.h"
#include "aws/sts/sts.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"
#include "testutil.h"

#define N_DEVICES     5
#define RATE_REQUESTS 200

/* ---- the emulator's accounts, from the environment ---- */

static struct {
    const char *url, *region;
    const char *csp, *csp_key, *csp_secret;
    const char *customer, *role_arn, *external_id;
    const char *other, *other_key, *other_secret;
} env;

static const char *need_env(const char *name, int *missing)
{
    const char *v = getenv(name);

    if (v == NULL || v[0] == '\0') {
        fprintf(stderr, "environment variable %s is not set (run through tests/aws-ops.test)\n",
                name);
        (*missing)++;
    }
    return v;
}

static int read_env(void)
{
    int missing = 0;

    env.url = need_env("IR_EMU_URL", &missing);
    env.region = need_env("IR_EMU_REGION", &missing);
    env.csp = need_env("IR_CSP_ACCOUNT", &missing);
    env.csp_key = need_env("IR_CSP_KEY_ID", &missing);
    env.csp_secret = need_env("IR_CSP_SECRET", &missing);
    env.customer = need_env("IR_CUSTOMER_ACCOUNT", &missing);
    env.role_arn = need_env("IR_CUSTOMER_ROLE_ARN", &missing);
    env.external_id = need_env("IR_CUSTOMER_EXTERNAL_ID", &missing);
    env.other = need_env("IR_OTHER_ACCOUNT", &missing);
    env.other_key = need_env("IR_OTHER_KEY_ID", &missing);
    env.other_secret = need_env("IR_OTHER_SECRET", &missing);
    return missing;
}

/* ---- test certificates (OpenSSL) ---- */

typedef struct test_cert {
    EVP_PKEY *key;
    X509 *x509;
    char *pem;
    char id[IR_SHA256_HEX_LEN + 1];
} test_cert;

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    ok = ext != NULL && X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

static int cert_finish(test_cert *c)
{
    unsigned char *der = NULL;
    int n = i2d_X509(c->x509, &der);
    BIO *bio = BIO_new(BIO_s_mem());
    char *data;
    long len;
    int ok = n > 0 && bio != NULL && PEM_write_bio_X509(bio, c->x509);

    ok = ok && ir_sha256_hex(der, (size_t)n, c->id, NULL) == IR_OK;
    len = ok ? BIO_get_mem_data(bio, &data) : 0;
    c->pem = ok ? malloc((size_t)len + 1) : NULL;
    if (c->pem != NULL) {
        memcpy(c->pem, data, (size_t)len);
        c->pem[len] = '\0';
    }
    OPENSSL_free(der);
    BIO_free(bio);
    return c->pem != NULL;
}

/* A P-256 certificate for cn, signed by issuer (self-signed when NULL). */
static int make_cert(test_cert *c, const char *cn, const test_cert *issuer, int is_ca, long serial)
{
    X509_NAME *name;
    int ok;

    memset(c, 0, sizeof(*c));
    c->key = EVP_EC_gen("P-256");
    c->x509 = X509_new();
    if (c->key == NULL || c->x509 == NULL)
        return 0;
    name = X509_get_subject_name(c->x509);
    ok = X509_set_version(c->x509, 2) && ASN1_INTEGER_set(X509_get_serialNumber(c->x509), serial);
    ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
                                          -1, 0);
    ok = ok && X509_set_issuer_name(c->x509, issuer ? X509_get_subject_name(issuer->x509) : name);
    ok = ok && X509_gmtime_adj(X509_getm_notBefore(c->x509), -3600) &&
         X509_gmtime_adj(X509_getm_notAfter(c->x509), 30L * 86400) &&
         X509_set_pubkey(c->x509, c->key);
    ok = ok && add_ext(c->x509, issuer ? issuer->x509 : c->x509, NID_basic_constraints,
                       is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    ok = ok && X509_sign(c->x509, issuer ? issuer->key : c->key, EVP_sha256()) > 0;
    return ok && cert_finish(c);
}

static void cert_free(test_cert *c)
{
    EVP_PKEY_free(c->key);
    X509_free(c->x509);
    free(c->pem);
    memset(c, 0, sizeof(*c));
}

/* ---- the emulator's admin API (plain libcurl, unsigned) ---- */

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
    return ir_buf_append(userdata, p, size * n, NULL) == IR_OK ? size * n : 0;
}

static json_t *emu_admin(const char *method, const char *path, const char *body)
{
    CURL *curl = curl_easy_init();
    char url[512];
    ir_buf b;
    long status = 0;
    json_t *out = NULL;

    ir_buf_init(&b, 64u << 20);
    snprintf(url, sizeof(url), "%s/_emu/%s", env.url, path);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (body != NULL)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    if (curl_easy_perform(curl) == CURLE_OK &&
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status == 200)
        out = json_loadb((const char *)b.data, b.len, 0, NULL);
    curl_easy_cleanup(curl);
    ir_buf_free(&b);
    return out;
}

/* The emulator's view of certificate id in account, or NULL. */
static json_t *emu_certificate(json_t *account, const char *id)
{
    json_t *certs = json_object_get(account, "certificates"), *c;
    size_t i;

    json_array_foreach(certs, i, c)
    {
        const char *cid = json_string_value(json_object_get(c, "id"));

        if (cid != NULL && strcmp(cid, id) == 0)
            return c;
    }
    return NULL;
}

/* Requests of operation op in account's request log. */
static int emu_logged(const char *account, const char *op)
{
    char path[64];
    json_t *acc, *e;
    size_t i;
    int n = 0;

    snprintf(path, sizeof(path), "accounts/%s", account);
    acc = emu_admin("GET", path, NULL);
    if (acc == NULL)
        return -1;
    json_array_foreach(json_object_get(acc, "requestLog"), i, e)
    {
        const char *o = json_string_value(json_object_get(e, "operation"));
        n += o != NULL && strcmp(o, op) == 0;
    }
    json_decref(acc);
    return n;
}

/* ---- fixture ---- */

static ir_aws_client *client;
static ir_aws_cred_provider *csp_creds, *other_creds, *customer_creds;
static ir_iot_target csp_t, other_t, customer_t;
static test_cert ca, devices[N_DEVICES];
static char policy_name[] = "iotreg-device-policy";
static const char policy_doc[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                                 "\"Action\":\"iot:Connect\",\"Resource\":\"*\"}]}";

static ir_rc static_provider(const char *key, const char *secret, ir_aws_cred_provider **out)
{
    ir_aws_creds *creds;
    ir_rc rc = ir_aws_creds_new_secret(key, secret, NULL, 0, &creds, NULL);

    if (rc == IR_OK)
        rc = ir_aws_cred_provider_static(creds, out, NULL);
    ir_aws_creds_unref(creds);
    return rc;
}

static ir_rc new_client(int max_attempts, ir_aws_client **out)
{
    ir_aws_client_opts o;

    ir_aws_client_opts_default(&o);
    o.endpoint = env.url;
    o.allow_http = true;
    o.max_attempts = max_attempts;
    return ir_aws_client_new(&o, out, NULL);
}

static ir_rc assume_role_provider(int duration, int64_t margin_ms, ir_aws_cred_provider **out)
{
    ir_assume_role_opts o = {0};

    o.client = client;
    o.source = csp_t;
    o.role_arn = env.role_arn;
    o.external_id = env.external_id;
    o.session_name = "iotreg-test";
    o.duration_seconds = duration;
    o.margin_ms = margin_ms;
    return ir_aws_cred_provider_assume_role(&o, out, NULL);
}

static int make_certs(void)
{
    int i, ok = make_cert(&ca, "iotreg test SubCA", NULL, 1, 1);
    char cn[64];

    for (i = 0; i < N_DEVICES && ok; i++) {
        snprintf(cn, sizeof(cn), "device-%d", i);
        ok = make_cert(&devices[i], cn, &ca, 0, 100 + i);
    }
    return ok;
}

static int suite_init(void)
{
    ir_log_set_level(IR_LOG_WARN);
    if (read_env() != 0 || !make_certs() || new_client(8, &client) != IR_OK)
        return 1;
    if (static_provider(env.csp_key, env.csp_secret, &csp_creds) != IR_OK ||
        static_provider(env.other_key, env.other_secret, &other_creds) != IR_OK)
        return 1;
    csp_t = (ir_iot_target){env.region, csp_creds, env.csp, NULL};
    other_t = (ir_iot_target){env.region, other_creds, env.other, NULL};
    if (assume_role_provider(900, 0, &customer_creds) != IR_OK)
        return 1;
    customer_t = (ir_iot_target){env.region, customer_creds, env.customer, NULL};
    return 0;
}

static int suite_clean(void)
{
    int i;

    ir_aws_cred_provider_free(customer_creds);
    ir_aws_cred_provider_free(csp_creds);
    ir_aws_cred_provider_free(other_creds);
    ir_aws_client_free(client);
    cert_free(&ca);
    for (i = 0; i < N_DEVICES; i++)
        cert_free(&devices[i]);
    return 0;
}

static void expect_aws_error(ir_rc rc, const ir_aws_error *aerr, const ir_err *err,
                             const char *type, long status)
{
    CU_ASSERT_EQUAL(rc, IR_ERR_AWS);
    if (!ir_aws_error_is(aerr, type))
        fprintf(stderr, "\nexpected %s, got rc=%s type='%s' status=%ld: %s\n", type, ir_rc_name(rc),
                aerr->type, aerr->http_status, err->msg);
    CU_ASSERT_STRING_EQUAL(aerr->type, type);
    if (status != 0)
        CU_ASSERT_EQUAL(aerr->http_status, status);
}

static void describe_status(const ir_iot_target *t, const char *id, ir_iot_cert_status want)
{
    ir_iot_cert_desc d = {0};
    ir_aws_error aerr;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_iot_describe_certificate(client, t, id, &d, &aerr, &err), IR_OK);
    if (d.status != want)
        fprintf(stderr, "\n%s: status %s, expected %s\n", id, ir_iot_cert_status_name(d.status),
                ir_iot_cert_status_name(want));
    CU_ASSERT_EQUAL(d.status, want);
    ir_iot_cert_desc_free(&d);
}

static char *cert_arn(const char *account, const char *id)
{
    char *arn = NULL;

    CU_ASSERT(asprintf(&arn, "arn:aws:iot:%s:%s:cert/%s", env.region, account, id) > 0);
    return arn;
}

/* ---- STS ---- */

static void test_get_caller_identity(void)
{
    ir_sts_identity id = {0};
    ir_aws_error aerr;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_sts_get_caller_identity(client, &csp_t, &id, &aerr, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(id.account, env.csp);
    CU_ASSERT(strstr(id.arn, env.csp) != NULL);
    CU_ASSERT_PTR_NOT_NULL(id.user_id);
    ir_sts_identity_free(&id);
    CU_ASSERT_EQUAL_FATAL(ir_sts_get_caller_identity(client, &customer_t, &id, &aerr, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(id.account, env.customer);
    CU_ASSERT(strstr(id.arn, "assumed-role") != NULL);
    ir_sts_identity_free(&id);
}

/* DescribeEndpoint: one endpoint per account (the customer's, asked with
 * its role, is not the CSP's), ATS and legacy apart, a bad type refused. */
static void test_describe_endpoint(void)
{
    char *csp_ep = NULL, *cust_ep = NULL, *legacy = NULL, *bad = NULL;
    char suffix[64];
    ir_aws_error aerr = {0};
    ir_err err = {0};

    snprintf(suffix, sizeof(suffix), "-ats.iot.%s.", env.region);
    CU_ASSERT_EQUAL_FATAL(
        ir_iot_describe_endpoint(client, &csp_t, IR_IOT_ENDPOINT_DATA_ATS, &csp_ep, &aerr, &err),
        IR_OK);
    CU_ASSERT_EQUAL_FATAL(ir_iot_describe_endpoint(client, &customer_t, IR_IOT_ENDPOINT_DATA_ATS,
                                                   &cust_ep, &aerr, &err),
                          IR_OK);
    CU_ASSERT(strstr(csp_ep, suffix) != NULL);
    CU_ASSERT(strstr(cust_ep, suffix) != NULL);
    CU_ASSERT(strcmp(csp_ep, cust_ep) != 0);
    CU_ASSERT_EQUAL(ir_iot_describe_endpoint(client, &csp_t, "iot:Data", &legacy, &aerr, &err),
                    IR_OK);
    CU_ASSERT(legacy != NULL && strstr(legacy, "-ats.") == NULL);
    expect_aws_error(ir_iot_describe_endpoint(client, &csp_t, "iot:Nope", &bad, &aerr, &err), &aerr,
                     &err, "InvalidRequestException", 400);
    CU_ASSERT_PTR_NULL(bad);
    free(csp_ep);
    free(cust_ep);
    free(legacy);
}

static void test_assume_role_needs_the_external_id(void)
{
    ir_sts_assume_role_args args = {env.role_arn, "iotreg-check", NULL, 900};
    ir_sts_credentials sc = {0};
    ir_aws_error aerr;
    ir_err err = {0};
    ir_rc rc;

    rc = ir_sts_assume_role(client, &csp_t, &args, &sc, &aerr, &err);
    expect_aws_error(rc, &aerr, &err, "AccessDenied", 403);
    CU_ASSERT_PTR_NULL(sc.session_token);
    args.external_id = "not-the-right-one";
    rc = ir_sts_assume_role(client, &csp_t, &args, &sc, &aerr, &err);
    expect_aws_error(rc, &aerr, &err, "AccessDenied", 403);
    CU_ASSERT_EQUAL(aerr.attempts, 1);
    args.external_id = env.external_id;
    CU_ASSERT_EQUAL(ir_sts_assume_role(client, &csp_t, &args, &sc, &aerr, &err), IR_OK);
    CU_ASSERT(sc.expiration_ms > ir_realtime_ms() + 800 * 1000);
    CU_ASSERT(sc.expiration_ms < ir_realtime_ms() + 1000 * 1000);
    CU_ASSERT(strstr(sc.assumed_role_arn, "iotreg-check") != NULL);
    ir_sts_credentials_free(&sc);
}

/* ---- CA and registration ---- */

static char *registration_code(void)
{
    char *code = NULL;
    ir_aws_error aerr;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_iot_get_registration_code(client, &csp_t, &code, &aerr, &err), IR_OK);
    return code;
}

static void check_ca_registered(void)
{
    ir_iot_ca_desc d = {0};
    ir_iot_cert_list l = {0};
    ir_aws_error aerr;
    ir_err err = {0};
    size_t i, found = 0;

    CU_ASSERT_EQUAL_FATAL(ir_iot_describe_ca_certificate(client, &csp_t, ca.id, &d, &aerr, &err),
                          IR_OK);
    CU_ASSERT_EQUAL(d.status, IR_IOT_STATUS_ACTIVE);
    CU_ASSERT_STRING_EQUAL(d.owned_by, env.csp);
    CU_ASSERT_STRING_EQUAL(d.certificate_mode, "DEFAULT");
    ir_iot_ca_desc_free(&d);
    CU_ASSERT_EQUAL(ir_iot_list_all_ca_certificates(client, &csp_t, &l, &aerr, &err), IR_OK);
    for (i = 0; i < l.n; i++)
        found += strcmp(l.items[i].certificate_id, ca.id) == 0;
    CU_ASSERT_EQUAL(found, 1);
    ir_iot_cert_list_free(&l);
}

static void test_register_ca_certificate(void)
{
    char *code = registration_code();
    char *again = registration_code();
    test_cert verification;
    ir_iot_register_ca_args args = {ca.pem, NULL, "DEFAULT", true, false};
    ir_iot_cert_ref ref = {0};
    ir_aws_error aerr;
    ir_err err = {0};

    CU_ASSERT_PTR_NOT_NULL_FATAL(code);
    CU_ASSERT_STRING_EQUAL(code, again); /* stable per account */
    CU_ASSERT_FATAL(make_cert(&verification, code, &ca, 0, 2));
    args.verification_certificate_pem = verification.pem;
    CU_ASSERT_EQUAL_FATAL(ir_iot_register_ca_certificate(client, &csp_t, &args, &ref, &aerr, &err),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(ref.certificate_id, ca.id);
    CU_ASSERT(strstr(ref.certificate_arn, ca.id) != NULL);
    ir_iot_cert_ref_free(&ref);
    check_ca_registered();
    cert_free(&verification);
    free(code);
    free(again);
}

static void test_register_certificates(void)
{
    ir_iot_register_cert_args args = {NULL, ca.pem, IR_IOT_STATUS_INACTIVE};
    ir_iot_cert_desc d = {0};
    ir_iot_cert_ref ref = {0};
    ir_aws_error aerr;
    ir_err err = {0};
    int i;

    for (i = 0; i < N_DEVICES - 1; i++) {
        args.certificate_pem = devices[i].pem;
        CU_ASSERT_EQUAL(ir_iot_register_certificate(client, &csp_t, &args, &ref, &aerr, &err),
                        IR_OK);
        CU_ASSERT_STRING_EQUAL(ref.certificate_id, devices[i].id);
        ir_iot_cert_ref_free(&ref);
    }
    CU_ASSERT_EQUAL_FATAL(
        ir_iot_describe_certificate(client, &csp_t, devices[0].id, &d, &aerr, &err), IR_OK);
    CU_ASSERT_EQUAL(d.status, IR_IOT_STATUS_INACTIVE);
    CU_ASSERT_STRING_EQUAL(d.owned_by, env.csp);
    CU_ASSERT_STRING_EQUAL(d.ca_certificate_id, ca.id);
    CU_ASSERT_STRING_EQUAL(d.certificate_pem, devices[0].pem);
    CU_ASSERT(d.creation_date_ms > ir_realtime_ms() - 3600 * 1000);
    CU_ASSERT_FALSE(d.has_transfer_data && d.transfer_data.transfer_date_ms != 0);
    ir_iot_cert_desc_free(&d);
}

static void test_duplicate_registration_keeps_resource_id(void)
{
    ir_iot_register_cert_args args = {devices[0].pem, ca.pem, IR_IOT_STATUS_INACTIVE};
    ir_iot_cert_ref ref = {0};
    ir_aws_error aerr;
    ir_err err = {0};
    ir_rc rc = ir_iot_register_certificate(client, &csp_t, &args, &ref, &aerr, &err);

    expect_aws_error(rc, &aerr, &err, "ResourceAlreadyExistsException", 409);
    CU_ASSERT_EQUAL(aerr.attempts, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref.certificate_id);
    CU_ASSERT_STRING_EQUAL(ref.certificate_id, devices[0].id);
    CU_ASSERT_PTR_NOT_NULL(ref.certificate_arn);
    ir_iot_cert_ref_free(&ref);
}

static void test_list_certificates_follows_markers(void)
{
    ir_iot_page_opts page = {1, NULL, true};
    ir_iot_cert_list first = {0}, all = {0};
    ir_aws_error aerr;
    ir_err err = {0};
    size_t i, j, found = 0;

    CU_ASSERT_EQUAL_FATAL(ir_iot_list_certificates(client, &csp_t, &page, &first, &aerr, &err),
                          IR_OK);
    CU_ASSERT_EQUAL(first.n, 1);
    CU_ASSERT_PTR_NOT_NULL(first.next_marker);
    CU_ASSERT_EQUAL_FATAL(ir_iot_list_all_certificates(client, &csp_t, 1, &all, &aerr, &err),
                          IR_OK);
    CU_ASSERT_EQUAL(all.n, N_DEVICES - 1);
    CU_ASSERT_PTR_NULL(all.next_marker);
    for (i = 0; i < N_DEVICES - 1; i++)
        for (j = 0; j < all.n; j++)
            found += strcmp(all.items[j].certificate_id, devices[i].id) == 0;
    CU_ASSERT_EQUAL(found, N_DEVICES - 1);
    ir_iot_cert_list_free(&first);
    ir_iot_cert_list_free(&all);
}

/* ---- transfer refusals ---- */

static void test_transfer_of_active_certificate_is_refused(void)
{
    const char *id = devices[0].id;
    ir_aws_error aerr;
    ir_err err = {0};
    ir_rc rc;

    CU_ASSERT_EQUAL(
        ir_iot_update_certificate(client, &csp_t, id, IR_IOT_STATUS_ACTIVE, &aerr, &err), IR_OK);
    describe_status(&csp_t, id, IR_IOT_STATUS_ACTIVE);
    rc = ir_iot_transfer_certificate(client, &csp_t, id, env.customer, NULL, NULL, &aerr, &err);
    expect_aws_error(rc, &aerr, &err, "CertificateStateException", 406);
    CU_ASSERT_FALSE(aerr.retryable);
    CU_ASSERT_EQUAL(
        ir_iot_update_certificate(client, &csp_t, id, IR_IOT_STATUS_INACTIVE, &aerr, &err), IR_OK);
    describe_status(&csp_t, id, IR_IOT_STATUS_INACTIVE);
}

static int attached(const ir_iot_target *t, const char *arn, const char *policy)
{
    ir_iot_attached_args args = {arn, true, 0, NULL};
    ir_iot_policy_list l = {0};
    ir_aws_error aerr;
    ir_err err = {0};
    size_t i;
    int n = 0;

    CU_ASSERT_EQUAL(ir_iot_list_all_attached_policies(client, t, &args, &l, &aerr, &err), IR_OK);
    for (i = 0; i < l.n; i++)
        n += strcmp(l.items[i].policy_name, policy) == 0;
    ir_iot_policy_list_free(&l);
    return n;
}

static void create_policy(const ir_iot_target *t, const char *account)
{
    ir_iot_policy p = {0};
    ir_aws_error aerr;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_iot_create_policy(client, t, policy_name, policy_doc, &p, &aerr, &err),
                    IR_OK);
    CU_ASSERT_STRING_EQUAL(p.policy_name, policy_name);
    CU_ASSERT(strstr(p.policy_arn, account) != NULL);
    CU_ASSERT_STRING_EQUAL(p.version_id, "1");
    ir_iot_policy_free(&p);
    CU_ASSERT_EQUAL(ir_iot_get_policy(client, t, policy_name, &p, &aerr, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(p.policy_document, policy_doc);
    CU_ASSERT_STRING_EQUAL(p.version_id, "1");
    ir_iot_policy_free(&p);
    CU_ASSERT_EQUAL(ir_iot_create_policy(client, t, policy_name, policy_doc, &p, &aerr, &err),
                    IR_ERR_AWS);
    CU_ASSERT_STRING_EQUAL(aerr.type, "ResourceAlreadyExistsException");
    ir_iot_policy_free(&p);
}

static void test_transfer_with_policy_is_refused(void)
{
    const char *id = devices[0].id;
    char *arn = cert_arn(env.csp, id);
    ir_aws_error aerr;
    ir_err err = {0};
    ir_rc rc;

    create_policy(&csp_t, env.csp);
    CU_ASSERT_EQUAL(ir_iot_attach_policy(client, &csp_t, policy_name, arn, &aerr, &err), IR_OK);
    CU_ASSERT_EQUAL(attached(&csp_t, arn, policy_name), 1);
    rc = ir_iot_transfer_certificate(client, &csp_t, id, env.customer, NULL, NULL, &aerr, &err);
    expect_aws_error(rc, &aerr, &err, "TransferConflictException", 409);
    CU_ASSERT_EQUAL(ir_iot_detach_policy(client, &csp_t, policy_name, arn, &aerr, &err), IR_OK);
    CU_ASSERT_EQUAL(attached(&csp_t, arn, policy_name), 0);
    free(arn);
}

/* ---- transfer, accept, reject, cancel ---- */

static void transfer(const char *id, const char *message)
{
    char *arn = NULL;
    ir_aws_error aerr;
    ir_err err = {0};

    CU_ASSERT_EQUAL(
        ir_iot_transfer_certificate(client, &csp_t, id, env.customer, message, &arn, &aerr, &err),
        IR_OK);
    CU_ASSERT_PTR_NOT_NULL(arn);
    CU_ASSERT(arn != NULL && strstr(arn, id) != NULL);
    free(arn);
}

static void check_outgoing(const char *id, const char *message)
{
    ir_iot_outgoing_list l = {0};
    ir_iot_cert_desc d = {0};
    ir_aws_error aerr;
    ir_err err = {0};
    size_t i, found = 0;

    CU_ASSERT_EQUAL(ir_iot_list_all_outgoing_certificates(client, &csp_t, &l, &aerr, &err), IR_OK);
    for (i = 0; i < l.n; i++)
        if (strcmp(l.items[i].certificate_id, id) == 0) {
            found++;
            CU_ASSERT_STRING_EQUAL(l.items[i].transferred_to, env.customer);
            CU_ASSERT(l.items[i].transfer_date_ms > 0);
        }
    CU_ASSERT_EQUAL(found, 1);
    ir_iot_outgoing_list_free(&l);
    CU_ASSERT_EQUAL(ir_iot_describe_certificate(client, &csp_t, id, &d, &aerr, &err), IR_OK);
    CU_ASSERT_EQUAL(d.status, IR_IOT_STATUS_PENDING_TRANSFER);
    CU_ASSERT_TRUE(d.has_transfer_data);
    CU_ASSERT_STRING_EQUAL(d.transfer_data.transfer_message, message);
    CU_ASSERT(d.transfer_data.transfer_date_ms > 0);
    ir_iot_cert_desc_free(&d);
}

static void check_accepted(const char *id)
{
    ir_iot_cert_desc d = {0};
    ir_aws_error aerr;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_iot_describe_certificate(client, &customer_t, id, &d, &aerr, &err),
                          IR_OK);
    CU_ASSERT_EQUAL(d.status, IR_IOT_STATUS_ACTIVE);
    CU_ASSERT_STRING_EQUAL(d.owned_by, env.customer);
    CU_ASSERT_STRING_EQUAL(d.previous_owned_by, env.csp);
    CU_ASSERT_TRUE(d.has_transfer_data);
    CU_ASSERT(d.transfer_data.accept_date_ms > 0);
    ir_iot_cert_desc_free(&d);
    /* The source no longer sees it. */
    CU_ASSERT_EQUAL(ir_iot_describe_certificate(client, &csp_t, id, &d, &aerr, &err), IR_ERR_AWS);
    CU_ASSERT_STRING_EQUAL(aerr.type, "ResourceNotFoundException");
    ir_iot_cert_desc_free(&d);
}

static void test_transfer_and_accept(void)
{
    const char *id = devices[0].id;
    ir_aws_error aerr;
    ir_err err = {0};
    ir_rc rc;

    transfer(id, "order 42 for customer");
    check_outgoing(id, "order 42 for customer");
    /* Another account cannot accept it: AWS does not show it to them. */
    rc = ir_iot_accept_certificate_transfer(client, &other_t, id, true, &aerr, &err);
    expect_aws_error(rc, &aerr, &err, "ResourceNotFoundException", 404);
    CU_ASSERT_EQUAL(ir_iot_accept_certificate_transfer(client, &customer_t, id, true, &aerr, &err),
                    IR_OK);
    check_accepted(id);
    rc = ir_iot_accept_certificate_transfer(client, &customer_t, id, true, &aerr, &err);
    expect_aws_error(rc, &aerr, &err, "TransferAlreadyCompletedException", 410);
}

/* CreateThingGroup is not an operation iotreg needs; the fixture sends it raw. */
static void create_thing_group(const ir_iot_target *t, const char *name)
{
    ir_aws_request req = {0};
    ir_aws_response resp;
    ir_aws_error aerr;
    ir_err err = {0};
    char path[160];

    snprintf(path, sizeof(path), "/thing-groups/%s", name);
    req.service = "iot";
    req.region = t->region;
    req.operation = "CreateThingGroup";
    req.method = "POST";
    req.path = path;
    req.content_type = "application/json";
    req.body = "{}";
    req.body_len = 2;
    req.creds = t->creds;
    req.account_key = t->account_key;
    ir_aws_response_init(&resp);
    CU_ASSERT_EQUAL(ir_aws_send(client, &req, &resp, &aerr, &err), IR_OK);
    ir_aws_response_free(&resp);
}

static void check_thing(const char *thing)
{
    ir_iot_thing_desc d = {0};
    ir_aws_error aerr;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_iot_describe_thing(client, &customer_t, thing, &d, &aerr, &err),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(d.thing_name, thing);
    CU_ASSERT_STRING_EQUAL(ir_iot_thing_desc_attribute(&d, "serial"), "SN-0001");
    CU_ASSERT_STRING_EQUAL(ir_iot_thing_desc_attribute(&d, "issuer"), "iotreg");
    CU_ASSERT(d.version >= 1);
    ir_iot_thing_desc_free(&d);
}

static void test_customer_policy_and_thing(void)
{
    const char *id = devices[0].id;
    char *arn = cert_arn(env.customer, id);
    ir_iot_attribute attrs[] = {{"serial", "SN-0001"}, {"issuer", "iotreg"}};
    ir_iot_create_thing_args thing = {"device-0:sn_0001", NULL, attrs, 2};
    ir_iot_thing_group_args group = {"fleet-a", NULL, "device-0:sn_0001", NULL, false};
    ir_iot_thing th = {0};
    ir_aws_error aerr;
    ir_err err = {0};

    create_policy(&customer_t, env.customer);
    CU_ASSERT_EQUAL(ir_iot_attach_policy(client, &customer_t, policy_name, arn, &aerr, &err),
                    IR_OK);
    CU_ASSERT_EQUAL(attached(&customer_t, arn, policy_name), 1);
    CU_ASSERT_EQUAL(ir_iot_create_thing(client, &customer_t, &thing, &th, &aerr, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(th.thing_name, thing.thing_name);
    CU_ASSERT(th.thing_arn != NULL && strstr(th.thing_arn, env.customer) != NULL);
    ir_iot_thing_free(&th);
    check_thing(thing.thing_name);
    CU_ASSERT_EQUAL(
        ir_iot_attach_thing_principal(client, &customer_t, thing.thing_name, arn, &aerr, &err),
        IR_OK);
    create_thing_group(&customer_t, "fleet-a");
    CU_ASSERT_EQUAL(ir_iot_add_thing_to_thing_group(client, &customer_t, &group, &aerr, &err),
                    IR_OK);
    free(arn);
}

/* The emulator's own record of the delivered certificate. */
static void test_end_state_in_the_emulator(void)
{
    char path[64];
    json_t *acc, *c, *things;

    snprintf(path, sizeof(path), "accounts/%s", env.customer);
    acc = emu_admin("GET", path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(acc);
    c = emu_certificate(acc, devices[0].id);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "ownedBy")), env.customer);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "previousOwnedBy")), env.csp);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "status")), "ACTIVE");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(c, "policies"), 0)),
                           policy_name);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(c, "things")), 1);
    things = json_object_get(acc, "things");
    CU_ASSERT_EQUAL(json_array_size(things), 1);
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_array_get(json_object_get(json_array_get(things, 0), "groups"), 0)),
        "fleet-a");
    /* The SubCA is registered in the CSP account only. */
    CU_ASSERT_EQUAL(json_array_size(json_object_get(acc, "caCertificates")), 0);
    json_decref(acc);
}

static void test_reject_and_cancel(void)
{
    ir_iot_cert_desc d = {0};
    ir_aws_error aerr;
    ir_err err = {0};

    transfer(devices[1].id, "to be rejected");
    CU_ASSERT_EQUAL(ir_iot_reject_certificate_transfer(client, &customer_t, devices[1].id,
                                                       "not ordered", &aerr, &err),
                    IR_OK);
    CU_ASSERT_EQUAL(ir_iot_describe_certificate(client, &csp_t, devices[1].id, &d, &aerr, &err),
                    IR_OK);
    CU_ASSERT_EQUAL(d.status, IR_IOT_STATUS_INACTIVE);
    CU_ASSERT_STRING_EQUAL(d.transfer_data.reject_reason, "not ordered");
    CU_ASSERT(d.transfer_data.reject_date_ms > 0);
    ir_iot_cert_desc_free(&d);
    transfer(devices[2].id, "to be cancelled");
    CU_ASSERT_EQUAL(ir_iot_cancel_certificate_transfer(client, &csp_t, devices[2].id, &aerr, &err),
                    IR_OK);
    describe_status(&csp_t, devices[2].id, IR_IOT_STATUS_INACTIVE);
}

static void test_register_without_ca_and_delete(void)
{
    ir_iot_register_cert_args args = {devices[N_DEVICES - 1].pem, NULL, IR_IOT_STATUS_ACTIVE};
    const char *id = devices[N_DEVICES - 1].id;
    ir_iot_cert_ref ref = {0};
    ir_iot_cert_desc d = {0};
    ir_aws_error aerr;
    ir_err err = {0};
    ir_rc rc;

    CU_ASSERT_EQUAL_FATAL(
        ir_iot_register_certificate_without_ca(client, &other_t, &args, &ref, &aerr, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(ref.certificate_id, id);
    ir_iot_cert_ref_free(&ref);
    CU_ASSERT_EQUAL(ir_iot_describe_certificate(client, &other_t, id, &d, &aerr, &err), IR_OK);
    CU_ASSERT_EQUAL(d.status, IR_IOT_STATUS_ACTIVE);
    CU_ASSERT_STRING_EQUAL(d.certificate_mode, "SNI_ONLY");
    ir_iot_cert_desc_free(&d);
    rc = ir_iot_delete_certificate(client, &other_t, id, false, &aerr, &err);
    expect_aws_error(rc, &aerr, &err, "CertificateStateException", 0);
    CU_ASSERT_EQUAL(
        ir_iot_update_certificate(client, &other_t, id, IR_IOT_STATUS_INACTIVE, &aerr, &err),
        IR_OK);
    CU_ASSERT_EQUAL(ir_iot_delete_certificate(client, &other_t, id, true, &aerr, &err), IR_OK);
    rc = ir_iot_describe_certificate(client, &other_t, id, &d, &aerr, &err);
    expect_aws_error(rc, &aerr, &err, "ResourceNotFoundException", 404);
}

/* ---- the AssumeRole provider ---- */

static void get_creds(ir_aws_cred_provider *p, char *key_id, size_t n)
{
    ir_aws_creds *creds = NULL;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_aws_cred_provider_get(p, &creds, &err), IR_OK);
    CU_ASSERT_PTR_NOT_NULL(ir_aws_creds_session_token(creds));
    ir_strlcpy(key_id, ir_aws_creds_access_key_id(creds), n);
    ir_aws_creds_unref(creds);
}

/* STS throttling past the client's retries is "try later" (IR_ERR_BUSY),
 * which iotregd retries; a refusal stays IR_ERR_AWS, which it parks. */
static void test_assume_role_throttled_is_busy_not_final(void)
{
    ir_assume_role_opts o = {0};
    ir_aws_cred_provider *p = NULL;
    ir_aws_client *c = NULL;
    ir_aws_creds *creds = NULL;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(new_client(2, &c), IR_OK);
    o.client = c;
    o.source = csp_t;
    o.role_arn = env.role_arn;
    o.external_id = env.external_id;
    o.session_name = "iotreg-throttled";
    CU_ASSERT_EQUAL_FATAL(ir_aws_cred_provider_assume_role(&o, &p, NULL), IR_OK);
    json_decref(emu_admin("POST", "faults", "{\"rateThrottle\": 1}"));
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &creds, &err), IR_ERR_BUSY);
    CU_ASSERT_PTR_NULL(creds);
    json_decref(emu_admin("POST", "faults", "{}"));
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &creds, &err), IR_OK);
    ir_aws_creds_unref(creds);
    ir_aws_cred_provider_free(p);
    o.external_id = "not-the-external-id";
    o.session_name = "iotreg-refused";
    CU_ASSERT_EQUAL_FATAL(ir_aws_cred_provider_assume_role(&o, &p, NULL), IR_OK);
    creds = NULL;
    CU_ASSERT_EQUAL(ir_aws_cred_provider_get(p, &creds, &err), IR_ERR_AWS);
    ir_aws_cred_provider_free(p);
    ir_aws_client_free(c);
}

static void test_assume_role_provider_caches(void)
{
    ir_aws_cred_provider *p = NULL;
    char first[64], second[64];
    int before = emu_logged(env.csp, "AssumeRole");

    CU_ASSERT_FATAL(before >= 0);
    CU_ASSERT_EQUAL_FATAL(assume_role_provider(900, 60 * 1000, &p), IR_OK);
    CU_ASSERT_EQUAL(emu_logged(env.csp, "AssumeRole"), before); /* lazy */
    get_creds(p, first, sizeof(first));
    get_creds(p, second, sizeof(second));
    CU_ASSERT_STRING_EQUAL(first, second);
    CU_ASSERT_EQUAL(emu_logged(env.csp, "AssumeRole"), before + 1);
    CU_ASSERT(strstr(ir_aws_cred_provider_describe(p), env.role_arn) != NULL);
    ir_aws_cred_provider_free(p);
}

/* Credentials of 900 s with a margin of 1000 s are always inside the
 * margin: every get makes a new AssumeRole. */
static void test_assume_role_provider_refreshes_within_margin(void)
{
    ir_aws_cred_provider *p = NULL;
    char first[64], second[64];
    int before = emu_logged(env.csp, "AssumeRole");

    CU_ASSERT_EQUAL_FATAL(assume_role_provider(900, 1000 * 1000, &p), IR_OK);
    get_creds(p, first, sizeof(first));
    get_creds(p, second, sizeof(second));
    CU_ASSERT_STRING_NOT_EQUAL(first, second);
    CU_ASSERT_EQUAL(emu_logged(env.csp, "AssumeRole"), before + 2);
    ir_aws_cred_provider_free(p);
}

/* ---- signatures and sessions ---- */

static void test_bad_signature_is_final(void)
{
    ir_aws_cred_provider *wrong = NULL;
    ir_iot_target t = csp_t;
    ir_sts_identity id = {0};
    char *code = NULL;
    ir_aws_error aerr;
    ir_err err = {0};
    ir_rc rc;

    CU_ASSERT_EQUAL_FATAL(
        static_provider(env.csp_key, "not/the/secret/key/at/all/000000000000", &wrong), IR_OK);
    t.creds = wrong;
    rc = ir_iot_get_registration_code(client, &t, &code, &aerr, &err);
    expect_aws_error(rc, &aerr, &err, "InvalidSignatureException", 403);
    CU_ASSERT_FALSE(aerr.retryable);
    CU_ASSERT_EQUAL(aerr.attempts, 1);
    CU_ASSERT_PTR_NULL(code);
    rc = ir_sts_get_caller_identity(client, &t, &id, &aerr, &err);
    expect_aws_error(rc, &aerr, &err, "SignatureDoesNotMatch", 403);
    CU_ASSERT_EQUAL(aerr.attempts, 1);
    ir_aws_cred_provider_free(wrong);
}

static void test_expired_session_token(void)
{
    ir_aws_cred_provider *p = NULL;
    ir_iot_target t = customer_t;
    ir_iot_cert_desc d = {0};
    json_t *r;
    ir_aws_error aerr;
    ir_err err = {0};
    ir_rc rc;

    CU_ASSERT_EQUAL_FATAL(assume_role_provider(900, 60 * 1000, &p), IR_OK);
    t.creds = p;
    CU_ASSERT_EQUAL(ir_iot_describe_certificate(client, &t, devices[0].id, &d, &aerr, &err), IR_OK);
    ir_iot_cert_desc_free(&d);
    r = emu_admin("POST", "expire-sessions", "{}");
    CU_ASSERT_PTR_NOT_NULL(r);
    CU_ASSERT(json_integer_value(json_object_get(r, "expired")) >= 1);
    json_decref(r);
    rc = ir_iot_describe_certificate(client, &t, devices[0].id, &d, &aerr, &err);
    expect_aws_error(rc, &aerr, &err, "ExpiredTokenException", 403);
    CU_ASSERT_FALSE(aerr.retryable);
    ir_aws_cred_provider_free(p);
}

/* ---- rate: 200 requests through one 10 TPS bucket ---- */

#define RATE_THREADS 20

typedef struct rate_state {
    int done, ok, retried, parsed;
} rate_state;

/* One of RATE_THREADS threads sharing the client: its share of the
 * DescribeCertificate calls, each blocking until its token is due. */
static void *rate_worker(void *arg)
{
    rate_state *s = arg;
    int i;

    for (i = 0; i < RATE_REQUESTS / RATE_THREADS; i++) {
        ir_iot_cert_desc d = {0};
        ir_aws_error aerr = {0};
        ir_err err = {0};
        ir_rc rc = ir_iot_describe_certificate(client, &csp_t, devices[0].id, &d, &aerr, &err);

        s->done++;
        if (rc != IR_OK) {
            fprintf(stderr, "request failed: %s (%s)\n", err.msg, aerr.type);
            continue;
        }
        s->ok++;
        s->retried += aerr.attempts != 1;
        if (strcmp(d.certificate_id, devices[0].id) == 0)
            s->parsed++;
        ir_iot_cert_desc_free(&d);
    }
    return NULL;
}

static void rate_register_one(void)
{
    ir_iot_register_cert_args args = {devices[0].pem, NULL, IR_IOT_STATUS_INACTIVE};
    ir_iot_cert_ref ref = {0};
    ir_aws_error aerr;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(
        ir_iot_register_certificate_without_ca(client, &csp_t, &args, &ref, &aerr, &err), IR_OK);
    ir_iot_cert_ref_free(&ref);
}

/* Runs the workers and adds up what they saw. */
static void run_describes(rate_state *total)
{
    rate_state s[RATE_THREADS];
    pthread_t t[RATE_THREADS];
    int i;

    memset(s, 0, sizeof(s));
    for (i = 0; i < RATE_THREADS; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, rate_worker, &s[i]), 0);
    for (i = 0; i < RATE_THREADS; i++) {
        pthread_join(t[i], NULL);
        total->done += s[i].done;
        total->ok += s[i].ok;
        total->retried += s[i].retried;
        total->parsed += s[i].parsed;
    }
}

static void test_rate_200_describes_at_10_tps(void)
{
    rate_state s = {0};
    int64_t start;
    double secs;
    json_t *stats;

    rate_register_one();
    json_decref(emu_admin("POST", "reset-stats", NULL));
    CU_ASSERT_EQUAL_FATAL(ir_aws_client_set_quota(client, NULL, "DescribeCertificate", 10, NULL),
                          IR_OK);
    start = ir_monotonic_ms();
    run_describes(&s);
    secs = (ir_monotonic_ms() - start) / 1000.0;
    printf("\n%d requests in %.2f s: %.2f per second\n", s.done, secs, s.done / secs);
    CU_ASSERT_EQUAL(s.ok, RATE_REQUESTS);
    CU_ASSERT_EQUAL(s.parsed, RATE_REQUESTS);
    CU_ASSERT_EQUAL(s.retried, 0);
    CU_ASSERT(secs >= 19.9 && secs <= 22.5);
    stats = emu_admin("GET", "stats", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(stats);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(stats, "quotaThrottled")), 0);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(stats, "byOperation"),
                                                       "DescribeCertificate")),
                    RATE_REQUESTS);
    json_decref(stats);
}

int main(int argc, char **argv)
{
    static const ir_test_case ops_cases[] = {
        IR_TEST(test_get_caller_identity),
        IR_TEST(test_assume_role_needs_the_external_id),
        IR_TEST(test_describe_endpoint),
        IR_TEST(test_register_ca_certificate),
        IR_TEST(test_register_certificates),
        IR_TEST(test_duplicate_registration_keeps_resource_id),
        IR_TEST(test_list_certificates_follows_markers),
        IR_TEST(test_transfer_of_active_certificate_is_refused),
        IR_TEST(test_transfer_with_policy_is_refused),
        IR_TEST(test_transfer_and_accept),
        IR_TEST(test_customer_policy_and_thing),
        IR_TEST(test_end_state_in_the_emulator),
        IR_TEST(test_reject_and_cancel),
        IR_TEST(test_register_without_ca_and_delete),
        IR_TEST(test_assume_role_provider_caches),
        IR_TEST(test_assume_role_throttled_is_busy_not_final),
        IR_TEST(test_assume_role_provider_refreshes_within_margin),
        IR_TEST(test_bad_signature_is_final),
        IR_TEST(test_expired_session_token),
        {NULL, NULL},
    };
    static const ir_test_case rate_cases[] = {
        IR_TEST(test_rate_200_describes_at_10_tps),
        {NULL, NULL},
    };
    int rate = argc > 1 && strcmp(argv[1], "rate") == 0;
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = ir_test_run(rate ? "aws_rate" : "aws_ops", rate ? rate_cases : ops_cases, suite_init,
                     suite_clean);
    curl_global_cleanup();
    return rc;
}
