/* The AWS error model, in one place: what AWS said about a request that
 * failed (or the transport, when no answer came), read from an error
 * response's header and body; its classification (throttled, transient,
 * final), which decides whether the client retries; and the ir_rc and message
 * a caller gets. */
#ifndef IOTREG_AWS_AWS_ERROR_H
#define IOTREG_AWS_AWS_ERROR_H

#include <stdbool.h>

#include "aws/transport/message.h"
#include "core/error.h"

/* AWS's verdict on a request, or the transport's when there was none. */
typedef struct ir_aws_error {
    long http_status;  /* 0 when no HTTP response arrived */
    char type[128];    /* e.g. "ThrottlingException"; "" when none */
    char message[512]; /* AWS's message, or the transport's */
    char request_id[96];
    bool retryable; /* ir_aws_error_is_retryable() of the above */
    int attempts;   /* how many times the request was sent */
} ir_aws_error;

/* -- reading -- */

/* Fills aerr from an error response (x-amzn-ErrorType header, JSON body's
 * __type / code / message, or STS's XML <Error><Code>). Bodies come from the
 * network: size-bounded, parsed without network access or entity expansion,
 * and kept to printable text. */
void ir_aws_error_from_response(const ir_aws_response *resp, ir_aws_error *aerr);
/* Fills aerr for a request that got no AWS answer (a transport failure, or
 * credentials or signing that failed before sending): message, and whether
 * sending again may help. */
void ir_aws_error_from_failure(ir_aws_error *aerr, const char *message, bool retryable);

/* -- classification -- */

typedef enum ir_aws_error_class {
    IR_AWS_ERROR_FINAL,     /* sending it again gives the same answer */
    IR_AWS_ERROR_THROTTLED, /* a quota: ThrottlingException and kin by type, or HTTP 429 */
    IR_AWS_ERROR_TRANSIENT  /* 5xx, ServiceUnavailable, RequestTimeout, network, timeout */
} ir_aws_error_class;

/* transport_rc is the transport's outcome (IR_OK when a response arrived):
 * IR_ERR_NETWORK and IR_ERR_TIMEOUT are transient, every other transport
 * failure (TLS verification, an oversize response, a bad request) final. */
ir_aws_error_class ir_aws_error_classify(long http_status, const char *type, ir_rc transport_rc);
/* Throttled or transient: worth another attempt. */
bool ir_aws_error_is_retryable(long http_status, const char *type, ir_rc transport_rc);

/* True when aerr holds an AWS error of the given type, e.g.
 * ir_aws_error_is(&aerr, "TransferConflictException"). */
bool ir_aws_error_is(const ir_aws_error *aerr, const char *type);

/* -- what a caller gets -- */

/* A request AWS answered with an error: sets err to IR_ERR_AWS with
 * "OPERATION: TYPE, HTTP STATUS: MESSAGE (request id ID, N attempts)" and
 * returns IR_ERR_AWS. */
ir_rc ir_aws_error_to_err(const ir_aws_error *aerr, const char *operation, ir_err *err);
/* For a caller past the client's retries: an AWS error that stayed
 * retryable (throttling, unavailable) is IR_ERR_BUSY, worth another try
 * later; every other rc is returned as it is. */
ir_rc ir_aws_error_busy_if_retryable(ir_rc rc, const ir_aws_error *aerr);

#endif
