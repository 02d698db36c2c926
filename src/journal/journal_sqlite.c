/* The SQLite journal backend: opening, closing and its operations table. */
#include "autoconf.h"

#include "journal/journal_sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "journal/spool.h"

static void sq_close(ir_journal *jj)
{
    sq_journal *j = sq_of(jj);

    sq_pool_destroy(j);
    ir_gc_destroy(&j->gc);
    free(j->path);
    free(j);
}

static ir_rc sq_check_writable(ir_journal *j, ir_err *err)
{
    return sq_write(sq_of(j), sq_touch, NULL, err);
}

static const ir_journal_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .check_writable = sq_check_writable,
    .stats = sq_stats,
    .enqueue = sq_enqueue,
    .claim = sq_claim,
    .renew_lease = sq_renew_lease,
    .release = sq_release_claim,
    .record_step = sq_record_step,
    .schedule_retry = sq_schedule_retry,
    .finish = sq_finish,
    .park = sq_park,
    .retry_now = sq_retry_now,
    .assign = sq_assign,
    .request_revocation = sq_request_revocation,
    .get = sq_get,
    .list = sq_list,
    .count = sq_count,
    .copy_entry = sq_copy_entry,
    .absorb_spool = sq_absorb_spool,
    .next_due_in = sq_next_due_in,
};

ir_rc sq_absorb_spool(ir_journal *jj, size_t *moved, ir_err *err)
{
    sq_journal *j = sq_of(jj);

    return ir_gc_absorb_spool(j->path, sq_insert_batch, j, moved, err);
}

static ir_rc init_locks(sq_journal *j, ir_err *err)
{
    ir_rc rc = sq_pool_init(j, err);

    if (rc != IR_OK)
        return rc;
    rc = ir_gc_init(&j->gc, SQ_BATCH_MAX, sq_insert_batch, j, err);
    if (rc != IR_OK)
        sq_pool_destroy(j);
    return rc;
}

/* Whoever opens the journal sees what the issuance tap spooled. A spool that
 * cannot be taken in now (locked, unreadable) stays for the next opening or
 * the next round of iotregd; the journal opens all the same. */
static void absorb_at_open(sq_journal *j)
{
    ir_err err = {0};
    size_t moved = 0;

    if (sq_absorb_spool(&j->base, &moved, &err) != IR_OK)
        ir_log_warn("journal: the spool of %s was not taken in: %s", j->path, err.msg);
}

ir_rc ir_journal_sqlite_open(const ir_journal_opts *opts, ir_journal **out, ir_err *err)
{
    sq_journal *j = calloc(1, sizeof(*j));
    ir_rc rc;

    if (j == NULL || (j->path = strdup(opts->path)) == NULL) {
        free(j);
        return ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory");
    }
    j->base.ops = &sqlite_ops;
    j->mode = ir_journal_file_mode(opts);
    atomic_init(&j->wal_restart, false);
    rc = init_locks(j, err);
    if (rc != IR_OK) {
        free(j->path);
        free(j);
        return rc;
    }
    rc = sq_write(j, sq_migrate, NULL, err);
    if (rc != IR_OK) {
        sq_close(&j->base);
        return rc;
    }
    absorb_at_open(j);
    *out = &j->base;
    return IR_OK;
}
