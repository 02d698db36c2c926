/* Reading and writing AWS IoT's rest-json bodies with jansson. Readers take
 * the member's place in the document ("where", e.g. "certificateDescription")
 * so that an error names the exact member. A response's members are mostly
 * read by a table (ir_iot_json_field) that says, for each, its key, its kind
 * and where it goes in the result structure. */
#ifndef IOTREG_AWS_IOT_JSON_INTERNAL_H
#define IOTREG_AWS_IOT_JSON_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/iot/iot.h"
#include "aws/transport/request_internal.h"

/* Largest response body the IoT parsers accept. */
#define IR_IOT_MAX_JSON_BYTES (1u << 20)

/* Parses resp's body into a JSON object (*out, to json_decref). An empty
 * body is an error unless allow_empty, which gives an empty object. */
ir_rc ir_iot_json_load(const ir_aws_response *resp, bool allow_empty, json_t **out, ir_err *err);

/* Member readers: absent (or null) members leave *out untouched unless
 * required, which is an IR_ERR_PARSE; a member of another type is always an
 * IR_ERR_PARSE naming where.key. */
ir_rc ir_iot_json_str(const json_t *obj, const char *where, const char *key, bool required,
                      char **out, ir_err *err);
ir_rc ir_iot_json_object(const json_t *obj, const char *where, const char *key, bool required,
                         json_t **out, ir_err *err);
ir_rc ir_iot_json_array(const json_t *obj, const char *where, const char *key, bool required,
                        json_t **out, ir_err *err);
/* A rest-json timestamp (epoch seconds, integer or fraction) in epoch ms. */
ir_rc ir_iot_json_date_ms(const json_t *obj, const char *where, const char *key, int64_t *out,
                          ir_err *err);
ir_rc ir_iot_json_int64(const json_t *obj, const char *where, const char *key, int64_t *out,
                        ir_err *err);
/* The member "status" as a ir_iot_cert_status. */
ir_rc ir_iot_json_status(const json_t *obj, const char *where, bool required,
                         ir_iot_cert_status *out, ir_err *err);

/* -- members by table -- */

typedef enum ir_iot_json_kind {
    IR_IOT_JSON_STR,     /* char *, heap memory */
    IR_IOT_JSON_DATE_MS, /* int64_t, epoch ms */
    IR_IOT_JSON_INT64,   /* int64_t */
    IR_IOT_JSON_STATUS   /* ir_iot_cert_status, from the member "status" */
} ir_iot_json_kind;

typedef struct ir_iot_json_field {
    const char *key;
    ir_iot_json_kind kind;
    size_t offset; /* of the member in the result structure */
    bool required;
} ir_iot_json_field;

#define IR_IOT_STR(type, member, key, required)                                                    \
    {                                                                                              \
        (key), IR_IOT_JSON_STR, offsetof(type, member), (required)                                 \
    }
#define IR_IOT_DATE(type, member, key)                                                             \
    {                                                                                              \
        (key), IR_IOT_JSON_DATE_MS, offsetof(type, member), false                                  \
    }
#define IR_IOT_INT64(type, member, key)                                                            \
    {                                                                                              \
        (key), IR_IOT_JSON_INT64, offsetof(type, member), false                                    \
    }
#define IR_IOT_STATUS(type, member, required)                                                      \
    {                                                                                              \
        "status", IR_IOT_JSON_STATUS, offsetof(type, member), (required)                           \
    }
/* A table's length, and the table and its length as the functions below
 * take them. */
#define IR_IOT_N(table)      (sizeof(table) / sizeof(*(table)))
#define IR_IOT_FIELDS(table) (table), IR_IOT_N(table)

/* Reads the members of fields, in order, from obj into the structure at
 * out; the first failure stops it. */
ir_rc ir_iot_json_fields(const json_t *obj, const char *where, const ir_iot_json_field *fields,
                         size_t n, void *out, ir_err *err);
/* Frees the strings of fields in the structure at out and sets them NULL. */
void ir_iot_json_fields_free(const ir_iot_json_field *fields, size_t n, void *out);

/* -- request bodies -- */

typedef struct ir_iot_json_member {
    const char *key;
    const char *value; /* NULL: not sent */
} ir_iot_json_member;

/* Serialises body compactly as the request's JSON body. */
ir_rc ir_iot_json_body(ir_ops_req *b, json_t *body, ir_err *err);
/* The request's body: a JSON object of the n members whose value is not
 * NULL, in order (invalid UTF-8 is refused). */
ir_rc ir_iot_json_body_members(ir_ops_req *b, const ir_iot_json_member *members, size_t n,
                               ir_err *err);
/* Sets key to a copy of value when value is not NULL; invalid UTF-8 is refused. */
ir_rc ir_iot_json_set_str(json_t *obj, const char *op, const char *key, const char *value,
                          ir_err *err);

/* -- memory -- */

/* Makes room in a heap array of elem_size elements for element *n, which
 * is zeroed; the caller increments *n once it has filled it. */
ir_rc ir_iot_array_grow(void **items, size_t *n, size_t elem_size, ir_err *err);
/* free(*s), then *s = NULL. */
void ir_iot_strfree(char **s);

#endif
