/* Enqueue, claims and state changes on PostgreSQL. A claim takes due rows
 * with FOR UPDATE SKIP LOCKED in one short transaction and gives each a
 * lease (the worker, an expiry on the server's clock); no transaction stays
 * open while the worker calls AWS. Every change a worker makes is fenced by
 * its claim and its lease (claimed_by = worker AND lease_until > now): a
 * worker whose lease expired, whether or not another took the entry since,
 * changes nothing and learns why (IR_ERR_STATE). Releasing needs only the
 * claim: giving back an expired lease overwrites no one's progress. */
#include "autoconf.h"

#include "journal/journal_pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUE_STATES "('pending', 'revoke-pending')"
#define FENCE      "claimed_by = $2 AND lease_until > " PG_NOW_MS

/* --- enqueue --------------------------------------------------------------------- */

/* One statement: the entry and its capture history row when new; otherwise
 * whether the stored certificate is the same (NULL when another transaction
 * committed it after this statement's snapshot: asked again below). */
static const char insert_sql[] =
    "WITH ins AS (INSERT INTO entries (cert_id, der, subca, customer, unattributed_reason, source,"
    " end_entity, profile, state, step, next_attempt_at, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '" IR_STEP_FIRST "', $10, $10, $10)"
    " ON CONFLICT (cert_id) DO NOTHING RETURNING cert_id),"
    " h AS (INSERT INTO history (cert_id, at, step, result, detail)"
    " SELECT cert_id, $10, '" IR_STEP_CAPTURE "', 'ok', $11 FROM ins)"
    " SELECT (SELECT count(*) FROM ins), (SELECT der = $2 FROM entries WHERE cert_id = $1)";

static ir_rc same_der(PGconn *c, ir_gc_waiter *w, const PGresult *r, ir_err *err)
{
    pg_params p = {0};
    PGresult *again = NULL;
    bool same;
    ir_rc rc = IR_OK;

    if (PQgetisnull(r, 0, 1)) {
        pg_param_text(&p, w->cert_id);
        pg_param_bytes(&p, w->req->der, w->req->der_len);
        rc = pg_exec(c, "SELECT der = $2 FROM entries WHERE cert_id = $1", &p, &again,
                     "reading a stored certificate", err);
        if (rc != IR_OK)
            return rc;
        same = PQntuples(again) == 1 && PQgetvalue(again, 0, 0)[0] == 't';
        PQclear(again);
    } else {
        same = PQgetvalue(r, 0, 1)[0] == 't';
    }
    if (same)
        w->known = true;
    else
        w->rc = ir_err_set(&w->err, IR_ERR_EXISTS,
                           "journal: a different certificate is stored under id %s; refusing to "
                           "overwrite it",
                           w->cert_id);
    return IR_OK;
}

static ir_rc insert_one(PGconn *c, ir_gc_waiter *w, int64_t now, ir_err *err)
{
    const ir_enqueue_req *r = w->req;
    char detail[IR_JOURNAL_TEXT_MAX + 128];
    pg_params p = {0};
    PGresult *res = NULL;
    ir_rc rc;

    w->known = false;
    w->rc = IR_OK;
    ir_capture_detail(r, detail, sizeof(detail));
    pg_param_text(&p, w->cert_id);
    pg_param_bytes(&p, r->der, r->der_len);
    pg_param_text(&p, r->subca);
    pg_param_text(&p, r->customer);
    pg_param_text(&p, r->customer != NULL ? NULL : r->unattributed_reason);
    pg_param_text(&p, ir_cert_source_name(r->source));
    pg_param_text(&p, r->end_entity);
    pg_param_text(&p, r->profile);
    pg_param_text(
        &p, ir_entry_state_name(r->customer != NULL ? IR_STATE_PENDING : IR_STATE_UNATTRIBUTED));
    pg_param_int(&p, ir_captured_at(r, now));
    pg_param_text(&p, detail);
    rc = pg_exec(c, insert_sql, &p, &res, "inserting a journal entry", err);
    if (rc != IR_OK)
        return rc;
    if (pg_col_int(res, 0, 0) == 0)
        rc = same_der(c, w, res, err);
    PQclear(res);
    return rc;
}

static ir_rc insert_txn(PGconn *c, void *ctx, ir_err *err)
{
    int64_t now = 0;
    PGresult *r = NULL;
    ir_gc_waiter *w;
    ir_rc rc = pg_exec(c, "SELECT " PG_NOW_MS, NULL, &r, "reading the time", err);

    if (rc == IR_OK)
        now = pg_col_int(r, 0, 0);
    PQclear(r);
    for (w = ctx; rc == IR_OK && w != NULL; w = w->next)
        rc = insert_one(c, w, now, err);
    return rc == IR_OK ? pg_notify_work(c, err) : rc;
}

ir_rc pg_insert_batch(void *ctx, ir_gc_waiter *batch, ir_err *err)
{
    return pg_txn(ctx, insert_txn, batch, err);
}

/* --- history and conditional changes --------------------------------------------- */

typedef struct change change;

typedef struct work_ctx {
    const change *change;
    const char *cert_id;
    const char *worker;
    const char *text; /* error, reason, detail or customer */
    int64_t when;     /* next attempt, lease length or revocation time */
    int reason;
    const ir_step_outcome *outcome;
    bool already;
} work_ctx;

/* Appends a history row whose step is the entry's current one when step is NULL. */
static ir_rc history(PGconn *c, const char *cert_id, const char *step, const char *result,
                     const char *detail, const char *worker, ir_err *err)
{
    pg_params p = {0};

    pg_param_text(&p, cert_id);
    pg_param_text(&p, step);
    pg_param_text(&p, result);
    pg_param_text(&p, detail);
    pg_param_text(&p, worker);
    return pg_exec(c,
                   "INSERT INTO history (cert_id, at, step, result, detail, worker)"
                   " SELECT cert_id, " PG_NOW_MS ", coalesce($2, step), $3, $4, $5"
                   " FROM entries WHERE cert_id = $1",
                   &p, NULL, "appending to the history", err);
}

/* Says why a conditional update changed nothing. */
static ir_rc explain(PGconn *c, const work_ctx *w, const char *action, ir_err *err)
{
    pg_params p = {0};
    PGresult *r = NULL;
    const char *state, *holder;
    bool live;
    ir_rc rc;

    pg_param_text(&p, w->cert_id);
    rc = pg_exec(c,
                 "SELECT state, claimed_by, coalesce(lease_until > " PG_NOW_MS ", false)"
                 " FROM entries WHERE cert_id = $1",
                 &p, &r, "reading an entry", err);
    if (rc != IR_OK)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return ir_err_set(err, IR_ERR_NOT_FOUND, "journal: no entry for certificate %s",
                          w->cert_id);
    }
    state = PQgetvalue(r, 0, 0);
    holder = PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1);
    live = PQgetvalue(r, 0, 2)[0] == 't';
    rc = ir_journal_refusal(err, w->cert_id, w->worker, holder, state,
                            live || strcmp(action, "release") == 0, action);
    PQclear(r);
    return rc;
}

/* Runs sql with $1 cert_id, $2 worker, $3 text, $4 when, $5 reason; when
 * it changes no row, says why. */
static ir_rc run_update(PGconn *c, const char *sql, const work_ctx *w, const char *action,
                        ir_err *err)
{
    pg_params p = {0};
    PGresult *r = NULL;
    bool changed;
    ir_rc rc;

    pg_param_text(&p, w->cert_id);
    pg_param_text(&p, w->worker);
    pg_param_text(&p, w->text);
    pg_param_int(&p, w->when);
    pg_param_int(&p, w->reason);
    rc = pg_exec(c, sql, &p, &r, "updating a journal entry", err);
    if (rc != IR_OK)
        return rc;
    changed = strcmp(PQcmdTuples(r), "0") != 0;
    PQclear(r);
    return changed ? IR_OK : explain(c, w, action, err);
}

struct change {
    const char *action;  /* "cannot <action> it" when the condition fails */
    const char *history; /* the history row's result; NULL: none */
    const char *sql;
    bool wakes; /* the entry may be due for another worker: notify */
};

static ir_rc change_txn(PGconn *c, void *ctx, ir_err *err)
{
    work_ctx *w = ctx;
    ir_rc rc = run_update(c, w->change->sql, w, w->change->action, err);

    if (rc == IR_OK && w->change->history != NULL)
        rc = history(c, w->cert_id, NULL, w->change->history, w->text, w->worker, err);
    if (rc == IR_OK && w->change->wakes)
        rc = pg_notify_work(c, err);
    return rc;
}

static ir_rc apply(ir_journal *j, const change *what, work_ctx w, ir_err *err)
{
    w.change = what;
    return pg_txn(pg_of(j), change_txn, &w, err);
}

static const change renew = {"renew the lease of", NULL,
                             "UPDATE entries SET lease_until = " PG_NOW_MS " + $4,"
                             " updated_at = " PG_NOW_MS " WHERE cert_id = $1 AND " FENCE,
                             false};

ir_rc pg_renew_lease(ir_journal *j, const char *cert_id, const char *worker, int64_t lease_ms,
                     ir_err *err)
{
    return apply(j, &renew, (work_ctx){.cert_id = cert_id, .worker = worker, .when = lease_ms},
                 err);
}

static const change release = {"release", NULL,
                               "UPDATE entries SET claimed_by = NULL, lease_until = NULL,"
                               " updated_at = " PG_NOW_MS " WHERE cert_id = $1 AND claimed_by = $2",
                               true};

ir_rc pg_release_claim(ir_journal *j, const char *cert_id, const char *worker, ir_err *err)
{
    return apply(j, &release, (work_ctx){.cert_id = cert_id, .worker = worker}, err);
}

static ir_rc store_fact(PGconn *c, const char *cert_id, const ir_fact *f, ir_err *err)
{
    pg_params p = {0};

    pg_param_text(&p, cert_id);
    pg_param_text(&p, f->key);
    pg_param_text(&p, f->value);
    return pg_exec(c,
                   "INSERT INTO facts (cert_id, key, value, updated_at)"
                   " VALUES ($1, $2, $3, " PG_NOW_MS ") ON CONFLICT (cert_id, key)"
                   " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                   &p, NULL, "storing a fact", err);
}

static ir_rc record_txn(PGconn *c, void *ctx, ir_err *err)
{
    work_ctx *w = ctx;
    const ir_step_outcome *o = w->outcome;
    size_t i;
    ir_rc rc;

    w->text = o->next_step;
    rc = run_update(c,
                    "UPDATE entries SET step = $3, updated_at = " PG_NOW_MS
                    " WHERE cert_id = $1 AND " FENCE " AND state IN " DUE_STATES,
                    w, "record a step of", err);
    if (rc == IR_OK)
        rc = history(c, w->cert_id, o->step, o->result, o->detail, w->worker, err);
    for (i = 0; rc == IR_OK && i < o->n_facts; i++)
        rc = store_fact(c, w->cert_id, &o->facts[i], err);
    return rc;
}

ir_rc pg_record_step(ir_journal *j, const char *cert_id, const char *worker,
                     const ir_step_outcome *o, ir_err *err)
{
    work_ctx w = {.cert_id = cert_id, .worker = worker, .outcome = o};

    return pg_txn(pg_of(j), record_txn, &w, err);
}

static const change retry = {
    "schedule a retry of", "retry",
    "UPDATE entries SET attempts = attempts + 1, next_attempt_at = $4,"
    " last_error = $3, claimed_by = NULL, lease_until = NULL, updated_at = " PG_NOW_MS
    " WHERE cert_id = $1 AND " FENCE " AND state IN " DUE_STATES,
    true};

ir_rc pg_schedule_retry(ir_journal *j, const char *cert_id, const char *worker,
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
    " last_error = NULL, claimed_by = NULL, lease_until = NULL, updated_at = " PG_NOW_MS
    " WHERE cert_id = $1 AND " FENCE " AND state IN " DUE_STATES,
    false};

ir_rc pg_finish(ir_journal *j, const char *cert_id, const char *worker, const char *detail,
                ir_err *err)
{
    return apply(j, &finish, (work_ctx){.cert_id = cert_id, .worker = worker, .text = detail}, err);
}

/* Without a worker: an operator parks the entry, whoever holds it. */
static const change park = {"park", "parked",
                            "UPDATE entries SET state = 'parked', last_error = $3,"
                            " claimed_by = NULL, lease_until = NULL, updated_at = " PG_NOW_MS
                            " WHERE cert_id = $1 AND ($2 IS NULL AND state IN"
                            " ('pending', 'revoke-pending', 'unattributed')"
                            " OR " FENCE " AND state IN " DUE_STATES ")",
                            false};

ir_rc pg_park(ir_journal *j, const char *cert_id, const char *worker, const char *reason,
              ir_err *err)
{
    return apply(j, &park, (work_ctx){.cert_id = cert_id, .worker = worker, .text = reason}, err);
}

static const change retry_now = {
    "retry", "retry-now",
    "UPDATE entries SET state = CASE"
    " WHEN revocation_requested THEN 'revoke-pending'"
    " WHEN customer IS NULL THEN 'unattributed' ELSE 'pending' END,"
    " attempts = 0, next_attempt_at = " PG_NOW_MS ", updated_at = " PG_NOW_MS
    " WHERE cert_id = $1 AND state IN ('parked', 'pending', 'revoke-pending')",
    true};

ir_rc pg_retry_now(ir_journal *j, const char *cert_id, ir_err *err)
{
    return apply(j, &retry_now, (work_ctx){.cert_id = cert_id, .text = "by the operator"}, err);
}

static ir_rc assign_txn(PGconn *c, void *ctx, ir_err *err)
{
    work_ctx *w = ctx;
    char detail[IR_JOURNAL_NAME_MAX + 64];
    ir_rc rc =
        run_update(c,
                   "UPDATE entries SET customer = $3, unattributed_reason = NULL,"
                   " state = 'pending', attempts = 0, next_attempt_at = " PG_NOW_MS ","
                   " updated_at = " PG_NOW_MS " WHERE cert_id = $1 AND state = 'unattributed'",
                   w, "assign a customer to", err);

    snprintf(detail, sizeof(detail), "customer %s, by the operator", w->text);
    if (rc == IR_OK)
        rc = history(c, w->cert_id, "assign", "ok", detail, NULL, err);
    return rc == IR_OK ? pg_notify_work(c, err) : rc;
}

ir_rc pg_assign(ir_journal *j, const char *cert_id, const char *customer, ir_err *err)
{
    work_ctx w = {.cert_id = cert_id, .text = customer};

    return pg_txn(pg_of(j), assign_txn, &w, err);
}

static ir_rc revocation_known(PGconn *c, work_ctx *w, ir_err *err)
{
    pg_params p = {0};
    PGresult *r = NULL;
    ir_rc rc;

    pg_param_text(&p, w->cert_id);
    rc = pg_exec(c,
                 "SELECT revocation_requested OR state = 'revoked' FROM entries"
                 " WHERE cert_id = $1 FOR UPDATE",
                 &p, &r, "reading an entry", err);
    if (rc != IR_OK)
        return rc;
    if (PQntuples(r) == 1)
        w->already = PQgetvalue(r, 0, 0)[0] == 't';
    else
        rc = ir_err_set(err, IR_ERR_NOT_FOUND,
                        "journal: no entry for certificate %s; capture the certificate first",
                        w->cert_id);
    PQclear(r);
    return rc;
}

/* A worker in the middle of delivering loses its claim: its next record
 * fails, and the entry is claimed again as revoke-pending. */
static ir_rc revoke_txn(PGconn *c, void *ctx, ir_err *err)
{
    work_ctx *w = ctx;
    char detail[96];
    ir_rc rc;

    w->already = false;
    rc = revocation_known(c, w, err);
    if (rc != IR_OK || w->already)
        return rc;
    rc = run_update(c,
                    "UPDATE entries SET revocation_requested = true, revocation_reason = $5,"
                    " revocation_time = $4, state = 'revoke-pending', attempts = 0,"
                    " next_attempt_at = " PG_NOW_MS ", last_error = NULL, claimed_by = NULL,"
                    " lease_until = NULL, updated_at = " PG_NOW_MS " WHERE cert_id = $1",
                    w, "revoke", err);
    snprintf(detail, sizeof(detail), "reason %d, revoked at %lld ms", w->reason,
             (long long)w->when);
    if (rc == IR_OK)
        rc = history(c, w->cert_id, "revoke", "requested", detail, NULL, err);
    return rc == IR_OK ? pg_notify_work(c, err) : rc;
}

ir_rc pg_request_revocation(ir_journal *j, const char *cert_id, int reason,
                            int64_t revocation_time_ms, bool *already, ir_err *err)
{
    work_ctx w = {.cert_id = cert_id, .reason = reason, .when = revocation_time_ms};
    ir_rc rc = pg_txn(pg_of(j), revoke_txn, &w, err);

    *already = w.already;
    return rc;
}

/* --- claims ------------------------------------------------------------------------ */

typedef struct claim_ctx {
    const ir_claim_opts *o;
    ir_entry_list *out;
} claim_ctx;

/* The seqs of r's rows as an array literal, "{1,2,3}". */
static char *seq_array(const PGresult *r)
{
    int i, n = PQntuples(r);
    size_t cap = (size_t)n * 21 + 3, len = 0;
    char *s = malloc(cap);

    if (s == NULL)
        return NULL;
    s[len++] = '{';
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%s", i ? "," : "", PQgetvalue(r, i, 0));
    snprintf(s + len, cap - len, "}");
    return s;
}

static ir_rc claim_txn(PGconn *c, void *ctx, ir_err *err)
{
    claim_ctx *k = ctx;
    pg_params p = {0}, q = {0};
    PGresult *r = NULL;
    char *seqs;
    ir_rc rc;

    ir_entry_list_free(k->out);
    pg_param_text(&p, k->o->customer);
    pg_param_int(&p, (int64_t)k->o->max);
    pg_param_text(&p, k->o->worker);
    pg_param_int(&p, k->o->lease_ms);
    rc = pg_exec(c,
                 "WITH due AS (SELECT seq FROM entries WHERE state IN " DUE_STATES
                 " AND next_attempt_at <= " PG_NOW_MS
                 " AND (claimed_by IS NULL OR lease_until <= " PG_NOW_MS
                 ") AND ($1 IS NULL OR customer = $1)"
                 " ORDER BY next_attempt_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED)"
                 " UPDATE entries e SET claimed_by = $3, lease_until = " PG_NOW_MS " + $4,"
                 " updated_at = " PG_NOW_MS " FROM due WHERE e.seq = due.seq RETURNING e.seq",
                 &p, &r, "claiming entries", err);
    if (rc != IR_OK || PQntuples(r) == 0) {
        PQclear(r);
        return rc;
    }
    seqs = seq_array(r);
    PQclear(r);
    if (seqs == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory claiming entries");
    pg_param_text(&q, seqs);
    rc = pg_exec(c,
                 "SELECT " PG_WITH_DER " FROM entries WHERE seq = ANY ($1::bigint[])"
                 " ORDER BY next_attempt_at, seq",
                 &q, &r, "reading claimed entries", err);
    free(seqs);
    if (rc == IR_OK)
        rc = pg_load_entries(c, r, true, k->out, err);
    PQclear(r);
    return rc;
}

ir_rc pg_claim(ir_journal *j, const ir_claim_opts *o, ir_entry_list *out, ir_err *err)
{
    claim_ctx k = {.o = o, .out = out};
    ir_rc rc = pg_txn(pg_of(j), claim_txn, &k, err);

    if (rc != IR_OK)
        ir_entry_list_free(out);
    return rc;
}
