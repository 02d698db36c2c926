/* Revocation of a certificate wherever AWS holds it now. */
#ifndef IOTREG_DAEMON_REVOKE_H
#define IOTREG_DAEMON_REVOKE_H

#include "daemon/deliver_ctx.h"

/* Carries out the revocation request of the claimed entry e. */
ir_rc ir_revoke(ir_deliver_ctx *ctx, const ir_journal_entry *e, ir_err *err);

#endif
