/* iotregctl import: certificates issued before iotreg was installed (files,
 * directories, an openssl ca database) into the journal, and a CRL's
 * revocations. The work is done in src/capture; this file parses and reports. */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "app/runtime.h"
#include "capture/capture.h"
#include "capture/import.h"
#include "capture/import_crl.h"
#include "cli/cli.h"
#include "core/util.h"
#include "journal/journal.h"

#define REFUSALS_KEPT 1000

typedef struct import_report {
    bool json;
    bool bar;   /* a progress bar on standard error (a terminal) */
    bool shown; /* the bar is on the screen */
    int64_t last_draw_ms;
    json_t *refusals; /* {source, reason}, at most REFUSALS_KEPT */
} import_report;

static void on_refused(void *ctx, const char *what, const char *msg)
{
    import_report *r = ctx;

    if (json_array_size(r->refusals) < REFUSALS_KEPT)
        json_array_append_new(r->refusals, json_pack("{s:s, s:s}", "source", what, "reason", msg));
}

#define BAR_WIDTH 40

static void bar_clear(import_report *r)
{
    if (r->shown)
        fprintf(stderr, "\r%*s\r", BAR_WIDTH + 30, "");
    r->shown = false;
}

/* Redraws the bar at most ten times a second; gone when the import is done. */
static void on_progress(void *ctx, size_t done, size_t total)
{
    import_report *r = ctx;
    int64_t now = ir_monotonic_ms();
    int filled;

    if (!r->bar || (done < total && now - r->last_draw_ms < 100))
        return;
    if (done >= total) {
        bar_clear(r);
        return;
    }
    r->last_draw_ms = now;
    r->shown = true;
    filled = (int)((double)done / (double)total * BAR_WIDTH);
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu", filled, "########################################",
            BAR_WIDTH - filled, "", done, total);
}

static void import_summary(const ir_import_stats *s, const import_report *r)
{
    size_t i;
    json_t *x;

    if (r->json) {
        ir_cli_print_json(json_pack("{s:I, s:I, s:I, s:I, s:I, s:O}", "imported",
                                    (json_int_t)s->imported, "unattributed",
                                    (json_int_t)s->unattributed, "already_known",
                                    (json_int_t)s->known, "revocations", (json_int_t)s->revocations,
                                    "refused", (json_int_t)s->refused, "refusals", r->refusals));
        return;
    }
    printf("imported %ld (unattributed %ld), already known %ld, revocations recorded %ld, "
           "refused %ld\n",
           s->imported, s->unattributed, s->known, s->revocations, s->refused);
    json_array_foreach(r->refusals, i, x)
        printf("  refused %s: %s\n", json_string_value(json_object_get(x, "source")),
               json_string_value(json_object_get(x, "reason")));
    if ((size_t)s->refused > json_array_size(r->refusals))
        printf("  ... and %ld more\n", s->refused - (long)json_array_size(r->refusals));
}

static const char import_usage[] =
    "usage: iotregctl [-c FILE] import [--json] PATH...\n"
    "       iotregctl [-c FILE] import [--json] --openssl-db INDEX --newcerts DIR\n"
    "       iotregctl [-c FILE] import [--json] --crl FILE\n\n"
    "Journals certificates issued before iotreg was installed, for delivery by\n"
    "iotregd. PATH is a certificate file (PEM, possibly several certificates, or\n"
    "DER) or a directory searched recursively for *.pem, *.crt, *.der and *.cer.\n"
    "With --openssl-db, each row of an `openssl ca` index.txt names the certificate\n"
    "DIR/SERIAL.pem (DIR is the CA's newcerts directory); revoked rows (R) are\n"
    "imported and get a revocation request, expired rows (E) are refused.\n\n"
    "Every certificate is handled on its own: ones already journaled are counted,\n"
    "refused ones (not a certificate, issuer not a configured SubCA, ...) are\n"
    "listed with the reason, and the rest is imported. A progress bar shows on\n"
    "a terminal. Exit status 0 when nothing was refused, 1 otherwise.\n\n"
    "With --crl, a CRL (PEM or DER) signed by a configured SubCA: every journaled\n"
    "certificate it lists gets a revocation request with the CRL's reason and\n"
    "date, which iotregd carries out wherever the certificate is in AWS.\n";

/* The sources import reads, as given. */
typedef struct import_opts {
    const char *openssl_db, *newcerts, *crl;
    char *const *paths;
    int n_paths;
    bool json;
} import_opts;

static ir_rc import_run(ir_import *imp, const import_opts *o, ir_err *err)
{
    ir_pathlist list = {0};
    ir_rc rc = IR_OK;
    int i;

    if (o->openssl_db != NULL)
        return ir_import_openssl_db(imp, o->openssl_db, o->newcerts, err);
    for (i = 0; rc == IR_OK && i < o->n_paths; i++)
        rc = ir_import_collect(o->paths[i], &list, err);
    if (rc == IR_OK)
        rc = ir_import_files(imp, &list, err);
    ir_pathlist_free(&list);
    return rc;
}

static int import_with(const ir_cli *cli, const import_opts *o, ir_runtime *rt)
{
    import_report rep = {
        .json = o->json, .bar = !o->json && isatty(STDERR_FILENO), .refusals = json_array()};
    ir_import imp = {.on_refused = on_refused, .on_progress = on_progress, .ctx = &rep};
    ir_err err = {0};
    ir_rc rc = ir_capture_ctx_new(rt->cfg, rt->journal, IR_SOURCE_IMPORT, &imp.capture, &err);

    if (rc == IR_OK)
        rc = import_run(&imp, o, &err);
    bar_clear(&rep);
    if (rc != IR_OK)
        ir_cli_error(cli, "%s (the import stopped here; what was imported before is kept)",
                     err.msg);
    import_summary(&imp.stats, &rep);
    json_decref(rep.refusals);
    ir_capture_ctx_free(imp.capture);
    return rc != IR_OK || imp.stats.refused > 0 ? IR_CLI_FAILED : IR_CLI_OK;
}

static int import_crl(const ir_cli *cli, const import_opts *o, ir_runtime *rt)
{
    ir_crl_import_stats st;
    ir_err err = {0};

    if (ir_import_crl(rt->cfg, rt->journal, o->crl, &st, &err) != IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        return IR_CLI_FAILED;
    }
    if (o->json)
        ir_cli_print_json(json_pack("{s:I, s:I, s:I, s:I, s:I}", "listed", (json_int_t)st.listed,
                                    "requested", (json_int_t)st.requested, "known",
                                    (json_int_t)st.known, "not_revoked", (json_int_t)st.not_revoked,
                                    "absent", (json_int_t)st.absent));
    else
        printf("CRL lists %ld revoked certificates: %ld revocations recorded, %ld requested "
               "before, %ld on hold or released (not revoked), %ld not in the journal\n",
               st.listed, st.requested, st.known, st.not_revoked, st.absent);
    return IR_CLI_OK;
}

static int import(const ir_cli_args *a)
{
    import_opts o = {ir_cli_value(a, "--openssl-db"),
                     ir_cli_value(a, "--newcerts"),
                     ir_cli_value(a, "--crl"),
                     a->pos,
                     a->npos,
                     a->cli.json};
    ir_runtime rt;
    int rc;

    if (o.crl != NULL && (o.openssl_db != NULL || o.newcerts != NULL || o.n_paths > 0)) {
        ir_cli_error(&a->cli, "--crl FILE stands alone (try iotregctl import --help)");
        return IR_CLI_USAGE;
    }
    if (o.crl == NULL && ((o.openssl_db != NULL) != (o.newcerts != NULL) ||
                          (o.openssl_db != NULL) == (o.n_paths > 0))) {
        ir_cli_error(&a->cli, "give certificate files or directories, or --openssl-db INDEX with "
                              "--newcerts DIR (try iotregctl import --help)");
        return IR_CLI_USAGE;
    }
    if ((rc = ir_cli_open_runtime(&a->cli, IR_RT_JOURNAL, &rt)) != IR_CLI_OK)
        return rc;
    rc = o.crl != NULL ? import_crl(&a->cli, &o, &rt) : import_with(&a->cli, &o, &rt);
    ir_runtime_close(&rt);
    return rc;
}

static const ir_cli_opt import_opts_table[] = {
    {"--openssl-db", false}, {"--newcerts", false}, {"--crl", false}, {NULL, false}};

const ir_cli_command ir_cli_import = {
    "import",     "journal certificates issued before iotreg was installed",
    import_usage, "[PATH...]",
    IR_CLI_JSON,  import_opts_table,
    import};
