/* Capturing a certificate: the one path every way in shares (the provider's
 * issuance tap, iotreg_hook.so, iotreg-publish, iotregctl import).
 *
 *   parse (exactly one DER X.509 certificate, size-capped)
 *   -> the issuing SubCA (issuer name, key identifier and signature checked
 *      against the configured SubCA certificates; an issuer that is no
 *      configured SubCA is refused and nothing is journaled)
 *   -> attribution (a customer, or "unattributed" with the reason: never a
 *      guess)
 *   -> journal enqueue (durable on return).
 *
 * A context is read-only once made: any number of threads may capture
 * through one at once. */
#ifndef IOTREG_CAPTURE_CAPTURE_H
#define IOTREG_CAPTURE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/attribution.h"
#include "config/config.h"
#include "core/error.h"
#include "journal/journal.h"
#include "journal/spool.h"

typedef struct ir_capture_ctx ir_capture_ctx;

/* Why a capture failed (rc != IR_OK); callers map it to their own codes. */
typedef enum ir_capture_failure {
    IR_CAPTURE_OK = 0,
    IR_CAPTURE_NOT_CERT,       /* not exactly one X.509 certificate */
    IR_CAPTURE_UNKNOWN_ISSUER, /* its issuer is no configured SubCA */
    IR_CAPTURE_BAD_SIGNATURE,  /* a configured SubCA's name, not its signature */
    IR_CAPTURE_INVALID,        /* bad arguments or metadata */
    IR_CAPTURE_JOURNAL,        /* the journal failed: nothing recorded */
    IR_CAPTURE_INTERNAL,       /* out of memory, crypto library failure */
} ir_capture_failure;

typedef struct ir_capture_result {
    char cert_id[IR_CERT_ID_LEN + 1];
    const ir_subca_conf *subca;       /* the issuing SubCA */
    const ir_customer_conf *customer; /* NULL: journaled as unattributed */
    char reason[256];                 /* attribution's explanation either way */
    bool already_known;               /* the journal had the certificate already */
    bool not_revoked;                 /* a revocation whose reason is a hold or its release */
    ir_capture_failure failure;
} ir_capture_result;

/* cfg and journal are borrowed and must outlive the context. */
ir_rc ir_capture_ctx_new(const ir_config *cfg, ir_journal *journal, ir_cert_source source,
                         ir_capture_ctx **out, ir_err *err);
/* The same, capturing into the journal's spool (journal/spool.h): one append
 * and one fdatasync per certificate, for short-lived processes (the tap).
 * already_known is never reported; revocations are refused. */
ir_rc ir_capture_ctx_new_spooled(const ir_config *cfg, ir_spool *spool, ir_cert_source source,
                                 ir_capture_ctx **out, ir_err *err);
void ir_capture_ctx_free(ir_capture_ctx *ctx);

/* Captures the DER certificate der (meta may be NULL). IR_OK once journaled,
 * also when already known (out->already_known). */
ir_rc ir_capture_certificate(ir_capture_ctx *ctx, const unsigned char *der, size_t len,
                             const ir_cert_meta *meta, ir_capture_result *out, ir_err *err);

/* The same for a certificate the caller has parsed already with
 * ir_cert_check_der (cert is borrowed; der is its encoding): parsing a
 * certificate is a large part of capture's cost in OpenSSL 3.0. */
ir_rc ir_capture_x509(ir_capture_ctx *ctx, X509 *cert, const unsigned char *der, size_t len,
                      const ir_cert_meta *meta, ir_capture_result *out, ir_err *err);

/* Captures der (as ir_capture_certificate) and records a revocation request
 * for it: reason is an RFC 5280 CRLReason, revocation_time_ms the time of
 * revocation (0: now). *already_requested when one was recorded before.
 * certificateHold and removeFromCRL are no revocation (AWS's REVOKED is
 * final, a hold is not): the certificate is captured, nothing is recorded
 * and out->not_revoked says so. */
ir_rc ir_capture_revocation(ir_capture_ctx *ctx, const unsigned char *der, size_t len,
                            const ir_cert_meta *meta, int reason, int64_t revocation_time_ms,
                            ir_capture_result *out, bool *already_requested, ir_err *err);

/* A name for a failure, e.g. "unknown issuer". */
const char *ir_capture_failure_name(ir_capture_failure f);

#endif
