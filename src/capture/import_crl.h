/* Revocations from a CRL: `iotregctl import --crl FILE`. */
#ifndef IOTREG_CAPTURE_IMPORT_CRL_H
#define IOTREG_CAPTURE_IMPORT_CRL_H

#include "config/config.h"
#include "core/error.h"
#include "journal/journal.h"

typedef struct ir_crl_import_stats {
    long listed;      /* revoked serials the CRL lists */
    long requested;   /* revocation requests recorded */
    long known;       /* already requested before */
    long absent;      /* serials of certificates the journal does not hold */
    long not_revoked; /* journaled certificates listed on hold (certificateHold) or with
                         removeFromCRL: noted in the log, nothing recorded */
} ir_crl_import_stats;

/* Reads the CRL at path (PEM or DER), which must be signed by a configured
 * SubCA, and records a revocation request (with the CRL's reason and date)
 * for every journaled certificate of that SubCA it lists, except entries on
 * hold (certificateHold) or with removeFromCRL, which are no revocation
 * (counted in not_revoked, a note logged for each). A delta CRL (Delta CRL
 * Indicator extension) is refused (IR_ERR_UNSUPPORTED): import the full CRL. */
ir_rc ir_import_crl(const ir_config *cfg, ir_journal *j, const char *path,
                    ir_crl_import_stats *stats, ir_err *err);

#endif
