/* SubCA creation, import and listing. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/x509v3.h>

#include "keystore/subca.h"
#include "keystore/uri.h"

void ir_ks_describe_key(EVP_PKEY *pkey, char *out, size_t size)
{
    char group[32] = "";

    if (pkey == NULL)
        snprintf(out, size, "none");
    else if (EVP_PKEY_is_a(pkey, "RSA"))
        snprintf(out, size, "rsa:%d", EVP_PKEY_get_bits(pkey));
    else if (EVP_PKEY_is_a(pkey, "EC") &&
             EVP_PKEY_get_utf8_string_param(pkey, "group", group, sizeof(group), NULL))
        snprintf(out, size, "ec:%s",
                 strcmp(group, "prime256v1") == 0  ? "P-256"
                 : strcmp(group, "secp384r1") == 0 ? "P-384"
                                                   : group);
    else
        snprintf(out, size, "?");
}

static ir_rc refuse_existing(ir_keystore *ks, const char *name, ir_err *err)
{
    bool key = false, cert = false;
    ir_rc rc = ir_ks_exists(ks, CKO_PRIVATE_KEY, name, &key, err);

    if (rc == IR_OK)
        rc = ir_ks_exists(ks, CKO_CERTIFICATE, name, &cert, err);
    if (rc == IR_OK && (key || cert))
        return ir_err_set(err, IR_ERR_EXISTS,
                          "token '%s' already holds a %s labelled '%s'; pick another name (see "
                          "`iotregctl subca list`)",
                          ir_keystore_token_label(ks), key ? "private key" : "certificate", name);
    return rc;
}

static void remove_key(ir_keystore *ks, const char *name)
{
    ir_ks_destroy(ks, CKO_PRIVATE_KEY, name, NULL, NULL);
    ir_ks_destroy(ks, CKO_PUBLIC_KEY, name, NULL, NULL);
}

static ir_rc store_x509(ir_keystore *ks, const char *label, X509 *x, ir_err *err)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    ir_rc rc = len > 0 ? ir_ks_store_cert(ks, label, der, (size_t)len, false, err)
                       : ir_err_set(err, IR_ERR_CRYPTO, "cannot encode the certificate");

    OPENSSL_free(der);
    return rc;
}

/* The label of the issuer's private key: its URI's object, or the SubCA's
 * own for a self-signed one. */
static ir_rc issuer_label(const ir_ks_subca_spec *spec, ir_ks_uri *uri, ir_err *err)
{
    ir_rc rc;

    if (spec->issuer_key_uri == NULL) {
        snprintf(uri->object, sizeof(uri->object), "%s", spec->name);
        return IR_OK;
    }
    rc = ir_ks_uri_parse(spec->issuer_key_uri, uri, err);
    if (rc == IR_OK && uri->type != IR_KS_URI_PRIVATE && uri->type != IR_KS_URI_ANY)
        rc = ir_err_set(err, IR_ERR_INVALID_ARG,
                        "--issuer-key '%s' must name a private key (type=private)",
                        spec->issuer_key_uri);
    return rc;
}

/* Loads the keys and builds the certificate (the key is in the token). */
static ir_rc certify(ir_keystore *ks, OSSL_LIB_CTX *libctx, const ir_ks_subca_spec *spec,
                     X509 **out, ir_err *err)
{
    char uri[IR_KS_URI_MAX];
    ir_ks_uri issuer;
    ir_ks_cert_req req = {.days = spec->days,
                          .is_ca = true,
                          .libctx = libctx,
                          .issuer_cert = spec->issuer_cert,
                          .ks = ks,
                          .issuer_label = issuer.object};
    ir_rc rc = issuer_label(spec, &issuer, err);

    if (rc == IR_OK)
        rc = ir_ks_parse_dn(spec->subject, &req.subject, err);

    snprintf(uri, sizeof(uri), "iotreg:object=%s;type=private", spec->name);
    if (rc == IR_OK)
        rc = ir_ks_ossl_load_key(libctx, uri, spec->pin, &req.subject_key, err);
    if (rc == IR_OK && spec->issuer_key_uri != NULL)
        rc = ir_ks_ossl_load_key(libctx, spec->issuer_key_uri, spec->pin, &req.issuer_key, err);
    else if (rc == IR_OK && EVP_PKEY_up_ref(req.subject_key))
        req.issuer_key = req.subject_key;
    if (rc == IR_OK && req.issuer_cert != NULL &&
        X509_check_private_key(req.issuer_cert, req.issuer_key) != 1)
        rc = ir_ks_ossl_error(err, IR_ERR_INVALID_ARG,
                              "the issuer key does not belong to the issuer certificate");
    if (rc == IR_OK)
        rc = ir_ks_build_cert(&req, out, err);
    X509_NAME_free(req.subject);
    EVP_PKEY_free(req.subject_key);
    EVP_PKEY_free(req.issuer_key);
    return rc;
}

ir_rc ir_ks_subca_create(ir_keystore *ks, OSSL_LIB_CTX *libctx, const ir_ks_subca_spec *spec,
                         X509 **out, ir_err *err)
{
    X509 *x = NULL;
    ir_rc rc = ir_ks_check_name(spec->name, err);

    *out = NULL;
    if (rc == IR_OK)
        rc = refuse_existing(ks, spec->name, err);
    if (rc == IR_OK)
        rc = ir_ks_generate_key(ks, spec->name, spec->key_spec, err);
    if (rc != IR_OK)
        return rc;
    rc = certify(ks, libctx, spec, &x, err);
    if (rc == IR_OK)
        rc = store_x509(ks, spec->name, x, err);
    if (rc != IR_OK) {
        X509_free(x);
        remove_key(ks, spec->name);
        return rc;
    }
    *out = x;
    return IR_OK;
}

ir_rc ir_ks_subca_import(ir_keystore *ks, const char *name, X509 *cert, EVP_PKEY *key, ir_err *err)
{
    bool imported = false;
    ir_rc rc = ir_ks_check_name(name, err);

    if (rc == IR_OK && key != NULL && X509_check_private_key(cert, key) != 1)
        rc = ir_ks_ossl_error(err, IR_ERR_INVALID_ARG,
                              "the private key does not belong to the certificate");
    if (rc == IR_OK && key != NULL) {
        rc = ir_ks_import_key(ks, name, key, err);
        imported = rc == IR_OK;
    }
    if (rc == IR_OK)
        rc = store_x509(ks, name, cert, err);
    if (rc != IR_OK && imported)
        remove_key(ks, name);
    return rc;
}

static bool is_verification(const char *label)
{
    size_t n = strlen(label), s = strlen(IR_KS_VERIFICATION_SUFFIX);

    return n > s && strcmp(label + n - s, IR_KS_VERIFICATION_SUFFIX) == 0;
}

static void iso_time(const ASN1_TIME *t, char *out, size_t size, time_t *when)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    if (ASN1_TIME_to_tm(t, &tm) != 1) {
        snprintf(out, size, "?");
        *when = 0;
        return;
    }
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    *when = timegm(&tm);
}

static ir_rc describe(ir_keystore *ks, const char *name, ir_ks_subca_info *info, ir_err *err)
{
    ir_buf der, rec;
    const unsigned char *p;
    X509 *x = NULL;
    EVP_PKEY *pub = NULL;
    ir_rc rc;

    memset(info, 0, sizeof(*info));
    snprintf(info->name, sizeof(info->name), "%s", name);
    ir_buf_init(&der, 1u << 20);
    ir_buf_init(&rec, 1u << 20);
    rc = ir_ks_read_cert(ks, name, &der, err);
    p = der.data;
    if (rc == IR_OK && (x = d2i_X509(NULL, &p, (long)der.len)) == NULL)
        rc = ir_err_set(err, IR_ERR_PARSE, "the certificate '%s' in the token is not DER", name);
    if (rc == IR_OK) {
        X509_NAME_oneline(X509_get_subject_name(x), info->subject, sizeof(info->subject));
        iso_time(X509_get0_notAfter(x), info->not_after, sizeof(info->not_after), &info->expires);
        if (ir_ks_public_key(ks, name, NULL, NULL, &pub, NULL) != IR_OK)
            pub = NULL;
        ir_ks_describe_key(pub, info->key, sizeof(info->key));
        info->registered = ir_ks_read_data(ks, name, IR_KS_APP_REGISTRATION, &rec, NULL) == IR_OK;
    }
    EVP_PKEY_free(pub);
    X509_free(x);
    ir_buf_free(&der);
    ir_buf_free(&rec);
    return rc;
}

ir_rc ir_ks_subca_list(ir_keystore *ks, ir_ks_subca_info **out, size_t *n, ir_err *err)
{
    char **labels = NULL;
    size_t n_labels = 0, i;
    ir_rc rc = ir_ks_list_labels(ks, CKO_CERTIFICATE, &labels, &n_labels, err);

    *out = NULL;
    *n = 0;
    if (rc == IR_OK && (*out = calloc(n_labels + 1, sizeof(**out))) == NULL)
        rc = ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    for (i = 0; rc == IR_OK && i < n_labels; i++) {
        if (is_verification(labels[i]))
            continue;
        rc = describe(ks, labels[i], &(*out)[*n], err);
        if (rc == IR_OK)
            (*n)++;
    }
    ir_ks_labels_free(labels, n_labels);
    if (rc != IR_OK) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
