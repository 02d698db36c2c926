/* iotregctl ca commands: registering SubCAs in the CSP's AWS accounts. */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    "usage: iotregctl ca register NAME [--region R | --all-regions] [--account CSPNAME]\n"
    "                                  [--sni-only]\n\n"
    "Registers the SubCA NAME (its certificate in the token) in the CSP's own AWS\n"
    "accounts: GetRegistrationCode, a verification certificate (CN = the code, a\n"
    "fresh key, signed by the SubCA inside the token), RegisterCACertificate in\n"
    "DEFAULT mode, active, with auto-registration off. The registration code is\n"
    "per account and region, so each registration has its own verification\n"
    "certificate. The registration token (the verification certificate and a JSON\n"
    "record of the code, caCertificateId, ARN, account, region and time) is\n"
    "stored in the token (iotreg:object=NAME;type=token). Running it again finds\n"
    "the registration (recorded, listed in the account, or AWS's\n"
    "ResourceAlreadyExistsException) and registers nothing twice.\n\n"
    "Where: each of the SubCA's <csp-account>s (or only --account), in\n"
    "  (default)          the account's first <region>\n"
    "  --region R         region R, in each of those accounts that lists it (with\n"
    "                     --account: that account, listed or not)\n"
    "  --all-regions      every <region> each account lists\n"
    "  --account CSPNAME  only this <csp-account> (default: the SubCA's)\n"
    "  --sni-only         certificateMode SNI_ONLY: no registration code or\n"
    "                     verification certificate; a DEFAULT-mode CA belongs to one\n"
    "                     account per region, so this is how a region is sharded over\n"
    "                     more CSP accounts. The devices of certificates registered\n"
    "                     through it must send SNI (AWS's SDKs do)\n"
    "Exit status 0 when every registration succeeded, 1 otherwise (each failure is\n"
    "said, and the others are still made).\n";

#define REG_TARGETS_MAX 256

typedef struct register_args {
    const char *name, *account, *region;
    bool all_regions;
    bool sni_only;
} register_args;

typedef struct reg_target {
    const ir_csp_account *acct;
    const char *region;
} reg_target;

/* The accounts to register in: --account, else the SubCA's. */
static ir_rc plan_accounts(const ir_config *cfg, const register_args *a, const ir_csp_account **out,
                           size_t *n, ir_err *err)
{
    const ir_subca_conf *sub = ir_config_subca(cfg, a->name);
    size_t i;

    *n = 0;
    if (a->account != NULL) {
        out[0] = ir_config_csp_account(cfg, a->account);
        *n = out[0] != NULL;
        return *n ? IR_OK
                  : ir_err_set(err, IR_ERR_CONFIG, "no <csp-account name=\"%s\"> in %s", a->account,
                               cfg->path);
    }
    if (sub == NULL || sub->n_csp_accounts == 0)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "SubCA '%s' has no <csp-account> in %s: add it there or give "
                          "--account CSPNAME",
                          a->name, cfg->path);
    for (i = 0; i < sub->n_csp_accounts && i < REG_TARGETS_MAX; i++) {
        out[*n] = ir_config_csp_account(cfg, sub->csp_accounts[i]);
        *n += out[*n] != NULL;
    }
    return IR_OK;
}

/* The (account, region) pairs the options name. */
static ir_rc plan(const ir_config *cfg, const register_args *a, reg_target *out, size_t *n,
                  ir_err *err)
{
    const ir_csp_account *accts[REG_TARGETS_MAX];
    size_t n_accts = 0, i, r;
    ir_rc rc = plan_accounts(cfg, a, accts, &n_accts, err);

    *n = 0;
    for (i = 0; rc == IR_OK && i < n_accts; i++) {
        if (a->all_regions) {
            for (r = 0; r < accts[i]->n_regions && *n < REG_TARGETS_MAX; r++)
                out[(*n)++] = (reg_target){accts[i], accts[i]->regions[r]};
        } else if (a->region == NULL) {
            out[(*n)++] = (reg_target){accts[i], accts[i]->region};
        } else if (a->account != NULL || ir_csp_account_serves(accts[i], a->region)) {
            out[(*n)++] = (reg_target){accts[i], a->region};
        }
    }
    if (rc == IR_OK && *n == 0)
        rc = ir_err_set(err, IR_ERR_CONFIG,
                        "no CSP account of SubCA '%s' lists region %s in %s: add "
                        "<region>%s</region> to the <csp-account> that is to serve it, or "
                        "give --account CSPNAME",
                        a->name, a->region != NULL ? a->region : "(none)", cfg->path,
                        a->region != NULL ? a->region : "");
    return rc;
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
    printf("  caCertificateId %s, status %s, mode %s\n  %s\n", r->ca_certificate_id, r->status,
           r->mode, r->ca_certificate_arn);
}

static ir_rc register_one(ir_runtime *rt, ir_cli_keystore *s, OSSL_LIB_CTX *libctx,
                          const register_args *a, const reg_target *t, ir_err *err)
{
    ir_iot_target target;
    ir_subca_registration reg;
    ir_subca_reg_outcome how = IR_SUBCA_REG_REGISTERED;
    ir_rc rc = ir_accounts_csp_target(rt->accounts, t->acct, t->region, &target, err);

    if (rc == IR_OK) {
        ir_subca_reg_request req = {a->name,
                                    t->acct->name,
                                    t->acct->account_id,
                                    rt->aws,
                                    &target,
                                    libctx,
                                    s->pin != NULL && s->pin[0] != '\0' ? s->pin : NULL,
                                    a->sni_only};
        rc = ir_subca_register(s->ks, &req, &reg, &how, err);
    }
    if (rc == IR_OK)
        print_registration(&reg, how, a->name);
    return rc;
}

static ir_rc run_register(ir_runtime *rt, const register_args *a, ir_err *err)
{
    reg_target targets[REG_TARGETS_MAX];
    ir_cli_keystore s = {0};
    OSSL_LIB_CTX *libctx = NULL;
    ir_err one = {0};
    size_t n = 0, i, failed = 0;
    ir_rc rc = plan(rt->cfg, a, targets, &n, err);

    if (rc == IR_OK)
        rc = ir_cli_keystore_login_cfg(rt->cfg, &s, err);
    if (rc == IR_OK)
        rc = ir_ks_ossl_libctx(rt->cfg->path, &libctx, err);
    for (i = 0; rc == IR_OK && i < n; i++) {
        if (register_one(rt, &s, libctx, a, &targets[i], &one) == IR_OK)
            continue;
        failed++;
        *err = one;
        if (n > 1)
            fprintf(stderr, "iotregctl: ca register: account %s, region %s: %s\n",
                    targets[i].acct->name, targets[i].region, one.msg);
    }
    if (rc == IR_OK && failed > 0)
        rc = n > 1 ? ir_err_set(err, one.rc, "%zu of %zu registrations failed (said above)", failed,
                                n)
                   : err->rc;
    OSSL_LIB_CTX_free(libctx);
    ir_cli_keystore_logout(&s);
    return rc;
}

static int ca_register(const ir_cli_args *a)
{
    register_args r = {a->pos[0], ir_cli_value(a, "--account"), ir_cli_value(a, "--region"),
                       ir_cli_value(a, "--all-regions") != NULL,
                       ir_cli_value(a, "--sni-only") != NULL};
    ir_runtime rt;
    ir_err err = {0};
    ir_rc rc;

    if (r.all_regions && r.region != NULL)
        return ir_cli_usage_error(a, "--region and --all-regions exclude each other");
    rc = ir_ks_check_name(r.name, &err);
    if (rc == IR_OK)
        rc = ir_runtime_open(a->cli.config_path, IR_RT_AWS, &rt, &err);
    if (rc != IR_OK)
        return ir_cli_failed(a, &err);
    rc = run_register(&rt, &r, &err);
    ir_runtime_close(&rt);
    return rc == IR_OK ? IR_CLI_OK : ir_cli_failed(a, &err);
}

static const ir_cli_opt register_opts[] = {{"--account", false},
                                           {"--region", false},
                                           {"--all-regions", true},
                                           {"--sni-only", true},
                                           {NULL, false}};

const ir_cli_command ir_cli_ca_register = {"ca register",
                                           "register a SubCA in the CSP's AWS accounts and regions",
                                           register_help,
                                           "NAME",
                                           0,
                                           register_opts,
                                           ca_register};

/* --- ca list ----------------------------------------------------------------- */

static const char ca_list_help[] =
    "usage: iotregctl [--json] ca list [--json]\n\n"
    "Lists every SubCA in the token and where it is registered in AWS: for each\n"
    "SubCA of the configuration, every account and region its <csp-account>s\n"
    "serve, with the status of its registration there (\"not registered\" where\n"
    "`iotregctl ca register NAME --region R` is still to be run), then any other\n"
    "registration the token records (\"not configured\"). Columns: SubCA,\n"
    "account, account id, region, status, time of registration, caCertificateId.\n"
    "With --json, per SubCA: \"registrations\" (the token's records) and \"matrix\"\n"
    "(the configured account and region pairs, each with its status).\n";

/* The record of subca's registration in (account id, region), or NULL. */
static const ir_subca_registration *find_record(const ir_subca_registration *r, size_t n,
                                                const char *account_id, const char *region)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(r[i].account_id, account_id) == 0 && strcmp(r[i].region, region) == 0)
            return &r[i];
    return NULL;
}

/* Calls fn for every (account, region) the configuration has sub served in. */
typedef void (*cell_fn)(void *ctx, const ir_csp_account *acct, const char *region,
                        const ir_subca_registration *rec);

static void each_cell(const ir_config *cfg, const char *name, const ir_subca_registration *r,
                      size_t n, cell_fn fn, void *ctx)
{
    const ir_subca_conf *sub = ir_config_subca(cfg, name);
    const ir_csp_account *acct;
    size_t i, k;

    for (i = 0; sub != NULL && i < sub->n_csp_accounts; i++) {
        acct = ir_config_csp_account(cfg, sub->csp_accounts[i]);
        for (k = 0; acct != NULL && k < acct->n_regions; k++)
            fn(ctx, acct, acct->regions[k], find_record(r, n, acct->account_id, acct->regions[k]));
    }
}

static json_t *registration_json(const ir_subca_registration *r)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "account", r->account, "accountId",
                     r->account_id, "region", r->region, "caCertificateId", r->ca_certificate_id,
                     "caCertificateArn", r->ca_certificate_arn, "status", r->status, "registeredAt",
                     r->registered_at);
}

static void cell_json(void *ctx, const ir_csp_account *acct, const char *region,
                      const ir_subca_registration *rec)
{
    json_array_append_new(ctx,
                          json_pack("{s:s, s:s, s:s, s:s, s:s*}", "account", acct->name,
                                    "accountId", acct->account_id, "region", region, "status",
                                    rec != NULL ? rec->status : "not registered", "caCertificateId",
                                    rec != NULL ? rec->ca_certificate_id : NULL));
}

static json_t *subca_json(const ir_config *cfg, const char *name, const ir_subca_registration *r,
                          size_t n)
{
    json_t *regs = json_array(), *matrix = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(regs, registration_json(&r[i]));
    each_cell(cfg, name, r, n, cell_json, matrix);
    return json_pack("{s:s, s:o, s:o}", "subca", name, "registrations", regs, "matrix", matrix);
}

typedef struct text_row {
    const char *subca;
    size_t shown;
    const ir_subca_registration *records; /* the token's, in_matrix[i] for records[i] */
    bool *in_matrix;
} text_row;

static void cell_text(void *ctx, const ir_csp_account *acct, const char *region,
                      const ir_subca_registration *rec)
{
    text_row *t = ctx;

    t->shown++;
    if (rec != NULL && t->in_matrix != NULL)
        t->in_matrix[rec - t->records] = true;
    if (rec == NULL)
        printf("%-24s %-14s %-12s %-14s not registered\n", t->subca, acct->name, acct->account_id,
               region);
    else
        printf("%-24s %-14s %-12s %-14s %-8s %s %s\n", t->subca, rec->account, rec->account_id,
               rec->region, rec->status, rec->registered_at, rec->ca_certificate_id);
}

static void print_ca_text(const ir_config *cfg, const char *name, const ir_subca_registration *r,
                          size_t n)
{
    text_row t = {name, 0, r, n > 0 ? calloc(n, sizeof(bool)) : NULL};
    size_t i;

    each_cell(cfg, name, r, n, cell_text, &t);
    /* The records no configured cell showed (unless out of memory: none). */
    for (i = 0; t.in_matrix != NULL && i < n; i++) {
        if (t.in_matrix[i])
            continue;
        printf("%-24s %-14s %-12s %-14s %-8s %s %s (not configured)\n", name, r[i].account,
               r[i].account_id, r[i].region, r[i].status, r[i].registered_at,
               r[i].ca_certificate_id);
        t.shown++;
    }
    free(t.in_matrix);
    if (t.shown == 0)
        printf("%-24s not registered\n", name);
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
            json_array_append_new(out, subca_json(s->cfg, v[i].name, r, nr));
        else if (rc == IR_OK)
            print_ca_text(s->cfg, v[i].name, r, nr);
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
