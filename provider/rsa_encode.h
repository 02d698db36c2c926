/* The AlgorithmIdentifiers of sha*WithRSAEncryption and RSASSA-PSS (the
 * PKCS#1 v1.5 DigestInfo is the keystore's: ir_ks_rsa_digest_info). */
#ifndef IOTREG_PROVIDER_RSA_ENCODE_H
#define IOTREG_PROVIDER_RSA_ENCODE_H

#include <stddef.h>

#include <openssl/evp.h>

int ir_rsa_pkcs1_algid(const EVP_MD *md, unsigned char **der);
int ir_rsa_pss_algid(const EVP_MD *md, const EVP_MD *mgf1_md, int saltlen, unsigned char **der);

#endif
