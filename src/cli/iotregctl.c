/* iotregctl: the operator's command line. */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "cli/cli.h"
#include "core/log.h"
#include "keystore/keystore.h"

/* Every command, in the order iotregctl --help lists them. */
static const ir_cli_command *const commands[] = {
    &ir_cli_keystore_init,
    &ir_cli_secret_set_aws,
    &ir_cli_subca_create,
    &ir_cli_subca_import,
    &ir_cli_subca_list,
    &ir_cli_ca_register,
    &ir_cli_ca_list,
    &ir_cli_config_check,
    &ir_cli_config_attribute,
    &ir_cli_status,
    &ir_cli_list,
    &ir_cli_show,
    &ir_cli_assign,
    &ir_cli_import,
    &ir_cli_retry,
    &ir_cli_cancel,
    &ir_cli_revoke,
    &ir_cli_customer_verify,
    &ir_cli_customer_endpoint,
    &ir_cli_journal_migrate,
    &ir_cli_journal_copy,
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* iotregctl's own options, before the command. */
static const ir_cli_opt global_opts[] = {{"-h", true}, {"--help", true}, {NULL, false}};
static const ir_cli_command global = {NULL,        NULL, NULL, NULL, IR_CLI_JSON | IR_CLI_LEADING,
                                      global_opts, NULL};

void ir_cli_error(const ir_cli *cli, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", cli->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void usage(FILE *out)
{
    size_t i;

    fprintf(
        out,
        "usage: iotregctl [-c FILE] [--json] COMMAND [ARGS]\n\n"
        "Operates iotreg: the keystore, SubCAs and their AWS registration, the\n"
        "journal of captured certificates and their delivery.\n\n"
        "options:\n"
        "  -c FILE     configuration file (default: $IOTREG_CONF, else /etc/iotreg/iotreg.xml)\n"
        "  --json      machine-readable output where a command supports it\n"
        "  -h, --help  this help; COMMAND --help for a command's own\n\n"
        "commands:\n");
    for (i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-40s %s\n", commands[i]->words, commands[i]->summary);
}

/* Number of leading argv words that spell words, or 0. */
static int match_words(const char *words, int argc, char **argv)
{
    char copy[128];
    char *save = NULL;
    char *w;
    int i = 0;

    snprintf(copy, sizeof(copy), "%s", words);
    for (w = strtok_r(copy, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
        if (i >= argc || strcmp(argv[i], w) != 0)
            return 0;
        i++;
    }
    return i;
}

static const ir_cli_command *find_command(int argc, char **argv, int *consumed)
{
    const ir_cli_command *best = NULL;
    int n, best_n = 0;
    size_t i;

    for (i = 0; i < N_COMMANDS; i++) {
        n = match_words(commands[i]->words, argc, argv);
        if (n > best_n) {
            best = commands[i];
            best_n = n;
        }
    }
    *consumed = best_n;
    return best;
}

int main(int argc, char **argv)
{
    ir_cli cli = {.prog = "iotregctl"};
    const ir_cli_command *cmd;
    ir_cli_args g, a;
    int i, rc, consumed;

    ir_log_set_prefix("iotregctl");
    ir_ks_softhsm_env_allow(); /* our own process: SOFTHSM2_CONF from <softhsm-dir> */
    /* PINs typed at the terminal, AWS secrets on their way into the token and
     * session tokens pass through this process: no core dumps of it. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        fprintf(stderr, "iotregctl: warning: cannot keep secrets out of core dumps: %s\n",
                strerror(errno));
    if (!ir_cli_parse(&cli, argc, argv, &global, &g, &rc))
        return rc;
    if (ir_cli_value(&g, "-h") != NULL || ir_cli_value(&g, "--help") != NULL) {
        usage(stdout);
        return IR_CLI_OK;
    }
    i = g.rest;
    if (i >= argc) {
        usage(stderr);
        return IR_CLI_USAGE;
    }
    cmd = find_command(argc - i, argv + i, &consumed);
    if (cmd == NULL) {
        ir_cli_error(&g.cli, "unknown command '%s' (try iotregctl --help)", argv[i]);
        return IR_CLI_USAGE;
    }
    /* The command's arguments follow its last word; -c and --json may too. */
    if (!ir_cli_parse(&g.cli, argc - i - consumed + 1, argv + i + consumed - 1, cmd, &a, &rc))
        return rc;
    return cmd->run(&a);
}
