#include "autoconf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iot/json_internal.h"

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

ir_rc ir_iot_json_str(const json_t *obj, const char *where, const char *key, bool required,
                      char **out, ir_err *err)
{
    json_t *v;
    ir_rc rc = member(obj, where, key, required, &v, err);

    if (rc != IR_OK || v == NULL)
        return rc;
    if (!json_is_string(v))
        return wrong_type(where, key, v, "a string", err);
    free(*out);
    *out = strdup(json_string_value(v));
    return *out != NULL ? IR_OK : ir_err_set(err, IR_ERR_NOMEM, "out of memory");
}

ir_rc ir_iot_json_object(const json_t *obj, const char *where, const char *key, bool required,
                         json_t **out, ir_err *err)
{
    json_t *v;
    ir_rc rc = member(obj, where, key, required, &v, err);

    if (rc != IR_OK || v == NULL)
        return rc;
    if (!json_is_object(v))
        return wrong_type(where, key, v, "an object", err);
    *out = v;
    return IR_OK;
}

ir_rc ir_iot_json_array(const json_t *obj, const char *where, const char *key, bool required,
                        json_t **out, ir_err *err)
{
    json_t *v;
    ir_rc rc = member(obj, where, key, required, &v, err);

    if (rc != IR_OK || v == NULL)
        return rc;
    if (!json_is_array(v))
        return wrong_type(where, key, v, "an array", err);
    *out = v;
    return IR_OK;
}

ir_rc ir_iot_json_date_ms(const json_t *obj, const char *where, const char *key, int64_t *out,
                          ir_err *err)
{
    json_t *v;
    double secs;
    ir_rc rc = member(obj, where, key, false, &v, err);

    if (rc != IR_OK || v == NULL)
        return rc;
    if (!json_is_number(v))
        return wrong_type(where, key, v, "a number (epoch seconds)", err);
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
    ir_rc rc = member(obj, where, key, false, &v, err);

    if (rc != IR_OK || v == NULL)
        return rc;
    if (!json_is_integer(v))
        return wrong_type(where, key, v, "an integer", err);
    *out = (int64_t)json_integer_value(v);
    return IR_OK;
}

ir_rc ir_iot_json_bool(const json_t *obj, const char *where, const char *key, bool *out,
                       ir_err *err)
{
    json_t *v;
    ir_rc rc = member(obj, where, key, false, &v, err);

    if (rc != IR_OK || v == NULL)
        return rc;
    if (!json_is_boolean(v))
        return wrong_type(where, key, v, "a boolean", err);
    *out = json_is_true(v);
    return IR_OK;
}

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
