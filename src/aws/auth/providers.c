/* Credential providers: static, environment, and the generic refreshing one
 * (single-flight: concurrent callers wait for one fetch). */
#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/auth/provider_internal.h"
#include "core/log.h"
#include "core/util.h"

ir_rc ir_aws_cred_provider_get(ir_aws_cred_provider *p, ir_aws_creds **out, ir_err *err)
{
    *out = NULL;
    if (p == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "no AWS credential provider given");
    return p->ops->get(p, out, err);
}

void ir_aws_cred_provider_free(ir_aws_cred_provider *p)
{
    if (p != NULL)
        p->ops->free(p);
}

const char *ir_aws_cred_provider_describe(const ir_aws_cred_provider *p)
{
    return p != NULL ? p->description : "(no credentials)";
}

/* -- static -- */

typedef struct static_provider {
    ir_aws_cred_provider base;
    ir_aws_creds *creds;
} static_provider;

static ir_rc static_get(ir_aws_cred_provider *p, ir_aws_creds **out, ir_err *err)
{
    *out = ir_aws_creds_ref(((static_provider *)p)->creds);
    return IR_OK;
}

static void static_free(ir_aws_cred_provider *p)
{
    ir_aws_creds_unref(((static_provider *)p)->creds);
    free(p);
}

static const ir_aws_cred_provider_ops static_ops = {static_get, static_free};

ir_rc ir_aws_cred_provider_static(ir_aws_creds *creds, ir_aws_cred_provider **out, ir_err *err)
{
    static_provider *p;

    *out = NULL;
    if (creds == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "static AWS credentials: none given");
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    p->base.ops = &static_ops;
    snprintf(p->base.description, sizeof(p->base.description), "static credentials %s",
             ir_aws_creds_access_key_id(creds));
    p->creds = ir_aws_creds_ref(creds);
    *out = &p->base;
    return IR_OK;
}

/* -- environment -- */

static ir_rc env_get(ir_aws_cred_provider *p, ir_aws_creds **out, ir_err *err)
{
    const char *akid = getenv("AWS_ACCESS_KEY_ID");
    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
    const char *token = getenv("AWS_SESSION_TOKEN");
    ir_rc rc;

    if (akid == NULL || akid[0] == '\0' || secret == NULL || secret[0] == '\0')
        return ir_err_set(err, IR_ERR_CONFIG,
                          "AWS credentials from the environment: %s is not set; export "
                          "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN "
                          "for temporary credentials)",
                          akid == NULL || akid[0] == '\0' ? "AWS_ACCESS_KEY_ID"
                                                          : "AWS_SECRET_ACCESS_KEY");
    rc = ir_aws_creds_new_secret(akid, secret, token, 0, out, err);
    if (rc != IR_OK)
        ir_err_prefix(err, "AWS credentials from the environment: ");
    return rc;
}

static void plain_free(ir_aws_cred_provider *p)
{
    free(p);
}

static const ir_aws_cred_provider_ops env_ops = {env_get, plain_free};

ir_rc ir_aws_cred_provider_env(ir_aws_cred_provider **out, ir_err *err)
{
    ir_aws_cred_provider *p = calloc(1, sizeof(*p));

    *out = NULL;
    if (p == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    p->ops = &env_ops;
    snprintf(p->description, sizeof(p->description), "environment (AWS_ACCESS_KEY_ID)");
    *out = p;
    return IR_OK;
}

/* -- refreshing, single-flight -- */

typedef struct refreshing_provider {
    ir_aws_cred_provider base;
    ir_aws_cred_fetch_fn fetch;
    void *ctx;
    void (*ctx_free)(void *);
    int64_t margin_ms;
    pthread_mutex_t lock;
    pthread_cond_t fetched;
    ir_aws_creds *creds; /* the last good set, or NULL */
    bool fetching;       /* a caller is running fetch() */
    uint64_t generation; /* completed fetches, so waiters know theirs ended */
    ir_rc last_rc;       /* outcome of the last fetch */
    ir_err last_err;
} refreshing_provider;

static bool creds_fresh(const ir_aws_creds *c, int64_t margin_ms, int64_t now_ms)
{
    int64_t exp = ir_aws_creds_expires_ms(c);

    return exp == 0 || exp - now_ms > margin_ms;
}

static bool creds_unexpired(const ir_aws_creds *c, int64_t now_ms)
{
    return creds_fresh(c, 0, now_ms);
}

/* Runs fetch with the lock released, then publishes the outcome to every
 * waiter. Called with the lock held; returns with it held. */
static void refreshing_fetch_locked(refreshing_provider *p)
{
    ir_aws_creds *fresh = NULL;
    ir_err ferr = {0};
    ir_rc rc;

    p->fetching = true;
    pthread_mutex_unlock(&p->lock);
    rc = p->fetch(p->ctx, &fresh, &ferr);
    if (rc == IR_OK && fresh == NULL)
        rc = ir_err_set(&ferr, IR_ERR_INTERNAL, "credential fetch returned no credentials");
    pthread_mutex_lock(&p->lock);
    p->last_rc = rc;
    p->last_err = ferr;
    if (rc == IR_OK) {
        ir_aws_creds_unref(p->creds);
        p->creds = fresh;
    }
    p->fetching = false;
    p->generation++;
    pthread_cond_broadcast(&p->fetched);
}

/* After a fetch: the new set, or after a failure credentials that have not
 * expired yet (we were only inside the refresh margin), or the error. */
static ir_rc refreshing_result_locked(refreshing_provider *p, ir_aws_creds **out, ir_err *err)
{
    int64_t now = ir_realtime_ms();

    if (p->creds != NULL && creds_unexpired(p->creds, now)) {
        if (p->last_rc != IR_OK)
            ir_log_warn("%s: refresh failed (%s); using credentials that expire in %lld s",
                        p->base.description, p->last_err.msg,
                        (long long)((ir_aws_creds_expires_ms(p->creds) - now) / 1000));
        *out = ir_aws_creds_ref(p->creds);
        return IR_OK;
    }
    if (p->last_rc == IR_OK)
        return ir_err_set(err, IR_ERR_STATE, "%s: the fetched credentials have already expired",
                          p->base.description);
    ir_err_set(err, p->last_rc, "%s: %s", p->base.description, p->last_err.msg);
    return p->last_rc;
}

static ir_rc refreshing_get(ir_aws_cred_provider *base, ir_aws_creds **out, ir_err *err)
{
    refreshing_provider *p = (refreshing_provider *)base;
    uint64_t seen;
    ir_rc rc;

    pthread_mutex_lock(&p->lock);
    if (p->creds != NULL && creds_fresh(p->creds, p->margin_ms, ir_realtime_ms())) {
        *out = ir_aws_creds_ref(p->creds);
        pthread_mutex_unlock(&p->lock);
        return IR_OK;
    }
    if (p->fetching) {
        seen = p->generation;
        while (p->generation == seen)
            pthread_cond_wait(&p->fetched, &p->lock);
    } else {
        refreshing_fetch_locked(p);
    }
    rc = refreshing_result_locked(p, out, err);
    pthread_mutex_unlock(&p->lock);
    return rc;
}

static void refreshing_free(ir_aws_cred_provider *base)
{
    refreshing_provider *p = (refreshing_provider *)base;

    if (p->ctx_free != NULL)
        p->ctx_free(p->ctx);
    ir_aws_creds_unref(p->creds);
    pthread_cond_destroy(&p->fetched);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static const ir_aws_cred_provider_ops refreshing_ops = {refreshing_get, refreshing_free};

ir_rc ir_aws_cred_provider_refreshing(ir_aws_cred_fetch_fn fetch, void *ctx,
                                      void (*ctx_free)(void *), int64_t margin_ms,
                                      const char *description, ir_aws_cred_provider **out,
                                      ir_err *err)
{
    refreshing_provider *p;

    *out = NULL;
    if (fetch == NULL || margin_ms < 0)
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "refreshing credentials need a fetch function and a margin >= 0");
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    p->base.ops = &refreshing_ops;
    snprintf(p->base.description, sizeof(p->base.description), "%s",
             description != NULL ? description : "refreshing credentials");
    p->fetch = fetch;
    p->ctx = ctx;
    p->ctx_free = ctx_free;
    p->margin_ms = margin_ms;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->fetched, NULL);
    *out = &p->base;
    return IR_OK;
}
