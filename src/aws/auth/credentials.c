#include "autoconf.h"

#include "aws/auth/credentials.h"

#include <openssl/crypto.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmac.h"
#include "core/secret.h"

#define ACCESS_KEY_ID_MAX 128
#define SECRET_MAX        256
#define SESSION_TOKEN_MAX 8192

struct ir_aws_creds {
    atomic_int refs;
    char *access_key_id;
    char *session_token; /* cleansed at the last unref */
    int64_t expires_ms;
    /* Exactly one of the two ways to compute kDate. */
    char *signing_secret; /* "AWS4" + secret, cleansed at the last unref */
    ir_aws_kdate_fn kdate_fn;
    void *kdate_ctx;
    void (*kdate_ctx_free)(void *);
};

static ir_rc check_access_key_id(const char *akid, ir_err *err)
{
    size_t i, n;

    if (akid == NULL || akid[0] == '\0')
        return ir_err_set(err, IR_ERR_INVALID_ARG, "AWS credentials need an access key id");
    n = strlen(akid);
    if (n > ACCESS_KEY_ID_MAX)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "AWS access key id is longer than %d characters",
                          ACCESS_KEY_ID_MAX);
    for (i = 0; i < n; i++)
        if ((unsigned char)akid[i] <= ' ' || akid[i] == '/' || akid[i] == ',' ||
            (unsigned char)akid[i] >= 0x7f)
            return ir_err_set(err, IR_ERR_INVALID_ARG,
                              "AWS access key id contains a character that cannot appear in a "
                              "credential scope");
    return IR_OK;
}

/* Token values go into an HTTP header: printable ASCII only. */
static ir_rc check_session_token(const char *token, ir_err *err)
{
    size_t i, n = strlen(token);

    if (n > SESSION_TOKEN_MAX)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "AWS session token is longer than %d bytes",
                          SESSION_TOKEN_MAX);
    for (i = 0; i < n; i++)
        if ((unsigned char)token[i] < 0x20 || (unsigned char)token[i] >= 0x7f)
            return ir_err_set(err, IR_ERR_INVALID_ARG,
                              "AWS session token contains a non-printable character");
    return IR_OK;
}

static ir_aws_creds *creds_alloc(const char *access_key_id, ir_err *err)
{
    ir_aws_creds *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        ir_err_set(err, IR_ERR_NOMEM, "out of memory allocating AWS credentials");
        return NULL;
    }
    atomic_init(&c->refs, 1);
    c->access_key_id = strdup(access_key_id);
    if (c->access_key_id == NULL) {
        free(c);
        ir_err_set(err, IR_ERR_NOMEM, "out of memory allocating AWS credentials");
        return NULL;
    }
    return c;
}

static char *signing_secret_new(const char *secret)
{
    size_t n = strlen(secret);
    char *s = malloc(n + 5);

    if (s == NULL)
        return NULL;
    memcpy(s, "AWS4", 4);
    memcpy(s + 4, secret, n + 1);
    return s;
}

ir_rc ir_aws_creds_new_secret(const char *access_key_id, const char *secret_access_key,
                              const char *session_token, int64_t expires_ms, ir_aws_creds **out,
                              ir_err *err)
{
    ir_aws_creds *c;
    ir_rc rc = check_access_key_id(access_key_id, err);

    *out = NULL;
    if (rc != IR_OK)
        return rc;
    if (secret_access_key == NULL || secret_access_key[0] == '\0')
        return ir_err_set(err, IR_ERR_INVALID_ARG, "AWS credentials for %s have no secret key",
                          access_key_id);
    if (strlen(secret_access_key) > SECRET_MAX)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "AWS secret key is longer than %d bytes",
                          SECRET_MAX);
    if (session_token != NULL && session_token[0] == '\0')
        session_token = NULL;
    if (session_token != NULL && (rc = check_session_token(session_token, err)) != IR_OK)
        return rc;
    c = creds_alloc(access_key_id, err);
    if (c == NULL)
        return IR_ERR_NOMEM;
    c->expires_ms = expires_ms;
    c->signing_secret = signing_secret_new(secret_access_key);
    c->session_token = ir_secret_strdup(session_token);
    if (c->signing_secret == NULL || (session_token != NULL && c->session_token == NULL)) {
        ir_aws_creds_unref(c);
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory allocating AWS credentials");
    }
    *out = c;
    return IR_OK;
}

ir_rc ir_aws_creds_new_kdate(const char *access_key_id, ir_aws_kdate_fn fn, void *ctx,
                             void (*ctx_free)(void *), ir_aws_creds **out, ir_err *err)
{
    ir_aws_creds *c;
    ir_rc rc = check_access_key_id(access_key_id, err);

    *out = NULL;
    if (rc == IR_OK && fn == NULL)
        rc = ir_err_set(err, IR_ERR_INVALID_ARG, "AWS credentials need a kDate function");
    if (rc != IR_OK)
        return rc;
    c = creds_alloc(access_key_id, err);
    if (c == NULL)
        return IR_ERR_NOMEM;
    c->kdate_fn = fn;
    c->kdate_ctx = ctx;
    c->kdate_ctx_free = ctx_free;
    *out = c;
    return IR_OK;
}

ir_aws_creds *ir_aws_creds_ref(ir_aws_creds *c)
{
    if (c != NULL)
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    return c;
}

void ir_aws_creds_unref(ir_aws_creds *c)
{
    if (c == NULL || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (c->kdate_ctx_free != NULL)
        c->kdate_ctx_free(c->kdate_ctx);
    ir_secret_strfree(c->signing_secret);
    ir_secret_strfree(c->session_token);
    free(c->access_key_id);
    free(c);
}

const char *ir_aws_creds_access_key_id(const ir_aws_creds *c)
{
    return c->access_key_id;
}

const char *ir_aws_creds_session_token(const ir_aws_creds *c)
{
    return c->session_token;
}

int64_t ir_aws_creds_expires_ms(const ir_aws_creds *c)
{
    return c->expires_ms;
}

bool ir_aws_creds_holds_secret(const ir_aws_creds *c)
{
    return c->signing_secret != NULL;
}

static ir_rc check_date(const char *date, ir_err *err)
{
    size_t i;

    for (i = 0; i < 8; i++)
        if (date[i] < '0' || date[i] > '9')
            break;
    if (i != 8 || date[8] != '\0')
        return ir_err_set(err, IR_ERR_INVALID_ARG, "SigV4 date must be YYYYMMDD");
    return IR_OK;
}

ir_rc ir_aws_creds_kdate(const ir_aws_creds *c, const char *date,
                         unsigned char out[IR_AWS_KDATE_LEN], ir_err *err)
{
    ir_rc rc = check_date(date, err);

    if (rc != IR_OK)
        return rc;
    if (c->kdate_fn != NULL) {
        rc = c->kdate_fn(c->kdate_ctx, date, out, err);
        if (rc != IR_OK)
            ir_err_prefix(err, "computing kDate for %s: ", c->access_key_id);
        return rc;
    }
    return ir_hmac_sha256(c->signing_secret, strlen(c->signing_secret), date, 8, out, err);
}
