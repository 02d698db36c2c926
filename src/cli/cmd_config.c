/* iotregctl config commands: check a configuration file, and show which
 * customer a certificate would be attributed to. */
#include "autoconf.h"

#include <jansson.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/attribution.h"
#include "capture/thing_name.h"
#include "cli/cli.h"
#include "config/config.h"
#include "config/load.h"
#include "core/buf.h"
#include "core/util.h"

#define CERT_FILE_MAX (64u << 10)

/* --- config check ----------------------------------------------------------- */

typedef struct check_out {
    bool json;
    json_t *errors; /* with --json */
    size_t count;
} check_out;

static void print_problem(void *ctx, const char *file, long line, const char *msg)
{
    check_out *o = ctx;

    o->count++;
    if (o->json)
        json_array_append_new(o->errors, json_pack("{s:s, s:I, s:s}", "file", file, "line",
                                                   (json_int_t)line, "message", msg));
    else if (line > 0)
        printf("%s:%ld: %s\n", file, line, msg);
    else
        printf("%s: %s\n", file, msg);
}

static void print_json(const char *path, const ir_config *cfg, check_out *o)
{
    json_t *doc = json_pack("{s:s, s:b, s:o}", "file", path, "ok", o->count == 0, "errors",
                            json_incref(o->errors));

    if (cfg != NULL && o->count == 0)
        json_object_update_new(
            doc, json_pack("{s:I, s:I, s:I, s:I}", "csp_accounts", (json_int_t)cfg->n_csp_accounts,
                           "subcas", (json_int_t)cfg->n_subcas, "customers",
                           (json_int_t)cfg->n_customers, "rules", (json_int_t)cfg->n_rules));
    ir_cli_print_json(doc);
}

static const char check_usage[] =
    "usage: iotregctl [-c FILE] config check [--json]\n\n"
    "Validates the configuration against its XSD and iotreg's own rules, and\n"
    "checks the files it names (PIN files, secret files, SubCA certificates,\n"
    "policy documents). Prints a summary, or each problem as FILE:LINE: message.\n"
    "Exit status 0 when the file is usable, 1 when it is not.\n";

static int config_check(const ir_cli_args *a)
{
    const char *path = ir_config_resolve_path(a->cli.config_path);
    check_out o = {.json = a->cli.json};
    ir_config *cfg = NULL;

    o.errors = json_array();
    if (ir_config_load_diag(path, &cfg, print_problem, &o, NULL) == IR_OK)
        ir_config_check_files(cfg, IR_CONFIG_NEED_RUNTIME, print_problem, &o, NULL);
    if (o.json)
        print_json(path, cfg, &o);
    else if (o.count == 0)
        printf("ok: %s: %zu CSP accounts, %zu SubCAs, %zu customers, %zu rules\n", path,
               cfg->n_csp_accounts, cfg->n_subcas, cfg->n_customers, cfg->n_rules);
    json_decref(o.errors);
    ir_config_free(cfg);
    return o.count == 0 ? IR_CLI_OK : IR_CLI_FAILED;
}

const ir_cli_command ir_cli_config_check = {
    "config check", "validate the configuration file and the files it names",
    check_usage,    "",
    IR_CLI_JSON,    NULL,
    config_check};

/* --- config attribute -------------------------------------------------------- */

/* A certificate file in PEM or DER. */
static X509 *read_cert(const char *path, ir_err *err)
{
    ir_buf raw;
    const unsigned char *p;
    BIO *bio = NULL;
    X509 *cert = NULL;

    ir_buf_init(&raw, CERT_FILE_MAX);
    if (ir_read_file(path, &raw, err) != IR_OK)
        goto out;
    p = raw.data;
    cert = d2i_X509(NULL, &p, (long)raw.len);
    if (cert == NULL && (bio = BIO_new_mem_buf(raw.data, (int)raw.len)) != NULL)
        cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    if (cert == NULL)
        ir_err_set(err, IR_ERR_PARSE, "%s holds no certificate (PEM or DER)", path);
out:
    BIO_free(bio);
    ir_buf_free(&raw);
    return cert;
}

typedef struct verdict {
    ir_attribution a;
    char thing[IR_THING_NAME_MAX + 1];
    char thing_error[IR_ERR_MSG_MAX];
} verdict;

static void name_thing(X509 *cert, verdict *v)
{
    ir_err err = {0};
    const ir_customer_conf *c = v->a.customer;

    if (c == NULL || c->thing_name_template == NULL)
        return;
    if (ir_template_expand(c->thing_name_template, cert, NULL, 0, c->id, v->thing, &err) != IR_OK)
        snprintf(v->thing_error, sizeof(v->thing_error), "%s", err.msg);
}

static void print_verdict(bool json, const verdict *v)
{
    if (!json) {
        printf("customer: %s\nsubca: %s\nreason: %s\n",
               v->a.customer ? v->a.customer->id : "(unattributed)",
               v->a.subca ? v->a.subca->name : "(unknown)", v->a.reason);
        if (v->thing[0] != '\0' || v->thing_error[0] != '\0')
            printf("thing: %s\n", v->thing[0] ? v->thing : v->thing_error);
        return;
    }
    ir_cli_print_json(json_pack(
        "{s:s?, s:s?, s:s, s:s?, s:s?}", "customer", v->a.customer ? v->a.customer->id : NULL,
        "subca", v->a.subca ? v->a.subca->name : NULL, "reason", v->a.reason, "thing",
        v->thing[0] ? v->thing : NULL, "thing_error", v->thing_error[0] ? v->thing_error : NULL));
}

static const char attribute_usage[] =
    "usage: iotregctl config attribute CERT [--end-entity NAME] [--profile NAME]\n"
    "                                 [--subca NAME] [--json]\n\n"
    "Shows which customer the attribution rules give the certificate CERT (PEM\n"
    "or DER) to, with the metadata a CA would pass, and the thing name it would\n"
    "get. Exit status 0 when exactly one customer matches, 1 otherwise.\n";

static int config_attribute(const ir_cli_args *a)
{
    ir_cert_meta meta = {.end_entity = ir_cli_value(a, "--end-entity"),
                         .profile = ir_cli_value(a, "--profile"),
                         .subca = ir_cli_value(a, "--subca")};
    ir_config *cfg = NULL;
    X509 *cert = NULL;
    verdict v = {0};
    ir_err err = {0};
    int rc;

    if (ir_config_load(a->cli.config_path, &cfg, &err) != IR_OK ||
        (cert = read_cert(a->pos[0], &err)) == NULL ||
        ir_attribute_x509(cfg, cert, &meta, &v.a, &err) != IR_OK) {
        ir_cli_error(&a->cli, "%s", err.msg);
        rc = IR_CLI_FAILED;
    } else {
        name_thing(cert, &v);
        print_verdict(a->cli.json, &v);
        rc = v.a.customer != NULL ? IR_CLI_OK : IR_CLI_FAILED;
    }
    X509_free(cert);
    ir_config_free(cfg);
    return rc;
}

static const ir_cli_opt attribute_opts[] = {
    {"--end-entity", false}, {"--profile", false}, {"--subca", false}, {NULL, false}};

const ir_cli_command ir_cli_config_attribute = {
    "config attribute", "show which customer a certificate is attributed to",
    attribute_usage,    "CERT",
    IR_CLI_JSON,        attribute_opts,
    config_attribute};
