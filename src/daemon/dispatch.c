#include "autoconf.h"

#include "daemon/dispatch.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/util.h"
#include "daemon/deliver.h"
#include "daemon/revoke.h"

#define WAIT_SLICE_MS    1000  /* longest wait between two looks at the stop flag */
#define IDLE_MIN_MS      50    /* shortest idle wait, when work is said to be due now */
#define DOWN_FIRST_MS    1000  /* first wait after the journal's database was lost */
#define DOWN_BOUND_MS    10000 /* longest wait between two tries */
#define LEASE_DEFAULT_MS 60000

/* A claimed entry: queued or in a worker's hands. */
typedef struct held {
    char cert_id[IR_CERT_ID_LEN + 1];
    bool lost;             /* its lease is gone: no more renewals */
    int64_t lease_ends_ms; /* monotonic: its lease runs out by then at the latest */
} held;

/* Claimed entries waiting for a worker, in the order they are to run. */
typedef struct dispatch {
    ir_deliver_ctx *ctx;
    const ir_dispatch_opts *opts;
    pthread_mutex_t lock;
    pthread_cond_t work;      /* an entry was queued, or stop */
    pthread_cond_t done;      /* a worker finished an entry */
    pthread_cond_t renew;     /* the renewal thread is to stop */
    ir_journal_entry **queue; /* heap entries, each freed by whoever pops it */
    size_t head, count, cap;
    size_t in_flight;
    bool closing;
    bool renew_stop;
    long claimed, finished;
    size_t rotation;       /* the customer that claims first in the next round */
    int64_t claim_sent_ms; /* monotonic: when this round's claims were sent */
    held *held;            /* cap slots: every entry queued or in flight */
    size_t n_held;
    char (*renewing)[IR_CERT_ID_LEN + 1]; /* cap slots: the renewal thread's copy */
    long lease_ms;
    bool notify;       /* the journal may give signs of new work (until it says otherwise) */
    atomic_bool down;  /* the journal's database cannot be reached: claiming stopped */
    long down_wait_ms; /* the next wait before trying it again */
} dispatch;

/* -- the entries this daemon holds -- */

static void held_add_locked(dispatch *d, const char *cert_id)
{
    if (d->n_held == d->cap)
        return; /* cannot happen: the queue and the workers hold at most cap */
    snprintf(d->held[d->n_held].cert_id, sizeof(d->held[0].cert_id), "%s", cert_id);
    d->held[d->n_held].lost = false;
    d->held[d->n_held].lease_ends_ms = d->claim_sent_ms + d->lease_ms;
    d->n_held++;
}

static held *held_find_locked(dispatch *d, const char *cert_id)
{
    size_t i;

    for (i = 0; i < d->n_held; i++)
        if (strcmp(d->held[i].cert_id, cert_id) == 0)
            return &d->held[i];
    return NULL;
}

static void held_remove_locked(dispatch *d, const char *cert_id)
{
    held *h = held_find_locked(d, cert_id);

    if (h != NULL)
        *h = d->held[--d->n_held];
}

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
    held_add_locked(d, copy->cert_id);
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

/* The delivery's still_ours: the entry's lease was not lost, and runs for a
 * sixth of its length more at least (the server's clock started it no
 * earlier than the request that set it was sent). */
static bool still_ours(void *ctx, const char *cert_id)
{
    dispatch *d = ctx;
    held *h;
    bool ours;

    pthread_mutex_lock(&d->lock);
    h = held_find_locked(d, cert_id);
    ours = h == NULL || (!h->lost && ir_monotonic_ms() < h->lease_ends_ms - d->lease_ms / 6);
    pthread_mutex_unlock(&d->lock);
    return ours;
}

/* -- the journal's database lost and found -- */

/* A claim or a lease renewal found the database away (each such call has
 * waited for it to come back a while): the first says so. A worker's
 * record that fails is not proof: a transaction cut off by a restart
 * fails on a connection opened before it. */
static void journal_lost(dispatch *d, const ir_err *err)
{
    if (!atomic_exchange(&d->down, true)) {
        ir_log_error("the journal's database cannot be reached (%s): claiming stopped until it "
                     "answers",
                     err->msg);
        ir_dmetrics_journal_up(d->ctx->metrics, false);
    }
}

/* A claim or a renewal succeeded. */
static void journal_answers(dispatch *d)
{
    if (atomic_exchange(&d->down, false)) {
        ir_log_info("the journal's database answers again; claiming resumed");
        ir_dmetrics_journal_up(d->ctx->metrics, true);
    }
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
        pthread_mutex_lock(&d->lock);
        held_remove_locked(d, e->cert_id);
        ir_journal_entry_free(e);
        d->in_flight--;
        d->finished++;
        pthread_cond_broadcast(&d->done);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

/* Claims up to max entries (of one customer, or any when customer is NULL)
 * into list. */
static ir_rc claim_into(dispatch *d, const char *customer, size_t max, ir_entry_list *list)
{
    ir_claim_opts o = {0};
    ir_err err = {0};
    ir_rc rc;

    memset(list, 0, sizeof(*list));
    if (max == 0)
        return IR_OK;
    o.worker = d->ctx->worker;
    o.max = max;
    o.lease_ms = d->lease_ms;
    o.customer = customer;
    rc = ir_journal_claim(d->ctx->journal, &o, list, &err);
    if (rc == IR_ERR_IO) {
        journal_lost(d, &err);
    } else if (rc != IR_OK) {
        ir_log_error("claiming work: %s", err.msg);
    } else {
        d->down_wait_ms = DOWN_FIRST_MS;
        journal_answers(d);
    }
    if (rc != IR_OK)
        ir_dmetrics_journal_error(d->ctx->metrics, "claim");
    return rc;
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
    ir_rc rc = IR_OK;

    if (lists == NULL)
        return 0;
    d->claim_sent_ms = ir_monotonic_ms();
    /* The first claim that finds the database away ends the round (while
     * it is away, that first claim is the round's one try). */
    for (i = 0; i < n_cust && got < room && rc != IR_ERR_IO; i++) {
        idx = (d->rotation + i) % n_cust;
        rc = claim_into(d, cfg->customers[idx].id, share < room - got ? share : room - got,
                        &lists[i]);
        got += rc == IR_OK ? lists[i].n : 0;
    }
    if (got == 0 && rc != IR_ERR_IO && claim_into(d, NULL, room, &lists[n_cust]) == IR_OK)
        got += lists[n_cust].n;
    d->rotation = n_cust > 0 ? (d->rotation + 1) % n_cust : 0;
    pthread_mutex_lock(&d->lock);
    queue_interleaved(d, lists, n_cust + 1);
    d->claimed += (long)got;
    pthread_cond_broadcast(&d->work);
    pthread_mutex_unlock(&d->lock);
    free(lists);
    return got;
}

static void wait_on(dispatch *d, pthread_cond_t *cond, long ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cond, &d->lock, &ts);
}

static void wait_done(dispatch *d, long ms)
{
    wait_on(d, &d->done, ms);
}

/* Sleeps ms (unlocked), looking at the stop flag at least every second. */
static void sleep_stoppable(dispatch *d, int64_t ms)
{
    int64_t deadline = ir_monotonic_ms() + ms, left;

    pthread_mutex_lock(&d->lock);
    while (!atomic_load(d->opts->stop) && (left = deadline - ir_monotonic_ms()) > 0)
        wait_done(d, left < WAIT_SLICE_MS ? (long)left : WAIT_SLICE_MS);
    pthread_mutex_unlock(&d->lock);
}

/* -- leases -- */

/* An entry whose renewal was refused: lost to another worker (its lease ran
 * out and was taken), or no longer claimed at all (its worker finished it
 * meanwhile, an operator parked it): only the first is news. */
static void lease_lost(dispatch *d, const char *cert_id, const ir_err *why)
{
    ir_journal_entry *e = NULL;
    ir_err err = {0};

    if (ir_journal_get(d->ctx->journal, cert_id, &e, &err) == IR_OK && e->claimed_by != NULL) {
        if (strcmp(e->claimed_by, d->ctx->worker) != 0)
            ir_log_warn("%s: lost to worker %s (its lease ran out: %s); this daemon's records of "
                        "it are refused from now on",
                        cert_id, e->claimed_by, why->msg);
        else
            ir_log_warn("%s: its lease ran out before it was renewed (%s); any worker may take it",
                        cert_id, why->msg);
    }
    ir_journal_entry_free(e);
}

/* Renews the leases of every entry queued or in a worker's hands. */
static void renew_leases(dispatch *d)
{
    size_t n, i, failed = 0;
    ir_err err = {0}, first = {0};
    held *h;
    ir_rc rc;

    pthread_mutex_lock(&d->lock);
    for (n = 0, i = 0; i < d->n_held; i++)
        if (!d->held[i].lost)
            memcpy(d->renewing[n++], d->held[i].cert_id, sizeof(d->renewing[0]));
    pthread_mutex_unlock(&d->lock);
    /* While the database is away, one renewal a round tries it. */
    for (i = 0; i < n && !(failed > 0 && d->down); i++) {
        int64_t sent = ir_monotonic_ms();

        rc = ir_journal_renew_lease(d->ctx->journal, d->renewing[i], d->ctx->worker, d->lease_ms,
                                    &err);
        if (rc == IR_OK) {
            journal_answers(d);
            pthread_mutex_lock(&d->lock);
            h = held_find_locked(d, d->renewing[i]);
            if (h != NULL)
                h->lease_ends_ms = sent + d->lease_ms;
            pthread_mutex_unlock(&d->lock);
            continue;
        }
        if (rc != IR_ERR_STATE) {
            ir_dmetrics_journal_error(d->ctx->metrics, "renew");
            if (rc == IR_ERR_IO)
                journal_lost(d, &err);
            if (failed++ == 0)
                first = err;
            continue;
        }
        pthread_mutex_lock(&d->lock);
        h = held_find_locked(d, d->renewing[i]);
        if (h != NULL)
            h->lost = true;
        pthread_mutex_unlock(&d->lock);
        if (h != NULL)
            lease_lost(d, d->renewing[i], &err);
    }
    if (failed > 0)
        ir_log_warn("%zu of %zu leases not renewed: %s", failed, n, first.msg);
}

static void *renew_main(void *arg)
{
    dispatch *d = arg;
    long every = d->lease_ms / 3;

    pthread_mutex_lock(&d->lock);
    while (!d->renew_stop) {
        wait_on(d, &d->renew, every);
        if (d->renew_stop)
            break;
        pthread_mutex_unlock(&d->lock);
        renew_leases(d);
        pthread_mutex_lock(&d->lock);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

/* -- waiting -- */

/* Idle: until the journal gives a sign of new work, the next entry becomes
 * due, or poll_ms passes, whichever comes first; a stop within a second. */
static void idle_wait(dispatch *d)
{
    int64_t timeout = d->opts->poll_ms, in_ms, deadline, left;
    bool woken = false;
    ir_err err = {0};
    ir_rc rc;

    if (ir_journal_next_due_in(d->ctx->journal, &in_ms, &err) == IR_OK && in_ms >= 0 &&
        in_ms < timeout)
        timeout = in_ms < IDLE_MIN_MS ? IDLE_MIN_MS : in_ms;
    deadline = ir_monotonic_ms() + timeout;
    while (d->notify && !atomic_load(d->opts->stop) && (left = deadline - ir_monotonic_ms()) > 0) {
        rc = ir_journal_wait_work(d->ctx->journal, left < WAIT_SLICE_MS ? left : WAIT_SLICE_MS,
                                  &woken, &err);
        if (rc == IR_OK && woken)
            return;
        if (rc == IR_ERR_UNSUPPORTED)
            d->notify = false; /* the timer alone, from now on */
        else if (rc != IR_OK)
            break; /* the database is away: the next claim says so */
    }
    left = deadline - ir_monotonic_ms();
    if (left > 0)
        sleep_stoppable(d, left);
}

/* The journal's database cannot be reached: the next try after a back-off
 * that doubles up to DOWN_BOUND_MS. */
static void down_wait(dispatch *d)
{
    sleep_stoppable(d, d->down_wait_ms);
    d->down_wait_ms = d->down_wait_ms * 2 > DOWN_BOUND_MS ? DOWN_BOUND_MS : d->down_wait_ms * 2;
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
        /* While the database is away, only the claims try it (each try
         * may wait for a connection). */
        if (room > 0 && !d->down)
            absorb_spool(d);
        if (!d->down)
            ir_dmetrics_refresh(d->ctx->metrics, d->ctx->journal, false);
        got = room > 0 ? claim_round(d, room) : 0;
        pthread_mutex_lock(&d->lock);
        idle = d->count == 0 && d->in_flight == 0;
        if (got == 0 && idle && d->opts->once) {
            pthread_mutex_unlock(&d->lock);
            return;
        }
        if (d->down && room > 0) {
            pthread_mutex_unlock(&d->lock);
            down_wait(d);
        } else if (got == 0 && idle) {
            pthread_mutex_unlock(&d->lock);
            idle_wait(d);
        } else {
            if (got == 0 || d->count + d->in_flight >= d->cap)
                wait_done(d, 200);
            pthread_mutex_unlock(&d->lock);
        }
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
        held_remove_locked(d, e->cert_id);
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
    pthread_cond_destroy(&d->renew);
    pthread_cond_destroy(&d->done);
    pthread_cond_destroy(&d->work);
    pthread_mutex_destroy(&d->lock);
    free(d->queue);
    free(d->held);
    free(d->renewing);
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
    d->held = calloc(d->cap, sizeof(*d->held));
    d->renewing = calloc(d->cap, sizeof(*d->renewing));
    d->notify = true;
    d->lease_ms = o->lease_ms > 0 ? o->lease_ms : LEASE_DEFAULT_MS;
    d->down_wait_ms = DOWN_FIRST_MS;
    if (d->queue == NULL || d->held == NULL || d->renewing == NULL) {
        free(d->queue);
        free(d->held);
        free(d->renewing);
        free(d);
        return NULL;
    }
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->work, NULL);
    pthread_cond_init(&d->done, NULL);
    pthread_cond_init(&d->renew, NULL);
    return d;
}

ir_rc ir_dispatch_run(ir_deliver_ctx *ctx, const ir_dispatch_opts *o, ir_dispatch_stats *stats,
                      ir_err *err)
{
    dispatch *d = dispatch_new(ctx, o);
    pthread_t *threads = calloc((size_t)o->workers, sizeof(*threads));
    pthread_t renewer;
    int i, started = 0;
    bool all, renewing = false;

    if (d == NULL || threads == NULL) {
        if (d != NULL)
            dispatch_free(d);
        free(threads);
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    }
    ctx->still_ours = still_ours;
    ctx->still_ours_ctx = d;
    for (i = 0; i < o->workers; i++)
        if (pthread_create(&threads[i], NULL, worker_main, d) == 0)
            started++;
    if (started == 0)
        ir_err_set(err, IR_ERR_INTERNAL, "cannot start worker threads");
    else if (!(renewing = pthread_create(&renewer, NULL, renew_main, d) == 0))
        ir_err_set(err, IR_ERR_INTERNAL, "cannot start the lease renewal thread");
    else
        dispatch_loop(d);
    all = dispatch_drain(d);
    if (renewing) {
        pthread_mutex_lock(&d->lock);
        d->renew_stop = true;
        pthread_cond_broadcast(&d->renew);
        pthread_mutex_unlock(&d->lock);
        pthread_join(renewer, NULL);
    }
    ir_dmetrics_refresh(ctx->metrics, ctx->journal, true);
    if (stats != NULL) {
        stats->claimed = d->claimed;
        stats->finished = d->finished;
        stats->abandoned = !all;
    }
    if (all) {
        for (i = 0; i < started; i++)
            pthread_join(threads[i], NULL);
        ctx->still_ours = NULL;
        ctx->still_ours_ctx = NULL;
        dispatch_free(d);
    } else {
        /* Workers blocked in AWS calls keep d: each step is recorded before
         * the next, so the caller may exit now; the next start resumes them. */
        ir_log_warn("stopping with entries in flight; they resume at the next start");
        for (i = 0; i < started; i++)
            pthread_detach(threads[i]);
    }
    free(threads);
    return started == 0 || !renewing ? IR_ERR_INTERNAL : IR_OK;
}
