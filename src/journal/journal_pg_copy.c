/* Copying an entry in (what `iotregctl journal copy` runs): the entry as
 * another journal's ir_journal_get returned it, with its history and facts,
 * unclaimed, in one transaction; nothing when the certificate is here
 * already. The seq, and the history rows' ids, are this journal's own. The
 * history and the facts go in one statement each, as arrays (unnest keeps
 * the rows' order), so an entry costs the same few round trips however long
 * its history. */
#include "autoconf.h"

#include "journal/journal_pg_internal.h"

#include <stdio.h>

#include "core/buf.h"

#define ARRAY_MAX (64u << 20) /* an array literal's bound: far above any entry's */

static const char insert_sql[] =
    "INSERT INTO entries (cert_id, der, subca, customer, unattributed_reason, source, end_entity,"
    " profile, state, step, attempts, next_attempt_at, last_error, claimed_by, lease_until,"
    " revocation_requested, revocation_reason, revocation_time, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, NULL, $14 <> 0,"
    " CASE WHEN $14 <> 0 THEN $15 END, CASE WHEN $14 <> 0 THEN $16 END, $17, $18)"
    " ON CONFLICT (cert_id) DO NOTHING RETURNING cert_id";

static const char history_sql[] =
    "INSERT INTO history (cert_id, at, step, result, detail, worker)"
    " SELECT $1, h.at, h.step, h.result, h.detail, h.worker"
    " FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])"
    " WITH ORDINALITY AS h(at, step, result, detail, worker, n) ORDER BY h.n";

static const char facts_sql[] = "INSERT INTO facts (cert_id, key, value, updated_at)"
                                " SELECT $1, f.key, f.value, $4"
                                " FROM unnest($2::text[], $3::text[]) AS f(key, value)";

/* Appends s to the array literal a as one element (NULL: SQL's NULL). */
static ir_rc array_text(ir_buf *a, const char *s, ir_err *err)
{
    ir_rc rc = ir_buf_append_str(a, a->len > 1 ? "," : "", err);

    if (rc == IR_OK && s == NULL)
        return ir_buf_append_str(a, "NULL", err);
    if (rc == IR_OK)
        rc = ir_buf_append_str(a, "\"", err);
    for (; rc == IR_OK && *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            rc = ir_buf_append_str(a, "\\", err);
        if (rc == IR_OK)
            rc = ir_buf_append(a, s, 1, err);
    }
    return rc == IR_OK ? ir_buf_append_str(a, "\"", err) : rc;
}

#define COLS_MAX 5

/* Writes the columns of row i of e (history or facts) into cols; num holds
 * a number written as text. */
typedef void (*row_fn)(const ir_journal_entry *e, size_t i, const char *cols[COLS_MAX],
                       char num[24]);

static void history_row(const ir_journal_entry *e, size_t i, const char *cols[COLS_MAX],
                        char num[24])
{
    const ir_history_row *h = &e->history[i];

    snprintf(num, 24, "%lld", (long long)h->at_ms);
    cols[0] = num;
    cols[1] = h->step;
    cols[2] = h->result;
    cols[3] = h->detail;
    cols[4] = h->worker;
}

static void fact_row(const ir_journal_entry *e, size_t i, const char *cols[COLS_MAX], char num[24])
{
    (void)num;
    cols[0] = e->facts[i].key;
    cols[1] = e->facts[i].value;
}

/* Runs sql with e's certificate id ($1), n_rows rows of n_cols columns as
 * array literals ($2...) and e's update time (after them). */
static ir_rc insert_rows(PGconn *c, const ir_journal_entry *e, size_t n_rows, size_t n_cols,
                         row_fn row, const char *sql, const char *what, ir_err *err)
{
    ir_buf col[COLS_MAX];
    const char *cols[COLS_MAX];
    char num[24];
    pg_params p = {0};
    size_t i, k;
    ir_rc rc = IR_OK;

    if (n_rows == 0)
        return IR_OK;
    for (k = 0; k < n_cols; k++)
        ir_buf_init(&col[k], ARRAY_MAX);
    for (k = 0; rc == IR_OK && k < n_cols; k++)
        rc = ir_buf_append_str(&col[k], "{", err);
    for (i = 0; rc == IR_OK && i < n_rows; i++) {
        row(e, i, cols, num);
        for (k = 0; rc == IR_OK && k < n_cols; k++)
            rc = array_text(&col[k], cols[k], err);
    }
    pg_param_text(&p, e->cert_id);
    for (k = 0; rc == IR_OK && k < n_cols; k++) {
        rc = ir_buf_append_str(&col[k], "}", err);
        pg_param_text(&p, ir_buf_cstr(&col[k]));
    }
    pg_param_int(&p, e->updated_ms);
    if (rc == IR_OK)
        rc = pg_exec(c, sql, &p, NULL, what, err);
    for (k = 0; k < n_cols; k++)
        ir_buf_free(&col[k]);
    return rc;
}

typedef struct copy_ctx {
    const ir_journal_entry *e;
    bool copied;
} copy_ctx;

static ir_rc copy_txn(PGconn *c, void *ctx, ir_err *err)
{
    copy_ctx *x = ctx;
    const ir_journal_entry *e = x->e;
    pg_params p = {0};
    PGresult *r = NULL;
    bool inserted;
    ir_rc rc;

    x->copied = false;
    pg_param_text(&p, e->cert_id);
    pg_param_bytes(&p, e->der, e->der_len);
    pg_param_text(&p, e->subca);
    pg_param_text(&p, e->customer);
    pg_param_text(&p, e->unattributed_reason);
    pg_param_text(&p, ir_cert_source_name(e->source));
    pg_param_text(&p, e->end_entity);
    pg_param_text(&p, e->profile);
    pg_param_text(&p, ir_entry_state_name(e->state));
    pg_param_text(&p, e->step);
    pg_param_int(&p, e->attempts);
    pg_param_int(&p, e->next_attempt_ms);
    pg_param_text(&p, e->last_error);
    pg_param_int(&p, e->revocation_requested ? 1 : 0);
    pg_param_int(&p, e->revocation_reason);
    pg_param_int(&p, e->revocation_time_ms);
    pg_param_int(&p, e->created_ms);
    pg_param_int(&p, e->updated_ms);
    rc = pg_exec(c, insert_sql, &p, &r, "copying a journal entry", err);
    if (rc != IR_OK)
        return rc;
    inserted = PQntuples(r) == 1;
    PQclear(r);
    if (!inserted)
        return IR_OK;
    rc = insert_rows(c, e, e->n_history, 5, history_row, history_sql, "copying the history", err);
    if (rc == IR_OK)
        rc = insert_rows(c, e, e->n_facts, 2, fact_row, facts_sql, "copying facts", err);
    /* Work that is due wakes the daemons on the journal. */
    if (rc == IR_OK && (e->state == IR_STATE_PENDING || e->state == IR_STATE_REVOKE_PENDING))
        rc = pg_notify_work(c, err);
    x->copied = rc == IR_OK;
    return rc;
}

ir_rc pg_copy_entry(ir_journal *j, const ir_journal_entry *e, bool *copied, ir_err *err)
{
    copy_ctx x = {.e = e};
    ir_rc rc = pg_txn(pg_of(j), copy_txn, &x, err);

    *copied = rc == IR_OK && x.copied;
    return rc;
}
