#include "autoconf.h"

#include "certgen.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

static long next_serial = 1000;

static EVP_PKEY *new_key(void)
{
    return EVP_EC_gen("P-256");
}

/* One leaf key serves every leaf: only the issuer's key matters here. */
static EVP_PKEY *leaf_key(void)
{
    static EVP_PKEY *key;

    if (key == NULL)
        key = new_key();
    return key;
}

static int add_entry(X509_NAME *name, const char *field, const char *value)
{
    if (value == NULL)
        return 1;
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, (const unsigned char *)value, -1,
                                      -1, 0);
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL)
        return 0;
    ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

static X509 *new_cert(X509_NAME *subject, EVP_PKEY *pub, long serial)
{
    X509 *cert = X509_new();

    if (cert == NULL)
        return NULL;
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial ? serial : next_serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
    X509_set_subject_name(cert, subject);
    X509_set_pubkey(cert, pub);
    return cert;
}

static int make_ca(certgen_ca *ca, const char *cn)
{
    X509_NAME *name = X509_NAME_new();
    int ok;

    ca->cert = name ? new_cert(name, ca->key, 0) : NULL;
    ok = ca->cert != NULL && add_entry(name, "CN", cn) && add_entry(name, "O", "Test CSP") &&
         X509_set_subject_name(ca->cert, name) && X509_set_issuer_name(ca->cert, name) &&
         add_ext(ca->cert, ca->cert, NID_basic_constraints, "critical,CA:TRUE") &&
         add_ext(ca->cert, ca->cert, NID_key_usage, "critical,keyCertSign,cRLSign") &&
         add_ext(ca->cert, ca->cert, NID_subject_key_identifier, "hash") &&
         X509_sign(ca->cert, ca->key, EVP_sha256()) > 0;
    X509_NAME_free(name);
    return ok ? 0 : -1;
}

int certgen_ca_new(certgen_ca *ca, const char *cn)
{
    ca->cert = NULL;
    ca->key = new_key();
    return ca->key != NULL ? make_ca(ca, cn) : -1;
}

void certgen_ca_free(certgen_ca *ca)
{
    X509_free(ca->cert);
    EVP_PKEY_free(ca->key);
    ca->cert = NULL;
    ca->key = NULL;
}

static int add_san(X509 *cert, X509 *issuer, const certgen_leaf *s)
{
    char san[1024] = "";
    size_t n = 0;

    if (s->dns)
        n += (size_t)snprintf(san + n, sizeof(san) - n, "%sDNS:%s", n ? "," : "", s->dns);
    if (s->uri)
        n += (size_t)snprintf(san + n, sizeof(san) - n, "%sURI:%s", n ? "," : "", s->uri);
    if (s->email)
        n += (size_t)snprintf(san + n, sizeof(san) - n, "%semail:%s", n ? "," : "", s->email);
    if (s->ip)
        n += (size_t)snprintf(san + n, sizeof(san) - n, "%sIP:%s", n ? "," : "", s->ip);
    return n == 0 || add_ext(cert, issuer, NID_subject_alt_name, san);
}

static int add_private_ext(X509 *cert, const certgen_leaf *s)
{
    ASN1_OBJECT *obj = s->ext_oid ? OBJ_txt2obj(s->ext_oid, 1) : NULL;
    ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
    ASN1_UTF8STRING *utf8 = ASN1_UTF8STRING_new();
    X509_EXTENSION *ext = NULL;
    unsigned char *der = NULL;
    int len, ok = s->ext_oid == NULL;

    if (obj == NULL || value == NULL || utf8 == NULL)
        goto out;
    if (s->ext_utf8 != NULL) {
        ASN1_STRING_set(utf8, s->ext_utf8, -1);
        len = i2d_ASN1_UTF8STRING(utf8, &der);
        ASN1_OCTET_STRING_set(value, der, len);
    } else {
        ASN1_OCTET_STRING_set(value, s->ext_der, (int)s->ext_der_len);
    }
    ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, value);
    ok = ext != NULL && X509_add_ext(cert, ext, -1);
out:
    X509_EXTENSION_free(ext);
    OPENSSL_free(der);
    ASN1_UTF8STRING_free(utf8);
    ASN1_OCTET_STRING_free(value);
    ASN1_OBJECT_free(obj);
    return ok;
}

X509 *certgen_issue(const certgen_ca *ca, const certgen_leaf *s)
{
    X509_NAME *name = X509_NAME_new();
    X509 *cert = NULL;
    int ok;

    ok = name && add_entry(name, "O", s->o) && add_entry(name, "OU", s->ou) &&
         add_entry(name, "OU", s->ou2) && add_entry(name, "CN", s->cn);
    if (ok)
        cert = new_cert(name, leaf_key(), s->serial);
    ok = ok && cert != NULL && X509_set_issuer_name(cert, X509_get_subject_name(ca->cert)) &&
         add_ext(cert, ca->cert, NID_authority_key_identifier, "keyid:always") &&
         add_san(cert, ca->cert, s) && add_private_ext(cert, s) &&
         X509_sign(cert, ca->key, EVP_sha256()) > 0;
    X509_NAME_free(name);
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

unsigned char *certgen_der(X509 *cert, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);

    *len = n > 0 ? (size_t)n : 0;
    return n > 0 ? der : NULL;
}

int certgen_write_pem(const char *path, X509 *cert)
{
    FILE *f = fopen(path, "w");
    int ok;

    if (f == NULL)
        return -1;
    ok = PEM_write_X509(f, cert);
    return (fclose(f) == 0 && ok) ? 0 : -1;
}
