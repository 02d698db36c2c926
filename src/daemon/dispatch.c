#include "autoconf.h"

#include "daemon/dispatch.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/util.h"
#include "daemon/deliver.h"
#include "daemon/revoke.h"

#define LEASE_MS (30L * 60 * 1000)

/* Claimed entries waiting for a worker, in the order they are to run. */
typedef struct dispatch {
    ir_deliver_ctx *ctx;
    const ir_dispatch_opts *opts;
    pthread_mutex_t lock;
    pthread_cond_t work;      /* an entry was queued, or stop */
    pthread_cond_t done;      /* a worker finished an entry */
    ir_journal_entry **queue; /* heap entries, each freed by whoever pops it */
    size_t head, count, cap;
    size_t in_flight;
    bool closing;
    long claimed, finished;
    size_t rotation; /* the customer that claims first in the next round */
} dispatch;

/* Moves e (from a claim list) into the queue; on allocation failure e stays
 * in the list, which frees it, and its lease runs out. */
static void queue_push(dispatch *d, ir_journal_entry *e)
{
    ir_journal_entry *copy = malloc(sizeof(*copy));

    if (copy == NULL)
        return;
    *copy = *e;
    memset(e, 0, sizeof(*e));
    d->queue[(d->head + d->count) % d->cap] = copy;
    d->count++;
}

static bool queue_pop(dispatch *d, ir_journal_entry **out)
{
    if (d->count == 0)
        return false;
    *out = d->queue[d->head];
    d->head = (d->head + 1) % d->cap;
    d->count--;
    return true;
}

static void run_entry(dispatch *d, const ir_journal_entry *e)
{
    ir_err err = {0};
    ir_rc rc;

    if (e->state == IR_STATE_REVOKE_PENDING)
        rc = ir_revoke(d->ctx, e, &err);
    else
        rc = ir_deliver(d->ctx, e, &err);
    if (rc != IR_OK) {
        ir_dmetrics_journal_error(d->ctx->metrics, "record");
        ir_log_error("%s: the journal could not record the outcome: %s", e->cert_id, err.msg);
    }
}

static void *worker_main(void *arg)
{
    dispatch *d = arg;
    ir_journal_entry *e;

    pthread_mutex_lock(&d->lock);
    for (;;) {
        while (d->count == 0 && !d->closing)
            pthread_cond_wait(&d->work, &d->lock);
        if (!queue_pop(d, &e))
            break;
        d->in_flight++;
        pthread_mutex_unlock(&d->lock);
        run_entry(d, e);
        ir_journal_entry_free(e);
        pthread_mutex_lock(&d->lock);
        d->in_flight--;
        d->finished++;
        pthread_cond_broadcast(&d->done);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

/* Claims up to max entries (of one customer, or any when customer is NULL)
 * into lists[*n]. */
static size_t claim_into(dispatch *d, const char *customer, size_t max, ir_entry_list *list)
{
    ir_claim_opts o = {0};
    ir_err err = {0};

    memset(list, 0, sizeof(*list));
    if (max == 0)
        return 0;
    o.worker = d->ctx->worker;
    o.max = max;
    o.lease_ms = LEASE_MS;
    o.customer = customer;
    if (ir_journal_claim(d->ctx->journal, &o, list, &err) != IR_OK) {
        ir_dmetrics_journal_error(d->ctx->metrics, "claim");
        ir_log_error("claiming work: %s", err.msg);
        return 0;
    }
    return list->n;
}

/* Pushes the lists round-robin, so that one customer's backlog does not
 * stand in front of another's few certificates. */
static void queue_interleaved(dispatch *d, ir_entry_list *lists, size_t n_lists)
{
    size_t i, k, pushed = 1;

    for (k = 0; pushed; k++) {
        pushed = 0;
        for (i = 0; i < n_lists; i++)
            if (k < lists[i].n) {
                queue_push(d, &lists[i].items[k]);
                pushed++;
            }
    }
    for (i = 0; i < n_lists; i++)
        ir_entry_list_free(&lists[i]);
}

/* One claiming round: an equal share of room for each customer, then what
 * is left for anything due (unknown customers, revocations of unattributed
 * certificates). Returns how many entries were claimed. */
static size_t claim_round(dispatch *d, size_t room)
{
    const ir_config *cfg = d->ctx->cfg;
    size_t n_cust = cfg->n_customers;
    size_t share = n_cust > 0 ? (room + n_cust - 1) / n_cust : room;
    ir_entry_list *lists = calloc(n_cust + 1, sizeof(*lists));
    size_t i, got = 0, idx;

    if (lists == NULL)
        return 0;
    for (i = 0; i < n_cust && got < room; i++) {
        idx = (d->rotation + i) % n_cust;
        got += claim_into(d, cfg->customers[idx].id, share < room - got ? share : room - got,
                          &lists[i]);
    }
    if (got == 0)
        got += claim_into(d, NULL, room, &lists[n_cust]);
    d->rotation = n_cust > 0 ? (d->rotation + 1) % n_cust : 0;
    pthread_mutex_lock(&d->lock);
    queue_interleaved(d, lists, n_cust + 1);
    d->claimed += (long)got;
    pthread_cond_broadcast(&d->work);
    pthread_mutex_unlock(&d->lock);
    free(lists);
    return got;
}

static void wait_done(dispatch *d, long ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&d->done, &d->lock, &ts);
}

/* Certificates the issuance tap spooled since the last round join the
 * journal before it is claimed from. A spool that cannot be taken in now is
 * taken in on a later round; its records are durable where they are. */
static void absorb_spool(dispatch *d)
{
    const ir_journal_conf *jc = &d->ctx->cfg->journal;
    ir_err err = {0};
    size_t moved = 0;
    bool ok;

    ir_dmetrics_spool_before(d->ctx->metrics, jc->backend == IR_JOURNAL_SQLITE ? jc->path : NULL);
    ok = ir_journal_absorb_spool(d->ctx->journal, &moved, &err) == IR_OK;
    ir_dmetrics_spool_after(d->ctx->metrics, moved, ok);
    if (!ok)
        ir_log_warn("the journal's spool was not taken in this round: %s", err.msg);
    else if (moved > 0)
        ir_log_info("%zu certificates taken in from the issuance tap's spool", moved);
}

/* The claiming loop; returns when stopped or, with once, out of work. */
static void dispatch_loop(dispatch *d)
{
    size_t room, got;
    bool idle;

    for (;;) {
        if (atomic_load(d->opts->stop))
            return;
        pthread_mutex_lock(&d->lock);
        room = d->cap - d->count - d->in_flight;
        pthread_mutex_unlock(&d->lock);
        if (room > 0)
            absorb_spool(d);
        ir_dmetrics_refresh(d->ctx->metrics, d->ctx->journal, false);
        got = room > 0 ? claim_round(d, room) : 0;
        pthread_mutex_lock(&d->lock);
        idle = d->count == 0 && d->in_flight == 0;
        if (got == 0 && idle && d->opts->once) {
            pthread_mutex_unlock(&d->lock);
            return;
        }
        if (got == 0 || d->count + d->in_flight >= d->cap)
            wait_done(d, got == 0 && idle ? d->opts->poll_ms : 200);
        pthread_mutex_unlock(&d->lock);
    }
}

/* Gives back what is queued and waits (bounded) for the workers. */
static bool dispatch_drain(dispatch *d)
{
    int64_t deadline = ir_monotonic_ms() + d->opts->grace_ms;
    ir_journal_entry *e;
    ir_err err = {0};
    bool all;

    pthread_mutex_lock(&d->lock);
    d->closing = true;
    while (queue_pop(d, &e)) {
        ir_journal_release(d->ctx->journal, e->cert_id, d->ctx->worker, &err);
        ir_journal_entry_free(e);
    }
    pthread_cond_broadcast(&d->work);
    while (d->in_flight > 0 && ir_monotonic_ms() < deadline)
        wait_done(d, 100);
    all = d->in_flight == 0;
    pthread_mutex_unlock(&d->lock);
    return all;
}

static void dispatch_free(dispatch *d)
{
    pthread_cond_destroy(&d->done);
    pthread_cond_destroy(&d->work);
    pthread_mutex_destroy(&d->lock);
    free(d->queue);
    free(d);
}

static dispatch *dispatch_new(ir_deliver_ctx *ctx, const ir_dispatch_opts *o)
{
    dispatch *d = calloc(1, sizeof(*d));

    if (d == NULL)
        return NULL;
    d->ctx = ctx;
    d->opts = o;
    d->cap = (size_t)o->workers * 2;
    d->queue = calloc(d->cap, sizeof(*d->queue));
    if (d->queue == NULL) {
        free(d);
        return NULL;
    }
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->work, NULL);
    pthread_cond_init(&d->done, NULL);
    return d;
}

ir_rc ir_dispatch_run(ir_deliver_ctx *ctx, const ir_dispatch_opts *o, ir_dispatch_stats *stats,
                      ir_err *err)
{
    dispatch *d = dispatch_new(ctx, o);
    pthread_t *threads = calloc((size_t)o->workers, sizeof(*threads));
    int i, started = 0;
    bool all;

    if (d == NULL || threads == NULL) {
        if (d != NULL)
            dispatch_free(d);
        free(threads);
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < o->workers; i++)
        if (pthread_create(&threads[i], NULL, worker_main, d) == 0)
            started++;
    if (started == 0)
        ir_err_set(err, IR_ERR_INTERNAL, "cannot start worker threads");
    else
        dispatch_loop(d);
    all = dispatch_drain(d);
    ir_dmetrics_refresh(ctx->metrics, ctx->journal, true);
    if (stats != NULL) {
        stats->claimed = d->claimed;
        stats->finished = d->finished;
        stats->abandoned = !all;
    }
    if (all) {
        for (i = 0; i < started; i++)
            pthread_join(threads[i], NULL);
        dispatch_free(d);
    } else {
        /* Workers blocked in AWS calls keep d: each step is recorded before
         * the next, so the caller may exit now; the next start resumes them. */
        ir_log_warn("stopping with entries in flight; they resume at the next start");
        for (i = 0; i < started; i++)
            pthread_detach(threads[i]);
    }
    free(threads);
    return started == 0 ? IR_ERR_INTERNAL : IR_OK;
}
