#include "autoconf.h"

#include "creds/role_check.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sts/sts.h"
#include "capture/attribution.h"
#include "creds/accounts.h"
#include "core/log.h"
#include "core/util.h"

/* Shows in the customer's CloudTrail next to iotreg's delivery sessions. */
#define ROLE_CHECK_SESSION "iotreg-role-check"

void ir_role_unsafe_reason(const ir_customer_conf *cust, const ir_csp_account *via, char *buf,
                           size_t len)
{
    snprintf(buf, len,
             "unsafe role: customer %s's role %s can be assumed WITHOUT the ExternalId (tried "
             "from CSP account %s), so anyone its trust policy trusts can use it: the confused "
             "deputy problem (AWS IAM User Guide, \"The confused deputy problem\"); iotreg does "
             "not use it. Fix: add to the role's trust policy the condition \"Condition\": "
             "{\"StringEquals\": {\"sts:ExternalId\": \"%s\"}}, then run iotregctl retry "
             "--parked --customer %s",
             cust->id, cust->role_arn, via->account_id,
             cust->external_id != NULL ? cust->external_id : "EXTERNAL-ID", cust->id);
}

static ir_role_safety classify(const ir_customer_conf *cust, const ir_csp_account *via, ir_rc rc,
                               const ir_aws_error *aerr, ir_err *err)
{
    if (rc == IR_OK) {
        ir_err_set(err, IR_ERR_PERMISSION, "unsafe role");
        if (err != NULL)
            ir_role_unsafe_reason(cust, via, err->msg, sizeof(err->msg));
        return IR_ROLE_UNSAFE;
    }
    if (rc == IR_ERR_AWS && ir_aws_error_is(aerr, "AccessDenied"))
        return IR_ROLE_SAFE;
    if (rc == IR_ERR_AWS && aerr->retryable) {
        ir_err_set(err, IR_ERR_BUSY, "STS: %s: %s", aerr->type, aerr->message);
        return IR_ROLE_INCONCLUSIVE;
    }
    if (rc == IR_ERR_NETWORK || rc == IR_ERR_TIMEOUT || rc == IR_ERR_BUSY)
        return IR_ROLE_INCONCLUSIVE;
    if (rc == IR_ERR_AWS)
        ir_err_set(err, IR_ERR_AWS, "STS answered %s (HTTP %ld): %s", aerr->type, aerr->http_status,
                   aerr->message);
    return IR_ROLE_UNCHECKED;
}

ir_role_safety ir_role_check(ir_accounts *a, ir_aws_client *aws, const ir_customer_conf *cust,
                             const ir_csp_account *via, ir_err *err)
{
    ir_sts_assume_role_args args = {0};
    ir_sts_credentials sc = {0};
    ir_aws_error aerr = {0};
    ir_aws_target t;
    ir_role_safety s;
    ir_rc rc;

    if (cust->role_arn == NULL)
        return IR_ROLE_SAFE;
    rc = ir_accounts_csp_target(a, via, cust->region, &t, err);
    if (rc == IR_OK) {
        if (cust->endpoint != NULL)
            t.endpoint = cust->endpoint;
        args.role_arn = cust->role_arn;
        args.role_session_name = ROLE_CHECK_SESSION;
        args.external_id = NULL; /* the point of the check */
        args.duration_seconds = IR_STS_MIN_DURATION_S;
        rc = ir_sts_assume_role(aws, &t, &args, &sc, &aerr, err);
    }
    /* Credentials an unsafe role gave us are never used. */
    ir_sts_credentials_free(&sc);
    s = classify(cust, via, rc, &aerr, err);
    if (s != IR_ROLE_SAFE && s != IR_ROLE_UNSAFE)
        ir_err_prefix(
            err, "checking that %s refuses AssumeRole without its ExternalId: ", cust->role_arn);
    return s;
}

/* ---- which CSP accounts deliver for a customer ---- */

static bool rule_admits_subca(const ir_rule *r, const char *subca)
{
    size_t i;

    for (i = 0; i < r->n_matches; i++)
        if (r->matches[i].field == IR_MATCH_SUBCA && !ir_match_value(&r->matches[i], subca))
            return false;
    return true;
}

static bool customer_served_by(const ir_config *cfg, const ir_customer_conf *cust,
                               const ir_subca_conf *subca)
{
    bool has_rule = false;
    size_t i;

    for (i = 0; i < cfg->n_rules; i++) {
        if (strcmp(cfg->rules[i].customer, cust->id) != 0)
            continue;
        has_rule = true;
        if (rule_admits_subca(&cfg->rules[i], subca->name))
            return true;
    }
    return !has_rule;
}

size_t ir_role_delivering_accounts(const ir_config *cfg, const ir_customer_conf *cust,
                                   const ir_csp_account **out, size_t max)
{
    const ir_subca_conf *s;
    const ir_csp_account *acct;
    size_t i, a, k, n = 0;

    for (i = 0; i < cfg->n_subcas && n < max; i++) {
        s = &cfg->subcas[i];
        if (!customer_served_by(cfg, cust, s))
            continue;
        for (a = 0; a < s->n_csp_accounts && n < max; a++) {
            acct = ir_config_csp_account(cfg, s->csp_accounts[a]);
            if (acct == NULL || !ir_csp_account_serves(acct, cust->region))
                continue;
            for (k = 0; k < n && out[k] != acct; k++)
                ;
            if (k == n)
                out[n++] = acct;
        }
    }
    return n;
}

/* ---- the daemon's gates ---- */

typedef struct role_gate {
    const ir_customer_conf *cust;
    const ir_csp_account *via;
    bool passed;         /* the last conclusive check found the role safe */
    int64_t passed_ms;   /* monotonic: when that check started */
    bool checking;       /* a thread is checking now; others wait for it */
    unsigned long done;  /* checks finished */
    ir_role_safety last; /* the verdict of the last check, and its message */
    ir_err last_err;
} role_gate;

struct ir_role_gates {
    pthread_mutex_t lock;
    pthread_cond_t finished;
    role_gate **items;
    size_t n, cap;
};

ir_rc ir_role_gates_new(ir_role_gates **out, ir_err *err)
{
    ir_role_gates *g = calloc(1, sizeof(*g));

    if (g == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->finished, NULL);
    *out = g;
    return IR_OK;
}

void ir_role_gates_free(ir_role_gates *g)
{
    size_t i;

    if (g == NULL)
        return;
    for (i = 0; i < g->n; i++)
        free(g->items[i]);
    free(g->items);
    pthread_cond_destroy(&g->finished);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

static role_gate *gate_locked(ir_role_gates *g, const ir_customer_conf *cust,
                              const ir_csp_account *via)
{
    role_gate **grown, *gate;
    size_t i;

    for (i = 0; i < g->n; i++)
        if (g->items[i]->cust == cust && g->items[i]->via == via)
            return g->items[i];
    if (g->n == g->cap) {
        size_t ncap = g->cap ? g->cap * 2 : 8;

        grown = realloc(g->items, ncap * sizeof(*grown));
        if (grown == NULL)
            return NULL;
        g->items = grown;
        g->cap = ncap;
    }
    gate = calloc(1, sizeof(*gate));
    if (gate == NULL)
        return NULL;
    gate->cust = cust;
    gate->via = via;
    g->items[g->n++] = gate;
    return gate;
}

static ir_role_safety adopt(const role_gate *gate, ir_err *err)
{
    if (err != NULL && gate->last != IR_ROLE_SAFE)
        *err = gate->last_err;
    return gate->last;
}

/* Runs the check with the lock released and records its verdict. */
static ir_role_safety check_now(ir_role_gates *g, role_gate *gate, ir_role_check_fn check,
                                void *arg, ir_err *err)
{
    int64_t started = ir_monotonic_ms();
    ir_err e = {0};
    ir_role_safety s;

    gate->checking = true;
    pthread_mutex_unlock(&g->lock);
    s = check(arg, gate->cust, gate->via, &e);
    pthread_mutex_lock(&g->lock);
    gate->checking = false;
    gate->done++;
    gate->last = s;
    gate->last_err = e;
    if (s == IR_ROLE_SAFE || s == IR_ROLE_UNSAFE) {
        gate->passed = s == IR_ROLE_SAFE;
        gate->passed_ms = started;
    }
    pthread_cond_broadcast(&g->finished);
    /* An unsafe verdict is logged with every entry it parks. */
    if (s == IR_ROLE_SAFE)
        ir_log_info("customer %s's role %s refuses AssumeRole without its ExternalId (from %s)",
                    gate->cust->id, gate->cust->role_arn, gate->via->account_id);
    return adopt(gate, err);
}

ir_role_safety ir_role_gates_pass(ir_role_gates *g, const ir_customer_conf *cust,
                                  const ir_csp_account *via, int64_t interval_ms,
                                  ir_role_check_fn check, void *arg, ir_err *err)
{
    ir_role_safety s;
    role_gate *gate;
    unsigned long seen;

    if (cust->role_arn == NULL)
        return IR_ROLE_SAFE;
    pthread_mutex_lock(&g->lock);
    gate = gate_locked(g, cust, via);
    if (gate == NULL) {
        pthread_mutex_unlock(&g->lock);
        ir_err_set(err, IR_ERR_NOMEM, "out of memory");
        return IR_ROLE_UNCHECKED;
    }
    if (gate->passed && ir_monotonic_ms() - gate->passed_ms < interval_ms) {
        s = IR_ROLE_SAFE;
    } else if (gate->checking) {
        seen = gate->done;
        while (gate->checking && gate->done == seen)
            pthread_cond_wait(&g->finished, &g->lock);
        s = adopt(gate, err);
    } else {
        s = check_now(g, gate, check, arg, err);
    }
    pthread_mutex_unlock(&g->lock);
    return s;
}
