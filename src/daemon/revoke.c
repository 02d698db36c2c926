/* Revocation: sets the certificate REVOKED wherever it is now: the
 * customer's account once delivered, the CSP's before (a pending transfer is
 * cancelled first). */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "aws/iot/iot.h"
#include "core/log.h"
#include "core/util.h"
#include "daemon/job.h"
#include "daemon/revoke.h"

typedef enum where {
    WHERE_NOWHERE = 0,
    WHERE_DONE,  /* revoked */
    WHERE_OTHER, /* a failure: j's outcome says what to do */
} where;

/* Whether the certificate may be in the customer's account: from acceptance
 * on (acceptance itself may have happened before a crash). */
static bool reached_customer(const ir_journal_entry *e, const ir_customer_conf *cust)
{
    if (cust == NULL)
        return false;
    if (cust->delivery == IR_DELIVERY_REGISTER_WITHOUT_CA)
        return true;
    return strcmp(e->step, IR_STEP_REGISTER) != 0 && strcmp(e->step, IR_STEP_TRANSFER) != 0 &&
           strcmp(e->step, IR_STEP_ASSUME) != 0;
}

static where revoke_in(job *j, const ir_aws_target *t, const char *account, job_verdict *v)
{
    ir_aws_error aerr = {0};
    ir_err err = {0};
    ir_rc rc;

    rc = ir_iot_update_certificate(j->ctx->aws, t, j->aws_id, IR_IOT_STATUS_REVOKED, &aerr, &err);
    if (rc == IR_OK) {
        job_next(j, "ok", IR_STEP_DONE, "REVOKED in %s", account);
        return WHERE_DONE;
    }
    if (rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "ResourceNotFoundException"))
        return WHERE_NOWHERE;
    *v = job_aws_failure(j, "UpdateCertificate REVOKED", rc, &aerr, &err);
    return WHERE_OTHER;
}

static where revoke_at_csp(job *j, job_verdict *v)
{
    ir_iot_cert_desc d = {0};
    ir_aws_error aerr = {0};
    ir_err err = {0};
    bool pending;
    ir_rc rc;

    rc = job_describe(j, &j->csp_target, &d, &aerr, &err);
    if (rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "ResourceNotFoundException"))
        return WHERE_NOWHERE;
    if (rc != IR_OK) {
        *v = job_aws_failure(j, "DescribeCertificate (CSP)", rc, &aerr, &err);
        return WHERE_OTHER;
    }
    pending = d.status == IR_IOT_STATUS_PENDING_TRANSFER;
    ir_iot_cert_desc_free(&d);
    if (pending) {
        rc =
            ir_iot_cancel_certificate_transfer(j->ctx->aws, &j->csp_target, j->aws_id, &aerr, &err);
        if (rc != IR_OK &&
            !(rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "TransferAlreadyCompletedException"))) {
            *v = job_aws_failure(j, "CancelCertificateTransfer", rc, &aerr, &err);
            return WHERE_OTHER;
        }
    }
    return revoke_in(j, &j->csp_target, j->csp->account_id, v);
}

static job_verdict revoke_everywhere(job *j)
{
    job_verdict v = JOB_NEXT;
    where w = WHERE_NOWHERE;

    if (reached_customer(j->e, j->cust)) {
        /* STS could not answer (the role check or AssumeRole): try again. */
        v = job_use_customer(j);
        if (v != JOB_NEXT)
            return v;
        w = revoke_in(j, &j->cust_target, j->cust->account_id, &v);
    }
    if (w == WHERE_NOWHERE && (j->cust == NULL || j->cust->delivery == IR_DELIVERY_TRANSFER))
        w = revoke_at_csp(j, &v);
    if (w == WHERE_OTHER)
        return v;
    if (w == WHERE_NOWHERE)
        job_next(j, "nothing", IR_STEP_DONE, "not registered in AWS: nothing to revoke");
    return JOB_NEXT;
}

static ir_rc prepare(job *j, ir_err *err)
{
    const ir_config *cfg = j->ctx->cfg;
    ir_rc rc;

    j->cust = j->e->customer != NULL ? ir_config_customer(cfg, j->e->customer) : NULL;
    j->subca = j->e->subca != NULL ? ir_config_subca(cfg, j->e->subca) : NULL;
    if (j->subca == NULL)
        return ir_err_set(err, IR_ERR_CONFIG, "SubCA '%s' is not in the configuration",
                          j->e->subca != NULL ? j->e->subca : "(none)");
    rc = ir_route_entry(cfg, j->subca, j->cust, j->e, &j->route, err);
    if (rc != IR_OK)
        return rc;
    j->csp = j->route.csp;
    return ir_accounts_csp_target(j->ctx->accounts, j->csp, j->route.region, &j->csp_target, err);
}

ir_rc ir_revoke(ir_deliver_ctx *ctx, const ir_journal_entry *e, ir_err *err)
{
    job j;
    ir_err perr = {0};
    const char *outcome;
    job_verdict v;
    ir_rc rc;

    job_init(&j, ctx, e);
    if (prepare(&j, &perr) != IR_OK) {
        rc = ir_journal_park(ctx->journal, e->cert_id, ctx->worker, perr.msg, err);
        if (rc == IR_OK)
            ir_dmetrics_revocation(ctx->metrics, "parked");
        return rc;
    }
    v = revoke_everywhere(&j);
    if (v == JOB_PARK) {
        ir_log_warn("%s: revocation parked: %s", e->cert_id, j.detail);
        rc = ir_journal_park(ctx->journal, e->cert_id, ctx->worker, j.detail, err);
        outcome = "parked";
    } else if (v == JOB_RETRY) {
        rc = ir_journal_schedule_retry(ctx->journal, e->cert_id, ctx->worker,
                                       ir_realtime_ms() + 5000, j.detail, err);
        outcome = "retry";
    } else {
        ir_log_info("%s: %s", e->cert_id, j.detail);
        rc = ir_journal_finish(ctx->journal, e->cert_id, ctx->worker, j.detail, err);
        outcome = "revoked";
    }
    if (rc == IR_OK)
        ir_dmetrics_revocation(ctx->metrics, outcome);
    if (rc == IR_ERR_STATE)
        rc = IR_OK;
    return rc;
}
