/* The keystore against a private SoftHSM2 token: keys and the AWS secret are
 * not readable (CKR_ATTRIBUTE_SENSITIVE), kDate from the token equals the
 * software HMAC, objects are stored, found, listed and replaced, and
 * failures carry their reason. */
#include "autoconf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "aws/auth/credentials.h"
#include "keystore/keystore.h"
#include "tests/keystore/kstest.h"
#include "tests/unit/testutil.h"

#define AKID   "AKIDEXAMPLE12345"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
/* AWS secret access keys are 40 characters. */
#define OLD_SECRET "0ldSecretAccessKey0000000000000000000000"
#define NEW_SECRET "NewSecretAccessKey1111111111111111111111"

static kstest T;

static CK_RV read_attr(CK_OBJECT_CLASS cls, const char *label, CK_ATTRIBUTE_TYPE type, void *buf,
                       CK_ULONG *len)
{
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE h;
    CK_ATTRIBUTE a = {type, buf, *len};
    CK_RV rv;

    CU_ASSERT_FATAL(ir_ks_session_get(T.ks, &s, NULL) == IR_OK);
    CU_ASSERT_FATAL(ir_ks_find(T.ks, s, cls, label, NULL, &h, NULL) == IR_OK);
    rv = ir_ks_functions(T.ks)->C_GetAttributeValue(s, h, &a, 1);
    ir_ks_session_put(T.ks, s, false);
    *len = a.ulValueLen;
    return rv;
}

static CK_BBOOL read_bool(CK_OBJECT_CLASS cls, const char *label, CK_ATTRIBUTE_TYPE type)
{
    CK_BBOOL v = 2;
    CK_ULONG len = sizeof(v);

    CU_ASSERT(read_attr(cls, label, type, &v, &len) == CKR_OK);
    return v;
}

/* The value of the private key or secret cannot be read; it is sensitive,
 * not extractable, a private token object. */
static void assert_sealed(CK_OBJECT_CLASS cls, const char *label, CK_ATTRIBUTE_TYPE value)
{
    unsigned char buf[1024];
    CK_ULONG len = sizeof(buf);

    CU_ASSERT_EQUAL(read_attr(cls, label, value, buf, &len), CKR_ATTRIBUTE_SENSITIVE);
    CU_ASSERT_EQUAL(len, CK_UNAVAILABLE_INFORMATION);
    CU_ASSERT_EQUAL(read_bool(cls, label, CKA_SENSITIVE), CK_TRUE);
    CU_ASSERT_EQUAL(read_bool(cls, label, CKA_EXTRACTABLE), CK_FALSE);
    CU_ASSERT_EQUAL(read_bool(cls, label, CKA_TOKEN), CK_TRUE);
    CU_ASSERT_EQUAL(read_bool(cls, label, CKA_PRIVATE), CK_TRUE);
}

static void test_generated_keys_are_sealed(void)
{
    CU_ASSERT_FATAL(ir_ks_generate_key(T.ks, "gen-ec", "ec:P-256", NULL) == IR_OK);
    CU_ASSERT_FATAL(ir_ks_generate_key(T.ks, "gen-rsa", "rsa:2048", NULL) == IR_OK);
    assert_sealed(CKO_PRIVATE_KEY, "gen-ec", CKA_VALUE);
    assert_sealed(CKO_PRIVATE_KEY, "gen-rsa", CKA_PRIVATE_EXPONENT);
    assert_sealed(CKO_PRIVATE_KEY, "gen-rsa", CKA_PRIME_1);
}

static void test_imported_key_is_sealed(void)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    EVP_PKEY *pub = NULL;

    CU_ASSERT_FATAL(pk != NULL);
    CU_ASSERT_FATAL(ir_ks_import_key(T.ks, "imported", pk, NULL) == IR_OK);
    assert_sealed(CKO_PRIVATE_KEY, "imported", CKA_VALUE);
    CU_ASSERT_FATAL(ir_ks_public_key(T.ks, "imported", NULL, NULL, &pub, NULL) == IR_OK);
    CU_ASSERT_EQUAL(EVP_PKEY_eq(pk, pub), 1);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(pk);
}

static void test_key_generation_refuses_existing_label(void)
{
    ir_err err = {0};

    CU_ASSERT_FATAL(ir_ks_generate_key(T.ks, "dup", "ec:P-256", NULL) == IR_OK);
    CU_ASSERT_EQUAL(ir_ks_generate_key(T.ks, "dup", "ec:P-384", &err), IR_ERR_EXISTS);
    CU_ASSERT_EQUAL(ir_keystore_last_reason(), IR_KS_R_OBJECT_EXISTS);
    CU_ASSERT(strstr(err.msg, "already holds a private key labelled 'dup'") != NULL);
    CU_ASSERT_EQUAL(ir_ks_generate_key(T.ks, "x", "ec:P-521", &err), IR_ERR_INVALID_ARG);
}

static void test_aws_secret_is_sealed(void)
{
    char akid[IR_KS_AKID_MAX + 1];

    CU_ASSERT_FATAL(ir_ks_aws_secret_store(T.ks, "aws-csp", AKID, SECRET, strlen(SECRET), NULL) ==
                    IR_OK);
    assert_sealed(CKO_SECRET_KEY, "aws-csp", CKA_VALUE);
    CU_ASSERT(ir_ks_aws_access_key_id(T.ks, "aws-csp", akid, sizeof(akid), NULL) == IR_OK);
    CU_ASSERT_STRING_EQUAL(akid, AKID);
}

static void software_kdate(const char *secret, const char *date, unsigned char out[32])
{
    char key[300];
    unsigned int len = 32;

    snprintf(key, sizeof(key), "AWS4%s", secret);
    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)date, 8, out, &len);
}

static void test_kdate_equals_software_hmac(void)
{
    static const char *const dates[] = {"20150830", "20261127", "19991231"};
    unsigned char hsm[32], soft[32];
    size_t i;

    CU_ASSERT_FATAL(ir_ks_aws_secret_store(T.ks, "aws-kdate", AKID, SECRET, strlen(SECRET), NULL) ==
                    IR_OK);
    for (i = 0; i < 3; i++) {
        memset(hsm, 0, sizeof(hsm));
        CU_ASSERT_FATAL(ir_keystore_aws_kdate(T.ks, "aws-kdate", dates[i], hsm, NULL) == IR_OK);
        software_kdate(SECRET, dates[i], soft);
        CU_ASSERT_EQUAL(memcmp(hsm, soft, 32), 0);
    }
    software_kdate("another secret", dates[0], soft);
    CU_ASSERT_FATAL(ir_keystore_aws_kdate(T.ks, "aws-kdate", dates[0], hsm, NULL) == IR_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(hsm, soft, 32), 0);
    CU_ASSERT_EQUAL(ir_keystore_aws_kdate(T.ks, "aws-kdate", "2015-08-30", hsm, NULL),
                    IR_ERR_INVALID_ARG);
}

/* ir_keystore_aws_kdate as the kdate callback of src/aws/credentials.h. */
static ir_rc kdate_cb(void *ctx, const char *date, unsigned char out[IR_AWS_KDATE_LEN], ir_err *err)
{
    return ir_keystore_aws_kdate(T.ks, ctx, date, out, err);
}

static void test_kdate_through_aws_credentials(void)
{
    ir_aws_creds *c = NULL;
    unsigned char via_creds[32], soft[32];

    CU_ASSERT_FATAL(ir_ks_aws_secret_store(T.ks, "aws-creds", AKID, SECRET, strlen(SECRET), NULL) ==
                    IR_OK);
    CU_ASSERT_FATAL(ir_aws_creds_new_kdate(AKID, kdate_cb, "aws-creds", NULL, &c, NULL) == IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_aws_creds_access_key_id(c), AKID);
    CU_ASSERT_FATAL(ir_aws_creds_kdate(c, "20150830", via_creds, NULL) == IR_OK);
    software_kdate(SECRET, "20150830", soft);
    CU_ASSERT_EQUAL(memcmp(via_creds, soft, 32), 0);
    ir_aws_creds_unref(c);
}

static void test_secret_replaced_not_duplicated(void)
{
    unsigned char hsm[32], soft[32];
    char akid[IR_KS_AKID_MAX + 1];

    CU_ASSERT_FATAL(ir_ks_aws_secret_store(T.ks, "aws-rot", AKID, OLD_SECRET, 40, NULL) == IR_OK);
    CU_ASSERT_FATAL(
        ir_ks_aws_secret_store(T.ks, "aws-rot", "AKIDNEWKEY000000", NEW_SECRET, 40, NULL) == IR_OK);
    CU_ASSERT_FATAL(ir_keystore_aws_kdate(T.ks, "aws-rot", "20150830", hsm, NULL) == IR_OK);
    software_kdate(NEW_SECRET, "20150830", soft);
    CU_ASSERT_EQUAL(memcmp(hsm, soft, 32), 0);
    CU_ASSERT(ir_ks_aws_access_key_id(T.ks, "aws-rot", akid, sizeof(akid), NULL) == IR_OK);
    CU_ASSERT_STRING_EQUAL(akid, "AKIDNEWKEY000000");
}

static void test_data_and_certs(void)
{
    ir_buf b;
    char **labels = NULL;
    size_t n = 0;

    ir_buf_init(&b, 4096);
    CU_ASSERT(ir_ks_store_data(T.ks, "rec", IR_KS_APP_REGISTRATION, "{\"a\":1}", 7, NULL) == IR_OK);
    CU_ASSERT(ir_ks_store_data(T.ks, "rec", IR_KS_APP_REGISTRATION, "{\"a\":2}", 7, NULL) == IR_OK);
    CU_ASSERT(ir_ks_read_data(T.ks, "rec", IR_KS_APP_REGISTRATION, &b, NULL) == IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_buf_cstr(&b), "{\"a\":2}");
    CU_ASSERT(ir_ks_list_labels(T.ks, CKO_DATA, &labels, &n, NULL) == IR_OK);
    CU_ASSERT_EQUAL(n, 1);
    ir_ks_labels_free(labels, n);
    CU_ASSERT_EQUAL(ir_ks_store_cert(T.ks, "bad", (const unsigned char *)"xx", 2, false, NULL),
                    IR_ERR_PARSE);
    ir_buf_free(&b);
}

static void test_missing_object_reason(void)
{
    ir_err err = {0};
    ir_buf b;

    ir_buf_init(&b, 4096);
    CU_ASSERT_EQUAL(ir_ks_read_cert(T.ks, "nothing", &b, &err), IR_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(ir_keystore_last_reason(), IR_KS_R_OBJECT_NOT_FOUND);
    CU_ASSERT(strstr(err.msg, "no certificate labelled 'nothing' in token 'iotreg'") != NULL);
    ir_buf_free(&b);
}

/* Runs first: once a process is logged in, PKCS#11 reports
 * CKR_USER_ALREADY_LOGGED_IN to any further login of the same token. */
static void test_wrong_pin_and_missing_token(void)
{
    ir_keystore_opts o = kstest_opts(&T);
    ir_keystore *ks = NULL;
    ir_err err = {0};
    char path[400];

    snprintf(path, sizeof(path), "%s/wrong.pin", T.dir);
    CU_ASSERT_FATAL(kstest_write(path, 0600, "000000\n") == 0);
    o.pin_file = path;
    CU_ASSERT_FATAL(ir_keystore_open(&o, &ks, &err) == IR_OK);
    CU_ASSERT_EQUAL(ir_keystore_login(ks, NULL, NULL, &err), IR_ERR_PERMISSION);
    CU_ASSERT_EQUAL(ir_keystore_last_reason(), IR_KS_R_PIN_INCORRECT);
    CU_ASSERT_EQUAL(ir_keystore_last_ckr(), CKR_PIN_INCORRECT);
    CU_ASSERT(strstr(err.msg, "CKR_PIN_INCORRECT") != NULL);
    ir_keystore_close(ks);
    o.token_label = "absent";
    CU_ASSERT_EQUAL(ir_keystore_open(&o, &ks, &err), IR_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(ir_keystore_last_reason(), IR_KS_R_TOKEN_NOT_FOUND);
}

static void test_pin_file_readable_by_others(void)
{
    char pin[64], path[400];
    ir_err err = {0};

    snprintf(path, sizeof(path), "%s/open.pin", T.dir);
    CU_ASSERT_FATAL(kstest_write(path, 0644, "123456\n") == 0);
    CU_ASSERT_EQUAL(ir_ks_read_pin_file(path, pin, sizeof(pin), &err), IR_ERR_PERMISSION);
    CU_ASSERT_EQUAL(ir_keystore_last_reason(), IR_KS_R_PIN_FILE);
    CU_ASSERT(strstr(err.msg, "chmod 600") != NULL);
}

static void test_login(void)
{
    CU_ASSERT_FATAL(ir_keystore_login(T.ks, NULL, NULL, NULL) == IR_OK);
    CU_ASSERT(ir_keystore_logged_in(T.ks));
}

static void test_rv_names(void)
{
    CU_ASSERT_STRING_EQUAL(ir_p11_rv_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
    CU_ASSERT_STRING_EQUAL(ir_p11_rv_name(CKR_ATTRIBUTE_SENSITIVE), "CKR_ATTRIBUTE_SENSITIVE");
    CU_ASSERT_STRING_EQUAL(ir_p11_rv_name(CKR_VENDOR_DEFINED + 0x12), "CKR_VENDOR_DEFINED+0x12");
}

static int setup_rc;

static int suite_init(void)
{
    setup_rc = kstest_setup(&T, false);
    if (setup_rc != 0)
        kstest_teardown(&T); /* CUnit skips the cleanup of a suite whose init failed */
    return setup_rc == 0 ? 0 : -1;
}

static int suite_clean(void)
{
    kstest_teardown(&T);
    return 0;
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_wrong_pin_and_missing_token),
        IR_TEST(test_login),
        IR_TEST(test_generated_keys_are_sealed),
        IR_TEST(test_imported_key_is_sealed),
        IR_TEST(test_key_generation_refuses_existing_label),
        IR_TEST(test_aws_secret_is_sealed),
        IR_TEST(test_kdate_equals_software_hmac),
        IR_TEST(test_kdate_through_aws_credentials),
        IR_TEST(test_secret_replaced_not_duplicated),
        IR_TEST(test_data_and_certs),
        IR_TEST(test_missing_object_reason),
        IR_TEST(test_pin_file_readable_by_others),
        IR_TEST(test_rv_names),
        {NULL, NULL},
    };

    if (access(KSTEST_MODULE, R_OK) != 0) {
        printf("SKIP: SoftHSM2 (%s) is not installed\n", KSTEST_MODULE);
        return IR_TEST_SKIP;
    }
    return ir_test_run("keystore token", cases, suite_init, suite_clean);
}
