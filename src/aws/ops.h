/* What every typed AWS operation (IoT, STS) shares: where a request goes and
 * how callers test an AWS error.
 *
 * Each operation X is two pure functions and a blocking wrapper:
 *   ir_..._build_X(target, args, &req, &storage, err)  fills an ir_aws_request
 *       whose strings live in storage (initialised by the builder: the caller
 *       calls ir_buf_free(&storage) once the request has been sent,
 *       whatever the builder returned);
 *   ir_..._parse_X(&resp, &result, err)  parses a 2xx response;
 *   ir_..._X(client, target, args, &result, &aerr, err)  = build, ir_aws_send, parse.
 * The pure halves let tests check a request and a response without a network. */
#ifndef IOTREG_AWS_OPS_H
#define IOTREG_AWS_OPS_H

#include <stdbool.h>

#include "aws/client.h"

/* Where a request is sent and whose credentials sign it. */
typedef struct ir_aws_target {
    const char *region;
    ir_aws_cred_provider *creds;
    /* The token bucket's account: the account id (NULL lets the transport
     * fall back to the access key id). */
    const char *account_key;
    /* Endpoint override for this account (the emulator); NULL = the client's. */
    const char *endpoint;
} ir_aws_target;

/* True when aerr holds an AWS error of the given type, e.g.
 * ir_aws_error_is(&aerr, "TransferConflictException"). */
bool ir_aws_error_is(const ir_aws_error *aerr, const char *type);

#endif
