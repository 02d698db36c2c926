/* The journal's internals: the table of operations a backend implements,
 * and what the front (journal.c), the backends and the spool share from the
 * model (journal_entry.c). ir_journal is the first member of each backend's
 * own handle; journal.c validates arguments once and dispatches here, so
 * backends see only well-formed requests. Calls go one way: the front calls
 * the backends, the backends the spool, and all of them the model. */
#ifndef IOTREG_JOURNAL_JOURNAL_INTERNAL_H
#define IOTREG_JOURNAL_JOURNAL_INTERNAL_H

#include "journal/journal.h"

typedef struct ir_journal_ops {
    const char *name;
    void (*close)(ir_journal *j);
    ir_rc (*check_writable)(ir_journal *j, ir_err *err);
    void (*stats)(ir_journal *j, ir_journal_stats *out);
    ir_rc (*enqueue)(ir_journal *j, const ir_checked_req *c, bool *already_known, ir_err *err);
    ir_rc (*claim)(ir_journal *j, const ir_claim_opts *o, ir_entry_list *out, ir_err *err);
    ir_rc (*renew_lease)(ir_journal *j, const char *cert_id, const char *worker, int64_t lease_ms,
                         ir_err *err);
    ir_rc (*release)(ir_journal *j, const char *cert_id, const char *worker, ir_err *err);
    ir_rc (*record_step)(ir_journal *j, const char *cert_id, const char *worker,
                         const ir_step_outcome *o, ir_err *err);
    ir_rc (*schedule_retry)(ir_journal *j, const char *cert_id, const char *worker,
                            int64_t next_attempt_ms, const char *error, ir_err *err);
    ir_rc (*finish)(ir_journal *j, const char *cert_id, const char *worker, const char *detail,
                    ir_err *err);
    ir_rc (*park)(ir_journal *j, const char *cert_id, const char *worker, const char *reason,
                  ir_err *err);
    ir_rc (*retry_now)(ir_journal *j, const char *cert_id, ir_err *err);
    ir_rc (*assign)(ir_journal *j, const char *cert_id, const char *customer, ir_err *err);
    ir_rc (*request_revocation)(ir_journal *j, const char *cert_id, int reason,
                                int64_t revocation_time_ms, bool *already, ir_err *err);
    ir_rc (*get)(ir_journal *j, const char *cert_id, ir_journal_entry **out, ir_err *err);
    ir_rc (*list)(ir_journal *j, const ir_list_filter *f, ir_entry_list *out, ir_err *err);
    /* by_route: ir_journal_count_routes, else ir_journal_count */
    ir_rc (*count)(ir_journal *j, bool by_route, ir_count_row **rows, size_t *n, ir_err *err);
    ir_rc (*absorb_spool)(ir_journal *j, size_t *moved, ir_err *err); /* NULL: no spool */
    /* NULL: IR_ERR_UNSUPPORTED (journal.h says what the caller does then) */
    ir_rc (*wait_work)(ir_journal *j, int64_t timeout_ms, bool *woken, ir_err *err);
    ir_rc (*next_due_in)(ir_journal *j, int64_t *in_ms, ir_err *err);
    ir_rc (*quota_reserve)(ir_journal *j, const char *bucket, int64_t interval_us, int64_t *wait_us,
                           ir_err *err);
    ir_rc (*copy_entry)(ir_journal *j, const ir_journal_entry *e, bool *copied, ir_err *err);
} ir_journal_ops;

struct ir_journal {
    const ir_journal_ops *ops;
};

/* The backends (journal_open.c chooses). */
ir_rc ir_journal_sqlite_open(const ir_journal_opts *opts, ir_journal **out, ir_err *err);
ir_rc ir_journal_pg_open(const ir_journal_opts *opts, ir_journal **out, ir_err *err);
ir_rc ir_journal_pg_migrate(const ir_journal_opts *opts, int *from, int *to, ir_err *err);

/* IR_OK when value is at most max characters long and, when required, given
 * and not empty; what names it in the message (journal_entry.c). */
ir_rc ir_journal_check_text(const char *what, const char *value, size_t max, bool required,
                            ir_err *err);

/* The mode a journal file this process owns, found with mode current, is
 * given: at least the configured one, nothing for others, and whatever the
 * group had (the other user of a two-user setup may need it, whatever this
 * process's configuration says). Files it creates get the configured mode. */
/* The counting queries, one per grouping, the same on both backends:
 * state, customer (or csp_account, region), count. */
#define IR_JOURNAL_COUNT_SQL                                                                       \
    "SELECT state, customer, NULL, NULL, count(*) FROM entries"                                    \
    " GROUP BY state, customer ORDER BY customer NULLS FIRST, state"
#define IR_JOURNAL_COUNT_ROUTES_SQL                                                                \
    "SELECT e.state, NULL, a.value, r.value, count(*) FROM entries e"                              \
    " LEFT JOIN facts a ON a.cert_id = e.cert_id AND a.key = '" IR_FACT_CSP_ACCOUNT "'"            \
    " LEFT JOIN facts r ON r.cert_id = e.cert_id AND r.key = '" IR_FACT_REGION "'"                 \
    " GROUP BY e.state, a.value, r.value"                                                          \
    " ORDER BY a.value NULLS FIRST, r.value NULLS FIRST, e.state"

static inline unsigned ir_journal_owned_mode(unsigned current, unsigned configured)
{
    return configured | (current & 0060);
}

#endif
