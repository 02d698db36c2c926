/* The SQLite journal backend's internals, shared by its files:
 * journal_sqlite.c (open/close, the operations table), journal_sqlite_db.c
 * (connections, the transaction runner with bounded busy retries),
 * journal_sqlite_schema.c (migrations), journal_sqlite_enqueue.c (group
 * commit), journal_sqlite_work.c (claims and state changes),
 * journal_sqlite_read.c (get, list, count). */
#ifndef IOTREG_JOURNAL_JOURNAL_SQLITE_INTERNAL_H
#define IOTREG_JOURNAL_JOURNAL_SQLITE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "journal/journal_commit.h"
#include "journal/journal_internal.h"

#define SQ_POOL_MAX        16         /* connections one handle keeps open */
#define SQ_BUSY_TIMEOUT_MS 1000       /* SQLite's own wait for a lock, per attempt */
#define SQ_BUSY_BOUND_MS   30000      /* total wait for the lock before giving up */
#define SQ_BATCH_MAX       512        /* most enqueues one group commit carries */
#define SQ_WAL_MAX_FRAMES  128        /* WAL length (pages) that triggers a checkpoint */
#define SQ_WAL_KEEP_BYTES  (1 << 20)  /* WAL file size kept allocated between restarts */
#define SQ_APPLICATION_ID  0x696f7472 /* "iotr": marks the file as an iotreg journal */

typedef struct sq_journal {
    ir_journal base;
    char *path;
    unsigned mode; /* of the database, its -wal and -shm (ir_journal_file_mode) */
    /* Connection pool: a connection is used by one thread at a time. */
    pthread_mutex_t pool_lock;
    pthread_cond_t pool_cond;
    sqlite3 *idle[SQ_POOL_MAX];
    size_t n_idle;
    size_t n_open;
    ir_group_commit gc; /* enqueues wait here; one of them commits for all */
    /* A checkpoint completed: the next transaction's connection restarts
     * the WAL (see journal_sqlite_db.c). */
    atomic_bool wal_restart;
} sq_journal;

static inline sq_journal *sq_of(ir_journal *j)
{
    return (sq_journal *)j;
}

/* A unit of work run inside one transaction. It may run more than once (the
 * runner retries on lock contention), so it resets its outputs first. */
typedef ir_rc (*sq_txn_fn)(sqlite3 *db, void *ctx, ir_err *err);

ir_rc sq_pool_init(sq_journal *j, ir_err *err);
void sq_pool_destroy(sq_journal *j);
ir_rc sq_acquire(sq_journal *j, sqlite3 **db, ir_err *err);
void sq_release(sq_journal *j, sqlite3 *db);

/* Runs fn in BEGIN IMMEDIATE ... COMMIT (write) or BEGIN ... COMMIT (read),
 * retrying on SQLITE_BUSY until SQ_BUSY_BOUND_MS has passed. */
ir_rc sq_write(sq_journal *j, sq_txn_fn fn, void *ctx, ir_err *err);
ir_rc sq_read(sq_journal *j, sq_txn_fn fn, void *ctx, ir_err *err);

/* Turns a SQLite result into an ir_rc with a message naming the journal. */
ir_rc sq_fail(sqlite3 *db, int rc, const char *what, ir_err *err);
ir_rc sq_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, ir_err *err);
ir_rc sq_exec(sqlite3 *db, const char *sql, ir_err *err);
/* Steps st to completion (expecting no rows); finalizes it. */
ir_rc sq_run(sqlite3 *db, sqlite3_stmt *st, const char *what, ir_err *err);
void sq_bind_text(sqlite3_stmt *st, int idx, const char *s);
/* A copy of a text column, NULL for SQL NULL; *rc becomes IR_ERR_NOMEM on failure. */
char *sq_col_strdup(sqlite3_stmt *st, int col, ir_rc *rc);

ir_rc sq_migrate(sqlite3 *db, void *ctx, ir_err *err);
/* Rewrites the header's application id: fails where writing would. */
ir_rc sq_touch(sqlite3 *db, void *ctx, ir_err *err);

void sq_stats(ir_journal *j, ir_journal_stats *out);
ir_rc sq_enqueue(ir_journal *j, const ir_checked_req *c, bool *already_known, ir_err *err);

/* Appends a history row for cert_id whose step is the entry's current step
 * when step is NULL. */
ir_rc sq_history(sqlite3 *db, const char *cert_id, const char *step, const char *result,
                 const char *detail, const char *worker, ir_err *err);
/* The same, dated at_ms instead of now. */
ir_rc sq_history_at(sqlite3 *db, const char *cert_id, int64_t at_ms, const char *step,
                    const char *result, const char *detail, const char *worker, ir_err *err);

/* Inserts a batch in one transaction (ir_gc_batch_fn; ctx is the sq_journal). */
ir_rc sq_insert_batch(void *ctx, ir_gc_waiter *batch, ir_err *err);
ir_rc sq_absorb_spool(ir_journal *j, size_t *moved, ir_err *err);

ir_rc sq_claim(ir_journal *j, const ir_claim_opts *o, ir_entry_list *out, ir_err *err);
ir_rc sq_renew_lease(ir_journal *j, const char *cert_id, const char *worker, int64_t lease_ms,
                     ir_err *err);
ir_rc sq_release_claim(ir_journal *j, const char *cert_id, const char *worker, ir_err *err);
ir_rc sq_record_step(ir_journal *j, const char *cert_id, const char *worker,
                     const ir_step_outcome *o, ir_err *err);
ir_rc sq_schedule_retry(ir_journal *j, const char *cert_id, const char *worker,
                        int64_t next_attempt_ms, const char *error, ir_err *err);
ir_rc sq_finish(ir_journal *j, const char *cert_id, const char *worker, const char *detail,
                ir_err *err);
ir_rc sq_park(ir_journal *j, const char *cert_id, const char *worker, const char *reason,
              ir_err *err);
ir_rc sq_retry_now(ir_journal *j, const char *cert_id, ir_err *err);
ir_rc sq_assign(ir_journal *j, const char *cert_id, const char *customer, ir_err *err);
ir_rc sq_request_revocation(ir_journal *j, const char *cert_id, int reason,
                            int64_t revocation_time_ms, bool *already, ir_err *err);

/* Reads the entry seq (with its DER and facts) into e, which is zeroed. */
ir_rc sq_load_claimed(sqlite3 *db, int64_t seq, ir_journal_entry *e, ir_err *err);
ir_rc sq_get(ir_journal *j, const char *cert_id, ir_journal_entry **out, ir_err *err);
ir_rc sq_list(ir_journal *j, const ir_list_filter *f, ir_entry_list *out, ir_err *err);
ir_rc sq_count(ir_journal *j, bool by_route, ir_count_row **rows, size_t *n, ir_err *err);
ir_rc sq_next_due_in(ir_journal *j, int64_t *in_ms, ir_err *err);

/* journal_sqlite_copy.c */
ir_rc sq_copy_entry(ir_journal *j, const ir_journal_entry *e, bool *copied, ir_err *err);

#endif
