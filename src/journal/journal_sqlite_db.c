/* SQLite connections and transactions: a small pool of connections, each
 * set up for durability (WAL, synchronous=FULL) and for sharing the file with
 * other threads and processes (busy timeout, bounded retries). */
#include "autoconf.h"

#include "journal/journal_sqlite_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

/* What a user who may not write the journal's files needs. */
#define PERMISSION_HINT                                                                            \
    "; this user needs read and write access to the journal's files (-wal and -shm too) and "      \
    "their directory: when the CA and iotregd run as two users, give them a group and the "        \
    "journal the mode 0660 (<sqlite mode=\"0660\"/>)"

ir_rc sq_fail(sqlite3 *db, int rc, const char *what, ir_err *err)
{
    const char *path = db != NULL ? sqlite3_db_filename(db, "main") : NULL;
    const char *msg = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    ir_rc code;

    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = IR_ERR_BUSY;
        break;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        code = IR_ERR_IO;
        break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        code = IR_ERR_PERMISSION;
        break;
    case SQLITE_NOMEM:
        code = IR_ERR_NOMEM;
        break;
    default:
        code = IR_ERR_JOURNAL;
    }
    return ir_err_set(err, code, "journal %s: %s: %s%s",
                      path != NULL && path[0] ? path : "(memory)", what, msg,
                      code == IR_ERR_PERMISSION ? PERMISSION_HINT : "");
}

ir_rc sq_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, ir_err *err)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);

    return rc == SQLITE_OK ? IR_OK : sq_fail(db, rc, "preparing a statement", err);
}

ir_rc sq_exec(sqlite3 *db, const char *sql, ir_err *err)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? IR_OK : sq_fail(db, rc, sql, err);
}

ir_rc sq_run(sqlite3 *db, sqlite3_stmt *st, const char *what, ir_err *err)
{
    int rc = sqlite3_step(st);

    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? IR_OK : sq_fail(db, rc, what, err);
}

void sq_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
    if (s == NULL)
        sqlite3_bind_null(st, idx);
    else
        sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

char *sq_col_strdup(sqlite3_stmt *st, int col, ir_rc *rc)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    char *copy;

    if (s == NULL)
        return NULL;
    copy = strdup((const char *)s);
    if (copy == NULL)
        *rc = IR_ERR_NOMEM;
    return copy;
}

/* Switching to WAL needs a moment of exclusive access: retried within the bound. */
static ir_rc set_wal(sqlite3 *db, ir_err *err)
{
    int64_t deadline = ir_monotonic_ms() + SQ_BUSY_BOUND_MS;
    sqlite3_stmt *st = NULL;
    const unsigned char *mode;
    ir_rc r;
    int rc;

    for (;;) {
        r = sq_prepare(db, "PRAGMA journal_mode=WAL", &st, err);
        if (r != IR_OK)
            return r;
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            break;
        sqlite3_finalize(st);
        if ((rc & 0xff) != SQLITE_BUSY || ir_monotonic_ms() >= deadline)
            return sq_fail(db, rc, "switching to WAL mode", err);
        ir_sleep_ms(10);
    }
    mode = sqlite3_column_text(st, 0);
    rc = mode != NULL && strcmp((const char *)mode, "wal") == 0;
    sqlite3_finalize(st);
    if (!rc)
        return ir_err_set(err, IR_ERR_JOURNAL,
                          "journal %s: the file system refuses WAL mode; put the journal on a "
                          "local file system",
                          sqlite3_db_filename(db, "main"));
    return IR_OK;
}

static ir_rc open_failed(sqlite3 *db, const char *path, int rc, ir_err *err)
{
    ir_rc r = ir_err_set(err, (rc & 0xff) == SQLITE_NOMEM ? IR_ERR_NOMEM : IR_ERR_IO,
                         "cannot open the journal %s: %s; check that its directory exists and "
                         "that this user may create files there (SQLite keeps -wal and -shm "
                         "files beside it; for two users, see the journal's mode)",
                         path, db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));

    sqlite3_close(db);
    return r;
}

/* Short-lived writers (a CA's openssl ca process with the tap, iotreg-publish)
 * open the journal for one enqueue. By default the last connection to close
 * checkpoints and deletes the WAL, and the next writer pays for a new WAL's
 * header syncs: three extra fsyncs per certificate. Keeping the WAL leaves
 * one fsync per commit. */
static void keep_wal_on_close(sqlite3 *db)
{
    int persist = 1;

    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
}

/* Replaces SQLite's automatic checkpoint. A process that opens the journal
 * when no other has it open rebuilds the WAL index from the WAL file and
 * cannot know which frames an earlier process checkpointed, so it never
 * restarts the WAL by itself: with only short-lived writers (a CA's openssl
 * ca processes) the WAL would grow without end, and every process would read
 * all of it (2 ms a certificate at 3 MB). So once the WAL holds
 * SQ_WAL_MAX_FRAMES pages, each commit checkpoints it, without waiting for
 * readers (when they are in the way the next commit tries again), and after
 * a complete checkpoint the connection restarts the WAL at once (see
 * restart_wal). The commit is durable before this runs; its outcome does not
 * change. */
static int checkpoint_when_long(void *arg, sqlite3 *db, const char *schema, int frames)
{
    sq_journal *j = arg;
    int rc;

    if (frames < SQ_WAL_MAX_FRAMES)
        return SQLITE_OK;
    sqlite3_busy_timeout(db, 0);
    rc = sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
    sqlite3_busy_timeout(db, SQ_BUSY_TIMEOUT_MS);
    if (rc == SQLITE_OK)
        atomic_store(&j->wal_restart, true);
    return SQLITE_OK;
}

/* A one-page write right after a complete checkpoint starts the WAL over
 * from its first frame, with new salts, so the next process's recovery
 * reads only what was written since. The file keeps its size (up to
 * SQ_WAL_KEEP_BYTES): commits then overwrite allocated blocks, whose
 * fdatasync is about half the cost of growing the file. Skipped, never
 * waited for, when another writer holds the lock: its own commit restarts
 * the WAL. */
static void restart_wal(sqlite3 *db)
{
    char sql[96];

    snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE; PRAGMA application_id=%d; COMMIT",
             SQ_APPLICATION_ID);
    sqlite3_busy_timeout(db, 0);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_busy_timeout(db, SQ_BUSY_TIMEOUT_MS);
}

/* The journal's files get the configured mode whatever the umask. SQLite
 * creates the database with 0644 less the umask, and a -wal or -shm with the
 * database's mode (and owner, when root), fixing what the umask took: so the
 * database gets its mode as soon as SQLite has created it, before the first
 * statement creates the WAL. Older files this process owns are given at
 * least the mode (ir_journal_owned_mode); others' are their owner's. By
 * path: closing a descriptor of the database would release the POSIX locks
 * SQLite holds on it in this process. A chmod that fails leaves the file
 * working as it was. */
static void own_modes(const sq_journal *j, bool created)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    char path[PATH_MAX];
    struct stat st;
    unsigned want;
    size_t i;

    for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        if (snprintf(path, sizeof(path), "%s%s", j->path, suffixes[i]) >= (int)sizeof(path))
            return;
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
            continue;
        want = created ? j->mode : ir_journal_owned_mode(st.st_mode & 07777, j->mode);
        if ((st.st_mode & 07777) != want)
            (void)chmod(path, want);
    }
}

static ir_rc conn_open(sq_journal *j, sqlite3 **out, ir_err *err)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    struct stat st;
    bool created = lstat(j->path, &st) != 0 && errno == ENOENT;
    int rc = sqlite3_open_v2(j->path, &db, flags, NULL);
    char pragmas[160];
    ir_rc r;

    if (rc != SQLITE_OK)
        return open_failed(db, j->path, rc, err);
    own_modes(j, created);
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, SQ_BUSY_TIMEOUT_MS);
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA trusted_schema=OFF; "
             "PRAGMA journal_size_limit=%d",
             SQ_WAL_KEEP_BYTES);
    r = sq_exec(db, pragmas, err);
    if (r == IR_OK)
        r = set_wal(db, err);
    if (r != IR_OK) {
        sqlite3_close(db);
        return r;
    }
    keep_wal_on_close(db);
    sqlite3_wal_hook(db, checkpoint_when_long, j);
    *out = db;
    return IR_OK;
}

ir_rc sq_pool_init(sq_journal *j, ir_err *err)
{
    if (pthread_mutex_init(&j->pool_lock, NULL) != 0)
        return ir_err_set(err, IR_ERR_INTERNAL, "journal: cannot create a mutex");
    if (pthread_cond_init(&j->pool_cond, NULL) != 0) {
        pthread_mutex_destroy(&j->pool_lock);
        return ir_err_set(err, IR_ERR_INTERNAL, "journal: cannot create a condition variable");
    }
    return IR_OK;
}

void sq_pool_destroy(sq_journal *j)
{
    while (j->n_idle > 0)
        sqlite3_close(j->idle[--j->n_idle]);
    pthread_cond_destroy(&j->pool_cond);
    pthread_mutex_destroy(&j->pool_lock);
}

ir_rc sq_acquire(sq_journal *j, sqlite3 **db, ir_err *err)
{
    ir_rc rc;

    pthread_mutex_lock(&j->pool_lock);
    while (j->n_idle == 0 && j->n_open >= SQ_POOL_MAX)
        pthread_cond_wait(&j->pool_cond, &j->pool_lock);
    if (j->n_idle > 0) {
        *db = j->idle[--j->n_idle];
        pthread_mutex_unlock(&j->pool_lock);
        return IR_OK;
    }
    j->n_open++;
    pthread_mutex_unlock(&j->pool_lock);
    rc = conn_open(j, db, err);
    if (rc != IR_OK) {
        pthread_mutex_lock(&j->pool_lock);
        j->n_open--;
        pthread_cond_signal(&j->pool_cond);
        pthread_mutex_unlock(&j->pool_lock);
    }
    return rc;
}

void sq_release(sq_journal *j, sqlite3 *db)
{
    pthread_mutex_lock(&j->pool_lock);
    j->idle[j->n_idle++] = db;
    pthread_cond_signal(&j->pool_cond);
    pthread_mutex_unlock(&j->pool_lock);
}

static ir_rc try_txn(sqlite3 *db, const char *begin, sq_txn_fn fn, void *ctx, ir_err *err)
{
    ir_rc rc = sq_exec(db, begin, err);

    if (rc != IR_OK)
        return rc;
    rc = fn(db, ctx, err);
    if (rc == IR_OK)
        rc = sq_exec(db, "COMMIT", err);
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* A short random pause, growing with the attempt, so that processes that
 * collided do not collide again in lockstep. */
static void backoff(int attempt, unsigned *seed)
{
    int cap = attempt < 6 ? 1 << attempt : 64;

    ir_sleep_ms(1 + rand_r(seed) % cap);
}

static ir_rc run_txn(sq_journal *j, const char *begin, sq_txn_fn fn, void *ctx, ir_err *err)
{
    int64_t start = ir_monotonic_ms();
    unsigned seed = (unsigned)start ^ (unsigned)(uintptr_t)&start;
    sqlite3 *db = NULL;
    int attempt = 0;
    ir_rc rc = sq_acquire(j, &db, err);

    if (rc != IR_OK)
        return rc;
    for (;;) {
        rc = try_txn(db, begin, fn, ctx, err);
        if (rc != IR_ERR_BUSY || ir_monotonic_ms() - start >= SQ_BUSY_BOUND_MS)
            break;
        backoff(++attempt, &seed);
    }
    if (atomic_exchange(&j->wal_restart, false))
        restart_wal(db);
    if (rc == IR_ERR_BUSY)
        ir_err_prefix(err,
                      "the journal stayed locked for %d s (is a process holding it open in a "
                      "transaction?): ",
                      SQ_BUSY_BOUND_MS / 1000);
    sq_release(j, db);
    return rc;
}

ir_rc sq_write(sq_journal *j, sq_txn_fn fn, void *ctx, ir_err *err)
{
    return run_txn(j, "BEGIN IMMEDIATE", fn, ctx, err);
}

ir_rc sq_read(sq_journal *j, sq_txn_fn fn, void *ctx, ir_err *err)
{
    return run_txn(j, "BEGIN", fn, ctx, err);
}
