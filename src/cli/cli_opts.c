/* The one option parser of iotregctl: the global options before the
 * command, and each command's own after it. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* The global options, accepted after the command words too (--json where
 * the command takes it). */
static const ir_cli_opt global_opts[] = {{"-c", false}, {"--json", true}, {NULL, false}};
#define OPT_CONFIG (&global_opts[0])
#define OPT_JSON   (&global_opts[1])

static bool is_help(const char *a)
{
    return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

static bool is_option(const char *a)
{
    return a[0] == '-' && a[1] != '\0';
}

/* --help anywhere among a command's arguments wins over everything else. */
static bool wants_help(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (is_help(argv[i]))
            return true;
    return false;
}

/* The option of opts named like a (up to '=' for --name=value); NULL if none. */
static const ir_cli_opt *find_opt(const ir_cli_opt *opts, const char *a, size_t len)
{
    const ir_cli_opt *o;

    for (o = opts; o != NULL && o->name != NULL; o++)
        if (strlen(o->name) == len && strncmp(o->name, a, len) == 0)
            return o;
    return NULL;
}

/* "CMD: BEFORE ARG AFTER (try iotregctl CMD --help)"; IR_CLI_USAGE. */
static int refuse(const ir_cli_args *a, const char *before, const char *arg, const char *after)
{
    const char *words = a->cmd->words;

    ir_cli_error(&a->cli, "%s%s%s%s%s (try iotregctl %s%s--help)", words ? words : "",
                 words ? ": " : "", before, arg, after, words ? words : "", words ? " " : "");
    return IR_CLI_USAGE;
}

/* One option at argv[*i]; its value, if any, from "=value" or the next word. */
static int one_option(int argc, char **argv, int *i, ir_cli_args *a)
{
    const char *arg = argv[*i], *eq = strchr(arg, '=');
    size_t len = eq != NULL && arg[1] == '-' ? (size_t)(eq - arg) : strlen(arg);
    const char *value = len < strlen(arg) ? arg + len + 1 : NULL;
    const ir_cli_opt *o = find_opt(a->cmd->opts, arg, len);

    if (o == NULL)
        o = find_opt(global_opts, arg, len);
    if (o == NULL || (o == OPT_JSON && !(a->cmd->takes & IR_CLI_JSON)))
        return refuse(a, "unknown option ", arg, "");
    if (o->flag && value != NULL)
        return refuse(a, "", arg, " takes no value");
    if (!o->flag && value == NULL && *i + 1 >= argc)
        return refuse(a, "", arg, " needs a value");
    if (!o->flag && value == NULL)
        value = argv[++*i];
    if (o == OPT_CONFIG)
        a->cli.config_path = value;
    else if (o == OPT_JSON)
        a->cli.json = true;
    else
        a->values[o - a->cmd->opts] = o->flag ? "" : value;
    return IR_CLI_OK;
}

/* The positional arguments against the command's ("CERTID CUSTOMER",
 * "[PATH...]"): how many, and every CERTID a certificate id. */
static int check_args(ir_cli_args *a)
{
    char words[128];
    char *save = NULL, *w;
    int i = 0, min = 0, max = 0;

    snprintf(words, sizeof(words), "%s", a->cmd->args);
    for (w = strtok_r(words, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save), i++) {
        max = strstr(w, "...") != NULL ? IR_CLI_MAX_ARGS : max + 1;
        min += w[0] != '[';
        if (strstr(w, "CERTID") != NULL && i < a->npos &&
            ir_cli_check_cert_id(&a->cli, a->pos[i]) != IR_CLI_OK)
            return IR_CLI_USAGE;
    }
    if (a->npos >= min && a->npos <= max)
        return IR_CLI_OK;
    snprintf(words, sizeof(words), "give %s", a->cmd->args);
    return ir_cli_usage_error(a, max == 0 ? "takes no arguments" : words);
}

bool ir_cli_parse(const ir_cli *cli, int argc, char **argv, const ir_cli_command *cmd,
                  ir_cli_args *a, int *rc)
{
    bool options = true;
    int i;

    memset(a, 0, sizeof(*a));
    a->cli = *cli;
    a->cmd = cmd;
    *rc = IR_CLI_OK;
    for (i = 0; cmd->opts != NULL && cmd->opts[i].name != NULL; i++)
        if (i >= IR_CLI_MAX_OPTS)
            abort(); /* more options than IR_CLI_MAX_OPTS: a bug */
    if (cmd->help != NULL && wants_help(argc, argv)) {
        fputs(cmd->help, stdout);
        return false;
    }
    for (i = 1; i < argc; i++) {
        if (options && strcmp(argv[i], "--") == 0) {
            options = false;
        } else if (options && is_option(argv[i])) {
            if ((*rc = one_option(argc, argv, &i, a)) != IR_CLI_OK)
                return false;
        } else if (cmd->takes & IR_CLI_LEADING) {
            break;
        } else if (a->npos < IR_CLI_MAX_ARGS) {
            a->pos[a->npos++] = argv[i];
        } else {
            ir_cli_error(cli, "too many arguments (at most %d; give a directory instead)",
                         IR_CLI_MAX_ARGS);
            *rc = IR_CLI_USAGE;
            return false;
        }
    }
    a->rest = i;
    if (cmd->args != NULL && (*rc = check_args(a)) != IR_CLI_OK)
        return false;
    return true;
}

const char *ir_cli_value(const ir_cli_args *a, const char *name)
{
    const ir_cli_opt *o = find_opt(a->cmd->opts, name, strlen(name));

    if (o == NULL) {
        /* A command asks for an option it does not declare: a bug. */
        fprintf(stderr, "iotregctl: %s has no option %s\n", a->cmd->words, name);
        abort();
    }
    return a->values[o - a->cmd->opts];
}
