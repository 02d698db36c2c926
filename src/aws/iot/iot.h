/* Typed AWS IoT operations (rest-json, API version 2015-05-28).
 *
 * Every operation X has the three functions described in
 * aws/transport/message.h:
 * ir_iot_build_X (pure), ir_iot_parse_X (pure) and ir_iot_X (blocking).
 * Wrappers return IR_OK, IR_ERR_AWS with aerr's type/message/http_status
 * filled (test it with ir_aws_error_is), another transport error, or the
 * builder's IR_ERR_INVALID_ARG for arguments AWS would refuse. aerr may be
 * NULL. Result structures start zeroed (= {0}), own their strings and are
 * released with their _free function (also after an error, which may leave
 * members filled), which resets them to zero.
 * Dates are epoch milliseconds, 0 when absent. */
#ifndef IOTREG_AWS_IOT_IOT_H
#define IOTREG_AWS_IOT_IOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/transport/client.h"
#include "core/buf.h"

typedef ir_aws_target ir_iot_target;

#define IR_IOT_MAX_MESSAGE_CHARS 128 /* transferMessage, rejectReason */
#define IR_IOT_MAX_PAGE_SIZE     250

/* CertificateStatus (and CACertificateStatus). */
typedef enum ir_iot_cert_status {
    IR_IOT_STATUS_NONE = 0, /* not given */
    IR_IOT_STATUS_ACTIVE,
    IR_IOT_STATUS_INACTIVE,
    IR_IOT_STATUS_REVOKED,
    IR_IOT_STATUS_PENDING_TRANSFER,
    IR_IOT_STATUS_REGISTER_INACTIVE,
    IR_IOT_STATUS_PENDING_ACTIVATION,
    IR_IOT_STATUS_UNKNOWN /* a value this version does not know */
} ir_iot_cert_status;

/* "ACTIVE", ...; NULL for NONE and UNKNOWN. */
const char *ir_iot_cert_status_name(ir_iot_cert_status s);
/* IR_IOT_STATUS_UNKNOWN for an unknown name. */
ir_iot_cert_status ir_iot_cert_status_from_name(const char *name);

/* ---- errors ---- */

/* resourceId and resourceArn of a ResourceAlreadyExistsException body
 * (absent members stay NULL). */
typedef struct ir_iot_existing {
    char *resource_id;
    char *resource_arn;
} ir_iot_existing;
ir_rc ir_iot_parse_already_exists(const ir_aws_response *resp, ir_iot_existing *out, ir_err *err);
void ir_iot_existing_free(ir_iot_existing *e);

/* For operations without output: accepts an empty body or any JSON object. */
ir_rc ir_iot_parse_empty(const ir_aws_response *resp, ir_err *err);

/* ---- CA certificates ---- */

ir_rc ir_iot_build_get_registration_code(const ir_iot_target *t, ir_aws_request *req,
                                         ir_buf *storage, ir_err *err);
/* *code is heap memory for free(). */
ir_rc ir_iot_parse_get_registration_code(const ir_aws_response *resp, char **code, ir_err *err);
ir_rc ir_iot_get_registration_code(ir_aws_client *c, const ir_iot_target *t, char **code,
                                   ir_aws_error *aerr, ir_err *err);

/* A registered certificate: RegisterCACertificate, RegisterCertificate,
 * RegisterCertificateWithoutCA. */
typedef struct ir_iot_cert_ref {
    char *certificate_id;
    char *certificate_arn;
} ir_iot_cert_ref;
void ir_iot_cert_ref_free(ir_iot_cert_ref *r);

typedef struct ir_iot_register_ca_args {
    const char *ca_certificate_pem;
    const char *verification_certificate_pem; /* required by DEFAULT, refused by SNI_ONLY */
    const char *certificate_mode;             /* NULL (AWS: DEFAULT), "DEFAULT", "SNI_ONLY" */
    bool set_as_active;
    bool allow_auto_registration;
} ir_iot_register_ca_args;

ir_rc ir_iot_build_register_ca_certificate(const ir_iot_target *t,
                                           const ir_iot_register_ca_args *args, ir_aws_request *req,
                                           ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_register_ca_certificate(const ir_aws_response *resp, ir_iot_cert_ref *out,
                                           ir_err *err);
/* On ResourceAlreadyExistsException out holds the existing CA's id/arn. */
ir_rc ir_iot_register_ca_certificate(ir_aws_client *c, const ir_iot_target *t,
                                     const ir_iot_register_ca_args *args, ir_iot_cert_ref *out,
                                     ir_aws_error *aerr, ir_err *err);

typedef struct ir_iot_ca_desc {
    char *certificate_id;
    char *certificate_arn;
    ir_iot_cert_status status;
    char *certificate_pem;
    char *owned_by;
    char *auto_registration_status; /* "ENABLE" / "DISABLE" */
    char *certificate_mode;
    int64_t creation_date_ms;
    int64_t last_modified_date_ms;
} ir_iot_ca_desc;
void ir_iot_ca_desc_free(ir_iot_ca_desc *d);

ir_rc ir_iot_build_describe_ca_certificate(const ir_iot_target *t, const char *ca_certificate_id,
                                           ir_aws_request *req, ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_describe_ca_certificate(const ir_aws_response *resp, ir_iot_ca_desc *out,
                                           ir_err *err);
ir_rc ir_iot_describe_ca_certificate(ir_aws_client *c, const ir_iot_target *t,
                                     const char *ca_certificate_id, ir_iot_ca_desc *out,
                                     ir_aws_error *aerr, ir_err *err);

/* ---- paging ---- */

typedef struct ir_iot_page_opts {
    int page_size;      /* 1..250; 0 = AWS's default */
    const char *marker; /* NULL for the first page */
    bool ascending;     /* isAscendingOrder */
} ir_iot_page_opts;

/* One element of ListCertificates / ListCACertificates. */
typedef struct ir_iot_cert_summary {
    char *certificate_id;
    char *certificate_arn;
    ir_iot_cert_status status;
    char *certificate_mode; /* ListCertificates only */
    int64_t creation_date_ms;
} ir_iot_cert_summary;

/* The list parsers APPEND a page's items to out and replace next_marker
 * (NULL on the last page), so one list can collect several pages. */
typedef struct ir_iot_cert_list {
    ir_iot_cert_summary *items;
    size_t n;
    char *next_marker;
} ir_iot_cert_list;
void ir_iot_cert_list_free(ir_iot_cert_list *l);

ir_rc ir_iot_build_list_ca_certificates(const ir_iot_target *t, const ir_iot_page_opts *page,
                                        ir_aws_request *req, ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_list_ca_certificates(const ir_aws_response *resp, ir_iot_cert_list *out,
                                        ir_err *err);
/* One page (page may be NULL). */
ir_rc ir_iot_list_ca_certificates(ir_aws_client *c, const ir_iot_target *t,
                                  const ir_iot_page_opts *page, ir_iot_cert_list *out,
                                  ir_aws_error *aerr, ir_err *err);
/* Every page, following nextMarker. */
ir_rc ir_iot_list_all_ca_certificates(ir_aws_client *c, const ir_iot_target *t,
                                      ir_iot_cert_list *out, ir_aws_error *aerr, ir_err *err);

/* ---- certificates ---- */

typedef struct ir_iot_register_cert_args {
    const char *certificate_pem;
    const char *ca_certificate_pem; /* NULL: AWS finds the registered CA itself */
    ir_iot_cert_status status;      /* NONE: AWS's default (INACTIVE) */
} ir_iot_register_cert_args;

ir_rc ir_iot_build_register_certificate(const ir_iot_target *t,
                                        const ir_iot_register_cert_args *args, ir_aws_request *req,
                                        ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_register_certificate(const ir_aws_response *resp, ir_iot_cert_ref *out,
                                        ir_err *err);
/* On ResourceAlreadyExistsException (a duplicate) out holds the existing
 * certificate's id/arn from resourceId/resourceArn. */
ir_rc ir_iot_register_certificate(ir_aws_client *c, const ir_iot_target *t,
                                  const ir_iot_register_cert_args *args, ir_iot_cert_ref *out,
                                  ir_aws_error *aerr, ir_err *err);

/* ca_certificate_pem is ignored (AWS's multi-account registration has none). */
ir_rc ir_iot_build_register_certificate_without_ca(const ir_iot_target *t,
                                                   const ir_iot_register_cert_args *args,
                                                   ir_aws_request *req, ir_buf *storage,
                                                   ir_err *err);
ir_rc ir_iot_parse_register_certificate_without_ca(const ir_aws_response *resp,
                                                   ir_iot_cert_ref *out, ir_err *err);
ir_rc ir_iot_register_certificate_without_ca(ir_aws_client *c, const ir_iot_target *t,
                                             const ir_iot_register_cert_args *args,
                                             ir_iot_cert_ref *out, ir_aws_error *aerr, ir_err *err);

typedef struct ir_iot_transfer_data {
    char *transfer_message;
    char *reject_reason;
    int64_t transfer_date_ms;
    int64_t accept_date_ms;
    int64_t reject_date_ms;
} ir_iot_transfer_data;

typedef struct ir_iot_cert_desc {
    char *certificate_id;
    char *certificate_arn;
    char *ca_certificate_id;
    ir_iot_cert_status status;
    char *certificate_pem;
    char *owned_by;
    char *previous_owned_by;
    char *certificate_mode;
    int64_t creation_date_ms;
    int64_t last_modified_date_ms;
    bool has_transfer_data;
    ir_iot_transfer_data transfer_data;
} ir_iot_cert_desc;
void ir_iot_cert_desc_free(ir_iot_cert_desc *d);

ir_rc ir_iot_build_describe_certificate(const ir_iot_target *t, const char *certificate_id,
                                        ir_aws_request *req, ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_describe_certificate(const ir_aws_response *resp, ir_iot_cert_desc *out,
                                        ir_err *err);
ir_rc ir_iot_describe_certificate(ir_aws_client *c, const ir_iot_target *t,
                                  const char *certificate_id, ir_iot_cert_desc *out,
                                  ir_aws_error *aerr, ir_err *err);

ir_rc ir_iot_build_update_certificate(const ir_iot_target *t, const char *certificate_id,
                                      ir_iot_cert_status new_status, ir_aws_request *req,
                                      ir_buf *storage, ir_err *err);
ir_rc ir_iot_update_certificate(ir_aws_client *c, const ir_iot_target *t,
                                const char *certificate_id, ir_iot_cert_status new_status,
                                ir_aws_error *aerr, ir_err *err);

ir_rc ir_iot_build_delete_certificate(const ir_iot_target *t, const char *certificate_id,
                                      bool force_delete, ir_aws_request *req, ir_buf *storage,
                                      ir_err *err);
ir_rc ir_iot_delete_certificate(ir_aws_client *c, const ir_iot_target *t,
                                const char *certificate_id, bool force_delete, ir_aws_error *aerr,
                                ir_err *err);

ir_rc ir_iot_build_list_certificates(const ir_iot_target *t, const ir_iot_page_opts *page,
                                     ir_aws_request *req, ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_list_certificates(const ir_aws_response *resp, ir_iot_cert_list *out,
                                     ir_err *err);
ir_rc ir_iot_list_certificates(ir_aws_client *c, const ir_iot_target *t,
                               const ir_iot_page_opts *page, ir_iot_cert_list *out,
                               ir_aws_error *aerr, ir_err *err);
/* Every page; page_size 0 = AWS's default. */
ir_rc ir_iot_list_all_certificates(ir_aws_client *c, const ir_iot_target *t, int page_size,
                                   ir_iot_cert_list *out, ir_aws_error *aerr, ir_err *err);

/* ---- transfer ---- */

/* message may be NULL; at most IR_IOT_MAX_MESSAGE_CHARS characters.
 * *transferred_arn (may be NULL) is heap memory for free(). */
ir_rc ir_iot_build_transfer_certificate(const ir_iot_target *t, const char *certificate_id,
                                        const char *target_account, const char *message,
                                        ir_aws_request *req, ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_transfer_certificate(const ir_aws_response *resp, char **transferred_arn,
                                        ir_err *err);
ir_rc ir_iot_transfer_certificate(ir_aws_client *c, const ir_iot_target *t,
                                  const char *certificate_id, const char *target_account,
                                  const char *message, char **transferred_arn, ir_aws_error *aerr,
                                  ir_err *err);

ir_rc ir_iot_build_accept_certificate_transfer(const ir_iot_target *t, const char *certificate_id,
                                               bool set_as_active, ir_aws_request *req,
                                               ir_buf *storage, ir_err *err);
ir_rc ir_iot_accept_certificate_transfer(ir_aws_client *c, const ir_iot_target *t,
                                         const char *certificate_id, bool set_as_active,
                                         ir_aws_error *aerr, ir_err *err);

/* reason may be NULL; at most IR_IOT_MAX_MESSAGE_CHARS characters. */
ir_rc ir_iot_build_reject_certificate_transfer(const ir_iot_target *t, const char *certificate_id,
                                               const char *reason, ir_aws_request *req,
                                               ir_buf *storage, ir_err *err);
ir_rc ir_iot_reject_certificate_transfer(ir_aws_client *c, const ir_iot_target *t,
                                         const char *certificate_id, const char *reason,
                                         ir_aws_error *aerr, ir_err *err);

ir_rc ir_iot_build_cancel_certificate_transfer(const ir_iot_target *t, const char *certificate_id,
                                               ir_aws_request *req, ir_buf *storage, ir_err *err);
ir_rc ir_iot_cancel_certificate_transfer(ir_aws_client *c, const ir_iot_target *t,
                                         const char *certificate_id, ir_aws_error *aerr,
                                         ir_err *err);

typedef struct ir_iot_outgoing_cert {
    char *certificate_id;
    char *certificate_arn;
    char *transferred_to;
    char *transfer_message;
    int64_t transfer_date_ms;
    int64_t creation_date_ms;
} ir_iot_outgoing_cert;

typedef struct ir_iot_outgoing_list {
    ir_iot_outgoing_cert *items;
    size_t n;
    char *next_marker;
} ir_iot_outgoing_list;
void ir_iot_outgoing_list_free(ir_iot_outgoing_list *l);

ir_rc ir_iot_build_list_outgoing_certificates(const ir_iot_target *t, const ir_iot_page_opts *page,
                                              ir_aws_request *req, ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_list_outgoing_certificates(const ir_aws_response *resp,
                                              ir_iot_outgoing_list *out, ir_err *err);
ir_rc ir_iot_list_outgoing_certificates(ir_aws_client *c, const ir_iot_target *t,
                                        const ir_iot_page_opts *page, ir_iot_outgoing_list *out,
                                        ir_aws_error *aerr, ir_err *err);
ir_rc ir_iot_list_all_outgoing_certificates(ir_aws_client *c, const ir_iot_target *t,
                                            ir_iot_outgoing_list *out, ir_aws_error *aerr,
                                            ir_err *err);

/* ---- policies ---- */

/* CreatePolicy and GetPolicy. version_id is CreatePolicy's policyVersionId
 * or GetPolicy's defaultVersionId. */
typedef struct ir_iot_policy {
    char *policy_name;
    char *policy_arn;
    char *policy_document;
    char *version_id;
    char *generation_id;
    int64_t creation_date_ms;
    int64_t last_modified_date_ms;
} ir_iot_policy;
void ir_iot_policy_free(ir_iot_policy *p);

ir_rc ir_iot_build_create_policy(const ir_iot_target *t, const char *policy_name,
                                 const char *policy_document, ir_aws_request *req, ir_buf *storage,
                                 ir_err *err);
ir_rc ir_iot_parse_create_policy(const ir_aws_response *resp, ir_iot_policy *out, ir_err *err);
/* On ResourceAlreadyExistsException out->policy_arn is the existing one's
 * (when AWS says). */
ir_rc ir_iot_create_policy(ir_aws_client *c, const ir_iot_target *t, const char *policy_name,
                           const char *policy_document, ir_iot_policy *out, ir_aws_error *aerr,
                           ir_err *err);

ir_rc ir_iot_build_get_policy(const ir_iot_target *t, const char *policy_name, ir_aws_request *req,
                              ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_get_policy(const ir_aws_response *resp, ir_iot_policy *out, ir_err *err);
ir_rc ir_iot_get_policy(ir_aws_client *c, const ir_iot_target *t, const char *policy_name,
                        ir_iot_policy *out, ir_aws_error *aerr, ir_err *err);

/* policy_target: a certificate ARN (or another principal AWS accepts). */
ir_rc ir_iot_build_attach_policy(const ir_iot_target *t, const char *policy_name,
                                 const char *policy_target, ir_aws_request *req, ir_buf *storage,
                                 ir_err *err);
ir_rc ir_iot_attach_policy(ir_aws_client *c, const ir_iot_target *t, const char *policy_name,
                           const char *policy_target, ir_aws_error *aerr, ir_err *err);

ir_rc ir_iot_build_detach_policy(const ir_iot_target *t, const char *policy_name,
                                 const char *policy_target, ir_aws_request *req, ir_buf *storage,
                                 ir_err *err);
ir_rc ir_iot_detach_policy(ir_aws_client *c, const ir_iot_target *t, const char *policy_name,
                           const char *policy_target, ir_aws_error *aerr, ir_err *err);

typedef struct ir_iot_policy_ref {
    char *policy_name;
    char *policy_arn;
} ir_iot_policy_ref;

typedef struct ir_iot_policy_list {
    ir_iot_policy_ref *items;
    size_t n;
    char *next_marker;
} ir_iot_policy_list;
void ir_iot_policy_list_free(ir_iot_policy_list *l);

typedef struct ir_iot_attached_args {
    const char *policy_target; /* e.g. a certificate ARN */
    bool recursive;
    int page_size;      /* 0 = AWS's default */
    const char *marker; /* NULL for the first page */
} ir_iot_attached_args;

ir_rc ir_iot_build_list_attached_policies(const ir_iot_target *t, const ir_iot_attached_args *args,
                                          ir_aws_request *req, ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_list_attached_policies(const ir_aws_response *resp, ir_iot_policy_list *out,
                                          ir_err *err);
ir_rc ir_iot_list_attached_policies(ir_aws_client *c, const ir_iot_target *t,
                                    const ir_iot_attached_args *args, ir_iot_policy_list *out,
                                    ir_aws_error *aerr, ir_err *err);
/* Every page (args->marker is ignored). */
ir_rc ir_iot_list_all_attached_policies(ir_aws_client *c, const ir_iot_target *t,
                                        const ir_iot_attached_args *args, ir_iot_policy_list *out,
                                        ir_aws_error *aerr, ir_err *err);

/* ---- endpoints ---- */

#define IR_IOT_ENDPOINT_DATA_ATS       "iot:Data-ATS" /* the devices' MQTT endpoint */
#define IR_IOT_MAX_ENDPOINT_TYPE_CHARS 128
#define IR_IOT_MAX_ENDPOINT_CHARS      253 /* a DNS host name */

/* DescribeEndpoint: the calling account's endpoint of endpoint_type (e.g.
 * IR_IOT_ENDPOINT_DATA_ATS) in the target's region. *address is a host name
 * (checked: letters, digits, '-' and '.', at most IR_IOT_MAX_ENDPOINT_CHARS),
 * heap memory for free(). */
ir_rc ir_iot_build_describe_endpoint(const ir_iot_target *t, const char *endpoint_type,
                                     ir_aws_request *req, ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_describe_endpoint(const ir_aws_response *resp, char **address, ir_err *err);
ir_rc ir_iot_describe_endpoint(ir_aws_client *c, const ir_iot_target *t, const char *endpoint_type,
                               char **address, ir_aws_error *aerr, ir_err *err);

/* ---- things ---- */

typedef struct ir_iot_attribute {
    const char *name;
    const char *value;
} ir_iot_attribute;

typedef struct ir_iot_create_thing_args {
    const char *thing_name;
    const char *thing_type_name; /* NULL for none */
    const ir_iot_attribute *attributes;
    size_t n_attributes;
} ir_iot_create_thing_args;

typedef struct ir_iot_thing {
    char *thing_name;
    char *thing_arn;
    char *thing_id;
} ir_iot_thing;
void ir_iot_thing_free(ir_iot_thing *th);

ir_rc ir_iot_build_create_thing(const ir_iot_target *t, const ir_iot_create_thing_args *args,
                                ir_aws_request *req, ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_create_thing(const ir_aws_response *resp, ir_iot_thing *out, ir_err *err);
/* On ResourceAlreadyExistsException out holds the existing thing's
 * id/arn when AWS gives them. */
ir_rc ir_iot_create_thing(ir_aws_client *c, const ir_iot_target *t,
                          const ir_iot_create_thing_args *args, ir_iot_thing *out,
                          ir_aws_error *aerr, ir_err *err);

typedef struct ir_iot_thing_attr {
    char *name;
    char *value;
} ir_iot_thing_attr;

typedef struct ir_iot_thing_desc {
    char *thing_name;
    char *thing_id;
    char *thing_arn;
    char *thing_type_name;
    char *default_client_id;
    char *billing_group_name;
    ir_iot_thing_attr *attributes;
    size_t n_attributes;
    int64_t version;
} ir_iot_thing_desc;
void ir_iot_thing_desc_free(ir_iot_thing_desc *d);
/* The value of attribute name, or NULL. */
const char *ir_iot_thing_desc_attribute(const ir_iot_thing_desc *d, const char *name);

ir_rc ir_iot_build_describe_thing(const ir_iot_target *t, const char *thing_name,
                                  ir_aws_request *req, ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_describe_thing(const ir_aws_response *resp, ir_iot_thing_desc *out, ir_err *err);
ir_rc ir_iot_describe_thing(ir_aws_client *c, const ir_iot_target *t, const char *thing_name,
                            ir_iot_thing_desc *out, ir_aws_error *aerr, ir_err *err);

/* principal: a certificate ARN, sent in the x-amzn-principal header. */
ir_rc ir_iot_build_attach_thing_principal(const ir_iot_target *t, const char *thing_name,
                                          const char *principal, ir_aws_request *req,
                                          ir_buf *storage, ir_err *err);
ir_rc ir_iot_attach_thing_principal(ir_aws_client *c, const ir_iot_target *t,
                                    const char *thing_name, const char *principal,
                                    ir_aws_error *aerr, ir_err *err);

ir_rc ir_iot_build_detach_thing_principal(const ir_iot_target *t, const char *thing_name,
                                          const char *principal, ir_aws_request *req,
                                          ir_buf *storage, ir_err *err);
ir_rc ir_iot_detach_thing_principal(ir_aws_client *c, const ir_iot_target *t,
                                    const char *thing_name, const char *principal,
                                    ir_aws_error *aerr, ir_err *err);

/* ListThingPrincipals: the ARNs of the principals attached to a thing. It is
 * paged by nextToken; the parser APPENDS a page's items and replaces
 * next_token (NULL on the last page). */
typedef struct ir_iot_principal_list {
    char **items;
    size_t n;
    char *next_token;
} ir_iot_principal_list;
void ir_iot_principal_list_free(ir_iot_principal_list *l);

/* page->page_size is maxResults (1..250, 0 = AWS's default), page->marker
 * the nextToken; page may be NULL. */
ir_rc ir_iot_build_list_thing_principals(const ir_iot_target *t, const char *thing_name,
                                         const ir_iot_page_opts *page, ir_aws_request *req,
                                         ir_buf *storage, ir_err *err);
ir_rc ir_iot_parse_list_thing_principals(const ir_aws_response *resp, ir_iot_principal_list *out,
                                         ir_err *err);
ir_rc ir_iot_list_thing_principals(ir_aws_client *c, const ir_iot_target *t, const char *thing_name,
                                   const ir_iot_page_opts *page, ir_iot_principal_list *out,
                                   ir_aws_error *aerr, ir_err *err);
/* Every page, following nextToken. */
ir_rc ir_iot_list_all_thing_principals(ir_aws_client *c, const ir_iot_target *t,
                                       const char *thing_name, ir_iot_principal_list *out,
                                       ir_aws_error *aerr, ir_err *err);

/* Names or ARNs: one of each pair is needed. */
typedef struct ir_iot_thing_group_args {
    const char *thing_group_name;
    const char *thing_group_arn;
    const char *thing_name;
    const char *thing_arn;
    bool override_dynamic_groups;
} ir_iot_thing_group_args;

ir_rc ir_iot_build_add_thing_to_thing_group(const ir_iot_target *t,
                                            const ir_iot_thing_group_args *args,
                                            ir_aws_request *req, ir_buf *storage, ir_err *err);
ir_rc ir_iot_add_thing_to_thing_group(ir_aws_client *c, const ir_iot_target *t,
                                      const ir_iot_thing_group_args *args, ir_aws_error *aerr,
                                      ir_err *err);

#endif
