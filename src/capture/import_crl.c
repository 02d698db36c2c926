#include "config.h"

#include "capture/import_crl.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "config/attribution.h"
#include "core/buf.h"
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

static int64_t revoked_time_ms(const X509_REVOKED *r)
{
    struct tm tm;

    if (ASN1_TIME_to_tm(X509_REVOKED_get0_revocationDate(r), &tm) != 1)
        return ir_realtime_ms();
    return (int64_t)timegm(&tm) * 1000;
}

/* The CRL entry that revokes the certificate der, or NULL. */
static X509_REVOKED *listed(X509_CRL *crl, const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    X509_REVOKED *r = NULL;

    if (x != NULL && X509_CRL_get0_by_cert(crl, &r, x) != 1)
        r = NULL;
    X509_free(x);
    return r;
}

static ir_rc request(ir_journal *j, const char *cert_id, const X509_REVOKED *r,
                     ir_crl_import_stats *st, ir_err *err)
{
    bool already = false;
    ir_rc rc = ir_journal_request_revocation(j, cert_id, revoked_reason(r), revoked_time_ms(r),
                                             &already, err);

    if (rc == IR_OK)
        already ? st->known++ : st->requested++;
    return rc;
}

typedef struct crl_walk {
    ir_journal *j;
    const ir_subca_conf *subca;
    X509_CRL *crl;
    ir_crl_import_stats *st;
} crl_walk;

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
        rc = request(w->j, e->cert_id, r, w->st, err);
    ir_journal_entry_free(e);
    return rc;
}

/* Walks the SubCA's journal entries and requests revocation of those listed. */
static ir_rc revoke_listed(ir_journal *j, const ir_subca_conf *subca, X509_CRL *crl,
                           ir_crl_import_stats *st, ir_err *err)
{
    ir_list_filter f = {.state = -1};
    crl_walk w = {j, subca, crl, st};

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
    subca = crl_issuer(cfg, crl);
    if (subca == NULL) {
        rc = ir_err_set(err, IR_ERR_INVALID_ARG,
                        "%s is not signed by a configured SubCA (its issuer and signature match "
                        "no <subca> certificate); nothing was recorded",
                        path);
        goto out;
    }
    stats->listed = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl));
    rc = revoke_listed(j, subca, crl, stats, err);
    stats->absent = stats->listed - stats->requested - stats->known;
out:
    X509_CRL_free(crl);
    return rc;
}
