/* Reads on PostgreSQL: one entry with its history and facts, pages of
 * entries, counts. Results come as text; the DER as bytea's hex form. */
#include "autoconf.h"

#include "journal/journal_pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ir_cert_source parse_source(const char *s)
{
    int i;

    for (i = 0; i < IR_SOURCE_COUNT; i++)
        if (strcmp(s, ir_cert_source_name((ir_cert_source)i)) == 0)
            return (ir_cert_source)i;
    return IR_SOURCE_IMPORT;
}

static ir_rc copy_der(const PGresult *r, int row, int col, ir_journal_entry *e)
{
    size_t n = 0;
    unsigned char *der;

    if (PQgetisnull(r, row, col))
        return IR_OK;
    der = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
    if (der == NULL)
        return IR_ERR_NOMEM;
    e->der = malloc(n > 0 ? n : 1);
    if (e->der != NULL) {
        memcpy(e->der, der, n);
        e->der_len = n;
    }
    PQfreemem(der);
    return e->der != NULL ? IR_OK : IR_ERR_NOMEM;
}

static ir_rc row_to_entry(const PGresult *r, int i, ir_journal_entry *e)
{
    ir_rc rc = IR_OK;
    ir_entry_state state = IR_STATE_PARKED;

    e->seq = pg_col_int(r, i, 0);
    snprintf(e->cert_id, sizeof(e->cert_id), "%s", PQgetvalue(r, i, 1));
    e->subca = pg_col_strdup(r, i, 2, &rc);
    e->customer = pg_col_strdup(r, i, 3, &rc);
    e->unattributed_reason = pg_col_strdup(r, i, 4, &rc);
    e->source = parse_source(PQgetvalue(r, i, 5));
    e->end_entity = pg_col_strdup(r, i, 6, &rc);
    e->profile = pg_col_strdup(r, i, 7, &rc);
    ir_entry_state_parse(PQgetvalue(r, i, 8), &state, NULL);
    e->state = state;
    e->step = pg_col_strdup(r, i, 9, &rc);
    e->attempts = (int)pg_col_int(r, i, 10);
    e->next_attempt_ms = pg_col_int(r, i, 11);
    e->last_error = pg_col_strdup(r, i, 12, &rc);
    e->claimed_by = pg_col_strdup(r, i, 13, &rc);
    e->lease_until_ms = pg_col_int(r, i, 14);
    e->revocation_requested = PQgetvalue(r, i, 15)[0] == 't';
    e->revocation_reason = (int)pg_col_int(r, i, 16);
    e->revocation_time_ms = pg_col_int(r, i, 17);
    e->created_ms = pg_col_int(r, i, 18);
    e->updated_ms = pg_col_int(r, i, 19);
    if (rc == IR_OK)
        rc = copy_der(r, i, 20, e);
    return rc;
}

static ir_rc load_history(PGconn *c, ir_journal_entry *e, ir_err *err)
{
    pg_params p = {0};
    PGresult *r = NULL;
    int i, n;
    ir_rc rc;

    pg_param_text(&p, e->cert_id);
    rc = pg_exec(c,
                 "SELECT at, step, result, detail, worker FROM history"
                 " WHERE cert_id = $1 ORDER BY id",
                 &p, &r, "reading the history", err);
    if (rc != IR_OK)
        return rc;
    n = PQntuples(r);
    e->history = calloc(n > 0 ? (size_t)n : 1, sizeof(*e->history));
    if (e->history == NULL)
        rc = IR_ERR_NOMEM;
    for (i = 0; rc == IR_OK && i < n; i++, e->n_history++) {
        ir_history_row *h = &e->history[i];

        h->at_ms = pg_col_int(r, i, 0);
        h->step = pg_col_strdup(r, i, 1, &rc);
        h->result = pg_col_strdup(r, i, 2, &rc);
        h->detail = pg_col_strdup(r, i, 3, &rc);
        h->worker = pg_col_strdup(r, i, 4, &rc);
    }
    PQclear(r);
    return rc == IR_OK ? IR_OK : ir_err_set(err, rc, "journal: out of memory reading the history");
}

static ir_rc load_facts(PGconn *c, ir_journal_entry *e, ir_err *err)
{
    pg_params p = {0};
    PGresult *r = NULL;
    int i, n;
    ir_rc rc;

    pg_param_text(&p, e->cert_id);
    rc = pg_exec(c, "SELECT key, value FROM facts WHERE cert_id = $1 ORDER BY key", &p, &r,
                 "reading facts", err);
    if (rc != IR_OK)
        return rc;
    n = PQntuples(r);
    e->facts = calloc(n > 0 ? (size_t)n : 1, sizeof(*e->facts));
    if (e->facts == NULL)
        rc = IR_ERR_NOMEM;
    for (i = 0; rc == IR_OK && i < n; i++, e->n_facts++) {
        e->facts[i].key = pg_col_strdup(r, i, 0, &rc);
        e->facts[i].value = pg_col_strdup(r, i, 1, &rc);
    }
    PQclear(r);
    return rc == IR_OK ? IR_OK : ir_err_set(err, rc, "journal: out of memory reading facts");
}

ir_rc pg_load_entries(PGconn *c, const PGresult *r, bool with_facts, ir_entry_list *out,
                      ir_err *err)
{
    int i, n = PQntuples(r);
    ir_rc rc = IR_OK;

    out->n = 0;
    if (n == 0)
        return IR_OK;
    out->items = calloc((size_t)n, sizeof(*out->items));
    if (out->items == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory reading entries");
    for (i = 0; rc == IR_OK && i < n; i++) {
        out->n++;
        if (row_to_entry(r, i, &out->items[i]) != IR_OK)
            rc = ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory reading entries");
        else if (with_facts)
            rc = load_facts(c, &out->items[i], err);
    }
    return rc;
}

typedef struct get_ctx {
    const char *cert_id;
    ir_entry_list l;
} get_ctx;

static ir_rc get_txn(PGconn *c, void *ctx, ir_err *err)
{
    get_ctx *g = ctx;
    pg_params p = {0};
    PGresult *r = NULL;
    ir_rc rc;

    ir_entry_list_free(&g->l);
    pg_param_text(&p, g->cert_id);
    rc = pg_exec(c, "SELECT " PG_WITH_DER " FROM entries WHERE cert_id = $1", &p, &r,
                 "reading an entry", err);
    if (rc == IR_OK && PQntuples(r) == 0)
        rc = ir_err_set(err, IR_ERR_NOT_FOUND, "journal: no entry for certificate %s", g->cert_id);
    if (rc == IR_OK)
        rc = pg_load_entries(c, r, true, &g->l, err);
    PQclear(r);
    return rc == IR_OK ? load_history(c, &g->l.items[0], err) : rc;
}

ir_rc pg_get(ir_journal *j, const char *cert_id, ir_journal_entry **out, ir_err *err)
{
    get_ctx g = {.cert_id = cert_id};
    ir_rc rc = pg_txn(pg_of(j), get_txn, &g, err);

    if (rc == IR_OK) {
        *out = malloc(sizeof(**out));
        if (*out == NULL)
            rc = ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory reading an entry");
        else {
            **out = g.l.items[0];
            g.l.n = 0; /* the entry's fields now belong to *out */
        }
    }
    ir_entry_list_free(&g.l);
    return rc;
}

typedef struct list_ctx {
    const ir_list_filter *f;
    ir_entry_list *out;
} list_ctx;

static ir_rc list_txn(PGconn *c, void *ctx, ir_err *err)
{
    list_ctx *k = ctx;
    pg_params p = {0};
    PGresult *r = NULL;
    ir_rc rc;

    ir_entry_list_free(k->out);
    pg_param_int(&p, k->f->after_seq);
    pg_param_text(&p, k->f->state < 0 ? NULL : ir_entry_state_name((ir_entry_state)k->f->state));
    pg_param_text(&p, k->f->customer);
    pg_param_int(&p, (int64_t)k->f->limit);
    rc = pg_exec(c,
                 "SELECT " PG_WITHOUT_DER " FROM entries WHERE seq > $1"
                 " AND ($2 IS NULL OR state = $2) AND ($3 IS NULL OR customer = $3)"
                 " ORDER BY seq LIMIT $4",
                 &p, &r, "listing entries", err);
    if (rc == IR_OK)
        rc = pg_load_entries(c, r, k->f->with_facts, k->out, err);
    PQclear(r);
    return rc;
}

ir_rc pg_list(ir_journal *j, const ir_list_filter *f, ir_entry_list *out, ir_err *err)
{
    list_ctx k = {.f = f, .out = out};
    ir_rc rc = pg_txn(pg_of(j), list_txn, &k, err);

    if (rc != IR_OK)
        ir_entry_list_free(out);
    return rc;
}

typedef struct count_ctx {
    bool by_route;
    ir_count_row *rows;
    size_t n;
} count_ctx;

static ir_rc count_txn(PGconn *c, void *ctx, ir_err *err)
{
    count_ctx *k = ctx;
    PGresult *r = NULL;
    int i, n;
    ir_rc rc;

    ir_count_rows_free(k->rows, k->n);
    k->rows = NULL;
    k->n = 0;
    rc = pg_exec(c, k->by_route ? IR_JOURNAL_COUNT_ROUTES_SQL : IR_JOURNAL_COUNT_SQL, NULL, &r,
                 "counting entries", err);
    if (rc != IR_OK)
        return rc;
    n = PQntuples(r);
    k->rows = calloc(n > 0 ? (size_t)n : 1, sizeof(*k->rows));
    if (k->rows == NULL)
        rc = IR_ERR_NOMEM;
    for (i = 0; rc == IR_OK && i < n; i++, k->n++) {
        ir_entry_state_parse(PQgetvalue(r, i, 0), &k->rows[i].state, NULL);
        k->rows[i].customer = pg_col_strdup(r, i, 1, &rc);
        k->rows[i].csp_account = pg_col_strdup(r, i, 2, &rc);
        k->rows[i].region = pg_col_strdup(r, i, 3, &rc);
        k->rows[i].count = pg_col_int(r, i, 4);
    }
    PQclear(r);
    return rc == IR_OK ? IR_OK : ir_err_set(err, rc, "journal: out of memory counting entries");
}

ir_rc pg_count(ir_journal *j, bool by_route, ir_count_row **rows, size_t *n, ir_err *err)
{
    count_ctx k = {by_route, NULL, 0};
    ir_rc rc = pg_txn(pg_of(j), count_txn, &k, err);

    if (rc != IR_OK) {
        ir_count_rows_free(k.rows, k.n);
        return rc;
    }
    *rows = k.rows;
    *n = k.n;
    return IR_OK;
}
