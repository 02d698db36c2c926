/* SubCAs in the keystore: the tools side (iotregctl). A SubCA is a private
 * key generated in (or imported into) the token and its certificate stored
 * beside it under the same label. Certificates are built with libcrypto's
 * X509 API and signed by the keystore itself (C_Sign over their digest), so
 * the private key is used only by the token and no issuance tap sees them;
 * keys are loaded through the iotreg provider in a library context of the
 * caller's own. */
#ifndef IOTREG_KEYSTORE_SUBCA_H
#define IOTREG_KEYSTORE_SUBCA_H

#include <stdbool.h>
#include <time.h>

#include <openssl/x509.h>

#include "keystore/keystore.h"

/* A library context with the iotreg provider (reading config_path) and the
 * default provider. The provider comes from $OPENSSL_MODULES or libcrypto's
 * modules directory. */
ir_rc ir_ks_ossl_libctx(const char *config_path, OSSL_LIB_CTX **out, ir_err *err);
/* Loads the key an iotreg: URI names through OSSL_STORE in libctx; pin (may
 * be NULL) answers the provider's PIN request when no PIN file is set. */
ir_rc ir_ks_ossl_load_key(OSSL_LIB_CTX *libctx, const char *uri, const char *pin, EVP_PKEY **out,
                          ir_err *err);
/* The first line of libcrypto's error queue, emptied, into err as context. */
ir_rc ir_ks_ossl_error(ir_err *err, ir_rc rc, const char *what);

/* "/CN=x/O=y" (openssl -subj) or "CN=x,O=y". */
ir_rc ir_ks_parse_dn(const char *text, X509_NAME **out, ir_err *err);

typedef struct ir_ks_cert_req {
    X509_NAME *subject;
    EVP_PKEY *subject_key; /* its public part goes into the certificate */
    EVP_PKEY *issuer_key;  /* its public half: the signature's algorithm */
    X509 *issuer_cert;     /* NULL: self-signed */
    int days;
    bool is_ca;           /* CA:TRUE, keyCertSign+cRLSign; else CA:FALSE, digitalSignature */
    OSSL_LIB_CTX *libctx; /* where digests are fetched */
    /* Signs, with the keystore directly (not the provider, whose issuance
     * tap journals what a tapped SubCA key signs): the issuer's private key. */
    ir_keystore *ks;
    const char *issuer_label;
} ir_ks_cert_req;

/* Version 3, random positive serial, SKI and AKI, basicConstraints and
 * keyUsage critical, signed with SHA-256 (SHA-384 for P-384 issuers) by
 * req->ks with the key labelled req->issuer_label. */
ir_rc ir_ks_build_cert(const ir_ks_cert_req *req, X509 **out, ir_err *err);

typedef struct ir_ks_subca_spec {
    const char *name;
    const char *key_spec; /* ec:P-256 ... */
    const char *subject;
    const char *issuer_key_uri; /* NULL: self-signed */
    X509 *issuer_cert;
    int days;
    const char *pin; /* for the provider when no PIN file; may be NULL */
} ir_ks_subca_spec;

/* Generates the key in the token, builds and stores the certificate; on
 * failure the key generated is removed again. */
ir_rc ir_ks_subca_create(ir_keystore *ks, OSSL_LIB_CTX *libctx, const ir_ks_subca_spec *spec,
                         X509 **out, ir_err *err);
/* Stores cert under name and, when key is given, the key as a sensitive,
 * non-extractable token key (it must match the certificate). */
ir_rc ir_ks_subca_import(ir_keystore *ks, const char *name, X509 *cert, EVP_PKEY *key, ir_err *err);

typedef struct ir_ks_subca_info {
    char name[IR_KS_LABEL_MAX + 1];
    char key[16];       /* "ec:P-256", "rsa:3072", "none" */
    char subject[512];  /* one-line form, "/CN=x/O=y" */
    char not_after[32]; /* ISO 8601 UTC */
    time_t expires;
    bool registered; /* a CA registration record exists */
} ir_ks_subca_info;

/* Every SubCA certificate in the token, sorted by name. */
ir_rc ir_ks_subca_list(ir_keystore *ks, ir_ks_subca_info **out, size_t *n, ir_err *err);

/* "ec:P-256" or "rsa:3072" of pkey, "?" for anything else. */
void ir_ks_describe_key(EVP_PKEY *pkey, char *out, size_t size);

/* Reads one line (a PIN, an AWS secret) from fd into buf, without echo when
 * fd is a terminal (prompt, when not NULL, goes to stderr then). The line
 * end is removed; an empty line or one longer than size-1 is refused. */
ir_rc ir_ks_read_secret(int fd, const char *prompt, char *buf, size_t size, ir_err *err);

/* SoftHSM2: creates dir (mode 700), dir/tokens and dir/softhsm2.conf when
 * absent and points SOFTHSM2_CONF at it (unless set). *created tells. */
ir_rc ir_ks_softhsm_prepare(const char *dir, bool *created, ir_err *err);

#endif
