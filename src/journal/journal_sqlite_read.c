/* Reads: one entry with its history and facts, pages of entries, counts. */
#include "autoconf.h"

#include "journal/journal_sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* The columns row_to_entry reads, in order; the last is the DER or NULL. */
#define ENTRY_COLUMNS                                                                              \
    "seq, cert_id, subca, customer, unattributed_reason, source, end_entity, profile, state, "     \
    "step, attempts, next_attempt_at, last_error, claimed_by, lease_until, revocation_requested, " \
    "revocation_reason, revocation_time, created_at, updated_at"
#define WITH_DER    ENTRY_COLUMNS ", der"
#define WITHOUT_DER ENTRY_COLUMNS ", NULL"

static ir_cert_source parse_source(const unsigned char *s)
{
    int i;

    for (i = 0; s != NULL && i < IR_SOURCE_COUNT; i++)
        if (strcmp((const char *)s, ir_cert_source_name((ir_cert_source)i)) == 0)
            return (ir_cert_source)i;
    return IR_SOURCE_IMPORT;
}

static ir_rc copy_der(sqlite3_stmt *st, int col, ir_journal_entry *e)
{
    int n = sqlite3_column_bytes(st, col);

    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return IR_OK;
    e->der = malloc(n > 0 ? (size_t)n : 1);
    if (e->der == NULL)
        return IR_ERR_NOMEM;
    memcpy(e->der, sqlite3_column_blob(st, col), (size_t)n);
    e->der_len = (size_t)n;
    return IR_OK;
}

static ir_rc row_to_entry(sqlite3_stmt *st, ir_journal_entry *e)
{
    ir_rc rc = IR_OK;
    ir_entry_state state = IR_STATE_PARKED;

    e->seq = sqlite3_column_int64(st, 0);
    snprintf(e->cert_id, sizeof(e->cert_id), "%s", (const char *)sqlite3_column_text(st, 1));
    e->subca = sq_col_strdup(st, 2, &rc);
    e->customer = sq_col_strdup(st, 3, &rc);
    e->unattributed_reason = sq_col_strdup(st, 4, &rc);
    e->source = parse_source(sqlite3_column_text(st, 5));
    e->end_entity = sq_col_strdup(st, 6, &rc);
    e->profile = sq_col_strdup(st, 7, &rc);
    ir_entry_state_parse((const char *)sqlite3_column_text(st, 8), &state, NULL);
    e->state = state;
    e->step = sq_col_strdup(st, 9, &rc);
    e->attempts = sqlite3_column_int(st, 10);
    e->next_attempt_ms = sqlite3_column_int64(st, 11);
    e->last_error = sq_col_strdup(st, 12, &rc);
    e->claimed_by = sq_col_strdup(st, 13, &rc);
    e->lease_until_ms = sqlite3_column_int64(st, 14);
    e->revocation_requested = sqlite3_column_int(st, 15) != 0;
    e->revocation_reason = sqlite3_column_int(st, 16);
    e->revocation_time_ms = sqlite3_column_int64(st, 17);
    e->created_ms = sqlite3_column_int64(st, 18);
    e->updated_ms = sqlite3_column_int64(st, 19);
    if (rc == IR_OK)
        rc = copy_der(st, 20, e);
    return rc;
}

/* Makes room for one more item of size in *items (capacity *cap). */
static ir_rc grow(void **items, size_t *cap, size_t n, size_t size, ir_err *err)
{
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p;

    if (n < *cap)
        return IR_OK;
    p = realloc(*items, ncap * size);
    if (p == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory reading entries");
    memset((char *)p + *cap * size, 0, (ncap - *cap) * size);
    *items = p;
    *cap = ncap;
    return IR_OK;
}

static ir_rc history_row(sqlite3_stmt *st, ir_history_row *h)
{
    ir_rc rc = IR_OK;

    h->at_ms = sqlite3_column_int64(st, 0);
    h->step = sq_col_strdup(st, 1, &rc);
    h->result = sq_col_strdup(st, 2, &rc);
    h->detail = sq_col_strdup(st, 3, &rc);
    h->worker = sq_col_strdup(st, 4, &rc);
    return rc;
}

static ir_rc load_history(sqlite3 *db, ir_journal_entry *e, ir_err *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int step = SQLITE_DONE;
    ir_rc rc = sq_prepare(db,
                          "SELECT at, step, result, detail, worker FROM history"
                          " WHERE cert_id = ?1 ORDER BY id",
                          &st, err);

    if (rc != IR_OK)
        return rc;
    sq_bind_text(st, 1, e->cert_id);
    while (rc == IR_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = grow((void **)&e->history, &cap, e->n_history, sizeof(*e->history), err);
        if (rc == IR_OK)
            rc = history_row(st, &e->history[e->n_history++]);
    }
    sqlite3_finalize(st);
    if (rc == IR_OK && step != SQLITE_DONE)
        rc = sq_fail(db, step, "reading the history", err);
    return rc;
}

static ir_rc load_facts(sqlite3 *db, ir_journal_entry *e, ir_err *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int step = SQLITE_DONE;
    ir_rc rc =
        sq_prepare(db, "SELECT key, value FROM facts WHERE cert_id = ?1 ORDER BY key", &st, err);

    if (rc != IR_OK)
        return rc;
    sq_bind_text(st, 1, e->cert_id);
    while (rc == IR_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = grow((void **)&e->facts, &cap, e->n_facts, sizeof(*e->facts), err);
        if (rc == IR_OK) {
            e->facts[e->n_facts].key = sq_col_strdup(st, 0, &rc);
            e->facts[e->n_facts++].value = sq_col_strdup(st, 1, &rc);
        }
    }
    sqlite3_finalize(st);
    if (rc == IR_OK && step != SQLITE_DONE)
        rc = sq_fail(db, step, "reading facts", err);
    return rc;
}

/* Reads the one row st selects into e; IR_ERR_NOT_FOUND when there is none. */
static ir_rc load_row(sqlite3 *db, sqlite3_stmt *st, ir_journal_entry *e, ir_err *err)
{
    int step = sqlite3_step(st);
    ir_rc rc;

    if (step == SQLITE_DONE)
        rc = IR_ERR_NOT_FOUND;
    else if (step != SQLITE_ROW)
        rc = sq_fail(db, step, "reading an entry", err);
    else if ((rc = row_to_entry(st, e)) == IR_ERR_NOMEM)
        ir_err_set(err, rc, "journal: out of memory reading an entry");
    sqlite3_finalize(st);
    return rc;
}

ir_rc sq_load_claimed(sqlite3 *db, int64_t seq, ir_journal_entry *e, ir_err *err)
{
    sqlite3_stmt *st = NULL;
    ir_rc rc = sq_prepare(db, "SELECT " WITH_DER " FROM entries WHERE seq = ?1", &st, err);

    memset(e, 0, sizeof(*e));
    if (rc != IR_OK)
        return rc;
    sqlite3_bind_int64(st, 1, seq);
    rc = load_row(db, st, e, err);
    if (rc == IR_ERR_NOT_FOUND)
        return ir_err_set(err, IR_ERR_INTERNAL, "journal: claimed entry %lld vanished",
                          (long long)seq);
    return rc == IR_OK ? load_facts(db, e, err) : rc;
}

typedef struct get_ctx {
    const char *cert_id;
    ir_journal_entry *e;
} get_ctx;

static ir_rc get_txn(sqlite3 *db, void *ctx, ir_err *err)
{
    get_ctx *c = ctx;
    sqlite3_stmt *st = NULL;
    ir_rc rc;

    ir_journal_entry_free(c->e);
    c->e = calloc(1, sizeof(*c->e));
    if (c->e == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory reading an entry");
    rc = sq_prepare(db, "SELECT " WITH_DER " FROM entries WHERE cert_id = ?1", &st, err);
    if (rc != IR_OK)
        return rc;
    sq_bind_text(st, 1, c->cert_id);
    rc = load_row(db, st, c->e, err);
    if (rc == IR_ERR_NOT_FOUND)
        return ir_err_set(err, rc, "journal: no entry for certificate %s", c->cert_id);
    if (rc == IR_OK)
        rc = load_history(db, c->e, err);
    return rc == IR_OK ? load_facts(db, c->e, err) : rc;
}

ir_rc sq_get(ir_journal *j, const char *cert_id, ir_journal_entry **out, ir_err *err)
{
    get_ctx c = {.cert_id = cert_id};
    ir_rc rc = sq_read(sq_of(j), get_txn, &c, err);

    if (rc != IR_OK) {
        ir_journal_entry_free(c.e);
        return rc;
    }
    *out = c.e;
    return IR_OK;
}

typedef struct list_ctx {
    const ir_list_filter *f;
    ir_entry_list *out;
} list_ctx;

static ir_rc list_rows(sqlite3 *db, sqlite3_stmt *st, bool with_facts, ir_entry_list *out,
                       ir_err *err)
{
    size_t cap = 0, i;
    int step = SQLITE_DONE;
    ir_rc rc = IR_OK;

    while (rc == IR_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = grow((void **)&out->items, &cap, out->n, sizeof(*out->items), err);
        if (rc == IR_OK && (rc = row_to_entry(st, &out->items[out->n++])) != IR_OK)
            ir_err_set(err, rc, "journal: out of memory listing entries");
    }
    if (rc == IR_OK && step != SQLITE_DONE)
        rc = sq_fail(db, step, "listing entries", err);
    for (i = 0; rc == IR_OK && with_facts && i < out->n; i++)
        rc = load_facts(db, &out->items[i], err);
    return rc;
}

static ir_rc list_txn(sqlite3 *db, void *ctx, ir_err *err)
{
    list_ctx *c = ctx;
    sqlite3_stmt *st = NULL;
    ir_rc rc = sq_prepare(db,
                          "SELECT " WITHOUT_DER " FROM entries WHERE seq > ?1"
                          " AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR customer = ?3)"
                          " ORDER BY seq LIMIT ?4",
                          &st, err);

    ir_entry_list_free(c->out);
    if (rc != IR_OK)
        return rc;
    sqlite3_bind_int64(st, 1, c->f->after_seq);
    sq_bind_text(st, 2, c->f->state < 0 ? NULL : ir_entry_state_name((ir_entry_state)c->f->state));
    sq_bind_text(st, 3, c->f->customer);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)c->f->limit);
    rc = list_rows(db, st, c->f->with_facts, c->out, err);
    sqlite3_finalize(st);
    return rc;
}

ir_rc sq_list(ir_journal *j, const ir_list_filter *f, ir_entry_list *out, ir_err *err)
{
    list_ctx c = {.f = f, .out = out};
    ir_rc rc = sq_read(sq_of(j), list_txn, &c, err);

    if (rc != IR_OK)
        ir_entry_list_free(out);
    return rc;
}

typedef struct count_ctx {
    bool by_route;
    ir_count_row *rows;
    size_t n;
} count_ctx;

static ir_rc count_txn(sqlite3 *db, void *ctx, ir_err *err)
{
    count_ctx *c = ctx;
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int step = SQLITE_DONE;
    ir_rc rc =
        sq_prepare(db, c->by_route ? IR_JOURNAL_COUNT_ROUTES_SQL : IR_JOURNAL_COUNT_SQL, &st, err);
    ir_count_row *r;

    ir_count_rows_free(c->rows, c->n);
    c->rows = NULL;
    c->n = 0;
    while (rc == IR_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = grow((void **)&c->rows, &cap, c->n, sizeof(*c->rows), err);
        if (rc != IR_OK)
            break;
        r = &c->rows[c->n++];
        ir_entry_state_parse((const char *)sqlite3_column_text(st, 0), &r->state, NULL);
        r->customer = sq_col_strdup(st, 1, &rc);
        r->csp_account = sq_col_strdup(st, 2, &rc);
        r->region = sq_col_strdup(st, 3, &rc);
        r->count = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    if (rc == IR_ERR_NOMEM)
        ir_err_set(err, rc, "journal: out of memory counting entries");
    else if (rc == IR_OK && step != SQLITE_DONE)
        rc = sq_fail(db, step, "counting entries", err);
    return rc;
}

ir_rc sq_count(ir_journal *j, bool by_route, ir_count_row **rows, size_t *n, ir_err *err)
{
    count_ctx c = {by_route, NULL, 0};
    ir_rc rc = sq_read(sq_of(j), count_txn, &c, err);

    if (rc != IR_OK) {
        ir_count_rows_free(c.rows, c.n);
        return rc;
    }
    *rows = c.rows;
    *n = c.n;
    return IR_OK;
}

/* When the first of the due entries' front becomes due (journal.h): the
 * entries that come due first lead the due index; a hint, as in
 * journal_pg_coord.c. */
static ir_rc due_txn(sqlite3 *db, void *ctx, ir_err *err)
{
    int64_t *in_ms = ctx;
    sqlite3_stmt *st = NULL;
    int step;
    ir_rc rc = sq_prepare(db,
                          "SELECT min(max(next_attempt_at, coalesce(lease_until, 0))) FROM"
                          " (SELECT next_attempt_at, lease_until FROM entries"
                          " WHERE state IN ('pending', 'revoke-pending')"
                          " ORDER BY next_attempt_at, seq LIMIT 1000)",
                          &st, err);

    *in_ms = -1;
    if (rc != IR_OK)
        return rc;
    step = sqlite3_step(st);
    if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *in_ms = sqlite3_column_int64(st, 0) - ir_realtime_ms();
        if (*in_ms < 0)
            *in_ms = 0;
    }
    sqlite3_finalize(st);
    return step == SQLITE_ROW ? IR_OK : sq_fail(db, step, "asking when work is next due", err);
}

ir_rc sq_next_due_in(ir_journal *j, int64_t *in_ms, ir_err *err)
{
    return sq_read(sq_of(j), due_txn, in_ms, err);
}
