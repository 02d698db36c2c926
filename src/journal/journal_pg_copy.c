/* Copying an entry in (what `iotregctl journal copy` runs): the entry as
 * another journal's ir_journal_get returned it, with its history and facts,
 * unclaimed, in one transaction; nothing when the certificate is here
 * already. The seq, and the history rows' ids, are this journal's own. The
 * history and the facts go in one statement each, as arrays (unnest keeps
 * the rows' order), so an entry costs the same few round trips however long
 * its history. */
#include "autoconf.h"

#include "journal/journal_pg_internal.h"

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

typedef struct arrays {
    ir_buf col[5];
    size_t n;
} arrays;

static void arrays_init(arrays *a, size_t n)
{
    size_t i;

    a->n = n;
    for (i = 0; i < n; i++)
        ir_buf_init(&a->col[i], ARRAY_MAX);
}

static ir_rc arrays_open(arrays *a, ir_err *err)
{
    size_t i;
    ir_rc rc = IR_OK;

    for (i = 0; rc == IR_OK && i < a->n; i++)
        rc = ir_buf_append_str(&a->col[i], "{", err);
    return rc;
}

static ir_rc arrays_close(arrays *a, pg_params *p, ir_err *err)
{
    size_t i;
    ir_rc rc = IR_OK;

    for (i = 0; rc == IR_OK && i < a->n; i++)
        rc = ir_buf_append_str(&a->col[i], "}", err);
    for (i = 0; rc == IR_OK && i < a->n; i++)
        pg_param_text(p, ir_buf_cstr(&a->col[i]));
    return rc;
}

static void arrays_free(arrays *a)
{
    size_t i;

    for (i = 0; i < a->n; i++)
        ir_buf_free(&a->col[i]);
}

static ir_rc copy_history(PGconn *c, const ir_journal_entry *e, ir_err *err)
{
    const ir_history_row *h;
    pg_params p = {0};
    arrays a;
    size_t i;
    ir_rc rc;

    if (e->n_history == 0)
        return IR_OK;
    arrays_init(&a, 5);
    rc = arrays_open(&a, err);
    for (i = 0; rc == IR_OK && i < e->n_history; i++) {
        h = &e->history[i];
        rc = ir_buf_appendf(&a.col[0], err, "%s%lld", i > 0 ? "," : "", (long long)h->at_ms);
        if (rc == IR_OK)
            rc = array_text(&a.col[1], h->step, err);
        if (rc == IR_OK)
            rc = array_text(&a.col[2], h->result, err);
        if (rc == IR_OK)
            rc = array_text(&a.col[3], h->detail, err);
        if (rc == IR_OK)
            rc = array_text(&a.col[4], h->worker, err);
    }
    pg_param_text(&p, e->cert_id);
    if (rc == IR_OK)
        rc = arrays_close(&a, &p, err);
    if (rc == IR_OK)
        rc = pg_exec(c, history_sql, &p, NULL, "copying the history", err);
    arrays_free(&a);
    return rc;
}

static ir_rc copy_facts(PGconn *c, const ir_journal_entry *e, ir_err *err)
{
    pg_params p = {0};
    arrays a;
    size_t i;
    ir_rc rc;

    if (e->n_facts == 0)
        return IR_OK;
    arrays_init(&a, 2);
    rc = arrays_open(&a, err);
    for (i = 0; rc == IR_OK && i < e->n_facts; i++) {
        rc = array_text(&a.col[0], e->facts[i].key, err);
        if (rc == IR_OK)
            rc = array_text(&a.col[1], e->facts[i].value, err);
    }
    pg_param_text(&p, e->cert_id);
    if (rc == IR_OK)
        rc = arrays_close(&a, &p, err);
    pg_param_int(&p, e->updated_ms);
    if (rc == IR_OK)
        rc = pg_exec(c, facts_sql, &p, NULL, "copying facts", err);
    arrays_free(&a);
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
    rc = copy_history(c, e, err);
    if (rc == IR_OK)
        rc = copy_facts(c, e, err);
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
