/* Core's HMAC-SHA256 (RFC 4231's test cases) and its URI encoder (what AWS's
 * SigV4 specification asks of it; the SigV4 test suite in test_sigv4 checks
 * it again inside whole canonical requests). */
#include "autoconf.h"

#include <string.h>

#include "core/buf.h"
#include "core/hmac.h"
#include "core/uri_encode.h"
#include "core/util.h"
#include "testutil.h"

static void check_hmac(const void *key, size_t key_len, const char *data, const char *want_hex)
{
    unsigned char mac[IR_HMAC_SHA256_LEN];
    char hex[2 * IR_HMAC_SHA256_LEN + 1];

    CU_ASSERT_EQUAL_FATAL(ir_hmac_sha256(key, key_len, data, strlen(data), mac, NULL), IR_OK);
    ir_hex_encode(mac, sizeof(mac), hex);
    CU_ASSERT_STRING_EQUAL(hex, want_hex);
}

static void test_hmac_sha256_rfc4231(void)
{
    unsigned char key1[20], key6[131];

    memset(key1, 0x0b, sizeof(key1));
    memset(key6, 0xaa, sizeof(key6));
    check_hmac(key1, sizeof(key1), "Hi There",
               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    check_hmac("Jefe", 4, "what do ya want for nothing?",
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* A key longer than the block is hashed first. */
    check_hmac(key6, sizeof(key6), "Test Using Larger Than Block-Size Key - Hash Key First",
               "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static char *encode(const char *s, size_t n, bool keep_slash, ir_buf *b)
{
    ir_buf_reset(b);
    CU_ASSERT_EQUAL_FATAL(ir_uri_encode(b, s, n, keep_slash, NULL), IR_OK);
    return (char *)ir_buf_cstr(b);
}

static void test_uri_encode_keeps_only_unreserved(void)
{
    static const char unreserved[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
    ir_buf b;

    ir_buf_init(&b, 4096);
    CU_ASSERT_STRING_EQUAL(encode(unreserved, strlen(unreserved), false, &b), unreserved);
    CU_ASSERT_STRING_EQUAL(encode("a b+c=d&e/f%", 12, false, &b), "a%20b%2Bc%3Dd%26e%2Ff%25");
    CU_ASSERT_STRING_EQUAL(encode("*!'()", 5, false, &b), "%2A%21%27%28%29");
    /* Bytes, not characters: UTF-8 is encoded byte by byte, in upper-case hex. */
    CU_ASSERT_STRING_EQUAL(encode("\xc3\xa9\xff", 3, false, &b), "%C3%A9%FF");
    CU_ASSERT_STRING_EQUAL(encode("", 0, false, &b), "");
    ir_buf_free(&b);
}

static void test_uri_encode_slash_and_length(void)
{
    ir_buf b;

    ir_buf_init(&b, 4096);
    CU_ASSERT_STRING_EQUAL(encode("/a b/c", 6, true, &b), "/a%20b/c");
    CU_ASSERT_STRING_EQUAL(encode("/a b/c", 6, false, &b), "%2Fa%20b%2Fc");
    /* n bytes exactly: a NUL inside is a byte like any other. */
    CU_ASSERT_STRING_EQUAL(encode("a\0b", 3, false, &b), "a%00b");
    CU_ASSERT_STRING_EQUAL(encode("abc", 2, false, &b), "ab");
    ir_buf_free(&b);
}

static void test_uri_encode_respects_the_cap(void)
{
    ir_buf b;
    ir_err err = {0};

    ir_buf_init(&b, 8);
    CU_ASSERT_EQUAL(ir_uri_encode(&b, "  ", 2, false, &err), IR_OK);
    CU_ASSERT_EQUAL(ir_uri_encode(&b, " ", 1, false, &err), IR_ERR_TOO_LARGE);
    ir_buf_free(&b);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_hmac_sha256_rfc4231),
        IR_TEST(test_uri_encode_keeps_only_unreserved),
        IR_TEST(test_uri_encode_slash_and_length),
        IR_TEST(test_uri_encode_respects_the_cap),
        {NULL, NULL},
    };

    return ir_test_run("hmac_uri", cases, NULL, NULL);
}
