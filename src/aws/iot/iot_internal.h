/* The inside of the IoT operations, shared by the files of aws/iot: one call
 * (call.c), the client-side checks of arguments (checks.c), lists and pages
 * (paging.c), and what several operations share about certificates
 * (certificates.c). JSON is in json_internal.h. */
#ifndef IOTREG_AWS_IOT_IOT_INTERNAL_H
#define IOTREG_AWS_IOT_IOT_INTERNAL_H

#include "aws/iot/iot.h"
#include "aws/iot/json_internal.h"
#include "aws/transport/request_internal.h"

#define IR_IOT_MAX_PEM_CHARS 65536 /* CertificatePem */

/* -- one call (call.c) -- */

/* ir_ops_req_begin for the "iot" service. */
ir_rc ir_iot_begin(ir_ops_req *b, const ir_iot_target *t, const char *op, const char *method,
                   ir_aws_request *req, ir_buf *storage, ir_err *err);

/* Sends k's request (when build_rc is IR_OK) and accepts any JSON object
 * or none in reply: the wrapper of an operation without output. */
ir_rc ir_iot_call_empty(ir_aws_client *c, ir_ops_call *k, ir_rc build_rc, ir_aws_error *aerr,
                        ir_err *err);

/* After a Create or Register call that failed (rc) with
 * ResourceAlreadyExistsException: the existing resource's resourceId and
 * resourceArn into *id and *arn (each may be NULL), replacing what they
 * held. A body that does not parse is ignored: the AWS error is what the
 * caller reports. Returns rc. */
ir_rc ir_iot_keep_existing(const ir_ops_call *k, ir_rc rc, char **id, char **arn);

/* Prefixes "OP response: " to a parser's error message. */
ir_rc ir_iot_parse_failed(ir_rc rc, const char *op, ir_err *err);

/* -- client-side checks of what AWS's model constrains, so that a bad
 *    value is reported before it costs a request (checks.c) -- */

ir_rc ir_iot_check_cert_id(const char *op, const char *id, ir_err *err);
ir_rc ir_iot_check_account_id(const char *op, const char *account, ir_err *err);
/* min_chars..max_chars Unicode characters (AWS's length unit); NULL is
 * accepted when min_chars is 0. */
ir_rc ir_iot_check_text(const char *op, const char *what, const char *s, size_t min_chars,
                        size_t max_chars, ir_err *err);
/* A name that becomes a path label: 1..max characters of A-Z a-z 0-9
 * and the punctuation in extra. */
ir_rc ir_iot_check_name(const char *op, const char *what, const char *name, size_t max,
                        const char *extra, ir_err *err);

/* -- lists and pages (paging.c) -- */

/* A list operation: a GET at path (NULL when the operation builds its own
 * request). In its response each element of the array member array_key
 * becomes an element of elem_size bytes appended to the list's items, and
 * the member next_key ("nextMarker" or "nextToken") replaces the list's next
 * page marker. Elements are objects read by fields, or (fields NULL) whatever
 * parse_item reads, which free_item releases. */
typedef ir_rc (*ir_iot_item_fn)(const json_t *item, const char *where, void *out, ir_err *err);
typedef void (*ir_iot_item_free_fn)(void *item);
typedef struct ir_iot_list_shape {
    const char *op;
    const char *path;
    const char *array_key;
    const char *next_key;
    size_t elem_size;
    const ir_iot_json_field *fields;
    size_t n_fields;
    ir_iot_item_fn parse_item;
    ir_iot_item_free_fn free_item;
} ir_iot_list_shape;

/* The shape of a list whose elements are objects of type, read by the
 * table fields. */
#define IR_IOT_LIST_OF(op_name, list_path, array, next, type, table)                               \
    {                                                                                              \
        .op = (op_name), .path = (list_path), .array_key = (array), .next_key = (next),            \
        .elem_size = sizeof(type), .fields = (table), .n_fields = IR_IOT_N(table)                  \
    }

/* Frees the items of a list of shape's items and its marker, and empties it. */
void ir_iot_list_free(const ir_iot_list_shape *shape, void **items, size_t *n, char **next_marker);
/* The request of shape's GET at shape->path, paged by page. */
ir_rc ir_iot_build_list(const ir_iot_target *t, const ir_iot_list_shape *shape,
                        const ir_iot_page_opts *page, ir_aws_request *req, ir_buf *storage,
                        ir_err *err);
/* pageSize, marker and isAscendingOrder query parameters (page may be NULL). */
ir_rc ir_iot_page_query(ir_ops_req *b, const ir_iot_page_opts *page, bool with_order, ir_err *err);
/* maxResults (page->page_size) and nextToken (page->marker); page may be NULL. */
ir_rc ir_iot_token_page_query(ir_ops_req *b, const ir_iot_page_opts *page, ir_err *err);
ir_rc ir_iot_parse_list(const ir_aws_response *resp, const ir_iot_list_shape *shape, void **items,
                        size_t *n, char **next_marker, ir_err *err);
/* The wrapper of a list operation: sends k's request, parses one page. */
ir_rc ir_iot_call_list(ir_aws_client *c, ir_ops_call *k, ir_rc build_rc,
                       const ir_iot_list_shape *shape, void **items, size_t *n, char **next_marker,
                       ir_aws_error *aerr, ir_err *err);

/* Fetches one page into list (appending) starting at marker (NULL: first). */
typedef ir_rc (*ir_iot_fetch_page_fn)(ir_aws_client *c, const ir_iot_target *t, const void *ctx,
                                      const char *marker, void *list, ir_aws_error *aerr,
                                      ir_err *err);
/* Calls fetch until *next_marker (the list's) comes back NULL. */
ir_rc ir_iot_follow_pages(ir_aws_client *c, const ir_iot_target *t, ir_iot_fetch_page_fn fetch,
                          const void *ctx, void *list, char **next_marker, ir_aws_error *aerr,
                          ir_err *err);

/* -- certificates (certificates.c) -- */

/* "METHOD PREFIX{certificateId}" with the id checked. */
ir_rc ir_iot_build_cert_op(ir_ops_req *b, const ir_iot_target *t, const char *op,
                           const char *method, const char *prefix, const char *id,
                           ir_aws_request *req, ir_buf *storage, ir_err *err);

/* A Register* response: its certificateId and certificateArn. */
ir_rc ir_iot_parse_cert_ref(const ir_aws_response *resp, const char *op, ir_iot_cert_ref *out,
                            ir_err *err);
/* A Register* call: its certificateId and certificateArn, or the existing
 * certificate's on ResourceAlreadyExistsException. */
ir_rc ir_iot_call_register(ir_aws_client *c, ir_ops_call *k, ir_rc build_rc, const char *op,
                           ir_iot_cert_ref *out, ir_aws_error *aerr, ir_err *err);

/* A DescribeCertificate or DescribeCACertificate response: the members of
 * its certificateDescription object by fields, then (when not NULL) more
 * reads what the table cannot. */
typedef ir_rc (*ir_iot_more_fn)(const json_t *desc, void *out, ir_err *err);
ir_rc ir_iot_parse_description(const ir_aws_response *resp, const char *op,
                               const ir_iot_json_field *fields, size_t n, ir_iot_more_fn more,
                               void *out, ir_err *err);
/* ListCertificates and ListCACertificates: the same elements at two paths;
 * one page, or every page. */
extern const ir_iot_list_shape ir_iot_cert_list_shape;
extern const ir_iot_list_shape ir_iot_ca_list_shape;
ir_rc ir_iot_list_cert_page(ir_aws_client *c, const ir_iot_target *t,
                            const ir_iot_list_shape *shape, const ir_iot_page_opts *page,
                            ir_iot_cert_list *out, ir_aws_error *aerr, ir_err *err);
ir_rc ir_iot_list_all_cert_pages(ir_aws_client *c, const ir_iot_target *t,
                                 const ir_iot_list_shape *shape, int page_size,
                                 ir_iot_cert_list *out, ir_aws_error *aerr, ir_err *err);

#endif
