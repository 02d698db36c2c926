/* The issuance tap's DER work (tbs.c): pure functions over bytes, with no
 * provider, configuration or journal behind them. */
#ifndef IOTREG_CAPTURE_TBS_H
#define IOTREG_CAPTURE_TBS_H

#include <stddef.h>

#include <openssl/x509.h>

/* 0 when head, the first avail bytes of a total-byte message, prove that
 * the message is not exactly one (BER or DER) TBSCertificate; 1 when it
 * could be one. Needs no memory, so it cannot fail. */
int ir_tbs_may_be_certificate(const unsigned char *head, size_t avail, size_t total);

/* SEQUENCE { tbs, algid, BIT STRING { 0 unused bits, sig } }, whatever its
 * size (a caller checks its cap once it parses); malloc'd, NULL when out of
 * memory. *outlen is its length. */
unsigned char *ir_tbs_rebuild(const unsigned char *tbs, size_t tbslen, const unsigned char *algid,
                              size_t algid_len, const unsigned char *sig, size_t siglen,
                              size_t *outlen);

/* The rebuilt certificate der, parsed with no size cap: NULL when it does
 * not parse as exactly one certificate (or libcrypto ran out of memory). */
X509 *ir_tbs_parse_rebuilt(const unsigned char *der, size_t len);

#endif
