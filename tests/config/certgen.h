/* Test certificates made with OpenSSL: a CA (a SubCA stand-in) and leaf
 * certificates with chosen subject, SAN and extension values. */
#ifndef IOTREG_TESTS_CONFIG_CERTGEN_H
#define IOTREG_TESTS_CONFIG_CERTGEN_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>

typedef struct certgen_ca {
    EVP_PKEY *key;
    X509 *cert;
} certgen_ca;

/* What a leaf holds; NULL fields are left out. */
typedef struct certgen_leaf {
    const char *cn;
    const char *o;
    const char *ou;
    const char *ou2; /* a second OU value */
    const char *dns;
    const char *uri;
    const char *email;
    const char *ip;               /* text, v4 or v6 */
    const char *ext_oid;          /* a private extension */
    const char *ext_utf8;         /* ... whose value is this UTF8String */
    const unsigned char *ext_der; /* ... or these DER bytes */
    size_t ext_der_len;
    long serial; /* 0: a fresh one */
} certgen_leaf;

/* A self-signed CA named cn with a subject key identifier and a fresh key;
 * 0 on success. */
int certgen_ca_new(certgen_ca *ca, const char *cn);
void certgen_ca_free(certgen_ca *ca);
/* A leaf issued by ca; NULL on failure. */
X509 *certgen_issue(const certgen_ca *ca, const certgen_leaf *spec);
/* DER of cert, OPENSSL_malloc'd. */
unsigned char *certgen_der(X509 *cert, size_t *len);
/* Writes cert as PEM to path; 0 on success. */
int certgen_write_pem(const char *path, X509 *cert);

#endif
