/* Where a request goes: https://SERVICE.REGION.amazonaws.com, or an override
 * URL for every service (an emulator). Plain http is accepted only when
 * explicitly allowed and only for a loopback host. */
#ifndef IOTREG_AWS_TRANSPORT_ENDPOINT_H
#define IOTREG_AWS_TRANSPORT_ENDPOINT_H

#include <stdbool.h>

#include "core/error.h"

#define IR_AWS_HOST_MAX 256

typedef struct ir_aws_endpoint {
    char base_url[IR_AWS_HOST_MAX + 32];   /* scheme://host[:port], no trailing slash */
    char host_header[IR_AWS_HOST_MAX + 8]; /* host[:port], the signed Host header */
    bool https;
} ir_aws_endpoint;

ir_rc ir_aws_endpoint_resolve(const char *override_url, bool allow_http, const char *service,
                              const char *region, ir_aws_endpoint *out, ir_err *err);

/* 127.0.0.0/8, ::1 (bracketed or not), ::ffff:127.x.y.z, or "localhost".
 * Decided from the text alone, without name resolution. */
bool ir_aws_host_is_loopback(const char *host);

/* Checks an override URL without resolving a service (configuration time). */
ir_rc ir_aws_endpoint_check(const char *override_url, bool allow_http, ir_err *err);

#endif
