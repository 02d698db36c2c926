/* What every delivery and revocation in iotregd shares: the configuration,
 * the AWS client, the journal, the accounts' credentials, the worker's name,
 * the stop flag and the metrics. */
#ifndef IOTREG_DAEMON_DELIVER_CTX_H
#define IOTREG_DAEMON_DELIVER_CTX_H

#include <stdatomic.h>
#include <stdbool.h>

#include "aws/transport/client.h"
#include "config/config.h"
#include "creds/accounts.h"
#include "daemon/metrics.h"
#include "journal/journal.h"

typedef struct ir_deliver_ctx {
    const ir_config *cfg;
    ir_aws_client *aws;
    ir_journal *journal;
    ir_accounts *accounts;
    const char *worker;
    atomic_int *stop;     /* nonzero: finish the current step, then give the entry back */
    ir_dmetrics *metrics; /* NULL: metrics off */
    /* Whether this worker may still act on the entry it holds: false once
     * its lease may have run out (renewals failed, or another worker took
     * it); the delivery then stops before its next step. NULL: always. */
    bool (*still_ours)(void *ctx, const char *cert_id);
    void *still_ours_ctx;
} ir_deliver_ctx;

#endif
