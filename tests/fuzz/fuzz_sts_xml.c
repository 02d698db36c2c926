/* STS's XML responses (AssumeRole, GetCallerIdentity) and the ISO 8601
 * times in them. The first byte chooses the parser; the rest is the body. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/sts/sts.h"
#include "fuzz.h"

static void assume_role(const ir_aws_response *resp)
{
    ir_sts_credentials sc = {0};

    if (ir_sts_parse_assume_role(resp, &sc, NULL) == IR_OK) {
        /* Credentials that are accepted are complete. */
        FUZZ_CHECK(sc.access_key_id != NULL && sc.access_key_id[0] != '\0');
        FUZZ_CHECK(sc.secret_access_key != NULL && sc.secret_access_key[0] != '\0');
        FUZZ_CHECK(sc.session_token != NULL && sc.session_token[0] != '\0');
    } else {
        /* A refused response leaves nothing behind. */
        FUZZ_CHECK(sc.access_key_id == NULL && sc.secret_access_key == NULL &&
                   sc.session_token == NULL);
    }
    ir_sts_credentials_free(&sc);
}

static void caller_identity(const ir_aws_response *resp)
{
    ir_sts_identity id = {0};

    if (ir_sts_parse_get_caller_identity(resp, &id, NULL) == IR_OK)
        FUZZ_CHECK(id.account != NULL && id.arn != NULL);
    ir_sts_identity_free(&id);
}

static void parse_time(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    int64_t ms = 0;

    if (s == NULL)
        return;
    memcpy(s, data, size);
    s[size] = '\0';
    (void)ir_sts_parse_time(s, &ms, NULL);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t mode = fuzz_take_byte(&data, &size);
    ir_aws_response resp;

    if (mode % 3 == 2) {
        parse_time(data, size);
        return 0;
    }
    fuzz_response(&resp, 200, data, size);
    if (mode % 3 == 0)
        assume_role(&resp);
    else
        caller_identity(&resp);
    ir_aws_response_free(&resp);
    return 0;
}
