/* The PostgreSQL journal backend: connections (a pool, each used by one
 * thread at a time), the transaction runner, the schema and its versions,
 * opening and closing, and the operations table.
 *
 * The password never comes from the configuration's XML: a conninfo that
 * holds one is refused; it is read from a private file (password_file,
 * ir_secret_file_read) into locked memory, or left to libpq's own means
 * (~/.pgpass, PGPASSFILE). Every connection runs with synchronous_commit on:
 * a commit returns once the server has it on disk.
 *
 * The schema's versions are rows of iotreg_schema. Opening a database with
 * no journal creates it; one whose schema is older than this iotreg's is
 * refused with a message that says to run `iotregctl journal migrate`
 * (several hosts share the database: the operator chooses when it changes),
 * and one newer than this iotreg knows is refused.
 *
 * A connection that breaks is replaced: a transaction that finds its
 * connection broken before sending anything runs on a new one, and once the
 * journal has been reached, connecting again waits for the server with
 * doubling pauses (PG_RECONNECT_BOUND_MS at most per call). A transaction
 * cut off after it started fails with IR_ERR_IO; the daemon's next round
 * resumes from what the journal recorded. */
#include "autoconf.h"

#include "journal/journal_pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"

#define PG_SCHEMA_LOCK  0x696f7472 /* "iotr": the advisory lock migrations take */
#define PG_PASSWORD_MAX 1024

static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE entries ("
    "  seq bigserial PRIMARY KEY,"
    "  cert_id text NOT NULL UNIQUE CHECK (length(cert_id) = 64),"
    "  der bytea NOT NULL,"
    "  subca text NOT NULL,"
    "  customer text,"
    "  unattributed_reason text,"
    "  source text NOT NULL CHECK (source IN ('tap', 'hook', 'publish', 'import')),"
    "  end_entity text,"
    "  profile text,"
    "  state text NOT NULL CHECK (state IN ('unattributed', 'pending', 'parked', 'done',"
    "                                       'revoke-pending', 'revoked')),"
    "  step text NOT NULL,"
    "  attempts integer NOT NULL DEFAULT 0,"
    "  next_attempt_at bigint NOT NULL,"
    "  last_error text,"
    "  claimed_by text,"
    "  lease_until bigint,"
    "  revocation_requested boolean NOT NULL DEFAULT false,"
    "  revocation_reason integer,"
    "  revocation_time bigint,"
    "  created_at bigint NOT NULL,"
    "  updated_at bigint NOT NULL,"
    "  CHECK (customer IS NOT NULL OR state <> 'pending')"
    ");"
    "CREATE INDEX entries_customer ON entries (customer, state);"
    "CREATE TABLE history ("
    "  id bigserial PRIMARY KEY,"
    "  cert_id text NOT NULL REFERENCES entries (cert_id) ON DELETE CASCADE,"
    "  at bigint NOT NULL,"
    "  step text NOT NULL,"
    "  result text NOT NULL,"
    "  detail text,"
    "  worker text"
    ");"
    "CREATE INDEX history_entry ON history (cert_id, id);"
    "CREATE TABLE facts ("
    "  cert_id text NOT NULL REFERENCES entries (cert_id) ON DELETE CASCADE,"
    "  key text NOT NULL,"
    "  value text NOT NULL,"
    "  updated_at bigint NOT NULL,"
    "  PRIMARY KEY (cert_id, key)"
    ");",
    /* 1 -> 2: claims read the due entries, in their order, from an index of
     * them alone, however many are done. */
    "CREATE INDEX entries_due ON entries (next_attempt_at, seq)"
    " WHERE state IN ('pending', 'revoke-pending');",
    /* 2 -> 3: the rate-limit slots daemons share (journal_pg_coord.c), and
     * claims of one customer read its due entries alone: a customer with
     * nothing due costs a few index pages however long the queue is
     * (bench/README.md, claim cost). */
    "CREATE UNLOGGED TABLE IF NOT EXISTS iotreg_quota"
    " (bucket text PRIMARY KEY, next_slot_us bigint NOT NULL);"
    "CREATE INDEX IF NOT EXISTS entries_due_customer ON entries (customer, next_attempt_at, seq)"
    " WHERE state IN ('pending', 'revoke-pending');",
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* --- statements ---------------------------------------------------------------- */

#define OID_BYTEA 17
#define OID_INT8  20
#define OID_TEXT  25

static void param(pg_params *p, const char *v, int len, int fmt, Oid type)
{
    p->v[p->n] = v;
    p->len[p->n] = len;
    p->fmt[p->n] = fmt;
    p->type[p->n++] = type;
}

void pg_param_text(pg_params *p, const char *s)
{
    param(p, s, 0, 0, OID_TEXT);
}

void pg_param_int(pg_params *p, int64_t v)
{
    snprintf(p->num[p->n], sizeof(p->num[p->n]), "%lld", (long long)v);
    param(p, p->num[p->n], 0, 0, OID_INT8);
}

void pg_param_bytes(pg_params *p, const void *data, size_t n)
{
    param(p, data, (int)n, 1, OID_BYTEA);
}

static ir_rc fail(PGconn *c, const PGresult *r, const char *what, ir_err *err)
{
    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r != NULL ? PQresultErrorMessage(r) : "";
    ir_rc rc = IR_ERR_JOURNAL;
    size_t len;

    if (msg == NULL || msg[0] == '\0')
        msg = PQerrorMessage(c);
    len = strcspn(msg, "\n");
    if (PQstatus(c) != CONNECTION_OK)
        rc = IR_ERR_IO;
    else if (state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
        rc = IR_ERR_BUSY;
    else if (state != NULL && strncmp(state, "42501", 5) == 0)
        rc = IR_ERR_PERMISSION;
    return ir_err_set(err, rc, "journal (PostgreSQL): %s: %.*s", what, (int)len, msg);
}

ir_rc pg_exec(PGconn *c, const char *sql, const pg_params *p, PGresult **res, const char *what,
              ir_err *err)
{
    PGresult *r =
        p != NULL ? PQexecParams(c, sql, p->n, p->type, p->v, p->len, p->fmt, 0) : PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    ir_rc rc = IR_OK;

    if (r == NULL)
        rc = ir_err_set(err, IR_ERR_NOMEM, "journal (PostgreSQL): out of memory %s", what);
    else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = fail(c, r, what, err);
    if (res != NULL) /* NULL on failure: a caller's earlier result, cleared, is not freed twice */
        *res = rc == IR_OK ? r : NULL;
    if (rc != IR_OK || res == NULL)
        PQclear(r);
    return rc;
}

char *pg_col_strdup(const PGresult *r, int row, int col, ir_rc *rc)
{
    char *s;

    if (PQgetisnull(r, row, col))
        return NULL;
    s = strdup(PQgetvalue(r, row, col));
    if (s == NULL)
        *rc = IR_ERR_NOMEM;
    return s;
}

int64_t pg_col_int(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* --- connections --------------------------------------------------------------- */

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    ir_log_debug("journal (PostgreSQL): %.*s", (int)strcspn(message, "\n"), message);
}

ir_rc pg_connect(pg_journal *j, PGconn **out, ir_err *err)
{
    const char *keys[6], *vals[6];
    int n = 0;
    PGconn *c;
    ir_rc rc;

    keys[n] = "dbname";
    vals[n++] = j->conninfo;
    if (j->password != NULL) {
        keys[n] = "password";
        vals[n++] = ir_secret_cstr(j->password);
    }
    if (j->sslmode != NULL) {
        keys[n] = "sslmode";
        vals[n++] = j->sslmode;
    }
    if (j->ca_file != NULL) {
        keys[n] = "sslrootcert";
        vals[n++] = j->ca_file;
    }
    keys[n] = "fallback_application_name";
    vals[n++] = "iotreg";
    keys[n] = vals[n] = NULL;
    c = PQconnectdbParams(keys, vals, 1);
    if (c == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "journal (PostgreSQL): out of memory connecting");
    if (PQstatus(c) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(c);

        rc = ir_err_set(err, IR_ERR_IO,
                        "journal: cannot connect to the PostgreSQL journal: %.*s (check "
                        "<postgresql conninfo>, its password-file and the server)",
                        (int)strcspn(msg, "\n"), msg);
        PQfinish(c);
        return rc;
    }
    PQsetNoticeProcessor(c, quiet_notices, NULL);
    rc = pg_exec(c, "SET synchronous_commit = on", NULL, NULL, "configuring the session", err);
    if (rc != IR_OK) {
        PQfinish(c);
        return rc;
    }
    *out = c;
    return IR_OK;
}

/* Closes the idle connections: after one broke, the others (to the same
 * server) most likely did too. */
static void drop_idle(pg_journal *j)
{
    pthread_mutex_lock(&j->pool_lock);
    while (j->n_idle > 0) {
        PQfinish(j->idle[--j->n_idle]);
        j->n_open--;
    }
    pthread_cond_broadcast(&j->pool_cond);
    pthread_mutex_unlock(&j->pool_lock);
}

/* Connects; once the journal has had a connection, a failure is a lost
 * server (restarting, failing over): tried again with doubling waits for up
 * to PG_RECONNECT_BOUND_MS, then the caller is told. */
static ir_rc connect_with_backoff(pg_journal *j, PGconn **c, ir_err *err)
{
    int64_t waited = 0, wait = PG_RECONNECT_FIRST_MS;
    bool lost;
    ir_rc rc;

    for (;;) {
        rc = pg_connect(j, c, err);
        pthread_mutex_lock(&j->pool_lock);
        if (rc == IR_OK)
            j->connected = true;
        lost = j->connected;
        pthread_mutex_unlock(&j->pool_lock);
        if (rc != IR_ERR_IO || !lost || waited >= PG_RECONNECT_BOUND_MS)
            return rc;
        ir_log_warn("journal: the PostgreSQL server is unreachable (%s); trying again in %lld ms",
                    err->msg, (long long)wait);
        ir_sleep_ms(wait);
        waited += wait;
        wait *= 2;
    }
}

static ir_rc acquire(pg_journal *j, PGconn **c, ir_err *err)
{
    ir_rc rc;

    pthread_mutex_lock(&j->pool_lock);
    while (j->n_idle == 0 && j->n_open >= PG_POOL_MAX)
        pthread_cond_wait(&j->pool_cond, &j->pool_lock);
    if (j->n_idle > 0) {
        *c = j->idle[--j->n_idle];
        pthread_mutex_unlock(&j->pool_lock);
        return IR_OK;
    }
    j->n_open++;
    pthread_mutex_unlock(&j->pool_lock);
    rc = connect_with_backoff(j, c, err);
    if (rc != IR_OK) {
        pthread_mutex_lock(&j->pool_lock);
        j->n_open--;
        pthread_cond_signal(&j->pool_cond);
        pthread_mutex_unlock(&j->pool_lock);
    }
    return rc;
}

/* A connection that broke is closed; the next acquire opens a new one. */
static void release(pg_journal *j, PGconn *c)
{
    bool broken = PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE;

    if (broken)
        PQfinish(c);
    pthread_mutex_lock(&j->pool_lock);
    if (broken)
        j->n_open--;
    else
        j->idle[j->n_idle++] = c;
    pthread_cond_signal(&j->pool_cond);
    pthread_mutex_unlock(&j->pool_lock);
}

/* BEGIN ... COMMIT around fn. A serialisation failure or deadlock is tried
 * again; so is a connection found broken at BEGIN (nothing was sent). */
ir_rc pg_txn(pg_journal *j, pg_txn_fn fn, void *ctx, ir_err *err)
{
    PGconn *c = NULL;
    ir_err ignored;
    int attempt;
    ir_rc rc = IR_OK;

    for (attempt = 0; attempt < PG_TXN_ATTEMPTS; attempt++) {
        rc = acquire(j, &c, err);
        if (rc != IR_OK)
            return rc;
        rc = pg_exec(c, "BEGIN", NULL, NULL, "starting a transaction", err);
        if (rc == IR_ERR_IO) { /* the connection broke while idle: nothing was sent */
            release(j, c);
            drop_idle(j);
            continue;
        }
        if (rc == IR_OK)
            rc = fn(c, ctx, err);
        if (rc == IR_OK)
            rc = pg_exec(c, "COMMIT", NULL, NULL, "committing", err);
        else
            pg_exec(c, "ROLLBACK", NULL, NULL, "rolling back", &ignored);
        release(j, c);
        if (rc != IR_ERR_BUSY)
            return rc;
    }
    return rc;
}

/* fn outside a transaction block, each of its statements committed on its
 * own: a single statement needs no BEGIN and COMMIT round trips. A
 * connection found broken is replaced once (fn must bear running twice). */
ir_rc pg_statement(pg_journal *j, pg_txn_fn fn, void *ctx, ir_err *err)
{
    PGconn *c = NULL;
    int attempt;
    ir_rc rc = IR_OK;

    for (attempt = 0; attempt < 2; attempt++) {
        rc = acquire(j, &c, err);
        if (rc != IR_OK)
            return rc;
        rc = fn(c, ctx, err);
        release(j, c);
        if (rc != IR_ERR_IO)
            return rc;
        drop_idle(j);
    }
    return rc;
}

/* --- the schema ---------------------------------------------------------------- */

typedef struct schema_ctx {
    bool migrate; /* apply pending migrations (else: only create a new journal) */
    int from;
    int to;
} schema_ctx;

static ir_rc read_version(PGconn *c, int *version, ir_err *err)
{
    PGresult *r = NULL;
    ir_rc rc = pg_exec(c,
                       "SELECT to_regclass('iotreg_schema') IS NOT NULL,"
                       " to_regclass('entries') IS NOT NULL",
                       NULL, &r, "reading the schema version", err);
    bool versioned, tables;

    if (rc != IR_OK)
        return rc;
    versioned = PQgetvalue(r, 0, 0)[0] == 't';
    tables = PQgetvalue(r, 0, 1)[0] == 't';
    PQclear(r);
    *version = 0;
    if (!versioned && tables)
        return ir_err_set(err, IR_ERR_JOURNAL,
                          "journal: the PostgreSQL database has an entries table but no "
                          "iotreg_schema: it is not an iotreg journal; point conninfo at a new "
                          "database");
    if (!versioned)
        return IR_OK;
    rc = pg_exec(c, "SELECT coalesce(max(version), 0) FROM iotreg_schema", NULL, &r,
                 "reading the schema version", err);
    if (rc == IR_OK)
        *version = (int)pg_col_int(r, 0, 0);
    PQclear(r);
    return rc;
}

static ir_rc apply(PGconn *c, int version, ir_err *err)
{
    pg_params p = {0};
    char what[64];
    ir_rc rc;

    snprintf(what, sizeof(what), "migrating the schema to version %d", version + 1);
    rc = pg_exec(c, migrations[version], NULL, NULL, what, err);
    pg_param_int(&p, version + 1);
    return rc == IR_OK
               ? pg_exec(c, "INSERT INTO iotreg_schema (version) VALUES ($1)", &p, NULL, what, err)
               : rc;
}

/* Under an advisory lock: hosts opening a new journal at once create it
 * once, and a migration never runs twice. */
static ir_rc schema_txn(PGconn *c, void *ctx, ir_err *err)
{
    schema_ctx *s = ctx;
    char sql[64];
    int v;
    ir_rc rc;

    snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%d)", PG_SCHEMA_LOCK);
    rc = pg_exec(c, sql, NULL, NULL, "locking the schema", err);
    if (rc == IR_OK)
        rc = read_version(c, &s->from, err);
    if (rc != IR_OK)
        return rc;
    if (s->from > N_MIGRATIONS)
        return ir_err_set(err, IR_ERR_JOURNAL,
                          "journal: the PostgreSQL journal has schema version %d, newer than "
                          "this iotreg knows (%d); upgrade iotreg",
                          s->from, N_MIGRATIONS);
    if (s->from > 0 && s->from < N_MIGRATIONS && !s->migrate)
        return ir_err_set(err, IR_ERR_JOURNAL,
                          "journal: the PostgreSQL journal has schema version %d, older than "
                          "this iotreg's (%d); run `iotregctl journal migrate` once every "
                          "program using it is upgraded",
                          s->from, N_MIGRATIONS);
    if (s->from == 0)
        rc = pg_exec(c,
                     "CREATE TABLE iotreg_schema (version integer PRIMARY KEY,"
                     " applied_at timestamptz NOT NULL DEFAULT now())",
                     NULL, NULL, "creating the schema's version table", err);
    for (v = s->from; rc == IR_OK && v < N_MIGRATIONS; v++)
        rc = apply(c, v, err);
    s->to = v;
    return rc;
}

/* --- opening and closing --------------------------------------------------------- */

/* A conninfo or URI that holds a password is refused: it belongs in a private file. */
static ir_rc check_conninfo(const char *conninfo, ir_err *err)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &msg), *o;
    ir_rc rc = IR_OK;

    if (opts == NULL) {
        rc = ir_err_set(err, IR_ERR_CONFIG, "journal: the PostgreSQL conninfo is not valid: %.*s",
                        msg ? (int)strcspn(msg, "\n") : 0, msg ? msg : "");
        PQfreemem(msg);
        return rc;
    }
    for (o = opts; o->keyword != NULL; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val != NULL)
            rc = ir_err_set(err, IR_ERR_CONFIG,
                            "journal: the PostgreSQL conninfo holds a password; put it in a "
                            "private file named by <postgresql password-file=\"...\"/>");
    PQconninfoFree(opts);
    return rc;
}

static void pg_close(ir_journal *jj)
{
    pg_journal *j = pg_of(jj);

    while (j->n_idle > 0)
        PQfinish(j->idle[--j->n_idle]);
    pg_listener_close(j);
    pthread_mutex_destroy(&j->listen_lock);
    ir_gc_destroy(&j->gc);
    pthread_cond_destroy(&j->pool_cond);
    pthread_mutex_destroy(&j->pool_lock);
    ir_secret_destroy(j->password);
    free(j->conninfo);
    free(j->sslmode);
    free(j->ca_file);
    free(j->spool);
    free(j);
}

static ir_rc writable_txn(PGconn *c, void *ctx, ir_err *err)
{
    (void)ctx;
    return pg_exec(c, "SELECT version FROM iotreg_schema ORDER BY version DESC LIMIT 1 FOR UPDATE",
                   NULL, NULL, "checking the journal is writable", err);
}

static ir_rc pg_check_writable(ir_journal *j, ir_err *err)
{
    return pg_txn(pg_of(j), writable_txn, NULL, err);
}

static void pg_stats(ir_journal *j, ir_journal_stats *out)
{
    ir_gc_stats(&pg_of(j)->gc, out);
}

static ir_rc pg_enqueue(ir_journal *j, const ir_checked_req *c, bool *already_known, ir_err *err)
{
    return ir_gc_enqueue(&pg_of(j)->gc, c, already_known, err);
}

static ir_rc pg_absorb_spool(ir_journal *jj, size_t *moved, ir_err *err)
{
    pg_journal *j = pg_of(jj);

    *moved = 0;
    return j->spool != NULL ? ir_gc_absorb_spool(j->spool, pg_insert_batch, j, moved, err) : IR_OK;
}

static const ir_journal_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .check_writable = pg_check_writable,
    .stats = pg_stats,
    .enqueue = pg_enqueue,
    .claim = pg_claim,
    .renew_lease = pg_renew_lease,
    .release = pg_release_claim,
    .record_step = pg_record_step,
    .schedule_retry = pg_schedule_retry,
    .finish = pg_finish,
    .park = pg_park,
    .retry_now = pg_retry_now,
    .assign = pg_assign,
    .request_revocation = pg_request_revocation,
    .get = pg_get,
    .list = pg_list,
    .count = pg_count,
    .copy_entry = pg_copy_entry,
    .absorb_spool = pg_absorb_spool,
    .wait_work = pg_wait_work,
    .next_due_in = pg_next_due_in,
    .quota_reserve = pg_quota_reserve,
};

static char *dup_or_null(const char *s, bool *failed)
{
    char *d = s != NULL && s[0] != '\0' ? strdup(s) : NULL;

    if (s != NULL && s[0] != '\0' && d == NULL)
        *failed = true;
    return d;
}

static ir_rc read_password(pg_journal *j, const char *path, ir_err *err)
{
    ir_rc rc;

    if (path == NULL)
        return IR_OK;
    rc = ir_secret_file_read(path, PG_PASSWORD_MAX, &j->password, err);
    if (rc == IR_OK)
        ir_secret_trim_end(j->password, "\r\n");
    return rc;
}

static ir_rc make(const ir_journal_opts *opts, pg_journal **out, ir_err *err)
{
    pg_journal *j = calloc(1, sizeof(*j));
    bool failed = false;
    ir_rc rc = check_conninfo(opts->conninfo, err);

    if (j == NULL || rc != IR_OK) {
        free(j);
        return rc != IR_OK ? rc : ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory");
    }
    j->base.ops = &pg_ops;
    j->conninfo = strdup(opts->conninfo);
    j->sslmode = dup_or_null(opts->sslmode, &failed);
    j->ca_file = dup_or_null(opts->ca_file, &failed);
    j->spool = dup_or_null(opts->path, &failed);
    pthread_mutex_init(&j->pool_lock, NULL);
    pthread_cond_init(&j->pool_cond, NULL);
    pthread_mutex_init(&j->listen_lock, NULL);
    rc = ir_gc_init(&j->gc, PG_BATCH_MAX, pg_insert_batch, j, err);
    if (rc == IR_OK && (failed || j->conninfo == NULL))
        rc = ir_err_set(err, IR_ERR_NOMEM, "journal: out of memory");
    if (rc == IR_OK)
        rc = read_password(j, opts->password_file, err);
    if (rc != IR_OK) {
        pg_close(&j->base);
        return rc;
    }
    *out = j;
    return IR_OK;
}

ir_rc ir_journal_pg_open(const ir_journal_opts *opts, ir_journal **out, ir_err *err)
{
    pg_journal *j = NULL;
    schema_ctx s = {.migrate = false};
    ir_err spool_err = {0};
    size_t moved = 0;
    ir_rc rc = make(opts, &j, err);

    if (rc != IR_OK)
        return rc;
    rc = pg_txn(j, schema_txn, &s, err);
    if (rc != IR_OK) {
        pg_close(&j->base);
        return rc;
    }
    if (pg_absorb_spool(&j->base, &moved, &spool_err) != IR_OK)
        ir_log_warn("journal: the spool of %s was not taken in: %s", j->spool, spool_err.msg);
    *out = &j->base;
    return IR_OK;
}

ir_rc ir_journal_pg_migrate(const ir_journal_opts *opts, int *from, int *to, ir_err *err)
{
    pg_journal *j = NULL;
    schema_ctx s = {.migrate = true};
    ir_rc rc = make(opts, &j, err);

    if (rc != IR_OK)
        return rc;
    rc = pg_txn(j, schema_txn, &s, err);
    *from = s.from;
    *to = s.to;
    pg_close(&j->base);
    return rc;
}
