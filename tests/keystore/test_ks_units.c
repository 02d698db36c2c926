/* Parsing iotreg: URIs and the provider's key references (no token needed). */
#include "autoconf.h"

#include <string.h>

#include "keystore/uri.h"
#include "provider/keyref.h"
#include "tests/unit/testutil.h"

static ir_rc parse(const char *uri, ir_ks_uri *u, ir_err *err)
{
    ir_err_clear(err);
    return ir_ks_uri_parse(uri, u, err);
}

static void test_uri_accepts_rfc7512_attributes(void)
{
    ir_ks_uri u;
    ir_err err;

    CU_ASSERT(parse("iotreg:object=devices-eu;type=private", &u, &err) == IR_OK);
    CU_ASSERT_STRING_EQUAL(u.object, "devices-eu");
    CU_ASSERT_EQUAL(u.type, IR_KS_URI_PRIVATE);
    CU_ASSERT(parse("iotreg:type=cert;object=a%20b%3Bc", &u, &err) == IR_OK);
    CU_ASSERT_STRING_EQUAL(u.object, "a b;c");
    CU_ASSERT_EQUAL(u.type, IR_KS_URI_CERT);
    CU_ASSERT(parse("iotreg:object=x", &u, &err) == IR_OK);
    CU_ASSERT_EQUAL(u.type, IR_KS_URI_ANY);
    CU_ASSERT(parse("IOTREG:object=x;type=token", &u, &err) == IR_OK);
    CU_ASSERT_EQUAL(u.type, IR_KS_URI_TOKEN);
    CU_ASSERT(parse("iotreg:object=x;type=secret", &u, &err) == IR_OK);
    CU_ASSERT(parse("iotreg:object=x;type=public", &u, &err) == IR_OK);
}

static void expect_malformed(const char *uri, const char *why)
{
    ir_ks_uri u;
    ir_err err;

    CU_ASSERT_EQUAL(parse(uri, &u, &err), IR_ERR_PARSE);
    CU_ASSERT(strstr(err.msg, "malformed URI") != NULL);
    CU_ASSERT(strstr(err.msg, why) != NULL);
}

static void test_uri_refuses_malformed(void)
{
    expect_malformed("pkcs11:object=x", "does not start with iotreg:");
    expect_malformed("iotreg:", "no object= attribute");
    expect_malformed("iotreg:type=cert", "no object= attribute");
    expect_malformed("iotreg:object=x;color=red", "unknown attribute");
    expect_malformed("iotreg:object=x;object=y", "attribute given twice");
    expect_malformed("iotreg:object=x;type=cert;type=cert", "attribute given twice");
    expect_malformed("iotreg:object", "attribute without '='");
    expect_malformed("iotreg:object=", "empty value");
    expect_malformed("iotreg:object=x;;type=cert", "empty attribute");
    expect_malformed("iotreg:object=%4", "bad percent-escape");
    expect_malformed("iotreg:object=%g1", "bad percent-escape");
    expect_malformed("iotreg:object=a%00b", "control character");
    expect_malformed("iotreg:object=x;type=key", "type must be");
    expect_malformed("iotreg:object=x?pin-value=1234", "query attributes are not supported");
    expect_malformed("iotreg:object="
                     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                     "value too long");
}

static ir_keyref sample(void)
{
    ir_keyref r = {.instance = 0x0102030405060708ULL, .is_private = 1, .type = IR_KEY_RSA};

    strcpy(r.token, "iotreg");
    strcpy(r.label, "devices-eu");
    return r;
}

static void test_keyref_roundtrip(void)
{
    ir_keyref in = sample(), out;
    unsigned char buf[IR_KEYREF_MAX];
    size_t n = ir_keyref_encode(&in, buf);

    CU_ASSERT(memcmp(buf, IR_KEYREF_MAGIC, 4) == 0);
    CU_ASSERT_EQUAL(buf[4], IR_KEYREF_VERSION);
    CU_ASSERT_FATAL(ir_keyref_decode(buf, n, &out));
    CU_ASSERT_EQUAL(out.instance, in.instance);
    CU_ASSERT_EQUAL(out.is_private, 1);
    CU_ASSERT_EQUAL(out.type, IR_KEY_RSA);
    CU_ASSERT_STRING_EQUAL(out.token, "iotreg");
    CU_ASSERT_STRING_EQUAL(out.label, "devices-eu");
}

static void test_keyref_refuses_foreign_data(void)
{
    ir_keyref in = sample(), out;
    unsigned char buf[IR_KEYREF_MAX], bad[IR_KEYREF_MAX + 1];
    size_t n = ir_keyref_encode(&in, buf);
    void *ptr = &in;

    memcpy(bad, buf, n);
    bad[0] = 'X';
    CU_ASSERT_FALSE(ir_keyref_decode(bad, n, &out)); /* magic */
    memcpy(bad, buf, n);
    bad[4] = IR_KEYREF_VERSION + 1;
    CU_ASSERT_FALSE(ir_keyref_decode(bad, n, &out)); /* version */
    memcpy(bad, buf, n);
    bad[6] = 9;
    CU_ASSERT_FALSE(ir_keyref_decode(bad, n, &out));     /* key type */
    CU_ASSERT_FALSE(ir_keyref_decode(buf, n - 1, &out)); /* truncated */
    memcpy(bad, buf, n);
    bad[n] = 0;
    CU_ASSERT_FALSE(ir_keyref_decode(bad, n + 1, &out));        /* trailing bytes */
    CU_ASSERT_FALSE(ir_keyref_decode(&ptr, sizeof(ptr), &out)); /* a raw pointer */
    CU_ASSERT_FALSE(ir_keyref_decode(NULL, 0, &out));
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_uri_accepts_rfc7512_attributes),
        IR_TEST(test_uri_refuses_malformed),
        IR_TEST(test_keyref_roundtrip),
        IR_TEST(test_keyref_refuses_foreign_data),
        {NULL, NULL},
    };

    return ir_test_run("keystore units", cases, NULL, NULL);
}
