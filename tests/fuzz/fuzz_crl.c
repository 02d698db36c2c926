/* CRL parse (iotregctl import --crl FILE): a CRL in PEM or DER, which must
 * be signed by a configured SubCA, its entries and reasons, delta CRLs
 * refused, and the lookup of certificates in it. The journal, which the
 * import then applies the entries to, is no parser of untrusted input and
 * is left out. The process sets up a SubCA, a configuration naming it and
 * three of its certificates (serials 1, 2, 3). The first byte chooses what
 * the rest is:
 *   even: the CRL's bytes, as they are;
 *   odd:  a DER CRL that, when OpenSSL can read it, is given the SubCA as
 *         issuer and signed with its key before the parse reads it, so that
 *         the entries' parsing is reached (a fuzzer cannot forge signatures). */
#include "autoconf.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/crl_reason.h"
#include "capture/import_crl.h"
#include "fuzz.h"
#include "fuzz_subca.h"

#define N_LEAVES 3

static certgen_ca subca;
static ir_config *cfg;
static X509 *leaves[N_LEAVES];

static void teardown(void)
{
    size_t i;

    for (i = 0; i < N_LEAVES; i++)
        X509_free(leaves[i]);
    ir_config_free(cfg);
    certgen_ca_free(&subca);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    size_t i;

    (void)argc;
    (void)argv;
    cfg = fuzz_subca_config(&subca, "", "");
    for (i = 0; i < N_LEAVES; i++) {
        certgen_leaf spec = {.cn = "device", .serial = (long)i + 1};

        leaves[i] = certgen_issue(&subca, &spec);
        if (leaves[i] == NULL)
            abort();
    }
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
    ERR_clear_error();
    return len > 0 ? len : 0;
}

/* What the parse returns holds together, and the lookups agree with it: as
 * the import would count them, the three certificates' listings add up. */
static void check(const ir_crl *crl)
{
    ir_crl_entry e;
    long held = 0, revoked = 0, found = 0;
    size_t i;

    FUZZ_CHECK(crl->subca == ir_config_subca(cfg, "sub"));
    FUZZ_CHECK((crl->entries == NULL) == (crl->n_entries == 0));
    for (i = 0; i < crl->n_entries; i++) {
        FUZZ_CHECK(crl->entries[i].serial != NULL);
        FUZZ_CHECK(crl->entries[i].reason >= 0 && crl->entries[i].reason <= 10 &&
                   crl->entries[i].reason != 7);
        FUZZ_CHECK(crl->entries[i].revokes == ir_crl_reason_revokes(crl->entries[i].reason));
        crl->entries[i].revokes ? revoked++ : held++;
    }
    FUZZ_CHECK(revoked + held == (long)crl->n_entries);
    for (i = 0; i < N_LEAVES; i++) {
        if (!ir_crl_lookup(crl, leaves[i], &e))
            continue;
        found++;
        FUZZ_CHECK(ASN1_INTEGER_cmp(e.serial, X509_get0_serialNumber(leaves[i])) == 0);
        FUZZ_CHECK(e.revokes == ir_crl_reason_revokes(e.reason));
    }
    if (found > (long)crl->n_entries) {
        fprintf(stderr, "fuzz_crl: %zu entries, %ld of the certificates found\n", crl->n_entries,
                found);
        FUZZ_CHECK(!"the lookups' count adds up");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t mode = fuzz_take_byte(&data, &size);
    unsigned char *der = NULL;
    ir_crl *crl = NULL;
    int len;

    if (mode & 1) {
        if ((len = resigned(data, size, &der)) == 0)
            return 0;
        data = der;
        size = (size_t)len;
    }
    if (ir_crl_parse(cfg, data, size, "crl", &crl, NULL) == IR_OK) {
        FUZZ_CHECK(crl != NULL);
        check(crl);
    } else {
        FUZZ_CHECK(crl == NULL);
    }
    ir_crl_free(crl);
    OPENSSL_free(der);
    return 0;
}
