/* AWS error responses: the x-amzn-ErrorType header and a JSON or XML body,
 * as any server (or anything in between) may send them. Input layout: a
 * byte for the status (400 + b), the header value up to the first newline,
 * then the body. */
#include "autoconf.h"

#include <string.h>

#include "aws/iot/iot.h"
#include "aws/transport/client.h"
#include "fuzz.h"

/* Everything the error holds is printable, bounded text. */
static void check_printable(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap), i;

    FUZZ_CHECK(n < cap);
    for (i = 0; i < n; i++)
        FUZZ_CHECK((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long status = 400 + fuzz_take_byte(&data, &size);
    const uint8_t *nl = memchr(data, '\n', size);
    size_t hlen = nl != NULL ? (size_t)(nl - data) : 0;
    ir_aws_response resp;
    ir_aws_error aerr;
    ir_iot_existing ex = {0};

    fuzz_response(&resp, status, nl != NULL ? nl + 1 : data, nl != NULL ? size - hlen - 1 : size);
    if (hlen >= sizeof(resp.error_type))
        hlen = sizeof(resp.error_type) - 1;
    memcpy(resp.error_type, data, hlen);
    resp.error_type[hlen] = '\0';
    ir_aws_error_from_response(&resp, &aerr);
    FUZZ_CHECK(aerr.http_status == status);
    check_printable(aerr.type, sizeof(aerr.type));
    check_printable(aerr.message, sizeof(aerr.message));
    FUZZ_CHECK(aerr.message[0] != '\0');
    /* A ResourceAlreadyExistsException's body names the existing resource. */
    (void)ir_iot_parse_already_exists(&resp, &ex, NULL);
    ir_iot_existing_free(&ex);
    ir_aws_response_free(&resp);
    return 0;
}
