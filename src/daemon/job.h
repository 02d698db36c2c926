/* One entry's delivery or revocation in progress, and the helpers every
 * step uses (job.c): the outcome of a step, the verdict for a failed AWS
 * call, facts to record, the customer's target behind its role check. */
#ifndef IOTREG_DAEMON_JOB_H
#define IOTREG_DAEMON_JOB_H

#include <stdbool.h>

#include "app/route.h"
#include "aws/iot/iot.h"
#include "daemon/deliver_ctx.h"

#define JOB_MAX_FACTS 4
#define JOB_TEXT_MAX  1024
#define JOB_ARN_MAX   256

typedef enum job_verdict {
    JOB_NEXT = 0, /* the step succeeded: record it, go on with job->next */
    JOB_RETRY,    /* a retryable failure: try this step again later */
    JOB_PARK,     /* a final failure: an operator must act */
} job_verdict;

typedef struct job {
    ir_deliver_ctx *ctx;
    const ir_journal_entry *e;
    const ir_customer_conf *cust;
    const ir_subca_conf *subca;
    const ir_csp_account *csp; /* route.csp: the account that carries the certificate */
    ir_route route;
    char *cert_pem;
    char *ca_pem;
    /* What AWS calls the certificate, as AWS said it (recorded as facts by
     * the step that learned it, so a restart has it too): its certificateId
     * (before registration, and for entries registered before ids were
     * recorded, the SHA-256 AWS's documentation says it is) and its ARN in
     * the customer's account ("" until known). Never built by iotreg. */
    char aws_id[JOB_ARN_MAX];
    char cert_arn[JOB_ARN_MAX];
    ir_aws_target csp_target;
    ir_aws_target cust_target;
    bool have_cust_target;
    bool role_checked; /* the customer's role passed the ExternalId check */

    /* The outcome of the step that just ran. */
    const char *result;
    const char *next;
    const char *rewind; /* JOB_PARK: the step a retry starts over from (NULL: this one) */
    char detail[JOB_TEXT_MAX];
    ir_fact facts[JOB_MAX_FACTS];
    size_t n_facts;
    char fact_values[JOB_MAX_FACTS][JOB_ARN_MAX];
} job;

/* A job for the claimed entry e, with what earlier steps learned from AWS;
 * nothing looked up yet. */
void job_init(job *j, ir_deliver_ctx *ctx, const ir_journal_entry *e);
/* Forgets the outcome of the step before. */
void job_outcome_reset(job *j);

/* Outcome helpers: each fills j's outcome and returns the verdict.
 * job_next(j, result, next, fmt, ...): done, go on with step next;
 * job_park(j, fmt, ...) and job_retry(j, fmt, ...): the reason. */
job_verdict job_outcome(job *j, job_verdict v, const char *result, const char *next,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define job_next(j, result, next, ...) job_outcome((j), JOB_NEXT, (result), (next), __VA_ARGS__)
#define job_park(j, ...)               job_outcome((j), JOB_PARK, "parked", NULL, __VA_ARGS__)
#define job_retry(j, ...)              job_outcome((j), JOB_RETRY, "retry", NULL, __VA_ARGS__)

/* The verdict for a failed AWS call: retryable errors retry, final ones park. */
job_verdict job_aws_failure(job *j, const char *what, ir_rc rc, const ir_aws_error *aerr,
                            const ir_err *err);
/* A fact recorded with the step's outcome (at most JOB_MAX_FACTS a step). */
void job_fact(job *j, const char *key, const char *value);
/* The certificateId AWS gave at registration (NULL: none given): used from
 * now on, recorded with the step; a warning when it is not the SHA-256. */
void job_learn_id(job *j, const char *aws_id);
/* The ARN AWS gave (NULL: none) under fact key (IR_FACT_CSP_CERT_ARN or
 * IR_FACT_CERT_ARN, which is also used from now on), recorded with the step. */
void job_learn_arn(job *j, const char *key, const char *arn);
/* DescribeCertificate of this certificate (AWS's id) through t. */
ir_rc job_describe(job *j, const ir_aws_target *t, ir_iot_cert_desc *d, ir_aws_error *aerr,
                   ir_err *err);
/* After ResourceAlreadyExists on registration: the step is done when the
 * certificate sits in account (reached through t), whose ARN there is
 * recorded under arn_key; parked otherwise. */
job_verdict job_registered_in(job *j, const ir_aws_target *t, const char *account, const char *next,
                              const char *arn_key);
/* JOB_NEXT with j->cert_arn known: recorded by an earlier step, else asked
 * of AWS (DescribeCertificate in the customer's account) and recorded now. */
job_verdict job_need_arn(job *j);

/* The confused-deputy check of the customer's role before it is used:
 * JOB_NEXT when safe, JOB_PARK with the reason and the fix when it can be
 * assumed without the ExternalId, JOB_RETRY when STS could not tell.
 * Customers with an access key pass. */
job_verdict job_role_gate(job *j);
/* The customer's target, resolved on first use (it may assume a role).
 * A role must first pass the ExternalId check (creds/role_check.h): when it
 * does not, the error is IR_ERR_PERMISSION (unsafe) or IR_ERR_BUSY (try
 * again) with the reason in err. */
ir_rc job_customer_target(job *j, ir_err *err);
/* The same as a verdict for a step that acts in the customer's account:
 * JOB_NEXT with j->cust_target ready, JOB_RETRY when STS or the network
 * could not answer, JOB_PARK otherwise. */
job_verdict job_use_customer(job *j);
/* The verdict when the customer's target or its credentials failed with rc. */
job_verdict job_customer_failure(job *j, ir_rc rc, const ir_err *err);

/* Crash fault injection (debug builds): dies with SIGKILL when
 * IOTREG_CRASH_AT names this point, after an AWS call and before its record. */
void job_fault_point(const char *point);

#endif
