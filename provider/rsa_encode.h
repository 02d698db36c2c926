/* DER encodings RSA signing needs: the PKCS#1 v1.5 DigestInfo, and the
 * AlgorithmIdentifiers of sha*WithRSAEncryption and RSASSA-PSS. */
#ifndef IOTREG_PROVIDER_RSA_ENCODE_H
#define IOTREG_PROVIDER_RSA_ENCODE_H

#include <stddef.h>

#include <openssl/evp.h>

/* DigestInfo{digestAlgorithm (with NULL parameters), digest}; *der freed by
 * the caller with OPENSSL_free. Returns its length, or -1. */
int ir_rsa_digest_info(const EVP_MD *md, const unsigned char *dgst, size_t dlen,
                       unsigned char **der);
int ir_rsa_pkcs1_algid(const EVP_MD *md, unsigned char **der);
int ir_rsa_pss_algid(const EVP_MD *md, const EVP_MD *mgf1_md, int saltlen, unsigned char **der);

#endif
