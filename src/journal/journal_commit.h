/* What both database backends share: group commit (concurrent enqueues
 * share one transaction), taking in the spool, the capture's history detail,
 * and the words of a refused change. A backend gives the function that
 * inserts a batch of requests in one transaction. */
#ifndef IOTREG_JOURNAL_JOURNAL_COMMIT_H
#define IOTREG_JOURNAL_JOURNAL_COMMIT_H

#include <pthread.h>
#include <stdbool.h>

#include "journal/journal_internal.h"

/* One request waiting for its transaction. The batch function sets known
 * (the same certificate was there) or rc and err (this request alone was
 * refused); it returns a failure only for the whole transaction. */
typedef struct ir_gc_waiter {
    const ir_enqueue_req *req;
    const char *cert_id;
    bool known;
    bool done;
    ir_rc rc;
    ir_err err;
    struct ir_gc_waiter *next;
} ir_gc_waiter;

typedef ir_rc (*ir_gc_batch_fn)(void *ctx, ir_gc_waiter *batch, ir_err *err);

typedef struct ir_group_commit {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    ir_gc_waiter *head;
    ir_gc_waiter *tail;
    bool committing;
    size_t batch_max;
    ir_journal_stats stats; /* under lock */
    ir_gc_batch_fn insert;
    void *ctx;
} ir_group_commit;

ir_rc ir_gc_init(ir_group_commit *g, size_t batch_max, ir_gc_batch_fn insert, void *ctx,
                 ir_err *err);
void ir_gc_destroy(ir_group_commit *g);
void ir_gc_stats(ir_group_commit *g, ir_journal_stats *out);
/* Queues c; whichever caller finds no commit in progress commits everything
 * queued in one transaction while the others wait. Returns once the
 * transaction holding c's row is durable. No thread is started. */
ir_rc ir_gc_enqueue(ir_group_commit *g, const ir_checked_req *c, bool *already_known, ir_err *err);

/* Moves the spool of the journal whose spool base is path (journal/spool.h)
 * in through insert, batch by batch; each record is checked as an enqueue
 * is, and one refused is logged and dropped. *moved: records taken. */
ir_rc ir_gc_absorb_spool(const char *path, ir_gc_batch_fn insert, void *ctx, size_t *moved,
                         ir_err *err);

/* Why a conditional change of cert_id found nothing to change: worker (NULL
 * for an operator) does not hold the claim (holder does, NULL: nobody), or
 * its lease has expired (lease_live false), or the entry's state does not
 * allow the action ("cannot <action> it"). IR_ERR_STATE. */
ir_rc ir_journal_refusal(ir_err *err, const char *cert_id, const char *worker, const char *holder,
                         const char *state, bool lease_live, const char *action);

/* The history detail of a capture: how it came and for whom. */
void ir_capture_detail(const ir_enqueue_req *r, char *out, size_t n);
/* When r was captured: its captured_ms, or now. */
static inline int64_t ir_captured_at(const ir_enqueue_req *r, int64_t now)
{
    return r->captured_ms > 0 ? r->captured_ms : now;
}

#endif
