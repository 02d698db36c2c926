#include "autoconf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/auth/assume_role.h"
#include "aws/sts/sts.h"
#include "core/log.h"
#include "core/util.h"

typedef struct assume_ctx {
    ir_aws_client *client;
    ir_aws_cred_provider *source_creds;
    char *region;
    char *account_key;
    char *endpoint;
    char *role_arn;
    char *external_id;
    char *session_name;
    int duration_seconds;
    char description[320];
} assume_ctx;

static void ctx_free(void *p)
{
    assume_ctx *ctx = p;

    if (ctx == NULL)
        return;
    free(ctx->region);
    free(ctx->account_key);
    free(ctx->endpoint);
    free(ctx->role_arn);
    free(ctx->external_id);
    free(ctx->session_name);
    free(ctx);
}

/* strdup that keeps NULL; *failed is set when a copy could not be made. */
static char *dup_opt(const char *s, bool *failed)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = strdup(s);
    if (d == NULL)
        *failed = true;
    return d;
}

static ir_rc ctx_new(const ir_assume_role_opts *o, assume_ctx **out, ir_err *err)
{
    assume_ctx *ctx = calloc(1, sizeof(*ctx));
    bool failed = ctx == NULL;

    if (ctx != NULL) {
        ctx->client = o->client;
        ctx->source_creds = o->source.creds;
        ctx->region = dup_opt(o->source.region, &failed);
        ctx->account_key = dup_opt(o->source.account_key, &failed);
        ctx->endpoint = dup_opt(o->source.endpoint, &failed);
        ctx->role_arn = dup_opt(o->role_arn, &failed);
        ctx->external_id = dup_opt(o->external_id, &failed);
        ctx->session_name =
            dup_opt(o->session_name ? o->session_name : IR_ASSUME_ROLE_DEFAULT_SESSION, &failed);
        ctx->duration_seconds = o->duration_seconds;
        snprintf(ctx->description, sizeof(ctx->description), "assume-role %s", o->role_arn);
    }
    if (failed) {
        ctx_free(ctx);
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    }
    *out = ctx;
    return IR_OK;
}

static ir_rc fetch(void *p, ir_aws_creds **out, ir_err *err)
{
    assume_ctx *ctx = p;
    ir_sts_target t = {ctx->region, ctx->source_creds, ctx->account_key, ctx->endpoint};
    ir_sts_assume_role_args args = {ctx->role_arn, ctx->session_name, ctx->external_id,
                                    ctx->duration_seconds};
    ir_sts_credentials sc = {0};
    ir_aws_error aerr = {0};
    /* STS throttling or unavailable past the client's own retries is worth
     * trying again later; only its refusals (AccessDenied, ...) are final. */
    ir_rc rc = ir_aws_error_busy_if_retryable(
        ir_sts_assume_role(ctx->client, &t, &args, &sc, &aerr, err), &aerr);

    if (rc == IR_OK)
        rc = ir_sts_credentials_to_creds(&sc, out, err);
    if (rc == IR_OK)
        ir_log_info("assumed %s as %s (expires in %lld s)", ctx->role_arn,
                    sc.assumed_role_arn ? sc.assumed_role_arn : "?",
                    (long long)(sc.expiration_ms - ir_realtime_ms()) / 1000);
    else
        ir_err_prefix(err, "assuming %s: ", ctx->role_arn);
    ir_sts_credentials_free(&sc);
    return rc;
}

static ir_rc check_opts(const ir_assume_role_opts *o, ir_err *err)
{
    if (o == NULL || o->client == NULL || o->source.creds == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "assume-role: a client and source credentials are needed");
    if (o->source.region == NULL || o->role_arn == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "assume-role: a region and role ARN are needed");
    if (o->margin_ms < 0)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "assume-role: the margin is negative");
    return IR_OK;
}

ir_rc ir_aws_cred_provider_assume_role(const ir_assume_role_opts *opts, ir_aws_cred_provider **out,
                                       ir_err *err)
{
    assume_ctx *ctx = NULL;
    ir_rc rc = check_opts(opts, err);

    if (rc == IR_OK)
        rc = ctx_new(opts, &ctx, err);
    if (rc != IR_OK)
        return rc;
    rc = ir_aws_cred_provider_refreshing(
        fetch, ctx, ctx_free, opts->margin_ms ? opts->margin_ms : IR_ASSUME_ROLE_DEFAULT_MARGIN_MS,
        ctx->description, out, err);
    if (rc != IR_OK)
        ctx_free(ctx);
    return rc;
}
