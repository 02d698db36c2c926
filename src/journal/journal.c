/* The journal's front: validates every request once, then dispatches to the
 * backend the configuration names. */
#include "autoconf.h"

#include "journal/journal_backend.h"

#include <string.h>

#include "core/util.h"

static ir_rc check_text(const char *what, const char *value, size_t max, bool required, ir_err *err)
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

static ir_rc check_id(const char *cert_id, ir_err *err)
{
    if (!ir_cert_id_valid(cert_id))
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "journal: '%.80s' is no certificate id (64 lower-case hex characters, "
                          "the SHA-256 of the certificate's DER)",
                          cert_id != NULL ? cert_id : "");
    return IR_OK;
}

static ir_rc check_worker(const char *worker, ir_err *err)
{
    return check_text("worker id", worker, IR_JOURNAL_NAME_MAX, true, err);
}

static ir_rc check_step(const char *what, const char *step, ir_err *err)
{
    if (!ir_step_name_valid(step))
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "journal: %s '%.40s' is no step name ([a-z0-9-], at most %d)", what,
                          step != NULL ? step : "", IR_STEP_NAME_MAX);
    return IR_OK;
}

unsigned ir_journal_file_mode(const ir_journal_opts *opts)
{
    /* Read and write bits only, never for others, always for the owner. */
    if (opts == NULL || opts->mode == 0)
        return IR_JOURNAL_MODE_DEFAULT;
    return (opts->mode & 0660) | 0600;
}

ir_rc ir_journal_open(const ir_journal_opts *opts, ir_journal **out, ir_err *err)
{
    *out = NULL;
    if (opts == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "journal: no configuration given");
    switch (opts->kind) {
    case IR_JOURNAL_KIND_SQLITE:
        if (opts->path == NULL || opts->path[0] == '\0')
            return ir_err_set(err, IR_ERR_CONFIG,
                              "journal: no database path configured (<journal path=\"...\"/>)");
        return ir_journal_sqlite_open(opts, out, err);
    case IR_JOURNAL_KIND_POSTGRES:
        return ir_err_set(err, IR_ERR_UNSUPPORTED,
                          "journal: the PostgreSQL backend is not part of this build of iotreg; "
                          "configure the SQLite journal instead");
    }
    return ir_err_set(err, IR_ERR_CONFIG, "journal: unknown backend %d", (int)opts->kind);
}

ir_rc ir_journal_absorb_spool(ir_journal *j, size_t *moved, ir_err *err)
{
    size_t n = 0;
    ir_rc rc = j->ops->absorb_spool != NULL ? j->ops->absorb_spool(j, &n, err) : IR_OK;

    if (moved != NULL)
        *moved = n;
    return rc;
}

void ir_journal_close(ir_journal *j)
{
    if (j != NULL)
        j->ops->close(j);
}

void ir_journal_get_stats(ir_journal *j, ir_journal_stats *out)
{
    out->enqueues = 0;
    out->transactions = 0;
    if (j->ops->stats != NULL)
        j->ops->stats(j, out);
}

ir_rc ir_journal_check_writable(ir_journal *j, ir_err *err)
{
    return j->ops->check_writable(j, err);
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
    rc = check_text("SubCA name", req->subca, IR_JOURNAL_NAME_MAX, true, err);
    if (rc == IR_OK)
        rc = check_text("customer", req->customer, IR_JOURNAL_NAME_MAX, false, err);
    if (rc == IR_OK)
        rc = check_text("unattributed reason", req->unattributed_reason, IR_JOURNAL_TEXT_MAX,
                        req->customer == NULL, err);
    if (rc == IR_OK)
        rc = check_text("end entity", req->end_entity, IR_JOURNAL_NAME_MAX, false, err);
    if (rc == IR_OK)
        rc = check_text("profile", req->profile, IR_JOURNAL_NAME_MAX, false, err);
    return rc;
}

ir_rc ir_journal_enqueue(ir_journal *j, const ir_enqueue_req *req, bool *already_known, ir_err *err)
{
    char id[IR_SHA256_HEX_LEN + 1];
    bool known = false;
    ir_rc rc;

    if (already_known != NULL)
        *already_known = false;
    rc = ir_journal_check_enqueue(req, err);
    if (rc == IR_OK)
        rc = ir_sha256_hex(req->der, req->der_len, id, err);
    if (rc != IR_OK)
        return rc;
    if (req->cert_id != NULL && strcmp(req->cert_id, id) != 0)
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "journal: certificate id %.80s is not the SHA-256 of the certificate "
                          "(%s)",
                          req->cert_id, id);
    rc = j->ops->enqueue(j, req, id, &known, err);
    if (rc == IR_OK && already_known != NULL)
        *already_known = known;
    return rc;
}

ir_rc ir_journal_claim(ir_journal *j, const ir_claim_opts *o, ir_entry_list *out, ir_err *err)
{
    ir_rc rc;

    out->items = NULL;
    out->n = 0;
    rc = check_worker(o->worker, err);
    if (rc == IR_OK)
        rc = check_text("customer", o->customer, IR_JOURNAL_NAME_MAX, false, err);
    if (rc != IR_OK)
        return rc;
    if (o->max == 0 || o->max > IR_JOURNAL_CLAIM_MAX || o->lease_ms <= 0)
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "journal: claim needs 1..%d entries and a positive lease",
                          IR_JOURNAL_CLAIM_MAX);
    return j->ops->claim(j, o, out, err);
}

ir_rc ir_journal_renew_lease(ir_journal *j, const char *cert_id, const char *worker,
                             int64_t lease_ms, ir_err *err)
{
    ir_rc rc = check_id(cert_id, err);

    if (rc == IR_OK)
        rc = check_worker(worker, err);
    if (rc == IR_OK && lease_ms <= 0)
        rc = ir_err_set(err, IR_ERR_INVALID_ARG, "journal: a lease must be positive");
    return rc == IR_OK ? j->ops->renew_lease(j, cert_id, worker, lease_ms, err) : rc;
}

ir_rc ir_journal_release(ir_journal *j, const char *cert_id, const char *worker, ir_err *err)
{
    ir_rc rc = check_id(cert_id, err);

    if (rc == IR_OK)
        rc = check_worker(worker, err);
    return rc == IR_OK ? j->ops->release(j, cert_id, worker, err) : rc;
}

static ir_rc check_outcome(const ir_step_outcome *o, ir_err *err)
{
    ir_rc rc = check_step("step", o->step, err);
    size_t i;

    if (rc == IR_OK)
        rc = check_step("next step", o->next_step, err);
    if (rc == IR_OK)
        rc = check_text("result", o->result, IR_JOURNAL_NAME_MAX, true, err);
    if (rc == IR_OK)
        rc = check_text("detail", o->detail, IR_JOURNAL_TEXT_MAX, false, err);
    for (i = 0; rc == IR_OK && i < o->n_facts; i++) {
        rc = check_text("fact key", o->facts[i].key, IR_JOURNAL_NAME_MAX, true, err);
        if (rc == IR_OK)
            rc = check_text("fact value", o->facts[i].value, IR_JOURNAL_TEXT_MAX, true, err);
    }
    return rc;
}

ir_rc ir_journal_record_step(ir_journal *j, const char *cert_id, const char *worker,
                             const ir_step_outcome *o, ir_err *err)
{
    ir_rc rc = check_id(cert_id, err);

    if (rc == IR_OK)
        rc = check_worker(worker, err);
    if (rc == IR_OK)
        rc = check_outcome(o, err);
    return rc == IR_OK ? j->ops->record_step(j, cert_id, worker, o, err) : rc;
}

ir_rc ir_journal_schedule_retry(ir_journal *j, const char *cert_id, const char *worker,
                                int64_t next_attempt_ms, const char *error, ir_err *err)
{
    ir_rc rc = check_id(cert_id, err);

    if (rc == IR_OK)
        rc = check_worker(worker, err);
    if (rc == IR_OK)
        rc = check_text("error", error, IR_JOURNAL_TEXT_MAX, true, err);
    return rc == IR_OK ? j->ops->schedule_retry(j, cert_id, worker, next_attempt_ms, error, err)
                       : rc;
}

ir_rc ir_journal_finish(ir_journal *j, const char *cert_id, const char *worker, const char *detail,
                        ir_err *err)
{
    ir_rc rc = check_id(cert_id, err);

    if (rc == IR_OK)
        rc = check_worker(worker, err);
    if (rc == IR_OK)
        rc = check_text("detail", detail, IR_JOURNAL_TEXT_MAX, false, err);
    return rc == IR_OK ? j->ops->finish(j, cert_id, worker, detail, err) : rc;
}

ir_rc ir_journal_park(ir_journal *j, const char *cert_id, const char *worker, const char *reason,
                      ir_err *err)
{
    ir_rc rc = check_id(cert_id, err);

    if (rc == IR_OK && worker != NULL)
        rc = check_worker(worker, err);
    if (rc == IR_OK)
        rc = check_text("park reason", reason, IR_JOURNAL_TEXT_MAX, true, err);
    return rc == IR_OK ? j->ops->park(j, cert_id, worker, reason, err) : rc;
}

ir_rc ir_journal_retry_now(ir_journal *j, const char *cert_id, ir_err *err)
{
    ir_rc rc = check_id(cert_id, err);

    return rc == IR_OK ? j->ops->retry_now(j, cert_id, err) : rc;
}

ir_rc ir_journal_assign(ir_journal *j, const char *cert_id, const char *customer, ir_err *err)
{
    ir_rc rc = check_id(cert_id, err);

    if (rc == IR_OK)
        rc = check_text("customer", customer, IR_JOURNAL_NAME_MAX, true, err);
    return rc == IR_OK ? j->ops->assign(j, cert_id, customer, err) : rc;
}

ir_rc ir_journal_request_revocation(ir_journal *j, const char *cert_id, int reason,
                                    int64_t revocation_time_ms, bool *already_requested,
                                    ir_err *err)
{
    bool already = false;
    ir_rc rc = check_id(cert_id, err);

    if (rc == IR_OK && !ir_revocation_reason_valid(reason))
        rc = ir_err_set(err, IR_ERR_INVALID_ARG,
                        "journal: revocation reason %d is no RFC 5280 CRLReason (0-6, 8-10)",
                        reason);
    if (rc == IR_OK)
        rc = j->ops->request_revocation(j, cert_id, reason, revocation_time_ms, &already, err);
    if (already_requested != NULL)
        *already_requested = rc == IR_OK && already;
    return rc;
}

ir_rc ir_journal_get(ir_journal *j, const char *cert_id, ir_journal_entry **out, ir_err *err)
{
    ir_rc rc = check_id(cert_id, err);

    *out = NULL;
    return rc == IR_OK ? j->ops->get(j, cert_id, out, err) : rc;
}

ir_rc ir_journal_list(ir_journal *j, const ir_list_filter *f, ir_entry_list *out, ir_err *err)
{
    ir_list_filter copy = *f;

    out->items = NULL;
    out->n = 0;
    if (copy.state >= IR_STATE_COUNT || copy.state < -1)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "journal: unknown state %d", copy.state);
    if (copy.limit == 0)
        copy.limit = IR_JOURNAL_LIST_LIMIT;
    return j->ops->list(j, &copy, out, err);
}

ir_rc ir_journal_foreach(ir_journal *j, const ir_list_filter *f, ir_journal_each_fn fn, void *ctx,
                         ir_err *err)
{
    ir_list_filter page = *f;
    ir_entry_list l = {0};
    size_t i;
    ir_rc rc;

    while ((rc = ir_journal_list(j, &page, &l, err)) == IR_OK && l.n > 0) {
        for (i = 0; rc == IR_OK && i < l.n; i++) {
            page.after_seq = l.items[i].seq;
            rc = fn(ctx, &l.items[i], err);
        }
        ir_entry_list_free(&l);
        if (rc != IR_OK)
            break;
    }
    return rc;
}

ir_rc ir_journal_count(ir_journal *j, ir_count_row **rows, size_t *n, ir_err *err)
{
    *rows = NULL;
    *n = 0;
    return j->ops->count(j, rows, n, err);
}
