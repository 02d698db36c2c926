/* iotregctl ca commands: registering SubCAs in the CSP's AWS accounts. */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "app/runtime.h"
#include "app/subca_register.h"
#include "cli/cli.h"
#include "cli/cli_keystore_login.h"
#include "config/config.h"
#include "creds/accounts.h"
#include "keystore/keystore.h"
#include "keystore/subca.h"

/* --- ca register ------------------------------------------------------------- */

static const char register_help[] =
    "usage: iotregctl ca register NAME [--region R] [--account CSPNAME]\n\n"
    "Registers the SubCA NAME (its certificate in the token) in the CSP's own AWS\n"
    "account: GetRegistrationCode, a verification certificate (CN = the code, a\n"
    "fresh key, signed by the SubCA inside the token), RegisterCACertificate in\n"
    "DEFAULT mode, active, with auto-registration off. The registration token\n"
    "(the verification certificate and a JSON record of the code, caCertificateId,\n"
    "ARN, account, region and time) is stored in the token\n"
    "(iotreg:object=NAME;type=token). Running it again finds the registration\n"
    "(recorded, listed in the account, or AWS's ResourceAlreadyExistsException)\n"
    "and registers nothing twice.\n\n"
    "  --account CSPNAME  the <csp-account> to use (default: the SubCA's <csp-account>\n"
    "                     in the configuration)\n"
    "  --region R         the region (default: the account's <region>)\n";

typedef struct register_args {
    const char *name, *account, *region;
} register_args;

static ir_rc find_account(const ir_config *cfg, const register_args *a, const ir_csp_account **out,
                          ir_err *err)
{
    const ir_subca_conf *sub = ir_config_subca(cfg, a->name);
    const char *name = a->account != NULL ? a->account : sub != NULL ? sub->csp_account : NULL;

    if (name == NULL)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "SubCA '%s' has no <csp-account> in %s: add it there or give "
                          "--account CSPNAME",
                          a->name, cfg->path);
    *out = ir_config_csp_account(cfg, name);
    if (*out == NULL)
        return ir_err_set(err, IR_ERR_CONFIG, "no <csp-account name=\"%s\"> in %s", name,
                          cfg->path);
    return IR_OK;
}

static void print_registration(const ir_subca_registration *r, ir_subca_reg_outcome how,
                               const char *name)
{
    static const char *const said[] = {
        [IR_SUBCA_REG_REGISTERED] = "registered",
        [IR_SUBCA_REG_RECORDED] = "already registered (nothing changed)",
        [IR_SUBCA_REG_FOUND] = "already registered in AWS; the keystore record is filled in",
    };

    printf("SubCA '%s' %s: account %s (%s), region %s\n", name, said[how], r->account,
           r->account_id, r->region);
    printf("  caCertificateId %s, status %s\n  %s\n", r->ca_certificate_id, r->status,
           r->ca_certificate_arn);
}

static ir_rc run_register(ir_runtime *rt, const register_args *a, ir_err *err)
{
    const ir_csp_account *acct = NULL;
    ir_iot_target target;
    ir_cli_keystore s = {0};
    OSSL_LIB_CTX *libctx = NULL;
    ir_subca_registration reg;
    ir_subca_reg_outcome how = IR_SUBCA_REG_REGISTERED;
    ir_rc rc = find_account(rt->cfg, a, &acct, err);

    if (rc == IR_OK)
        rc = ir_accounts_csp_target(rt->accounts, acct, a->region, &target, err);
    if (rc == IR_OK)
        rc = ir_cli_keystore_login_cfg(rt->cfg, &s, err);
    if (rc == IR_OK)
        rc = ir_ks_ossl_libctx(rt->cfg->path, &libctx, err);
    if (rc == IR_OK) {
        ir_subca_reg_request req = {a->name,
                                    acct->name,
                                    acct->account_id,
                                    rt->aws,
                                    &target,
                                    libctx,
                                    s.pin != NULL && s.pin[0] != '\0' ? s.pin : NULL};
        rc = ir_subca_register(s.ks, &req, &reg, &how, err);
    }
    if (rc == IR_OK)
        print_registration(&reg, how, a->name);
    OSSL_LIB_CTX_free(libctx);
    ir_cli_keystore_logout(&s);
    return rc;
}

static int ca_register(const ir_cli_args *a)
{
    register_args r = {a->pos[0], ir_cli_value(a, "--account"), ir_cli_value(a, "--region")};
    ir_runtime rt;
    ir_err err = {0};
    ir_rc rc = ir_ks_check_name(r.name, &err);

    if (rc == IR_OK)
        rc = ir_runtime_open(a->cli.config_path, IR_RT_AWS, &rt, &err);
    if (rc != IR_OK)
        return ir_cli_failed(a, &err);
    rc = run_register(&rt, &r, &err);
    ir_runtime_close(&rt);
    return rc == IR_OK ? IR_CLI_OK : ir_cli_failed(a, &err);
}

static const ir_cli_opt register_opts[] = {
    {"--account", false}, {"--region", false}, {NULL, false}};

const ir_cli_command ir_cli_ca_register = {"ca register",
                                           "register a SubCA in the CSP's AWS account (once)",
                                           register_help,
                                           "NAME",
                                           0,
                                           register_opts,
                                           ca_register};

/* --- ca list ----------------------------------------------------------------- */

static const char ca_list_help[] =
    "usage: iotregctl [--json] ca list [--json]\n\n"
    "Lists every SubCA in the token and where it is registered in AWS, from the\n"
    "registration records in the token: account, region, caCertificateId, status\n"
    "when registered, and the time of registration.\n";

static json_t *registrations_json(const ir_subca_registration *r, size_t n)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "account",
                                             r[i].account, "accountId", r[i].account_id, "region",
                                             r[i].region, "caCertificateId", r[i].ca_certificate_id,
                                             "caCertificateArn", r[i].ca_certificate_arn, "status",
                                             r[i].status, "registeredAt", r[i].registered_at));
    return arr;
}

static void print_ca_text(const ir_ks_subca_info *sub, const ir_subca_registration *r, size_t n)
{
    size_t i;

    if (n == 0)
        printf("%-24s not registered\n", sub->name);
    for (i = 0; i < n; i++)
        printf("%-24s %-14s %-12s %-14s %-8s %s %s\n", sub->name, r[i].account, r[i].account_id,
               r[i].region, r[i].status, r[i].registered_at, r[i].ca_certificate_id);
}

static ir_rc list_cas(ir_cli_keystore *s, bool json, ir_err *err)
{
    ir_ks_subca_info *v = NULL;
    ir_subca_registration *r = NULL;
    json_t *out = json_array();
    size_t n = 0, nr, i;
    ir_rc rc = ir_ks_subca_list(s->ks, &v, &n, err);

    for (i = 0; rc == IR_OK && i < n; i++) {
        rc = ir_subca_registrations(s->ks, v[i].name, &r, &nr, err);
        if (rc == IR_OK && json)
            json_array_append_new(out, json_pack("{s:s, s:o}", "subca", v[i].name, "registrations",
                                                 registrations_json(r, nr)));
        else if (rc == IR_OK)
            print_ca_text(&v[i], r, nr);
        free(r);
    }
    if (rc == IR_OK && json)
        ir_cli_print_json(out);
    else
        json_decref(out);
    free(v);
    return rc;
}

static int ca_list(const ir_cli_args *a)
{
    ir_cli_keystore s = {0};
    ir_err err = {0};
    ir_rc rc = ir_cli_keystore_login(&a->cli, &s, &err);

    if (rc == IR_OK)
        rc = list_cas(&s, a->cli.json, &err);
    ir_cli_keystore_logout(&s);
    return rc == IR_OK ? IR_CLI_OK : ir_cli_failed(a, &err);
}

const ir_cli_command ir_cli_ca_list = {
    "ca list", "list the SubCAs and where they are registered", ca_list_help, "", IR_CLI_JSON, NULL,
    ca_list};
