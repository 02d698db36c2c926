/* The steps of delivery that deliver.c runs in order: the CSP's side of a
 * transfer (steps_transfer.c), and what is done in the customer's account
 * (steps_customer.c). Each is idempotent against what AWS already holds. */
#ifndef IOTREG_DAEMON_STEPS_H
#define IOTREG_DAEMON_STEPS_H

#include "daemon/job.h"

typedef job_verdict (*job_step_fn)(job *j);

job_verdict step_register(job *j);
job_verdict step_transfer(job *j);
job_verdict step_assume(job *j);
job_verdict step_accept(job *j);
job_verdict step_register_without_ca(job *j);
job_verdict step_policy(job *j);
job_verdict step_thing(job *j);

#endif
