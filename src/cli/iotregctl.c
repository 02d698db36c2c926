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

static const ir_cli_command *const tables[] = {
    ir_cli_keystore_commands, ir_cli_subca_commands,   ir_cli_ca_commands,
    ir_cli_config_commands,   ir_cli_journal_commands, ir_cli_delivery_commands,
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
    size_t t;
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
    for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (c = tables[t]; c->words != NULL; c++)
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
    size_t t;
    const ir_cli_command *c;
    const ir_cli_command *best = NULL;
    int n, best_n = 0;

    for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (c = tables[t]; c->words != NULL; c++) {
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
    const ir_cli_command *cmd;
    int i = 1, consumed;

    ir_log_set_prefix("iotregctl");
    ir_ks_softhsm_env_allow(); /* our own process: SOFTHSM2_CONF from <softhsm-dir> */
    /* PINs typed at the terminal, AWS secrets on their way into the token and
     * session tokens pass through this process: no core dumps of it. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        fprintf(stderr, "iotregctl: warning: cannot keep secrets out of core dumps: %s\n",
                strerror(errno));
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            cli.config_path = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            cli.json = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return IR_CLI_OK;
        } else {
            ir_cli_error(&cli, "unknown option %s (try iotregctl --help)", argv[i]);
            return IR_CLI_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return IR_CLI_USAGE;
    }
    cmd = find_command(argc - i, argv + i, &consumed);
    if (cmd == NULL) {
        ir_cli_error(&cli, "unknown command '%s' (try iotregctl --help)", argv[i]);
        return IR_CLI_USAGE;
    }
    /* The command sees its last word as argv[0]; --json may also follow it. */
    return cmd->fn(&cli, argc - i - consumed + 1, argv + i + consumed - 1);
}
