/* The PostgreSQL journal backend's internals, shared by its files:
 * journal_pg.c (connections, the transaction runner, the schema, open and
 * close, the operations table), journal_pg_work.c (enqueue, claims and
 * state changes), journal_pg_read.c (get, list, count). Times are the
 * server's clock (PG_NOW_MS), so workers on several hosts agree on leases. */
#ifndef IOTREG_JOURNAL_JOURNAL_PG_INTERNAL_H
#define IOTREG_JOURNAL_JOURNAL_PG_INTERNAL_H

#include <libpq-fe.h>
#include <pthread.h>

#include "core/secret.h"
#include "journal/journal_commit.h"
#include "journal/journal_internal.h"

#define PG_POOL_MAX           16  /* connections one handle keeps open */
#define PG_BATCH_MAX          512 /* most enqueues one group commit carries */
#define PG_TXN_ATTEMPTS       5   /* tries of a transaction that hit a serialisation failure */
#define PG_PARAMS_MAX         18
#define PG_RECONNECT_FIRST_MS 100  /* first wait before connecting again after a loss */
#define PG_RECONNECT_BOUND_MS 5000 /* total wait for the server to come back, per call */

/* The server's time in milliseconds since the epoch. */
#define PG_NOW_MS "(extract(epoch from clock_timestamp()) * 1000)::bigint"

typedef struct pg_journal {
    ir_journal base;
    char *conninfo;
    char *sslmode;
    char *ca_file;
    ir_secret *password; /* NULL: none configured (libpq's own means apply) */
    char *spool;         /* the local spool's base path; NULL: none */
    pthread_mutex_t pool_lock;
    pthread_cond_t pool_cond;
    PGconn *idle[PG_POOL_MAX];
    size_t n_idle;
    size_t n_open;
    bool connected; /* a connection succeeded: a failure now is a loss (under pool_lock) */
    ir_group_commit gc;
    pthread_mutex_t listen_lock; /* one waiter at a time on the listener */
    PGconn *listener;            /* LISTENs for work (journal_pg_coord.c); NULL: not yet */
    char *listen_schema;         /* the journal's schema: the payload of its notifications */
} pg_journal;

static inline pg_journal *pg_of(ir_journal *j)
{
    return (pg_journal *)j;
}

/* Parameters of one statement, as text; numbers are formatted in place. */
typedef struct pg_params {
    const char *v[PG_PARAMS_MAX];
    int len[PG_PARAMS_MAX];
    int fmt[PG_PARAMS_MAX];
    Oid type[PG_PARAMS_MAX]; /* every parameter typed: a statement need not use them all */
    char num[PG_PARAMS_MAX][24];
    int n;
} pg_params;

void pg_param_text(pg_params *p, const char *s);
void pg_param_int(pg_params *p, int64_t v);
void pg_param_bytes(pg_params *p, const void *data, size_t n);

/* Runs sql; *res (may be NULL: cleared) holds its result. A failure's
 * message names what was being done and the server's words. */
ir_rc pg_exec(PGconn *c, const char *sql, const pg_params *p, PGresult **res, const char *what,
              ir_err *err);
/* Copies of a text column, NULL for SQL NULL; *rc becomes IR_ERR_NOMEM on failure. */
char *pg_col_strdup(const PGresult *r, int row, int col, ir_rc *rc);
int64_t pg_col_int(const PGresult *r, int row, int col);

/* A unit of work run in one transaction; it may run more than once (after a
 * serialisation failure), so it resets its outputs first. */
typedef ir_rc (*pg_txn_fn)(PGconn *c, void *ctx, ir_err *err);
ir_rc pg_txn(pg_journal *j, pg_txn_fn fn, void *ctx, ir_err *err);
/* fn on a pooled connection without BEGIN/COMMIT (each statement commits alone). */
ir_rc pg_statement(pg_journal *j, pg_txn_fn fn, void *ctx, ir_err *err);
/* A new connection of the journal's own, outside the pool. */
ir_rc pg_connect(pg_journal *j, PGconn **out, ir_err *err);

/* journal_pg_coord.c */
/* Tells waiting daemons, at the commit of c's transaction, that work is due. */
ir_rc pg_notify_work(PGconn *c, ir_err *err);
ir_rc pg_wait_work(ir_journal *j, int64_t timeout_ms, bool *woken, ir_err *err);
ir_rc pg_next_due_in(ir_journal *j, int64_t *in_ms, ir_err *err);
ir_rc pg_quota_reserve(ir_journal *j, const char *bucket, int64_t interval_us, int64_t *wait_us,
                       ir_err *err);
void pg_listener_close(pg_journal *j);

/* journal_pg_work.c */
ir_rc pg_insert_batch(void *ctx, ir_gc_waiter *batch, ir_err *err);
ir_rc pg_claim(ir_journal *j, const ir_claim_opts *o, ir_entry_list *out, ir_err *err);
ir_rc pg_renew_lease(ir_journal *j, const char *cert_id, const char *worker, int64_t lease_ms,
                     ir_err *err);
ir_rc pg_release_claim(ir_journal *j, const char *cert_id, const char *worker, ir_err *err);
ir_rc pg_record_step(ir_journal *j, const char *cert_id, const char *worker,
                     const ir_step_outcome *o, ir_err *err);
ir_rc pg_schedule_retry(ir_journal *j, const char *cert_id, const char *worker,
                        int64_t next_attempt_ms, const char *error, ir_err *err);
ir_rc pg_finish(ir_journal *j, const char *cert_id, const char *worker, const char *detail,
                ir_err *err);
ir_rc pg_park(ir_journal *j, const char *cert_id, const char *worker, const char *reason,
              ir_err *err);
ir_rc pg_retry_now(ir_journal *j, const char *cert_id, ir_err *err);
ir_rc pg_assign(ir_journal *j, const char *cert_id, const char *customer, ir_err *err);
ir_rc pg_request_revocation(ir_journal *j, const char *cert_id, int reason,
                            int64_t revocation_time_ms, bool *already, ir_err *err);

/* journal_pg_read.c */
/* Loads the entries of r (selected with PG_ENTRY_COLUMNS) into out, with
 * their facts when with_facts. */
#define PG_ENTRY_COLUMNS                                                                           \
    "seq, cert_id, subca, customer, unattributed_reason, source, end_entity, profile, state, "     \
    "step, attempts, next_attempt_at, last_error, claimed_by, lease_until, revocation_requested, " \
    "revocation_reason, revocation_time, created_at, updated_at"
#define PG_WITH_DER    PG_ENTRY_COLUMNS ", der"
#define PG_WITHOUT_DER PG_ENTRY_COLUMNS ", NULL::bytea"
ir_rc pg_load_entries(PGconn *c, const PGresult *r, bool with_facts, ir_entry_list *out,
                      ir_err *err);
ir_rc pg_get(ir_journal *j, const char *cert_id, ir_journal_entry **out, ir_err *err);
ir_rc pg_list(ir_journal *j, const ir_list_filter *f, ir_entry_list *out, ir_err *err);
ir_rc pg_count(ir_journal *j, bool by_route, ir_count_row **rows, size_t *n, ir_err *err);

/* journal_pg_copy.c */
ir_rc pg_copy_entry(ir_journal *j, const ir_journal_entry *e, bool *copied, ir_err *err);

#endif
