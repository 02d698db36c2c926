/* The AWS error model: reading error responses (the type from the
 * x-amzn-ErrorType header or the body: rest-json's __type / code, STS's XML
 * <ErrorResponse><Error><Code>; the message), classifying them, and the ir_rc
 * and message callers get. Bodies come from the network: size-bounded, parsed
 * without network access or entity expansion, and never trusted to be well
 * formed. */
#include "autoconf.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "aws/aws_error.h"
#include "core/util.h"

#define ERROR_BODY_PARSE_MAX (64u << 10)
#define ERROR_SNIPPET_MAX    200

#define IR_N(a) (sizeof(a) / sizeof(*(a)))

/* -- classification -- */

/* Throttling, by error type, whatever the HTTP status (AWS has used 400 and
 * 429 for these). */
static const char *const throttling_types[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "RequestThrottled",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
    "BandwidthLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};

/* Transient server-side failures, also by type. */
static const char *const transient_types[] = {
    "ServiceUnavailable", "ServiceUnavailableException",
    "InternalFailure",    "InternalFailureException",
    "InternalError",      "InternalServerError",
    "RequestTimeout",     "RequestTimeoutException",
};

static bool type_in(const char *type, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(type, list[i]) == 0)
            return true;
    return false;
}

ir_aws_error_class ir_aws_error_classify(long http_status, const char *type, ir_rc transport_rc)
{
    bool typed = type != NULL && type[0] != '\0';

    if (transport_rc == IR_ERR_NETWORK || transport_rc == IR_ERR_TIMEOUT)
        return IR_AWS_ERROR_TRANSIENT;
    if (transport_rc != IR_OK)
        return IR_AWS_ERROR_FINAL; /* TLS verification, oversize response, bad request */
    if ((typed && type_in(type, throttling_types, IR_N(throttling_types))) || http_status == 429)
        return IR_AWS_ERROR_THROTTLED;
    if ((typed && type_in(type, transient_types, IR_N(transient_types))) ||
        (http_status >= 500 && http_status <= 599))
        return IR_AWS_ERROR_TRANSIENT;
    return IR_AWS_ERROR_FINAL;
}

bool ir_aws_error_is_retryable(long http_status, const char *type, ir_rc transport_rc)
{
    return ir_aws_error_classify(http_status, type, transport_rc) != IR_AWS_ERROR_FINAL;
}

bool ir_aws_error_is(const ir_aws_error *aerr, const char *type)
{
    return aerr != NULL && type != NULL && strcmp(aerr->type, type) == 0;
}

/* -- reading -- */

/* Copies at most n bytes of s into dst (size cap), printable ASCII only. */
static void copy_printable(char *dst, size_t cap, const char *s, size_t n)
{
    size_t i, w = 0;

    for (i = 0; i < n && s[i] != '\0' && w + 1 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        dst[w++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : ' ';
    }
    dst[w] = '\0';
}

/* "com.amazonaws.iot#ThrottlingException" and
 * "ThrottlingException:http://internal.amazon.com/..." both become
 * "ThrottlingException". */
static void set_type(ir_aws_error *e, const char *t)
{
    const char *hash = strrchr(t, '#');
    size_t n;

    if (hash != NULL)
        t = hash + 1;
    n = strcspn(t, ":");
    while (n > 0 && t[n - 1] == ' ')
        n--;
    while (n > 0 && *t == ' ')
        t++, n--;
    copy_printable(e->type, sizeof(e->type), t, n);
}

static void set_message(ir_aws_error *e, const char *m)
{
    copy_printable(e->message, sizeof(e->message), m, strlen(m));
}

/* -- rest-json -- */

static const char *json_str(json_t *obj, const char *const *keys)
{
    for (; *keys != NULL; keys++) {
        json_t *v = json_object_get(obj, *keys);
        if (json_is_string(v))
            return json_string_value(v);
    }
    return NULL;
}

static void parse_json(const char *body, size_t len, ir_aws_error *e)
{
    static const char *const type_keys[] = {"__type", "code", "Code", NULL};
    static const char *const msg_keys[] = {"message", "Message", "errorMessage", NULL};
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *s;

    if (!json_is_object(root)) {
        json_decref(root);
        return;
    }
    if (e->type[0] == '\0' && (s = json_str(root, type_keys)) != NULL)
        set_type(e, s);
    if ((s = json_str(root, msg_keys)) != NULL)
        set_message(e, s);
    json_decref(root);
}

/* -- query protocol XML (STS) -- */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

static xmlNode *child_named(xmlNode *parent, const char *name)
{
    xmlNode *n;

    for (n = parent != NULL ? parent->children : NULL; n != NULL; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
            return n;
    return NULL;
}

/* The text of parent's child element name, printable and truncated to cap. */
static bool xml_text(xmlNode *parent, const char *name, char *dst, size_t cap)
{
    xmlNode *n = child_named(parent, name);
    xmlChar *text = n != NULL ? xmlNodeGetContent(n) : NULL;

    if (text == NULL)
        return false;
    copy_printable(dst, cap, (const char *)text, strlen((const char *)text));
    xmlFree(text);
    return true;
}

static void parse_xml(const char *body, size_t len, ir_aws_error *e)
{
    xmlDoc *doc;
    xmlNode *root, *error;
    char code[sizeof(e->type)];

    pthread_once(&xml_once, xml_init);
    doc = xmlReadMemory(body, (int)len, "error.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL)
        return;
    root = xmlDocGetRootElement(doc);
    /* A DOCTYPE has no business in an AWS error: refuse rather than expand. */
    if (root != NULL && doc->intSubset == NULL) {
        error = strcmp((const char *)root->name, "Error") == 0 ? root : child_named(root, "Error");
        if (e->type[0] == '\0' && xml_text(error, "Code", code, sizeof(code)))
            set_type(e, code);
        xml_text(error, "Message", e->message, sizeof(e->message));
    }
    xmlFreeDoc(doc);
}

/* -- the whole response -- */

static void parse_body(const ir_aws_response *resp, ir_aws_error *e)
{
    const char *body = ir_buf_cstr(&resp->body);
    size_t len = resp->body.len, skip = 0;

    while (skip < len &&
           (body[skip] == ' ' || body[skip] == '\t' || body[skip] == '\r' || body[skip] == '\n'))
        skip++;
    if (len - skip == 0 || len > ERROR_BODY_PARSE_MAX)
        return;
    if (body[skip] == '{')
        parse_json(body + skip, len - skip, e);
    else if (body[skip] == '<')
        parse_xml(body + skip, len - skip, e);
}

static void default_message(const ir_aws_response *resp, ir_aws_error *e)
{
    size_t len = resp->body.len < ERROR_SNIPPET_MAX ? resp->body.len : ERROR_SNIPPET_MAX;

    if (e->message[0] != '\0')
        return;
    if (len > 0 && e->type[0] == '\0') {
        copy_printable(e->message, sizeof(e->message), ir_buf_cstr(&resp->body), len);
        if (e->message[0] != '\0') /* a body that starts with a NUL gives no text */
            return;
    }
    snprintf(e->message, sizeof(e->message), "HTTP %ld%s%s", resp->http_status,
             e->type[0] != '\0' ? " " : " with no error details", e->type);
}

void ir_aws_error_from_response(const ir_aws_response *resp, ir_aws_error *aerr)
{
    memset(aerr, 0, sizeof(*aerr));
    aerr->http_status = resp->http_status;
    ir_strlcpy(aerr->request_id, resp->request_id, sizeof(aerr->request_id));
    if (resp->error_type[0] != '\0')
        set_type(aerr, resp->error_type);
    parse_body(resp, aerr);
    default_message(resp, aerr);
    aerr->retryable = ir_aws_error_is_retryable(aerr->http_status, aerr->type, IR_OK);
}

void ir_aws_error_from_failure(ir_aws_error *aerr, const char *message, bool retryable)
{
    memset(aerr, 0, sizeof(*aerr));
    ir_strlcpy(aerr->message, message, sizeof(aerr->message));
    aerr->retryable = retryable;
}

/* -- what a caller gets -- */

ir_rc ir_aws_error_to_err(const ir_aws_error *aerr, const char *operation, ir_err *err)
{
    return ir_err_set(err, IR_ERR_AWS, "%s: %s%sHTTP %ld: %s (request id %s, %d attempt%s)",
                      operation, aerr->type, aerr->type[0] != '\0' ? ", " : "", aerr->http_status,
                      aerr->message, aerr->request_id[0] != '\0' ? aerr->request_id : "none",
                      aerr->attempts, aerr->attempts == 1 ? "" : "s");
}

ir_rc ir_aws_error_busy_if_retryable(ir_rc rc, const ir_aws_error *aerr)
{
    return rc == IR_ERR_AWS && aerr != NULL && aerr->retryable ? IR_ERR_BUSY : rc;
}
