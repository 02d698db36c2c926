/* iotregctl revoke: records a revocation request in the journal, with its
 * reason as capture reads reasons (capture/crl_reason.h); iotregd carries it
 * out wherever the certificate is in AWS. */
#include "autoconf.h"

#include <stdio.h>

#include "app/runtime.h"
#include "capture/crl_reason.h"
#include "cli/cli.h"
#include "core/util.h"
#include "journal/journal.h"

/* ---- revoke ---- */

static const char revoke_usage[] =
    "usage: iotregctl revoke CERTID [--reason R]\n\n"
    "Records a revocation; iotregd sets the certificate REVOKED wherever it is\n"
    "(the customer's account once delivered, the CSP's before; a pending transfer\n"
    "is cancelled first). R is the reason; default unspecified (0).\n\n" IR_CRL_REASON_HELP;

int ir_cli_cmd_revoke(const ir_cli *cli, int argc, char **argv)
{
    const char *reason_text = NULL;
    const ir_cli_opt opts[] = {{"--reason", &reason_text, NULL}, {NULL, NULL, NULL}};
    const ir_cli_spec spec = {"revoke", revoke_usage, 0, opts};
    int reason = 0, rc;
    bool already = false;
    ir_cli_args a;
    ir_runtime rt;
    ir_err err = {0};

    if (!ir_cli_parse(cli, argc, argv, &spec, &a, &rc))
        return rc;
    if (reason_text != NULL && ir_crl_reason_parse(reason_text, &reason, &err) != IR_OK)
        return ir_cli_error(cli, "%s (try revoke --help)", err.msg), IR_CLI_USAGE;
    if (a.npos != 1)
        return ir_cli_usage_error(cli, "revoke", "give one CERTID");
    if ((rc = ir_cli_check_cert_id(cli, a.pos[0])) != IR_CLI_OK ||
        (rc = ir_cli_open_runtime(&a.cli, IR_RT_JOURNAL, &rt)) != IR_CLI_OK)
        return rc;
    if (ir_journal_request_revocation(rt.journal, a.pos[0], reason, ir_realtime_ms(), &already,
                                      &err) != IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        rc = IR_CLI_FAILED;
    } else {
        printf("%s: revocation %s\n", a.pos[0], already ? "was already requested" : "recorded");
    }
    ir_runtime_close(&rt);
    return rc;
}
