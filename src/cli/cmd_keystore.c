/* iotregctl keystore commands. */
#include "config.h"

#include "cli/cli.h"

const ir_cli_command ir_cli_keystore_commands[] = {
    {NULL, NULL, NULL, NULL},
};
