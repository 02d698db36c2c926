/* iotregctl delivery commands. */
#include "config.h"

#include "cli/cli.h"

const ir_cli_command ir_cli_delivery_commands[] = {
    {NULL, NULL, NULL, NULL},
};
