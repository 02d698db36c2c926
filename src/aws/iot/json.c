/* Reading and writing IoT's JSON: member readers, tables of members, request
 * bodies. */
#include "autoconf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot_internal.h"

#define IR_IOT_MAX_ITEMS 100000

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

ir_rc ir_iot_json_load(const ir_aws_response *resp, bool allow_empty, json_t **out, ir_err *err)
{
    json_error_t jerr;
    size_t len = resp->body.len;

    *out = NULL;
    if (len > IR_IOT_MAX_JSON_BYTES)
        return ir_err_set(err, IR_ERR_TOO_LARGE,
                          "the response body of %zu bytes exceeds the limit of %u bytes", len,
                          IR_IOT_MAX_JSON_BYTES);
    if (len == 0 && allow_empty) {
        *out = json_object();
        return *out != NULL ? IR_OK : ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    }
    if (len == 0)
        return ir_err_set(err, IR_ERR_PARSE, "the response body is empty, expected JSON");
    *out = json_loadb((const char *)resp->body.data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (*out == NULL)
        return ir_err_set(err, IR_ERR_PARSE, "invalid JSON at line %d column %d: %s", jerr.line,
                          jerr.column, jerr.text);
    if (!json_is_object(*out)) {
        ir_err_set(err, IR_ERR_PARSE, "the response is %s, expected a JSON object",
                   json_type_name(*out));
        json_decref(*out);
        *out = NULL;
        return IR_ERR_PARSE;
    }
    return IR_OK;
}

/* Looks key up; IR_OK with *v NULL when absent (or null) and not required. */
static ir_rc member(const json_t *obj, const char *where, const char *key, bool required,
                    json_t **v, ir_err *err)
{
    *v = json_object_get(obj, key);
    if (*v != NULL && json_is_null(*v))
        *v = NULL;
    if (*v == NULL && required)
        return ir_err_set(err, IR_ERR_PARSE, "member %s%s%s is missing", where ? where : "",
                          where ? "." : "", key);
    return IR_OK;
}

static ir_rc wrong_type(const char *where, const char *key, const json_t *v, const char *want,
                        ir_err *err)
{
    return ir_err_set(err, IR_ERR_PARSE, "member %s%s%s is %s, expected %s", where ? where : "",
                      where ? "." : "", key, json_type_name(v), want);
}

/* The member key when it is of one of types (a mask of 1 << json_type):
 * IR_OK with *v NULL when absent (or null) and not required. */
static ir_rc typed_member(const json_t *obj, const char *where, const char *key, bool required,
                          unsigned types, const char *want, json_t **v, ir_err *err)
{
    ir_rc rc = member(obj, where, key, required, v, err);

    if (rc == IR_OK && *v != NULL && ((1u << json_typeof(*v)) & types) == 0)
        return wrong_type(where, key, *v, want, err);
    return rc;
}

#define TYPE(t)     (1u << (t))
#define TYPE_NUMBER (TYPE(JSON_INTEGER) | TYPE(JSON_REAL))

ir_rc ir_iot_json_str(const json_t *obj, const char *where, const char *key, bool required,
                      char **out, ir_err *err)
{
    json_t *v;
    ir_rc rc = typed_member(obj, where, key, required, TYPE(JSON_STRING), "a string", &v, err);

    if (rc != IR_OK || v == NULL)
        return rc;
    free(*out);
    *out = strdup(json_string_value(v));
    return *out != NULL ? IR_OK : ir_err_set(err, IR_ERR_NOMEM, "out of memory");
}

ir_rc ir_iot_json_object(const json_t *obj, const char *where, const char *key, bool required,
                         json_t **out, ir_err *err)
{
    json_t *v;
    ir_rc rc = typed_member(obj, where, key, required, TYPE(JSON_OBJECT), "an object", &v, err);

    if (rc == IR_OK && v != NULL)
        *out = v;
    return rc;
}

ir_rc ir_iot_json_array(const json_t *obj, const char *where, const char *key, bool required,
                        json_t **out, ir_err *err)
{
    json_t *v;
    ir_rc rc = typed_member(obj, where, key, required, TYPE(JSON_ARRAY), "an array", &v, err);

    if (rc == IR_OK && v != NULL)
        *out = v;
    return rc;
}

ir_rc ir_iot_json_date_ms(const json_t *obj, const char *where, const char *key, int64_t *out,
                          ir_err *err)
{
    json_t *v;
    double secs;
    ir_rc rc =
        typed_member(obj, where, key, false, TYPE_NUMBER, "a number (epoch seconds)", &v, err);

    if (rc != IR_OK || v == NULL)
        return rc;
    secs = json_number_value(v);
    if (!isfinite(secs) || secs < 0 || secs > 253402300799.0)
        return ir_err_set(err, IR_ERR_PARSE, "member %s%s%s is not a plausible date",
                          where ? where : "", where ? "." : "", key);
    *out = (int64_t)(secs * 1000.0 + 0.5); /* secs >= 0: rounds to nearest */
    return IR_OK;
}

ir_rc ir_iot_json_int64(const json_t *obj, const char *where, const char *key, int64_t *out,
                        ir_err *err)
{
    json_t *v;
    ir_rc rc = typed_member(obj, where, key, false, TYPE(JSON_INTEGER), "an integer", &v, err);

    if (rc == IR_OK && v != NULL)
        *out = (int64_t)json_integer_value(v);
    return rc;
}

ir_rc ir_iot_json_status(const json_t *obj, const char *where, bool required,
                         ir_iot_cert_status *out, ir_err *err)
{
    char *text = NULL;
    ir_rc rc = ir_iot_json_str(obj, where, "status", required, &text, err);

    if (rc == IR_OK && text != NULL)
        *out = ir_iot_cert_status_from_name(text);
    free(text);
    return rc;
}

/* -- members by table -- */

static ir_rc read_field(const json_t *obj, const char *where, const ir_iot_json_field *f,
                        unsigned char *out, ir_err *err)
{
    void *dst = out + f->offset;

    switch (f->kind) {
    case IR_IOT_JSON_STR:
        return ir_iot_json_str(obj, where, f->key, f->required, dst, err);
    case IR_IOT_JSON_DATE_MS:
        return ir_iot_json_date_ms(obj, where, f->key, dst, err);
    case IR_IOT_JSON_INT64:
        return ir_iot_json_int64(obj, where, f->key, dst, err);
    case IR_IOT_JSON_STATUS:
        return ir_iot_json_status(obj, where, f->required, dst, err);
    }
    return ir_err_set(err, IR_ERR_INTERNAL, "unknown kind of JSON member %s", f->key);
}

ir_rc ir_iot_json_fields(const json_t *obj, const char *where, const ir_iot_json_field *fields,
                         size_t n, void *out, ir_err *err)
{
    size_t i;
    ir_rc rc = IR_OK;

    for (i = 0; i < n && rc == IR_OK; i++)
        rc = read_field(obj, where, &fields[i], out, err);
    return rc;
}

void ir_iot_json_fields_free(const ir_iot_json_field *fields, size_t n, void *out)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (fields[i].kind == IR_IOT_JSON_STR)
            ir_iot_strfree((char **)((unsigned char *)out + fields[i].offset));
}

/* -- request bodies -- */

ir_rc ir_iot_json_body(ir_ops_req *b, json_t *body, ir_err *err)
{
    char *text = json_dumps(body, JSON_COMPACT);
    ir_rc rc;

    if (text == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "%s: cannot serialise the request body",
                          b->req->operation);
    rc = ir_ops_req_body(b, "application/json", text, strlen(text), err);
    free(text);
    return rc;
}

ir_rc ir_iot_json_set_str(json_t *obj, const char *op, const char *key, const char *value,
                          ir_err *err)
{
    json_t *s;

    if (value == NULL)
        return IR_OK;
    s = json_string(value);
    if (s == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: %s is not valid UTF-8", op, key);
    if (json_object_set_new(obj, key, s) != 0)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    return IR_OK;
}

ir_rc ir_iot_json_body_members(ir_ops_req *b, const ir_iot_json_member *members, size_t n,
                               ir_err *err)
{
    json_t *body = json_object();
    size_t i;
    ir_rc rc = body != NULL ? IR_OK : ir_err_set(err, IR_ERR_NOMEM, "out of memory");

    for (i = 0; i < n && rc == IR_OK; i++)
        rc = ir_iot_json_set_str(body, b->req->operation, members[i].key, members[i].value, err);
    if (rc == IR_OK)
        rc = ir_iot_json_body(b, body, err);
    json_decref(body);
    return rc;
}

/* -- memory -- */

void ir_iot_strfree(char **s)
{
    free(*s);
    *s = NULL;
}

/* Capacity is implicit: 4, then doubled whenever n reaches a power of two. */
static bool array_is_full(size_t n)
{
    return n == 0 || (n >= 4 && (n & (n - 1)) == 0);
}

ir_rc ir_iot_array_grow(void **items, size_t *n, size_t elem_size, ir_err *err)
{
    unsigned char *grown = *items;

    if (*n >= IR_IOT_MAX_ITEMS)
        return ir_err_set(err, IR_ERR_TOO_LARGE, "more than %d items in a list", IR_IOT_MAX_ITEMS);
    if (array_is_full(*n)) {
        grown = realloc(*items, (*n == 0 ? 4 : 2 * *n) * elem_size);
        if (grown == NULL)
            return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
        *items = grown;
    }
    memset(grown + *n * elem_size, 0, elem_size);
    return IR_OK;
}
