/* iotregctl journal migrate: brings the journal's schema up to this
 * iotreg's version. */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>

#include "app/settings.h"
#include "cli/cli.h"
#include "config/config.h"
#include "config/load.h"
#include "journal/journal.h"

static const char migrate_usage[] =
    "usage: iotregctl [-c FILE] journal migrate [--json]\n\n"
    "Applies the pending schema migrations of the configured journal.\n"
    "PostgreSQL: each migration runs in one transaction under an advisory lock,\n"
    "so running it from several hosts at once applies it once. Upgrade iotreg on\n"
    "every host that uses the journal first: until the migration has run, an\n"
    "iotreg that knows a newer schema refuses to open the journal and says to\n"
    "run this command, and an older iotreg refuses a newer schema.\n"
    "SQLite: the journal file is migrated whenever it is opened; this opens it.\n"
    "Prints the schema versions before and after.\n";

static int journal_migrate(const ir_cli_args *a)
{
    ir_config *cfg = NULL;
    ir_journal_opts opts;
    ir_err err = {0};
    int from = 0, to = 0;
    const char *backend;

    if (ir_cli_load_config(&a->cli, &cfg, &err) != IR_OK)
        return ir_cli_failed(a, &err);
    ir_journal_opts_from_config(cfg, &opts);
    backend = opts.kind == IR_JOURNAL_KIND_POSTGRES ? "postgresql" : "sqlite";
    if (ir_journal_migrate(&opts, &from, &to, &err) != IR_OK) {
        ir_config_free(cfg);
        return ir_cli_failed(a, &err);
    }
    if (a->cli.json)
        ir_cli_print_json(json_pack("{s:s, s:i, s:i}", "backend", backend, "from", from, "to", to));
    else if (opts.kind != IR_JOURNAL_KIND_POSTGRES)
        printf("journal %s: the SQLite schema is current (migrated when opened)\n", opts.path);
    else if (from == to)
        printf("journal: schema version %d is current; nothing to migrate\n", to);
    else
        printf("journal: schema migrated from version %d to %d\n", from, to);
    ir_config_free(cfg);
    return IR_CLI_OK;
}

const ir_cli_command ir_cli_journal_migrate = {
    "journal migrate", "apply the journal's pending schema migrations",
    migrate_usage,     "",
    IR_CLI_JSON,       NULL,
    journal_migrate};
