/* Thing name templates: variables, literal text, sanitising, limits and
 * the errors for unknown variables and missing fields. */
#include "config.h"

#include <string.h>

#include "certgen.h"
#include "config/template.h"
#include "core/util.h"
#include "testutil.h"

static certgen_ca ca;

static int suite_init(void)
{
    return certgen_ca_new(&ca, "Template SubCA");
}

static int suite_clean(void)
{
    certgen_ca_free(&ca);
    return 0;
}

typedef struct expansion {
    ir_rc rc;
    char name[IR_THING_NAME_MAX + 1];
    char certid[IR_SHA256_HEX_LEN + 1];
    ir_err err;
} expansion;

static void expand(const char *tmpl, const certgen_leaf *leaf, expansion *x)
{
    X509 *cert = certgen_issue(&ca, leaf);
    size_t len = 0;
    unsigned char *der = certgen_der(cert, &len);

    memset(x, 0, sizeof(*x));
    CU_ASSERT_EQUAL(ir_sha256_hex(der, len, x->certid, NULL), IR_OK);
    x->rc = ir_template_expand_der(tmpl, der, len, "acme", x->name, &x->err);
    OPENSSL_free(der);
    X509_free(cert);
}

static void test_subject_variables(void)
{
    certgen_leaf leaf = {.cn = "sensor-17", .o = "Acme", .ou = "Plant-3", .ou2 = "Line-9"};
    expansion x;

    expand("${subject.O}:${subject.OU}:${subject.CN}", &leaf, &x);
    CU_ASSERT_EQUAL(x.rc, IR_OK);
    CU_ASSERT_STRING_EQUAL(x.name, "Acme:Plant-3:sensor-17");
}

static void test_ids_serial_customer_and_san(void)
{
    certgen_leaf leaf = {.cn = "d", .dns = "d1.acme.example", .serial = 0x1a2b3c};
    char want[256];
    expansion x;

    expand("${customer}-${serial}-${certid8}-${san.dns}", &leaf, &x);
    CU_ASSERT_EQUAL(x.rc, IR_OK);
    snprintf(want, sizeof(want), "acme-1a2b3c-%.8s-d1_acme_example", x.certid);
    CU_ASSERT_STRING_EQUAL(x.name, want);
    expand("${certid}", &leaf, &x);
    CU_ASSERT_STRING_EQUAL(x.name, x.certid);
    CU_ASSERT_EQUAL(strlen(x.name), 64);
}

static void test_sanitised_to_thing_charset(void)
{
    certgen_leaf leaf = {.cn = "Müller's device #1/2", .o = "a b"};
    expansion x;

    expand("x ${subject.CN}.${subject.O}", &leaf, &x);
    CU_ASSERT_EQUAL(x.rc, IR_OK);
    CU_ASSERT_STRING_EQUAL(x.name, "x_M_ller_s_device__1_2_a_b");
    CU_ASSERT_EQUAL(
        strspn(x.name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-"),
        strlen(x.name));
}

static void test_cut_at_128(void)
{
    char cn[61]; /* a CN is at most 64 characters */
    certgen_leaf leaf = {.cn = cn};
    expansion x;

    memset(cn, 'c', 60);
    cn[60] = '\0';
    expand("t-${subject.CN}-${certid}-${certid}", &leaf, &x);
    CU_ASSERT_EQUAL(x.rc, IR_OK);
    CU_ASSERT_EQUAL(strlen(x.name), IR_THING_NAME_MAX);
    CU_ASSERT_EQUAL(strncmp(x.name, "t-ccc", 5), 0);
    CU_ASSERT_EQUAL(strncmp(x.name + 63, x.certid, 64), 0);
    CU_ASSERT_EQUAL(x.name[63 + 64], '-');
}

static void test_literal_only(void)
{
    certgen_leaf leaf = {.cn = "d"};
    expansion x;

    expand("fixed-name", &leaf, &x);
    CU_ASSERT_STRING_EQUAL(x.name, "fixed-name");
    expand("$5 {x} $", &leaf, &x);
    CU_ASSERT_STRING_EQUAL(x.name, "_5__x___");
}

static void test_missing_field_is_an_error(void)
{
    certgen_leaf leaf = {.cn = "d"};
    expansion x;

    expand("${subject.OU}", &leaf, &x);
    CU_ASSERT_EQUAL(x.rc, IR_ERR_NOT_FOUND);
    CU_ASSERT_STRING_EQUAL(x.name, "");
    CU_ASSERT_PTR_NOT_NULL(strstr(x.err.msg, "the certificate has no subject OU"));
    expand("${san.dns}", &leaf, &x);
    CU_ASSERT_EQUAL(x.rc, IR_ERR_NOT_FOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(x.err.msg, "no DNS subjectAltName"));
    leaf = (certgen_leaf){.o = "Acme"};
    expand("${subject.CN}", &leaf, &x);
    CU_ASSERT_PTR_NOT_NULL(strstr(x.err.msg, "no subject CN"));
}

static void test_check_finds_unknown_variables(void)
{
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_template_check("a-${subject.CN}-${serial}-${certid}-${certid8}-"
                                      "${customer}-${san.dns}-${subject.O}-${subject.OU}",
                                      &err),
                    IR_OK);
    CU_ASSERT_EQUAL(ir_template_check("${subject.L}", &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown variable '${subject.L}'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "${subject.CN}")); /* lists the known ones */
    CU_ASSERT_EQUAL(ir_template_check("x-${serial", &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is not closed"));
    CU_ASSERT_EQUAL(ir_template_check("", &err), IR_ERR_CONFIG);
    CU_ASSERT_EQUAL(ir_template_check("${}", &err), IR_ERR_CONFIG);
}

static void test_bad_der(void)
{
    char name[IR_THING_NAME_MAX + 1];
    ir_err err = {0};

    CU_ASSERT_EQUAL(
        ir_template_expand_der("${certid}", (const unsigned char *)"xx", 2, "c", name, &err),
        IR_ERR_PARSE);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_subject_variables),
        IR_TEST(test_ids_serial_customer_and_san),
        IR_TEST(test_sanitised_to_thing_charset),
        IR_TEST(test_cut_at_128),
        IR_TEST(test_literal_only),
        IR_TEST(test_missing_field_is_an_error),
        IR_TEST(test_check_finds_unknown_variables),
        IR_TEST(test_bad_der),
        {NULL, NULL},
    };

    return ir_test_run("template", cases, suite_init, suite_clean);
}
