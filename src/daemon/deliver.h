/* Delivery: drives one claimed journal entry through its steps into the
 * customer's account. Each step's outcome is recorded before the next step
 * starts, and each step is idempotent against what AWS already holds, so a
 * crash anywhere resumes without loss or duplication. */
#ifndef IOTREG_DAEMON_DELIVER_H
#define IOTREG_DAEMON_DELIVER_H

#include <stdatomic.h>

#include "aws/transport/client.h"
#include "config/config.h"
#include "core/error.h"
#include "creds/accounts.h"
#include "journal/journal.h"

typedef struct ir_deliver_ctx {
    const ir_config *cfg;
    ir_aws_client *aws;
    ir_journal *journal;
    ir_accounts *accounts;
    const char *worker;
    atomic_int *stop; /* nonzero: finish the current step, then give the entry back */
} ir_deliver_ctx;

/* Runs e's steps until it is done, parked, scheduled for a retry, or given
 * back on shutdown. Fails only when the journal cannot record an outcome. */
ir_rc ir_deliver(ir_deliver_ctx *ctx, const ir_journal_entry *e, ir_err *err);

#endif
