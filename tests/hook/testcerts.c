/* The test PKI: see testcerts.h. */
#include "autoconf.h"

#include "testcerts.h"

#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static EVP_PKEY *new_key(void)
{
    return EVP_EC_gen("P-256");
}

static int add_name(X509_NAME *name, const char *field, const char *value)
{
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
    ok = ext != NULL && X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* Serial, validity and public key of a certificate to be signed. */
static X509 *new_cert(EVP_PKEY *pub, uint64_t serial)
{
    X509 *cert = X509_new();

    if (cert == NULL)
        return NULL;
    X509_set_version(cert, 2);
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 365L * 24 * 3600);
    X509_set_pubkey(cert, pub);
    return cert;
}

int tc_ca_new(tc_ca *ca, const char *cn)
{
    X509_NAME *name;

    memset(ca, 0, sizeof(*ca));
    ca->key = new_key();
    ca->leaf_key = new_key();
    ca->cert = ca->key ? new_cert(ca->key, 1) : NULL;
    if (ca->cert == NULL || ca->leaf_key == NULL)
        return -1;
    name = X509_get_subject_name(ca->cert);
    add_name(name, "O", "iotreg tests");
    add_name(name, "CN", cn);
    X509_set_issuer_name(ca->cert, name);
    if (!add_ext(ca->cert, ca->cert, NID_basic_constraints, "critical,CA:TRUE") ||
        !add_ext(ca->cert, ca->cert, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_ext(ca->cert, ca->cert, NID_subject_key_identifier, "hash"))
        return -1;
    return X509_sign(ca->cert, ca->key, EVP_sha256()) > 0 ? 0 : -1;
}

static int write_pem(const char *path, int is_key, void *obj)
{
    FILE *f = fopen(path, "w");
    int ok;

    if (f == NULL)
        return -1;
    ok = is_key ? PEM_write_PrivateKey(f, obj, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(f, obj);
    return fclose(f) == 0 && ok ? 0 : -1;
}

int tc_ca_save(const tc_ca *ca, const char *dir, const char *prefix)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/%s.key", dir, prefix);
    if (write_pem(path, 1, ca->key) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/%s.leafkey", dir, prefix);
    if (write_pem(path, 1, ca->leaf_key) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/%s.pem", dir, prefix);
    return write_pem(path, 0, ca->cert);
}

static void *read_pem(const char *dir, const char *prefix, const char *ext, int is_key)
{
    char path[1024];
    FILE *f;
    void *obj;

    snprintf(path, sizeof(path), "%s/%s.%s", dir, prefix, ext);
    f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    obj = is_key ? (void *)PEM_read_PrivateKey(f, NULL, NULL, NULL)
                 : (void *)PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    return obj;
}

int tc_ca_load(tc_ca *ca, const char *dir, const char *prefix)
{
    ca->key = read_pem(dir, prefix, "key", 1);
    ca->leaf_key = read_pem(dir, prefix, "leafkey", 1);
    ca->cert = read_pem(dir, prefix, "pem", 0);
    return ca->key && ca->leaf_key && ca->cert ? 0 : -1;
}

void tc_ca_free(tc_ca *ca)
{
    EVP_PKEY_free(ca->key);
    EVP_PKEY_free(ca->leaf_key);
    X509_free(ca->cert);
    memset(ca, 0, sizeof(*ca));
}

int tc_issue(const tc_ca *ca, const char *org, const char *cn, uint64_t serial, unsigned char **der,
             size_t *len)
{
    X509 *cert = new_cert(ca->leaf_key, serial);
    X509_NAME *name;
    int n = -1;

    *der = NULL;
    if (cert == NULL)
        return -1;
    name = X509_get_subject_name(cert);
    if (org != NULL)
        add_name(name, "O", org);
    add_name(name, "CN", cn);
    X509_set_issuer_name(cert, X509_get_subject_name(ca->cert));
    if (add_ext(cert, ca->cert, NID_authority_key_identifier, "keyid:always") &&
        X509_sign(cert, ca->key, EVP_sha256()) > 0)
        n = i2d_X509(cert, der);
    X509_free(cert);
    if (n <= 0)
        return -1;
    *len = (size_t)n;
    return 0;
}

int tc_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    size_t n;

    if (f == NULL)
        return -1;
    n = fwrite(data, 1, len, f);
    return fclose(f) == 0 && n == len ? 0 : -1;
}

static const char config_fmt[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<iotreg xmlns=\"urn:iotreg:config:1\" version=\"1\">\n"
    "  <keystore><pin-file>%1$s/user.pin</pin-file></keystore>\n"
    "  <journal><sqlite path=\"%1$s/journal.db\"/></journal>\n"
    "  <csp-accounts>\n"
    "    <csp-account name=\"csp\">\n"
    "      <account-id>111122223333</account-id><region>eu-central-1</region>\n"
    "      <credentials><environment/></credentials>\n"
    "    </csp-account>\n"
    "  </csp-accounts>\n"
    "  <subcas>\n"
    "    <subca name=\"" TC_SUBCA_NAME "\">\n"
    "      <cert-file>%1$s/subca.pem</cert-file><csp-account>csp</csp-account>\n"
    "    </subca>\n"
    "  </subcas>\n"
    "  <customers>\n"
    "    <customer id=\"acme\">\n"
    "      <account-id>444455556666</account-id><region>eu-central-1</region>\n"
    "      <role arn=\"arn:aws:iam::444455556666:role/iotreg\" external-id=\"iotreg-acme-1\"/>\n"
    "      <policy name=\"acme-devices\"/>\n"
    "    </customer>\n"
    "    <customer id=\"globex\">\n"
    "      <account-id>777788889999</account-id><region>eu-central-1</region>\n"
    "      <role arn=\"arn:aws:iam::777788889999:role/iotreg\" external-id=\"iotreg-globex-1\"/>\n"
    "      <policy name=\"globex-devices\"/>\n"
    "    </customer>\n"
    "  </customers>\n"
    "  <attribution>\n"
    "    <rule customer=\"acme\"><subject attribute=\"O\">Acme</subject></rule>\n"
    "    <rule customer=\"globex\"><subject attribute=\"O\">Globex</subject></rule>\n"
    "    <rule customer=\"globex\"><profile>globex-profile</profile></rule>\n"
    "  </attribution>\n"
    "</iotreg>\n";

int tc_write_config(const char *dir)
{
    char path[1024], xml[sizeof(config_fmt) + 4 * 1024];
    int fd;

    snprintf(path, sizeof(path), "%s/user.pin", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, "1234\n", 5) != 5 || close(fd) != 0)
        return -1;
    snprintf(xml, sizeof(xml), config_fmt, dir);
    snprintf(path, sizeof(path), "%s/iotreg.xml", dir);
    return tc_write_file(path, xml, strlen(xml));
}

int tc_setup(const char *dir)
{
    static const char *const prefixes[] = {"subca", "rogue", "other"};
    static const char *const cns[] = {"iotreg test SubCA", "iotreg test SubCA", "another CA"};
    tc_ca ca;
    int i, rc = 0;

    for (i = 0; rc == 0 && i < 3; i++) {
        rc = tc_ca_new(&ca, cns[i]);
        if (rc == 0)
            rc = tc_ca_save(&ca, dir, prefixes[i]);
        tc_ca_free(&ca);
    }
    return rc == 0 ? tc_write_config(dir) : rc;
}

unsigned char *tc_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)n + 1)) != NULL && fread(data, 1, (size_t)n, f) == (size_t)n)
        *len = (size_t)n;
    else {
        free(data);
        data = NULL;
    }
    fclose(f);
    return data;
}

int tc_next_der(const unsigned char *data, size_t len, size_t *off, const unsigned char **der,
                size_t *der_len)
{
    const unsigned char *p = data + *off;
    size_t left = len - *off, hdr = 2, body = 0, i, nbytes;

    if (left == 0)
        return 0;
    if (left < 2 || p[0] != 0x30)
        return -1;
    if (p[1] < 0x80) {
        body = p[1];
    } else {
        nbytes = p[1] & 0x7f;
        if (nbytes == 0 || nbytes > 4 || left < 2 + nbytes)
            return -1;
        for (i = 0; i < nbytes; i++)
            body = (body << 8) | p[2 + i];
        hdr += nbytes;
    }
    if (hdr + body > left)
        return -1;
    *der = p;
    *der_len = hdr + body;
    *off += hdr + body;
    return 1;
}
