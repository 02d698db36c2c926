/* iotreg-publish: journals one certificate for delivery to AWS IoT, for CAs
 * that run a command after issuance (EJBCA's General Purpose Custom
 * Publisher passes the path of a DER file as the first argument, then
 * "certType subjectDN issuerDN serialHex", or to its revoke.application
 * "reasonCode subjectDN issuerDN serialHex": docs/ejbca.md). */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/runtime.h"
#include "app/subca_certs.h"
#include "capture/capture.h"
#include "capture/cert_input.h"
#include "capture/crl_reason.h"
#include "config/config.h"
#include "config/load.h"
#include "core/log.h"
#include "core/util.h"
#include "iotreg_hook.h" /* IOTREG_HOOK_TIME_MAX: the hook's range of times */
#include "journal/journal.h"

enum {
    EXIT_DONE = 0,
    EXIT_FAILED = 1, /* the journal or the system failed: nothing recorded, retry later */
    EXIT_USAGE = 2,
    EXIT_CONFIG = 3,  /* the configuration is missing or invalid */
    EXIT_REFUSED = 4, /* the input is refused: not a certificate, unknown issuer, ... */
};

typedef struct publish_opts {
    const char *config;
    const char *path;
    ir_cert_meta meta;
    bool revoke;
    const char *reason; /* --reason, or with --revoke the argument after the path */
    const char *time;
} publish_opts;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: iotreg-publish [OPTIONS] FILE|- [IGNORED...]\n"
            "       iotreg-publish [OPTIONS] --revoke [--reason R] [--time T] FILE|- [R]\n\n"
            "Journals the certificate in FILE (DER or PEM; - reads standard input) for\n"
            "delivery to its customer's AWS IoT account by iotregd, and exits 0 only once\n"
            "the journal entry is durable on disk. Arguments after FILE are ignored:\n"
            "EJBCA's General Purpose Custom Publisher appends \"certType subjectDN issuerDN\n"
            "serialHex\" to the file's path, and to its revoke.application (configure it\n"
            "with --revoke) \"reasonCode subjectDN issuerDN serialHex\"; with --revoke,\n"
            "the first argument after FILE is the reason when --reason is absent.\n\n"
            "Exactly one certificate per call: a PEM bundle of several is refused as a\n"
            "whole and nothing is journaled (use iotregctl import for bundles).\n\n"
            "options (before FILE):\n"
            "  -c FILE            configuration (default: $IOTREG_CONF, else %s)\n"
            "  --end-entity NAME  the CA's end entity (username), for attribution rules\n"
            "  --profile P        the certificate profile, for attribution rules\n"
            "  --subca NAME       the issuing SubCA's name in the configuration\n"
            "  --revoke           record a revocation (the certificate is journaled first\n"
            "                     if it is not yet); iotregd carries it out in AWS\n"
            "  --reason R         revocation reason (below); default unspecified (0)\n"
            "  --time T           time of revocation: seconds since the epoch (1 to\n"
            "                     253402300799) or YYYY-MM-DDTHH:MM:SSZ (up to\n"
            "                     9999-12-31T23:59:59Z); default now\n"
            "  -h, --help         this help\n\n"
            "%s\n"
            "Output: one line on standard output when it succeeds (\"journaled ID ...\",\n"
            "\"already known ID\", \"revocation recorded ID\"); standard error stays empty\n"
            "unless it fails (one line naming the problem) or IOTREG_DEBUG is set.\n\n"
            "exit status: 0 journaled (also when already known), 1 the journal failed\n"
            "(nothing recorded: retry), 2 usage, 3 invalid configuration, 4 input refused\n"
            "(unreadable, not a certificate, issuer not a configured SubCA, bad signature,\n"
            "several certificates).\n",
            IR_CONFIG_DEFAULT_PATH, IR_CRL_REASON_HELP);
}

static int fail(int status, const char *what, const char *msg)
{
    fprintf(stderr, "iotreg-publish: %s%s%s\n", what ? what : "", what ? ": " : "", msg);
    return status;
}

/* The value of an option at argv[*i]; NULL (with a message) when missing. */
static const char *option_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "iotreg-publish: %s needs a value (try --help)\n", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

static int parse_option(int argc, char **argv, int *i, publish_opts *o)
{
    const char *a = argv[*i];
    const char **slot = strcmp(a, "-c") == 0             ? &o->config
                        : strcmp(a, "--end-entity") == 0 ? &o->meta.end_entity
                        : strcmp(a, "--profile") == 0    ? &o->meta.profile
                        : strcmp(a, "--subca") == 0      ? &o->meta.subca
                        : strcmp(a, "--reason") == 0     ? &o->reason
                        : strcmp(a, "--time") == 0       ? &o->time
                                                         : NULL;

    if (strcmp(a, "--revoke") == 0) {
        o->revoke = true;
        return 0;
    }
    if (slot == NULL) {
        fprintf(stderr, "iotreg-publish: unknown option %s (try --help)\n", a);
        return EXIT_USAGE;
    }
    *slot = option_value(argc, argv, i);
    return *slot == NULL ? EXIT_USAGE : 0;
}

/* Options come before FILE; what follows FILE is ignored, except a
 * revocation reason after --revoke. -1: --help was asked. */
static int parse_args(int argc, char **argv, publish_opts *o)
{
    int i, rc;

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return -1;
        rc = parse_option(argc, argv, &i, o);
        if (rc != 0)
            return rc;
    }
    if (i >= argc) {
        fprintf(stderr, "iotreg-publish: no certificate file given (try --help)\n");
        return EXIT_USAGE;
    }
    o->path = argv[i];
    if (o->revoke && o->reason == NULL && i + 1 < argc)
        o->reason = argv[i + 1];
    if (!o->revoke && (o->reason != NULL || o->time != NULL)) {
        fprintf(stderr, "iotreg-publish: --reason and --time go with --revoke\n");
        return EXIT_USAGE;
    }
    return 0;
}

static ir_rc time_out_of_range(const char *s, ir_err *err)
{
    return ir_err_set(err, IR_ERR_INVALID_ARG,
                      "--time '%.64s' is out of range: give seconds since the epoch from 1 to "
                      "%lld, or a date from 1970-01-01T00:00:01Z to 9999-12-31T23:59:59Z",
                      s, (long long)IOTREG_HOOK_TIME_MAX);
}

/* Seconds since the epoch: digits with an optional sign, range-checked
 * before the conversion to milliseconds. 0: not a number. */
static int parse_seconds(const char *s, int64_t *ms, ir_err *err)
{
    const char *digits = s[0] == '-' || s[0] == '+' ? s + 1 : s;
    char *end = NULL;
    long long secs;

    if (digits[0] == '\0' || strspn(digits, "0123456789") != strlen(digits))
        return 0;
    errno = 0;
    secs = strtoll(s, &end, 10);
    if (errno == ERANGE || secs < 1 || secs > IOTREG_HOOK_TIME_MAX)
        return time_out_of_range(s, err), -1;
    *ms = (int64_t)secs * 1000;
    return 1;
}

static ir_rc parse_time(const char *s, int64_t *ms, ir_err *err)
{
    struct tm tm = {0};
    const char *end;
    time_t t;
    int n;

    *ms = 0;
    if (s == NULL)
        return IR_OK;
    n = parse_seconds(s, ms, err);
    if (n != 0)
        return n > 0 ? IR_OK : IR_ERR_INVALID_ARG;
    end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (end == NULL || *end != '\0')
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "--time '%.64s': give seconds since the epoch or YYYY-MM-DDTHH:MM:SSZ",
                          s);
    t = timegm(&tm);
    if (t < 1 || t > IOTREG_HOOK_TIME_MAX)
        return time_out_of_range(s, err);
    *ms = (int64_t)t * 1000;
    return IR_OK;
}

typedef struct publish_env {
    ir_config *cfg;
    ir_journal *journal;
    ir_capture_ctx *capture;
    /* Why a SubCA's certificate kept only in the keystore could not be read
     * ("" when all were): certificates named as that SubCA's are refused. */
    char keystore_problem[IR_ERR_MSG_MAX];
} publish_env;

static void env_close(publish_env *e)
{
    ir_capture_ctx_free(e->capture);
    ir_journal_close(e->journal);
    ir_config_free(e->cfg);
}

static int env_open(const publish_opts *o, publish_env *e)
{
    ir_err err = {0};
    ir_rc rc = ir_config_load(o->config, &e->cfg, &err);

    if (rc == IR_OK)
        rc = ir_config_check_files(e->cfg, IR_CONFIG_NEED_CERTS, NULL, NULL, &err);
    if (rc != IR_OK)
        return fail(EXIT_CONFIG, "configuration", err.msg);
    /* SubCAs without <cert-file>: their certificates are in the keystore. */
    if (ir_subca_certs_from_keystore(e->cfg, &err) != IR_OK) {
        snprintf(e->keystore_problem, sizeof(e->keystore_problem), "%s", err.msg);
        ir_err_clear(&err);
    }
    rc = ir_runtime_open_journal(e->cfg, &e->journal, &err);
    if (rc == IR_OK)
        rc = ir_capture_ctx_new(e->cfg, e->journal, IR_SOURCE_PUBLISH, &e->capture, &err);
    if (rc != IR_OK)
        return fail(rc == IR_ERR_CONFIG || rc == IR_ERR_UNSUPPORTED ? EXIT_CONFIG : EXIT_FAILED,
                    NULL, err.msg);
    return EXIT_DONE;
}

static int status_for(const ir_capture_result *res)
{
    switch (res->failure) {
    case IR_CAPTURE_NOT_CERT:
    case IR_CAPTURE_UNKNOWN_ISSUER:
    case IR_CAPTURE_BAD_SIGNATURE:
    case IR_CAPTURE_INVALID:
        return EXIT_REFUSED;
    default:
        return EXIT_FAILED;
    }
}

static void report(const ir_capture_result *res, bool revoke, bool already_revoked)
{
    if (revoke && res->not_revoked)
        printf("not revoked %s: a hold or its release is no revocation (journaled, nothing "
               "recorded)\n",
               res->cert_id);
    else if (revoke)
        printf("%s %s\n", already_revoked ? "revocation already recorded" : "revocation recorded",
               res->cert_id);
    else if (res->already_known)
        printf("already known %s\n", res->cert_id);
    else if (res->customer != NULL)
        printf("journaled %s for customer %s\n", res->cert_id, res->customer->id);
    else
        printf("journaled %s, %s\n", res->cert_id, res->reason);
}

/* An unknown issuer may be a SubCA whose certificate the keystore did not
 * give: the message says so. */
static int capture_failed(const publish_opts *o, const publish_env *e, const ir_capture_result *res,
                          const ir_err *err)
{
    char msg[2 * IR_ERR_MSG_MAX + 64];

    if (res->failure != IR_CAPTURE_UNKNOWN_ISSUER || e->keystore_problem[0] == '\0')
        return fail(status_for(res), o->path, err->msg);
    snprintf(msg, sizeof(msg), "%s (and the keystore could not be read: %s)", err->msg,
             e->keystore_problem);
    return fail(status_for(res), o->path, msg);
}

static int capture(const publish_opts *o, publish_env *e, const ir_der *der)
{
    ir_capture_result res;
    ir_err err = {0};
    bool already = false;
    int64_t when = 0;
    int reason = 0;
    ir_rc rc = IR_OK;

    if (o->revoke && o->reason != NULL)
        rc = ir_crl_reason_parse(o->reason, &reason, &err);
    if (rc == IR_OK && o->revoke)
        rc = parse_time(o->time, &when, &err);
    if (rc != IR_OK)
        return fail(EXIT_USAGE, NULL, err.msg);
    if (ir_subca_cert_needed(e->cfg, o->meta.subca, e->keystore_problem, &err) != IR_OK)
        return fail(EXIT_CONFIG, o->path, err.msg);
    if (o->revoke)
        rc = ir_capture_revocation(e->capture, der->data, der->len, &o->meta, reason, when, &res,
                                   &already, &err);
    else
        rc = ir_capture_certificate(e->capture, der->data, der->len, &o->meta, &res, &err);
    if (rc != IR_OK)
        return capture_failed(o, e, &res, &err);
    report(&res, o->revoke, already);
    return EXIT_DONE;
}

static int run(const publish_opts *o)
{
    publish_env env = {0};
    ir_der der = {0};
    ir_buf input;
    ir_err err = {0};
    int status = EXIT_DONE;
    ir_rc rc = ir_cert_input_read(o->path, &input, &err);

    if (rc == IR_OK)
        rc = ir_cert_input_one(input.data, input.len, &der, &err);
    ir_buf_free(&input);
    if (rc != IR_OK)
        return fail(rc == IR_ERR_NOMEM ? EXIT_FAILED : EXIT_REFUSED,
                    strcmp(o->path, "-") ? o->path : "standard input", err.msg);
    status = env_open(o, &env);
    if (status == EXIT_DONE)
        status = capture(o, &env, &der);
    env_close(&env);
    ir_der_free(&der);
    return status;
}

int main(int argc, char **argv)
{
    publish_opts o = {0};
    int status = parse_args(argc, argv, &o);

    if (status == -1) {
        usage(stdout);
        return EXIT_DONE;
    }
    if (status != 0)
        return status;
    ir_log_set_prefix("iotreg-publish");
    /* A CA may treat anything on standard error as failure: only errors go there. */
    if (!ir_log_enabled(IR_LOG_DEBUG))
        ir_log_set_level(IR_LOG_ERROR);
    return run(&o);
}
