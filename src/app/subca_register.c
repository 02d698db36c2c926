/* Registering a SubCA in the CSP's AWS account, once. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>

#include "core/pem.h"
#include "core/util.h"
#include "app/subca_register.h"
#include "keystore/subca.h"
#include "keystore/uri.h"

#define VERIFICATION_DAYS 30

/* The SubCA's certificate as PEM, its AWS certificate id, and the X509. */
typedef struct subca_cert {
    X509 *x;
    char *pem;
    char id[IR_SHA256_HEX_LEN + 1];
} subca_cert;

static void subca_cert_free(subca_cert *c)
{
    X509_free(c->x);
    free(c->pem);
}

static ir_rc load_subca(ir_keystore *ks, const char *name, subca_cert *c, ir_err *err)
{
    ir_buf der;
    const unsigned char *p;
    ir_rc rc;

    memset(c, 0, sizeof(*c));
    ir_buf_init(&der, 1u << 20);
    rc = ir_ks_read_cert(ks, name, &der, err);
    p = der.data;
    if (rc == IR_OK && (c->x = d2i_X509(NULL, &p, (long)der.len)) == NULL)
        rc = ir_err_set(err, IR_ERR_PARSE, "the certificate of SubCA '%s' is not DER", name);
    if (rc == IR_OK)
        rc = ir_sha256_hex(der.data, der.len, c->id, err);
    if (rc == IR_OK && (c->pem = ir_x509_to_pem(c->x)) == NULL)
        rc = ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    ir_buf_free(&der);
    return rc;
}

static ir_rc aws_failed(ir_err *err, const char *what, const ir_aws_error *aerr, ir_rc rc)
{
    if (rc != IR_ERR_AWS)
        return ir_err_prefix(err, "%s: ", what);
    return ir_err_set(err, IR_ERR_AWS, "%s: %.100s (HTTP %ld): %.300s", what, aerr->type,
                      aerr->http_status, aerr->message);
}

static void now_iso(char *out, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void fill_entry(const ir_subca_reg_request *req, const char *id, const char *arn,
                       const char *status, const char *code, ir_subca_registration *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->account, sizeof(out->account), "%s", req->account);
    snprintf(out->account_id, sizeof(out->account_id), "%s", req->account_id);
    snprintf(out->region, sizeof(out->region), "%s", req->target->region);
    snprintf(out->ca_certificate_id, sizeof(out->ca_certificate_id), "%s", id);
    snprintf(out->ca_certificate_arn, sizeof(out->ca_certificate_arn), "%s", arn ? arn : "");
    snprintf(out->status, sizeof(out->status), "%s", status ? status : "");
    snprintf(out->registration_code, sizeof(out->registration_code), "%s", code ? code : "");
    now_iso(out->registered_at, sizeof(out->registered_at));
    snprintf(out->mode, sizeof(out->mode), "%s", req->sni_only ? "SNI_ONLY" : "DEFAULT");
}

/* DescribeCACertificate in the account: IR_ERR_NOT_FOUND when it is not there. */
static ir_rc describe(const ir_subca_reg_request *req, const char *id, ir_iot_ca_desc *d,
                      ir_err *err)
{
    ir_aws_error aerr;
    ir_rc rc = ir_iot_describe_ca_certificate(req->aws, req->target, id, d, &aerr, err);

    if (rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "ResourceNotFoundException"))
        return IR_ERR_NOT_FOUND;
    return rc == IR_OK ? IR_OK : aws_failed(err, "DescribeCACertificate", &aerr, rc);
}

/* The CA as the account has it: fills out from DescribeCACertificate. */
static ir_rc confirm(const ir_subca_reg_request *req, const char *id, const char *code,
                     ir_subca_registration *out, ir_err *err)
{
    ir_iot_ca_desc d = {0};
    ir_rc rc = describe(req, id, &d, err);

    if (rc == IR_OK) {
        fill_entry(req, id, d.certificate_arn, ir_iot_cert_status_name(d.status), code, out);
        if (d.certificate_mode != NULL)
            snprintf(out->mode, sizeof(out->mode), "%s", d.certificate_mode);
    }
    ir_iot_ca_desc_free(&d);
    return rc;
}

static const ir_subca_registration *recorded(const ir_subca_registration *v, size_t n,
                                             const ir_subca_reg_request *req, const char *id)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(v[i].account_id, req->account_id) == 0 &&
            strcmp(v[i].region, req->target->region) == 0 &&
            strcmp(v[i].ca_certificate_id, id) == 0)
            return &v[i];
    return NULL;
}

/* A recorded registration AWS still has: refreshes its status. */
static ir_rc check_record(ir_keystore *ks, const ir_subca_reg_request *req, const subca_cert *c,
                          ir_subca_registration *out, bool *done, ir_err *err)
{
    ir_subca_registration *v = NULL;
    const ir_subca_registration *r;
    size_t n = 0;
    ir_rc rc = ir_subca_registrations(ks, req->subca, &v, &n, err);

    *done = false;
    r = rc == IR_OK ? recorded(v, n, req, c->id) : NULL;
    if (r != NULL) {
        rc = confirm(req, c->id, r->registration_code, out, err);
        if (rc == IR_OK) {
            snprintf(out->registered_at, sizeof(out->registered_at), "%s", r->registered_at);
            *done = true;
        } else if (rc == IR_ERR_NOT_FOUND) {
            rc = IR_OK; /* deleted in AWS since: register again */
        }
    }
    free(v);
    return rc;
}

static ir_rc listed(const ir_subca_reg_request *req, const char *id, bool *found, ir_err *err)
{
    ir_iot_cert_list l = {0};
    ir_aws_error aerr;
    size_t i;
    ir_rc rc = ir_iot_list_all_ca_certificates(req->aws, req->target, &l, &aerr, err);

    *found = false;
    for (i = 0; rc == IR_OK && i < l.n; i++)
        if (strcmp(l.items[i].certificate_id, id) == 0)
            *found = true;
    ir_iot_cert_list_free(&l);
    return rc == IR_OK ? IR_OK : aws_failed(err, "ListCACertificates", &aerr, rc);
}

static ir_rc registration_code(const ir_subca_reg_request *req, char **code, ir_err *err)
{
    ir_aws_error aerr;
    ir_rc rc = ir_iot_get_registration_code(req->aws, req->target, code, &aerr, err);

    return rc == IR_OK ? IR_OK : aws_failed(err, "GetRegistrationCode", &aerr, rc);
}

/* CN = the registration code, a fresh software key, signed by the SubCA's
 * token key through the keystore (never the provider's issuance tap). */
static ir_rc verification_cert(ir_keystore *ks, const ir_subca_reg_request *req,
                               const subca_cert *c, const char *code, char **pem, ir_err *err)
{
    char uri[IR_KS_URI_MAX], dn[200];
    ir_ks_cert_req cr = {.issuer_cert = c->x,
                         .days = VERIFICATION_DAYS,
                         .libctx = req->libctx,
                         .ks = ks,
                         .issuer_label = req->subca};
    X509 *x = NULL;
    ir_rc rc;

    snprintf(uri, sizeof(uri), "iotreg:object=%s;type=private", req->subca);
    snprintf(dn, sizeof(dn), "/CN=%s", code);
    cr.subject_key = EVP_PKEY_Q_keygen(req->libctx, NULL, "EC", "P-256");
    rc = cr.subject_key != NULL ? ir_ks_parse_dn(dn, &cr.subject, err)
                                : ir_ks_ossl_error(err, IR_ERR_CRYPTO, "EC key generation");
    if (rc == IR_OK)
        rc = ir_ks_ossl_load_key(req->libctx, uri, req->pin, &cr.issuer_key, err);
    if (rc == IR_OK)
        rc = ir_ks_build_cert(&cr, &x, err);
    if (rc == IR_OK && (*pem = ir_x509_to_pem(x)) == NULL)
        rc = ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    X509_free(x);
    X509_NAME_free(cr.subject);
    EVP_PKEY_free(cr.subject_key);
    EVP_PKEY_free(cr.issuer_key);
    return rc;
}

/* ResourceAlreadyExistsException: ours in this account, or another account's. */
static ir_rc already_exists(const ir_subca_reg_request *req, const subca_cert *c, const char *code,
                            const char *resource_id, ir_subca_registration *out, ir_err *err)
{
    const char *id = resource_id != NULL ? resource_id : c->id;
    ir_rc rc = confirm(req, id, code, out, err);

    if (rc == IR_ERR_NOT_FOUND)
        return ir_err_set(err, IR_ERR_STATE,
                          "SubCA '%s' (caCertificateId %s) is registered in another AWS account "
                          "in %s: a DEFAULT-mode CA belongs to one account per region; "
                          "deregister it there first, or register it here with --sni-only "
                          "(devices must then send SNI)",
                          req->subca, id, req->target->region);
    return rc;
}

static ir_rc register_ca(const ir_subca_reg_request *req, const subca_cert *c, const char *code,
                         const char *verification, ir_subca_registration *out,
                         ir_subca_reg_outcome *how, ir_err *err)
{
    ir_iot_register_ca_args args = {c->pem, verification, req->sni_only ? "SNI_ONLY" : "DEFAULT",
                                    true, false};
    ir_iot_cert_ref ref = {0};
    ir_aws_error aerr;
    ir_rc rc = ir_iot_register_ca_certificate(req->aws, req->target, &args, &ref, &aerr, err);

    if (rc == IR_OK) {
        *how = IR_SUBCA_REG_REGISTERED;
        fill_entry(req, ref.certificate_id, ref.certificate_arn, "ACTIVE", code, out);
    } else if (rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "ResourceAlreadyExistsException")) {
        *how = IR_SUBCA_REG_FOUND;
        rc = already_exists(req, c, code, ref.certificate_id, out, err);
    } else {
        rc = aws_failed(err, "RegisterCACertificate", &aerr, rc);
    }
    ir_iot_cert_ref_free(&ref);
    return rc;
}

/* The verification certificate, a private token object beside the SubCA. */
static ir_rc store_verification(ir_keystore *ks, const char *subca, const char *pem, ir_err *err)
{
    char label[IR_KS_LABEL_MAX + sizeof(IR_KS_VERIFICATION_SUFFIX)];
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    unsigned char *der = NULL;
    int len = x != NULL ? i2d_X509(x, &der) : -1;
    ir_rc rc;

    snprintf(label, sizeof(label), "%s%s", subca, IR_KS_VERIFICATION_SUFFIX);
    rc = len > 0 ? ir_ks_store_cert(ks, label, der, (size_t)len, true, err)
                 : ir_err_set(err, IR_ERR_CRYPTO, "cannot encode the verification certificate");
    OPENSSL_free(der);
    X509_free(x);
    BIO_free(b);
    return rc;
}

/* Registers (or finds the registration of) the SubCA and records it. */
static ir_rc register_and_record(ir_keystore *ks, const ir_subca_reg_request *req,
                                 const subca_cert *c, ir_subca_registration *out,
                                 ir_subca_reg_outcome *how, ir_err *err)
{
    char *code = NULL, *verification = NULL;
    bool found = false;
    ir_rc rc = listed(req, c->id, &found, err);

    if (rc == IR_OK && !req->sni_only)
        rc = registration_code(req, &code, err);
    if (rc == IR_OK && found) {
        *how = IR_SUBCA_REG_FOUND;
        rc = confirm(req, c->id, code, out, err);
    } else if (rc == IR_OK) {
        if (!req->sni_only)
            rc = verification_cert(ks, req, c, code, &verification, err);
        if (rc == IR_OK)
            rc = register_ca(req, c, code, verification, out, how, err);
    }
    if (rc == IR_OK && verification != NULL)
        rc = store_verification(ks, req->subca, verification, err);
    if (rc == IR_OK)
        rc = ir_subca_record_registration(ks, req->subca, out, verification, err);
    free(code);
    free(verification);
    return rc;
}

ir_rc ir_subca_register(ir_keystore *ks, const ir_subca_reg_request *req,
                        ir_subca_registration *out, ir_subca_reg_outcome *how, ir_err *err)
{
    subca_cert c;
    bool done = false;
    ir_rc rc = load_subca(ks, req->subca, &c, err);

    if (rc == IR_OK)
        rc = check_record(ks, req, &c, out, &done, err);
    if (rc == IR_OK && done) {
        *how = IR_SUBCA_REG_RECORDED;
        rc = ir_subca_record_registration(ks, req->subca, out, NULL, err);
    } else if (rc == IR_OK) {
        rc = register_and_record(ks, req, &c, out, how, err);
    }
    subca_cert_free(&c);
    return rc;
}
