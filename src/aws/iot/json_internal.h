/* Internal: reading and writing AWS IoT's rest-json bodies with jansson.
 * Readers take the member's place in the document ("where", e.g.
 * "certificateDescription") so that an error names the exact member. */
#ifndef IOTREG_AWS_IOT_JSON_INTERNAL_H
#define IOTREG_AWS_IOT_JSON_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/transport/client.h"
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
ir_rc ir_iot_json_bool(const json_t *obj, const char *where, const char *key, bool *out,
                       ir_err *err);

/* Serialises body compactly as the request's JSON body. */
ir_rc ir_iot_json_body(ir_ops_req *b, json_t *body, ir_err *err);
/* Sets key to a copy of value when value is not NULL; invalid UTF-8 is refused. */
ir_rc ir_iot_json_set_str(json_t *obj, const char *op, const char *key, const char *value,
                          ir_err *err);

/* Makes room in a heap array of elem_size elements for element *n, which
 * is zeroed; the caller increments *n once it has filled it. */
ir_rc ir_iot_array_grow(void **items, size_t *n, size_t elem_size, ir_err *err);

#endif
