/* Enqueue: the batch group commit (journal_commit.c) hands to one
 * transaction (one fsync). */
#include "autoconf.h"

#include "journal/journal_sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"

typedef struct enqueue_stmts {
    sqlite3_stmt *insert;
    sqlite3_stmt *stored_der;
} enqueue_stmts;

static const char insert_sql[] =
    "INSERT INTO entries (cert_id, der, subca, customer, unattributed_reason, source, end_entity,"
    " profile, state, step, next_attempt_at, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '" IR_STEP_FIRST "', ?10, ?10, ?10)"
    " ON CONFLICT (cert_id) DO NOTHING";

static void bind_insert(sqlite3_stmt *st, const ir_gc_waiter *w, int64_t now)
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
    sqlite3_bind_int64(st, 10, ir_captured_at(r, now));
}

/* The row exists already: the same certificate is "already known"; another
 * one with the same id would be a SHA-256 collision and is refused. */
static ir_rc compare_stored(sqlite3 *db, sqlite3_stmt *st, ir_gc_waiter *w, ir_err *err)
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

static ir_rc capture_history(sqlite3 *db, const ir_gc_waiter *w, int64_t now, ir_err *err)
{
    const ir_enqueue_req *r = w->req;
    char detail[IR_JOURNAL_TEXT_MAX + 128];

    ir_capture_detail(r, detail, sizeof(detail));
    return sq_history_at(db, w->cert_id, ir_captured_at(r, now), IR_STEP_CAPTURE, "ok", detail,
                         NULL, err);
}

/* Failures that concern one request (a constraint) are that request's; the
 * others concern the transaction and fail the whole batch. */
static ir_rc insert_one(sqlite3 *db, enqueue_stmts *s, ir_gc_waiter *w, int64_t now, ir_err *err)
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
    ir_gc_waiter *w;
    ir_rc rc = sq_prepare(db, insert_sql, &s.insert, err);

    if (rc == IR_OK)
        rc = sq_prepare(db, "SELECT der FROM entries WHERE cert_id = ?1", &s.stored_der, err);
    for (w = ctx; rc == IR_OK && w != NULL; w = w->next)
        rc = insert_one(db, &s, w, now, err);
    sqlite3_finalize(s.insert);
    sqlite3_finalize(s.stored_der);
    return rc;
}

ir_rc sq_insert_batch(void *ctx, ir_gc_waiter *batch, ir_err *err)
{
    return sq_write(ctx, insert_batch, batch, err);
}

void sq_stats(ir_journal *j, ir_journal_stats *out)
{
    ir_gc_stats(&sq_of(j)->gc, out);
}

ir_rc sq_enqueue(ir_journal *j, const ir_checked_req *c, bool *already_known, ir_err *err)
{
    return ir_gc_enqueue(&sq_of(j)->gc, c, already_known, err);
}
