/* iotregctl delivery commands: retry, cancel, revoke, customer verify,
 * customer endpoint. */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/runtime.h"
#include "aws/iot/iot.h"
#include "aws/sts/sts.h"
#include "capture/crl_reason.h"
#include "cli/cli.h"
#include "core/util.h"
#include "creds/role_check.h"

static int open_rt(const ir_cli *cli, unsigned parts, ir_runtime *rt)
{
    ir_err err = {0};

    if (ir_runtime_open(cli->config_path, parts, rt, &err) != IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        return IR_CLI_FAILED;
    }
    return IR_CLI_OK;
}

static int check_cert_id(const ir_cli *cli, const char *id)
{
    if (ir_cert_id_valid(id))
        return IR_CLI_OK;
    ir_cli_error(cli,
                 "'%s' is not a certificate id (64 lower-case hex characters, as shown by "
                 "iotregctl list)",
                 id);
    return IR_CLI_USAGE;
}

/* ---- retry ---- */

typedef struct parked_retry {
    const ir_cli *cli;
    ir_journal *j;
    long sent, failed;
} parked_retry;

static ir_rc retry_one(void *ctx, const ir_journal_entry *e, ir_err *err)
{
    parked_retry *r = ctx;

    if (ir_journal_retry_now(r->j, e->cert_id, err) == IR_OK) {
        r->sent++;
    } else {
        r->failed++;
        ir_cli_error(r->cli, "%s: %s", e->cert_id, err->msg);
    }
    return IR_OK;
}

static int retry_parked(const ir_cli *cli, ir_runtime *rt, const char *customer)
{
    ir_list_filter f = {.state = IR_STATE_PARKED, .customer = customer};
    parked_retry r = {cli, rt->journal, 0, 0};
    ir_err err = {0};

    if (ir_journal_foreach(rt->journal, &f, retry_one, &r, &err) != IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        return IR_CLI_FAILED;
    }
    printf("%ld parked %s sent back for delivery%s%s\n", r.sent, r.sent == 1 ? "entry" : "entries",
           customer ? " for customer " : "", customer ? customer : "");
    return r.failed == 0 ? IR_CLI_OK : IR_CLI_FAILED;
}

static int cmd_retry(const ir_cli *cli, int argc, char **argv)
{
    const char *customer = NULL, *id = NULL;
    bool parked = false;
    ir_runtime rt;
    ir_err err = {0};
    int i, rc;

    if (ir_cli_wants_help(argc, argv)) {
        printf("usage: iotregctl retry CERTID | --parked [--customer C]\n\n"
               "Sends a parked entry (or every parked entry, of one customer or all) back\n"
               "for delivery now, after the cause was fixed. Delivery resumes at the step\n"
               "where it stopped.\n");
        return IR_CLI_OK;
    }
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--parked") == 0)
            parked = true;
        else if (strcmp(argv[i], "--customer") == 0 && i + 1 < argc)
            customer = argv[++i];
        else if (argv[i][0] != '-' && id == NULL)
            id = argv[i];
        else
            return ir_cli_error(cli, "retry: unexpected '%s' (try retry --help)", argv[i]),
                   IR_CLI_USAGE;
    }
    if (parked == (id != NULL) || (customer != NULL && !parked)) {
        ir_cli_error(cli, "retry takes a certificate id or --parked [--customer C]");
        return IR_CLI_USAGE;
    }
    if (id != NULL && (rc = check_cert_id(cli, id)) != IR_CLI_OK)
        return rc;
    if ((rc = open_rt(cli, IR_RT_JOURNAL, &rt)) != IR_CLI_OK)
        return rc;
    if (parked) {
        rc = retry_parked(cli, &rt, customer);
    } else if (ir_journal_retry_now(rt.journal, id, &err) != IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        rc = IR_CLI_FAILED;
    } else {
        printf("%s sent back for delivery\n", id);
    }
    ir_runtime_close(&rt);
    return rc;
}

/* ---- revoke ---- */

static int cmd_revoke(const ir_cli *cli, int argc, char **argv)
{
    const char *id = NULL;
    int reason = 0, i, rc;
    bool already = false;
    ir_runtime rt;
    ir_err err = {0};

    if (ir_cli_wants_help(argc, argv)) {
        printf("usage: iotregctl revoke CERTID [--reason R]\n\n"
               "Records a revocation; iotregd sets the certificate REVOKED wherever it is\n"
               "(the customer's account once delivered, the CSP's before; a pending transfer\n"
               "is cancelled first). R is the reason; default unspecified (0).\n\n"
               "%s",
               IR_CRL_REASON_HELP);
        return IR_CLI_OK;
    }
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc) {
            if (ir_crl_reason_parse(argv[++i], &reason, &err) != IR_OK)
                return ir_cli_error(cli, "%s (try revoke --help)", err.msg), IR_CLI_USAGE;
        } else if (argv[i][0] != '-' && id == NULL) {
            id = argv[i];
        } else {
            return ir_cli_error(cli, "revoke: unexpected '%s'", argv[i]), IR_CLI_USAGE;
        }
    }
    if (id == NULL)
        return ir_cli_error(cli, "revoke needs a certificate id"), IR_CLI_USAGE;
    if ((rc = check_cert_id(cli, id)) != IR_CLI_OK)
        return rc;
    if ((rc = open_rt(cli, IR_RT_JOURNAL, &rt)) != IR_CLI_OK)
        return rc;
    if (ir_journal_request_revocation(rt.journal, id, reason, ir_realtime_ms(), &already, &err) !=
        IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        rc = IR_CLI_FAILED;
    } else {
        printf("%s: revocation %s\n", id, already ? "was already requested" : "recorded");
    }
    ir_runtime_close(&rt);
    return rc;
}

/* ---- cancel ---- */

static int cancel_transfer(const ir_cli *cli, ir_runtime *rt, const ir_journal_entry *e)
{
    const ir_subca_conf *subca = ir_config_subca(rt->cfg, e->subca);
    const ir_customer_conf *cust = e->customer ? ir_config_customer(rt->cfg, e->customer) : NULL;
    const ir_csp_account *csp = subca ? ir_config_csp_account(rt->cfg, subca->csp_account) : NULL;
    ir_aws_target t;
    ir_aws_error aerr = {0};
    ir_err err = {0};

    if (csp == NULL)
        return ir_cli_error(cli, "%s: its SubCA or CSP account is not configured", e->cert_id),
               IR_CLI_FAILED;
    if (ir_accounts_csp_target(rt->accounts, csp, cust ? cust->region : NULL, &t, &err) != IR_OK ||
        ir_iot_cancel_certificate_transfer(rt->aws, &t, e->cert_id, &aerr, &err) != IR_OK) {
        ir_cli_error(cli, "%s: %s%s%s", e->cert_id, aerr.type, aerr.type[0] ? ": " : "",
                     aerr.type[0] ? aerr.message : err.msg);
        return IR_CLI_FAILED;
    }
    if (ir_journal_park(rt->journal, e->cert_id, NULL,
                        "transfer cancelled by the operator; iotregctl retry transfers again",
                        &err) != IR_OK)
        return ir_cli_error(cli, "%s", err.msg), IR_CLI_FAILED;
    printf("%s: transfer cancelled; the certificate is INACTIVE in the CSP account %s\n",
           e->cert_id, csp->account_id);
    return IR_CLI_OK;
}

static int cmd_cancel(const ir_cli *cli, int argc, char **argv)
{
    ir_journal_entry *e = NULL;
    ir_runtime rt;
    ir_err err = {0};
    int rc;

    if (ir_cli_wants_help(argc, argv) || argc != 2) {
        printf("usage: iotregctl cancel CERTID\n\n"
               "Cancels the certificate's pending transfer (CancelCertificateTransfer in the\n"
               "CSP account) and parks its entry; iotregctl retry transfers it again.\n");
        return argc == 2 ? IR_CLI_OK : IR_CLI_USAGE;
    }
    if ((rc = check_cert_id(cli, argv[1])) != IR_CLI_OK)
        return rc;
    if ((rc = open_rt(cli, IR_RT_JOURNAL | IR_RT_AWS, &rt)) != IR_CLI_OK)
        return rc;
    if (ir_journal_get(rt.journal, argv[1], &e, &err) != IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        rc = IR_CLI_FAILED;
    } else {
        rc = cancel_transfer(cli, &rt, e);
    }
    ir_journal_entry_free(e);
    ir_runtime_close(&rt);
    return rc;
}

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

static int cmd_customer_verify(const ir_cli *cli, int argc, char **argv)
{
    const ir_csp_account *vias[VERIFY_MAX_ACCOUNTS];
    const ir_customer_conf *cust;
    size_t n_vias;
    ir_runtime rt;
    int rc, rc2;

    if (ir_cli_wants_help(argc, argv) || argc != 2) {
        printf("usage: iotregctl customer verify NAME\n\n"
               "Checks a customer's delegated access: its role can be assumed with its\n"
               "ExternalId and NOT without it (AWS's confused-deputy guidance: a role that\n"
               "works without it is reported unsafe, and iotregd does not use it), from the\n"
               "CSP account of every SubCA that delivers for the customer, and its policy\n"
               "exists or can be made.\n");
        return argc == 2 ? IR_CLI_OK : IR_CLI_USAGE;
    }
    if ((rc = open_rt(cli, IR_RT_AWS, &rt)) != IR_CLI_OK)
        return rc;
    cust = ir_config_customer(rt.cfg, argv[1]);
    if (cust == NULL) {
        ir_cli_error(cli, "no customer '%s' in %s", argv[1], rt.cfg->path);
        ir_runtime_close(&rt);
        return IR_CLI_FAILED;
    }
    /* The accounts of the SubCAs that issue its certificates: the daemon
     * assumes the role with their credentials, so the check must too. */
    n_vias = ir_role_delivering_accounts(rt.cfg, cust, vias, VERIFY_MAX_ACCOUNTS);
    if (n_vias == 0) {
        ir_cli_error(cli,
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
    json_t *doc;

    if (!json) {
        printf("%s\n", addr);
        return;
    }
    doc = json_pack("{s:s, s:s, s:s, s:s}", "customer", cust->id, "account", cust->account_id,
                    "region", cust->region, "endpoint", addr);
    json_dumpf(doc, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(doc);
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

static int cmd_customer_endpoint(const ir_cli *cli, int argc, char **argv)
{
    const ir_customer_conf *cust;
    const char *name = NULL;
    ir_runtime rt;
    int i, rc;

    if (ir_cli_wants_help(argc, argv)) {
        fputs(endpoint_usage, stdout);
        return IR_CLI_OK;
    }
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            continue;
        if (argv[i][0] == '-' || name != NULL)
            return ir_cli_usage_error(cli, "customer endpoint", "unexpected argument");
        name = argv[i];
    }
    if (name == NULL)
        return ir_cli_usage_error(cli, "customer endpoint", "a customer name is needed");
    if ((rc = open_rt(cli, IR_RT_AWS, &rt)) != IR_CLI_OK)
        return rc;
    cust = ir_config_customer(rt.cfg, name);
    if (cust == NULL) {
        ir_cli_error(cli, "no customer '%s' in %s", name, rt.cfg->path);
        rc = IR_CLI_FAILED;
    } else {
        rc = customer_endpoint(cli, &rt, cust, ir_cli_json_flag(cli, argc, argv));
    }
    ir_runtime_close(&rt);
    return rc;
}

const ir_cli_command ir_cli_delivery_commands[] = {
    {"retry", cmd_retry, "CERTID | --parked [--customer C]",
     "send parked entries back for delivery"},
    {"cancel", cmd_cancel, "CERTID", "cancel a certificate's pending transfer"},
    {"revoke", cmd_revoke, "CERTID [--reason R]", "revoke a certificate wherever it is in AWS"},
    {"customer verify", cmd_customer_verify, "NAME",
     "check a customer's role, ExternalId and policy"},
    {"customer endpoint", cmd_customer_endpoint, "NAME [--json]",
     "print the data endpoint a customer's devices connect to"},
    {NULL, NULL, NULL, NULL},
};
