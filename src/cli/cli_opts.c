/* The one option parser of iotregctl: the global options before the
 * command, and each command's own after it. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

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
static int refuse(const ir_cli *cli, const ir_cli_spec *spec, const char *before, const char *arg,
                  const char *after)
{
    const char *cmd = spec->cmd != NULL ? spec->cmd : "";
    const char *sep = spec->cmd != NULL ? " " : "";

    ir_cli_error(cli, "%s%s%s%s%s (try iotregctl %s%s--help)", cmd, spec->cmd ? ": " : "", before,
                 arg, after, cmd, sep);
    return IR_CLI_USAGE;
}

/* One option at argv[*i]; its value, if any, from "=value" or the next word. */
static int one_option(const ir_cli_spec *spec, int argc, char **argv, int *i, ir_cli_args *a)
{
    /* The global options, accepted after the command too (--json where it
     * means something). */
    static const ir_cli_opt global[] = {{"-c", NULL, NULL}, {"--json", NULL, NULL}, {NULL}};
    const char *arg = argv[*i], *eq = strchr(arg, '=');
    size_t len = eq != NULL && arg[1] == '-' ? (size_t)(eq - arg) : strlen(arg);
    const char *value = len < strlen(arg) ? arg + len + 1 : NULL;
    const ir_cli_opt *o = find_opt(spec->opts, arg, len);

    if (o == NULL)
        o = find_opt(global, arg, len);
    if (o == &global[1] && !(spec->takes & IR_CLI_JSON))
        o = NULL;
    if (o == NULL)
        return refuse(&a->cli, spec, "unknown option ", arg, "");
    if (o == &global[1] || o->flag != NULL) {
        if (value != NULL)
            return refuse(&a->cli, spec, "", arg, " takes no value");
        if (o == &global[1])
            a->cli.json = true;
        else
            *o->flag = true;
        return IR_CLI_OK;
    }
    if (value == NULL && *i + 1 >= argc)
        return refuse(&a->cli, spec, "", arg, " needs a value");
    if (value == NULL)
        value = argv[++*i];
    if (o == &global[0])
        a->cli.config_path = value;
    else
        *o->value = value;
    return IR_CLI_OK;
}

bool ir_cli_parse(const ir_cli *cli, int argc, char **argv, const ir_cli_spec *spec, ir_cli_args *a,
                  int *rc)
{
    bool options = true;
    int i;

    memset(a, 0, sizeof(*a));
    a->cli = *cli;
    *rc = IR_CLI_OK;
    if (spec->help != NULL && wants_help(argc, argv)) {
        fputs(spec->help, stdout);
        return false;
    }
    for (i = 1; i < argc; i++) {
        if (options && strcmp(argv[i], "--") == 0) {
            options = false;
        } else if (options && is_option(argv[i])) {
            *rc = one_option(spec, argc, argv, &i, a);
            if (*rc != IR_CLI_OK)
                return false;
        } else if (spec->takes & IR_CLI_LEADING) {
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
    return true;
}
