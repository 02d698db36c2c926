/* iotregctl: one command table per concern (cmd_*.c), one dispatcher. */
#ifndef IOTREG_CLI_CLI_H
#define IOTREG_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

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
extern const ir_cli_command ir_cli_subca_commands[];
extern const ir_cli_command ir_cli_ca_commands[];
extern const ir_cli_command ir_cli_config_commands[];
extern const ir_cli_command ir_cli_journal_commands[];
extern const ir_cli_command ir_cli_delivery_commands[];

/* Shared helpers (cli_util.c). */
struct ir_config;
bool ir_cli_wants_help(int argc, char **argv);
/* "cmd: what (try iotregctl cmd --help)"; returns IR_CLI_USAGE. */
int ir_cli_usage_error(const ir_cli *cli, const char *cmd, const char *what);
/* "cmd: err's message"; returns IR_CLI_FAILED. */
int ir_cli_failed(const ir_cli *cli, const char *cmd, const ir_err *err);
/* --json given globally or after the command. */
bool ir_cli_json_flag(const ir_cli *cli, int argc, char **argv);
/* The configuration -c, $IOTREG_CONF or the default names, validated. */
ir_rc ir_cli_load_config(const ir_cli *cli, struct ir_config **cfg, ir_err *err);

/* Prints "iotregctl: message" to stderr. */
void ir_cli_error(const ir_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
