/* Copying an entry in (what `iotregctl journal copy` runs): the entry as
 * another journal's ir_journal_get returned it, with its history and facts,
 * unclaimed, in one transaction; nothing when the certificate is here
 * already. The seq, and the history rows' ids, are this journal's own. */
#include "autoconf.h"

#include "journal/journal_sqlite_internal.h"

static const char insert_sql[] =
    "INSERT INTO entries (cert_id, der, subca, customer, unattributed_reason, source, end_entity,"
    " profile, state, step, attempts, next_attempt_at, last_error, claimed_by, lease_until,"
    " revocation_requested, revocation_reason, revocation_time, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, NULL, NULL, ?14, ?15, ?16,"
    " ?17, ?18) ON CONFLICT (cert_id) DO NOTHING";

typedef struct copy_ctx {
    const ir_journal_entry *e;
    bool copied;
} copy_ctx;

static void bind_entry(sqlite3_stmt *st, const ir_journal_entry *e)
{
    sq_bind_text(st, 1, e->cert_id);
    sqlite3_bind_blob(st, 2, e->der, (int)e->der_len, SQLITE_STATIC);
    sq_bind_text(st, 3, e->subca);
    sq_bind_text(st, 4, e->customer);
    sq_bind_text(st, 5, e->unattributed_reason);
    sq_bind_text(st, 6, ir_cert_source_name(e->source));
    sq_bind_text(st, 7, e->end_entity);
    sq_bind_text(st, 8, e->profile);
    sq_bind_text(st, 9, ir_entry_state_name(e->state));
    sq_bind_text(st, 10, e->step);
    sqlite3_bind_int(st, 11, e->attempts);
    sqlite3_bind_int64(st, 12, e->next_attempt_ms);
    sq_bind_text(st, 13, e->last_error);
    sqlite3_bind_int(st, 14, e->revocation_requested ? 1 : 0);
    if (e->revocation_requested) { /* else NULL, as an entry never asked to be revoked has */
        sqlite3_bind_int(st, 15, e->revocation_reason);
        sqlite3_bind_int64(st, 16, e->revocation_time_ms);
    }
    sqlite3_bind_int64(st, 17, e->created_ms);
    sqlite3_bind_int64(st, 18, e->updated_ms);
}

static ir_rc copy_facts(sqlite3 *db, const ir_journal_entry *e, ir_err *err)
{
    sqlite3_stmt *st = NULL;
    size_t i;
    ir_rc rc = sq_prepare(db,
                          "INSERT INTO facts (cert_id, key, value, updated_at)"
                          " VALUES (?1, ?2, ?3, ?4)",
                          &st, err);

    for (i = 0; rc == IR_OK && i < e->n_facts; i++) {
        sqlite3_reset(st);
        sq_bind_text(st, 1, e->cert_id);
        sq_bind_text(st, 2, e->facts[i].key);
        sq_bind_text(st, 3, e->facts[i].value);
        sqlite3_bind_int64(st, 4, e->updated_ms);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = sq_fail(db, sqlite3_errcode(db), "copying a fact", err);
    }
    sqlite3_finalize(st);
    return rc;
}

static ir_rc copy_txn(sqlite3 *db, void *ctx, ir_err *err)
{
    copy_ctx *c = ctx;
    const ir_journal_entry *e = c->e;
    const ir_history_row *h;
    sqlite3_stmt *st = NULL;
    size_t i;
    ir_rc rc = sq_prepare(db, insert_sql, &st, err);

    c->copied = false;
    if (rc != IR_OK)
        return rc;
    bind_entry(st, e);
    rc = sq_run(db, st, "copying a journal entry", err);
    if (rc != IR_OK || sqlite3_changes(db) == 0)
        return rc;
    for (i = 0; rc == IR_OK && i < e->n_history; i++) {
        h = &e->history[i];
        rc = sq_history_at(db, e->cert_id, h->at_ms, h->step, h->result, h->detail, h->worker, err);
    }
    if (rc == IR_OK)
        rc = copy_facts(db, e, err);
    c->copied = rc == IR_OK;
    return rc;
}

ir_rc sq_copy_entry(ir_journal *j, const ir_journal_entry *e, bool *copied, ir_err *err)
{
    copy_ctx c = {.e = e};
    ir_rc rc = sq_write(sq_of(j), copy_txn, &c, err);

    *copied = rc == IR_OK && c.copied;
    return rc;
}
