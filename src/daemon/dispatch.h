/* The daemon's work loop: claims due journal entries fairly across
 * customers and runs them on a pool of worker threads, renewing the leases
 * of the entries it holds. Idle, it waits for the journal's sign of new work
 * or for the next entry to become due, at most poll_ms. While the journal's
 * database cannot be reached it stops claiming and tries again with a
 * back-off, saying so once in the log and in iotreg_journal_up. */
#ifndef IOTREG_DAEMON_DISPATCH_H
#define IOTREG_DAEMON_DISPATCH_H

#include <stdatomic.h>
#include <stdbool.h>

#include "daemon/deliver_ctx.h"

typedef struct ir_dispatch_opts {
    int workers;      /* threads, each with one entry in hand */
    bool once;        /* return when nothing is due and nothing is in flight */
    long poll_ms;     /* how often to look for due work when idle, at the latest */
    long lease_ms;    /* a claim's lease, renewed every third of it while held */
    long grace_ms;    /* on stop: how long to wait for in-flight entries */
    atomic_int *stop; /* set by a signal: stop claiming, finish up */
} ir_dispatch_opts;

typedef struct ir_dispatch_stats {
    long claimed;
    long finished;
    bool abandoned; /* the grace period ran out with entries still in flight */
} ir_dispatch_stats;

/* Runs until *o->stop is set (or, with once, until no work is left).
 * ctx->stop must be o->stop. When stats->abandoned is set, workers still
 * blocked in AWS calls use ctx: the caller must exit without freeing it. */
ir_rc ir_dispatch_run(ir_deliver_ctx *ctx, const ir_dispatch_opts *o, ir_dispatch_stats *stats,
                      ir_err *err);

#endif
