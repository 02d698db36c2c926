#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/secret.h"
#include "core/util.h"
#include "testutil.h"

static void test_buf_cap_is_enforced(void)
{
    ir_buf b;
    ir_err err = {0};

    ir_buf_init(&b, 8);
    CU_ASSERT_EQUAL(ir_buf_append(&b, "abcd", 4, &err), IR_OK);
    CU_ASSERT_EQUAL(ir_buf_append(&b, "efgh", 4, &err), IR_OK);
    CU_ASSERT_EQUAL(ir_buf_append(&b, "i", 1, &err), IR_ERR_TOO_LARGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "limit of 8 bytes"));
    CU_ASSERT_STRING_EQUAL(ir_buf_cstr(&b), "abcdefgh");
    CU_ASSERT_EQUAL(b.len, 8);
    ir_buf_free(&b);
}

static void test_buf_appendf_grows(void)
{
    ir_buf b;
    int i;

    ir_buf_init(&b, 1 << 20);
    for (i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL_FATAL(ir_buf_appendf(&b, NULL, "%04d", i), IR_OK);
    CU_ASSERT_EQUAL(b.len, 4000);
    CU_ASSERT_EQUAL(memcmp(ir_buf_cstr(&b) + 3996, "0999", 4), 0);
    CU_ASSERT_STRING_EQUAL(ir_buf_cstr(&b) + 4000, "");
    ir_buf_free(&b);
    CU_ASSERT_PTR_NULL(b.data);
    CU_ASSERT_STRING_EQUAL(ir_buf_cstr(&b), "");
}

static void test_err_prefix_and_names(void)
{
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_err_set(&err, IR_ERR_IO, "no such file"), IR_ERR_IO);
    ir_err_prefix(&err, "reading %s: ", "x.xml");
    CU_ASSERT_STRING_EQUAL(err.msg, "reading x.xml: no such file");
    CU_ASSERT_STRING_EQUAL(ir_rc_name(IR_ERR_TOO_LARGE), "too-large");
    CU_ASSERT_STRING_EQUAL(ir_rc_name((ir_rc)999), "unknown");
    CU_ASSERT_EQUAL(ir_err_set(NULL, IR_ERR_AWS, "ignored"), IR_ERR_AWS);
}

static void test_sha256_hex_matches_known_value(void)
{
    char hex[IR_SHA256_HEX_LEN + 1];

    CU_ASSERT_EQUAL(ir_sha256_hex("abc", 3, hex, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_private_file_check(void)
{
    char path[] = "/tmp/iotreg-test-XXXXXX";
    ir_err err = {0};
    int fd = mkstemp(path);

    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    chmod(path, 0600);
    CU_ASSERT_EQUAL(ir_check_private_file(path, &err), IR_OK);
    chmod(path, 0644);
    CU_ASSERT_EQUAL(ir_check_private_file(path, &err), IR_ERR_PERMISSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "chmod 600"));
    unlink(path);
    CU_ASSERT_EQUAL(ir_check_private_file(path, &err), IR_ERR_NOT_FOUND);
}

static void test_read_file_respects_cap(void)
{
    char path[] = "/tmp/iotreg-test-XXXXXX";
    ir_buf b;
    ir_err err = {0};
    int fd = mkstemp(path);

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "0123456789", 10), 10);
    close(fd);
    ir_buf_init(&b, 5);
    CU_ASSERT_EQUAL(ir_read_file(path, &b, &err), IR_ERR_TOO_LARGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
    ir_buf_free(&b);
    ir_buf_init(&b, 64);
    CU_ASSERT_EQUAL(ir_read_file(path, &b, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_buf_cstr(&b), "0123456789");
    ir_buf_free(&b);
    unlink(path);
}

static void test_secret_strdup_roundtrip(void)
{
    char *s = ir_secret_strdup("wJalrXUtnFEMI");

    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, "wJalrXUtnFEMI");
    ir_secret_strfree(s);
    CU_ASSERT_PTR_NULL(ir_secret_strdup(NULL));
}

static void test_strlcpy_truncates(void)
{
    char small[4];

    CU_ASSERT_EQUAL(ir_strlcpy(small, "abcdef", sizeof(small)), 1);
    CU_ASSERT_STRING_EQUAL(small, "abc");
    CU_ASSERT_EQUAL(ir_strlcpy(small, "ab", sizeof(small)), 0);
    CU_ASSERT_STRING_EQUAL(small, "ab");
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_buf_cap_is_enforced),
        IR_TEST(test_buf_appendf_grows),
        IR_TEST(test_err_prefix_and_names),
        IR_TEST(test_sha256_hex_matches_known_value),
        IR_TEST(test_private_file_check),
        IR_TEST(test_read_file_respects_cap),
        IR_TEST(test_secret_strdup_roundtrip),
        IR_TEST(test_strlcpy_truncates),
        {NULL, NULL},
    };

    return ir_test_run("core", cases, NULL, NULL);
}
