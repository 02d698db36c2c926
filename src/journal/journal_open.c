/* Opening a journal: the backend its settings name. Only this file knows the
 * backends this build has (a PostgreSQL one would be added here), so the
 * front and the spool, which the provider's tap links, carry no database
 * library. */
#include "autoconf.h"

#include "journal/journal_internal.h"

ir_rc ir_journal_open(const ir_journal_opts *opts, ir_journal **out, ir_err *err)
{
    *out = NULL;
    if (opts == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "journal: no configuration given");
    switch (opts->kind) {
    case IR_JOURNAL_KIND_SQLITE:
        if (opts->path == NULL || opts->path[0] == '\0')
            return ir_err_set(err, IR_ERR_CONFIG,
                              "journal: no database path configured (<journal path=\"...\"/>)");
        return ir_journal_sqlite_open(opts, out, err);
    case IR_JOURNAL_KIND_POSTGRES:
        return ir_err_set(err, IR_ERR_UNSUPPORTED,
                          "journal: the PostgreSQL backend is not part of this build of iotreg; "
                          "configure the SQLite journal instead");
    }
    return ir_err_set(err, IR_ERR_CONFIG, "journal: unknown backend %d", (int)opts->kind);
}
