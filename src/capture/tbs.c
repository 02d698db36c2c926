/* The issuance tap's DER work, kept apart from the provider so that it can
 * be fuzzed on its own (tests/fuzz/fuzz_tap.c): telling a TBSCertificate from
 * the other things a CA key signs by its first bytes, and rebuilding the
 * certificate a signature makes. */
#include "autoconf.h"

#include "capture/tbs.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

static size_t der_len_size(size_t len)
{
    size_t n = 1;

    if (len < 0x80)
        return 1;
    while (len > 0) {
        n++;
        len >>= 8;
    }
    return n;
}

static unsigned char *der_put_header(unsigned char *p, unsigned char tag, size_t len)
{
    size_t n = der_len_size(len), i;

    *p++ = tag;
    if (n == 1) {
        *p++ = (unsigned char)len;
        return p;
    }
    *p++ = (unsigned char)(0x80 | (n - 1));
    for (i = n - 1; i > 0; i--)
        *p++ = (unsigned char)(len >> (8 * (i - 1)));
    return p;
}

unsigned char *ir_tbs_rebuild(const unsigned char *tbs, size_t tbslen, const unsigned char *algid,
                              size_t algid_len, const unsigned char *sig, size_t siglen,
                              size_t *outlen)
{
    size_t bits = 1 + siglen;
    size_t body = tbslen + algid_len + 1 + der_len_size(bits) + bits;
    size_t total = 1 + der_len_size(body) + body;
    unsigned char *der, *p;

    *outlen = 0;
    if ((der = malloc(total)) == NULL)
        return NULL;
    p = der_put_header(der, 0x30, body);
    memcpy(p, tbs, tbslen);
    p += tbslen;
    memcpy(p, algid, algid_len);
    p += algid_len;
    p = der_put_header(p, 0x03, bits);
    *p++ = 0;
    memcpy(p, sig, siglen);
    *outlen = total;
    return der;
}

X509 *ir_tbs_parse_rebuilt(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x;

    if (len > LONG_MAX)
        return NULL;
    ERR_set_mark();
    x = d2i_X509(NULL, &p, (long)len);
    ERR_pop_to_mark();
    if (x != NULL && (size_t)(p - der) != len) {
        X509_free(x);
        x = NULL;
    }
    return x;
}

/* One BER header as libcrypto reads it: class, tag number (the high-tag
 * form too), and the content's length unless indefinite. */
typedef struct ber_head {
    unsigned cls;
    unsigned long tag;
    int indefinite;
    size_t hlen, len;
} ber_head;

#define BER_UNIVERSAL 0x00
#define BER_CONTEXT   0x80
#define BER_INTEGER   2
#define BER_SEQUENCE  16

/* 0 when the bytes end before the header does or cannot be BER. */
static int ber_read_head(const unsigned char *p, size_t avail, ber_head *h)
{
    size_t i = 1, n;

    if (avail < 2)
        return 0;
    h->cls = p[0] & 0xc0;
    h->tag = p[0] & 0x1f;
    h->indefinite = 0;
    h->len = 0;
    if (h->tag == 0x1f) {
        h->tag = 0;
        do {
            if (i >= avail || h->tag > (ULONG_MAX >> 7))
                return 0;
            h->tag = (h->tag << 7) | (p[i] & 0x7f);
        } while (p[i++] & 0x80);
    }
    if (i >= avail)
        return 0;
    n = p[i++];
    if (n == 0x80) {
        h->indefinite = 1;
    } else if (n < 0x80) {
        h->len = n;
    } else {
        for (n &= 0x7f; n > 0; n--) {
            if (i >= avail || h->len > (SIZE_MAX >> 8))
                return 0;
            h->len = (h->len << 8) | p[i++];
        }
    }
    h->hlen = i;
    return 1;
}

static int ber_is(const ber_head *h, unsigned cls, unsigned long tag)
{
    return h->cls == cls && h->tag == tag;
}

int ir_tbs_may_be_certificate(const unsigned char *head, size_t avail, size_t total)
{
    /* A TBSCertificate without [0] version (v1) goes on serial INTEGER,
     * signature SEQUENCE, issuer SEQUENCE, validity SEQUENCE; a TBSCertList
     * has a Time where the validity is, a CertificationRequestInfo [0]. */
    static const unsigned long v1[] = {BER_INTEGER, BER_SEQUENCE, BER_SEQUENCE};
    int cut = avail < total; /* the bytes we do not have could make it one */
    ber_head h;
    size_t off, i;

    if (!ber_read_head(head, avail, &h))
        return cut;
    if (!ber_is(&h, BER_UNIVERSAL, BER_SEQUENCE) ||
        (!h.indefinite && (h.len > total || h.hlen != total - h.len)))
        return 0; /* the signed bytes are exactly one TBSCertificate or none */
    off = h.hlen;
    if (!ber_read_head(head + off, avail - off, &h))
        return cut;
    if (ber_is(&h, BER_CONTEXT, 0))
        return 1;
    for (i = 0; i < sizeof(v1) / sizeof(v1[0]); i++) {
        if (!ber_is(&h, BER_UNIVERSAL, v1[i]))
            return 0;
        if (h.indefinite || h.len > avail - off - h.hlen)
            return 1; /* cannot step over it with the bytes at hand: assume the worst */
        off += h.hlen + h.len;
        if (!ber_read_head(head + off, avail - off, &h))
            return cut;
    }
    return ber_is(&h, BER_UNIVERSAL, BER_SEQUENCE);
}
