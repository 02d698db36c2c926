/* Thing name templates: variables, literal text, the injective escape of
 * values, limits and the errors for unknown variables and missing fields. */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/thing_name.h"
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

    expand("${subject.O}-${subject.OU}_${subject.CN}", &leaf, &x);
    CU_ASSERT_EQUAL(x.rc, IR_OK);
    CU_ASSERT_STRING_EQUAL(x.name, "Acme-Plant-3_sensor-17");
}

static void test_ids_serial_customer_and_san(void)
{
    certgen_leaf leaf = {.cn = "d", .dns = "d1.acme.example", .serial = 0x1a2b3c};
    char want[256];
    expansion x;

    expand("${customer}-${serial}-${certid8}-${san.dns}", &leaf, &x);
    CU_ASSERT_EQUAL(x.rc, IR_OK);
    snprintf(want, sizeof(want), "acme-1a2b3c-%.8s-d1:2Eacme:2Eexample", x.certid);
    CU_ASSERT_STRING_EQUAL(x.name, want);
    expand("${certid}", &leaf, &x);
    CU_ASSERT_STRING_EQUAL(x.name, x.certid);
    CU_ASSERT_EQUAL(strlen(x.name), 64);
}

/* Issue 9: these three CNs all became thing sensor_42. */
static void test_three_cns_three_things(void)
{
    static const char *const cns[] = {"sensor_42", "sensor.42", "sensor 42"};
    static const char *const want[] = {"sensor_42", "sensor:2E42", "sensor:2042"};
    expansion x;
    size_t i;

    for (i = 0; i < 3; i++) {
        certgen_leaf leaf = {.cn = cns[i]};

        expand("${subject.CN}", &leaf, &x);
        CU_ASSERT_EQUAL(x.rc, IR_OK);
        CU_ASSERT_STRING_EQUAL(x.name, want[i]);
    }
}

static void test_values_escaped_to_thing_charset(void)
{
    certgen_leaf leaf = {.cn = "M\xc3\xbcller's device #1/2", .o = "a b"};
    expansion x;

    expand("x-${subject.CN}_${subject.O}", &leaf, &x);
    CU_ASSERT_EQUAL(x.rc, IR_OK);
    CU_ASSERT_STRING_EQUAL(x.name, "x-M:C3:BCller:27s:20device:20:231:2F2_a:20b");
    CU_ASSERT_EQUAL(
        strspn(x.name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-"),
        strlen(x.name));
}

/* ':' is the escape, so a ':' in a value is escaped too: "a:2E" must not
 * become the name of "a.". */
static void test_colon_is_escaped(void)
{
    certgen_leaf colon = {.cn = "a:2E"}, dot = {.cn = "a."};
    expansion x, y;

    expand("${subject.CN}", &colon, &x);
    expand("${subject.CN}", &dot, &y);
    CU_ASSERT_STRING_EQUAL(x.name, "a:3A2E");
    CU_ASSERT_STRING_EQUAL(y.name, "a:2E");
}

static void test_longer_than_128_refused(void)
{
    char cn[62]; /* a CN is at most 64 characters */
    certgen_leaf leaf = {.cn = cn};
    expansion x;

    memset(cn, 'c', 61);
    cn[61] = '\0';
    expand("t-${subject.CN}-${certid}", &leaf, &x); /* 2 + 61 + 1 + 64 = 128 */
    CU_ASSERT_EQUAL(x.rc, IR_OK);
    CU_ASSERT_EQUAL(strlen(x.name), IR_THING_NAME_MAX);
    expand("tt-${subject.CN}-${certid}", &leaf, &x); /* 129: refused, never cut */
    CU_ASSERT_EQUAL(x.rc, IR_ERR_TOO_LARGE);
    CU_ASSERT_STRING_EQUAL(x.name, "");
    CU_ASSERT_PTR_NOT_NULL(strstr(x.err.msg, "'tt-${subject.CN}-${certid}'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x.err.msg, "129 characters"));
    /* Escapes count: 43 dots are 129 characters. */
    memset(cn, '.', 43);
    cn[43] = '\0';
    expand("${subject.CN}", &leaf, &x);
    CU_ASSERT_EQUAL(x.rc, IR_ERR_TOO_LARGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(x.err.msg, "129 characters"));
}

static void test_literal_text_must_be_plain(void)
{
    certgen_leaf leaf = {.cn = "d"};
    ir_err err = {0};
    expansion x;

    expand("fixed-name_1", &leaf, &x);
    CU_ASSERT_STRING_EQUAL(x.name, "fixed-name_1");
    /* A literal ':' could imitate an escape: "x:2E${subject.CN}" for CN "y"
     * would be the name of CN ".y" under "x${subject.CN}". */
    CU_ASSERT_EQUAL(ir_template_check("x:2E${subject.CN}", &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "has ':' in its literal text"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "A-Z a-z 0-9 _ -"));
    CU_ASSERT_EQUAL(ir_template_check("acme.${subject.CN}", &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "has '.' in its literal text"));
    CU_ASSERT_EQUAL(ir_template_check("a\tb", &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "byte 0x09"));
    expand("$5 {x} $", &leaf, &x);
    CU_ASSERT_EQUAL(x.rc, IR_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(x.name, "");
}

/* The test's own inverse of the escape: a left inverse exists only for an
 * injective mapping. Returns the decoded length, or -1 when s is not a
 * well-formed escaped name. */
static int unescape(const char *s, unsigned char *out, size_t outsz)
{
    size_t n = 0;
    unsigned int byte;

    for (; *s != '\0'; n++) {
        if (n >= outsz)
            return -1;
        if (*s != ':') {
            out[n] = (unsigned char)*s++;
            continue;
        }
        if (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]) ||
            sscanf(s + 1, "%2X", &byte) != 1)
            return -1;
        out[n] = (unsigned char)byte;
        s += 3;
    }
    return (int)n;
}

#define ESCAPED_MAX (3 * 40 + 1)

/* Escapes value and checks the charset and the round trip. */
static void check_round_trip(const char *value, char escaped[ESCAPED_MAX])
{
    unsigned char back[64];
    int n;

    CU_ASSERT_EQUAL_FATAL(ir_template_escape(value, escaped, ESCAPED_MAX, NULL), IR_OK);
    CU_ASSERT_EQUAL(
        strspn(escaped, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-"),
        strlen(escaped));
    n = unescape(escaped, back, sizeof(back));
    CU_ASSERT_EQUAL(n, (int)strlen(value));
    CU_ASSERT(n >= 0 && memcmp(back, value, (size_t)n) == 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* Every string of up to 4 characters over an alphabet chosen to collide
 * (the escape, hex digits, '_' which was the old replacement, bytes that
 * are escaped): all distinct inputs give distinct names. */
static void test_escape_injective_exhaustive(void)
{
    static const char alphabet[] = ":3A2E_. \xff-";
    const size_t k = sizeof(alphabet) - 1;
    size_t total = 1 + k + k * k + k * k * k + k * k * k * k, count = 0, i, len;
    char(*names)[ESCAPED_MAX] = calloc(total, ESCAPED_MAX);

    CU_ASSERT_PTR_NOT_NULL_FATAL(names);
    for (len = 0; len <= 4; len++) {
        size_t combos = 1, c, d;

        for (d = 0; d < len; d++)
            combos *= k;
        for (c = 0; c < combos; c++) {
            char value[5];
            size_t rest = c;

            for (d = 0; d < len; d++, rest /= k)
                value[d] = alphabet[rest % k];
            value[len] = '\0';
            check_round_trip(value, names[count++]);
        }
    }
    CU_ASSERT_EQUAL(count, total);
    qsort(names, count, ESCAPED_MAX, cmp_str);
    for (i = 1; i < count; i++)
        if (strcmp(names[i - 1], names[i]) == 0) {
            CU_FAIL("two values give one name");
            break;
        }
    free(names);
}

/* Random byte strings (fixed seed, so a failure repeats). */
static void test_escape_injective_random(void)
{
    unsigned int seed = 20261204;
    char value[41], escaped[ESCAPED_MAX];
    int i;

    for (i = 0; i < 20000; i++) {
        size_t len = (size_t)(rand_r(&seed) % 40) + 1, d;

        for (d = 0; d < len; d++)
            value[d] = (char)(rand_r(&seed) % 255 + 1); /* no NUL inside */
        value[len] = '\0';
        check_round_trip(value, escaped);
    }
    CU_ASSERT_EQUAL(ir_template_escape("a.b", escaped, 5, NULL), IR_ERR_TOO_LARGE);
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
        IR_TEST(test_three_cns_three_things),
        IR_TEST(test_values_escaped_to_thing_charset),
        IR_TEST(test_colon_is_escaped),
        IR_TEST(test_longer_than_128_refused),
        IR_TEST(test_literal_text_must_be_plain),
        IR_TEST(test_escape_injective_exhaustive),
        IR_TEST(test_escape_injective_random),
        IR_TEST(test_missing_field_is_an_error),
        IR_TEST(test_check_finds_unknown_variables),
        IR_TEST(test_bad_der),
        {NULL, NULL},
    };

    return ir_test_run("template", cases, suite_init, suite_clean);
}
