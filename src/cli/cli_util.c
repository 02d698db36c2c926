/* Small helpers every iotregctl command file shares. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "config/load.h"

bool ir_cli_wants_help(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

int ir_cli_usage_error(const ir_cli *cli, const char *cmd, const char *what)
{
    ir_cli_error(cli, "%s: %s (try iotregctl %s --help)", cmd, what, cmd);
    return IR_CLI_USAGE;
}

int ir_cli_failed(const ir_cli *cli, const char *cmd, const ir_err *err)
{
    ir_cli_error(cli, "%s: %s", cmd, err->msg);
    return IR_CLI_FAILED;
}

bool ir_cli_json_flag(const ir_cli *cli, int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--json") == 0)
            return true;
    return cli->json;
}

ir_rc ir_cli_load_config(const ir_cli *cli, ir_config **cfg, ir_err *err)
{
    return ir_config_load(ir_config_resolve_path(cli->config_path), cfg, err);
}
