/* The journal's model, below the front, the backends and the spool alike:
 * names of states and sources, validators, the checks of an enqueue request
 * and its certificate id, the journal's file mode, freeing entries. */
#include "autoconf.h"

#include "journal/journal_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static const char *const state_names[IR_STATE_COUNT] = {
    [IR_STATE_UNATTRIBUTED] = "unattributed",
    [IR_STATE_PENDING] = "pending",
    [IR_STATE_PARKED] = "parked",
    [IR_STATE_DONE] = "done",
    [IR_STATE_REVOKE_PENDING] = "revoke-pending",
    [IR_STATE_REVOKED] = "revoked",
};

static const char *const source_names[IR_SOURCE_COUNT] = {
    [IR_SOURCE_TAP] = "tap",
    [IR_SOURCE_HOOK] = "hook",
    [IR_SOURCE_PUBLISH] = "publish",
    [IR_SOURCE_IMPORT] = "import",
};

const char *ir_entry_state_name(ir_entry_state s)
{
    return (unsigned)s < IR_STATE_COUNT ? state_names[s] : "unknown";
}

ir_rc ir_entry_state_parse(const char *name, ir_entry_state *out, ir_err *err)
{
    int i;

    for (i = 0; i < IR_STATE_COUNT; i++)
        if (name != NULL && strcmp(name, state_names[i]) == 0) {
            *out = (ir_entry_state)i;
            return IR_OK;
        }
    return ir_err_set(err, IR_ERR_INVALID_ARG,
                      "unknown state '%s': use one of unattributed, pending, parked, done, "
                      "revoke-pending, revoked",
                      name != NULL ? name : "");
}

const char *ir_cert_source_name(ir_cert_source s)
{
    return (unsigned)s < IR_SOURCE_COUNT ? source_names[s] : "unknown";
}

int ir_step_name_valid(const char *s)
{
    size_t n;

    if (s == NULL || s[0] == '\0')
        return 0;
    n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
    return s[n] == '\0' && n <= IR_STEP_NAME_MAX;
}

int ir_revocation_reason_valid(int reason)
{
    return reason >= 0 && reason <= 10 && reason != 7; /* 7 is unassigned */
}

int ir_cert_id_valid(const char *s)
{
    return s != NULL && strlen(s) == IR_CERT_ID_LEN &&
           strspn(s, "0123456789abcdef") == IR_CERT_ID_LEN;
}

ir_rc ir_journal_check_text(const char *what, const char *value, size_t max, bool required,
                            ir_err *err)
{
    if (value == NULL)
        return required ? ir_err_set(err, IR_ERR_INVALID_ARG, "journal: %s is required", what)
                        : IR_OK;
    if (required && value[0] == '\0')
        return ir_err_set(err, IR_ERR_INVALID_ARG, "journal: %s is empty", what);
    if (strlen(value) > max)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "journal: %s is longer than %zu characters",
                          what, max);
    return IR_OK;
}

ir_rc ir_journal_check_enqueue(const ir_enqueue_req *req, ir_err *err)
{
    ir_rc rc;

    if (req->der == NULL || req->der_len == 0)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "journal: no certificate to enqueue");
    if (req->der_len > IR_JOURNAL_MAX_DER)
        return ir_err_set(err, IR_ERR_TOO_LARGE, "journal: certificate of %zu bytes exceeds %d",
                          req->der_len, IR_JOURNAL_MAX_DER);
    if ((unsigned)req->source >= IR_SOURCE_COUNT)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "journal: unknown source %d", (int)req->source);
    rc = ir_journal_check_text("SubCA name", req->subca, IR_JOURNAL_NAME_MAX, true, err);
    if (rc == IR_OK)
        rc = ir_journal_check_text("customer", req->customer, IR_JOURNAL_NAME_MAX, false, err);
    if (rc == IR_OK)
        rc = ir_journal_check_text("unattributed reason", req->unattributed_reason,
                                   IR_JOURNAL_TEXT_MAX, req->customer == NULL, err);
    if (rc == IR_OK)
        rc = ir_journal_check_text("end entity", req->end_entity, IR_JOURNAL_NAME_MAX, false, err);
    if (rc == IR_OK)
        rc = ir_journal_check_text("profile", req->profile, IR_JOURNAL_NAME_MAX, false, err);
    return rc;
}

ir_rc ir_enqueue_check(const ir_enqueue_req *req, ir_checked_req *c, ir_err *err)
{
    ir_rc rc = ir_journal_check_enqueue(req, err);

    c->req = req;
    c->cert_id[0] = '\0';
    if (rc == IR_OK)
        rc = ir_sha256_hex(req->der, req->der_len, c->cert_id, err);
    if (rc == IR_OK && req->cert_id != NULL && strcmp(req->cert_id, c->cert_id) != 0)
        rc = ir_err_set(err, IR_ERR_INVALID_ARG,
                        "journal: certificate id %.80s is not the SHA-256 of the certificate "
                        "(%s)",
                        req->cert_id, c->cert_id);
    return rc;
}

unsigned ir_journal_file_mode(const ir_journal_opts *opts)
{
    /* Read and write bits only, never for others, always for the owner. */
    if (opts == NULL || opts->mode == 0)
        return IR_JOURNAL_MODE_DEFAULT;
    return (opts->mode & 0660) | 0600;
}

static void free_history(ir_history_row *h, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(h[i].step);
        free(h[i].result);
        free(h[i].detail);
        free(h[i].worker);
    }
    free(h);
}

static void free_facts(ir_fact_row *f, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(f[i].key);
        free(f[i].value);
    }
    free(f);
}

/* Frees what e owns, not e itself. */
static void entry_clear(ir_journal_entry *e)
{
    free(e->der);
    free(e->subca);
    free(e->customer);
    free(e->unattributed_reason);
    free(e->end_entity);
    free(e->profile);
    free(e->step);
    free(e->last_error);
    free(e->claimed_by);
    free_history(e->history, e->n_history);
    free_facts(e->facts, e->n_facts);
}

const char *ir_journal_entry_fact(const ir_journal_entry *e, const char *key)
{
    size_t i;

    for (i = 0; i < e->n_facts; i++)
        if (strcmp(e->facts[i].key, key) == 0)
            return e->facts[i].value;
    return NULL;
}

void ir_journal_entry_free(ir_journal_entry *e)
{
    if (e == NULL)
        return;
    entry_clear(e);
    free(e);
}

void ir_entry_list_free(ir_entry_list *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->n; i++)
        entry_clear(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void ir_count_rows_free(ir_count_row *rows, size_t n)
{
    size_t i;

    for (i = 0; rows != NULL && i < n; i++) {
        free(rows[i].customer);
        free(rows[i].csp_account);
        free(rows[i].region);
    }
    free(rows);
}
