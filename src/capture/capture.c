/* The shared capture path: parse, identify the issuing SubCA, attribute,
 * enqueue. */
#include "autoconf.h"

#include "capture/capture.h"
#include "capture/crl_reason.h"

#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cert_input.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"

struct ir_capture_ctx {
    const ir_config *cfg;
    ir_journal *journal; /* one of these two */
    ir_spool *spool;
    ir_cert_source source;
};

static const char *const failure_names[] = {
    [IR_CAPTURE_OK] = "ok",
    [IR_CAPTURE_NOT_CERT] = "not a certificate",
    [IR_CAPTURE_UNKNOWN_ISSUER] = "unknown issuer",
    [IR_CAPTURE_BAD_SIGNATURE] = "bad signature",
    [IR_CAPTURE_INVALID] = "invalid request",
    [IR_CAPTURE_JOURNAL] = "journal failure",
    [IR_CAPTURE_INTERNAL] = "internal error",
};

const char *ir_capture_failure_name(ir_capture_failure f)
{
    return (unsigned)f <= IR_CAPTURE_INTERNAL ? failure_names[f] : "unknown";
}

static ir_rc ctx_new(const ir_config *cfg, ir_journal *journal, ir_spool *spool,
                     ir_cert_source source, ir_capture_ctx **out, ir_err *err)
{
    ir_capture_ctx *ctx;

    *out = NULL;
    if (cfg == NULL || (journal == NULL && spool == NULL) || (unsigned)source >= IR_SOURCE_COUNT)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "capture needs a configuration and a journal");
    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    ctx->cfg = cfg;
    ctx->journal = journal;
    ctx->spool = spool;
    ctx->source = source;
    *out = ctx;
    return IR_OK;
}

ir_rc ir_capture_ctx_new(const ir_config *cfg, ir_journal *journal, ir_cert_source source,
                         ir_capture_ctx **out, ir_err *err)
{
    return ctx_new(cfg, journal, NULL, source, out, err);
}

ir_rc ir_capture_ctx_new_spooled(const ir_config *cfg, ir_spool *spool, ir_cert_source source,
                                 ir_capture_ctx **out, ir_err *err)
{
    return ctx_new(cfg, NULL, spool, source, out, err);
}

void ir_capture_ctx_free(ir_capture_ctx *ctx)
{
    free(ctx);
}

static ir_rc fail(ir_capture_result *out, ir_capture_failure f, ir_rc rc)
{
    out->failure = f;
    return rc;
}

static void name_text(const X509_NAME *name, char *buf, size_t n)
{
    X509_NAME_oneline(name, buf, (int)n);
}

/* A configured SubCA whose certificate's subject is cert's issuer name. */
static const ir_subca_conf *named_like(const ir_config *cfg, X509 *cert)
{
    size_t i;
    X509 *ca;

    for (i = 0; i < cfg->n_subcas; i++) {
        ca = ir_config_subca_cert(cfg, &cfg->subcas[i]);
        if (ca != NULL && X509_NAME_cmp(X509_get_subject_name(ca), X509_get_issuer_name(cert)) == 0)
            return &cfg->subcas[i];
    }
    return NULL;
}

/* The configured SubCAs, for an error message: "a, b (certificate unknown)". */
static void list_subcas(const ir_config *cfg, char *buf, size_t n)
{
    ir_buf b;
    size_t i;

    ir_buf_init(&b, n - 1);
    for (i = 0; i < cfg->n_subcas; i++)
        ir_buf_appendf(&b, NULL, "%s%s%s", i ? ", " : "", cfg->subcas[i].name,
                       ir_config_subca_cert(cfg, &cfg->subcas[i]) ? "" : " (certificate unknown)");
    snprintf(buf, n, "%s", cfg->n_subcas ? ir_buf_cstr(&b) : "none");
    ir_buf_free(&b);
}

static ir_rc refuse_issuer(const ir_config *cfg, X509 *cert, ir_capture_result *out, ir_err *err)
{
    const ir_subca_conf *alike = named_like(cfg, cert);
    char issuer[256], subcas[512];

    name_text(X509_get_issuer_name(cert), issuer, sizeof(issuer));
    if (alike != NULL)
        return fail(out, IR_CAPTURE_BAD_SIGNATURE,
                    ir_err_set(err, IR_ERR_CRYPTO,
                               "the certificate names SubCA '%s' (%s) as its issuer, but its "
                               "signature does not verify with that SubCA's key; nothing was "
                               "journaled",
                               alike->name, issuer));
    list_subcas(cfg, subcas, sizeof(subcas));
    return fail(out, IR_CAPTURE_UNKNOWN_ISSUER,
                ir_err_set(err, IR_ERR_NOT_FOUND,
                           "the certificate's issuer %s is no configured SubCA (configured: %s); "
                           "nothing was journaled. Add the SubCA to the configuration, with "
                           "its certificate in <cert-file> or in the keystore",
                           issuer, subcas));
}

/* The issuing SubCA: proven by signature when its certificate is known; on
 * the CA's word only for a SubCA whose certificate is not. */
static ir_rc identify(const ir_config *cfg, X509 *cert, const ir_cert_meta *meta,
                      ir_capture_result *out, ir_err *err)
{
    const ir_subca_conf *named = meta != NULL ? ir_config_subca(cfg, meta->subca) : NULL;
    ir_rc rc = ir_find_issuing_subca(cfg, cert, &out->subca, err);

    if (rc != IR_OK)
        return fail(out, IR_CAPTURE_INTERNAL, rc);
    if (out->subca != NULL)
        return IR_OK;
    if (named != NULL && ir_config_subca_cert(cfg, named) == NULL) {
        ir_log_debug("SubCA %s taken on the CA's word: its certificate is not configured",
                     named->name);
        out->subca = named;
        return IR_OK;
    }
    return refuse_issuer(cfg, cert, out, err);
}

/* Attribution identifies the issuing SubCA as well (checking the signature
 * when the SubCA's certificate is known), so the common case verifies once;
 * identify() runs only when it found none, to refuse the certificate or, when
 * the CA named another SubCA, to record the one that really issued it. */
static ir_rc attribute(const ir_config *cfg, X509 *cert, const ir_cert_meta *meta,
                       ir_capture_result *out, ir_err *err)
{
    ir_attribution a;
    ir_rc rc = ir_attribute_x509(cfg, cert, meta, &a, err);

    if (rc != IR_OK)
        return fail(out, IR_CAPTURE_INTERNAL, rc);
    out->customer = a.customer;
    out->subca = a.subca;
    snprintf(out->reason, sizeof(out->reason), "%s", a.reason);
    return a.subca != NULL ? IR_OK : identify(cfg, cert, meta, out, err);
}

/* The journal checks the request and computes the certificate id once
 * (ir_enqueue_check); the checked request goes to the journal or its spool. */
static ir_rc enqueue(ir_capture_ctx *ctx, const unsigned char *der, size_t len,
                     const ir_cert_meta *meta, ir_capture_result *out, ir_err *err)
{
    ir_enqueue_req req = {
        .der = der,
        .der_len = len,
        .subca = out->subca->name,
        .customer = out->customer ? out->customer->id : NULL,
        .unattributed_reason = out->customer ? NULL : out->reason,
        .source = ctx->source,
        .end_entity = meta ? meta->end_entity : NULL,
        .profile = meta ? meta->profile : NULL,
    };
    ir_checked_req c;
    ir_rc rc = ir_enqueue_check(&req, &c, err);

    if (rc == IR_OK) {
        memcpy(out->cert_id, c.cert_id, sizeof(out->cert_id));
        rc = ctx->spool != NULL
                 ? ir_spool_append_checked(ctx->spool, &c, err)
                 : ir_journal_enqueue_checked(ctx->journal, &c, &out->already_known, err);
    } else if (rc != IR_ERR_INVALID_ARG && rc != IR_ERR_TOO_LARGE) {
        return fail(out, IR_CAPTURE_INTERNAL, rc); /* hashing failed */
    }
    if (rc == IR_ERR_INVALID_ARG || rc == IR_ERR_TOO_LARGE)
        return fail(out, IR_CAPTURE_INVALID, rc);
    return rc == IR_OK ? IR_OK : fail(out, IR_CAPTURE_JOURNAL, rc);
}

ir_rc ir_capture_x509(ir_capture_ctx *ctx, X509 *cert, const unsigned char *der, size_t len,
                      const ir_cert_meta *meta, ir_capture_result *out, ir_err *err)
{
    ir_rc rc;

    memset(out, 0, sizeof(*out));
    if (ctx == NULL || cert == NULL || der == NULL)
        return fail(out, IR_CAPTURE_INVALID,
                    ir_err_set(err, IR_ERR_INVALID_ARG, "capture: no context or no certificate"));
    rc = attribute(ctx->cfg, cert, meta, out, err);
    ERR_clear_error();
    return rc == IR_OK ? enqueue(ctx, der, len, meta, out, err) : rc;
}

ir_rc ir_capture_certificate(ir_capture_ctx *ctx, const unsigned char *der, size_t len,
                             const ir_cert_meta *meta, ir_capture_result *out, ir_err *err)
{
    X509 *cert = NULL;
    ir_rc rc;

    memset(out, 0, sizeof(*out));
    if (ctx == NULL || der == NULL)
        return fail(out, IR_CAPTURE_INVALID,
                    ir_err_set(err, IR_ERR_INVALID_ARG, "capture: no context or no certificate"));
    rc = ir_cert_check_der(der, len, &cert, err);
    if (rc != IR_OK)
        return fail(out, IR_CAPTURE_NOT_CERT, rc);
    rc = ir_capture_x509(ctx, cert, der, len, meta, out, err);
    X509_free(cert);
    return rc;
}

ir_rc ir_capture_revocation(ir_capture_ctx *ctx, const unsigned char *der, size_t len,
                            const ir_cert_meta *meta, int reason, int64_t revocation_time_ms,
                            ir_capture_result *out, bool *already_requested, ir_err *err)
{
    ir_rc rc;

    *already_requested = false;
    memset(out, 0, sizeof(*out));
    if (!ir_revocation_reason_valid(reason))
        return fail(out, IR_CAPTURE_INVALID,
                    ir_err_set(err, IR_ERR_INVALID_ARG,
                               "revocation reason %d is no RFC 5280 CRLReason (0-6, 8-10)",
                               reason));
    if (ctx != NULL && ctx->journal == NULL)
        return fail(out, IR_CAPTURE_INVALID,
                    ir_err_set(err, IR_ERR_UNSUPPORTED,
                               "capture: revocations go to the journal, not to its spool"));
    rc = ir_capture_certificate(ctx, der, len, meta, out, err);
    if (rc != IR_OK)
        return rc;
    if (!ir_crl_reason_revokes(reason)) {
        out->not_revoked = true;
        return IR_OK;
    }
    if (revocation_time_ms == 0)
        revocation_time_ms = ir_realtime_ms();
    rc = ir_journal_request_revocation(ctx->journal, out->cert_id, reason, revocation_time_ms,
                                       already_requested, err);
    if (rc == IR_ERR_INVALID_ARG)
        return fail(out, IR_CAPTURE_INVALID, rc);
    return rc == IR_OK ? IR_OK : fail(out, IR_CAPTURE_JOURNAL, rc);
}
