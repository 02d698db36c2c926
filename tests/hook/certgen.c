/* certgen: the test PKI from the shell.
 *   certgen setup DIR                         CAs (subca, rogue, other) + DIR/iotreg.xml
 *   certgen issue DIR CA ORG SERIAL OUT [pem] one certificate (ORG "-" for none)
 *   certgen batch DIR CA ORG FIRST COUNT OUT  COUNT certificates, concatenated DER
 *   certgen id FILE                           the certificate id of a PEM or DER certificate */
#include "autoconf.h"

#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testcerts.h"

static int usage(void)
{
    fprintf(stderr, "usage: certgen setup DIR | issue DIR CA ORG SERIAL OUT [pem] | "
                    "batch DIR CA ORG FIRST COUNT OUT | id FILE\n");
    return 2;
}

/* Prints the lower-case hex SHA-256 of the certificate's DER. */
static int print_id(const char *path)
{
    size_t len = 0, i;
    unsigned char *data = tc_read_file(path, &len), *der = NULL, md[32];
    const unsigned char *p = data;
    BIO *bio = data ? BIO_new_mem_buf(data, (int)len) : NULL;
    X509 *x = bio && len && data[0] != 0x30 ? PEM_read_bio_X509(bio, NULL, NULL, NULL)
                                            : d2i_X509(NULL, &p, (long)len);
    int n = x ? i2d_X509(x, &der) : -1;

    if (n > 0 && EVP_Digest(der, (size_t)n, md, NULL, EVP_sha256(), NULL)) {
        for (i = 0; i < sizeof(md); i++)
            printf("%02x", md[i]);
        printf("\n");
    }
    OPENSSL_free(der);
    X509_free(x);
    BIO_free(bio);
    free(data);
    return n > 0 ? 0 : 1;
}

static const char *org_arg(const char *s)
{
    return strcmp(s, "-") == 0 ? NULL : s;
}

static int write_cert(const char *path, const unsigned char *der, size_t len, int pem)
{
    const unsigned char *p = der;
    X509 *x;
    FILE *f;
    int ok;

    if (!pem)
        return tc_write_file(path, der, len);
    x = d2i_X509(NULL, &p, (long)len);
    f = fopen(path, "w");
    ok = x != NULL && f != NULL && PEM_write_X509(f, x);
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    X509_free(x);
    return ok ? 0 : -1;
}

static int issue(char **argv, int argc)
{
    tc_ca ca;
    unsigned char *der = NULL;
    size_t len = 0;
    char cn[64];
    int rc;

    if (tc_ca_load(&ca, argv[2], argv[3]) != 0) {
        fprintf(stderr, "certgen: cannot load CA %s/%s\n", argv[2], argv[3]);
        tc_ca_free(&ca);
        return 1;
    }
    snprintf(cn, sizeof(cn), "device-%s", argv[5]);
    rc = tc_issue(&ca, org_arg(argv[4]), cn, strtoull(argv[5], NULL, 10), &der, &len);
    if (rc == 0)
        rc = write_cert(argv[6], der, len, argc > 7 && strcmp(argv[7], "pem") == 0);
    free(der);
    tc_ca_free(&ca);
    return rc == 0 ? 0 : 1;
}

static int batch(char **argv)
{
    unsigned long long first = strtoull(argv[5], NULL, 10), n = strtoull(argv[6], NULL, 10), i;
    FILE *out = fopen(argv[7], "wb");
    unsigned char *der = NULL;
    size_t len = 0;
    char cn[64];
    tc_ca ca;
    int rc = out == NULL || tc_ca_load(&ca, argv[2], argv[3]) != 0;

    for (i = 0; rc == 0 && i < n; i++) {
        snprintf(cn, sizeof(cn), "device-%llu", first + i);
        rc = tc_issue(&ca, org_arg(argv[4]), cn, first + i, &der, &len);
        if (rc == 0 && fwrite(der, 1, len, out) != len)
            rc = 1;
        free(der);
    }
    if (out != NULL && fclose(out) != 0)
        rc = 1;
    tc_ca_free(&ca);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "setup") == 0)
        return tc_setup(argv[2]) == 0 ? 0 : 1;
    if ((argc == 7 || argc == 8) && strcmp(argv[1], "issue") == 0)
        return issue(argv, argc);
    if (argc == 8 && strcmp(argv[1], "batch") == 0)
        return batch(argv);
    if (argc == 3 && strcmp(argv[1], "id") == 0)
        return print_id(argv[2]);
    return usage();
}
