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
static const ir_cli_command commands[] = {
    {"keystore init", ir_cli_cmd_keystore_init, "", "check the PKCS#11 token, or create it"},
    {"secret set-aws", ir_cli_cmd_secret_set_aws, "NAME --access-key-id ID",
     "store an AWS secret key (from stdin) as a non-extractable HMAC key"},
    {"subca create", ir_cli_cmd_subca_create,
     "NAME --key SPEC --subject DN (--self-signed | --issuer-key URI --issuer-cert FILE)",
     "generate a SubCA key in the token and certify it"},
    {"subca import", ir_cli_cmd_subca_import, "NAME --cert FILE [--key FILE]",
     "store an existing SubCA certificate (and key) in the token"},
    {"subca list", ir_cli_cmd_subca_list, "[--json]", "list the SubCAs in the token"},
    {"ca register", ir_cli_cmd_ca_register, "NAME [--region R] [--account CSPNAME]",
     "register a SubCA in the CSP's AWS account (once)"},
    {"ca list", ir_cli_cmd_ca_list, "[--json]", "list the SubCAs and where they are registered"},
    {"config check", ir_cli_cmd_config_check, "[--json]",
     "validate the configuration file and the files it names"},
    {"config attribute", ir_cli_cmd_config_attribute,
     "CERT [--end-entity N] [--profile P] [--subca S]",
     "show which customer a certificate is attributed to"},
    {"status", ir_cli_cmd_status, "[--json]", "count journal entries by customer and state"},
    {"list", ir_cli_cmd_list, "[--state S] [--customer C] [--limit N] [--json]",
     "list journal entries"},
    {"show", ir_cli_cmd_show, "CERTID [--json]", "show one entry and its history"},
    {"assign", ir_cli_cmd_assign, "CERTID CUSTOMER",
     "attribute an unattributed entry to a customer"},
    {"import", ir_cli_cmd_import, "PATH... | --openssl-db INDEX --newcerts DIR | --crl FILE",
     "journal certificates issued before iotreg was installed"},
    {"retry", ir_cli_cmd_retry, "CERTID | --parked [--customer C]",
     "send parked entries back for delivery"},
    {"cancel", ir_cli_cmd_cancel, "CERTID", "cancel a certificate's pending transfer"},
    {"revoke", ir_cli_cmd_revoke, "CERTID [--reason R]",
     "revoke a certificate wherever it is in AWS"},
    {"customer verify", ir_cli_cmd_customer_verify, "NAME",
     "check a customer's role, ExternalId and policy"},
    {"customer endpoint", ir_cli_cmd_customer_endpoint, "NAME [--json]",
     "print the data endpoint a customer's devices connect to"},
    {NULL, NULL, NULL, NULL},
};

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
    const ir_cli_command *c;

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
    for (c = commands; c->words != NULL; c++)
        fprintf(out, "  %-40s %s\n", c->words, c->summary);
}

/* Number of leading argv words that spell c->words, or 0. */
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
    const ir_cli_command *c;
    const ir_cli_command *best = NULL;
    int n, best_n = 0;

    for (c = commands; c->words != NULL; c++) {
        n = match_words(c->words, argc, argv);
        if (n > best_n) {
            best = c;
            best_n = n;
        }
    }
    *consumed = best_n;
    return best;
}

int main(int argc, char **argv)
{
    ir_cli cli = {.prog = "iotregctl"};
    bool help = false;
    const ir_cli_opt opts[] = {{"-h", NULL, &help}, {"--help", NULL, &help}, {NULL, NULL, NULL}};
    const ir_cli_spec spec = {NULL, NULL, IR_CLI_JSON | IR_CLI_LEADING, opts};
    const ir_cli_command *cmd;
    ir_cli_args a;
    int i, rc, consumed;

    ir_log_set_prefix("iotregctl");
    ir_ks_softhsm_env_allow(); /* our own process: SOFTHSM2_CONF from <softhsm-dir> */
    /* PINs typed at the terminal, AWS secrets on their way into the token and
     * session tokens pass through this process: no core dumps of it. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        fprintf(stderr, "iotregctl: warning: cannot keep secrets out of core dumps: %s\n",
                strerror(errno));
    if (!ir_cli_parse(&cli, argc, argv, &spec, &a, &rc))
        return rc;
    if (help) {
        usage(stdout);
        return IR_CLI_OK;
    }
    i = a.rest;
    if (i >= argc) {
        usage(stderr);
        return IR_CLI_USAGE;
    }
    cmd = find_command(argc - i, argv + i, &consumed);
    if (cmd == NULL) {
        ir_cli_error(&a.cli, "unknown command '%s' (try iotregctl --help)", argv[i]);
        return IR_CLI_USAGE;
    }
    /* The command sees its last word as argv[0]; --json may also follow it. */
    return cmd->fn(&a.cli, argc - i - consumed + 1, argv + i + consumed - 1);
}
