/* Attribution over certificate fields: which customer a certificate
 * belongs to, by rules on its subject, subjectAltNames, extensions and
 * issuer, read from whatever a CA put there. The process loads a
 * configuration with one rule of every kind; each input is a certificate's
 * DER. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "capture/attribution.h"
#include "fuzz.h"
#include "fuzz_subca.h"

static certgen_ca subca;
static ir_config *cfg;

/* Besides SubCA 'sub': a SubCA whose certificate is unknown, two customers
 * and a rule of every kind. */
static const char more_subcas[] =
    "    <subca name='other'><csp-account>csp</csp-account></subca>\n";
static const char more[] =
    "  <customers>\n"
    "    <customer id='acme'><account-id>444455556666</account-id><region>eu-central-1</region>\n"
    "      <credentials><environment/></credentials><policy name='p'/></customer>\n"
    "    <customer id='globex'><account-id>777788889999</account-id><region>us-east-1</region>\n"
    "      <credentials><environment/></credentials><policy name='p'/></customer>\n"
    "  </customers>\n"
    "  <attribution>\n"
    "    <rule customer='acme'><subca>sub</subca>\n"
    "      <subject attribute='O'>Acme</subject>\n"
    "      <subject attribute='OU' match='prefix'>Plant-</subject></rule>\n"
    "    <rule customer='acme'><subject attribute='CN' match='regex'>^dev-[0-9]+$</subject>\n"
    "      <san type='dns' match='prefix'>dev-</san></rule>\n"
    "    <rule customer='globex'><san type='ip'>192.0.2.7</san><san>ops@example.com</san></rule>\n"
    "    <rule customer='globex'><extension oid='1.3.6.1.4.1.99999.1'>globex</extension></rule>\n"
    "    <rule customer='globex'><profile>gx-device</profile></rule>\n"
    "  </attribution>\n";

static void teardown(void)
{
    ir_config_free(cfg);
    certgen_ca_free(&subca);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    cfg = fuzz_subca_config(&subca, more_subcas, more);
    atexit(teardown);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ir_cert_meta metas[] = {
        {NULL, NULL, NULL}, {"dev-1", "gx-device", NULL}, {NULL, NULL, "sub"}};
    const unsigned char *p = data;
    X509 *cert = d2i_X509(NULL, &p, (long)size);
    ir_attribution out;
    size_t i;
    ir_rc rc;

    /* What does not parse as exactly one certificate is refused; what does
     * is parsed once here (the parse is most of the cost) and attributed
     * with each kind of CA metadata. */
    if (cert == NULL || p != data + size) {
        X509_free(cert);
        ERR_clear_error();
        FUZZ_CHECK(ir_attribute(cfg, data, size, &metas[0], &out, NULL) != IR_OK);
        return 0;
    }
    for (i = 0; i < sizeof(metas) / sizeof(metas[0]); i++) {
        memset(&out, 0xa5, sizeof(out));
        rc = ir_attribute_x509(cfg, cert, &metas[i], &out, NULL);
        if (rc != IR_OK)
            continue;
        /* Attributed or not, the reason is there to read. */
        FUZZ_CHECK(memchr(out.reason, '\0', sizeof(out.reason)) != NULL && out.reason[0] != '\0');
        FUZZ_CHECK(out.customer == NULL || out.customer == ir_config_customer(cfg, "acme") ||
                   out.customer == ir_config_customer(cfg, "globex"));
    }
    X509_free(cert);
    return 0;
}
