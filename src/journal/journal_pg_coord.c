/* What the processes sharing one PostgreSQL journal tell each other:
 * notifications of work (LISTEN/NOTIFY), when work is next due, and the
 * rate-limit slots every daemon takes from (so that N daemons together keep
 * each AWS quota).
 *
 * Notifications go on one channel for the whole database, with the
 * journal's schema as payload: journals in other schemas of the same
 * database (the tests' many) do not wake each other. A transaction that
 * makes work due (an enqueue, a retry, a release, an assignment, a
 * revocation request) notifies at its commit. The waiter listens on a
 * connection of its own, outside the pool; when that connection is new,
 * notifications sent before its LISTEN are lost, so the first wait on it
 * reports a wake-up at once and the caller looks for work again.
 *
 * Rate-limit slots live in an UNLOGGED table: no WAL, no fsync per AWS
 * request, and after a server crash the table is empty, which only means
 * every bucket starts afresh (as it does in a restarted daemon). */
#include "autoconf.h"

#include "journal/journal_pg_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define PG_CHANNEL "iotreg_work"

/* The first rows of the due index a next-due answer looks at: the entries
 * that become due first are at its front; the answer is a hint that bounds
 * the caller's sleep, never a promise. */
#define PG_DUE_SCAN 1000

ir_rc pg_notify_work(PGconn *c, ir_err *err)
{
    return pg_exec(c, "SELECT pg_notify('" PG_CHANNEL "', current_schema())", NULL, NULL,
                   "notifying the daemons", err);
}

/* --- waiting for work ---------------------------------------------------------------- */

static void listener_drop(pg_journal *j)
{
    if (j->listener != NULL)
        PQfinish(j->listener);
    j->listener = NULL;
    free(j->listen_schema);
    j->listen_schema = NULL;
}

static ir_rc listener_open(pg_journal *j, ir_err *err)
{
    PGresult *r = NULL;
    ir_rc rc = pg_connect(j, &j->listener, err);

    if (rc == IR_OK)
        rc = pg_exec(j->listener, "LISTEN " PG_CHANNEL, NULL, NULL, "listening for work", err);
    if (rc == IR_OK)
        rc = pg_exec(j->listener, "SELECT current_schema()", NULL, &r, "reading the schema", err);
    if (rc == IR_OK) {
        j->listen_schema = pg_col_strdup(r, 0, 0, &rc);
        if (rc != IR_OK)
            ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory");
    }
    PQclear(r);
    if (rc != IR_OK)
        listener_drop(j);
    return rc;
}

/* Takes in what the server sent; true when one of the notifications is
 * this journal's. */
static bool take_notifications(pg_journal *j)
{
    PGnotify *n;
    bool ours = false;

    while ((n = PQnotifies(j->listener)) != NULL) {
        if (j->listen_schema == NULL || n->extra == NULL || strcmp(n->extra, j->listen_schema) == 0)
            ours = true;
        PQfreemem(n);
    }
    return ours;
}

static ir_rc lost(pg_journal *j, ir_err *err)
{
    const char *msg = PQerrorMessage(j->listener);
    ir_rc rc = ir_err_set(err, IR_ERR_IO,
                          "journal (PostgreSQL): the connection waiting for work was lost: %.*s",
                          (int)strcspn(msg, "\n"), msg);

    listener_drop(j);
    return rc;
}

static ir_rc wait_locked(pg_journal *j, int64_t timeout_ms, bool *woken, ir_err *err)
{
    int64_t deadline = ir_monotonic_ms() + timeout_ms, left;
    struct pollfd p;
    ir_rc rc;

    if (j->listener == NULL) {
        rc = listener_open(j, err);
        *woken = rc == IR_OK; /* what was sent before LISTEN is unknown: look again */
        return rc;
    }
    for (;;) {
        if (!PQconsumeInput(j->listener) || PQstatus(j->listener) != CONNECTION_OK)
            return lost(j, err);
        if (take_notifications(j)) {
            *woken = true;
            return IR_OK;
        }
        left = deadline - ir_monotonic_ms();
        if (left <= 0)
            return IR_OK;
        p.fd = PQsocket(j->listener);
        p.events = POLLIN;
        p.revents = 0;
        if (p.fd < 0)
            return lost(j, err);
        if (poll(&p, 1, (int)(left > 60000 ? 60000 : left)) < 0 && errno != EINTR)
            return ir_err_set(err, IR_ERR_IO, "journal (PostgreSQL): waiting for work: %s",
                              strerror(errno));
    }
}

ir_rc pg_wait_work(ir_journal *jj, int64_t timeout_ms, bool *woken, ir_err *err)
{
    pg_journal *j = pg_of(jj);
    ir_rc rc;

    pthread_mutex_lock(&j->listen_lock);
    rc = wait_locked(j, timeout_ms, woken, err);
    pthread_mutex_unlock(&j->listen_lock);
    return rc;
}

void pg_listener_close(pg_journal *j)
{
    listener_drop(j);
}

/* --- when work is next due ----------------------------------------------------------- */

typedef struct due_ctx {
    int64_t in_ms;
} due_ctx;

static ir_rc due_txn(PGconn *c, void *ctx, ir_err *err)
{
    due_ctx *d = ctx;
    PGresult *r = NULL;
    char sql[512];
    ir_rc rc;

    snprintf(sql, sizeof(sql),
             "SELECT min(greatest(next_attempt_at, coalesce(lease_until, 0))) - %s FROM"
             " (SELECT next_attempt_at, lease_until FROM entries"
             " WHERE state IN ('pending', 'revoke-pending')"
             " ORDER BY next_attempt_at, seq LIMIT %d) front",
             PG_NOW_MS, PG_DUE_SCAN);
    d->in_ms = -1;
    rc = pg_exec(c, sql, NULL, &r, "asking when work is next due", err);
    if (rc == IR_OK && !PQgetisnull(r, 0, 0)) {
        d->in_ms = pg_col_int(r, 0, 0);
        if (d->in_ms < 0)
            d->in_ms = 0;
    }
    PQclear(r);
    return rc;
}

ir_rc pg_next_due_in(ir_journal *j, int64_t *in_ms, ir_err *err)
{
    due_ctx d = {-1};
    ir_rc rc = pg_txn(pg_of(j), due_txn, &d, err);

    *in_ms = d.in_ms;
    return rc;
}

/* --- shared rate-limit slots --------------------------------------------------------- */

/* One statement: the bucket's next free slot is max(its stored slot, now);
 * the slot after it is stored; the wait is slot - now, on the server's
 * clock, which every daemon shares. The clock is read when the bucket's row
 * is locked (in the SET and RETURNING, not before the INSERT): read before,
 * a reservation that waited for another's lock would count from a moment
 * already past, and its request, sent that much later than its slot, would
 * bunch up with the next. */
#define PG_CLOCK_US "(extract(epoch from clock_timestamp()) * 1000000)::bigint"
static const char reserve_sql[] =
    "INSERT INTO iotreg_quota AS q (bucket, next_slot_us) VALUES ($1, " PG_CLOCK_US " + $2)"
    " ON CONFLICT (bucket) DO UPDATE"
    " SET next_slot_us = greatest(q.next_slot_us, " PG_CLOCK_US ") + $2"
    " RETURNING q.next_slot_us - $2 - " PG_CLOCK_US;

typedef struct reserve_ctx {
    const char *bucket;
    int64_t interval_us;
    int64_t wait_us;
} reserve_ctx;

static ir_rc reserve_txn(PGconn *c, void *ctx, ir_err *err)
{
    reserve_ctx *q = ctx;
    pg_params p = {0};
    PGresult *r = NULL;
    ir_rc rc;

    pg_param_text(&p, q->bucket);
    pg_param_int(&p, q->interval_us);
    q->wait_us = 0;
    rc = pg_exec(c, reserve_sql, &p, &r, "reserving a rate-limit slot", err);
    if (rc == IR_OK && PQntuples(r) == 1)
        q->wait_us = pg_col_int(r, 0, 0);
    PQclear(r);
    if (q->wait_us < 0)
        q->wait_us = 0;
    return rc;
}

ir_rc pg_quota_reserve(ir_journal *j, const char *bucket, int64_t interval_us, int64_t *wait_us,
                       ir_err *err)
{
    reserve_ctx q = {bucket, interval_us, 0};
    ir_rc rc = pg_statement(pg_of(j), reserve_txn, &q, err);

    *wait_us = q.wait_us;
    return rc;
}
