/* Enqueue with group commit. Every caller queues its request; whichever
 * caller finds no commit in progress becomes the leader, takes everything
 * queued, and commits it in one transaction (one fsync), while the others
 * wait. A caller returns once the transaction holding its row is durable.
 * No thread of our own is started: the hook runs inside a CA's process. */
#include "autoconf.h"

#include "journal/journal_sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"

struct sq_waiter {
    const ir_enqueue_req *req;
    const char *cert_id;
    bool known;
    bool done;
    ir_rc rc;
    ir_err err;
    sq_waiter *next;
};

typedef struct enqueue_stmts {
    sqlite3_stmt *insert;
    sqlite3_stmt *stored_der;
} enqueue_stmts;

static const char insert_sql[] =
    "INSERT INTO entries (cert_id, der, subca, customer, unattributed_reason, source, end_entity,"
    " profile, state, step, next_attempt_at, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '" IR_STEP_FIRST "', ?10, ?10, ?10)"
    " ON CONFLICT (cert_id) DO NOTHING";

static int64_t captured_at(const ir_enqueue_req *r, int64_t now)
{
    return r->captured_ms > 0 ? r->captured_ms : now;
}

static void bind_insert(sqlite3_stmt *st, const sq_waiter *w, int64_t now)
{
    const ir_enqueue_req *r = w->req;

    sq_bind_text(st, 1, w->cert_id);
    sqlite3_bind_blob(st, 2, r->der, (int)r->der_len, SQLITE_STATIC);
    sq_bind_text(st, 3, r->subca);
    sq_bind_text(st, 4, r->customer);
    sq_bind_text(st, 5, r->customer != NULL ? NULL : r->unattributed_reason);
    sq_bind_text(st, 6, ir_cert_source_name(r->source));
    sq_bind_text(st, 7, r->end_entity);
    sq_bind_text(st, 8, r->profile);
    sq_bind_text(
        st, 9, ir_entry_state_name(r->customer != NULL ? IR_STATE_PENDING : IR_STATE_UNATTRIBUTED));
    sqlite3_bind_int64(st, 10, captured_at(r, now));
}

/* The row exists already: the same certificate is "already known"; another
 * one with the same id would be a SHA-256 collision and is refused. */
static ir_rc compare_stored(sqlite3 *db, sqlite3_stmt *st, sq_waiter *w, ir_err *err)
{
    const ir_enqueue_req *r = w->req;
    int rc;

    sqlite3_reset(st);
    sq_bind_text(st, 1, w->cert_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        return sq_fail(db, rc, "reading a stored certificate", err);
    if ((size_t)sqlite3_column_bytes(st, 0) == r->der_len &&
        memcmp(sqlite3_column_blob(st, 0), r->der, r->der_len) == 0) {
        w->known = true;
        return IR_OK;
    }
    w->rc = ir_err_set(&w->err, IR_ERR_EXISTS,
                       "journal: a different certificate is stored under id %s; refusing to "
                       "overwrite it",
                       w->cert_id);
    return IR_OK;
}

static ir_rc capture_history(sqlite3 *db, const sq_waiter *w, int64_t now, ir_err *err)
{
    const ir_enqueue_req *r = w->req;
    char detail[IR_JOURNAL_TEXT_MAX + 128];

    if (r->customer != NULL)
        snprintf(detail, sizeof(detail), "via %s from SubCA %s for customer %s",
                 ir_cert_source_name(r->source), r->subca, r->customer);
    else
        snprintf(detail, sizeof(detail), "via %s from SubCA %s, no customer: %s",
                 ir_cert_source_name(r->source), r->subca, r->unattributed_reason);
    return sq_history_at(db, w->cert_id, captured_at(r, now), IR_STEP_CAPTURE, "ok", detail, NULL,
                         err);
}

/* Failures that concern one request (a constraint) are that request's; the
 * others concern the transaction and fail the whole batch. */
static ir_rc insert_one(sqlite3 *db, enqueue_stmts *s, sq_waiter *w, int64_t now, ir_err *err)
{
    int rc;

    w->known = false;
    w->rc = IR_OK;
    sqlite3_reset(s->insert);
    sqlite3_clear_bindings(s->insert);
    bind_insert(s->insert, w, now);
    rc = sqlite3_step(s->insert);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        w->rc = sq_fail(db, rc, "inserting a journal entry", &w->err);
        return IR_OK;
    }
    if (rc != SQLITE_DONE)
        return sq_fail(db, rc, "inserting a journal entry", err);
    if (sqlite3_changes(db) == 0)
        return compare_stored(db, s->stored_der, w, err);
    return capture_history(db, w, now, err);
}

static ir_rc insert_batch(sqlite3 *db, void *ctx, ir_err *err)
{
    enqueue_stmts s = {NULL, NULL};
    int64_t now = ir_realtime_ms();
    sq_waiter *w;
    ir_rc rc = sq_prepare(db, insert_sql, &s.insert, err);

    if (rc == IR_OK)
        rc = sq_prepare(db, "SELECT der FROM entries WHERE cert_id = ?1", &s.stored_der, err);
    for (w = ctx; rc == IR_OK && w != NULL; w = w->next)
        rc = insert_one(db, &s, w, now, err);
    sqlite3_finalize(s.insert);
    sqlite3_finalize(s.stored_der);
    return rc;
}

/* Detaches up to SQ_BATCH_MAX waiters from the head of the queue. */
static sq_waiter *take_batch(sq_journal *j)
{
    sq_waiter *head = j->queue_head, *last = head;
    int n = 1;

    while (last->next != NULL && n < SQ_BATCH_MAX) {
        last = last->next;
        n++;
    }
    j->stats.enqueues += (uint64_t)n;
    j->stats.transactions++;
    j->queue_head = last->next;
    if (j->queue_head == NULL)
        j->queue_tail = NULL;
    last->next = NULL;
    return head;
}

static void complete_batch(sq_waiter *batch, ir_rc rc, const ir_err *err)
{
    sq_waiter *w, *next;

    for (w = batch; w != NULL; w = next) {
        next = w->next;
        if (rc != IR_OK) {
            w->rc = rc;
            w->known = false;
            w->err = *err;
        }
        w->done = true;
    }
}

/* Called and returns with gc_lock held. */
static void lead_commit(sq_journal *j)
{
    sq_waiter *batch = take_batch(j);
    ir_err err = {0};
    ir_rc rc;

    j->committing = true;
    pthread_mutex_unlock(&j->gc_lock);
    rc = sq_write(j, insert_batch, batch, &err);
    pthread_mutex_lock(&j->gc_lock);
    complete_batch(batch, rc, &err);
    j->committing = false;
    pthread_cond_broadcast(&j->gc_cond);
}

void sq_stats(ir_journal *jj, ir_journal_stats *out)
{
    sq_journal *j = sq_of(jj);

    pthread_mutex_lock(&j->gc_lock);
    *out = j->stats;
    pthread_mutex_unlock(&j->gc_lock);
}

ir_rc sq_enqueue(ir_journal *jj, const ir_checked_req *c, bool *already_known, ir_err *err)
{
    sq_journal *j = sq_of(jj);
    sq_waiter w = {.req = c->req, .cert_id = c->cert_id};

    pthread_mutex_lock(&j->gc_lock);
    if (j->queue_tail != NULL)
        j->queue_tail->next = &w;
    else
        j->queue_head = &w;
    j->queue_tail = &w;
    while (!w.done) {
        if (j->committing)
            pthread_cond_wait(&j->gc_cond, &j->gc_lock);
        else
            lead_commit(j);
    }
    pthread_mutex_unlock(&j->gc_lock);
    *already_known = w.known;
    if (w.rc != IR_OK && err != NULL)
        *err = w.err;
    return w.rc;
}

/* --- the spool ---------------------------------------------------------------- */

typedef struct spooled {
    sq_waiter w;
    ir_checked_req c;
} spooled;

/* Records read back from the spool do not carry their certificate id, and
 * come from a file: each is checked as any enqueue is (ir_enqueue_check). */

ir_rc sq_insert_spooled(sq_journal *j, const ir_enqueue_req *reqs, size_t n, ir_err *err)
{
    spooled *s = calloc(n ? n : 1, sizeof(*s));
    sq_waiter *head = NULL, **tail = &head;
    size_t i;
    ir_err e;
    ir_rc rc;

    if (s == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory taking in the spool");
    for (i = 0; i < n; i++) {
        memset(&e, 0, sizeof(e));
        if (ir_enqueue_check(&reqs[i], &s[i].c, &e) != IR_OK) {
            ir_log_error("journal: a spooled certificate was refused and dropped: %s", e.msg);
            continue;
        }
        s[i].w.req = &reqs[i];
        s[i].w.cert_id = s[i].c.cert_id;
        *tail = &s[i].w;
        tail = &s[i].w.next;
    }
    rc = head != NULL ? sq_write(j, insert_batch, head, err) : IR_OK;
    for (i = 0; rc == IR_OK && i < n; i++)
        if (s[i].w.req != NULL && s[i].w.rc != IR_OK)
            ir_log_error("journal: spooled certificate %s was refused and dropped: %s",
                         s[i].c.cert_id, s[i].w.err.msg);
    free(s);
    return rc;
}
