/* The helpers every step of delivery and revocation uses. */
#include "autoconf.h"

#include "daemon/job.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "creds/role_check.h"

void job_init(job *j, ir_deliver_ctx *ctx, const ir_journal_entry *e)
{
    const char *id = ir_journal_entry_fact(e, IR_FACT_AWS_CERT_ID);
    const char *arn = ir_journal_entry_fact(e, IR_FACT_CERT_ARN);

    memset(j, 0, sizeof(*j));
    j->ctx = ctx;
    j->e = e;
    ir_strlcpy(j->aws_id, id != NULL ? id : e->cert_id, sizeof(j->aws_id));
    ir_strlcpy(j->cert_arn, arn != NULL ? arn : "", sizeof(j->cert_arn));
}

void job_outcome_reset(job *j)
{
    j->result = NULL;
    j->next = NULL;
    j->rewind = NULL;
    j->detail[0] = '\0';
    j->n_facts = 0;
}

job_verdict job_outcome(job *j, job_verdict v, const char *result, const char *next,
                        const char *fmt, ...)
{
    va_list ap;

    j->result = result;
    j->next = next;
    va_start(ap, fmt);
    vsnprintf(j->detail, sizeof(j->detail), fmt, ap);
    va_end(ap);
    return v;
}

job_verdict job_aws_failure(job *j, const char *what, ir_rc rc, const ir_aws_error *aerr,
                            const ir_err *err)
{
    if (rc == IR_ERR_AWS && aerr->retryable)
        return job_retry(j, "%s: %s: %s", what, aerr->type, aerr->message);
    if (rc == IR_ERR_AWS)
        return job_park(j, "%s: %s (HTTP %ld): %s", what, aerr->type, aerr->http_status,
                        aerr->message);
    if (rc == IR_ERR_NETWORK || rc == IR_ERR_TIMEOUT || rc == IR_ERR_BUSY)
        return job_retry(j, "%s: %s", what, err->msg);
    return job_park(j, "%s: %s", what, err->msg);
}

void job_fact(job *j, const char *key, const char *value)
{
    size_t i = j->n_facts;

    if (i >= JOB_MAX_FACTS)
        return;
    ir_strlcpy(j->fact_values[i], value, sizeof(j->fact_values[i]));
    j->facts[i].key = key;
    j->facts[i].value = j->fact_values[i];
    j->n_facts++;
}

void job_learn_id(job *j, const char *aws_id)
{
    if (aws_id == NULL || aws_id[0] == '\0')
        return;
    if (strcmp(aws_id, j->e->cert_id) != 0 && strcmp(aws_id, j->aws_id) != 0)
        ir_log_warn("%s: AWS gives the certificate the id %s, not its SHA-256; iotreg uses "
                    "AWS's",
                    j->e->cert_id, aws_id);
    ir_strlcpy(j->aws_id, aws_id, sizeof(j->aws_id));
    job_fact(j, IR_FACT_AWS_CERT_ID, aws_id);
}

void job_learn_arn(job *j, const char *key, const char *arn)
{
    if (arn == NULL || arn[0] == '\0')
        return;
    if (strcmp(key, IR_FACT_CERT_ARN) == 0)
        ir_strlcpy(j->cert_arn, arn, sizeof(j->cert_arn));
    job_fact(j, key, arn);
}

ir_rc job_describe(job *j, const ir_aws_target *t, ir_iot_cert_desc *d, ir_aws_error *aerr,
                   ir_err *err)
{
    return ir_iot_describe_certificate(j->ctx->aws, t, j->aws_id, d, aerr, err);
}

job_verdict job_registered_in(job *j, const ir_aws_target *t, const char *account, const char *next,
                              const char *arn_key)
{
    ir_iot_cert_desc d = {0};
    ir_aws_error aerr = {0};
    ir_err err = {0};
    job_verdict v;
    ir_rc rc;

    rc = job_describe(j, t, &d, &aerr, &err);
    if (rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "ResourceNotFoundException"))
        return job_park(j,
                        "the certificate is already registered in another AWS account than "
                        "%s; iotreg will not take it over",
                        account);
    if (rc != IR_OK)
        return job_aws_failure(j, "DescribeCertificate", rc, &aerr, &err);
    if (d.owned_by != NULL && strcmp(d.owned_by, account) != 0) {
        v = job_park(j, "the certificate is owned by account %s, not %s", d.owned_by, account);
    } else {
        job_learn_arn(j, arn_key, d.certificate_arn);
        v = job_next(j, "exists", next, "already registered in %s (%s)", account,
                     ir_iot_cert_status_name(d.status));
    }
    ir_iot_cert_desc_free(&d);
    return v;
}

job_verdict job_need_arn(job *j)
{
    ir_iot_cert_desc d = {0};
    ir_aws_error aerr = {0};
    ir_err err = {0};
    ir_rc rc;

    if (j->cert_arn[0] != '\0')
        return JOB_NEXT;
    rc = job_describe(j, &j->cust_target, &d, &aerr, &err);
    if (rc == IR_OK)
        job_learn_arn(j, IR_FACT_CERT_ARN, d.certificate_arn);
    ir_iot_cert_desc_free(&d);
    if (rc != IR_OK)
        return job_aws_failure(j, "DescribeCertificate", rc, &aerr, &err);
    if (j->cert_arn[0] == '\0')
        return job_park(j, "DescribeCertificate in account %s gives the certificate no ARN",
                        j->cust->account_id);
    return JOB_NEXT;
}

job_verdict job_role_gate(job *j)
{
    int64_t interval_ms = (int64_t)j->ctx->cfg->daemon.role_check_seconds * 1000;
    char reason[JOB_TEXT_MAX];
    ir_err err = {0};

    if (j->role_checked)
        return JOB_NEXT;
    switch (ir_accounts_role_gate(j->ctx->accounts, j->cust, j->csp, interval_ms, &err)) {
    case IR_ROLE_SAFE:
        j->role_checked = true;
        return JOB_NEXT;
    case IR_ROLE_UNSAFE:
        /* Not err.msg: the full reason may be longer than an ir_err holds. */
        ir_role_unsafe_reason(j->cust, j->csp, reason, sizeof(reason));
        return job_park(j, "%s", reason);
    case IR_ROLE_INCONCLUSIVE:
        return job_retry(j, "%s", err.msg);
    case IR_ROLE_UNCHECKED:
        break;
    }
    return job_park(j, "customer %s's role cannot be used until it passes the check: %s",
                    j->cust->id, err.msg);
}

ir_rc job_customer_target(job *j, ir_err *err)
{
    job_verdict v;
    ir_rc rc;

    if (j->have_cust_target)
        return IR_OK;
    v = job_role_gate(j);
    if (v != JOB_NEXT)
        return ir_err_set(err, v == JOB_RETRY ? IR_ERR_BUSY : IR_ERR_PERMISSION, "%s", j->detail);
    rc = ir_accounts_customer_target(j->ctx->accounts, j->cust, j->csp, &j->cust_target, err);
    if (rc == IR_OK)
        j->have_cust_target = true;
    return rc;
}

job_verdict job_customer_failure(job *j, ir_rc rc, const ir_err *err)
{
    if (rc == IR_ERR_NETWORK || rc == IR_ERR_TIMEOUT || rc == IR_ERR_BUSY)
        return job_retry(j, "credentials of customer %s: %s", j->cust->id, err->msg);
    return job_park(j, "cannot act in customer %s's account %s: %s", j->cust->id,
                    j->cust->account_id, err->msg);
}

job_verdict job_use_customer(job *j)
{
    ir_err err = {0};
    ir_rc rc = job_customer_target(j, &err);

    return rc == IR_OK ? JOB_NEXT : job_customer_failure(j, rc, &err);
}

void job_fault_point(const char *point)
{
#ifdef IR_FAULT_INJECTION
    const char *at = getenv("IOTREG_CRASH_AT");

    if (at != NULL && strcmp(at, point) == 0) {
        ir_log_warn("fault injection: dying at %s", point);
        raise(SIGKILL);
    }
#else
    (void)point;
#endif
}
