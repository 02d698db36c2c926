/* The journal's spool: where a short-lived writer (the issuance tap, inside
 * each openssl ca process) makes a certificate durable with one append and
 * one fdatasync, instead of opening the SQLite journal and committing to it,
 * which costs a new process about three times as much. Whoever opens the
 * journal (iotregd at start and on every round, iotregctl, the hook) moves
 * what the spool holds into the journal, a batch per transaction, and
 * empties it only once everything is committed: after a crash in between
 * the same records move again and the journal takes them as already known.
 *
 * The spool is the file <journal path>-spool. Writers hold a shared flock
 * while they append and sync; the drain holds it exclusively. Each record
 * is "IRS1", the payload's length and the first 8 bytes of its SHA-256, then
 * the payload; a record torn by a failed write (whose signature the tap
 * withheld) fails its check and is skipped. */
#ifndef IOTREG_JOURNAL_SPOOL_H
#define IOTREG_JOURNAL_SPOOL_H

#include <stddef.h>

#include "core/error.h"
#include "journal/journal.h"

typedef struct ir_spool ir_spool;

/* Opens (creating it, durably, when missing) the spool of the SQLite journal
 * at journal_path, for appending. */
ir_rc ir_spool_open(const char *journal_path, ir_spool **out, ir_err *err);
void ir_spool_close(ir_spool *s);

/* Validates req as ir_journal_enqueue does and appends it: durable on
 * return. req->captured_ms 0 records the current time. */
ir_rc ir_spool_append(ir_spool *s, const ir_enqueue_req *req, ir_err *err);

/* Takes a batch of records read from the spool (valid until it returns). */
typedef ir_rc (*ir_spool_sink)(void *ctx, const ir_enqueue_req *reqs, size_t n, ir_err *err);

typedef struct ir_spool_drained {
    size_t records;       /* handed to the sink */
    size_t skipped_bytes; /* of torn or damaged records, skipped */
} ir_spool_drained;

/* Hands every record of the spool to sink, in batches, then empties the
 * spool; on any failure the spool is left as it was. No spool file: nothing
 * to do. IR_ERR_BUSY when writers kept it locked for wait_ms. */
ir_rc ir_spool_drain(const char *journal_path, int wait_ms, ir_spool_sink sink, void *ctx,
                     ir_spool_drained *out, ir_err *err);

#endif
