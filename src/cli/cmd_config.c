/* iotregctl config commands. */
#include "config.h"

#include "cli/cli.h"

const ir_cli_command ir_cli_config_commands[] = {
    {NULL, NULL, NULL, NULL},
};
