/* iotregctl: one file of commands per concern (cmd_*.c), one command table
 * and dispatcher (iotregctl.c), one option parser (cli_opts.c). */
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

/* The commands, by the file that holds them (iotregctl.c lists them). */
/* cmd_keystore.c: the PKCS#11 token and the AWS secrets in it */
int ir_cli_cmd_keystore_init(const ir_cli *cli, int argc, char **argv);
int ir_cli_cmd_secret_set_aws(const ir_cli *cli, int argc, char **argv);
/* cmd_subca.c: SubCA keys and certificates in the token */
int ir_cli_cmd_subca_create(const ir_cli *cli, int argc, char **argv);
int ir_cli_cmd_subca_import(const ir_cli *cli, int argc, char **argv);
int ir_cli_cmd_subca_list(const ir_cli *cli, int argc, char **argv);
/* cmd_ca.c: SubCAs' registration in the CSP's AWS accounts */
int ir_cli_cmd_ca_register(const ir_cli *cli, int argc, char **argv);
int ir_cli_cmd_ca_list(const ir_cli *cli, int argc, char **argv);
/* cmd_config.c: the configuration file and attribution */
int ir_cli_cmd_config_check(const ir_cli *cli, int argc, char **argv);
int ir_cli_cmd_config_attribute(const ir_cli *cli, int argc, char **argv);
/* cmd_journal_view.c: what the journal holds */
int ir_cli_cmd_status(const ir_cli *cli, int argc, char **argv);
int ir_cli_cmd_list(const ir_cli *cli, int argc, char **argv);
int ir_cli_cmd_show(const ir_cli *cli, int argc, char **argv);
/* cmd_entry_actions.c: an operator's actions on entries */
int ir_cli_cmd_assign(const ir_cli *cli, int argc, char **argv);
int ir_cli_cmd_retry(const ir_cli *cli, int argc, char **argv);
int ir_cli_cmd_cancel(const ir_cli *cli, int argc, char **argv);
/* cmd_import.c: certificates and CRLs from before iotreg */
int ir_cli_cmd_import(const ir_cli *cli, int argc, char **argv);
/* cmd_revoke.c: revocation requests */
int ir_cli_cmd_revoke(const ir_cli *cli, int argc, char **argv);
/* cmd_customer.c: a customer's delegated access and endpoint */
int ir_cli_cmd_customer_verify(const ir_cli *cli, int argc, char **argv);
int ir_cli_cmd_customer_endpoint(const ir_cli *cli, int argc, char **argv);

/* ---- options (cli_opts.c) ---- */

#define IR_CLI_MAX_ARGS 64 /* positional arguments of one command */

/* takes: what a command accepts besides its own options (-c FILE is
 * accepted by every command, as before the command word). */
#define IR_CLI_JSON    1u /* --json */
#define IR_CLI_LEADING 2u /* iotregctl's own options: stop at the first argument */

typedef struct ir_cli_opt {
    const char *name;   /* "--state" */
    const char **value; /* an option with a value (--state S or --state=S): stored here */
    bool *flag;         /* a flag: set here */
} ir_cli_opt;

typedef struct ir_cli_spec {
    const char *cmd;        /* the command's words, for messages; NULL: iotregctl's own */
    const char *help;       /* printed for -h or --help anywhere; NULL: not handled */
    unsigned takes;         /* IR_CLI_* */
    const ir_cli_opt *opts; /* the command's own options, ending with {NULL}; NULL: none */
} ir_cli_spec;

typedef struct ir_cli_args {
    ir_cli cli; /* the global options, with -c and --json as given after the command */
    char *pos[IR_CLI_MAX_ARGS];
    int npos;
    int rest; /* IR_CLI_LEADING: the index of the first argument not parsed */
} ir_cli_args;

/* Parses argv[1..argc-1] (argv[0] is the command's last word) into a and the
 * places spec's options name. True when the command goes on; false after
 * --help (its usage printed, *rc IR_CLI_OK) or a usage error (the message
 * printed, *rc IR_CLI_USAGE). "--" ends the options. */
bool ir_cli_parse(const ir_cli *cli, int argc, char **argv, const ir_cli_spec *spec, ir_cli_args *a,
                  int *rc);

/* ---- shared helpers (cli_util.c) ---- */

struct ir_config;
struct ir_runtime;
struct json_t;

/* "cmd: what (try iotregctl cmd --help)"; returns IR_CLI_USAGE. */
int ir_cli_usage_error(const ir_cli *cli, const char *cmd, const char *what);
/* "cmd: err's message"; returns IR_CLI_FAILED. */
int ir_cli_failed(const ir_cli *cli, const char *cmd, const ir_err *err);
/* IR_CLI_OK for a certificate id as iotregctl list shows it, else a usage error. */
int ir_cli_check_cert_id(const ir_cli *cli, const char *id);
/* The configuration -c, $IOTREG_CONF or the default names, validated. */
ir_rc ir_cli_load_config(const ir_cli *cli, struct ir_config **cfg, ir_err *err);
/* ir_runtime_open with the parts (IR_RT_*); IR_CLI_FAILED with the message printed. */
int ir_cli_open_runtime(const ir_cli *cli, unsigned parts, struct ir_runtime *rt);
/* Prints doc indented on standard output and releases it. */
void ir_cli_print_json(struct json_t *doc);

/* Prints "iotregctl: message" to stderr. */
void ir_cli_error(const ir_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
