#include "autoconf.h"

#include "creds/accounts.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/auth/assume_role.h"
#include "aws/iot/iot.h"
#include "core/log.h"
#include "core/util.h"
#include "creds/credref.h"
#include "creds/role_check.h"

/* One provider per CSP account, and one per (customer, CSP account). */
typedef struct provider_slot {
    const void *owner; /* the ir_csp_account or ir_customer_conf it belongs to */
    const void *via;   /* customers: the CSP account that assumes their role */
    ir_aws_cred_provider *provider;
} provider_slot;

/* A customer's data endpoint, once looked up. */
typedef struct endpoint_slot {
    const ir_customer_conf *cust;
    char *address;
} endpoint_slot;

struct ir_accounts {
    const ir_config *cfg;
    ir_aws_client *aws;
    pthread_mutex_t lock;
    provider_slot *slots;
    size_t n_slots;
    size_t cap_slots;
    ir_role_gates *gates;
    pthread_mutex_t endpoint_lock; /* held across a lookup: one per customer */
    endpoint_slot *endpoints;
    size_t n_endpoints;
};

ir_rc ir_accounts_new(const ir_config *cfg, ir_aws_client *aws, ir_accounts **out, ir_err *err)
{
    ir_accounts *a = calloc(1, sizeof(*a));

    if (a == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    if (ir_role_gates_new(&a->gates, err) != IR_OK) {
        free(a);
        return IR_ERR_NOMEM;
    }
    a->cfg = cfg;
    a->aws = aws;
    pthread_mutex_init(&a->lock, NULL);
    pthread_mutex_init(&a->endpoint_lock, NULL);
    *out = a;
    return IR_OK;
}

void ir_accounts_free(ir_accounts *a)
{
    size_t i;

    if (a == NULL)
        return;
    for (i = 0; i < a->n_slots; i++)
        ir_aws_cred_provider_free(a->slots[i].provider);
    free(a->slots);
    for (i = 0; i < a->n_endpoints; i++)
        free(a->endpoints[i].address);
    free(a->endpoints);
    ir_role_gates_free(a->gates);
    pthread_mutex_destroy(&a->endpoint_lock);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

static provider_slot *find_slot(ir_accounts *a, const void *owner, const void *via)
{
    size_t i;

    for (i = 0; i < a->n_slots; i++)
        if (a->slots[i].owner == owner && a->slots[i].via == via)
            return &a->slots[i];
    return NULL;
}

static ir_rc add_slot(ir_accounts *a, const void *owner, const void *via, ir_aws_cred_provider *p,
                      ir_err *err)
{
    provider_slot *grown;

    if (a->n_slots == a->cap_slots) {
        size_t ncap = a->cap_slots ? a->cap_slots * 2 : 8;

        grown = realloc(a->slots, ncap * sizeof(*grown));
        if (grown == NULL)
            return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
        a->slots = grown;
        a->cap_slots = ncap;
    }
    a->slots[a->n_slots].owner = owner;
    a->slots[a->n_slots].via = via;
    a->slots[a->n_slots].provider = p;
    a->n_slots++;
    return IR_OK;
}

static ir_rc csp_provider_locked(ir_accounts *a, const ir_csp_account *acct,
                                 ir_aws_cred_provider **out, ir_err *err)
{
    provider_slot *slot = find_slot(a, acct, NULL);
    ir_aws_cred_provider *p = NULL;
    ir_rc rc;

    if (slot != NULL) {
        *out = slot->provider;
        return IR_OK;
    }
    rc = ir_credref_provider(a->cfg, &acct->credentials, &p, err);
    if (rc != IR_OK)
        return ir_err_prefix(err, "credentials of CSP account %s: ", acct->name);
    rc = add_slot(a, acct, NULL, p, err);
    if (rc != IR_OK) {
        ir_aws_cred_provider_free(p);
        return rc;
    }
    *out = p;
    return IR_OK;
}

ir_rc ir_accounts_csp_target(ir_accounts *a, const ir_csp_account *acct, const char *region,
                             ir_aws_target *out, ir_err *err)
{
    ir_aws_cred_provider *p = NULL;
    ir_rc rc;

    pthread_mutex_lock(&a->lock);
    rc = csp_provider_locked(a, acct, &p, err);
    pthread_mutex_unlock(&a->lock);
    if (rc != IR_OK)
        return rc;
    memset(out, 0, sizeof(*out));
    out->region = region != NULL ? region : acct->region;
    out->creds = p;
    out->account_key = acct->account_id;
    out->endpoint = acct->endpoint;
    return IR_OK;
}

static ir_rc customer_role_provider(ir_accounts *a, const ir_customer_conf *cust,
                                    const ir_csp_account *via, ir_aws_cred_provider **out,
                                    ir_err *err)
{
    ir_aws_cred_provider *base = NULL;
    ir_assume_role_opts o;
    char session[64];
    ir_rc rc;

    rc = csp_provider_locked(a, via, &base, err);
    if (rc != IR_OK)
        return rc;
    /* The session name shows up in the customer's CloudTrail: say who we are. */
    snprintf(session, sizeof(session), "iotreg-%.40s", via->name);
    memset(&o, 0, sizeof(o));
    o.client = a->aws;
    o.source.region = cust->region;
    o.source.creds = base;
    o.source.account_key = via->account_id;
    o.source.endpoint = cust->endpoint != NULL ? cust->endpoint : via->endpoint;
    o.role_arn = cust->role_arn;
    o.external_id = cust->external_id;
    o.session_name = session;
    o.duration_seconds = a->cfg->daemon.assume_role_seconds;
    return ir_aws_cred_provider_assume_role(&o, out, err);
}

static ir_rc customer_provider_locked(ir_accounts *a, const ir_customer_conf *cust,
                                      const ir_csp_account *via, ir_aws_cred_provider **out,
                                      ir_err *err)
{
    provider_slot *slot = find_slot(a, cust, cust->has_credentials ? NULL : via);
    ir_aws_cred_provider *p = NULL;
    ir_rc rc;

    if (slot != NULL) {
        *out = slot->provider;
        return IR_OK;
    }
    if (cust->has_credentials)
        rc = ir_credref_provider(a->cfg, &cust->credentials, &p, err);
    else
        rc = customer_role_provider(a, cust, via, &p, err);
    if (rc != IR_OK)
        return ir_err_prefix(err, "credentials of customer %s: ", cust->id);
    rc = add_slot(a, cust, cust->has_credentials ? NULL : via, p, err);
    if (rc != IR_OK) {
        ir_aws_cred_provider_free(p);
        return rc;
    }
    *out = p;
    return IR_OK;
}

ir_rc ir_accounts_customer_target(ir_accounts *a, const ir_customer_conf *cust,
                                  const ir_csp_account *via, ir_aws_target *out, ir_err *err)
{
    ir_aws_cred_provider *p = NULL;
    ir_rc rc;

    pthread_mutex_lock(&a->lock);
    rc = customer_provider_locked(a, cust, via, &p, err);
    pthread_mutex_unlock(&a->lock);
    if (rc != IR_OK)
        return rc;
    memset(out, 0, sizeof(*out));
    out->region = cust->region;
    out->creds = p;
    out->account_key = cust->account_id;
    out->endpoint = cust->endpoint != NULL ? cust->endpoint : via->endpoint;
    return IR_OK;
}

static const char *known_endpoint(const ir_accounts *a, const ir_customer_conf *cust)
{
    size_t i;

    for (i = 0; i < a->n_endpoints; i++)
        if (a->endpoints[i].cust == cust)
            return a->endpoints[i].address;
    return NULL;
}

/* Remembers address (taken over, NULL on failure) for cust; a failure only
 * costs another lookup. */
static void remember_endpoint(ir_accounts *a, const ir_customer_conf *cust, char *address)
{
    endpoint_slot *grown;

    if (address == NULL)
        return;
    grown = realloc(a->endpoints, (a->n_endpoints + 1) * sizeof(*grown));
    if (grown == NULL) {
        free(address);
        return;
    }
    a->endpoints = grown;
    a->endpoints[a->n_endpoints].cust = cust;
    a->endpoints[a->n_endpoints].address = address;
    a->n_endpoints++;
}

static ir_rc lookup_endpoint(ir_accounts *a, const ir_customer_conf *cust,
                             const ir_csp_account *via, char **out, ir_aws_error *aerr, ir_err *err)
{
    ir_aws_target t;
    ir_rc rc = ir_accounts_customer_target(a, cust, via, &t, err);

    if (rc == IR_OK)
        rc = ir_iot_describe_endpoint(a->aws, &t, IR_IOT_ENDPOINT_DATA_ATS, out, aerr, err);
    if (rc != IR_OK) {
        ir_err_prefix(err, "data endpoint of customer %s (account %s, %s): ", cust->id,
                      cust->account_id, cust->region);
        return rc;
    }
    ir_log_info("customer %s: data endpoint %s", cust->id, *out);
    return IR_OK;
}

ir_rc ir_accounts_customer_endpoint(ir_accounts *a, const ir_customer_conf *cust,
                                    const ir_csp_account *via, char **out, ir_aws_error *aerr,
                                    ir_err *err)
{
    const char *known;
    char *found = NULL;
    ir_rc rc = IR_OK;

    *out = NULL;
    pthread_mutex_lock(&a->endpoint_lock);
    known = known_endpoint(a, cust);
    if (known == NULL) {
        rc = lookup_endpoint(a, cust, via, &found, aerr, err);
        if (rc == IR_OK)
            remember_endpoint(a, cust, strdup(found));
        known = found;
    }
    if (rc == IR_OK)
        *out = strdup(known);
    pthread_mutex_unlock(&a->endpoint_lock);
    free(found);
    if (rc == IR_OK && *out == NULL)
        rc = ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    return rc;
}

static ir_role_safety check_role(void *arg, const ir_customer_conf *cust, const ir_csp_account *via,
                                 ir_err *err)
{
    ir_accounts *a = arg;

    return ir_role_check(a, a->aws, cust, via, err);
}

ir_role_safety ir_accounts_role_gate(ir_accounts *a, const ir_customer_conf *cust,
                                     const ir_csp_account *via, int64_t interval_ms, ir_err *err)
{
    if (cust->has_credentials)
        return IR_ROLE_SAFE;
    return ir_role_gates_pass(a->gates, cust, via, interval_ms, check_role, a, err);
}
