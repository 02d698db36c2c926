/* CRL import (iotregctl import --crl FILE): a CRL file in PEM or DER, which
 * must be signed by a configured SubCA, and the revocations it lists for the
 * certificates the journal holds. The process sets up a SubCA, a
 * configuration naming it and a journal holding three of its certificates
 * (serials 1, 2, 3). The first byte chooses what the rest is:
 *   even: the CRL file's bytes, as they are;
 *   odd:  a DER CRL that, when OpenSSL can read it, is given the SubCA as
 *         issuer and signed with its key before the import reads it, so that
 *         the entries' parsing is reached (a fuzzer cannot forge signatures). */
#include "autoconf.h"

#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/runtime.h"
#include "capture/import_crl.h"
#include "certgen.h"
#include "fuzz.h"

static certgen_ca subca;
static ir_config *cfg;
static ir_journal *journal;
static char crl_path[4096];

static const char config_xml[] =
    "<iotreg xmlns='urn:iotreg:config:1' version='1'>\n"
    "  <keystore><pin-file>%s/user.pin</pin-file></keystore>\n"
    "  <journal><sqlite path='%s/journal.db'/></journal>\n"
    "  <csp-accounts><csp-account name='csp'><account-id>111122223333</account-id>\n"
    "    <region>eu-central-1</region><credentials><environment/></credentials>\n"
    "  </csp-account></csp-accounts>\n"
    "  <subcas><subca name='sub'><cert-file>%s/sub.pem</cert-file>\n"
    "    <csp-account>csp</csp-account></subca></subcas>\n"
    "</iotreg>\n";

static void must(int ok, const char *what, const ir_err *err)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz_crl: setting up: %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
    abort();
}

static void enqueue_leaf(long serial)
{
    certgen_leaf spec = {.cn = "device", .serial = serial};
    X509 *leaf = certgen_issue(&subca, &spec);
    ir_enqueue_req req = {
        .subca = "sub", .unattributed_reason = "fuzz", .source = IR_SOURCE_IMPORT};
    unsigned char *der;
    size_t len = 0;
    ir_err err = {0};

    must(leaf != NULL, "issuing a certificate", NULL);
    der = certgen_der(leaf, &len);
    must(der != NULL, "encoding a certificate", NULL);
    req.der = der;
    req.der_len = len;
    must(ir_journal_enqueue(journal, &req, NULL, &err) == IR_OK, "enqueueing", &err);
    OPENSSL_free(der);
    X509_free(leaf);
}

static void teardown(void)
{
    ir_journal_close(journal);
    ir_config_free(cfg);
    certgen_ca_free(&subca);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = fuzz_dir();
    char path[4096], text[4096];
    ir_err err = {0};
    long serial;

    (void)argc;
    (void)argv;
    must(certgen_ca_new(&subca, "Fuzz SubCA") == 0, "making the SubCA", NULL);
    fuzz_path(path, sizeof(path), "sub.pem");
    must(certgen_write_pem(path, subca.cert) == 0, "writing the SubCA", NULL);
    snprintf(text, sizeof(text), config_xml, dir, dir, dir);
    fuzz_path(path, sizeof(path), "iotreg.xml");
    fuzz_write_file(path, (const uint8_t *)text, strlen(text));
    must(ir_config_load(path, &cfg, &err) == IR_OK, "loading the configuration", &err);
    must(ir_runtime_open_journal(cfg, &journal, &err) == IR_OK, "opening the journal", &err);
    for (serial = 1; serial <= 3; serial++)
        enqueue_leaf(serial);
    fuzz_path(crl_path, sizeof(crl_path), "crl");
    atexit(teardown);
    return 0;
}

/* The CRL in data, issued by the SubCA and signed with its key: DER in *out
 * (OPENSSL_free it), or 0 when OpenSSL cannot read or sign it. */
static int resigned(const uint8_t *data, size_t size, unsigned char **out)
{
    const unsigned char *p = data;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)size);
    int len = 0;

    if (crl != NULL && X509_CRL_set_issuer_name(crl, X509_get_subject_name(subca.cert)) == 1 &&
        X509_CRL_sign(crl, subca.key, EVP_sha256()) > 0)
        len = i2d_X509_CRL(crl, out);
    X509_CRL_free(crl);
    return len > 0 ? len : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t mode = fuzz_take_byte(&data, &size);
    ir_crl_import_stats st;
    unsigned char *der = NULL;
    long taken;
    int len;
    ir_rc rc;

    if (mode & 1) {
        if ((len = resigned(data, size, &der)) == 0)
            return 0;
        fuzz_write_file(crl_path, der, (size_t)len);
        OPENSSL_free(der);
    } else {
        fuzz_write_file(crl_path, data, size);
    }
    rc = ir_import_crl(cfg, journal, crl_path, &st, NULL);
    if (rc != IR_OK)
        return 0;
    /* The journal holds three of the SubCA's certificates; the counts add up. */
    taken = st.requested + st.known + st.not_revoked;
    if (st.listed < 0 || taken > 3 || taken > st.listed || st.absent != st.listed - taken) {
        fprintf(stderr,
                "fuzz_crl: listed %ld, requested %ld, known %ld, not revoked %ld, absent %ld\n",
                st.listed, st.requested, st.known, st.not_revoked, st.absent);
        FUZZ_CHECK(!"the import's counts add up");
    }
    return 0;
}
