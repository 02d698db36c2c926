/* The journal's schema, versioned with PRAGMA user_version. migrations[i]
 * brings a journal from version i to i+1; a released migration is never
 * edited, a change is a new one appended. The file is marked with
 * PRAGMA application_id so another SQLite database is never mistaken for
 * a journal. */
#include "autoconf.h"

#include "journal/journal_sqlite_internal.h"

#include <stdio.h>

static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE entries ("
    "  seq INTEGER PRIMARY KEY,"
    "  cert_id TEXT NOT NULL UNIQUE CHECK (length(cert_id) = 64),"
    "  der BLOB NOT NULL,"
    "  subca TEXT NOT NULL,"
    "  customer TEXT,"
    "  unattributed_reason TEXT,"
    "  source TEXT NOT NULL CHECK (source IN ('tap', 'hook', 'publish', 'import')),"
    "  end_entity TEXT,"
    "  profile TEXT,"
    "  state TEXT NOT NULL CHECK (state IN ('unattributed', 'pending', 'parked', 'done',"
    "                                       'revoke-pending', 'revoked')),"
    "  step TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL,"
    "  last_error TEXT,"
    "  claimed_by TEXT,"
    "  lease_until INTEGER,"
    "  revocation_requested INTEGER NOT NULL DEFAULT 0,"
    "  revocation_reason INTEGER,"
    "  revocation_time INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  CHECK (customer IS NOT NULL OR state <> 'pending')"
    ");"
    "CREATE INDEX entries_due ON entries (state, next_attempt_at);"
    "CREATE INDEX entries_customer ON entries (customer, state);"
    "CREATE TABLE history ("
    "  id INTEGER PRIMARY KEY,"
    "  cert_id TEXT NOT NULL REFERENCES entries (cert_id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  step TEXT NOT NULL,"
    "  result TEXT NOT NULL,"
    "  detail TEXT,"
    "  worker TEXT"
    ");"
    "CREATE INDEX history_entry ON history (cert_id, id);"
    "CREATE TABLE facts ("
    "  cert_id TEXT NOT NULL REFERENCES entries (cert_id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (cert_id, key)"
    ") WITHOUT ROWID;",
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

static ir_rc pragma_int(sqlite3 *db, const char *sql, int *out, ir_err *err)
{
    sqlite3_stmt *st = NULL;
    ir_rc rc = sq_prepare(db, sql, &st, err);
    int step;

    if (rc != IR_OK)
        return rc;
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    else
        rc = sq_fail(db, step, sql, err);
    sqlite3_finalize(st);
    return rc;
}

/* A file with tables but no mark of ours is someone else's database. */
static ir_rc check_is_journal(sqlite3 *db, int app_id, int version, ir_err *err)
{
    int tables = 0;
    ir_rc rc;

    if (app_id != 0 && app_id != SQ_APPLICATION_ID)
        return ir_err_set(err, IR_ERR_JOURNAL,
                          "journal %s is a SQLite database of another application; point "
                          "<journal path> at a new file",
                          sqlite3_db_filename(db, "main"));
    if (version > N_MIGRATIONS)
        return ir_err_set(err, IR_ERR_JOURNAL,
                          "journal %s has schema version %d, newer than this iotreg knows (%d); "
                          "upgrade iotreg",
                          sqlite3_db_filename(db, "main"), version, N_MIGRATIONS);
    if (app_id == SQ_APPLICATION_ID || version != 0)
        return IR_OK;
    rc = pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables, err);
    if (rc == IR_OK && tables != 0)
        rc = ir_err_set(err, IR_ERR_JOURNAL,
                        "journal %s is a SQLite database but not an iotreg journal; point "
                        "<journal path> at a new file",
                        sqlite3_db_filename(db, "main"));
    return rc;
}

static ir_rc set_version(sqlite3 *db, int version, ir_err *err)
{
    char sql[96];

    snprintf(sql, sizeof(sql), "PRAGMA application_id=%d; PRAGMA user_version=%d",
             SQ_APPLICATION_ID, version);
    return sq_exec(db, sql, err);
}

/* Runs inside BEGIN IMMEDIATE: the version read here cannot change under us,
 * so two processes opening a new journal at once migrate it once. */
ir_rc sq_migrate(sqlite3 *db, void *ctx, ir_err *err)
{
    int version = 0, app_id = 0;
    ir_rc rc = pragma_int(db, "PRAGMA user_version", &version, err);

    (void)ctx;
    if (rc == IR_OK)
        rc = pragma_int(db, "PRAGMA application_id", &app_id, err);
    if (rc == IR_OK)
        rc = check_is_journal(db, app_id, version, err);
    for (; rc == IR_OK && version < N_MIGRATIONS; version++) {
        rc = sq_exec(db, migrations[version], err);
        if (rc == IR_OK)
            rc = set_version(db, version + 1, err);
    }
    return rc;
}

ir_rc sq_touch(sqlite3 *db, void *ctx, ir_err *err)
{
    char sql[64];

    (void)ctx;
    snprintf(sql, sizeof(sql), "PRAGMA application_id=%d", SQ_APPLICATION_ID);
    return sq_exec(db, sql, err);
}
