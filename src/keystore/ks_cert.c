/* Building CA and verification certificates with libcrypto's X509 API,
 * signed by a token key through the keystore. */
#include "autoconf.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "keystore/subca.h"

#define DN_MAX 1024

/* Adds "type=value" (value may be empty only when refused). */
static int add_rdn(X509_NAME *name, char *pair)
{
    char *eq = strchr(pair, '=');

    if (eq == NULL || eq == pair || eq[1] == '\0')
        return 0;
    *eq = '\0';
    return X509_NAME_add_entry_by_txt(name, pair, MBSTRING_UTF8, (unsigned char *)eq + 1, -1, -1,
                                      0);
}

/* Splits text at sep, honouring "\sep" as a literal separator. */
static int add_all(X509_NAME *name, char *text, char sep)
{
    char *p = text, *start = text, *w = text;

    for (;; p++) {
        if (*p == '\\' && p[1] == sep) {
            *w++ = *++p;
            continue;
        }
        if (*p == sep || *p == '\0') {
            int last = *p == '\0';
            *w = '\0';
            while (*start == ' ')
                start++;
            if (*start != '\0' && !add_rdn(name, start))
                return 0;
            if (last)
                return 1;
            start = w = p + 1;
            continue;
        }
        *w++ = *p;
    }
}

ir_rc ir_ks_parse_dn(const char *text, X509_NAME **out, ir_err *err)
{
    char copy[DN_MAX];
    X509_NAME *name = X509_NAME_new();
    int ok;

    *out = NULL;
    if (name == NULL || text == NULL || strlen(text) >= sizeof(copy)) {
        X509_NAME_free(name);
        return ir_err_set(err, IR_ERR_INVALID_ARG, "subject missing or too long");
    }
    snprintf(copy, sizeof(copy), "%s", text[0] == '/' ? text + 1 : text);
    ok = add_all(name, copy, text[0] == '/' ? '/' : ',');
    if (!ok || X509_NAME_entry_count(name) == 0) {
        X509_NAME_free(name);
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "subject '%s' is not a distinguished name: write it as "
                          "\"/CN=Devices EU/O=Example\" or \"CN=Devices EU,O=Example\" with "
                          "known attribute types",
                          text);
    }
    *out = name;
    return IR_OK;
}

static int set_serial(X509 *x)
{
    unsigned char bytes[16];
    BIGNUM *bn;
    int ok;

    if (RAND_bytes(bytes, sizeof(bytes)) != 1)
        return 0;
    bytes[0] &= 0x7f; /* positive */
    bytes[0] |= 0x01; /* and never shorter than 16 bytes' worth of entropy */
    bn = BN_bin2bn(bytes, sizeof(bytes), NULL);
    ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    int ok = ext != NULL && X509_add_ext(x, ext, -1);

    X509_EXTENSION_free(ext);
    return ok;
}

static int add_extensions(X509 *x, const ir_ks_cert_req *req)
{
    X509V3_CTX ctx;
    X509 *issuer = req->issuer_cert != NULL ? req->issuer_cert : x;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    if (!add_ext(x, &ctx, NID_basic_constraints,
                 req->is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"))
        return 0;
    if (!add_ext(x, &ctx, NID_key_usage,
                 req->is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"))
        return 0;
    if (!add_ext(x, &ctx, NID_subject_key_identifier, "hash"))
        return 0;
    return add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
}

static const char *digest_for(EVP_PKEY *issuer_key)
{
    return EVP_PKEY_is_a(issuer_key, "EC") && EVP_PKEY_get_bits(issuer_key) > 256 ? "SHA384"
                                                                                  : "SHA256";
}

/* ecdsa-with-SHA* (no parameters) or sha*WithRSAEncryption (NULL). */
static int set_algorithm(X509_ALGOR *alg, EVP_PKEY *issuer_key, const EVP_MD *md)
{
    int ec = EVP_PKEY_is_a(issuer_key, "EC"), sigid = NID_undef;

    return OBJ_find_sigid_by_algs(&sigid, EVP_MD_get_type(md),
                                  ec ? NID_X9_62_id_ecPublicKey : NID_rsaEncryption) &&
           X509_ALGOR_set0(alg, OBJ_nid2obj(sigid), ec ? V_ASN1_UNDEF : V_ASN1_NULL, NULL);
}

/* Both copies of the signature algorithm, then the signature. libcrypto 3.0
 * has no setter for them on an X509 (X509_REQ has one): they are the
 * certificate's own objects, written in place as X509_sign does. */
static int set_signature(X509 *x, EVP_PKEY *issuer_key, const EVP_MD *md)
{
    const ASN1_BIT_STRING *csig;
    const X509_ALGOR *calg;

    X509_get0_signature(&csig, &calg, x);
    return set_algorithm((X509_ALGOR *)X509_get0_tbs_sigalg(x), issuer_key, md) &&
           set_algorithm((X509_ALGOR *)calg, issuer_key, md);
}

static int put_signature(X509 *x, const unsigned char *sig, size_t siglen)
{
    const ASN1_BIT_STRING *csig;
    ASN1_BIT_STRING *bits;

    X509_get0_signature(&csig, NULL, x);
    bits = (ASN1_BIT_STRING *)csig;
    if (!ASN1_BIT_STRING_set(bits, (unsigned char *)sig, (int)siglen))
        return 0;
    bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07); /* no unused bits */
    bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    return 1;
}

/* The certificates iotregctl makes (SubCAs, verification certificates) are
 * not device certificates: the keystore signs them directly, so they never
 * pass the provider and its issuance tap (which nothing an OpenSSL caller
 * sets can switch off). */
static ir_rc sign_cert(X509 *x, const ir_ks_cert_req *req, ir_err *err)
{
    EVP_MD *md = EVP_MD_fetch(req->libctx, digest_for(req->issuer_key), NULL);
    unsigned char *tbs = NULL, dgst[EVP_MAX_MD_SIZE], sig[IR_KS_SIG_MAX];
    unsigned int dlen = 0;
    size_t siglen = sizeof(sig);
    int tbslen = -1;
    ir_rc rc = IR_OK;

    if (md == NULL || !set_signature(x, req->issuer_key, md) ||
        (tbslen = i2d_re_X509_tbs(x, &tbs)) <= 0 ||
        !EVP_Digest(tbs, (size_t)tbslen, dgst, &dlen, md, NULL))
        rc = ir_ks_ossl_error(err, IR_ERR_CRYPTO, "cannot encode the certificate to sign");
    if (rc == IR_OK)
        rc = ir_ks_sign_digest(req->ks, req->issuer_label, md, dgst, dlen, sig, &siglen, err);
    if (rc == IR_OK && !put_signature(x, sig, siglen))
        rc = ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    OPENSSL_free(tbs);
    EVP_MD_free(md);
    return rc;
}

static int fill_cert(X509 *x, const ir_ks_cert_req *req)
{
    const X509_NAME *issuer =
        req->issuer_cert != NULL ? X509_get_subject_name(req->issuer_cert) : req->subject;

    return X509_set_version(x, X509_VERSION_3) && set_serial(x) &&
           X509_set_subject_name(x, req->subject) && X509_set_issuer_name(x, issuer) &&
           X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
           X509_time_adj_ex(X509_getm_notAfter(x), req->days, 0, NULL) != NULL &&
           X509_set_pubkey(x, req->subject_key) && add_extensions(x, req);
}

ir_rc ir_ks_build_cert(const ir_ks_cert_req *req, X509 **out, ir_err *err)
{
    X509 *x = X509_new_ex(req->libctx, NULL);
    ir_rc rc;

    *out = NULL;
    if (x == NULL || !fill_cert(x, req)) {
        X509_free(x);
        return ir_ks_ossl_error(err, IR_ERR_CRYPTO, "cannot build the certificate");
    }
    rc = sign_cert(x, req, err);
    if (rc != IR_OK) {
        X509_free(x);
        return rc;
    }
    *out = x;
    return IR_OK;
}
