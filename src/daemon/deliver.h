/* Delivery: drives one claimed journal entry through its steps into the
 * customer's account. Each step's outcome is recorded before the next step
 * starts, and each step is idempotent against what AWS already holds, so a
 * crash anywhere resumes without loss or duplication. */
#ifndef IOTREG_DAEMON_DELIVER_H
#define IOTREG_DAEMON_DELIVER_H

#include "core/error.h"
#include "daemon/deliver_ctx.h"
#include "journal/journal.h"

/* Runs e's steps until it is done, parked, scheduled for a retry, or given
 * back on shutdown. Fails only when the journal cannot record an outcome. */
ir_rc ir_deliver(ir_deliver_ctx *ctx, const ir_journal_entry *e, ir_err *err);

#endif
