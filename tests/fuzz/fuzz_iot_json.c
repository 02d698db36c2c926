/* AWS IoT's rest-json response bodies, through every ir_iot_parse_X. The
 * first byte chooses the parser; the rest is the body of a 200 response.
 * The list parsers append a page to what they hold, so they read the body
 * twice, as two pages. */
#include "autoconf.h"

#include <stdlib.h>

#include "aws/iot/iot.h"
#include "fuzz.h"

typedef void (*parse_fn)(const ir_aws_response *resp);

static void empty(const ir_aws_response *r)
{
    (void)ir_iot_parse_empty(r, NULL);
}

static void registration_code(const ir_aws_response *r)
{
    char *code = NULL;

    if (ir_iot_parse_get_registration_code(r, &code, NULL) == IR_OK)
        FUZZ_CHECK(code != NULL);
    free(code);
}

static void transfer(const ir_aws_response *r)
{
    char *arn = NULL;

    (void)ir_iot_parse_transfer_certificate(r, &arn, NULL);
    free(arn);
}

#define PARSE_ONE(name, type, parse, release)                                                      \
    static void name(const ir_aws_response *r)                                                     \
    {                                                                                              \
        type out = {0};                                                                            \
        (void)parse(r, &out, NULL);                                                                \
        release(&out);                                                                             \
    }

#define PARSE_PAGES(name, type, parse, release)                                                    \
    static void name(const ir_aws_response *r)                                                     \
    {                                                                                              \
        type out = {0};                                                                            \
        if (parse(r, &out, NULL) == IR_OK)                                                         \
            (void)parse(r, &out, NULL);                                                            \
        release(&out);                                                                             \
    }

PARSE_ONE(already_exists, ir_iot_existing, ir_iot_parse_already_exists, ir_iot_existing_free)
PARSE_ONE(register_ca, ir_iot_cert_ref, ir_iot_parse_register_ca_certificate, ir_iot_cert_ref_free)
PARSE_ONE(describe_ca, ir_iot_ca_desc, ir_iot_parse_describe_ca_certificate, ir_iot_ca_desc_free)
PARSE_ONE(register_cert, ir_iot_cert_ref, ir_iot_parse_register_certificate, ir_iot_cert_ref_free)
PARSE_ONE(register_no_ca, ir_iot_cert_ref, ir_iot_parse_register_certificate_without_ca,
          ir_iot_cert_ref_free)
PARSE_ONE(describe_cert, ir_iot_cert_desc, ir_iot_parse_describe_certificate, ir_iot_cert_desc_free)
PARSE_ONE(create_policy, ir_iot_policy, ir_iot_parse_create_policy, ir_iot_policy_free)
PARSE_ONE(get_policy, ir_iot_policy, ir_iot_parse_get_policy, ir_iot_policy_free)
PARSE_ONE(create_thing, ir_iot_thing, ir_iot_parse_create_thing, ir_iot_thing_free)
PARSE_ONE(describe_thing, ir_iot_thing_desc, ir_iot_parse_describe_thing, ir_iot_thing_desc_free)
PARSE_PAGES(list_ca, ir_iot_cert_list, ir_iot_parse_list_ca_certificates, ir_iot_cert_list_free)
PARSE_PAGES(list_certs, ir_iot_cert_list, ir_iot_parse_list_certificates, ir_iot_cert_list_free)
PARSE_PAGES(list_outgoing, ir_iot_outgoing_list, ir_iot_parse_list_outgoing_certificates,
            ir_iot_outgoing_list_free)
PARSE_PAGES(list_attached, ir_iot_policy_list, ir_iot_parse_list_attached_policies,
            ir_iot_policy_list_free)

static const parse_fn parsers[] = {
    empty,          registration_code, transfer,      already_exists, register_ca,   describe_ca,
    register_cert,  register_no_ca,    describe_cert, create_policy,  get_policy,    create_thing,
    describe_thing, list_ca,           list_certs,    list_outgoing,  list_attached,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t which = fuzz_take_byte(&data, &size);
    ir_aws_response resp;

    fuzz_response(&resp, 200, data, size);
    parsers[which % (sizeof(parsers) / sizeof(parsers[0]))](&resp);
    ir_aws_response_free(&resp);
    return 0;
}
