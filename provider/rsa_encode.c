/* DER for RSA signatures, built with libcrypto's ASN.1 types. */
#include "autoconf.h"

#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "provider/rsa_encode.h"

static int encode_algor(X509_ALGOR *alg, unsigned char **der)
{
    int len = alg != NULL ? i2d_X509_ALGOR(alg, der) : -1;

    X509_ALGOR_free(alg);
    return len;
}

int ir_rsa_pkcs1_algid(const EVP_MD *md, unsigned char **der)
{
    X509_ALGOR *alg = X509_ALGOR_new();
    int sigid = NID_undef;

    if (alg == NULL || !OBJ_find_sigid_by_algs(&sigid, EVP_MD_get_type(md), NID_rsaEncryption) ||
        !X509_ALGOR_set0(alg, OBJ_nid2obj(sigid), V_ASN1_NULL, NULL)) {
        X509_ALGOR_free(alg);
        return -1;
    }
    return encode_algor(alg, der);
}

/* With NULL parameters, as libcrypto's own RSASSA-PSS parameters have them. */
static X509_ALGOR *md_algor(const EVP_MD *md)
{
    X509_ALGOR *a = X509_ALGOR_new();

    if (a != NULL && !X509_ALGOR_set0(a, OBJ_nid2obj(EVP_MD_get_type(md)), V_ASN1_NULL, NULL)) {
        X509_ALGOR_free(a);
        a = NULL;
    }
    return a;
}

/* maskGenAlgorithm: id-mgf1 with the MGF1 digest's AlgorithmIdentifier. */
static X509_ALGOR *mgf1_algor(const EVP_MD *mgf1_md)
{
    X509_ALGOR *hash = md_algor(mgf1_md);
    X509_ALGOR *mgf = X509_ALGOR_new();
    ASN1_STRING *packed = NULL;

    if (hash == NULL || mgf == NULL ||
        ASN1_item_pack(hash, ASN1_ITEM_rptr(X509_ALGOR), &packed) == NULL ||
        !X509_ALGOR_set0(mgf, OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE, packed)) {
        ASN1_STRING_free(packed);
        X509_ALGOR_free(mgf);
        mgf = NULL;
    }
    X509_ALGOR_free(hash);
    return mgf;
}

int ir_rsa_pss_algid(const EVP_MD *md, const EVP_MD *mgf1_md, int saltlen, unsigned char **der)
{
    RSA_PSS_PARAMS *pss = RSA_PSS_PARAMS_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    ASN1_STRING *packed = NULL;
    int ok = 0;

    if (pss != NULL && alg != NULL && (pss->hashAlgorithm = md_algor(md)) != NULL &&
        (pss->maskGenAlgorithm = mgf1_algor(mgf1_md)) != NULL &&
        (pss->saltLength = ASN1_INTEGER_new()) != NULL &&
        ASN1_INTEGER_set(pss->saltLength, saltlen) &&
        ASN1_item_pack(pss, ASN1_ITEM_rptr(RSA_PSS_PARAMS), &packed) != NULL &&
        X509_ALGOR_set0(alg, OBJ_nid2obj(NID_rsassaPss), V_ASN1_SEQUENCE, packed))
        ok = 1;
    RSA_PSS_PARAMS_free(pss);
    if (!ok) {
        ASN1_STRING_free(packed);
        X509_ALGOR_free(alg);
        return -1;
    }
    return encode_algor(alg, der);
}
