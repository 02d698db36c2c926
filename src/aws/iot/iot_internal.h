/* Internal: argument checks and call plumbing shared by the iot_*.c files. */
#ifndef IOTREG_AWS_IOT_IOT_INTERNAL_H
#define IOTREG_AWS_IOT_IOT_INTERNAL_H

#include "aws/iot/iot.h"
#include "aws/iot/json_internal.h"
#include "aws/transport/request_internal.h"

#define IR_IOT_MAX_PEM_CHARS 65536 /* CertificatePem */

/* ir_ops_req_begin for the "iot" service. */
ir_rc ir_iot_begin(ir_ops_req *b, const ir_iot_target *t, const char *op, const char *method,
                   ir_aws_request *req, ir_buf *storage, ir_err *err);

/* Client-side checks of what AWS's model constrains, so that a bad value is
 * reported before it costs a request. */
ir_rc ir_iot_check_cert_id(const char *op, const char *id, ir_err *err);
ir_rc ir_iot_check_account_id(const char *op, const char *account, ir_err *err);
ir_rc ir_iot_check_text(const char *op, const char *what, const char *s, size_t min_chars,
                        size_t max_chars, ir_err *err);
/* A name that becomes a path label: 1..max characters of A-Z a-z 0-9
 * and the punctuation in extra. */
ir_rc ir_iot_check_name(const char *op, const char *what, const char *name, size_t max,
                        const char *extra, ir_err *err);

/* pageSize, marker and isAscendingOrder query parameters (page may be NULL). */
ir_rc ir_iot_page_query(ir_ops_req *b, const ir_iot_page_opts *page, bool with_order, ir_err *err);

/* ir_ops_send_built then ir_iot_parse_empty, for operations without output. */
ir_rc ir_iot_call_empty(ir_aws_client *c, ir_rc build_rc, const ir_aws_request *req,
                        ir_buf *storage, ir_aws_error *aerr, ir_err *err);

/* Parses a ResourceAlreadyExistsException's ids into *id and *arn (each may be
 * NULL) when aerr says so; failures to parse are ignored, the AWS error is
 * what the caller reports. */
void ir_iot_keep_existing(const ir_aws_response *resp, const ir_aws_error *aerr, char **id,
                          char **arn);

/* Prefixes "OP response: " to a parser's error message. */
ir_rc ir_iot_parse_failed(ir_rc rc, const char *op, ir_err *err);

void ir_iot_strfree(char **s);

/* Fetches one page into list (appending) starting at marker (NULL: first). */
typedef ir_rc (*ir_iot_fetch_page_fn)(ir_aws_client *c, const ir_iot_target *t, const void *ctx,
                                      const char *marker, void *list, ir_aws_error *aerr,
                                      ir_err *err);
/* Calls fetch until *next_marker (the list's) comes back NULL. */
ir_rc ir_iot_follow_pages(ir_aws_client *c, const ir_iot_target *t, ir_iot_fetch_page_fn fetch,
                          const void *ctx, void *list, char **next_marker, ir_aws_error *aerr,
                          ir_err *err);

/* A list response: each element of the array member array_key is parsed
 * by parse_item into a new element appended to *items (elem_size bytes each;
 * free_item releases a half-parsed one), and nextMarker replaces
 * *next_marker. */
typedef ir_rc (*ir_iot_item_fn)(const json_t *item, const char *where, void *out, ir_err *err);
typedef void (*ir_iot_item_free_fn)(void *item);
typedef struct ir_iot_list_shape {
    const char *op;
    const char *array_key;
    size_t elem_size;
    ir_iot_item_fn parse_item;
    ir_iot_item_free_fn free_item;
} ir_iot_list_shape;
/* Frees the items of a list of shape's items and its marker, and empties it. */
void ir_iot_list_free(const ir_iot_list_shape *shape, void **items, size_t *n, char **next_marker);
/* The request of a GET list operation at path, paged by page. */
ir_rc ir_iot_build_list(const ir_iot_target *t, const char *op, const char *path,
                        const ir_iot_page_opts *page, ir_aws_request *req, ir_buf *storage,
                        ir_err *err);
ir_rc ir_iot_parse_list(const ir_aws_response *resp, const ir_iot_list_shape *shape, void **items,
                        size_t *n, char **next_marker, ir_err *err);
/* The same for the operations paged by nextToken (and maxResults) instead
 * of nextMarker (and pageSize). */
ir_rc ir_iot_parse_token_list(const ir_aws_response *resp, const ir_iot_list_shape *shape,
                              void **items, size_t *n, char **next_token, ir_err *err);
/* maxResults (page->page_size) and nextToken (page->marker); page may be NULL. */
ir_rc ir_iot_token_page_query(ir_ops_req *b, const ir_iot_page_opts *page, ir_err *err);

/* The "status" member as a ir_iot_cert_status. */
ir_rc ir_iot_json_status(const json_t *obj, const char *where, bool required,
                         ir_iot_cert_status *out, ir_err *err);

/* "METHOD PREFIX{certificateId}" with the id checked. */
ir_rc ir_iot_build_cert_op(ir_ops_req *b, const ir_iot_target *t, const char *op,
                           const char *method, const char *prefix, const char *id,
                           ir_aws_request *req, ir_buf *storage, ir_err *err);

/* certificateId and certificateArn of a Register* response. */
ir_rc ir_iot_parse_cert_ref(const ir_aws_response *resp, const char *op, ir_iot_cert_ref *out,
                            ir_err *err);

/* ListCertificates / ListCACertificates elements. */
extern const ir_iot_list_shape ir_iot_cert_list_shape;
extern const ir_iot_list_shape ir_iot_ca_list_shape;

#endif
