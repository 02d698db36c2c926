/* Revocations from a CRL: `iotregctl import --crl FILE`. In two steps: the
 * CRL is parsed (ir_crl_parse: a function of its bytes and the
 * configuration, which says whose signature counts), then applied to the
 * journal (ir_crl_apply: a revocation request for each journaled
 * certificate it lists). */
#ifndef IOTREG_CAPTURE_IMPORT_CRL_H
#define IOTREG_CAPTURE_IMPORT_CRL_H

#include <openssl/x509.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "core/error.h"
#include "journal/journal.h"

/* One revoked certificate the CRL lists. */
typedef struct ir_crl_entry {
    const ASN1_INTEGER *serial; /* inside the CRL */
    int reason;                 /* RFC 5280 CRLReason; 0 (unspecified) when absent or unknown */
    int64_t revoked_ms;         /* the revocation date; now when it cannot be read */
    bool revokes;               /* false: on hold (certificateHold) or taken off hold
                                   (removeFromCRL), which is no revocation */
} ir_crl_entry;

typedef struct ir_crl {
    const ir_subca_conf *subca; /* the configured SubCA that signed it */
    ir_crl_entry *entries;      /* in the CRL's order */
    size_t n_entries;
    X509_CRL *x509; /* the CRL, which the entries point into */
} ir_crl;

/* Parses a CRL in PEM or DER (len bytes of data; name stands for it in
 * messages), which must be signed by a configured SubCA, and reads its
 * entries. A delta CRL (Delta CRL Indicator extension) is refused
 * (IR_ERR_UNSUPPORTED): import the full CRL. */
ir_rc ir_crl_parse(const ir_config *cfg, const unsigned char *data, size_t len, const char *name,
                   ir_crl **out, ir_err *err);
void ir_crl_free(ir_crl *crl);

/* Whether the CRL lists cert (by serial number and issuer, as OpenSSL
 * matches them); its entry in *out when it does. */
bool ir_crl_lookup(const ir_crl *crl, X509 *cert, ir_crl_entry *out);

typedef struct ir_crl_import_stats {
    long listed;      /* revoked serials the CRL lists */
    long requested;   /* revocation requests recorded */
    long known;       /* already requested before */
    long absent;      /* serials of certificates the journal does not hold */
    long not_revoked; /* journaled certificates listed on hold (certificateHold) or with
                         removeFromCRL: noted in the log, nothing recorded */
} ir_crl_import_stats;

/* Records a revocation request (with the CRL's reason and date) for every
 * journaled certificate of the CRL's SubCA it lists, except entries that
 * are no revocation (counted in not_revoked, a note logged for each). */
ir_rc ir_crl_apply(const ir_crl *crl, ir_journal *j, const char *name, ir_crl_import_stats *stats,
                   ir_err *err);

/* Reads the CRL at path, parses it (ir_crl_parse) and applies it (ir_crl_apply). */
ir_rc ir_import_crl(const ir_config *cfg, ir_journal *j, const char *path,
                    ir_crl_import_stats *stats, ir_err *err);

#endif
