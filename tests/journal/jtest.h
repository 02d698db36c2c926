/* What the journal's unit tests share: a scratch directory with fresh
 * journal paths, opening a journal there, fake certificate bytes.
 *
 * The backend: SQLite, or PostgreSQL when IOTREG_TEST_PG_CONNINFO names a
 * server (tests/journal/pg-lib.sh starts one). There a journal path names a
 * schema of its own (created on first use: every path a fresh journal) and
 * is the base of the journal's spool, as the SQLite file's path is. */
#ifndef IOTREG_TESTS_JOURNAL_JTEST_H
#define IOTREG_TESTS_JOURNAL_JTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctype.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "journal/journal.h"

static char jtest_dir[] = "/tmp/iotreg-journal-XXXXXX";
static int jtest_counter;

/* A fresh journal file path in the test's directory. */
static inline void new_path(char *path, size_t n)
{
    snprintf(path, n, "%s/j%d.db", jtest_dir, ++jtest_counter);
}

/* The PostgreSQL server the tests use, or NULL: SQLite. */
static inline const char *pg_conninfo(void)
{
    const char *s = getenv("IOTREG_TEST_PG_CONNINFO");

    return s != NULL && s[0] != '\0' ? s : NULL;
}

/* Runs sql on the test server as its administrator; nonzero on failure. */
static inline int pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(pg_conninfo());
    PGresult *r = PQexec(c, sql);
    int failed = PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK;

    if (failed)
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return failed;
}

/* The first column of the first row sql gives, as an integer; -1 on failure. */
static inline long pg_admin_int(const char *sql)
{
    PGconn *c = PQconnectdb(pg_conninfo());
    PGresult *r = PQexec(c, sql);
    long v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0
                 ? strtol(PQgetvalue(r, 0, 0), NULL, 10)
                 : -1;

    PQclear(r);
    PQfinish(c);
    return v;
}

/* The schema that stands for path: "j_" and the path's letters and digits. */
static inline void pg_schema_of(const char *path, char *out, size_t n)
{
    size_t k = snprintf(out, n, "j_");

    for (; *path != '\0' && k + 1 < n; path++)
        if (isalnum((unsigned char)*path))
            out[k++] = (char)tolower((unsigned char)*path);
    out[k] = '\0';
}

/* opts for the journal at path; conninfo (n bytes) holds PostgreSQL's, whose
 * schema is created when missing. */
static inline ir_journal_opts journal_opts_at(const char *path, char *conninfo, size_t n)
{
    ir_journal_opts conf = {.kind = IR_JOURNAL_KIND_SQLITE, .path = path};
    char schema[200], sql[256];

    if (pg_conninfo() == NULL)
        return conf;
    pg_schema_of(path, schema, sizeof(schema));
    snprintf(sql, sizeof(sql), "CREATE SCHEMA IF NOT EXISTS %s", schema);
    pg_admin(sql);
    snprintf(conninfo, n, "%s options=-csearch_path=%s", pg_conninfo(), schema);
    conf.kind = IR_JOURNAL_KIND_POSTGRES;
    conf.conninfo = conninfo;
    return conf;
}

/* Runs sql on the journal at path behind the journal's back (to forge a
 * row); nonzero on failure. */
static inline int journal_exec(const char *path, const char *sql)
{
    char schema[200], *full;
    sqlite3 *db = NULL;
    int rc;

    if (pg_conninfo() == NULL) {
        rc = sqlite3_open(path, &db) != SQLITE_OK ||
             sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK;
        sqlite3_close(db);
        return rc;
    }
    pg_schema_of(path, schema, sizeof(schema));
    full = malloc(strlen(sql) + 256);
    if (full == NULL)
        return 1;
    sprintf(full, "SET search_path = %s; %s", schema, sql);
    rc = pg_admin(full);
    free(full);
    return rc;
}

static inline ir_journal *open_at(const char *path)
{
    char conninfo[1024];
    ir_journal_opts conf = journal_opts_at(path, conninfo, sizeof(conninfo));
    ir_journal *j = NULL;
    ir_err err = {0};

    if (ir_journal_open(&conf, &j, &err) != IR_OK)
        fprintf(stderr, "open %s: %s\n", path, err.msg);
    return j;
}

/* Fake certificate bytes: the journal does not parse, it keys by SHA-256. */
static inline void fake_der(unsigned char der[64], int n)
{
    memset(der, 0x30, 64);
    snprintf((char *)der + 1, 32, "certificate-%d", n);
}

static inline int jtest_setup(void)
{
    return mkdtemp(jtest_dir) == NULL;
}

static inline int jtest_teardown(void)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", jtest_dir);
    return system(cmd) == 0 ? 0 : 1;
}

#endif
