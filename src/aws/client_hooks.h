/* Test hooks of the AWS client: not for production code. */
#ifndef IOTREG_AWS_CLIENT_HOOKS_H
#define IOTREG_AWS_CLIENT_HOOKS_H

#include "aws/client.h"
#include "aws/retry.h"

/* Replaces the backoff jitter's random source (NULL restores the default). */
void ir_aws_client_set_rng(ir_aws_client *c, ir_rng_fn rng, void *ctx);

#endif
