/* iotregctl customer commands: verify (the customer's role refuses
 * AssumeRole without its ExternalId and works with it, from every CSP
 * account that delivers for it; its policy exists or can be made) and
 * endpoint (its devices' data endpoint). */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/runtime.h"
#include "aws/iot/iot.h"
#include "aws/sts/sts.h"
#include "cli/cli.h"
#include "creds/role_check.h"

/* ---- customer verify ---- */

/* Assumes the customer's role with external_id (the without case is
 * ir_role_check's). */
static ir_rc try_assume(ir_runtime *rt, const ir_customer_conf *cust, const ir_csp_account *via,
                        const char *external_id, ir_aws_error *aerr, ir_err *err)
{
    ir_sts_assume_role_args args = {0};
    ir_sts_credentials sc = {0};
    ir_aws_target t;
    ir_rc rc;

    rc = ir_accounts_csp_target(rt->accounts, via, cust->region, &t, err);
    if (rc != IR_OK)
        return rc;
    if (cust->endpoint != NULL)
        t.endpoint = cust->endpoint;
    args.role_arn = cust->role_arn;
    args.role_session_name = "iotreg-verify";
    args.external_id = external_id;
    rc = ir_sts_assume_role(rt->aws, &t, &args, &sc, aerr, err);
    ir_sts_credentials_free(&sc);
    return rc;
}

/* The role as one delivering CSP account sees it: assumable with its
 * ExternalId, refused without it (the one check, creds/role_check.h). */
static int verify_role_from(ir_runtime *rt, const ir_customer_conf *cust, const ir_csp_account *via)
{
    char reason[1024];
    ir_aws_error aerr = {0};
    ir_err err = {0};
    ir_rc rc;

    rc = try_assume(rt, cust, via, cust->external_id, &aerr, &err);
    if (rc != IR_OK) {
        printf("FAIL  assume %s with its ExternalId from CSP account %s (%s): %s\n", cust->role_arn,
               via->name, via->account_id, rc == IR_ERR_AWS ? aerr.message : err.msg);
        return IR_CLI_FAILED;
    }
    printf("ok    assume %s with its ExternalId from CSP account %s (%s)\n", cust->role_arn,
           via->name, via->account_id);
    ir_err_clear(&err);
    switch (ir_role_check(rt->accounts, rt->aws, cust, via, &err)) {
    case IR_ROLE_SAFE:
        printf("ok    assuming without the ExternalId from CSP account %s is refused\n", via->name);
        return IR_CLI_OK;
    case IR_ROLE_UNSAFE:
        ir_role_unsafe_reason(cust, via, reason, sizeof(reason));
        printf("FAIL  %s\n", reason);
        return IR_CLI_FAILED;
    case IR_ROLE_INCONCLUSIVE:
    case IR_ROLE_UNCHECKED:
        break;
    }
    printf("FAIL  %s\n", err.msg);
    return IR_CLI_FAILED;
}

/* From every CSP account that delivers for the customer: each assumes the
 * role with its own credentials. */
static int verify_role(ir_runtime *rt, const ir_customer_conf *cust,
                       const ir_csp_account *const *vias, size_t n_vias)
{
    int rc = IR_CLI_OK;
    size_t i;

    for (i = 0; i < n_vias; i++)
        if (verify_role_from(rt, cust, vias[i]) != IR_CLI_OK)
            rc = IR_CLI_FAILED;
    return rc;
}

static int verify_policy(ir_runtime *rt, const ir_customer_conf *cust, const ir_csp_account *via)
{
    ir_iot_policy pol = {0};
    ir_aws_target t;
    ir_aws_error aerr = {0};
    ir_err err = {0};
    ir_rc rc;

    if (cust->policy_name == NULL) {
        printf("ok    no policy configured\n");
        return IR_CLI_OK;
    }
    rc = ir_accounts_customer_target(rt->accounts, cust, via, &t, &err);
    if (rc == IR_OK)
        rc = ir_iot_get_policy(rt->aws, &t, cust->policy_name, &pol, &aerr, &err);
    ir_iot_policy_free(&pol);
    if (rc == IR_OK) {
        printf("ok    policy %s exists in %s\n", cust->policy_name, cust->account_id);
        return IR_CLI_OK;
    }
    if (rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "ResourceNotFoundException") &&
        cust->policy_document_file != NULL) {
        printf("ok    policy %s does not exist yet; it will be created from %s\n",
               cust->policy_name, cust->policy_document_file);
        return IR_CLI_OK;
    }
    printf("FAIL  policy %s: %s\n", cust->policy_name, rc == IR_ERR_AWS ? aerr.message : err.msg);
    return IR_CLI_FAILED;
}

/* Distinct CSP accounts a customer's SubCAs may be registered in. */
#define VERIFY_MAX_ACCOUNTS 64

static const char verify_usage[] =
    "usage: iotregctl customer verify NAME\n\n"
    "Checks a customer's delegated access: its role can be assumed with its\n"
    "ExternalId and NOT without it (AWS's confused-deputy guidance: a role that\n"
    "works without it is reported unsafe, and iotregd does not use it), from the\n"
    "CSP account of every SubCA that delivers for the customer, and its policy\n"
    "exists or can be made.\n";

/* The runtime (for AWS) open and the customer a's first argument names;
 * IR_CLI_FAILED with the message printed (and nothing open) otherwise. */
static int open_customer(const ir_cli_args *a, ir_runtime *rt, const ir_customer_conf **cust)
{
    int rc = ir_cli_open_runtime(&a->cli, IR_RT_AWS, rt);

    if (rc != IR_CLI_OK)
        return rc;
    *cust = ir_config_customer(rt->cfg, a->pos[0]);
    if (*cust != NULL)
        return IR_CLI_OK;
    ir_cli_error(&a->cli, "no customer '%s' in %s", a->pos[0], rt->cfg->path);
    ir_runtime_close(rt);
    return IR_CLI_FAILED;
}

static int customer_verify(const ir_cli_args *a)
{
    const ir_csp_account *vias[VERIFY_MAX_ACCOUNTS];
    const ir_customer_conf *cust;
    size_t n_vias;
    ir_runtime rt;
    int rc, rc2;

    if ((rc = open_customer(a, &rt, &cust)) != IR_CLI_OK)
        return rc;
    /* The accounts of the SubCAs that issue its certificates: the daemon
     * assumes the role with their credentials, so the check must too. */
    n_vias = ir_role_delivering_accounts(rt.cfg, cust, vias, VERIFY_MAX_ACCOUNTS);
    if (n_vias == 0) {
        ir_cli_error(&a->cli,
                     "no SubCA of %s delivers for customer '%s' (none is configured, or the "
                     "customer's attribution rules admit none): no CSP account to check from",
                     rt.cfg->path, cust->id);
        ir_runtime_close(&rt);
        return IR_CLI_FAILED;
    }
    rc = cust->role_arn != NULL ? verify_role(&rt, cust, vias, n_vias) : IR_CLI_OK;
    if (cust->role_arn == NULL)
        printf("ok    access key credentials (no role to check)\n");
    rc2 = verify_policy(&rt, cust, vias[0]);
    printf("customer %s: %s\n", cust->id, rc == IR_CLI_OK && rc2 == IR_CLI_OK ? "ok" : "FAILED");
    ir_runtime_close(&rt);
    return rc != IR_CLI_OK ? rc : rc2;
}

const ir_cli_command ir_cli_customer_verify = {"customer verify",
                                               "check a customer's role, ExternalId and policy",
                                               verify_usage,
                                               "NAME",
                                               0,
                                               NULL,
                                               customer_verify};

/* ---- customer endpoint ---- */

static const char endpoint_usage[] =
    "usage: iotregctl [-c FILE] customer endpoint NAME [--json]\n\n"
    "Prints the customer's data endpoint, the host name its devices connect to\n"
    "(DescribeEndpoint iot:Data-ATS in the customer's account and region, with the\n"
    "customer's delegated credentials). A role is used only once AssumeRole\n"
    "without its ExternalId is refused. --json prints customer, account, region\n"
    "and endpoint.\n";

/* The customer's role must refuse AssumeRole without its ExternalId before
 * we use it, as in iotregd. */
static int endpoint_role_gate(const ir_cli *cli, ir_runtime *rt, const ir_customer_conf *cust,
                              const ir_csp_account *via)
{
    char reason[1024];
    ir_err err = {0};

    switch (ir_accounts_role_gate(rt->accounts, cust, via, 0, &err)) {
    case IR_ROLE_SAFE:
        return IR_CLI_OK;
    case IR_ROLE_UNSAFE:
        ir_role_unsafe_reason(cust, via, reason, sizeof(reason));
        ir_cli_error(cli, "customer %s: %s", cust->id, reason);
        return IR_CLI_FAILED;
    case IR_ROLE_INCONCLUSIVE:
    case IR_ROLE_UNCHECKED:
        break;
    }
    ir_cli_error(cli, "customer %s: its role cannot be used until it passes the check: %s",
                 cust->id, err.msg);
    return IR_CLI_FAILED;
}

static void print_endpoint(const ir_customer_conf *cust, const char *addr, bool json)
{
    if (!json) {
        printf("%s\n", addr);
        return;
    }
    ir_cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "customer", cust->id, "account",
                                cust->account_id, "region", cust->region, "endpoint", addr));
}

static int customer_endpoint(const ir_cli *cli, ir_runtime *rt, const ir_customer_conf *cust,
                             bool json)
{
    const ir_csp_account *via = NULL;
    char *addr = NULL;
    ir_err err = {0};
    int rc;

    if (ir_role_delivering_accounts(rt->cfg, cust, &via, 1) == 0) {
        ir_cli_error(cli,
                     "no SubCA of %s delivers for customer '%s': no CSP account to reach its "
                     "account from",
                     rt->cfg->path, cust->id);
        return IR_CLI_FAILED;
    }
    if ((rc = endpoint_role_gate(cli, rt, cust, via)) != IR_CLI_OK)
        return rc;
    if (ir_accounts_customer_endpoint(rt->accounts, cust, via, &addr, NULL, &err) != IR_OK)
        return ir_cli_error(cli, "%s", err.msg), IR_CLI_FAILED;
    print_endpoint(cust, addr, json);
    free(addr);
    return IR_CLI_OK;
}

static int endpoint(const ir_cli_args *a)
{
    const ir_customer_conf *cust;
    ir_runtime rt;
    int rc = open_customer(a, &rt, &cust);

    if (rc != IR_CLI_OK)
        return rc;
    rc = customer_endpoint(&a->cli, &rt, cust, a->cli.json);
    ir_runtime_close(&rt);
    return rc;
}

const ir_cli_command ir_cli_customer_endpoint = {
    "customer endpoint",
    "print the data endpoint a customer's devices connect to",
    endpoint_usage,
    "NAME",
    IR_CLI_JSON,
    NULL,
    endpoint};
