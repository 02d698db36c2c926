/* A test PKI for the capture, hook and publish tests: software SubCAs
 * (EC P-256 keys in PEM files), leaf certificates signed by them, and an
 * iotreg configuration that names them. Everything is written into a
 * directory the test made. */
#ifndef IOTREG_TESTS_TESTCERTS_H
#define IOTREG_TESTS_TESTCERTS_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

/* The CAs tc_setup makes, by file prefix in the directory:
 *   subca  the configured SubCA "devices-eu"
 *   rogue  a CA with the same subject as subca but another key
 *   other  a CA the configuration does not know */
#define TC_SUBCA_NAME "devices-eu"

typedef struct tc_ca {
    EVP_PKEY *key;
    X509 *cert;
    EVP_PKEY *leaf_key; /* one key pair shared by every leaf it issues */
} tc_ca;

int tc_ca_new(tc_ca *ca, const char *cn);
int tc_ca_save(const tc_ca *ca, const char *dir, const char *prefix);
int tc_ca_load(tc_ca *ca, const char *dir, const char *prefix);
void tc_ca_free(tc_ca *ca);

/* A leaf certificate: subject O=org (omitted when NULL), CN=cn; DER in *der
 * (free() it). 0 on success. */
int tc_issue(const tc_ca *ca, const char *org, const char *cn, uint64_t serial, unsigned char **der,
             size_t *len);

/* Writes dir/iotreg.xml (journal dir/journal.db, SubCA dir/subca.pem,
 * customers acme (O=Acme) and globex (O=Globex, or profile globex-profile))
 * and dir/user.pin. */
int tc_write_config(const char *dir);

/* tc_write_config plus the three CAs. */
int tc_setup(const char *dir);

int tc_write_file(const char *path, const void *data, size_t len);

/* Reads a whole file (malloc'd; NULL on failure). */
unsigned char *tc_read_file(const char *path, size_t *len);

/* The next DER structure of a concatenation (certgen batch) at *off: sets
 * *der and *der_len and advances *off; 0 at the end, -1 on bad data. */
int tc_next_der(const unsigned char *data, size_t len, size_t *off, const unsigned char **der,
                size_t *der_len);

#endif
