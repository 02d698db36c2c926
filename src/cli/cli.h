/* iotregctl: one file of commands per concern (cmd_*.c), each command a
 * description (its words, help, arguments and options) and a function that
 * gets them parsed; one command table and dispatcher (iotregctl.c); one
 * option parser (cli_opts.c). */
#ifndef IOTREG_CLI_CLI_H
#define IOTREG_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define IR_CLI_OK     0
#define IR_CLI_FAILED 1
#define IR_CLI_USAGE  2

#define IR_CLI_MAX_ARGS 64 /* positional arguments of one command */
#define IR_CLI_MAX_OPTS 8  /* options of one command */

/* What a command accepts besides its own options (-c FILE is accepted by
 * every command, after the command words as before them). */
#define IR_CLI_JSON    1u /* --json */
#define IR_CLI_LEADING 2u /* iotregctl's own options: stop at the first argument */

typedef struct ir_cli {
    const char *prog;        /* "iotregctl" */
    const char *config_path; /* -c FILE; NULL = $IOTREG_CONF or the default */
    bool json;               /* --json */
} ir_cli;

typedef struct ir_cli_opt {
    const char *name; /* "--state" */
    bool flag;        /* takes no value */
} ir_cli_opt;

struct ir_cli_args;

typedef struct ir_cli_command {
    const char *words;   /* "keystore init", "status" */
    const char *summary; /* one line for iotregctl --help */
    const char *help;    /* printed for -h or --help anywhere; NULL: not handled */
    /* Its positional arguments, e.g. "CERTID CUSTOMER", "[PATH...]", "" for
     * none (NULL: not checked): how many it takes, and every CERTID must be
     * a certificate id as iotregctl list shows them. */
    const char *args;
    unsigned takes;         /* IR_CLI_* */
    const ir_cli_opt *opts; /* its own options, ending with {NULL}; NULL: none */
    int (*run)(const struct ir_cli_args *a);
} ir_cli_command;

/* A command's arguments, parsed. */
typedef struct ir_cli_args {
    ir_cli cli; /* the global options, with -c and --json as given after the command */
    const ir_cli_command *cmd;
    const char *values[IR_CLI_MAX_OPTS]; /* by cmd->opts' index; "" for a flag given */
    char *pos[IR_CLI_MAX_ARGS];
    int npos;
    int rest; /* IR_CLI_LEADING: the index of the first argument not parsed */
} ir_cli_args;

/* The commands, by the file that holds them (iotregctl.c lists them). */
/* cmd_keystore.c: the PKCS#11 token and the AWS secrets in it */
extern const ir_cli_command ir_cli_keystore_init, ir_cli_secret_set_aws;
/* cmd_subca.c: SubCA keys and certificates in the token */
extern const ir_cli_command ir_cli_subca_create, ir_cli_subca_import, ir_cli_subca_list;
/* cmd_ca.c: SubCAs' registration in the CSP's AWS accounts */
extern const ir_cli_command ir_cli_ca_register, ir_cli_ca_list;
/* cmd_config.c: the configuration file and attribution */
extern const ir_cli_command ir_cli_config_check, ir_cli_config_attribute;
/* cmd_journal_view.c: what the journal holds */
extern const ir_cli_command ir_cli_status, ir_cli_list, ir_cli_show;
/* cmd_journal_migrate.c: the journal's schema */
extern const ir_cli_command ir_cli_journal_migrate;
/* cmd_journal_copy.c: a SQLite journal copied into the configured one */
extern const ir_cli_command ir_cli_journal_copy;
/* cmd_entry_actions.c: an operator's actions on entries */
extern const ir_cli_command ir_cli_assign, ir_cli_retry, ir_cli_cancel;
/* cmd_import.c: certificates and CRLs from before iotreg */
extern const ir_cli_command ir_cli_import;
/* cmd_revoke.c: revocation requests */
extern const ir_cli_command ir_cli_revoke;
/* cmd_customer.c: a customer's delegated access and endpoint */
extern const ir_cli_command ir_cli_customer_verify, ir_cli_customer_endpoint;

/* ---- options (cli_opts.c) ---- */

/* Parses argv[1..argc-1] (argv[0] is the command's last word) as cmd says
 * into a, and checks the positional arguments. True when the command goes
 * on; false after --help (its usage printed, *rc IR_CLI_OK) or a usage
 * error (the message printed, *rc IR_CLI_USAGE). "--" ends the options. */
bool ir_cli_parse(const ir_cli *cli, int argc, char **argv, const ir_cli_command *cmd,
                  ir_cli_args *a, int *rc);
/* The value given for the command's option name (NULL: not given; "" for
 * a flag given). name must be one of the command's options. */
const char *ir_cli_value(const ir_cli_args *a, const char *name);

/* ---- shared helpers (cli_util.c) ---- */

struct ir_config;
struct ir_runtime;
struct ir_journal_entry;
struct json_t;

/* "CMD: what (try iotregctl CMD --help)" for a's command; IR_CLI_USAGE. */
int ir_cli_usage_error(const ir_cli_args *a, const char *what);
/* "CMD: err's message" for a's command; IR_CLI_FAILED. */
int ir_cli_failed(const ir_cli_args *a, const ir_err *err);
/* IR_CLI_OK for a certificate id as iotregctl list shows it, else a usage error. */
int ir_cli_check_cert_id(const ir_cli *cli, const char *id);
/* The configuration -c, $IOTREG_CONF or the default names, validated. */
ir_rc ir_cli_load_config(const ir_cli *cli, struct ir_config **cfg, ir_err *err);
/* ir_runtime_open with the parts (IR_RT_*); IR_CLI_FAILED with the message printed. */
int ir_cli_open_runtime(const ir_cli *cli, unsigned parts, struct ir_runtime *rt);
/* The runtime's parts open and the journal entry a's first argument names;
 * IR_CLI_FAILED with the message printed (and nothing open) otherwise. */
int ir_cli_open_entry(const ir_cli_args *a, unsigned parts, struct ir_runtime *rt,
                      struct ir_journal_entry **e);
/* Prints doc indented on standard output and releases it. */
void ir_cli_print_json(struct json_t *doc);

/* Prints "iotregctl: message" to stderr. */
void ir_cli_error(const ir_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
