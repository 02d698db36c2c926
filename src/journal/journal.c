/* The journal's front: validates every request once, then dispatches to the
 * backend the journal was opened with (journal_open.c). */
#include "autoconf.h"

#include "journal/journal_internal.h"

#include <string.h>

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
    return ir_journal_check_text("worker id", worker, IR_JOURNAL_NAME_MAX, true, err);
}

static ir_rc check_step(const char *what, const char *step, ir_err *err)
{
    if (!ir_step_name_valid(step))
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "journal: %s '%.40s' is no step name ([a-z0-9-], at most %d)", what,
                          step != NULL ? step : "", IR_STEP_NAME_MAX);
    return IR_OK;
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

ir_rc ir_journal_enqueue(ir_journal *j, const ir_enqueue_req *req, bool *already_known, ir_err *err)
{
    ir_checked_req c;
    ir_rc rc = ir_enqueue_check(req, &c, err);

    if (already_known != NULL)
        *already_known = false;
    return rc == IR_OK ? ir_journal_enqueue_checked(j, &c, already_known, err) : rc;
}

ir_rc ir_journal_enqueue_checked(ir_journal *j, const ir_checked_req *c, bool *already_known,
                                 ir_err *err)
{
    bool known = false;
    ir_rc rc = j->ops->enqueue(j, c, &known, err);

    if (already_known != NULL)
        *already_known = rc == IR_OK && known;
    return rc;
}

ir_rc ir_journal_claim(ir_journal *j, const ir_claim_opts *o, ir_entry_list *out, ir_err *err)
{
    ir_rc rc;

    out->items = NULL;
    out->n = 0;
    rc = check_worker(o->worker, err);
    if (rc == IR_OK)
        rc = ir_journal_check_text("customer", o->customer, IR_JOURNAL_NAME_MAX, false, err);
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
        rc = ir_journal_check_text("result", o->result, IR_JOURNAL_NAME_MAX, true, err);
    if (rc == IR_OK)
        rc = ir_journal_check_text("detail", o->detail, IR_JOURNAL_TEXT_MAX, false, err);
    for (i = 0; rc == IR_OK && i < o->n_facts; i++) {
        rc = ir_journal_check_text("fact key", o->facts[i].key, IR_JOURNAL_NAME_MAX, true, err);
        if (rc == IR_OK)
            rc = ir_journal_check_text("fact value", o->facts[i].value, IR_JOURNAL_TEXT_MAX, true,
                                       err);
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
        rc = ir_journal_check_text("error", error, IR_JOURNAL_TEXT_MAX, true, err);
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
        rc = ir_journal_check_text("detail", detail, IR_JOURNAL_TEXT_MAX, false, err);
    return rc == IR_OK ? j->ops->finish(j, cert_id, worker, detail, err) : rc;
}

ir_rc ir_journal_park(ir_journal *j, const char *cert_id, const char *worker, const char *reason,
                      ir_err *err)
{
    ir_rc rc = check_id(cert_id, err);

    if (rc == IR_OK && worker != NULL)
        rc = check_worker(worker, err);
    if (rc == IR_OK)
        rc = ir_journal_check_text("park reason", reason, IR_JOURNAL_TEXT_MAX, true, err);
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
        rc = ir_journal_check_text("customer", customer, IR_JOURNAL_NAME_MAX, true, err);
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
    return j->ops->count(j, false, rows, n, err);
}

ir_rc ir_journal_count_routes(ir_journal *j, ir_count_row **rows, size_t *n, ir_err *err)
{
    *rows = NULL;
    *n = 0;
    return j->ops->count(j, true, rows, n, err);
}

static ir_rc unsupported(const ir_journal *j, const char *what, ir_err *err)
{
    return ir_err_set(err, IR_ERR_UNSUPPORTED, "journal (%s): %s is not supported", j->ops->name,
                      what);
}

ir_rc ir_journal_wait_work(ir_journal *j, int64_t timeout_ms, bool *woken, ir_err *err)
{
    *woken = false;
    if (j->ops->wait_work == NULL)
        return unsupported(j, "waiting for notifications", err);
    return j->ops->wait_work(j, timeout_ms < 0 ? 0 : timeout_ms, woken, err);
}

ir_rc ir_journal_next_due_in(ir_journal *j, int64_t *in_ms, ir_err *err)
{
    *in_ms = -1;
    if (j->ops->next_due_in == NULL)
        return unsupported(j, "asking when work is next due", err);
    return j->ops->next_due_in(j, in_ms, err);
}

ir_rc ir_journal_quota_reserve(ir_journal *j, const char *bucket, int64_t interval_us,
                               int64_t *wait_us, ir_err *err)
{
    ir_rc rc;

    *wait_us = 0;
    if (j->ops->quota_reserve == NULL)
        return unsupported(j, "a shared rate limit", err);
    rc = ir_journal_check_text("rate-limit bucket", bucket, IR_JOURNAL_NAME_MAX, true, err);
    if (rc == IR_OK && interval_us <= 0)
        rc = ir_err_set(err, IR_ERR_INVALID_ARG, "journal: a rate-limit interval must be positive");
    return rc == IR_OK ? j->ops->quota_reserve(j, bucket, interval_us, wait_us, err) : rc;
}

ir_rc ir_journal_copy_entry(ir_journal *j, const ir_journal_entry *e, bool *copied, ir_err *err)
{
    ir_rc rc;

    *copied = false;
    if (j->ops->copy_entry == NULL)
        return unsupported(j, "copying entries in", err);
    rc = check_id(e->cert_id, err);
    if (rc == IR_OK && (e->der == NULL || e->der_len == 0 || e->der_len > IR_JOURNAL_MAX_DER))
        rc = ir_err_set(err, IR_ERR_INVALID_ARG, "journal: %s: the entry to copy has no DER",
                        e->cert_id);
    if (rc == IR_OK && (e->state < 0 || e->state >= IR_STATE_COUNT))
        rc = ir_err_set(err, IR_ERR_INVALID_ARG, "journal: %s: the entry to copy has no state",
                        e->cert_id);
    if (rc == IR_OK)
        rc = check_step("step", e->step, err);
    return rc == IR_OK ? j->ops->copy_entry(j, e, copied, err) : rc;
}
