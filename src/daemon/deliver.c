#include "autoconf.h"

#include "daemon/deliver.h"

#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/subca_certs.h"
#include "core/buf.h"
#include "core/pem.h"
#include "core/log.h"
#include "core/util.h"
#include "daemon/steps.h"

#define RETRY_BASE_MS 2000
#define RETRY_MAX_MS  (15 * 60 * 1000)

typedef struct step_def {
    const char *name;
    job_step_fn fn;
    bool needs_safe_role; /* acts in (or sends to) the customer's account */
} step_def;

static const step_def transfer_steps[] = {
    {IR_STEP_REGISTER, step_register, false},
    {IR_STEP_TRANSFER, step_transfer, true},
    {IR_STEP_ASSUME, step_assume, true},
    {IR_STEP_ACCEPT, step_accept, true},
    {IR_STEP_POLICY, step_policy, true},
    {IR_STEP_THING, step_thing, true},
    {NULL, NULL, false},
};

static const step_def without_ca_steps[] = {
    {IR_STEP_REGISTER, step_register_without_ca, true},
    {IR_STEP_POLICY, step_policy, true},
    {IR_STEP_THING, step_thing, true},
    {NULL, NULL, false},
};

static const step_def *find_step(const job *j, const char *name)
{
    const step_def *d =
        j->cust->delivery == IR_DELIVERY_TRANSFER ? transfer_steps : without_ca_steps;

    for (; d->name != NULL; d++)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

static ir_rc der_to_pem(const unsigned char *der, size_t len, char **out, ir_err *err)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);

    if (x == NULL)
        return ir_err_set(err, IR_ERR_PARSE, "the journal holds a certificate that does not parse");
    *out = ir_x509_to_pem(x);
    X509_free(x);
    return *out != NULL ? IR_OK
                        : ir_err_set(err, IR_ERR_CRYPTO, "cannot encode the certificate as PEM");
}

/* Finds what the entry refers to in the configuration; a reason to park otherwise. */
static ir_rc job_prepare(job *j, ir_err *err)
{
    const ir_config *cfg = j->ctx->cfg;
    const ir_journal_entry *e = j->e;
    ir_rc rc;

    j->cust = e->customer != NULL ? ir_config_customer(cfg, e->customer) : NULL;
    if (j->cust == NULL)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "customer '%s' is not in the configuration; add it, or assign the "
                          "certificate with iotregctl assign, then iotregctl retry",
                          e->customer != NULL ? e->customer : "(none)");
    j->subca = e->subca != NULL ? ir_config_subca(cfg, e->subca) : NULL;
    if (j->subca == NULL)
        return ir_err_set(err, IR_ERR_CONFIG, "SubCA '%s' is not in the configuration",
                          e->subca != NULL ? e->subca : "(none)");
    rc = ir_route_entry(cfg, j->subca, j->cust, e, &j->route, err);
    if (rc != IR_OK)
        return rc;
    j->csp = j->route.csp;
    rc = der_to_pem(e->der, e->der_len, &j->cert_pem, err);
    if (rc == IR_OK && j->cust->delivery == IR_DELIVERY_TRANSFER)
        rc = ir_subca_cert_pem(j->ctx->cfg, j->subca, &j->ca_pem, err);
    if (rc == IR_OK)
        rc = ir_accounts_csp_target(j->ctx->accounts, j->csp, j->route.region, &j->csp_target, err);
    return rc;
}

/* A new route is recorded before the first AWS call: from then on the
 * certificate is carried by that account, whatever the configuration adds. */
static ir_rc record_route(job *j, ir_err *err)
{
    ir_fact facts[2] = {{IR_FACT_CSP_ACCOUNT, j->route.csp->name},
                        {IR_FACT_REGION, j->route.region}};
    ir_step_outcome o = {0};
    char detail[IR_JOURNAL_NAME_MAX + 64];

    if (j->route.recorded)
        return IR_OK;
    snprintf(detail, sizeof(detail), "CSP account %s (%s), region %s", j->csp->name,
             j->csp->account_id, j->route.region);
    o.step = "route";
    o.result = "ok";
    o.detail = detail;
    o.next_step = j->e->step;
    o.facts = facts;
    o.n_facts = 2;
    return ir_journal_record_step(j->ctx->journal, j->e->cert_id, j->ctx->worker, &o, err);
}

static void job_release(job *j)
{
    free(j->cert_pem);
    free(j->ca_pem);
}

/* Full jitter over a capped exponential: the entry-level retry after the
 * transport's own retries gave up. */
static int64_t retry_delay_ms(int attempts)
{
    int64_t cap = RETRY_BASE_MS;
    uint32_t r = 0;
    int i;

    for (i = 0; i < attempts && cap < RETRY_MAX_MS; i++)
        cap *= 2;
    if (cap > RETRY_MAX_MS)
        cap = RETRY_MAX_MS;
    RAND_bytes((unsigned char *)&r, sizeof(r));
    return cap / 2 + (int64_t)(r % (uint32_t)(cap / 2 + 1));
}

static ir_rc record_next(job *j, const char *step, ir_err *err)
{
    ir_step_outcome o = {0};

    o.step = step;
    o.result = j->result;
    o.detail = j->detail[0] ? j->detail : NULL;
    o.next_step = j->next;
    o.facts = j->facts;
    o.n_facts = j->n_facts;
    return ir_journal_record_step(j->ctx->journal, j->e->cert_id, j->ctx->worker, &o, err);
}

static ir_rc record_park(job *j, const char *step, ir_err *err)
{
    ir_step_outcome o = {0};
    ir_rc rc;

    o.step = step;
    o.result = "parked";
    o.detail = j->detail;
    o.next_step = j->rewind != NULL ? j->rewind : step;
    rc = ir_journal_record_step(j->ctx->journal, j->e->cert_id, j->ctx->worker, &o, err);
    if (rc == IR_OK)
        rc = ir_journal_park(j->ctx->journal, j->e->cert_id, j->ctx->worker, j->detail, err);
    ir_log_warn("%s: parked at %s: %s", j->e->cert_id, step, j->detail);
    return rc;
}

static ir_rc record_retry(job *j, const char *step, ir_err *err)
{
    int64_t at = ir_realtime_ms() + retry_delay_ms(j->e->attempts);
    ir_step_outcome o = {0};
    ir_rc rc;

    if (j->rewind != NULL) {
        /* The retry starts over from an earlier step. */
        o.step = step;
        o.result = "rewind";
        o.detail = j->detail;
        o.next_step = j->rewind;
        rc = ir_journal_record_step(j->ctx->journal, j->e->cert_id, j->ctx->worker, &o, err);
        if (rc != IR_OK)
            return rc;
    }
    ir_log_info("%s: %s will be retried: %s", j->e->cert_id, step, j->detail);
    return ir_journal_schedule_retry(j->ctx->journal, j->e->cert_id, j->ctx->worker, at, j->detail,
                                     err);
}

/* With the last step: the customer's data endpoint, where its devices
 * connect (looked up once per customer, creds/accounts.h). A failed lookup
 * does not hold the delivery up: it is tried again with the next entry. */
static void job_note_endpoint(job *j)
{
    char *addr = NULL;
    ir_err err = {0};
    ir_rc rc = IR_ERR_PERMISSION;

    if (j->role_checked)
        rc = job_customer_target(j, &err);
    if (rc == IR_OK)
        rc = ir_accounts_customer_endpoint(j->ctx->accounts, j->cust, j->csp, &addr, NULL, &err);
    if (rc == IR_OK)
        job_fact(j, IR_FACT_ENDPOINT, addr);
    else
        ir_log_warn("%s: delivered without its data endpoint, tried again with the next "
                    "certificate of customer %s: %s",
                    j->e->cert_id, j->cust->id, j->role_checked ? err.msg : "role not checked");
    free(addr);
}

/* The entry left this worker's hands with outcome (when the journal
 * recorded it): counted, and for a delivery its time from capture. */
static ir_rc left(job *j, const char *outcome, ir_rc rc)
{
    ir_dmetrics *dm = j->ctx->metrics;
    const char *customer = j->cust != NULL ? j->cust->id : NULL;

    if (rc != IR_OK)
        return rc;
    ir_dmetrics_delivery(dm, customer, outcome);
    if (strcmp(outcome, "delivered") == 0 && j->e->created_ms > 0)
        ir_dmetrics_delivered_after(dm, customer,
                                    (double)(ir_realtime_ms() - j->e->created_ms) / 1000.0);
    return rc;
}

/* Runs one step (behind the role gate when it needs one) and times it. */
static job_verdict run_step(job *j, const step_def *def)
{
    static const char *const verdicts[] = {"next", "retry", "park"};
    int64_t start = ir_monotonic_ms();
    job_verdict v;

    job_outcome_reset(j);
    /* An unsafe role is never used, and nothing is sent to its
     * account: the check comes before the transfer. */
    v = def->needs_safe_role ? job_role_gate(j) : JOB_NEXT;
    if (v == JOB_NEXT)
        v = def->fn(j);
    ir_dmetrics_step(j->ctx->metrics, def->name, verdicts[v],
                     (double)(ir_monotonic_ms() - start) / 1000.0);
    return v;
}

/* Runs steps from the entry's current one; returns when the entry leaves
 * this worker's hands. */
static ir_rc run_steps(job *j, ir_err *err)
{
    char step[IR_STEP_NAME_MAX + 1];
    const step_def *def;
    job_verdict v;
    ir_rc rc;

    ir_strlcpy(step, j->e->step, sizeof(step));
    for (;;) {
        if (strcmp(step, IR_STEP_DONE) == 0)
            return left(
                j, "delivered",
                ir_journal_finish(j->ctx->journal, j->e->cert_id, j->ctx->worker, NULL, err));
        if (atomic_load(j->ctx->stop))
            return left(j, "released",
                        ir_journal_release(j->ctx->journal, j->e->cert_id, j->ctx->worker, err));
        if (j->ctx->still_ours != NULL &&
            !j->ctx->still_ours(j->ctx->still_ours_ctx, j->e->cert_id)) {
            /* Its lease may be another worker's by now: no AWS call for it
             * from here; whoever claims it resumes at this step. */
            ir_log_warn("%s: stopped before %s: its lease may have run out (not renewed in time)",
                        j->e->cert_id, step);
            return left(j, "released", IR_OK);
        }
        def = find_step(j, step);
        if (def == NULL) {
            job_park(j, "unknown step '%s' for %s delivery", step,
                     j->cust->delivery == IR_DELIVERY_TRANSFER ? "transfer"
                                                               : "register-without-ca");
            return left(j, "parked", record_park(j, step, err));
        }
        v = run_step(j, def);
        if (v == JOB_PARK)
            return left(j, "parked", record_park(j, step, err));
        if (v == JOB_RETRY)
            return left(j, "retry", record_retry(j, step, err));
        if (strcmp(j->next, IR_STEP_DONE) == 0)
            job_note_endpoint(j);
        rc = record_next(j, step, err);
        if (rc != IR_OK)
            return rc;
        ir_log_debug("%s: %s %s -> %s", j->e->cert_id, step, j->result, j->next);
        ir_strlcpy(step, j->next, sizeof(step));
    }
}

ir_rc ir_deliver(ir_deliver_ctx *ctx, const ir_journal_entry *e, ir_err *err)
{
    job j;
    ir_err perr = {0};
    ir_rc rc;

    job_init(&j, ctx, e);
    rc = job_prepare(&j, &perr);
    if (rc != IR_OK) {
        snprintf(j.detail, sizeof(j.detail), "%s", perr.msg);
        if (j.cust == NULL || perr.rc == IR_ERR_CONFIG || perr.rc == IR_ERR_PARSE)
            rc = left(&j, "parked",
                      ir_journal_park(ctx->journal, e->cert_id, ctx->worker, j.detail, err));
        else
            rc = left(&j, "retry", record_retry(&j, e->step, err));
        ir_log_warn("%s: %s", e->cert_id, perr.msg);
        job_release(&j);
        return rc;
    }
    rc = record_route(&j, err);
    if (rc == IR_OK)
        rc = run_steps(&j, err);
    if (rc == IR_ERR_STATE) {
        /* Someone else holds the entry now (an operator parked it, or our
         * lease ran out): leave it to them. */
        ir_log_warn("%s: no longer ours: %s", e->cert_id, err->msg);
        rc = IR_OK;
    }
    job_release(&j);
    return rc;
}
