/* Small helpers every iotregctl command file shares. */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app/runtime.h"
#include "cli/cli.h"
#include "config/config.h"
#include "config/load.h"
#include "journal/journal.h"

int ir_cli_usage_error(const ir_cli_args *a, const char *what)
{
    ir_cli_error(&a->cli, "%s: %s (try iotregctl %s --help)", a->cmd->words, what, a->cmd->words);
    return IR_CLI_USAGE;
}

int ir_cli_failed(const ir_cli_args *a, const ir_err *err)
{
    ir_cli_error(&a->cli, "%s: %s", a->cmd->words, err->msg);
    return IR_CLI_FAILED;
}

int ir_cli_check_cert_id(const ir_cli *cli, const char *id)
{
    if (ir_cert_id_valid(id))
        return IR_CLI_OK;
    ir_cli_error(cli,
                 "'%s' is not a certificate id: give the 64 lower-case hex characters iotregctl "
                 "list shows",
                 id);
    return IR_CLI_USAGE;
}

ir_rc ir_cli_load_config(const ir_cli *cli, ir_config **cfg, ir_err *err)
{
    return ir_config_load(ir_config_resolve_path(cli->config_path), cfg, err);
}

int ir_cli_open_runtime(const ir_cli *cli, unsigned parts, ir_runtime *rt)
{
    ir_err err = {0};

    if (ir_runtime_open(cli->config_path, parts, rt, &err) != IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        return IR_CLI_FAILED;
    }
    return IR_CLI_OK;
}

int ir_cli_open_entry(const ir_cli_args *a, unsigned parts, ir_runtime *rt, ir_journal_entry **e)
{
    ir_err err = {0};
    int rc = ir_cli_open_runtime(&a->cli, parts, rt);

    *e = NULL;
    if (rc != IR_CLI_OK)
        return rc;
    if (ir_journal_get(rt->journal, a->pos[0], e, &err) != IR_OK) {
        ir_cli_error(&a->cli, "%s", err.msg);
        ir_journal_entry_free(*e);
        *e = NULL;
        ir_runtime_close(rt);
        return IR_CLI_FAILED;
    }
    return IR_CLI_OK;
}

void ir_cli_print_json(json_t *doc)
{
    json_dumpf(doc, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(doc);
}
