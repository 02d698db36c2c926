/* iotregctl: one command table per concern (cmd_*.c), one dispatcher. */
#ifndef IOTREG_CLI_CLI_H
#define IOTREG_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#define IR_CLI_OK     0
#define IR_CLI_FAILED 1
#define IR_CLI_USAGE  2

typedef struct ir_cli {
    const char *prog;        /* "iotregctl" */
    const char *config_path; /* -c FILE; NULL = $IOTREG_CONF or the default */
    bool json;               /* --json */
} ir_cli;

/* argv[0] is the last word of the command ("init" for "keystore init"). */
typedef int (*ir_cli_fn)(const ir_cli *cli, int argc, char **argv);

typedef struct ir_cli_command {
    const char *words; /* "keystore init", "status" */
    ir_cli_fn fn;
    const char *args;    /* argument synopsis for --help */
    const char *summary; /* one line */
} ir_cli_command;

/* Each table ends with an entry whose words is NULL. */
extern const ir_cli_command ir_cli_keystore_commands[];
extern const ir_cli_command ir_cli_config_commands[];
extern const ir_cli_command ir_cli_journal_commands[];
extern const ir_cli_command ir_cli_delivery_commands[];

/* Prints "iotregctl: message" to stderr. */
void ir_cli_error(const ir_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
