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

static int revoke(const ir_cli_args *a)
{
    const char *reason_text = ir_cli_value(a, "--reason");
    int reason = 0, rc;
    bool already = false;
    ir_runtime rt;
    ir_err err = {0};

    /* The reason as capture reads it (iotreg-publish --reason, CRLs). */
    if (reason_text != NULL && ir_crl_reason_parse(reason_text, &reason, &err) != IR_OK)
        return ir_cli_error(&a->cli, "%s (try revoke --help)", err.msg), IR_CLI_USAGE;
    if ((rc = ir_cli_open_runtime(&a->cli, IR_RT_JOURNAL, &rt)) != IR_CLI_OK)
        return rc;
    if (ir_journal_request_revocation(rt.journal, a->pos[0], reason, ir_realtime_ms(), &already,
                                      &err) != IR_OK) {
        ir_cli_error(&a->cli, "%s", err.msg);
        rc = IR_CLI_FAILED;
    } else {
        printf("%s: revocation %s\n", a->pos[0], already ? "was already requested" : "recorded");
    }
    ir_runtime_close(&rt);
    return rc;
}

static const ir_cli_opt revoke_opts[] = {{"--reason", false}, {NULL, false}};

const ir_cli_command ir_cli_revoke = {
    "revoke", "revoke a certificate wherever it is in AWS", revoke_usage, "CERTID", 0, revoke_opts,
    revoke};
