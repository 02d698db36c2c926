/* The typed IoT and STS operations without a network: how requests are built
 * (path, URI-encoded labels, query, headers, bodies, client-side checks) and
 * how responses are parsed, including hostile and broken input. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aws/auth/sigv4.h"
#include "aws/iot/iot.h"
#include "aws/sts/sts.h"
#include "core/buf.h"
#include "testutil.h"

#define CERT_ID  "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
#define CERT_ARN "arn:aws:iot:eu-west-1:111111111111:cert/" CERT_ID
#define ROLE_ARN "arn:aws:iam::222222222222:role/iotreg-delivery"

/* Requests only carry the provider's pointer; it is never called here. */
static ir_iot_target target = {"eu-west-1", (ir_aws_cred_provider *)&target, "111111111111", NULL};

/* ---- helpers ---- */

static const char *query_value(const ir_aws_request *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->n_query; i++)
        if (strcmp(req->query[i].name, name) == 0)
            return req->query[i].value;
    return NULL;
}

static const char *header_value(const ir_aws_request *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->n_headers; i++)
        if (strcmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

/* The request body as JSON (NULL when it is not). */
static json_t *body_json(const ir_aws_request *req)
{
    if (req->body == NULL || req->content_type == NULL ||
        strcmp(req->content_type, "application/json") != 0)
        return NULL;
    return json_loadb(req->body, req->body_len, 0, NULL);
}

static const char *jstr(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void resp_set(ir_aws_response *r, const char *body, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->http_status = 200;
    ir_buf_init(&r->body, 8u << 20);
    CU_ASSERT_FATAL(ir_buf_append(&r->body, body, len, NULL) == IR_OK);
}

static void resp_text(ir_aws_response *r, const char *body)
{
    resp_set(r, body, strlen(body));
}

static int contains(const char *haystack, const char *needle)
{
    return strstr(haystack, needle) != NULL;
}

/* ---- request building ---- */

static void test_build_describe_certificate(void)
{
    ir_aws_request req;
    ir_buf st;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_iot_build_describe_certificate(&target, CERT_ID, &req, &st, &err),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(req.service, "iot");
    CU_ASSERT_STRING_EQUAL(req.region, "eu-west-1");
    CU_ASSERT_STRING_EQUAL(req.operation, "DescribeCertificate");
    CU_ASSERT_STRING_EQUAL(req.method, "GET");
    CU_ASSERT_STRING_EQUAL(req.path, "/certificates/" CERT_ID);
    CU_ASSERT_STRING_EQUAL(req.account_key, "111111111111");
    CU_ASSERT_PTR_EQUAL(req.creds, target.creds);
    CU_ASSERT_PTR_NULL(req.endpoint);
    CU_ASSERT_EQUAL(req.n_query, 0);
    CU_ASSERT_PTR_NULL(req.body);
    CU_ASSERT_PTR_NULL(req.content_type);
    ir_buf_free(&st);
}

static void test_build_rejects_bad_certificate_ids(void)
{
    const char *bad[] = {"", "../../registrationcode", CERT_ID "0",
                         "zz1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9", NULL};
    ir_aws_request req;
    ir_buf st;
    ir_err err = {0};
    int i;

    for (i = 0; bad[i] != NULL; i++) {
        CU_ASSERT_EQUAL(ir_iot_build_describe_certificate(&target, bad[i], &req, &st, &err),
                        IR_ERR_INVALID_ARG);
        CU_ASSERT(contains(err.msg, "64 hex digits"));
        ir_buf_free(&st);
    }
    CU_ASSERT_EQUAL(ir_iot_build_describe_certificate(&target, NULL, &req, &st, &err),
                    IR_ERR_INVALID_ARG);
    ir_buf_free(&st);
}

static void test_build_checks_target(void)
{
    ir_iot_target no_region = {NULL, target.creds, NULL, NULL};
    ir_iot_target no_creds = {"eu-west-1", NULL, NULL, NULL};
    ir_aws_request req;
    ir_buf st;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_iot_build_get_registration_code(&no_region, &req, &st, &err),
                    IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "region"));
    ir_buf_free(&st);
    CU_ASSERT_EQUAL(ir_iot_build_get_registration_code(&no_creds, &req, &st, &err),
                    IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "credential"));
    ir_buf_free(&st);
}

static void test_build_transfer(void)
{
    ir_aws_request req;
    ir_buf st;
    ir_err err = {0};
    json_t *body;

    CU_ASSERT_EQUAL_FATAL(ir_iot_build_transfer_certificate(&target, CERT_ID, "222222222222",
                                                            "order 42", &req, &st, &err),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "PATCH");
    CU_ASSERT_STRING_EQUAL(req.path, "/transfer-certificate/" CERT_ID);
    CU_ASSERT_EQUAL(req.n_query, 1);
    CU_ASSERT_STRING_EQUAL(query_value(&req, "targetAwsAccount"), "222222222222");
    body = body_json(&req);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    CU_ASSERT_STRING_EQUAL(jstr(body, "transferMessage"), "order 42");
    CU_ASSERT_EQUAL(json_object_size(body), 1);
    json_decref(body);
    ir_buf_free(&st);
}

static void test_build_transfer_message_limit(void)
{
    char msg[2 * 129 + 1] = "";
    ir_aws_request req;
    ir_buf st;
    ir_err err = {0};
    int i;

    for (i = 0; i < 128; i++)
        strcat(msg, "\xc3\xa9"); /* 128 characters, 256 bytes: accepted */
    CU_ASSERT_EQUAL(
        ir_iot_build_transfer_certificate(&target, CERT_ID, "222222222222", msg, &req, &st, &err),
        IR_OK);
    ir_buf_free(&st);
    strcat(msg, "x"); /* 129 characters */
    CU_ASSERT_EQUAL(
        ir_iot_build_transfer_certificate(&target, CERT_ID, "222222222222", msg, &req, &st, &err),
        IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "transferMessage has 129 characters"));
    ir_buf_free(&st);
    CU_ASSERT_EQUAL(
        ir_iot_build_transfer_certificate(&target, CERT_ID, "22222222222", NULL, &req, &st, &err),
        IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "12 digits"));
    ir_buf_free(&st);
}

static void test_build_transfer_without_message_has_no_body(void)
{
    ir_aws_request req;
    ir_buf st;

    CU_ASSERT_EQUAL_FATAL(
        ir_iot_build_transfer_certificate(&target, CERT_ID, "222222222222", NULL, &req, &st, NULL),
        IR_OK);
    CU_ASSERT_PTR_NULL(req.body);
    CU_ASSERT_EQUAL(req.body_len, 0);
    ir_buf_free(&st);
}

static void test_build_accept_reject_cancel(void)
{
    ir_aws_request req;
    ir_buf st;
    json_t *body;

    CU_ASSERT_EQUAL_FATAL(
        ir_iot_build_accept_certificate_transfer(&target, CERT_ID, true, &req, &st, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "PATCH");
    CU_ASSERT_STRING_EQUAL(req.path, "/accept-certificate-transfer/" CERT_ID);
    CU_ASSERT_STRING_EQUAL(query_value(&req, "setAsActive"), "true");
    ir_buf_free(&st);
    CU_ASSERT_EQUAL_FATAL(
        ir_iot_build_reject_certificate_transfer(&target, CERT_ID, "not ours", &req, &st, NULL),
        IR_OK);
    CU_ASSERT_STRING_EQUAL(req.path, "/reject-certificate-transfer/" CERT_ID);
    body = body_json(&req);
    CU_ASSERT_STRING_EQUAL(jstr(body, "rejectReason"), "not ours");
    json_decref(body);
    ir_buf_free(&st);
    CU_ASSERT_EQUAL_FATAL(
        ir_iot_build_cancel_certificate_transfer(&target, CERT_ID, &req, &st, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(req.path, "/cancel-certificate-transfer/" CERT_ID);
    CU_ASSERT_STRING_EQUAL(req.method, "PATCH");
    ir_buf_free(&st);
}

static void test_build_register_certificate(void)
{
    ir_iot_register_cert_args args = {"-----BEGIN CERTIFICATE-----\nMIIB\n",
                                      "-----BEGIN CERTIFICATE-----\nCA\n", IR_IOT_STATUS_INACTIVE};
    ir_aws_request req;
    ir_buf st;
    json_t *body;

    CU_ASSERT_EQUAL_FATAL(ir_iot_build_register_certificate(&target, &args, &req, &st, NULL),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "POST");
    CU_ASSERT_STRING_EQUAL(req.path, "/certificate/register");
    CU_ASSERT_STRING_EQUAL(req.content_type, "application/json");
    body = body_json(&req);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    CU_ASSERT_STRING_EQUAL(jstr(body, "certificatePem"), args.certificate_pem);
    CU_ASSERT_STRING_EQUAL(jstr(body, "caCertificatePem"), args.ca_certificate_pem);
    CU_ASSERT_STRING_EQUAL(jstr(body, "status"), "INACTIVE");
    json_decref(body);
    ir_buf_free(&st);
    /* Without CA: no caCertificatePem even when given. */
    CU_ASSERT_EQUAL_FATAL(
        ir_iot_build_register_certificate_without_ca(&target, &args, &req, &st, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(req.path, "/certificate/register-no-ca");
    body = body_json(&req);
    CU_ASSERT_PTR_NULL(json_object_get(body, "caCertificatePem"));
    CU_ASSERT_STRING_EQUAL(jstr(body, "status"), "INACTIVE");
    json_decref(body);
    ir_buf_free(&st);
}

static void test_build_register_rejects_bad_input(void)
{
    ir_iot_register_cert_args args = {"\xff\xfe not utf-8", NULL, IR_IOT_STATUS_NONE};
    ir_aws_request req;
    ir_buf st;
    ir_err err = {0};
    char *huge;

    CU_ASSERT_EQUAL(ir_iot_build_register_certificate(&target, &args, &req, &st, &err),
                    IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "UTF-8"));
    ir_buf_free(&st);
    huge = malloc(70000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(huge);
    memset(huge, 'A', 69999);
    huge[69999] = '\0';
    args.certificate_pem = huge;
    CU_ASSERT_EQUAL(ir_iot_build_register_certificate(&target, &args, &req, &st, &err),
                    IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "certificatePem"));
    ir_buf_free(&st);
    free(huge);
    args.certificate_pem = NULL;
    CU_ASSERT_EQUAL(ir_iot_build_register_certificate(&target, &args, &req, &st, &err),
                    IR_ERR_INVALID_ARG);
    ir_buf_free(&st);
}

/* A large body forces the storage to move: every pointer must follow it. */
static void test_build_pointers_survive_storage_growth(void)
{
    ir_iot_register_ca_args args = {NULL, NULL, "DEFAULT", true, false};
    char *pem = malloc(60001);
    ir_aws_request req;
    ir_buf st;
    json_t *body;

    CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
    memset(pem, 'B', 60000);
    pem[60000] = '\0';
    args.ca_certificate_pem = pem;
    args.verification_certificate_pem = pem;
    CU_ASSERT_EQUAL_FATAL(ir_iot_build_register_ca_certificate(&target, &args, &req, &st, NULL),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(req.path, "/cacertificate");
    CU_ASSERT_STRING_EQUAL(query_value(&req, "setAsActive"), "true");
    CU_ASSERT_STRING_EQUAL(query_value(&req, "allowAutoRegistration"), "false");
    body = body_json(&req);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    CU_ASSERT_EQUAL(strlen(jstr(body, "caCertificate")), 60000);
    CU_ASSERT_EQUAL(strlen(jstr(body, "verificationCertificate")), 60000);
    CU_ASSERT_STRING_EQUAL(jstr(body, "certificateMode"), "DEFAULT");
    json_decref(body);
    ir_buf_free(&st);
    args.certificate_mode = "SOMETIMES";
    CU_ASSERT_EQUAL(ir_iot_build_register_ca_certificate(&target, &args, &req, &st, NULL),
                    IR_ERR_INVALID_ARG);
    ir_buf_free(&st);
    free(pem);
}

static void test_build_update_and_delete(void)
{
    ir_aws_request req;
    ir_buf st;

    CU_ASSERT_EQUAL_FATAL(
        ir_iot_build_update_certificate(&target, CERT_ID, IR_IOT_STATUS_ACTIVE, &req, &st, NULL),
        IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "PUT");
    CU_ASSERT_STRING_EQUAL(req.path, "/certificates/" CERT_ID);
    CU_ASSERT_STRING_EQUAL(query_value(&req, "newStatus"), "ACTIVE");
    ir_buf_free(&st);
    CU_ASSERT_EQUAL(
        ir_iot_build_update_certificate(&target, CERT_ID, IR_IOT_STATUS_NONE, &req, &st, NULL),
        IR_ERR_INVALID_ARG);
    ir_buf_free(&st);
    CU_ASSERT_EQUAL_FATAL(ir_iot_build_delete_certificate(&target, CERT_ID, true, &req, &st, NULL),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "DELETE");
    CU_ASSERT_STRING_EQUAL(query_value(&req, "forceDelete"), "true");
    ir_buf_free(&st);
}

static void test_build_list_paging(void)
{
    ir_iot_page_opts page = {250, "AbC+/=", true};
    ir_aws_request req;
    ir_buf st;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_iot_build_list_certificates(&target, &page, &req, &st, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "GET");
    CU_ASSERT_STRING_EQUAL(req.path, "/certificates");
    CU_ASSERT_STRING_EQUAL(query_value(&req, "pageSize"), "250");
    /* Unencoded: the transport encodes query values. */
    CU_ASSERT_STRING_EQUAL(query_value(&req, "marker"), "AbC+/=");
    CU_ASSERT_STRING_EQUAL(query_value(&req, "isAscendingOrder"), "true");
    ir_buf_free(&st);
    CU_ASSERT_EQUAL_FATAL(ir_iot_build_list_outgoing_certificates(&target, NULL, &req, &st, NULL),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(req.path, "/certificates-out-going");
    CU_ASSERT_EQUAL(req.n_query, 0);
    ir_buf_free(&st);
    CU_ASSERT_EQUAL_FATAL(ir_iot_build_list_ca_certificates(&target, NULL, &req, &st, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(req.path, "/cacertificates");
    ir_buf_free(&st);
    page.page_size = 251;
    CU_ASSERT_EQUAL(ir_iot_build_list_certificates(&target, &page, &req, &st, &err),
                    IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "pageSize"));
    ir_buf_free(&st);
}

static void test_build_list_attached_policies_encodes_arn(void)
{
    ir_iot_attached_args args = {CERT_ARN, true, 10, "m1"};
    ir_aws_request req;
    ir_buf st;

    CU_ASSERT_EQUAL_FATAL(ir_iot_build_list_attached_policies(&target, &args, &req, &st, NULL),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "POST");
    CU_ASSERT_STRING_EQUAL(
        req.path,
        "/attached-policies/arn%3Aaws%3Aiot%3Aeu-west-1%3A111111111111%3Acert%2F" CERT_ID);
    CU_ASSERT_STRING_EQUAL(query_value(&req, "recursive"), "true");
    CU_ASSERT_STRING_EQUAL(query_value(&req, "pageSize"), "10");
    CU_ASSERT_STRING_EQUAL(query_value(&req, "marker"), "m1");
    CU_ASSERT_PTR_NULL(query_value(&req, "isAscendingOrder"));
    ir_buf_free(&st);
}

static void test_build_policies(void)
{
    ir_aws_request req;
    ir_buf st;
    ir_err err = {0};
    json_t *body;

    CU_ASSERT_EQUAL_FATAL(
        ir_iot_build_create_policy(&target, "cust.policy@1", "{\"Version\":1}", &req, &st, NULL),
        IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "POST");
    CU_ASSERT_STRING_EQUAL(req.path, "/policies/cust.policy%401");
    body = body_json(&req);
    CU_ASSERT_STRING_EQUAL(jstr(body, "policyDocument"), "{\"Version\":1}");
    json_decref(body);
    ir_buf_free(&st);
    CU_ASSERT_EQUAL_FATAL(ir_iot_build_attach_policy(&target, "p", CERT_ARN, &req, &st, NULL),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "PUT");
    CU_ASSERT_STRING_EQUAL(req.path, "/target-policies/p");
    body = body_json(&req);
    CU_ASSERT_STRING_EQUAL(jstr(body, "target"), CERT_ARN);
    json_decref(body);
    ir_buf_free(&st);
    CU_ASSERT_EQUAL_FATAL(ir_iot_build_detach_policy(&target, "p", CERT_ARN, &req, &st, NULL),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "POST");
    CU_ASSERT_STRING_EQUAL(req.path, "/target-policies/p");
    ir_buf_free(&st);
    CU_ASSERT_EQUAL(ir_iot_build_get_policy(&target, "a/b", &req, &st, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "policyName"));
    ir_buf_free(&st);
}

static void test_build_things(void)
{
    ir_iot_attribute attrs[] = {{"serial", "SN-1"}, {"customer", "acme"}};
    ir_iot_create_thing_args args = {"dev:1_a-b", NULL, attrs, 2};
    ir_iot_thing_group_args group = {"fleet", NULL, "dev:1_a-b", NULL, false};
    ir_aws_request req;
    ir_buf st;
    json_t *body, *a;

    CU_ASSERT_EQUAL_FATAL(ir_iot_build_create_thing(&target, &args, &req, &st, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "POST");
    CU_ASSERT_STRING_EQUAL(req.path, "/things/dev%3A1_a-b");
    body = body_json(&req);
    a = json_object_get(json_object_get(body, "attributePayload"), "attributes");
    CU_ASSERT_STRING_EQUAL(jstr(a, "serial"), "SN-1");
    CU_ASSERT_STRING_EQUAL(jstr(a, "customer"), "acme");
    json_decref(body);
    ir_buf_free(&st);
    CU_ASSERT_EQUAL_FATAL(
        ir_iot_build_attach_thing_principal(&target, "dev:1_a-b", CERT_ARN, &req, &st, NULL),
        IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "PUT");
    CU_ASSERT_STRING_EQUAL(req.path, "/things/dev%3A1_a-b/principals");
    CU_ASSERT_STRING_EQUAL(header_value(&req, "x-amzn-principal"), CERT_ARN);
    CU_ASSERT_PTR_NULL(req.body);
    ir_buf_free(&st);
    CU_ASSERT_EQUAL(
        ir_iot_build_attach_thing_principal(&target, "dev", "arn\r\nX-Evil: 1", &req, &st, NULL),
        IR_ERR_INVALID_ARG);
    ir_buf_free(&st);
    CU_ASSERT_EQUAL_FATAL(ir_iot_build_add_thing_to_thing_group(&target, &group, &req, &st, NULL),
                          IR_OK);
    CU_ASSERT_STRING_EQUAL(req.path, "/thing-groups/addThingToThingGroup");
    CU_ASSERT_STRING_EQUAL(req.method, "PUT");
    body = body_json(&req);
    CU_ASSERT_STRING_EQUAL(jstr(body, "thingGroupName"), "fleet");
    CU_ASSERT_STRING_EQUAL(jstr(body, "thingName"), "dev:1_a-b");
    json_decref(body);
    ir_buf_free(&st);
    args.thing_name = "bad name";
    CU_ASSERT_EQUAL(ir_iot_build_create_thing(&target, &args, &req, &st, NULL), IR_ERR_INVALID_ARG);
    ir_buf_free(&st);
}

static void test_build_sts_assume_role(void)
{
    ir_sts_assume_role_args args = {ROLE_ARN, "iotreg", "ext-123:a/b", 900};
    ir_aws_request req;
    ir_buf st;
    ir_err err = {0};
    char body[512];

    CU_ASSERT_EQUAL_FATAL(ir_sts_build_assume_role(&target, &args, &req, &st, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(req.service, "sts");
    CU_ASSERT_STRING_EQUAL(req.region, "eu-west-1");
    CU_ASSERT_STRING_EQUAL(req.method, "POST");
    CU_ASSERT_STRING_EQUAL(req.path, "/");
    CU_ASSERT_STRING_EQUAL(req.operation, "AssumeRole");
    CU_ASSERT_STRING_EQUAL(req.content_type, "application/x-www-form-urlencoded; charset=utf-8");
    CU_ASSERT_FATAL(req.body_len < sizeof(body));
    memcpy(body, req.body, req.body_len);
    body[req.body_len] = '\0';
    CU_ASSERT_STRING_EQUAL(body,
                           "Action=AssumeRole&Version=2011-06-15"
                           "&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fiotreg-delivery"
                           "&RoleSessionName=iotreg&ExternalId=ext-123%3Aa%2Fb"
                           "&DurationSeconds=900");
    ir_buf_free(&st);
    args.external_id = NULL;
    args.duration_seconds = 0;
    CU_ASSERT_EQUAL_FATAL(ir_sts_build_assume_role(&target, &args, &req, &st, &err), IR_OK);
    CU_ASSERT_EQUAL(req.body_len, strlen("Action=AssumeRole&Version=2011-06-15"
                                         "&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2F"
                                         "iotreg-delivery&RoleSessionName=iotreg"));
    ir_buf_free(&st);
}

static void test_build_sts_assume_role_checks(void)
{
    ir_sts_assume_role_args args = {ROLE_ARN, "iotreg", "ext-123", 899};
    ir_aws_request req;
    ir_buf st;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_sts_build_assume_role(&target, &args, &req, &st, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "DurationSeconds must be 900 to 43200"));
    ir_buf_free(&st);
    args.duration_seconds = 43201;
    CU_ASSERT_EQUAL(ir_sts_build_assume_role(&target, &args, &req, &st, &err), IR_ERR_INVALID_ARG);
    ir_buf_free(&st);
    args.duration_seconds = 43200;
    CU_ASSERT_EQUAL(ir_sts_build_assume_role(&target, &args, &req, &st, &err), IR_OK);
    ir_buf_free(&st);
    args.role_session_name = "x";
    CU_ASSERT_EQUAL(ir_sts_build_assume_role(&target, &args, &req, &st, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "RoleSessionName"));
    ir_buf_free(&st);
    args.role_session_name = "iotreg";
    args.external_id = "a b";
    CU_ASSERT_EQUAL(ir_sts_build_assume_role(&target, &args, &req, &st, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "ExternalId"));
    ir_buf_free(&st);
}

static void test_build_sts_get_caller_identity(void)
{
    ir_aws_request req;
    ir_buf st;

    CU_ASSERT_EQUAL_FATAL(ir_sts_build_get_caller_identity(&target, &req, &st, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(req.service, "sts");
    CU_ASSERT_STRING_EQUAL(req.operation, "GetCallerIdentity");
    CU_ASSERT_EQUAL(req.body_len, strlen("Action=GetCallerIdentity&Version=2011-06-15"));
    CU_ASSERT_EQUAL(memcmp(req.body, "Action=GetCallerIdentity&Version=2011-06-15", req.body_len),
                    0);
    ir_buf_free(&st);
}

/* ---- JSON parsing ---- */

static const char describe_json[] =
    "{\"certificateDescription\":{\"certificateArn\":\"" CERT_ARN "\",\"certificateId\":\"" CERT_ID
    "\",\"caCertificateId\":\"" CERT_ID "\",\"status\":\"PENDING_TRANSFER\","
    "\"certificatePem\":\"-----BEGIN CERTIFICATE-----\\n\",\"ownedBy\":\"111111111111\","
    "\"previousOwnedBy\":\"333333333333\",\"creationDate\":1.700000000123E9,"
    "\"lastModifiedDate\":1700000100,\"customerVersion\":2,\"generationId\":\"g\","
    "\"validity\":{\"notBefore\":1,\"notAfter\":2},\"certificateMode\":\"DEFAULT\","
    "\"transferData\":{\"transferMessage\":\"hello\",\"transferDate\":1700000200.5}}}";

static void test_parse_describe_certificate(void)
{
    ir_aws_response r;
    ir_iot_cert_desc d = {0};
    ir_err err = {0};

    resp_text(&r, describe_json);
    CU_ASSERT_EQUAL_FATAL(ir_iot_parse_describe_certificate(&r, &d, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(d.certificate_id, CERT_ID);
    CU_ASSERT_STRING_EQUAL(d.certificate_arn, CERT_ARN);
    CU_ASSERT_STRING_EQUAL(d.ca_certificate_id, CERT_ID);
    CU_ASSERT_EQUAL(d.status, IR_IOT_STATUS_PENDING_TRANSFER);
    CU_ASSERT_STRING_EQUAL(d.owned_by, "111111111111");
    CU_ASSERT_STRING_EQUAL(d.previous_owned_by, "333333333333");
    CU_ASSERT_STRING_EQUAL(d.certificate_pem, "-----BEGIN CERTIFICATE-----\n");
    CU_ASSERT_STRING_EQUAL(d.certificate_mode, "DEFAULT");
    CU_ASSERT_EQUAL(d.creation_date_ms, 1700000000123LL);
    CU_ASSERT_EQUAL(d.last_modified_date_ms, 1700000100000LL);
    CU_ASSERT_TRUE(d.has_transfer_data);
    CU_ASSERT_STRING_EQUAL(d.transfer_data.transfer_message, "hello");
    CU_ASSERT_EQUAL(d.transfer_data.transfer_date_ms, 1700000200500LL);
    CU_ASSERT_EQUAL(d.transfer_data.accept_date_ms, 0);
    CU_ASSERT_PTR_NULL(d.transfer_data.reject_reason);
    ir_iot_cert_desc_free(&d);
    CU_ASSERT_PTR_NULL(d.certificate_id);
    ir_buf_free(&r.body);
}

/* Each bad document must fail with rc and a message containing what. */
static void expect_describe_error(const char *json, ir_rc rc, const char *what)
{
    ir_aws_response r;
    ir_iot_cert_desc d = {0};
    ir_err err = {0};

    resp_text(&r, json);
    CU_ASSERT_EQUAL(ir_iot_parse_describe_certificate(&r, &d, &err), rc);
    CU_ASSERT_EQUAL(err.rc, rc);
    if (!contains(err.msg, what))
        fprintf(stderr, "\nmessage '%s' lacks '%s'\n", err.msg, what);
    CU_ASSERT(contains(err.msg, what));
    CU_ASSERT(contains(err.msg, "DescribeCertificate response"));
    ir_iot_cert_desc_free(&d);
    ir_buf_free(&r.body);
}

static void test_parse_describe_certificate_bad_input(void)
{
    char truncated[sizeof(describe_json)];

    memcpy(truncated, describe_json, 120);
    truncated[120] = '\0';
    expect_describe_error(truncated, IR_ERR_PARSE, "invalid JSON");
    expect_describe_error("", IR_ERR_PARSE, "empty");
    expect_describe_error("[1,2]", IR_ERR_PARSE, "an array, expected a JSON object");
    expect_describe_error("{}", IR_ERR_PARSE, "certificateDescription is missing");
    expect_describe_error("{\"certificateDescription\":\"x\"}", IR_ERR_PARSE,
                          "certificateDescription is a string, expected an object");
    expect_describe_error("{\"certificateDescription\":{\"certificateId\":\"a\","
                          "\"certificateArn\":\"b\",\"status\":7}}",
                          IR_ERR_PARSE, "certificateDescription.status is a number");
    expect_describe_error("{\"certificateDescription\":{\"certificateArn\":\"b\"}}", IR_ERR_PARSE,
                          "certificateDescription.certificateId is missing");
    expect_describe_error("{\"certificateDescription\":{\"certificateId\":\"a\","
                          "\"certificateArn\":\"b\",\"status\":\"ACTIVE\",\"transferData\":"
                          "{\"transferDate\":\"yesterday\"}}}",
                          IR_ERR_PARSE,
                          "certificateDescription.transferData.transferDate is a string");
    expect_describe_error("{\"certificateDescription\":{\"certificateId\":\"a\","
                          "\"certificateArn\":\"b\",\"status\":\"ACTIVE\",\"creationDate\":-5}}",
                          IR_ERR_PARSE, "not a plausible date");
    expect_describe_error("{\"a\":1,\"a\":2}", IR_ERR_PARSE, "invalid JSON");
    expect_describe_error("\xff\xfe{}", IR_ERR_PARSE, "invalid JSON");
}

static void test_parse_oversized_body(void)
{
    size_t n = (1u << 20) + 16;
    char *big = malloc(n);
    ir_aws_response r;
    ir_iot_cert_desc d = {0};
    ir_err err = {0};

    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    resp_set(&r, big, n);
    CU_ASSERT_EQUAL(ir_iot_parse_describe_certificate(&r, &d, &err), IR_ERR_TOO_LARGE);
    CU_ASSERT(contains(err.msg, "exceeds the limit"));
    ir_buf_free(&r.body);
    free(big);
}

static void test_parse_deep_nesting(void)
{
    ir_aws_response r;
    ir_iot_cert_desc d = {0};
    ir_err err = {0};
    size_t depth = 100000, i;
    char *s = malloc(2 * depth + 1);

    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    for (i = 0; i < depth; i++) {
        s[i] = '[';
        s[depth + i] = ']';
    }
    s[2 * depth] = '\0';
    resp_text(&r, s);
    CU_ASSERT_EQUAL(ir_iot_parse_describe_certificate(&r, &d, &err), IR_ERR_PARSE);
    ir_buf_free(&r.body);
    free(s);
}

static void test_list_thing_principals(void)
{
    ir_iot_page_opts page = {100, "tok/1", false};
    ir_iot_principal_list l = {0};
    ir_aws_response r;
    ir_aws_request req;
    ir_err err = {0};
    ir_buf st;

    CU_ASSERT_EQUAL_FATAL(
        ir_iot_build_list_thing_principals(&target, "sensor:2E42", &page, &req, &st, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(req.method, "GET");
    CU_ASSERT_STRING_EQUAL(req.path, "/things/sensor%3A2E42/principals");
    CU_ASSERT_STRING_EQUAL(query_value(&req, "maxResults"), "100");
    CU_ASSERT_STRING_EQUAL(query_value(&req, "nextToken"), "tok/1");
    CU_ASSERT_PTR_NULL(query_value(&req, "pageSize"));
    CU_ASSERT_PTR_NULL(req.body);
    ir_buf_free(&st);
    page.page_size = 251;
    CU_ASSERT_EQUAL(ir_iot_build_list_thing_principals(&target, "t", &page, &req, &st, &err),
                    IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "maxResults"));
    ir_buf_free(&st);
    CU_ASSERT_EQUAL(ir_iot_build_list_thing_principals(&target, "a.b", NULL, &req, &st, NULL),
                    IR_ERR_INVALID_ARG);
    ir_buf_free(&st);
    /* Paged by nextToken: a page appends, the last one clears the token. */
    resp_text(&r, "{\"principals\":[\"" CERT_ARN "\"],\"nextToken\":\"t2\"}");
    CU_ASSERT_EQUAL_FATAL(ir_iot_parse_list_thing_principals(&r, &l, &err), IR_OK);
    CU_ASSERT_EQUAL(l.n, 1);
    CU_ASSERT_STRING_EQUAL(l.items[0], CERT_ARN);
    CU_ASSERT_STRING_EQUAL(l.next_token, "t2");
    ir_buf_free(&r.body);
    resp_text(&r, "{\"principals\":[\"arn:aws:iot:eu-west-1:111111111111:cert/b\"]}");
    CU_ASSERT_EQUAL_FATAL(ir_iot_parse_list_thing_principals(&r, &l, &err), IR_OK);
    CU_ASSERT_EQUAL(l.n, 2);
    CU_ASSERT_PTR_NULL(l.next_token);
    ir_buf_free(&r.body);
    resp_text(&r, "{\"principals\":[\"x\",{}]}");
    CU_ASSERT_EQUAL(ir_iot_parse_list_thing_principals(&r, &l, &err), IR_ERR_PARSE);
    CU_ASSERT(contains(err.msg, "principals[1] is not a string"));
    CU_ASSERT(contains(err.msg, "ListThingPrincipals response"));
    ir_buf_free(&r.body);
    ir_iot_principal_list_free(&l);
    CU_ASSERT_EQUAL(l.n, 0);
}

static void test_parse_list_certificates_pages(void)
{
    ir_aws_response r;
    ir_iot_cert_list l = {0};
    ir_err err = {0};

    resp_text(&r,
              "{\"certificates\":[{\"certificateId\":\"" CERT_ID "\",\"certificateArn\":\"" CERT_ARN
              "\",\"status\":\"ACTIVE\",\"creationDate\":1700000000,"
              "\"certificateMode\":\"DEFAULT\"},{\"certificateId\":\"b\",\"status\":\"NEW\"}],"
              "\"nextMarker\":\"Mg==\"}");
    CU_ASSERT_EQUAL_FATAL(ir_iot_parse_list_certificates(&r, &l, &err), IR_OK);
    CU_ASSERT_EQUAL(l.n, 2);
    CU_ASSERT_STRING_EQUAL(l.items[0].certificate_id, CERT_ID);
    CU_ASSERT_EQUAL(l.items[0].status, IR_IOT_STATUS_ACTIVE);
    CU_ASSERT_EQUAL(l.items[0].creation_date_ms, 1700000000000LL);
    CU_ASSERT_EQUAL(l.items[1].status, IR_IOT_STATUS_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(l.next_marker, "Mg==");
    ir_buf_free(&r.body);
    /* A second page appends and clears the marker. */
    resp_text(&r, "{\"certificates\":[{\"certificateId\":\"c\"},{\"certificateId\":\"d\"},"
                  "{\"certificateId\":\"e\"},{\"certificateId\":\"f\"}]}");
    CU_ASSERT_EQUAL_FATAL(ir_iot_parse_list_certificates(&r, &l, &err), IR_OK);
    CU_ASSERT_EQUAL(l.n, 6);
    CU_ASSERT_STRING_EQUAL(l.items[5].certificate_id, "f");
    CU_ASSERT_STRING_EQUAL(l.items[0].certificate_id, CERT_ID);
    CU_ASSERT_PTR_NULL(l.next_marker);
    ir_buf_free(&r.body);
    /* A bad element: an error naming it; what was parsed stays consistent. */
    resp_text(&r, "{\"certificates\":[{\"certificateId\":\"g\"},{\"certificateId\":5}]}");
    CU_ASSERT_EQUAL(ir_iot_parse_list_certificates(&r, &l, &err), IR_ERR_PARSE);
    CU_ASSERT(contains(err.msg, "certificates[1].certificateId is a number"));
    CU_ASSERT(contains(err.msg, "ListCertificates response"));
    CU_ASSERT_EQUAL(l.n, 7);
    ir_buf_free(&r.body);
    resp_text(&r, "{\"certificates\":[{\"certificateId\":\"g\",\"certificateArn\":\"x\"},\"s\"]}");
    CU_ASSERT_EQUAL(ir_iot_parse_list_certificates(&r, &l, &err), IR_ERR_PARSE);
    CU_ASSERT(contains(err.msg, "certificates[1] is not an object"));
    ir_buf_free(&r.body);
    resp_text(&r, "{\"certificates\":{}}");
    CU_ASSERT_EQUAL(ir_iot_parse_list_certificates(&r, &l, &err), IR_ERR_PARSE);
    CU_ASSERT(contains(err.msg, "certificates is an object, expected an array"));
    ir_buf_free(&r.body);
    ir_iot_cert_list_free(&l);
    CU_ASSERT_EQUAL(l.n, 0);
}

static void test_parse_other_iot_results(void)
{
    ir_aws_response r;
    ir_iot_outgoing_list out = {0};
    ir_iot_policy_list pl = {0};
    ir_iot_thing_desc td = {0};
    ir_iot_policy pol = {0};
    ir_iot_cert_ref ref = {0};
    char *code = NULL, *arn = NULL;

    resp_text(&r, "{\"registrationCode\":\"abc123\"}");
    CU_ASSERT_EQUAL(ir_iot_parse_get_registration_code(&r, &code, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(code, "abc123");
    ir_buf_free(&r.body);
    resp_text(&r, "{\"certificateId\":\"" CERT_ID "\",\"certificateArn\":\"" CERT_ARN "\"}");
    CU_ASSERT_EQUAL(ir_iot_parse_register_certificate(&r, &ref, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(ref.certificate_arn, CERT_ARN);
    ir_buf_free(&r.body);
    resp_text(&r, "{\"transferredCertificateArn\":\"" CERT_ARN "\"}");
    CU_ASSERT_EQUAL(ir_iot_parse_transfer_certificate(&r, &arn, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(arn, CERT_ARN);
    ir_buf_free(&r.body);
    resp_text(&r, "{\"outgoingCertificates\":[{\"certificateId\":\"" CERT_ID "\","
                  "\"transferredTo\":\"222222222222\",\"transferDate\":1700000000,"
                  "\"transferMessage\":\"m\"}]}");
    CU_ASSERT_EQUAL(ir_iot_parse_list_outgoing_certificates(&r, &out, NULL), IR_OK);
    CU_ASSERT_EQUAL(out.n, 1);
    CU_ASSERT_STRING_EQUAL(out.items[0].transferred_to, "222222222222");
    CU_ASSERT_EQUAL(out.items[0].transfer_date_ms, 1700000000000LL);
    ir_buf_free(&r.body);
    resp_text(&r, "{\"policies\":[{\"policyName\":\"p1\",\"policyArn\":\"arn:p1\"}]}");
    CU_ASSERT_EQUAL(ir_iot_parse_list_attached_policies(&r, &pl, NULL), IR_OK);
    CU_ASSERT_EQUAL(pl.n, 1);
    CU_ASSERT_STRING_EQUAL(pl.items[0].policy_name, "p1");
    ir_buf_free(&r.body);
    resp_text(&r, "{\"thingName\":\"t\",\"thingArn\":\"arn:t\",\"thingId\":\"id\",\"version\":3,"
                  "\"attributes\":{\"serial\":\"SN-1\"}}");
    CU_ASSERT_EQUAL(ir_iot_parse_describe_thing(&r, &td, NULL), IR_OK);
    CU_ASSERT_EQUAL(td.version, 3);
    CU_ASSERT_STRING_EQUAL(ir_iot_thing_desc_attribute(&td, "serial"), "SN-1");
    CU_ASSERT_PTR_NULL(ir_iot_thing_desc_attribute(&td, "other"));
    ir_buf_free(&r.body);
    resp_text(&r, "{\"policyName\":\"p\",\"policyArn\":\"arn:p\",\"policyDocument\":\"{}\","
                  "\"defaultVersionId\":\"1\",\"creationDate\":1700000000}");
    CU_ASSERT_EQUAL(ir_iot_parse_get_policy(&r, &pol, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(pol.version_id, "1");
    CU_ASSERT_EQUAL(pol.creation_date_ms, 1700000000000LL);
    ir_buf_free(&r.body);
    free(code);
    free(arn);
    ir_iot_cert_ref_free(&ref);
    ir_iot_outgoing_list_free(&out);
    ir_iot_policy_list_free(&pl);
    ir_iot_thing_desc_free(&td);
    ir_iot_policy_free(&pol);
}

static void test_parse_thing_attribute_types(void)
{
    ir_aws_response r;
    ir_iot_thing_desc td = {0};
    ir_err err = {0};

    resp_text(&r, "{\"thingName\":\"t\",\"thingArn\":\"arn:t\",\"attributes\":{\"a\":\"1\","
                  "\"b\":2}}");
    CU_ASSERT_EQUAL(ir_iot_parse_describe_thing(&r, &td, &err), IR_ERR_PARSE);
    CU_ASSERT(contains(err.msg, "attributes.b is not a string"));
    ir_iot_thing_desc_free(&td);
    ir_buf_free(&r.body);
    resp_text(&r, "{\"thingName\":\"t\",\"thingArn\":\"arn:t\",\"version\":\"3\"}");
    CU_ASSERT_EQUAL(ir_iot_parse_describe_thing(&r, &td, &err), IR_ERR_PARSE);
    CU_ASSERT(contains(err.msg, "version is a string, expected an integer"));
    ir_iot_thing_desc_free(&td);
    ir_buf_free(&r.body);
}

static void test_parse_already_exists_and_empty(void)
{
    ir_aws_response r;
    ir_iot_existing e = {0};
    ir_err err = {0};

    resp_text(&r, "{\"message\":\"dup\",\"resourceId\":\"" CERT_ID "\",\"resourceArn\":\"" CERT_ARN
                  "\"}");
    CU_ASSERT_EQUAL(ir_iot_parse_already_exists(&r, &e, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(e.resource_id, CERT_ID);
    CU_ASSERT_STRING_EQUAL(e.resource_arn, CERT_ARN);
    ir_iot_existing_free(&e);
    ir_buf_free(&r.body);
    resp_text(&r, "");
    CU_ASSERT_EQUAL(ir_iot_parse_empty(&r, &err), IR_OK);
    ir_buf_free(&r.body);
    resp_text(&r, "{}");
    CU_ASSERT_EQUAL(ir_iot_parse_empty(&r, &err), IR_OK);
    ir_buf_free(&r.body);
    resp_text(&r, "<html>");
    CU_ASSERT_EQUAL(ir_iot_parse_empty(&r, &err), IR_ERR_PARSE);
    ir_buf_free(&r.body);
}

static void test_status_names_round_trip(void)
{
    int s;

    for (s = IR_IOT_STATUS_ACTIVE; s < IR_IOT_STATUS_UNKNOWN; s++)
        CU_ASSERT_EQUAL(ir_iot_cert_status_from_name(ir_iot_cert_status_name(s)), s);
    CU_ASSERT_PTR_NULL(ir_iot_cert_status_name(IR_IOT_STATUS_NONE));
    CU_ASSERT_EQUAL(ir_iot_cert_status_from_name("active"), IR_IOT_STATUS_UNKNOWN);
}

/* ---- STS XML ---- */

#define STS_NS "https://sts.amazonaws.com/doc/2011-06-15/"

static const char assume_xml[] =
    "<AssumeRoleResponse xmlns=\"" STS_NS "\">\n"
    "  <AssumeRoleResult>\n"
    "    <SourceIdentity>x</SourceIdentity>\n"
    "    <AssumedRoleUser>\n"
    "      <Arn>arn:aws:sts::222222222222:assumed-role/iotreg-delivery/iotreg</Arn>\n"
    "      <AssumedRoleId>AROA1234:iotreg</AssumedRoleId>\n"
    "    </AssumedRoleUser>\n"
    "    <Credentials>\n"
    "      <AccessKeyId>ASIAEXAMPLE123</AccessKeyId>\n"
    "      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>\n"
    "      <SessionToken>FwoGZXIvYXdzE&amp;token==</SessionToken>\n"
    "      <Expiration>2024-01-02T03:04:05Z</Expiration>\n"
    "    </Credentials>\n"
    "    <PackedPolicySize>6</PackedPolicySize>\n"
    "  </AssumeRoleResult>\n"
    "  <ResponseMetadata><RequestId>c6104cbe</RequestId></ResponseMetadata>\n"
    "</AssumeRoleResponse>\n";

static void test_parse_assume_role(void)
{
    ir_aws_response r;
    ir_sts_credentials sc = {0};
    ir_err err = {0};

    resp_text(&r, assume_xml);
    CU_ASSERT_EQUAL_FATAL(ir_sts_parse_assume_role(&r, &sc, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(sc.access_key_id, "ASIAEXAMPLE123");
    CU_ASSERT_STRING_EQUAL(sc.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
    CU_ASSERT_STRING_EQUAL(sc.session_token, "FwoGZXIvYXdzE&token==");
    CU_ASSERT_EQUAL(sc.expiration_ms, 1704164645000LL);
    CU_ASSERT_STRING_EQUAL(sc.assumed_role_arn,
                           "arn:aws:sts::222222222222:assumed-role/iotreg-delivery/iotreg");
    CU_ASSERT_STRING_EQUAL(sc.assumed_role_id, "AROA1234:iotreg");
    ir_sts_credentials_free(&sc);
    CU_ASSERT_PTR_NULL(sc.secret_access_key);
    ir_buf_free(&r.body);
}

static void test_parse_time(void)
{
    int64_t ms = 0;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_sts_parse_time("2024-01-02T03:04:05.250Z", &ms, &err), IR_OK);
    CU_ASSERT_EQUAL(ms, 1704164645250LL);
    CU_ASSERT_EQUAL(ir_sts_parse_time("2024-01-02T05:04:05+02:00", &ms, &err), IR_OK);
    CU_ASSERT_EQUAL(ms, 1704164645000LL);
    CU_ASSERT_EQUAL(ir_sts_parse_time("1970-01-01T00:00:00Z", &ms, &err), IR_OK);
    CU_ASSERT_EQUAL(ms, 0);
    CU_ASSERT_EQUAL(ir_sts_parse_time("2024-01-02 03:04:05Z", &ms, &err), IR_ERR_PARSE);
    CU_ASSERT_EQUAL(ir_sts_parse_time("2024-13-02T03:04:05Z", &ms, &err), IR_ERR_PARSE);
    CU_ASSERT_EQUAL(ir_sts_parse_time("2024-01-02T03:04:05", &ms, &err), IR_ERR_PARSE);
    CU_ASSERT_EQUAL(ir_sts_parse_time("2024-01-02T03:04:05Zjunk", &ms, &err), IR_ERR_PARSE);
    CU_ASSERT_EQUAL(ir_sts_parse_time("+024-01-02T03:04:05Z", &ms, &err), IR_ERR_PARSE);
    CU_ASSERT(contains(err.msg, "ISO 8601"));
}

/* Parsing xml must fail with rc and a message containing what; no secret
 * of the document may reach the message. */
static void expect_assume_error(const char *xml, ir_rc rc, const char *what)
{
    ir_aws_response r;
    ir_sts_credentials sc = {0};
    ir_err err = {0};

    resp_text(&r, xml);
    CU_ASSERT_EQUAL(ir_sts_parse_assume_role(&r, &sc, &err), rc);
    if (!contains(err.msg, what))
        fprintf(stderr, "\nmessage '%s' lacks '%s'\n", err.msg, what);
    CU_ASSERT(contains(err.msg, what));
    CU_ASSERT(!contains(err.msg, "EXAMPLEKEY"));
    CU_ASSERT_PTR_NULL(sc.secret_access_key);
    CU_ASSERT_PTR_NULL(sc.session_token);
    ir_sts_credentials_free(&sc);
    ir_buf_free(&r.body);
}

static void test_parse_assume_role_bad_input(void)
{
    char truncated[sizeof(assume_xml)];

    memcpy(truncated, assume_xml, 400);
    truncated[400] = '\0';
    expect_assume_error(truncated, IR_ERR_PARSE, "invalid XML");
    expect_assume_error("", IR_ERR_PARSE, "empty");
    expect_assume_error("not xml at all", IR_ERR_PARSE, "invalid XML");
    expect_assume_error("{\"Credentials\":{}}", IR_ERR_PARSE, "invalid XML");
    expect_assume_error("<AssumeRoleResponse xmlns=\"" STS_NS "\"><AssumeRoleResult>"
                        "</AssumeRoleResult></AssumeRoleResponse>",
                        IR_ERR_PARSE, "AssumeRoleResult/Credentials is missing");
    expect_assume_error("<AssumeRoleResponse xmlns=\"" STS_NS "\"></AssumeRoleResponse>",
                        IR_ERR_PARSE, "AssumeRoleResponse/AssumeRoleResult is missing");
    expect_assume_error("<AssumeRoleResponse xmlns=\"" STS_NS "\"><AssumeRoleResult><Credentials>"
                        "<AccessKeyId>A</AccessKeyId><SecretAccessKey>EXAMPLEKEY</SecretAccessKey>"
                        "<Expiration>2024-01-02T03:04:05Z</Expiration>"
                        "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
                        IR_ERR_PARSE, "Credentials/SessionToken is missing");
    expect_assume_error(
        "<AssumeRoleResponse xmlns=\"" STS_NS "\"><AssumeRoleResult><Credentials>"
        "<AccessKeyId>A</AccessKeyId><SecretAccessKey>EXAMPLEKEY<b/></SecretAccessKey>"
        "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
        IR_ERR_PARSE, "holds markup");
    expect_assume_error("<AssumeRoleResponse xmlns=\"" STS_NS "\"><AssumeRoleResult><Credentials>"
                        "<AccessKeyId>A</AccessKeyId><SecretAccessKey>EXAMPLEKEY</SecretAccessKey>"
                        "<SessionToken>T</SessionToken><Expiration>soon</Expiration>"
                        "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
                        IR_ERR_PARSE, "ISO 8601");
    expect_assume_error("<GetCallerIdentityResponse xmlns=\"" STS_NS "\"/>", IR_ERR_PARSE,
                        "not an STS AssumeRoleResponse");
    expect_assume_error("<AssumeRoleResponse xmlns=\"urn:other\"/>", IR_ERR_PARSE,
                        "not an STS AssumeRoleResponse");
    expect_assume_error("<AssumeRoleResponse>&undefined;</AssumeRoleResponse>", IR_ERR_PARSE,
                        "invalid XML");
}

static void test_parse_assume_role_oversized(void)
{
    size_t n = 65 * 1024;
    char *big = malloc(n + 1);
    ir_aws_response r;
    ir_sts_credentials sc = {0};
    ir_err err = {0};

    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, ' ', n);
    memcpy(big, "<AssumeRoleResponse>", 20);
    memcpy(big + n - 21, "</AssumeRoleResponse>", 21);
    big[n] = '\0';
    resp_text(&r, big);
    CU_ASSERT_EQUAL(ir_sts_parse_assume_role(&r, &sc, &err), IR_ERR_TOO_LARGE);
    ir_buf_free(&r.body);
    free(big);
}

/* A loopback listener that counts and drops every connection, so that an
 * attempt to fetch from it is seen without ever leaving the fetcher waiting. */
typedef struct conn_counter {
    int fd, port, connections;
    volatile int stop;
    pthread_t thread;
} conn_counter;

static void *count_connections(void *arg)
{
    conn_counter *cc = arg;
    struct pollfd pfd = {cc->fd, POLLIN, 0};
    int c;

    while (!cc->stop)
        if (poll(&pfd, 1, 20) > 0 && (c = accept(cc->fd, NULL, NULL)) >= 0) {
            __atomic_add_fetch(&cc->connections, 1, __ATOMIC_SEQ_CST);
            close(c);
        }
    return NULL;
}

static int counter_start(conn_counter *cc)
{
    struct sockaddr_in sa = {0};
    socklen_t len = sizeof(sa);

    memset(cc, 0, sizeof(*cc));
    cc->fd = socket(AF_INET, SOCK_STREAM, 0);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (cc->fd < 0 || bind(cc->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(cc->fd, 8) != 0 || getsockname(cc->fd, (struct sockaddr *)&sa, &len) != 0)
        return 0;
    cc->port = ntohs(sa.sin_port);
    return pthread_create(&cc->thread, NULL, count_connections, cc) == 0;
}

static int counter_stop(conn_counter *cc)
{
    cc->stop = 1;
    pthread_join(cc->thread, NULL);
    close(cc->fd);
    return __atomic_load_n(&cc->connections, __ATOMIC_SEQ_CST);
}

/* External entities and DTDs naming a local file and a loopback HTTP port:
 * neither is read or connected to, nothing is expanded, the document is
 * refused for its DTD. */
static void test_parse_assume_role_xxe(void)
{
    char path[] = "/tmp/iotreg-xxe-XXXXXX";
    char xml[2048];
    conn_counter cc;
    int fd = mkstemp(path);

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "LEAKED-FILE-CONTENT", 19), 19);
    close(fd);
    snprintf(xml, sizeof(xml),
             "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file://%s\">]>\n"
             "<AssumeRoleResponse xmlns=\"" STS_NS "\"><AssumeRoleResult><Credentials>"
             "<AccessKeyId>&xxe;</AccessKeyId><SecretAccessKey>EXAMPLEKEY</SecretAccessKey>"
             "<SessionToken>T</SessionToken><Expiration>2024-01-02T03:04:05Z</Expiration>"
             "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
             path);
    expect_assume_error(xml, IR_ERR_PARSE, "DTD");
    unlink(path);
    CU_ASSERT_FATAL(counter_start(&cc));
    snprintf(xml, sizeof(xml),
             "<!DOCTYPE AssumeRoleResponse SYSTEM \"http://127.0.0.1:%d/sts.dtd\" "
             "[<!ENTITY %% p SYSTEM \"http://127.0.0.1:%d/p\"> %%p;"
             "<!ENTITY e SYSTEM \"http://127.0.0.1:%d/e\">]><AssumeRoleResponse>&e;"
             "</AssumeRoleResponse>",
             cc.port, cc.port, cc.port);
    expect_assume_error(xml, IR_ERR_PARSE, "DTD");
    CU_ASSERT_EQUAL(counter_stop(&cc), 0); /* nothing was fetched */
}

static void test_parse_assume_role_entity_bomb(void)
{
    const char *bomb =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
        "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
        "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
        "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
        "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
        "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
        "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
        "<AssumeRoleResponse>&lol9;</AssumeRoleResponse>";

    expect_assume_error(bomb, IR_ERR_PARSE, "DTD");
}

static void test_parse_get_caller_identity(void)
{
    ir_aws_response r;
    ir_sts_identity id = {0};
    ir_err err = {0};

    resp_text(&r, "<GetCallerIdentityResponse xmlns=\"" STS_NS "\"><GetCallerIdentityResult>"
                  "<Arn>arn:aws:iam::111111111111:user/csp</Arn><UserId>AIDA1</UserId>"
                  "<Account>111111111111</Account></GetCallerIdentityResult>"
                  "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
                  "</GetCallerIdentityResponse>");
    CU_ASSERT_EQUAL_FATAL(ir_sts_parse_get_caller_identity(&r, &id, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(id.account, "111111111111");
    CU_ASSERT_STRING_EQUAL(id.arn, "arn:aws:iam::111111111111:user/csp");
    CU_ASSERT_STRING_EQUAL(id.user_id, "AIDA1");
    ir_sts_identity_free(&id);
    ir_buf_free(&r.body);
    resp_text(&r, "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>a</Arn>"
                  "</GetCallerIdentityResult></GetCallerIdentityResponse>");
    CU_ASSERT_EQUAL(ir_sts_parse_get_caller_identity(&r, &id, &err), IR_ERR_PARSE);
    CU_ASSERT(contains(err.msg, "GetCallerIdentityResult/Account is missing"));
    ir_sts_identity_free(&id);
    ir_buf_free(&r.body);
}

/* ---- DescribeEndpoint ---- */

static void test_build_describe_endpoint(void)
{
    ir_aws_request req;
    ir_buf st, q;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(
        ir_iot_build_describe_endpoint(&target, IR_IOT_ENDPOINT_DATA_ATS, &req, &st, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(req.service, "iot");
    CU_ASSERT_STRING_EQUAL(req.operation, "DescribeEndpoint");
    CU_ASSERT_STRING_EQUAL(req.method, "GET");
    CU_ASSERT_STRING_EQUAL(req.path, "/endpoint");
    CU_ASSERT_STRING_EQUAL(req.account_key, "111111111111");
    CU_ASSERT_EQUAL(req.n_query, 1);
    CU_ASSERT_STRING_EQUAL(query_value(&req, "endpointType"), "iot:Data-ATS");
    CU_ASSERT_PTR_NULL(req.body);
    /* What goes on the wire (and into the signature): the ':' encoded. */
    ir_buf_init(&q, 4096);
    CU_ASSERT_EQUAL_FATAL(ir_sigv4_canonical_query(req.query, req.n_query, &q, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(ir_buf_cstr(&q), "endpointType=iot%3AData-ATS");
    ir_buf_free(&q);
    ir_buf_free(&st);
}

static void test_build_describe_endpoint_checks(void)
{
    char type[IR_IOT_MAX_ENDPOINT_TYPE_CHARS + 2];
    ir_aws_request req;
    ir_buf st;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_iot_build_describe_endpoint(&target, NULL, &req, &st, &err),
                    IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "endpointType is required"));
    ir_buf_free(&st);
    memset(type, 'a', sizeof(type) - 1);
    type[sizeof(type) - 1] = '\0';
    CU_ASSERT_EQUAL(ir_iot_build_describe_endpoint(&target, type, &req, &st, &err),
                    IR_ERR_INVALID_ARG);
    CU_ASSERT(contains(err.msg, "endpointType has 129 characters"));
    ir_buf_free(&st);
}

static void test_parse_describe_endpoint(void)
{
    ir_aws_response r;
    char *addr = NULL;

    resp_text(&r, "{\"endpointAddress\":\"a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com\"}");
    CU_ASSERT_EQUAL_FATAL(ir_iot_parse_describe_endpoint(&r, &addr, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(addr, "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com");
    free(addr);
    ir_buf_free(&r.body);
}

static void expect_endpoint_error(const char *json, ir_rc rc, const char *what)
{
    ir_aws_response r;
    char *addr = NULL;
    ir_err err = {0};

    resp_text(&r, json);
    CU_ASSERT_EQUAL(ir_iot_parse_describe_endpoint(&r, &addr, &err), rc);
    CU_ASSERT_PTR_NULL(addr);
    if (!contains(err.msg, what))
        fprintf(stderr, "\nmessage '%s' lacks '%s'\n", err.msg, what);
    CU_ASSERT(contains(err.msg, what));
    CU_ASSERT(contains(err.msg, "DescribeEndpoint response"));
    free(addr);
    ir_buf_free(&r.body);
}

static void test_parse_describe_endpoint_bad_input(void)
{
    char long_host[300];
    char json[400];

    expect_endpoint_error("", IR_ERR_PARSE, "empty");
    expect_endpoint_error("{\"endpointAddress\":", IR_ERR_PARSE, "invalid JSON");
    expect_endpoint_error("[\"x.example.com\"]", IR_ERR_PARSE, "expected a JSON object");
    expect_endpoint_error("{}", IR_ERR_PARSE, "endpointAddress is missing");
    expect_endpoint_error("{\"endpointAddress\":null}", IR_ERR_PARSE, "endpointAddress is missing");
    expect_endpoint_error("{\"endpointAddress\":42}", IR_ERR_PARSE, "endpointAddress is a number");
    expect_endpoint_error("{\"endpointAddress\":\"\"}", IR_ERR_PARSE, "has 0 characters");
    expect_endpoint_error("{\"endpointAddress\":\"localhost\"}", IR_ERR_PARSE, "not a host name");
    expect_endpoint_error("{\"endpointAddress\":\"x.example.com:8883\"}", IR_ERR_PARSE,
                          "not a host name");
    expect_endpoint_error("{\"endpointAddress\":\"https://x.example.com/\"}", IR_ERR_PARSE,
                          "not a host name");
    expect_endpoint_error("{\"endpointAddress\":\"x.example.com\\nfact thing evil\"}", IR_ERR_PARSE,
                          "not a host name");
    expect_endpoint_error("{\"endpointAddress\":\"x..example.com\"}", IR_ERR_PARSE,
                          "not a host name");
    expect_endpoint_error("{\"endpointAddress\":\"-x.example.com\"}", IR_ERR_PARSE,
                          "not a host name");
    expect_endpoint_error("{\"endpointAddress\":\"x.example.com\",\"endpointAddress\":\"y.z\"}",
                          IR_ERR_PARSE, "invalid JSON");
    /* A 64-character label, and a name over 253 characters. */
    memset(long_host, 'a', 64);
    strcpy(long_host + 64, ".example.com");
    snprintf(json, sizeof(json), "{\"endpointAddress\":\"%s\"}", long_host);
    expect_endpoint_error(json, IR_ERR_PARSE, "not a host name");
    memset(long_host, 'a', 250);
    strcpy(long_host + 250, ".com");
    snprintf(json, sizeof(json), "{\"endpointAddress\":\"%s\"}", long_host);
    expect_endpoint_error(json, IR_ERR_PARSE, "has 254 characters");
}

static void test_parse_describe_endpoint_oversized(void)
{
    size_t n = (1u << 20) + 16;
    char *big = malloc(n);
    ir_aws_response r;
    char *addr = NULL;
    ir_err err = {0};

    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, ' ', n);
    memcpy(big, "{\"endpointAddress\":\"x.example.com\"", 34);
    big[n - 1] = '}';
    resp_set(&r, big, n);
    CU_ASSERT_EQUAL(ir_iot_parse_describe_endpoint(&r, &addr, &err), IR_ERR_TOO_LARGE);
    CU_ASSERT(contains(err.msg, "exceeds the limit"));
    CU_ASSERT_PTR_NULL(addr);
    ir_buf_free(&r.body);
    free(big);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_build_describe_certificate),
        IR_TEST(test_build_rejects_bad_certificate_ids),
        IR_TEST(test_build_checks_target),
        IR_TEST(test_build_transfer),
        IR_TEST(test_build_transfer_message_limit),
        IR_TEST(test_build_transfer_without_message_has_no_body),
        IR_TEST(test_build_accept_reject_cancel),
        IR_TEST(test_build_register_certificate),
        IR_TEST(test_build_register_rejects_bad_input),
        IR_TEST(test_build_pointers_survive_storage_growth),
        IR_TEST(test_build_update_and_delete),
        IR_TEST(test_build_list_paging),
        IR_TEST(test_build_list_attached_policies_encodes_arn),
        IR_TEST(test_build_policies),
        IR_TEST(test_build_things),
        IR_TEST(test_build_sts_assume_role),
        IR_TEST(test_build_sts_assume_role_checks),
        IR_TEST(test_build_sts_get_caller_identity),
        IR_TEST(test_parse_describe_certificate),
        IR_TEST(test_parse_describe_certificate_bad_input),
        IR_TEST(test_parse_oversized_body),
        IR_TEST(test_parse_deep_nesting),
        IR_TEST(test_parse_list_certificates_pages),
        IR_TEST(test_list_thing_principals),
        IR_TEST(test_parse_other_iot_results),
        IR_TEST(test_parse_thing_attribute_types),
        IR_TEST(test_parse_already_exists_and_empty),
        IR_TEST(test_status_names_round_trip),
        IR_TEST(test_parse_assume_role),
        IR_TEST(test_parse_time),
        IR_TEST(test_parse_assume_role_bad_input),
        IR_TEST(test_parse_assume_role_oversized),
        IR_TEST(test_parse_assume_role_xxe),
        IR_TEST(test_parse_assume_role_entity_bomb),
        IR_TEST(test_parse_get_caller_identity),
        IR_TEST(test_build_describe_endpoint),
        IR_TEST(test_build_describe_endpoint_checks),
        IR_TEST(test_parse_describe_endpoint),
        IR_TEST(test_parse_describe_endpoint_bad_input),
        IR_TEST(test_parse_describe_endpoint_oversized),
        {NULL, NULL},
    };

    return ir_test_run("iot_parse", cases, NULL, NULL);
}
