/* Opening a journal: the backend its settings name. Only this file knows the
 * backends this build has, so the front and the spool, which the provider's
 * tap links, carry no database library. */
#include "autoconf.h"

#include "journal/journal_internal.h"

static ir_rc check_opts(const ir_journal_opts *opts, ir_err *err)
{
    if (opts == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "journal: no configuration given");
    switch (opts->kind) {
    case IR_JOURNAL_KIND_SQLITE:
        if (opts->path == NULL || opts->path[0] == '\0')
            return ir_err_set(err, IR_ERR_CONFIG,
                              "journal: no database path configured (<journal path=\"...\"/>)");
        return IR_OK;
    case IR_JOURNAL_KIND_POSTGRES:
        if (opts->conninfo == NULL)
            return ir_err_set(err, IR_ERR_CONFIG,
                              "journal: no PostgreSQL conninfo configured "
                              "(<postgresql conninfo=\"...\"/>)");
        return IR_OK;
    }
    return ir_err_set(err, IR_ERR_CONFIG, "journal: unknown backend %d", (int)opts->kind);
}

ir_rc ir_journal_open(const ir_journal_opts *opts, ir_journal **out, ir_err *err)
{
    ir_rc rc = check_opts(opts, err);

    *out = NULL;
    if (rc != IR_OK)
        return rc;
    if (opts->kind == IR_JOURNAL_KIND_POSTGRES)
        return ir_journal_pg_open(opts, out, err);
    return ir_journal_sqlite_open(opts, out, err);
}

/* SQLite's schema is migrated by every opening (one file, one host). */
ir_rc ir_journal_migrate(const ir_journal_opts *opts, int *from, int *to, ir_err *err)
{
    ir_journal *j = NULL;
    int f, t;
    ir_rc rc = check_opts(opts, err);

    if (rc != IR_OK)
        return rc;
    if (opts->kind == IR_JOURNAL_KIND_POSTGRES)
        return ir_journal_pg_migrate(opts, from ? from : &f, to ? to : &t, err);
    rc = ir_journal_sqlite_open(opts, &j, err);
    if (rc == IR_OK)
        ir_journal_close(j);
    if (from != NULL)
        *from = -1;
    if (to != NULL)
        *to = -1;
    return rc;
}
