/* iotregd's metrics (core/metrics.h holds the registry and the format):
 * what the daemon counts, fed by dispatch, the delivery steps and the AWS
 * client's observer; the journal's counts read every round. Every function
 * takes a NULL dm (metrics off) and does nothing then.
 *
 * Labels are fixed words, step and operation names, and customer names from
 * the configuration: never a certificate id, key, secret or token. */
#ifndef IOTREG_DAEMON_METRICS_H
#define IOTREG_DAEMON_METRICS_H

#include <stdint.h>

#include "aws/transport/client.h"
#include "core/metrics.h"
#include "journal/journal.h"

typedef struct ir_dmetrics ir_dmetrics;

ir_dmetrics *ir_dmetrics_new(void);
void ir_dmetrics_free(ir_dmetrics *dm);
ir_metrics *ir_dmetrics_registry(ir_dmetrics *dm);

/* The AWS client's observer (ir_aws_client_set_observer), ctx the dm. */
void ir_dmetrics_aws_attempt(void *dm, const ir_aws_attempt_info *a);

/* An entry left a worker's hands: outcome "delivered", "parked", "retry" or
 * "released" (given back unfinished at a stop). customer: the configured
 * customer, NULL when the entry names none the configuration has. */
void ir_dmetrics_delivery(ir_dmetrics *dm, const char *customer, const char *outcome);
/* A delivered entry: seconds from its capture to done. */
void ir_dmetrics_delivered_after(ir_dmetrics *dm, const char *customer, double seconds);
/* One step ran for seconds (AWS calls included) with verdict "next",
 * "retry" or "park". */
void ir_dmetrics_step(ir_dmetrics *dm, const char *step, const char *verdict, double seconds);
/* A revocation left a worker's hands: "revoked", "parked" or "retry". */
void ir_dmetrics_revocation(ir_dmetrics *dm, const char *outcome);
/* A journal call failed in the daemon; op: "claim", "record", "spool", "count", "renew". */
void ir_dmetrics_journal_error(ir_dmetrics *dm, const char *op);
/* Whether the journal's database answers the daemon's claims (1 at start). */
void ir_dmetrics_journal_up(ir_dmetrics *dm, bool up);

/* Before a round takes the spool in: the bytes waiting in the spool of the
 * SQLite journal at journal_path (its spool and taken files; NULL: no
 * spool). After: moved records, and whether the drain succeeded. */
void ir_dmetrics_spool_before(ir_dmetrics *dm, const char *journal_path);
void ir_dmetrics_spool_after(ir_dmetrics *dm, size_t moved, bool ok);

/* Reads the journal's counts: entries by state and customer, parked
 * entries by reason class. At most once a second unless force. */
void ir_dmetrics_refresh(ir_dmetrics *dm, ir_journal *j, bool force);

/* Sets what depends on the time of reading (the spool's drain lag): called
 * before every rendering. */
void ir_dmetrics_prepare(ir_dmetrics *dm);

/* The class of a park reason, a fixed word for a label: "unsafe_role",
 * "customer_account", "configuration", "policy", "thing", "transfer",
 * "certificate", "aws", "other". */
const char *ir_dmetrics_park_class(const char *reason);

#endif
