/* The journal's spool: where a short-lived writer (the issuance tap, inside
 * each openssl ca process) makes a certificate durable with one append and
 * one fdatasync, instead of opening the SQLite journal and committing to it,
 * which costs a new process about three times as much. Whoever opens the
 * journal (iotregd at start and on every round, iotregctl, the hook) moves
 * what the spool holds into the journal.
 *
 * The spool is the file <journal path>-spool. Writers append under a shared
 * flock. A drain takes the exclusive lock only for an instant, to rename the
 * spool to <spool>.taken-<pid>-<ms>-<n>; writers, who check under their lock
 * that their file is still the spool, then start a new one. The taken file is
 * read into the journal, a batch per transaction, and removed only once all
 * of it is committed; one left by a drain that failed or crashed is taken up
 * by the next, and records the journal has already are known, not doubled.
 * Each record is "IRS1", the payload's length and the first 8 bytes of its
 * SHA-256, then the payload; a record torn by a failed write (whose
 * signature the tap withheld) fails its check and is skipped. */
#ifndef IOTREG_JOURNAL_SPOOL_H
#define IOTREG_JOURNAL_SPOOL_H

#include <stddef.h>

#include "core/error.h"
#include "journal/journal.h"

typedef struct ir_spool ir_spool;

/* Opens (creating it, durably, when missing) the spool of the SQLite journal
 * at journal_path, for appending. A spool this process creates gets mode
 * (ir_journal_file_mode; 0: IR_JOURNAL_MODE_DEFAULT) whatever the umask, and
 * one it owns with another mode is given this one; the process's umask is
 * left alone. A drain's rename keeps the mode for the taken file. */
ir_rc ir_spool_open(const char *journal_path, unsigned mode, ir_spool **out, ir_err *err);
/* The spool of the journal opts name, opened as ir_spool_open does with the
 * journal's file mode. IR_ERR_UNSUPPORTED for a backend without a spool
 * (only the SQLite journal has one). */
ir_rc ir_journal_spool_open(const ir_journal_opts *opts, ir_spool **out, ir_err *err);
void ir_spool_close(ir_spool *s);

/* Appends a request ir_enqueue_check has passed: durable on return.
 * captured_ms 0 records the current time. */
ir_rc ir_spool_append_checked(ir_spool *s, const ir_checked_req *c, ir_err *err);
/* Checks req as ir_journal_enqueue does (ir_enqueue_check), then appends it. */
ir_rc ir_spool_append(ir_spool *s, const ir_enqueue_req *req, ir_err *err);

/* Takes a batch of records read from the spool (valid until it returns). */
typedef ir_rc (*ir_spool_sink)(void *ctx, const ir_enqueue_req *reqs, size_t n, ir_err *err);

typedef struct ir_spool_drained {
    size_t records;       /* handed to the sink */
    size_t skipped_bytes; /* of torn or damaged records, skipped */
} ir_spool_drained;

/* Takes the spool and hands every record of it, and of any taken spool left
 * earlier, to sink in batches; removes each taken file once sink has taken
 * all of it, and leaves it for the next drain otherwise. No spool file:
 * nothing to do. IR_ERR_BUSY when writers kept the spool locked for wait_ms
 * (what was taken before is drained all the same). IR_ERR_PERMISSION when
 * this user may not open a spool file: the message names the first such
 * file and the fix; the file is left as it is, and every other one drained. */
ir_rc ir_spool_drain(const char *journal_path, int wait_ms, ir_spool_sink sink, void *ctx,
                     ir_spool_drained *out, ir_err *err);

#endif
