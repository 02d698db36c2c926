/* Group commit and the spool's way in, shared by the database backends
 * (journal_commit.h). */
#include "autoconf.h"

#include "journal/journal_commit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "journal/spool.h"

#define SPOOL_DRAIN_WAIT_MS 2000

ir_rc ir_gc_init(ir_group_commit *g, size_t batch_max, ir_gc_batch_fn insert, void *ctx,
                 ir_err *err)
{
    memset(g, 0, sizeof(*g));
    g->batch_max = batch_max;
    g->insert = insert;
    g->ctx = ctx;
    if (pthread_mutex_init(&g->lock, NULL) == 0) {
        if (pthread_cond_init(&g->cond, NULL) == 0)
            return IR_OK;
        pthread_mutex_destroy(&g->lock);
    }
    return ir_err_set(err, IR_ERR_INTERNAL, "journal: cannot create synchronisation objects");
}

void ir_gc_destroy(ir_group_commit *g)
{
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->lock);
}

void ir_gc_stats(ir_group_commit *g, ir_journal_stats *out)
{
    pthread_mutex_lock(&g->lock);
    *out = g->stats;
    pthread_mutex_unlock(&g->lock);
}

/* Detaches up to batch_max waiters from the head of the queue. */
static ir_gc_waiter *take_batch(ir_group_commit *g)
{
    ir_gc_waiter *head = g->head, *last = head;
    size_t n = 1;

    while (last->next != NULL && n < g->batch_max) {
        last = last->next;
        n++;
    }
    g->stats.enqueues += (uint64_t)n;
    g->stats.transactions++;
    g->head = last->next;
    if (g->head == NULL)
        g->tail = NULL;
    last->next = NULL;
    return head;
}

static void complete_batch(ir_gc_waiter *batch, ir_rc rc, const ir_err *err)
{
    ir_gc_waiter *w, *next;

    for (w = batch; w != NULL; w = next) {
        next = w->next;
        if (rc != IR_OK) {
            w->rc = rc;
            w->known = false;
            w->err = *err;
        }
        w->done = true;
    }
}

/* Called and returns with the lock held. */
static void lead_commit(ir_group_commit *g)
{
    ir_gc_waiter *batch = take_batch(g);
    ir_err err = {0};
    ir_rc rc;

    g->committing = true;
    pthread_mutex_unlock(&g->lock);
    rc = g->insert(g->ctx, batch, &err);
    pthread_mutex_lock(&g->lock);
    complete_batch(batch, rc, &err);
    g->committing = false;
    pthread_cond_broadcast(&g->cond);
}

ir_rc ir_gc_enqueue(ir_group_commit *g, const ir_checked_req *c, bool *already_known, ir_err *err)
{
    ir_gc_waiter w = {.req = c->req, .cert_id = c->cert_id};

    pthread_mutex_lock(&g->lock);
    if (g->tail != NULL)
        g->tail->next = &w;
    else
        g->head = &w;
    g->tail = &w;
    while (!w.done) {
        if (g->committing)
            pthread_cond_wait(&g->cond, &g->lock);
        else
            lead_commit(g);
    }
    pthread_mutex_unlock(&g->lock);
    *already_known = w.known;
    if (w.rc != IR_OK && err != NULL)
        *err = w.err;
    return w.rc;
}

void ir_capture_detail(const ir_enqueue_req *r, char *out, size_t n)
{
    if (r->customer != NULL)
        snprintf(out, n, "via %s from SubCA %s for customer %s", ir_cert_source_name(r->source),
                 r->subca, r->customer);
    else
        snprintf(out, n, "via %s from SubCA %s, no customer: %s", ir_cert_source_name(r->source),
                 r->subca, r->unattributed_reason);
}

ir_rc ir_journal_refusal(ir_err *err, const char *cert_id, const char *worker, const char *holder,
                         const char *state, bool lease_live, const char *action)
{
    if (worker != NULL && (holder == NULL || strcmp(holder, worker) != 0))
        return ir_err_set(err, IR_ERR_STATE,
                          "journal: worker %s does not hold the claim on %s (held by %s, state "
                          "%s); drop the entry",
                          worker, cert_id, holder != NULL ? holder : "nobody", state);
    if (worker != NULL && !lease_live)
        return ir_err_set(err, IR_ERR_STATE,
                          "journal: the lease of worker %s on %s has expired (state %s); drop "
                          "the entry, another worker will claim it",
                          worker, cert_id, state);
    return ir_err_set(err, IR_ERR_STATE, "journal: entry %s is %s: cannot %s it", cert_id, state,
                      action);
}

/* --- the spool ---------------------------------------------------------------- */

typedef struct spooled {
    ir_gc_waiter w;
    ir_checked_req c;
} spooled;

typedef struct sink_ctx {
    ir_gc_batch_fn insert;
    void *ctx;
} sink_ctx;

/* Records read back from the spool do not carry their certificate id, and
 * come from a file: each is checked as any enqueue is (ir_enqueue_check). */
static ir_rc insert_spooled(void *ctx, const ir_enqueue_req *reqs, size_t n, ir_err *err)
{
    sink_ctx *k = ctx;
    spooled *s = calloc(n ? n : 1, sizeof(*s));
    ir_gc_waiter *head = NULL, **tail = &head;
    size_t i;
    ir_err e;
    ir_rc rc;

    if (s == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory taking in the spool");
    for (i = 0; i < n; i++) {
        memset(&e, 0, sizeof(e));
        if (ir_enqueue_check(&reqs[i], &s[i].c, &e) != IR_OK) {
            ir_log_error("journal: a spooled certificate was refused and dropped: %s", e.msg);
            continue;
        }
        s[i].w.req = &reqs[i];
        s[i].w.cert_id = s[i].c.cert_id;
        *tail = &s[i].w;
        tail = &s[i].w.next;
    }
    rc = head != NULL ? k->insert(k->ctx, head, err) : IR_OK;
    for (i = 0; rc == IR_OK && i < n; i++)
        if (s[i].w.req != NULL && s[i].w.rc != IR_OK)
            ir_log_error("journal: spooled certificate %s was refused and dropped: %s",
                         s[i].c.cert_id, s[i].w.err.msg);
    free(s);
    return rc;
}

ir_rc ir_gc_absorb_spool(const char *path, ir_gc_batch_fn insert, void *ctx, size_t *moved,
                         ir_err *err)
{
    sink_ctx k = {insert, ctx};
    ir_spool_drained d;
    ir_rc rc = ir_spool_drain(path, SPOOL_DRAIN_WAIT_MS, insert_spooled, &k, &d, err);

    *moved = d.records;
    if (d.skipped_bytes > 0)
        ir_log_warn("journal: %zu bytes of damaged records in the spool of %s were skipped (a "
                    "write that failed; its certificate was not released)",
                    d.skipped_bytes, path);
    if (d.records > 0)
        ir_log_debug("journal: %zu certificates taken in from the spool", d.records);
    return rc;
}
