#include "autoconf.h"

#include "provider/tap.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "app/settings.h"
#include "app/subca_certs.h"
#include "capture/capture.h"
#include "capture/cert_input.h"
#include "capture/tbs.h"
#include "config/config.h"
#include "core/log.h"
#include "keystore/uri.h"
#include "provider/errors.h"

/* Per provider instance, opened on the first signature with a tapped key. */
struct ir_tap {
    ir_spool *spool; /* the journal's spool: one append and fdatasync a certificate */
    ir_capture_ctx *capture;
};

void ir_tap_free(ir_tap *tap)
{
    if (tap == NULL)
        return;
    ir_capture_ctx_free(tap->capture);
    ir_spool_close(tap->spool);
    free(tap);
}

/* The provider's configuration (read once, shared with the keystore); NULL
 * when it cannot be read (the keystore could not be opened either then). */
static const ir_config *tap_config(ir_prov_ctx *prov)
{
    ir_keystore_opts unused;
    const ir_config *cfg;

    pthread_mutex_lock(&prov->lock);
    if (prov->cfg == NULL)
        ir_prov_keystore_opts(prov, &unused, NULL);
    cfg = prov->cfg;
    pthread_mutex_unlock(&prov->lock);
    return cfg;
}

/* The tap writes to the journal's spool, not to the journal: an openssl ca
 * process lives for one certificate, and opening the SQLite journal in each
 * would cost it about three times what the spool's append does. */
static ir_rc open_spool(const ir_config *cfg, ir_spool **out, ir_err *err)
{
    ir_journal_opts opts;

    ir_journal_opts_from_config(cfg, &opts);
    return ir_journal_spool_open(&opts, out, err);
}

/* The spool and capture context, opened on the first tapped signature. */
static ir_capture_ctx *tap_capture(ir_prov_ctx *prov)
{
    ir_tap *tap;
    ir_err err = {0};
    ir_rc rc = IR_OK;
    ir_capture_ctx *capture;

    pthread_mutex_lock(&prov->lock);
    tap = prov->tap;
    if (tap == NULL && (tap = prov->tap = calloc(1, sizeof(*tap))) == NULL)
        rc = ir_err_set(&err, IR_ERR_NOMEM, "out of memory");
    if (rc == IR_OK && tap->spool == NULL)
        rc = open_spool(prov->cfg, &tap->spool, &err);
    if (rc == IR_OK && tap->capture == NULL) {
        /* SubCAs kept only in the keystore: capture needs their certificates. */
        if (prov->ks != NULL)
            ir_subca_certs_read(prov->cfg, prov->ks, NULL);
        rc = ir_capture_ctx_new_spooled(prov->cfg, tap->spool, IR_SOURCE_TAP, &tap->capture, &err);
    }
    capture = tap != NULL ? tap->capture : NULL;
    pthread_mutex_unlock(&prov->lock);
    if (rc != IR_OK)
        IR_PROV_ERR(prov, IOTREG_R_TAP, "issuance tap: %s", err.msg);
    return capture;
}

/* The SubCA whose key is labelled label, when its tap is on. */
static const ir_subca_conf *tapped_subca(const ir_config *cfg, const char *label)
{
    ir_ks_uri uri;
    size_t i;

    for (i = 0; cfg != NULL && i < cfg->n_subcas; i++) {
        const ir_subca_conf *s = &cfg->subcas[i];

        if (!s->tap)
            continue;
        if (strcmp(ir_subca_key_label(s, &uri), label) == 0)
            return s;
    }
    return NULL;
}

/* Capture checks the signature with the SubCA certificate's public key, which
 * proves at once that the rebuilt DER is what the key signed and that the
 * configured certificate is this key's. */
static int capture(ir_prov_ctx *prov, ir_capture_ctx *cap, const ir_subca_conf *subca, X509 *x,
                   const unsigned char *der, size_t len)
{
    ir_cert_meta meta = {.subca = subca->name};
    ir_capture_result res;
    ir_err err = {0};

    if (ir_capture_x509(cap, x, der, len, &meta, &res, &err) != IR_OK) {
        IR_PROV_ERR(prov, IOTREG_R_TAP,
                    "the certificate just signed could not be journaled, so the signature "
                    "is withheld: %s%s",
                    err.msg,
                    res.failure == IR_CAPTURE_BAD_SIGNATURE
                        ? " (is the SubCA's configured certificate the one for this key?)"
                        : "");
        return 0;
    }
    ir_log_debug("tap: %s journaled for %s%s", res.cert_id,
                 res.customer != NULL ? res.customer->id : "nobody (unattributed)",
                 res.already_known ? " (already known)" : "");
    return 1;
}

/* Without a certificate for the SubCA (none configured, none in the token)
 * capture would take the SubCA on our word: the tap checks the signature
 * itself, with the key's public half. */
static int checked_without_cert(ir_prov_ctx *prov, const ir_pkey *key, const ir_subca_conf *subca,
                                X509 *x)
{
    if (ir_config_subca_cert(prov->cfg, subca) != NULL || X509_verify(x, key->pub) == 1)
        return 1;
    IR_PROV_ERR(prov, IOTREG_R_TAP,
                "the rebuilt certificate does not verify with %s's public key; the signature is "
                "withheld",
                key->priv.label);
    return 0;
}

int ir_tap_wants(ir_prov_ctx *prov, const ir_pkey *key)
{
    return tapped_subca(tap_config(prov), key->priv.label) != NULL;
}

int ir_tap_fault(const char *point)
{
#ifdef IR_FAULT_INJECTION
    const char *at = getenv("IOTREG_TAP_FAULT");

    return at != NULL && strcmp(at, point) == 0;
#else
    (void)point;
    return 0;
#endif
}

/* The certificate msg makes with algid and sig, parsed, and within the
 * journal's cap; NULL (the error raised) otherwise. *der is its encoding. */
static X509 *rebuilt_certificate(ir_prov_ctx *prov, const ir_pkey *key, const unsigned char *msg,
                                 size_t msglen, const unsigned char *algid, size_t algid_len,
                                 const unsigned char *sig, size_t siglen, unsigned char **der,
                                 size_t *len)
{
    X509 *x;

    *der = ir_tap_fault("rebuild")
               ? NULL
               : ir_tbs_rebuild(msg, msglen, algid, algid_len, sig, siglen, len);
    if (*der == NULL) {
        IR_PROV_ERR(prov, IOTREG_R_TAP,
                    "issuance tap: out of memory rebuilding the certificate signed with '%s'; "
                    "the signature is withheld",
                    key->priv.label);
        return NULL;
    }
    x = ir_tap_fault("parse") ? NULL : ir_tbs_parse_rebuilt(*der, *len);
    if (x == NULL)
        IR_PROV_ERR(prov, IOTREG_R_TAP,
                    "issuance tap: '%s' was asked to sign %zu bytes that begin like a "
                    "TBSCertificate but do not rebuild into a certificate that parses (or memory "
                    "ran out); a tapped key signs certificates, CRLs, OCSP responses and "
                    "requests, so the signature is withheld",
                    key->priv.label, msglen);
    else if (*len > IR_CERT_MAX_DER)
        IR_PROV_ERR(prov, IOTREG_R_TAP,
                    "issuance tap: the certificate signed with '%s' is %zu bytes, above the "
                    "journal's cap of %u bytes, so it cannot be journaled and the signature is "
                    "withheld: issue a smaller certificate",
                    key->priv.label, *len, (unsigned)IR_CERT_MAX_DER);
    if (x != NULL && *len <= IR_CERT_MAX_DER)
        return x;
    X509_free(x);
    free(*der);
    *der = NULL;
    return NULL;
}

int ir_tap_signed(ir_prov_ctx *prov, const ir_pkey *key, const unsigned char *msg, size_t msglen,
                  const unsigned char *algid, size_t algid_len, const unsigned char *sig,
                  size_t siglen)
{
    const ir_subca_conf *subca = tapped_subca(tap_config(prov), key->priv.label);
    ir_capture_ctx *cap;
    unsigned char *der = NULL;
    size_t len = 0;
    X509 *x;
    int ok;

    if (subca == NULL)
        return 1;
    if (msg == NULL || algid == NULL) {
        IR_PROV_ERR(prov, IOTREG_R_TAP,
                    "issuance tap: nothing to journal for what '%s' signed; the signature is "
                    "withheld",
                    key->priv.label);
        return 0;
    }
    x = rebuilt_certificate(prov, key, msg, msglen, algid, algid_len, sig, siglen, &der, &len);
    if (x == NULL)
        return 0;
    cap = tap_capture(prov);
    ok = cap != NULL && checked_without_cert(prov, key, subca, x) &&
         capture(prov, cap, subca, x, der, len);
    X509_free(x);
    free(der);
    return ok;
}
