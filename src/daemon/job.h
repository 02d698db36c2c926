/* One entry's delivery in progress, shared by the step implementations. */
#ifndef IOTREG_DAEMON_JOB_H
#define IOTREG_DAEMON_JOB_H

#include <stdbool.h>

#include "aws/iot/iot.h"
#include "daemon/deliver.h"

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
    const ir_csp_account *csp;
    char *cert_pem;
    char *ca_pem;
    char cert_arn[JOB_ARN_MAX]; /* the certificate's ARN in the customer's account */
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

typedef job_verdict (*job_step_fn)(job *j);

/* Outcome helpers: each fills j's outcome and returns the verdict. */
job_verdict job_next(job *j, const char *result, const char *next, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
job_verdict job_park(job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
job_verdict job_retry(job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The verdict for a failed AWS call: retryable errors retry, final ones park. */
job_verdict job_aws_failure(job *j, const char *what, ir_rc rc, const ir_aws_error *aerr,
                            const ir_err *err);
void job_fact(job *j, const char *key, const char *value);
/* After ResourceAlreadyExists on registration: the step is done when the
 * certificate sits in account (reached through t); parked otherwise. */
job_verdict job_registered_in(job *j, const ir_aws_target *t, const char *account,
                              const char *next);

/* The customer's target, resolved on first use (it may assume a role).
 * A role must first pass the ExternalId check (creds/role_check.h): when it
 * does not, the error is IR_ERR_PERMISSION (unsafe) or IR_ERR_BUSY (try
 * again) with the reason in err. */
ir_rc job_customer_target(job *j, ir_err *err);

/* Crash fault injection (debug builds): dies with SIGKILL when
 * IOTREG_CRASH_AT names this point, after an AWS call and before its record. */
void job_fault_point(const char *point);

/* Steps (steps_transfer.c, steps_customer.c). */
job_verdict step_register(job *j);
job_verdict step_transfer(job *j);
job_verdict step_assume(job *j);
job_verdict step_accept(job *j);
job_verdict step_register_without_ca(job *j);
job_verdict step_policy(job *j);
job_verdict step_thing(job *j);

#endif
