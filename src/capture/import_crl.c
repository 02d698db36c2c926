#include "autoconf.h"

#include "capture/import_crl.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "capture/crl_reason.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"

#define CRL_FILE_MAX (64u << 20)

static ir_rc load_crl(const char *path, X509_CRL **out, ir_err *err)
{
    const unsigned char *p;
    ir_buf b;
    BIO *bio;
    ir_rc rc;

    ir_buf_init(&b, CRL_FILE_MAX);
    rc = ir_read_file(path, &b, err);
    if (rc != IR_OK)
        goto out;
    p = b.data;
    *out = b.len > 0 && b.data[0] == 0x30 ? d2i_X509_CRL(NULL, &p, (long)b.len) : NULL;
    if (*out == NULL && (bio = BIO_new_mem_buf(b.data, (int)b.len)) != NULL) {
        *out = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
        BIO_free(bio);
    }
    if (*out == NULL)
        rc = ir_err_set(err, IR_ERR_PARSE, "%s is not a CRL (PEM or DER)", path);
out:
    ir_buf_free(&b);
    return rc;
}

/* The configured SubCA that signed crl, or NULL. */
static const ir_subca_conf *crl_issuer(const ir_config *cfg, X509_CRL *crl)
{
    size_t i;

    for (i = 0; i < cfg->n_subcas; i++) {
        X509 *ca = ir_config_subca_cert(cfg, &cfg->subcas[i]);
        EVP_PKEY *key = ca != NULL ? X509_get0_pubkey(ca) : NULL;

        if (key != NULL &&
            X509_NAME_cmp(X509_get_subject_name(ca), X509_CRL_get_issuer(crl)) == 0 &&
            X509_CRL_verify(crl, key) == 1)
            return &cfg->subcas[i];
    }
    return NULL;
}

static int revoked_reason(const X509_REVOKED *r)
{
    ASN1_ENUMERATED *e = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL);
    long reason = e != NULL ? ASN1_ENUMERATED_get(e) : 0;

    ASN1_ENUMERATED_free(e);
    return reason >= 0 && reason <= 10 && reason != 7 ? (int)reason : 0;
}

/* An entry on hold (certificateHold) or taken off hold (removeFromCRL, in
 * delta CRLs) is no revocation: noted, nothing recorded. */
static bool not_a_revocation(const char *path, const char *cert_id, int reason)
{
    if (ir_crl_reason_revokes(reason))
        return false;
    ir_log_info("%s: certificate %s is listed with %s (on hold, or taken off hold), not "
                "revoked; iotreg does not deactivate on hold, nothing recorded",
                path, cert_id, ir_crl_reason_name(reason));
    return true;
}

static int64_t revoked_time_ms(const X509_REVOKED *r)
{
    struct tm tm;

    if (ASN1_TIME_to_tm(X509_REVOKED_get0_revocationDate(r), &tm) != 1)
        return ir_realtime_ms();
    return (int64_t)timegm(&tm) * 1000;
}

/* The CRL entry that lists the certificate der, or NULL. OpenSSL tells a
 * removeFromCRL entry apart (2): it is returned too, to be noted. */
static X509_REVOKED *listed(X509_CRL *crl, const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    X509_REVOKED *r = NULL;
    int found = x != NULL ? X509_CRL_get0_by_cert(crl, &r, x) : 0;

    if (found != 1 && found != 2)
        r = NULL;
    X509_free(x);
    return r;
}

typedef struct crl_walk {
    ir_journal *j;
    const char *path;
    const ir_subca_conf *subca;
    X509_CRL *crl;
    ir_crl_import_stats *st;
} crl_walk;

static ir_rc request(crl_walk *w, const char *cert_id, const X509_REVOKED *r, ir_err *err)
{
    bool already = false;
    int reason = revoked_reason(r);
    ir_rc rc;

    if (not_a_revocation(w->path, cert_id, reason)) {
        w->st->not_revoked++;
        return IR_OK;
    }
    rc = ir_journal_request_revocation(w->j, cert_id, reason, revoked_time_ms(r), &already, err);
    if (rc == IR_OK)
        already ? w->st->known++ : w->st->requested++;
    return rc;
}

/* Requests revocation of the entry when it is the SubCA's and the CRL lists it. */
static ir_rc revoke_if_listed(void *ctx, const ir_journal_entry *entry, ir_err *err)
{
    crl_walk *w = ctx;
    ir_journal_entry *e = NULL;
    X509_REVOKED *r;
    ir_rc rc;

    if (entry->subca == NULL || strcmp(entry->subca, w->subca->name) != 0)
        return IR_OK;
    rc = ir_journal_get(w->j, entry->cert_id, &e, err);
    r = rc == IR_OK ? listed(w->crl, e->der, e->der_len) : NULL;
    if (r != NULL)
        rc = request(w, e->cert_id, r, err);
    ir_journal_entry_free(e);
    return rc;
}

/* Walks the SubCA's journal entries and requests revocation of those listed. */
static ir_rc revoke_listed(ir_journal *j, const char *path, const ir_subca_conf *subca,
                           X509_CRL *crl, ir_crl_import_stats *st, ir_err *err)
{
    ir_list_filter f = {.state = -1};
    crl_walk w = {j, path, subca, crl, st};

    return ir_journal_foreach(j, &f, revoke_if_listed, &w, err);
}

ir_rc ir_import_crl(const ir_config *cfg, ir_journal *j, const char *path,
                    ir_crl_import_stats *stats, ir_err *err)
{
    const ir_subca_conf *subca;
    X509_CRL *crl = NULL;
    ir_rc rc;

    memset(stats, 0, sizeof(*stats));
    rc = load_crl(path, &crl, err);
    if (rc != IR_OK)
        return rc;
    /* A delta CRL lists only what changed since its base CRL: taken for a
     * full one, it would be misread (and its removeFromCRL entries mean
     * "no longer on hold", not "revoked"). */
    if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0) {
        rc = ir_err_set(err, IR_ERR_UNSUPPORTED,
                        "%s is a delta CRL (it has the Delta CRL Indicator extension): delta CRLs "
                        "are not supported, import the SubCA's full CRL instead; nothing was "
                        "recorded",
                        path);
        goto out;
    }
    subca = crl_issuer(cfg, crl);
    if (subca == NULL) {
        rc = ir_err_set(err, IR_ERR_INVALID_ARG,
                        "%s is not signed by a configured SubCA (its issuer and signature match "
                        "no <subca> certificate); nothing was recorded",
                        path);
        goto out;
    }
    /* A CRL that revokes nothing has no revokedCertificates (RFC 5280), for
     * which OpenSSL counts -1. */
    stats->listed = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl));
    if (stats->listed < 0)
        stats->listed = 0;
    rc = revoke_listed(j, path, subca, crl, stats, err);
    stats->absent = stats->listed - stats->requested - stats->known - stats->not_revoked;
out:
    X509_CRL_free(crl);
    return rc;
}
