/* Journal entries: names of states and sources, validators, freeing. */
#include "autoconf.h"

#include "journal/journal.h"

#include <stdlib.h>
#include <string.h>

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

    for (i = 0; rows != NULL && i < n; i++)
        free(rows[i].customer);
    free(rows);
}
