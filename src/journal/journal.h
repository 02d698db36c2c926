/* The durable journal: the single source of truth for every captured
 * certificate and its delivery. One entry per certificate, keyed by its
 * certificate id (lower-case hex SHA-256 of the DER, AWS's certificateId).
 *
 * Callers see an opaque ir_journal; the backend (SQLite, later PostgreSQL)
 * sits behind a table of operations, so adding one touches no caller.
 *
 * Life of an entry:
 *   enqueue -> unattributed (no customer; waits for `iotregctl assign`)
 *           -> pending      (due for its current step)
 *   pending: a worker claims it (lease), records each step's outcome, and
 *            either finishes it (done), schedules a retry or parks it.
 *   parked: waits for an operator (`retry_now`).
 *   revocation request: any state but revoked -> revoke-pending (due now);
 *            a worker finishes it -> revoked.
 *
 * Every function is safe from many threads on one handle; writes from several
 * processes to one journal are serialised by the backend. All times are
 * milliseconds since the epoch. */
#ifndef IOTREG_JOURNAL_JOURNAL_H
#define IOTREG_JOURNAL_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define IR_CERT_ID_LEN        64 /* hex characters of a certificate id */
#define IR_JOURNAL_MAX_DER    (64 * 1024)
#define IR_JOURNAL_NAME_MAX   256  /* customer, SubCA, worker, end entity, profile */
#define IR_JOURNAL_TEXT_MAX   2048 /* reasons, errors, details, fact values */
#define IR_JOURNAL_LIST_LIMIT 100  /* default page size of ir_journal_list */
#define IR_JOURNAL_CLAIM_MAX  1000 /* most entries one claim returns */

typedef struct ir_journal ir_journal;

/* Which backend keeps the journal. */
typedef enum ir_journal_kind {
    IR_JOURNAL_KIND_SQLITE = 0,
    IR_JOURNAL_KIND_POSTGRES, /* a PostgreSQL server (journal_pg.c) */
} ir_journal_kind;

/* The journal's settings (src/app builds them from the configuration's
 * <journal>). The strings are borrowed. */
typedef struct ir_journal_opts {
    ir_journal_kind kind;
    const char *path;          /* SQLite: the database file (its spool: <path>-spool);
                                  PostgreSQL: the local spool's base path, NULL: none */
    const char *conninfo;      /* PostgreSQL: libpq conninfo or URI, without a password */
    const char *password_file; /* PostgreSQL: a private file holding the password */
    const char *sslmode;       /* PostgreSQL: libpq's sslmode; NULL: libpq's default */
    const char *ca_file;       /* PostgreSQL: the CA that signs the server (sslrootcert) */
    unsigned mode;             /* of the SQLite files and the spool; 0: IR_JOURNAL_MODE_DEFAULT */
} ir_journal_opts;

typedef enum ir_entry_state {
    IR_STATE_UNATTRIBUTED = 0, /* no customer yet: an operator assigns one */
    IR_STATE_PENDING,          /* due for its current step at next_attempt_ms */
    IR_STATE_PARKED,           /* cannot proceed; last_error says why */
    IR_STATE_DONE,             /* delivered */
    IR_STATE_REVOKE_PENDING,   /* revocation requested; the daemon acts on it */
    IR_STATE_REVOKED,          /* revocation carried out */
    IR_STATE_COUNT
} ir_entry_state;

/* How the certificate came in. */
typedef enum ir_cert_source {
    IR_SOURCE_TAP = 0, /* the provider's issuance tap */
    IR_SOURCE_HOOK,    /* iotreg_hook.so */
    IR_SOURCE_PUBLISH, /* the iotreg-publish command */
    IR_SOURCE_IMPORT,  /* iotregctl import */
    IR_SOURCE_COUNT
} ir_cert_source;

/* Step names. The step is a column of its own, so the daemon resumes exactly
 * where it stopped; any name of [a-z0-9-], at most IR_STEP_NAME_MAX long, is
 * accepted, these are the pipeline's. */
#define IR_STEP_NAME_MAX 32
#define IR_STEP_CAPTURE  "capture" /* history only: the entry was enqueued */
#define IR_STEP_REGISTER "register"
#define IR_STEP_TRANSFER "transfer"
#define IR_STEP_ASSUME   "assume"
#define IR_STEP_ACCEPT   "accept"
#define IR_STEP_POLICY   "policy"
#define IR_STEP_THING    "thing"
#define IR_STEP_DONE     "done"
#define IR_STEP_FIRST    IR_STEP_REGISTER

/* A generic key/value the daemon records with a step (e.g. the certificate
 * ARN in the customer's account). Values are text; never secrets. The
 * pipeline's keys, each as AWS or the daemon found it: */
#define IR_FACT_AWS_CERT_ID  "aws_cert_id"  /* the certificateId AWS gave at registration */
#define IR_FACT_CSP_CERT_ARN "csp_cert_arn" /* its ARN in the CSP's account */
#define IR_FACT_CERT_ARN     "cert_arn"     /* its ARN in the customer's account */
#define IR_FACT_THING        "thing"        /* the thing it is attached to */
#define IR_FACT_ENDPOINT     "endpoint"     /* the customer's data endpoint */
#define IR_FACT_CSP_ACCOUNT  "csp_account"  /* the CSP account (its name) that carries it */
#define IR_FACT_REGION       "region"       /* the region it is registered and delivered in */
typedef struct ir_fact {
    const char *key;
    const char *value;
} ir_fact;

typedef struct ir_history_row {
    int64_t at_ms;
    char *step;
    char *result;
    char *detail; /* NULL when none */
    char *worker; /* NULL for captures and operator actions */
} ir_history_row;

typedef struct ir_fact_row {
    char *key;
    char *value;
} ir_fact_row;

typedef struct ir_journal_entry {
    int64_t seq; /* insertion order; the paging cursor of ir_journal_list */
    char cert_id[IR_CERT_ID_LEN + 1];
    unsigned char *der; /* NULL in ir_journal_list results */
    size_t der_len;
    char *subca;
    char *customer;            /* NULL while unattributed */
    char *unattributed_reason; /* why attribution failed; NULL once attributed */
    ir_cert_source source;
    char *end_entity; /* CA metadata, NULL when not given */
    char *profile;
    ir_entry_state state;
    char *step;
    int attempts;
    int64_t next_attempt_ms;
    char *last_error; /* last retry error or park reason; NULL when none */
    char *claimed_by; /* worker holding the lease; NULL when free */
    int64_t lease_until_ms;
    bool revocation_requested;
    int revocation_reason; /* RFC 5280 CRLReason */
    int64_t revocation_time_ms;
    int64_t created_ms;
    int64_t updated_ms;
    ir_history_row *history; /* ir_journal_get only, oldest first */
    size_t n_history;
    ir_fact_row *facts; /* ir_journal_get and ir_journal_claim */
    size_t n_facts;
} ir_journal_entry;

typedef struct ir_entry_list {
    ir_journal_entry *items;
    size_t n;
} ir_entry_list;

/* What a capture hands to the journal. */
typedef struct ir_enqueue_req {
    const unsigned char *der;
    size_t der_len;
    const char *cert_id;             /* hex SHA-256 of der; computed when NULL */
    const char *subca;               /* name of the issuing SubCA (required) */
    const char *customer;            /* NULL: enqueued as unattributed */
    const char *unattributed_reason; /* required when customer is NULL */
    ir_cert_source source;
    const char *end_entity; /* optional CA metadata */
    const char *profile;
    int64_t captured_ms; /* when the certificate was captured; 0: now */
} ir_enqueue_req;

typedef struct ir_claim_opts {
    const char *worker;   /* who claims: unique per worker (e.g. "host:pid:n") */
    size_t max;           /* at most this many entries, 1..IR_JOURNAL_CLAIM_MAX */
    int64_t lease_ms;     /* the claim expires after this; others may then claim */
    const char *customer; /* only this customer's entries; NULL for any */
} ir_claim_opts;

/* The outcome of one step, recorded with its history row in one transaction. */
typedef struct ir_step_outcome {
    const char *step;      /* the step that ran */
    const char *result;    /* a short word: "ok", "exists", "skipped", ... */
    const char *detail;    /* for the operator; NULL */
    const char *next_step; /* the step to run next (the entry stays claimed) */
    const ir_fact *facts;  /* stored (replacing same keys) in the same transaction */
    size_t n_facts;
} ir_step_outcome;

typedef struct ir_list_filter {
    int state;            /* an ir_entry_state, or -1 for any */
    const char *customer; /* NULL for any */
    int64_t after_seq;    /* entries after this seq (0: from the first) */
    size_t limit;         /* 0: IR_JOURNAL_LIST_LIMIT */
    bool with_facts;      /* the entries come with their facts (e.g. the route) */
} ir_list_filter;

typedef struct ir_count_row {
    ir_entry_state state;
    char *customer;    /* NULL: no customer (ir_journal_count_routes: always NULL) */
    char *csp_account; /* ir_journal_count_routes: IR_FACT_CSP_ACCOUNT, NULL: not routed yet */
    char *region;      /* ir_journal_count_routes: IR_FACT_REGION, NULL: not routed yet */
    int64_t count;
} ir_count_row;

/* Permissions of the journal's files when the configuration names none:
 * one user (the CA's and iotregd's) reads and writes them. */
#define IR_JOURNAL_MODE_DEFAULT 0600

/* The permissions opts give the journal's files (its database, -wal and
 * -shm, the spool and its taken files): set on creation whatever the umask
 * (which is never changed); an older file the process owns is given at
 * least these, and nothing for others. */
unsigned ir_journal_file_mode(const ir_journal_opts *opts);

/* Opens (creating and migrating as needed) the journal opts name. A
 * PostgreSQL journal is created when its database has no schema yet; one
 * with an older schema is refused (ir_journal_migrate brings it up to date),
 * one with a newer schema too. */
ir_rc ir_journal_open(const ir_journal_opts *opts, ir_journal **out, ir_err *err);
/* Applies the pending schema migrations of the journal opts name (what
 * `iotregctl journal migrate` runs); *from and *to (may be NULL) say the
 * versions before and after. */
ir_rc ir_journal_migrate(const ir_journal_opts *opts, int *from, int *to, ir_err *err);
/* Waits for nothing: callers have returned from every call before closing. */
void ir_journal_close(ir_journal *j);
/* What this handle's enqueues cost: group commit puts the enqueues of
 * concurrent callers into one transaction (one fsync). */
typedef struct ir_journal_stats {
    uint64_t enqueues;     /* enqueue calls that reached the backend */
    uint64_t transactions; /* write transactions that carried them */
} ir_journal_stats;

void ir_journal_get_stats(ir_journal *j, ir_journal_stats *out);

/* Fails unless this process can write to the journal now (a health check:
 * it takes the write lock and writes, without changing any entry). */
ir_rc ir_journal_check_writable(ir_journal *j, ir_err *err);

/* Durable on return. IR_OK with *already_known set when an entry for the same
 * certificate exists (nothing is changed then); an entry is never overwritten.
 * Checks req as ir_enqueue_check does, then is ir_journal_enqueue_checked. */
ir_rc ir_journal_enqueue(ir_journal *j, const ir_enqueue_req *req, bool *already_known,
                         ir_err *err);

/* A request the journal has checked, and its certificate id. */
typedef struct ir_checked_req {
    const ir_enqueue_req *req; /* borrowed */
    char cert_id[IR_CERT_ID_LEN + 1];
} ir_checked_req;

/* Every check an enqueue makes, in one place: req's fields
 * (ir_journal_check_enqueue), then its certificate id, the SHA-256 of its
 * DER (req->cert_id, when given, must be that). c borrows req. A capture
 * checks each certificate once this way and hands c to the journal or to
 * its spool (journal/spool.h). */
ir_rc ir_enqueue_check(const ir_enqueue_req *req, ir_checked_req *c, ir_err *err);
/* ir_journal_enqueue of a request ir_enqueue_check has passed. */
ir_rc ir_journal_enqueue_checked(ir_journal *j, const ir_checked_req *c, bool *already_known,
                                 ir_err *err);

/* The checks ir_enqueue_check makes of req's fields (not of cert_id). */
ir_rc ir_journal_check_enqueue(const ir_enqueue_req *req, ir_err *err);

/* Moves what the journal's spool (journal/spool.h) holds into the journal;
 * *moved (may be NULL) says how many records. The journal does it when it
 * opens; a long-running process calls this every so often. */
ir_rc ir_journal_absorb_spool(ir_journal *j, size_t *moved, ir_err *err);

/* Atomically claims due entries (pending or revoke-pending, next attempt
 * reached, not claimed or lease expired) for o->worker. *out is overwritten
 * (free a previous result first); each entry comes with its DER and facts. */
ir_rc ir_journal_claim(ir_journal *j, const ir_claim_opts *o, ir_entry_list *out, ir_err *err);
/* Extends the lease of a claimed entry. IR_ERR_STATE when worker lost it. */
ir_rc ir_journal_renew_lease(ir_journal *j, const char *cert_id, const char *worker,
                             int64_t lease_ms, ir_err *err);
/* Gives a claimed entry back unchanged (e.g. on shutdown). */
ir_rc ir_journal_release(ir_journal *j, const char *cert_id, const char *worker, ir_err *err);

/* The worker functions below fail with IR_ERR_STATE when worker does not hold
 * the entry's claim (lease expired and taken by another, or an operator
 * parked it); the worker then drops the entry. */
ir_rc ir_journal_record_step(ir_journal *j, const char *cert_id, const char *worker,
                             const ir_step_outcome *o, ir_err *err);
/* attempts+1, next attempt at next_attempt_ms, last_error; releases the claim. */
ir_rc ir_journal_schedule_retry(ir_journal *j, const char *cert_id, const char *worker,
                                int64_t next_attempt_ms, const char *error, ir_err *err);
/* pending -> done (step "done"); revoke-pending -> revoked. Releases the claim. */
ir_rc ir_journal_finish(ir_journal *j, const char *cert_id, const char *worker, const char *detail,
                        ir_err *err);
/* -> parked with reason. worker NULL: an operator parks it, whoever holds it. */
ir_rc ir_journal_park(ir_journal *j, const char *cert_id, const char *worker, const char *reason,
                      ir_err *err);

/* Operator actions. */
/* A parked (or waiting) entry becomes due now with attempts reset: back to
 * pending, unattributed (no customer) or revoke-pending (revocation asked). */
ir_rc ir_journal_retry_now(ir_journal *j, const char *cert_id, ir_err *err);
/* Sets the customer of an unattributed entry, which becomes due now. */
ir_rc ir_journal_assign(ir_journal *j, const char *cert_id, const char *customer, ir_err *err);
/* Records a revocation for the daemon: the entry becomes revoke-pending, due
 * now. *already_requested set (nothing changed) when one was recorded before. */
ir_rc ir_journal_request_revocation(ir_journal *j, const char *cert_id, int reason,
                                    int64_t revocation_time_ms, bool *already_requested,
                                    ir_err *err);

/* Reads. Results overwrite *out; free them with the matching function. */
ir_rc ir_journal_get(ir_journal *j, const char *cert_id, ir_journal_entry **out, ir_err *err);
ir_rc ir_journal_list(ir_journal *j, const ir_list_filter *f, ir_entry_list *out, ir_err *err);
/* Calls fn for every entry f selects, oldest first, a page at a time (f's
 * after_seq is the starting point); fn may change the entry it is given.
 * Stops at fn's first failure and returns it. Entries come without DER. */
typedef ir_rc (*ir_journal_each_fn)(void *ctx, const ir_journal_entry *e, ir_err *err);
ir_rc ir_journal_foreach(ir_journal *j, const ir_list_filter *f, ir_journal_each_fn fn, void *ctx,
                         ir_err *err);
ir_rc ir_journal_count(ir_journal *j, ir_count_row **rows, size_t *n, ir_err *err);
/* Counts by route (the CSP account and region each entry is delivered
 * through, as recorded in its facts) and state, ordered by account, region
 * and state. */
ir_rc ir_journal_count_routes(ir_journal *j, ir_count_row **rows, size_t *n, ir_err *err);

/* --- several daemons on one journal -------------------------------------------- */

/* Waits at most timeout_ms for a sign that work may have become due: an
 * enqueue, a retry, an assignment or a revocation request made by any
 * process on the journal (PostgreSQL: LISTEN/NOTIFY on its own connection).
 * *woken says whether a sign came (false: the timeout passed). Backends
 * without such signs return IR_ERR_UNSUPPORTED at once; the caller then
 * polls on its own timer. IR_ERR_IO when the database cannot be reached. */
ir_rc ir_journal_wait_work(ir_journal *j, int64_t timeout_ms, bool *woken, ir_err *err);

/* How long until the next unclaimed entry becomes due (its next attempt, or
 * a lease running out), on the journal's clock: 0 when one is due now,
 * -1 when none is waiting. */
ir_rc ir_journal_next_due_in(ir_journal *j, int64_t *in_ms, ir_err *err);

/* A rate-limit slot shared by every process on the journal: takes the next
 * free slot of bucket (requests spaced interval_us apart on the journal's
 * clock) and sets *wait_us to the time until it is due. Backends that cannot
 * share (SQLite) return IR_ERR_UNSUPPORTED: the caller keeps its own
 * buckets. Slots are not durable: a restarted server starts them afresh. */
ir_rc ir_journal_quota_reserve(ir_journal *j, const char *bucket, int64_t interval_us,
                               int64_t *wait_us, ir_err *err);

/* Writes e (as ir_journal_get returns it: DER, history and facts) into j
 * with its state, step, attempts, times, revocation and history unchanged,
 * unclaimed, unless j already has an entry for its certificate (then
 * *copied is false and nothing changes). One transaction per entry. What
 * `iotregctl journal copy` runs. */
ir_rc ir_journal_copy_entry(ir_journal *j, const ir_journal_entry *e, bool *copied, ir_err *err);

void ir_journal_entry_free(ir_journal_entry *e);
/* The value of e's fact key (IR_FACT_*), or NULL. */
const char *ir_journal_entry_fact(const ir_journal_entry *e, const char *key);
void ir_entry_list_free(ir_entry_list *l);
void ir_count_rows_free(ir_count_row *rows, size_t n);

const char *ir_entry_state_name(ir_entry_state s);
ir_rc ir_entry_state_parse(const char *name, ir_entry_state *out, ir_err *err);
const char *ir_cert_source_name(ir_cert_source s);
/* Nonzero when s is a well-formed step name. */
int ir_step_name_valid(const char *s);
/* Nonzero when reason is an RFC 5280 CRLReason (0-6, 8-10). */
int ir_revocation_reason_valid(int reason);
/* Nonzero when s is 64 lower-case hex characters. */
int ir_cert_id_valid(const char *s);

#endif
