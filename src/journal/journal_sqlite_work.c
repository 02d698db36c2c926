/* Claims and state changes. Every change is one transaction: the entry's
 * row is updated under a condition (the worker holds the claim, the state
 * allows it) and a history row is appended; when the condition does not hold
 * nothing changes and the caller learns why. */
#include "autoconf.h"

#include "journal/journal_sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define DUE_STATES "('pending', 'revoke-pending')"

typedef struct change change;

typedef struct work_ctx {
    const change *change; /* a simple change (apply) */
    const char *cert_id;
    const char *worker;
    const char *text; /* error, reason, detail or customer */
    int64_t when;     /* next attempt, lease length or revocation time */
    int reason;
    const ir_step_outcome *outcome;
    bool already;
} work_ctx;

ir_rc sq_history_at(sqlite3 *db, const char *cert_id, int64_t at_ms, const char *step,
                    const char *result, const char *detail, const char *worker, ir_err *err)
{
    sqlite3_stmt *st = NULL;
    ir_rc rc = sq_prepare(db,
                          "INSERT INTO history (cert_id, at, step, result, detail, worker)"
                          " SELECT cert_id, ?2, coalesce(?3, step), ?4, ?5, ?6"
                          " FROM entries WHERE cert_id = ?1",
                          &st, err);

    if (rc != IR_OK)
        return rc;
    sq_bind_text(st, 1, cert_id);
    sqlite3_bind_int64(st, 2, at_ms);
    sq_bind_text(st, 3, step);
    sq_bind_text(st, 4, result);
    sq_bind_text(st, 5, detail);
    sq_bind_text(st, 6, worker);
    return sq_run(db, st, "appending to the history", err);
}

ir_rc sq_history(sqlite3 *db, const char *cert_id, const char *step, const char *result,
                 const char *detail, const char *worker, ir_err *err)
{
    return sq_history_at(db, cert_id, ir_realtime_ms(), step, result, detail, worker, err);
}

/* Says why a conditional update changed nothing. */
static ir_rc explain(sqlite3 *db, const work_ctx *c, const char *action, ir_err *err)
{
    sqlite3_stmt *st = NULL;
    ir_rc rc = sq_prepare(db, "SELECT state, claimed_by FROM entries WHERE cert_id = ?1", &st, err);
    const char *state, *holder;

    if (rc != IR_OK)
        return rc;
    sq_bind_text(st, 1, c->cert_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return ir_err_set(err, IR_ERR_NOT_FOUND, "journal: no entry for certificate %s",
                          c->cert_id);
    }
    state = (const char *)sqlite3_column_text(st, 0);
    holder = (const char *)sqlite3_column_text(st, 1);
    rc = ir_journal_refusal(err, c->cert_id, c->worker, holder, state, true, action);
    sqlite3_finalize(st);
    return rc;
}

/* Runs an UPDATE whose parameters are bound already; IR_OK and *changed. */
static ir_rc update(sqlite3 *db, sqlite3_stmt *st, bool *changed, ir_err *err)
{
    int rc = sqlite3_step(st);

    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_fail(db, rc, "updating a journal entry", err);
    *changed = sqlite3_changes(db) > 0;
    return IR_OK;
}

/* Prepares sql and binds ?1 cert_id, ?2 worker, ?3 now. */
static ir_rc prepare_for(sqlite3 *db, const char *sql, const work_ctx *c, sqlite3_stmt **st,
                         ir_err *err)
{
    ir_rc rc = sq_prepare(db, sql, st, err);

    if (rc != IR_OK)
        return rc;
    sq_bind_text(*st, 1, c->cert_id);
    sq_bind_text(*st, 2, c->worker);
    sqlite3_bind_int64(*st, 3, ir_realtime_ms());
    return IR_OK;
}

static ir_rc run_update(sqlite3 *db, const char *sql, const work_ctx *c, const char *action,
                        ir_err *err)
{
    sqlite3_stmt *st = NULL;
    bool changed = false;
    ir_rc rc = prepare_for(db, sql, c, &st, err);

    if (rc != IR_OK)
        return rc;
    sq_bind_text(st, 4, c->text);
    sqlite3_bind_int64(st, 5, c->when);
    sqlite3_bind_int(st, 6, c->reason);
    rc = update(db, st, &changed, err);
    if (rc == IR_OK && !changed)
        rc = explain(db, c, action, err);
    return rc;
}

/* A change of state that is one conditional UPDATE (?1 cert_id, ?2 worker,
 * ?3 now, ?4 text, ?5 when, ?6 reason) and, when history names its result,
 * a history row with the text as its detail. */
struct change {
    const char *action;  /* "cannot <action> it" when the condition fails */
    const char *history; /* the history row's result; NULL: none */
    const char *sql;
};

static ir_rc change_txn(sqlite3 *db, void *ctx, ir_err *err)
{
    work_ctx *c = ctx;
    ir_rc rc = run_update(db, c->change->sql, c, c->change->action, err);

    if (rc == IR_OK && c->change->history != NULL)
        rc = sq_history(db, c->cert_id, NULL, c->change->history, c->text, c->worker, err);
    return rc;
}

static ir_rc apply(ir_journal *j, const change *what, work_ctx c, ir_err *err)
{
    c.change = what;
    return sq_write(sq_of(j), change_txn, &c, err);
}

static const change renew = {"renew the lease of", NULL,
                             "UPDATE entries SET lease_until = ?3 + ?5, updated_at = ?3"
                             " WHERE cert_id = ?1 AND claimed_by = ?2"};

ir_rc sq_renew_lease(ir_journal *j, const char *cert_id, const char *worker, int64_t lease_ms,
                     ir_err *err)
{
    return apply(j, &renew, (work_ctx){.cert_id = cert_id, .worker = worker, .when = lease_ms},
                 err);
}

static const change release = {
    "release", NULL,
    "UPDATE entries SET claimed_by = NULL, lease_until = NULL, updated_at = ?3"
    " WHERE cert_id = ?1 AND claimed_by = ?2"};

ir_rc sq_release_claim(ir_journal *j, const char *cert_id, const char *worker, ir_err *err)
{
    return apply(j, &release, (work_ctx){.cert_id = cert_id, .worker = worker}, err);
}

static ir_rc store_fact(sqlite3 *db, const char *cert_id, const ir_fact *f, ir_err *err)
{
    sqlite3_stmt *st = NULL;
    ir_rc rc = sq_prepare(db,
                          "INSERT INTO facts (cert_id, key, value, updated_at)"
                          " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (cert_id, key)"
                          " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                          &st, err);

    if (rc != IR_OK)
        return rc;
    sq_bind_text(st, 1, cert_id);
    sq_bind_text(st, 2, f->key);
    sq_bind_text(st, 3, f->value);
    sqlite3_bind_int64(st, 4, ir_realtime_ms());
    return sq_run(db, st, "storing a fact", err);
}

static ir_rc record_txn(sqlite3 *db, void *ctx, ir_err *err)
{
    work_ctx *c = ctx;
    const ir_step_outcome *o = c->outcome;
    size_t i;
    ir_rc rc;

    c->text = o->next_step;
    rc = run_update(db,
                    "UPDATE entries SET step = ?4, updated_at = ?3"
                    " WHERE cert_id = ?1 AND claimed_by = ?2 AND state IN " DUE_STATES,
                    c, "record a step of", err);
    if (rc == IR_OK)
        rc = sq_history(db, c->cert_id, o->step, o->result, o->detail, c->worker, err);
    for (i = 0; rc == IR_OK && i < o->n_facts; i++)
        rc = store_fact(db, c->cert_id, &o->facts[i], err);
    return rc;
}

ir_rc sq_record_step(ir_journal *j, const char *cert_id, const char *worker,
                     const ir_step_outcome *o, ir_err *err)
{
    work_ctx c = {.cert_id = cert_id, .worker = worker, .outcome = o};

    return sq_write(sq_of(j), record_txn, &c, err);
}

static const change retry = {
    "schedule a retry of", "retry",
    "UPDATE entries SET attempts = attempts + 1, next_attempt_at = ?5,"
    " last_error = ?4, claimed_by = NULL, lease_until = NULL, updated_at = ?3"
    " WHERE cert_id = ?1 AND claimed_by = ?2 AND state IN " DUE_STATES};

ir_rc sq_schedule_retry(ir_journal *j, const char *cert_id, const char *worker,
                        int64_t next_attempt_ms, const char *error, ir_err *err)
{
    return apply(
        j, &retry,
        (work_ctx){.cert_id = cert_id, .worker = worker, .text = error, .when = next_attempt_ms},
        err);
}

/* SET expressions see the row as it was: `state` below is the old state. */
static const change finish = {
    "finish", "finished",
    "UPDATE entries SET"
    " state = CASE state WHEN 'revoke-pending' THEN 'revoked' ELSE 'done' END,"
    " step = CASE state WHEN 'pending' THEN '" IR_STEP_DONE "' ELSE step END,"
    " last_error = NULL, claimed_by = NULL, lease_until = NULL, updated_at = ?3"
    " WHERE cert_id = ?1 AND claimed_by = ?2 AND state IN " DUE_STATES};

ir_rc sq_finish(ir_journal *j, const char *cert_id, const char *worker, const char *detail,
                ir_err *err)
{
    return apply(j, &finish, (work_ctx){.cert_id = cert_id, .worker = worker, .text = detail}, err);
}

/* Without a worker: an operator parks the entry, whoever holds it. */
static const change park = {"park", "parked",
                            "UPDATE entries SET state = 'parked', last_error = ?4,"
                            " claimed_by = NULL, lease_until = NULL, updated_at = ?3"
                            " WHERE cert_id = ?1 AND (?2 IS NULL AND state IN"
                            " ('pending', 'revoke-pending', 'unattributed')"
                            " OR claimed_by = ?2 AND state IN " DUE_STATES ")"};

ir_rc sq_park(ir_journal *j, const char *cert_id, const char *worker, const char *reason,
              ir_err *err)
{
    return apply(j, &park, (work_ctx){.cert_id = cert_id, .worker = worker, .text = reason}, err);
}

static const change retry_now = {
    "retry", "retry-now",
    "UPDATE entries SET state = CASE"
    " WHEN revocation_requested THEN 'revoke-pending'"
    " WHEN customer IS NULL THEN 'unattributed' ELSE 'pending' END,"
    " attempts = 0, next_attempt_at = ?3, updated_at = ?3"
    " WHERE cert_id = ?1 AND state IN ('parked', 'pending', 'revoke-pending')"};

ir_rc sq_retry_now(ir_journal *j, const char *cert_id, ir_err *err)
{
    return apply(j, &retry_now, (work_ctx){.cert_id = cert_id, .text = "by the operator"}, err);
}

static ir_rc assign_txn(sqlite3 *db, void *ctx, ir_err *err)
{
    work_ctx *c = ctx;
    char detail[IR_JOURNAL_NAME_MAX + 64];
    ir_rc rc = run_update(db,
                          "UPDATE entries SET customer = ?4, unattributed_reason = NULL,"
                          " state = 'pending', attempts = 0, next_attempt_at = ?3,"
                          " updated_at = ?3"
                          " WHERE cert_id = ?1 AND state = 'unattributed'",
                          c, "assign a customer to", err);

    snprintf(detail, sizeof(detail), "customer %s, by the operator", c->text);
    return rc == IR_OK ? sq_history(db, c->cert_id, "assign", "ok", detail, NULL, err) : rc;
}

ir_rc sq_assign(ir_journal *j, const char *cert_id, const char *customer, ir_err *err)
{
    work_ctx c = {.cert_id = cert_id, .text = customer};

    return sq_write(sq_of(j), assign_txn, &c, err);
}

static ir_rc revocation_known(sqlite3 *db, work_ctx *c, ir_err *err)
{
    sqlite3_stmt *st = NULL;
    ir_rc rc = sq_prepare(db,
                          "SELECT revocation_requested OR state = 'revoked' FROM entries"
                          " WHERE cert_id = ?1",
                          &st, err);

    if (rc != IR_OK)
        return rc;
    sq_bind_text(st, 1, c->cert_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        c->already = sqlite3_column_int(st, 0) != 0;
    else
        rc = ir_err_set(err, IR_ERR_NOT_FOUND,
                        "journal: no entry for certificate %s; capture the certificate first",
                        c->cert_id);
    sqlite3_finalize(st);
    return rc;
}

/* A worker in the middle of delivering loses its claim: its next record
 * fails, and the entry is claimed again as revoke-pending. */
static ir_rc revoke_txn(sqlite3 *db, void *ctx, ir_err *err)
{
    work_ctx *c = ctx;
    char detail[96];
    ir_rc rc = revocation_known(db, c, err);

    if (rc != IR_OK || c->already)
        return rc;
    rc = run_update(db,
                    "UPDATE entries SET revocation_requested = 1, revocation_reason = ?6,"
                    " revocation_time = ?5, state = 'revoke-pending', attempts = 0,"
                    " next_attempt_at = ?3, last_error = NULL, claimed_by = NULL,"
                    " lease_until = NULL, updated_at = ?3 WHERE cert_id = ?1",
                    c, "revoke", err);
    snprintf(detail, sizeof(detail), "reason %d, revoked at %lld ms", c->reason,
             (long long)c->when);
    return rc == IR_OK ? sq_history(db, c->cert_id, "revoke", "requested", detail, NULL, err) : rc;
}

ir_rc sq_request_revocation(ir_journal *j, const char *cert_id, int reason,
                            int64_t revocation_time_ms, bool *already, ir_err *err)
{
    work_ctx c = {.cert_id = cert_id, .reason = reason, .when = revocation_time_ms};
    ir_rc rc = sq_write(sq_of(j), revoke_txn, &c, err);

    *already = c.already;
    return rc;
}

typedef struct claim_ctx {
    const ir_claim_opts *o;
    ir_entry_list *out;
    int64_t *seqs;
} claim_ctx;

static ir_rc select_due(sqlite3 *db, claim_ctx *c, int64_t now, size_t *n, ir_err *err)
{
    sqlite3_stmt *st = NULL;
    int step;
    ir_rc rc =
        sq_prepare(db,
                   "SELECT seq FROM entries WHERE state IN " DUE_STATES " AND next_attempt_at <= ?1"
                   " AND (claimed_by IS NULL OR lease_until <= ?1)"
                   " AND (?2 IS NULL OR customer = ?2)"
                   " ORDER BY next_attempt_at, seq LIMIT ?3",
                   &st, err);

    if (rc != IR_OK)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    sq_bind_text(st, 2, c->o->customer);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)c->o->max);
    for (*n = 0; (step = sqlite3_step(st)) == SQLITE_ROW;)
        c->seqs[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? IR_OK : sq_fail(db, step, "selecting due entries", err);
}

static ir_rc claim_one(sqlite3 *db, claim_ctx *c, int64_t seq, int64_t now, ir_err *err)
{
    sqlite3_stmt *st = NULL;
    ir_rc rc = sq_prepare(db,
                          "UPDATE entries SET claimed_by = ?1, lease_until = ?2, updated_at = ?3"
                          " WHERE seq = ?4",
                          &st, err);

    if (rc != IR_OK)
        return rc;
    sq_bind_text(st, 1, c->o->worker);
    sqlite3_bind_int64(st, 2, now + c->o->lease_ms);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, seq);
    rc = sq_run(db, st, "claiming an entry", err);
    if (rc != IR_OK)
        return rc;
    c->out->n++;
    return sq_load_claimed(db, seq, &c->out->items[c->out->n - 1], err);
}

static ir_rc claim_txn(sqlite3 *db, void *ctx, ir_err *err)
{
    claim_ctx *c = ctx;
    int64_t now = ir_realtime_ms();
    size_t i, n = 0;
    ir_rc rc;

    ir_entry_list_free(c->out);
    rc = select_due(db, c, now, &n, err);
    if (rc != IR_OK || n == 0)
        return rc;
    c->out->items = calloc(n, sizeof(*c->out->items));
    if (c->out->items == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory claiming %zu entries", n);
    for (i = 0; rc == IR_OK && i < n; i++)
        rc = claim_one(db, c, c->seqs[i], now, err);
    return rc;
}

ir_rc sq_claim(ir_journal *j, const ir_claim_opts *o, ir_entry_list *out, ir_err *err)
{
    claim_ctx c = {.o = o, .out = out, .seqs = calloc(o->max, sizeof(int64_t))};
    ir_rc rc;

    if (c.seqs == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory claiming entries");
    rc = sq_write(sq_of(j), claim_txn, &c, err);
    free(c.seqs);
    if (rc != IR_OK)
        ir_entry_list_free(out);
    return rc;
}
