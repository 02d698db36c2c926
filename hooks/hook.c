/* iotreg_hook.so: the C ABI of hooks/iotreg_hook.h over the capture path. */
#include "autoconf.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/runtime.h"
#include "app/subca_certs.h"
#include "capture/cert_input.h"
#include "capture/crl_reason.h"
#include "config/config.h"
#include "config/load.h"
#include "core/log.h"
#include "core/util.h"
#include "hook_internal.h"
#include "journal/journal.h"

/* Marks a live handle, so a stale or foreign pointer is refused rather than
 * used (best effort: it cannot catch everything a freed pointer may hold). */
#define HOOK_MAGIC 0x69726831u /* "irh1" */

struct iotreg_hook {
    uint32_t magic;
    char *config_path;
    ir_config *cfg;
    ir_journal *journal;
    ir_capture_ctx *capture;
    /* Why a SubCA's certificate kept only in the keystore could not be read
     * at init ("" when all were): its certificates are refused. */
    char keystore_problem[IR_ERR_MSG_MAX];
};

/* The certificate the host handed over, as DER. */
typedef struct hook_input {
    const unsigned char *der;
    size_t len;
    ir_der owned; /* set when the input was PEM */
} hook_input;

int iotreg_hook_abi_version(void)
{
    return IOTREG_HOOK_ABI_VERSION;
}

static void hook_free(iotreg_hook *h)
{
    if (h == NULL)
        return;
    h->magic = 0;
    ir_capture_ctx_free(h->capture);
    ir_journal_close(h->journal);
    ir_config_free(h->cfg);
    free(h->config_path);
    free(h);
}

static int init_fail(iotreg_hook *h, int code, const ir_err *err, char *errbuf, size_t errlen)
{
    hook_free(h);
    return hook_fail(code, err->msg, errbuf, errlen);
}

static int load_config(iotreg_hook *h, ir_err *err)
{
    ir_rc rc = ir_config_load(h->config_path, &h->cfg, err);

    if (rc == IR_OK)
        rc = ir_config_check_files(h->cfg, IR_CONFIG_NEED_CERTS, NULL, NULL, err);
    return rc == IR_OK ? IOTREG_HOOK_OK : hook_code_for_config(rc);
}

/* SubCAs configured without <cert-file>: their certificates come from the
 * keystore, once, before the handle is shared between threads. A failure
 * is no reason to refuse the other SubCAs' certificates. */
static void read_keystore_certs(iotreg_hook *h)
{
    ir_err err = {0};

    if (ir_subca_certs_from_keystore(h->cfg, &err) == IR_OK)
        return;
    snprintf(h->keystore_problem, sizeof(h->keystore_problem), "%s", err.msg);
    ir_log_warn("%s; certificates of a SubCA whose certificate is only in the keystore are refused "
                "until the hook is initialised again",
                err.msg);
}

static int open_journal(iotreg_hook *h, ir_err *err)
{
    ir_rc rc = ir_runtime_open_journal(h->cfg, &h->journal, err);

    if (rc == IR_ERR_CONFIG || rc == IR_ERR_UNSUPPORTED)
        return IOTREG_HOOK_ECONFIG;
    if (rc == IR_OK)
        rc = ir_capture_ctx_new(h->cfg, h->journal, IR_SOURCE_HOOK, &h->capture, err);
    return rc == IR_OK ? IOTREG_HOOK_OK : hook_code_for_rc(rc, IOTREG_HOOK_EJOURNAL);
}

int iotreg_hook_init(const char *config_path, iotreg_hook **out, char *errbuf, size_t errlen)
{
    ir_err err = {0};
    iotreg_hook *h;
    int code;

    if (out == NULL)
        return hook_fail(IOTREG_HOOK_EINVAL, "iotreg_hook_init: out is NULL", errbuf, errlen);
    *out = NULL;
    hook_log_install();
    h = calloc(1, sizeof(*h));
    if (h == NULL || (h->config_path = strdup(ir_config_resolve_path(config_path))) == NULL) {
        free(h);
        return hook_fail(IOTREG_HOOK_ENOMEM, "iotreg_hook_init: out of memory", errbuf, errlen);
    }
    code = load_config(h, &err);
    if (code == IOTREG_HOOK_OK) {
        read_keystore_certs(h);
        code = open_journal(h, &err);
    }
    if (code != IOTREG_HOOK_OK)
        return init_fail(h, code, &err, errbuf, errlen);
    h->magic = HOOK_MAGIC;
    *out = h;
    return hook_ok(IOTREG_HOOK_OK, errbuf, errlen);
}

void iotreg_hook_fini(iotreg_hook *h)
{
    if (h != NULL && h->magic == HOOK_MAGIC)
        hook_free(h);
}

static int check_handle(const iotreg_hook *h, char *errbuf, size_t errlen)
{
    if (h == NULL || h->magic != HOOK_MAGIC)
        return hook_fail(IOTREG_HOOK_EINVAL,
                         "not a live iotreg hook handle (NULL, or already finished)", errbuf,
                         errlen);
    return IOTREG_HOOK_OK;
}

/* DER is used as given; PEM (exactly one certificate) is decoded first. */
static int take_input(const unsigned char *data, size_t len, hook_input *in, char *errbuf,
                      size_t errlen)
{
    ir_err err = {0};
    ir_rc rc;

    memset(in, 0, sizeof(*in));
    if (data == NULL || len == 0)
        return hook_fail(IOTREG_HOOK_ENOTCERT, "empty input: no certificate", errbuf, errlen);
    in->der = data;
    in->len = len;
    if (data[0] == 0x30)
        return IOTREG_HOOK_OK;
    rc = ir_cert_input_one(data, len, &in->owned, &err);
    if (rc != IR_OK)
        return hook_fail(rc == IR_ERR_NOMEM ? IOTREG_HOOK_ENOMEM : IOTREG_HOOK_ENOTCERT, err.msg,
                         errbuf, errlen);
    in->der = in->owned.data;
    in->len = in->owned.len;
    return IOTREG_HOOK_OK;
}

#define META_HAS(m, field)                                                                         \
    ((m)->struct_size >= offsetof(iotreg_hook_metadata, field) + sizeof((m)->field))

/* Revocation times are checked before any arithmetic on them (iotreg_hook.h:
 * 0 = now, else 1 to IOTREG_HOOK_TIME_MAX); ms: the time in milliseconds,
 * 0 for now. */
static int take_time(int64_t secs, int64_t *ms, char *errbuf, size_t errlen)
{
    char msg[256];

    if (secs >= 0 && secs <= IOTREG_HOOK_TIME_MAX) {
        *ms = secs * 1000;
        return IOTREG_HOOK_OK;
    }
    snprintf(msg, sizeof(msg),
             "revocation time %" PRId64 " is out of range: give seconds since the epoch from 1 "
             "to %" PRId64 " (9999-12-31T23:59:59Z), or 0 for now",
             secs, IOTREG_HOOK_TIME_MAX);
    return hook_fail(IOTREG_HOOK_EINVAL, msg, errbuf, errlen);
}

typedef struct hook_meta {
    ir_cert_meta meta;
    int status;
    int reason;
    int64_t time_ms; /* 0: now */
} hook_meta;

/* Reads only the fields the host's struct_size covers. */
static int read_meta(const iotreg_hook_metadata *m, hook_meta *out, char *errbuf, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (m == NULL)
        return IOTREG_HOOK_OK;
    if (m->struct_size < offsetof(iotreg_hook_metadata, end_entity) + sizeof(m->end_entity))
        return hook_fail(IOTREG_HOOK_EINVAL,
                         "metadata: set struct_size to sizeof(iotreg_hook_metadata)", errbuf,
                         errlen);
    out->meta.end_entity = m->end_entity;
    out->meta.profile = META_HAS(m, profile) ? m->profile : NULL;
    out->meta.subca = META_HAS(m, subca) ? m->subca : NULL;
    out->status = META_HAS(m, status) ? m->status : IOTREG_HOOK_CERT_ACTIVE;
    out->reason = META_HAS(m, revocation_reason) ? m->revocation_reason : 0;
    if (out->status != IOTREG_HOOK_CERT_ACTIVE && out->status != IOTREG_HOOK_CERT_REVOKED)
        return hook_fail(IOTREG_HOOK_EINVAL, "metadata: unknown certificate status", errbuf,
                         errlen);
    if (out->status != IOTREG_HOOK_CERT_REVOKED || !META_HAS(m, revocation_time))
        return IOTREG_HOOK_OK;
    return take_time(m->revocation_time, &out->time_ms, errbuf, errlen);
}

/* An unknown issuer may be a SubCA whose certificate the keystore did not
 * give: the message says so. */
static int capture_failed(const iotreg_hook *h, const ir_capture_result *res, ir_rc rc,
                          const ir_err *err, char *errbuf, size_t errlen)
{
    char msg[2 * IR_ERR_MSG_MAX + 64];
    int code = hook_code_for_capture(res->failure, rc);

    if (res->failure != IR_CAPTURE_UNKNOWN_ISSUER || h->keystore_problem[0] == '\0')
        return hook_fail(code, err->msg, errbuf, errlen);
    snprintf(msg, sizeof(msg), "%s (and the keystore could not be read at init: %s)", err->msg,
             h->keystore_problem);
    return hook_fail(code, msg, errbuf, errlen);
}

/* Captures in, with a revocation when revoke is set; ALREADY_KNOWN when
 * nothing new was recorded. */
static int capture(iotreg_hook *h, const hook_input *in, const hook_meta *m, bool revoke,
                   char *errbuf, size_t errlen)
{
    ir_capture_result res;
    ir_err err = {0};
    bool already = false;
    ir_rc rc;

    /* Without its certificate, a SubCA's signature cannot be checked. */
    if (ir_subca_cert_needed(h->cfg, m->meta.subca, h->keystore_problem, &err) != IR_OK)
        return hook_fail(IOTREG_HOOK_ECONFIG, err.msg, errbuf, errlen);
    if (revoke)
        rc = ir_capture_revocation(h->capture, in->der, in->len, &m->meta, m->reason, m->time_ms,
                                   &res, &already, &err);
    else
        rc = ir_capture_certificate(h->capture, in->der, in->len, &m->meta, &res, &err);
    if (rc != IR_OK)
        return capture_failed(h, &res, rc, &err, errbuf, errlen);
    if (revoke && res.not_revoked)
        ir_log_info("%s: reason %d is a hold or its release, not a revocation: nothing recorded",
                    res.cert_id, m->reason);
    if (revoke ? already : res.already_known)
        return hook_ok(IOTREG_HOOK_ALREADY_KNOWN, errbuf, errlen);
    return hook_ok(IOTREG_HOOK_OK, errbuf, errlen);
}

int iotreg_hook_store_certificate(iotreg_hook *h, const unsigned char *der, size_t der_len,
                                  const iotreg_hook_metadata *meta, char *errbuf, size_t errlen)
{
    hook_input in;
    hook_meta m;
    int code = check_handle(h, errbuf, errlen);

    if (code == IOTREG_HOOK_OK)
        code = read_meta(meta, &m, errbuf, errlen);
    if (code == IOTREG_HOOK_OK)
        code = take_input(der, der_len, &in, errbuf, errlen);
    if (code != IOTREG_HOOK_OK)
        return code;
    code = capture(h, &in, &m, m.status == IOTREG_HOOK_CERT_REVOKED, errbuf, errlen);
    ir_der_free(&in.owned);
    return code;
}

int iotreg_hook_revoke(iotreg_hook *h, const unsigned char *der, size_t der_len, int reason,
                       int64_t revocation_time, char *errbuf, size_t errlen)
{
    hook_input in;
    hook_meta m = {.reason = reason};
    int code = check_handle(h, errbuf, errlen);

    if (code == IOTREG_HOOK_OK)
        code = take_time(revocation_time, &m.time_ms, errbuf, errlen);
    if (code == IOTREG_HOOK_OK)
        code = take_input(der, der_len, &in, errbuf, errlen);
    if (code != IOTREG_HOOK_OK)
        return code;
    code = capture(h, &in, &m, true, errbuf, errlen);
    ir_der_free(&in.owned);
    return code;
}

int iotreg_hook_revoke_id(iotreg_hook *h, const char *cert_id, int reason, int64_t revocation_time,
                          char *errbuf, size_t errlen)
{
    int64_t when = 0;
    bool already = false;
    ir_err err = {0};
    ir_rc rc;
    int code = check_handle(h, errbuf, errlen);

    if (code == IOTREG_HOOK_OK)
        code = take_time(revocation_time, &when, errbuf, errlen);
    if (code != IOTREG_HOOK_OK)
        return code;
    if (when == 0)
        when = ir_realtime_ms();
    if (ir_revocation_reason_valid(reason) && !ir_crl_reason_revokes(reason)) {
        ir_log_info("%s: reason %d is a hold or its release, not a revocation: nothing recorded",
                    cert_id, reason);
        return hook_ok(IOTREG_HOOK_OK, errbuf, errlen);
    }
    rc = ir_journal_request_revocation(h->journal, cert_id, reason, when, &already, &err);
    if (rc != IR_OK)
        return hook_fail(hook_code_for_rc(rc, IOTREG_HOOK_EJOURNAL), err.msg, errbuf, errlen);
    return hook_ok(already ? IOTREG_HOOK_ALREADY_KNOWN : IOTREG_HOOK_OK, errbuf, errlen);
}

int iotreg_hook_test_connection(iotreg_hook *h, char *errbuf, size_t errlen)
{
    ir_config *fresh = NULL;
    ir_err err = {0};
    ir_rc rc;
    int code = check_handle(h, errbuf, errlen);

    if (code != IOTREG_HOOK_OK)
        return code;
    rc = ir_config_load(h->config_path, &fresh, &err);
    ir_config_free(fresh);
    if (rc != IR_OK)
        return hook_fail(hook_code_for_config(rc), err.msg, errbuf, errlen);
    rc = ir_journal_check_writable(h->journal, &err);
    if (rc != IR_OK)
        return hook_fail(hook_code_for_rc(rc, IOTREG_HOOK_EJOURNAL), err.msg, errbuf, errlen);
    /* Certificates of a SubCA kept only in the keystore are being refused. */
    if (h->keystore_problem[0] != '\0') {
        ir_err_set(&err, IR_ERR_CONFIG, "the keystore could not be read at init: %s",
                   h->keystore_problem);
        return hook_fail(IOTREG_HOOK_ECONFIG, err.msg, errbuf, errlen);
    }
    return hook_ok(IOTREG_HOOK_OK, errbuf, errlen);
}
