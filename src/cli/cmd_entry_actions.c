/* What an operator does to a journal entry: assign (attribute an
 * unattributed one to a customer), retry (send parked ones back for
 * delivery), cancel (a pending transfer). */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "app/route.h"
#include "app/runtime.h"
#include "aws/iot/iot.h"
#include "cli/cli.h"
#include "journal/journal.h"

/* ---- assign ---- */

static void list_customers(const ir_config *cfg, char *buf, size_t n)
{
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; i < cfg->n_customers && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", cfg->customers[i].id);
}

static int assign(const ir_cli *cli, ir_runtime *rt, const char *id, const char *customer)
{
    char names[512];
    ir_err err = {0};

    if (ir_config_customer(rt->cfg, customer) == NULL) {
        list_customers(rt->cfg, names, sizeof(names));
        ir_cli_error(cli, "no customer '%s' in %s (customers: %s); add it there first", customer,
                     rt->cfg->path, names[0] ? names : "none");
        return IR_CLI_FAILED;
    }
    if (ir_journal_assign(rt->journal, id, customer, &err) != IR_OK) {
        ir_cli_error(cli, "%s%s", err.msg,
                     err.rc == IR_ERR_STATE ? " (only unattributed entries can be assigned)" : "");
        return IR_CLI_FAILED;
    }
    printf("assigned %s to customer %s; iotregd delivers it next\n", id, customer);
    return IR_CLI_OK;
}

static const char assign_usage[] =
    "usage: iotregctl [-c FILE] assign CERTID CUSTOMER\n\n"
    "Attributes an unattributed entry to CUSTOMER (a customer of the\n"
    "configuration); the entry becomes pending and iotregd delivers it to that\n"
    "customer's account. Entries already attributed cannot be reassigned.\n";

static int assign_cmd(const ir_cli_args *a)
{
    ir_runtime rt;
    int rc = ir_cli_open_runtime(&a->cli, IR_RT_JOURNAL, &rt);

    if (rc != IR_CLI_OK)
        return rc;
    rc = assign(&a->cli, &rt, a->pos[0], a->pos[1]);
    ir_runtime_close(&rt);
    return rc;
}

const ir_cli_command ir_cli_assign = {"assign",     "attribute an unattributed entry to a customer",
                                      assign_usage, "CERTID CUSTOMER",
                                      IR_CLI_JSON,  NULL,
                                      assign_cmd};

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

static const char retry_usage[] =
    "usage: iotregctl retry CERTID | --parked [--customer C]\n\n"
    "Sends a parked entry (or every parked entry, of one customer or all) back\n"
    "for delivery now, after the cause was fixed. Delivery resumes at the step\n"
    "where it stopped.\n";

static int retry(const ir_cli_args *a)
{
    const char *customer = ir_cli_value(a, "--customer");
    const char *id = a->npos == 1 ? a->pos[0] : NULL;
    bool parked = ir_cli_value(a, "--parked") != NULL;
    ir_runtime rt;
    ir_err err = {0};
    int rc;

    if (parked == (id != NULL) || (customer != NULL && !parked))
        return ir_cli_usage_error(a, "give a certificate id or --parked [--customer C]");
    if ((rc = ir_cli_open_runtime(&a->cli, IR_RT_JOURNAL, &rt)) != IR_CLI_OK)
        return rc;
    if (parked) {
        rc = retry_parked(&a->cli, &rt, customer);
    } else if (ir_journal_retry_now(rt.journal, id, &err) != IR_OK) {
        ir_cli_error(&a->cli, "%s", err.msg);
        rc = IR_CLI_FAILED;
    } else {
        printf("%s sent back for delivery\n", id);
    }
    ir_runtime_close(&rt);
    return rc;
}

static const ir_cli_opt retry_opts[] = {{"--parked", true}, {"--customer", false}, {NULL, false}};

const ir_cli_command ir_cli_retry = {
    "retry", "send parked entries back for delivery", retry_usage, "[CERTID]", 0, retry_opts,
    retry};

/* ---- cancel ---- */

static int cancel_transfer(const ir_cli *cli, ir_runtime *rt, const ir_journal_entry *e)
{
    const ir_subca_conf *subca = ir_config_subca(rt->cfg, e->subca);
    const ir_customer_conf *cust = e->customer ? ir_config_customer(rt->cfg, e->customer) : NULL;
    ir_route route = {0};
    /* The id AWS gave it when iotregd registered it (before ids were
     * recorded, AWS's id was its SHA-256). */
    const char *aws_id = ir_journal_entry_fact(e, IR_FACT_AWS_CERT_ID);
    ir_aws_target t;
    ir_aws_error aerr = {0};
    ir_err err = {0};

    if (aws_id == NULL)
        aws_id = e->cert_id;
    if (subca == NULL)
        return ir_cli_error(cli, "%s: its SubCA '%s' is not configured", e->cert_id, e->subca),
               IR_CLI_FAILED;
    if (ir_route_entry(rt->cfg, subca, cust, e, &route, &err) != IR_OK)
        return ir_cli_error(cli, "%s: %s", e->cert_id, err.msg), IR_CLI_FAILED;
    if (ir_accounts_csp_target(rt->accounts, route.csp, route.region, &t, &err) != IR_OK ||
        ir_iot_cancel_certificate_transfer(rt->aws, &t, aws_id, &aerr, &err) != IR_OK) {
        ir_cli_error(cli, "%s: %s%s%s", e->cert_id, aerr.type, aerr.type[0] ? ": " : "",
                     aerr.type[0] ? aerr.message : err.msg);
        return IR_CLI_FAILED;
    }
    if (ir_journal_park(rt->journal, e->cert_id, NULL,
                        "transfer cancelled by the operator; iotregctl retry transfers again",
                        &err) != IR_OK)
        return ir_cli_error(cli, "%s", err.msg), IR_CLI_FAILED;
    printf("%s: transfer cancelled; the certificate is INACTIVE in the CSP account %s (%s)\n",
           e->cert_id, route.csp->account_id, route.region);
    return IR_CLI_OK;
}

static const char cancel_usage[] =
    "usage: iotregctl cancel CERTID\n\n"
    "Cancels the certificate's pending transfer (CancelCertificateTransfer in the\n"
    "CSP account) and parks its entry; iotregctl retry transfers it again.\n";

static int cancel(const ir_cli_args *a)
{
    ir_journal_entry *e;
    ir_runtime rt;
    int rc = ir_cli_open_entry(a, IR_RT_JOURNAL | IR_RT_AWS, &rt, &e);

    if (rc != IR_CLI_OK)
        return rc;
    rc = cancel_transfer(&a->cli, &rt, e);
    ir_journal_entry_free(e);
    ir_runtime_close(&rt);
    return rc;
}

const ir_cli_command ir_cli_cancel = {
    "cancel", "cancel a certificate's pending transfer", cancel_usage, "CERTID", 0, NULL, cancel};
