/* AWS Signature Version 4, computed in the project: the canonical request,
 * the string to sign and the Authorization header, each exposed so that tests
 * can check every stage against AWS's test suite. The first step of the key
 * derivation (kDate) goes through the credentials (ir_aws_creds_kdate), so the
 * secret itself may live in an HSM; the rest is HMAC-SHA256 in software. */
#ifndef IOTREG_AWS_AUTH_SIGV4_H
#define IOTREG_AWS_AUTH_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/auth/credentials.h"
#include "aws/transport/message.h"
#include "core/buf.h"
#include "core/error.h"

#define IR_SIGV4_AMZ_DATE_LEN 16 /* YYYYMMDDTHHMMSSZ */
#define IR_SIGV4_MAX_HEADERS  64

/* A request as it will be sent. */
typedef struct ir_sigv4_input {
    const char *method;
    const char *path;          /* as sent: each label already URI-encoded */
    const ir_aws_param *query; /* unencoded names and values (NULL value = "") */
    size_t n_query;
    const ir_aws_param *headers; /* all signed, in order; Host must be among them */
    size_t n_headers;
    const void *body;
    size_t body_len;
    const char *amz_date; /* YYYYMMDDTHHMMSSZ */
    const char *region;
    const char *service; /* the signing name, e.g. "iot", "execute-api", "sts" */
    bool keep_path;      /* S3 only: no normalisation, no second encoding */
} ir_sigv4_input;

typedef struct ir_sigv4_output {
    ir_buf canonical_request;
    ir_buf string_to_sign;
    ir_buf authorization; /* the Authorization header's value */
    /* Headers the signer added to the signed set, which the caller must send:
     * X-Amz-Date (when the input had none) and X-Amz-Security-Token (when the
     * credentials carry a session token and the input had none). */
    bool add_date_header;
    bool add_token_header;
} ir_sigv4_output;

void ir_sigv4_output_init(ir_sigv4_output *out);
void ir_sigv4_output_free(ir_sigv4_output *out);

/* Signs in with creds. Only ir_aws_creds_kdate touches the secret. */
ir_rc ir_sigv4_sign(const ir_sigv4_input *in, const ir_aws_creds *creds, ir_sigv4_output *out,
                    ir_err *err);

/* The stages, for tests and for the client. */
ir_rc ir_sigv4_canonical_uri(const char *path, bool keep_path, ir_buf *out, ir_err *err);
/* Sorted by encoded name, then encoded value; "name=value" joined by '&'. This
 * is also the query string the client sends. */
ir_rc ir_sigv4_canonical_query(const ir_aws_param *query, size_t n, ir_buf *out, ir_err *err);
/* YYYYMMDDTHHMMSSZ for a time in ms since the epoch. */
void ir_sigv4_amz_date(int64_t epoch_ms, char out[IR_SIGV4_AMZ_DATE_LEN + 1]);
/* The chain after kDate: kRegion, kService, kSigning. */
ir_rc ir_sigv4_signing_key(const unsigned char kdate[IR_AWS_KDATE_LEN], const char *region,
                           const char *service, unsigned char out[32], ir_err *err);

#endif
