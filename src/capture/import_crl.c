/* Revocations from a CRL: the parse (bytes to signed, checked entries) and
 * the import (the entries applied to the journal). */
#include "autoconf.h"

#include "capture/import_crl.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "capture/crl_reason.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"

#define CRL_FILE_MAX (64u << 20)

/* --- the parse ----------------------------------------------------------- */

static X509_CRL *decode(const unsigned char *data, size_t len)
{
    const unsigned char *p = data;
    X509_CRL *crl = len > 0 && data[0] == 0x30 ? d2i_X509_CRL(NULL, &p, (long)len) : NULL;
    BIO *bio;

    if (crl == NULL && len <= INT_MAX && (bio = BIO_new_mem_buf(data, (int)len)) != NULL) {
        crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
        BIO_free(bio);
    }
    return crl;
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

static int64_t revoked_time_ms(const X509_REVOKED *r)
{
    struct tm tm;

    if (ASN1_TIME_to_tm(X509_REVOKED_get0_revocationDate(r), &tm) != 1)
        return ir_realtime_ms();
    return (int64_t)timegm(&tm) * 1000;
}

static void read_entry(const X509_REVOKED *r, ir_crl_entry *e)
{
    e->serial = X509_REVOKED_get0_serialNumber(r);
    e->reason = revoked_reason(r);
    e->revoked_ms = revoked_time_ms(r);
    e->revokes = ir_crl_reason_revokes(e->reason);
}

/* A CRL that revokes nothing has no revokedCertificates (RFC 5280), for
 * which OpenSSL counts -1. */
static ir_rc read_entries(ir_crl *crl, ir_err *err)
{
    STACK_OF(X509_REVOKED) *revoked = X509_CRL_get_REVOKED(crl->x509);
    int n = sk_X509_REVOKED_num(revoked);
    int i;

    if (n <= 0)
        return IR_OK;
    crl->entries = calloc((size_t)n, sizeof(*crl->entries));
    if (crl->entries == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory reading the CRL's %d entries", n);
    for (i = 0; i < n; i++)
        read_entry(sk_X509_REVOKED_value(revoked, i), &crl->entries[i]);
    crl->n_entries = (size_t)n;
    return IR_OK;
}

/* Whether the CRL can be taken as the SubCA's full list of revocations. */
static ir_rc check(const ir_config *cfg, ir_crl *crl, const char *name, ir_err *err)
{
    /* A delta CRL lists only what changed since its base CRL: taken for a
     * full one, it would be misread (and its removeFromCRL entries mean
     * "no longer on hold", not "revoked"). */
    if (X509_CRL_get_ext_by_NID(crl->x509, NID_delta_crl, -1) >= 0)
        return ir_err_set(err, IR_ERR_UNSUPPORTED,
                          "%s is a delta CRL (it has the Delta CRL Indicator extension): delta "
                          "CRLs are not supported, import the SubCA's full CRL instead; nothing "
                          "was recorded",
                          name);
    crl->subca = crl_issuer(cfg, crl->x509);
    if (crl->subca == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "%s is not signed by a configured SubCA (its issuer and signature "
                          "match no <subca> certificate); nothing was recorded",
                          name);
    return IR_OK;
}

ir_rc ir_crl_parse(const ir_config *cfg, const unsigned char *data, size_t len, const char *name,
                   ir_crl **out, ir_err *err)
{
    ir_crl *crl = calloc(1, sizeof(*crl));
    ir_rc rc;

    *out = NULL;
    if (crl == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory reading a CRL");
    crl->x509 = decode(data, len);
    if (crl->x509 == NULL)
        rc = ir_err_set(err, IR_ERR_PARSE, "%s is not a CRL (PEM or DER)", name);
    else
        rc = check(cfg, crl, name, err);
    if (rc == IR_OK)
        rc = read_entries(crl, err);
    ERR_clear_error();
    if (rc != IR_OK) {
        ir_crl_free(crl);
        return rc;
    }
    *out = crl;
    return IR_OK;
}

void ir_crl_free(ir_crl *crl)
{
    if (crl == NULL)
        return;
    X509_CRL_free(crl->x509);
    free(crl->entries);
    free(crl);
}

/* OpenSSL tells a removeFromCRL entry apart (2): it is listed too, to be noted. */
bool ir_crl_lookup(const ir_crl *crl, X509 *cert, ir_crl_entry *out)
{
    X509_REVOKED *r = NULL;
    int found = X509_CRL_get0_by_cert(crl->x509, &r, cert);

    if ((found != 1 && found != 2) || r == NULL)
        return false;
    read_entry(r, out);
    return true;
}

/* --- the import ---------------------------------------------------------- */

/* An entry on hold (certificateHold) or taken off hold (removeFromCRL, in
 * delta CRLs) is no revocation: noted, nothing recorded. */
static bool not_a_revocation(const char *name, const char *cert_id, const ir_crl_entry *e)
{
    if (e->revokes)
        return false;
    ir_log_info("%s: certificate %s is listed with %s (on hold, or taken off hold), not "
                "revoked; iotreg does not deactivate on hold, nothing recorded",
                name, cert_id, ir_crl_reason_name(e->reason));
    return true;
}

/* Whether the CRL lists the certificate der; its entry in *out. */
static bool listed(const ir_crl *crl, const unsigned char *der, size_t len, ir_crl_entry *out)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    bool found = x != NULL && ir_crl_lookup(crl, x, out);

    X509_free(x);
    return found;
}

typedef struct crl_walk {
    ir_journal *j;
    const char *name;
    const ir_crl *crl;
    ir_crl_import_stats *st;
} crl_walk;

static ir_rc request(crl_walk *w, const char *cert_id, const ir_crl_entry *e, ir_err *err)
{
    bool already = false;
    ir_rc rc;

    if (not_a_revocation(w->name, cert_id, e)) {
        w->st->not_revoked++;
        return IR_OK;
    }
    rc = ir_journal_request_revocation(w->j, cert_id, e->reason, e->revoked_ms, &already, err);
    if (rc == IR_OK)
        already ? w->st->known++ : w->st->requested++;
    return rc;
}

/* Requests revocation of the entry when it is the SubCA's and the CRL lists it. */
static ir_rc revoke_if_listed(void *ctx, const ir_journal_entry *entry, ir_err *err)
{
    crl_walk *w = ctx;
    ir_journal_entry *e = NULL;
    ir_crl_entry listing;
    ir_rc rc;

    if (entry->subca == NULL || strcmp(entry->subca, w->crl->subca->name) != 0)
        return IR_OK;
    rc = ir_journal_get(w->j, entry->cert_id, &e, err);
    if (rc == IR_OK && listed(w->crl, e->der, e->der_len, &listing))
        rc = request(w, e->cert_id, &listing, err);
    ir_journal_entry_free(e);
    return rc;
}

ir_rc ir_crl_apply(const ir_crl *crl, ir_journal *j, const char *name, ir_crl_import_stats *stats,
                   ir_err *err)
{
    ir_list_filter f = {.state = -1};
    crl_walk w = {j, name, crl, stats};
    ir_rc rc;

    memset(stats, 0, sizeof(*stats));
    stats->listed = (long)crl->n_entries;
    rc = ir_journal_foreach(j, &f, revoke_if_listed, &w, err);
    stats->absent = stats->listed - stats->requested - stats->known - stats->not_revoked;
    return rc;
}

ir_rc ir_import_crl(const ir_config *cfg, ir_journal *j, const char *path,
                    ir_crl_import_stats *stats, ir_err *err)
{
    ir_buf b;
    ir_crl *crl = NULL;
    ir_rc rc;

    memset(stats, 0, sizeof(*stats));
    ir_buf_init(&b, CRL_FILE_MAX);
    rc = ir_read_file(path, &b, err);
    if (rc == IR_OK)
        rc = ir_crl_parse(cfg, b.data, b.len, path, &crl, err);
    ir_buf_free(&b);
    if (rc == IR_OK)
        rc = ir_crl_apply(crl, j, path, stats, err);
    ir_crl_free(crl);
    return rc;
}
