/* The issuance tap's view of a signature (src/capture/tbs.c, what
 * provider/tap.c runs): the classifier that tells a possible TBSCertificate
 * from a CRL's, an OCSP response's or a CSR's signed part by its first
 * bytes, the rebuild of SEQUENCE { tbs, algid, BIT STRING sig }, and the
 * parse of the result. Input layout:
 *   u16 tbs length (big-endian), u8 algid length, tbs, algid, signature. */
#include "autoconf.h"

#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cert_input.h"
#include "capture/tbs.h"
#include "fuzz.h"

/* Whatever the tap would journal, the classifier must have let through:
 * a message it calls "provably no TBSCertificate" never rebuilds into a
 * certificate (else a certificate would leave the provider unjournaled). */
static void check_classifier(const uint8_t *tbs, size_t tbslen, X509 *x)
{
    size_t head;

    if (x == NULL)
        return;
    FUZZ_CHECK(ir_tbs_may_be_certificate(tbs, tbslen, tbslen) == 1);
    /* The same holds when only the first bytes of a streamed message are at
     * hand. */
    for (head = 0; head < tbslen; head += 1 + head / 4)
        FUZZ_CHECK(ir_tbs_may_be_certificate(tbs, head, tbslen) == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t tbslen = fuzz_take_len16(&data, &size), algid_len, len = 0;
    const uint8_t *tbs = data, *algid;
    unsigned char *der, *re = NULL;
    X509 *x;
    int relen;

    data += tbslen;
    size -= tbslen;
    algid_len = fuzz_take_byte(&data, &size);
    algid_len = algid_len < size ? algid_len : size;
    algid = data;
    data += algid_len;
    size -= algid_len;
    (void)ir_tbs_may_be_certificate(tbs, tbslen, tbslen);
    der = ir_tbs_rebuild(tbs, tbslen, algid, algid_len, data, size, &len);
    if (der == NULL)
        return 0;
    x = ir_tbs_parse_rebuilt(der, len);
    check_classifier(tbs, tbslen, x);
    if (x != NULL && len <= IR_CERT_MAX_DER) {
        /* A certificate the tap journals is one the rest of iotreg takes. */
        X509 *again = NULL;

        FUZZ_CHECK(ir_cert_check_der(der, len, &again, NULL) == IR_OK);
        X509_free(again);
        relen = i2d_X509(x, &re);
        FUZZ_CHECK(relen > 0);
        OPENSSL_free(re);
    }
    X509_free(x);
    free(der);
    return 0;
}
