/* A key of the provider: the public half as an EVP_PKEY of another provider
 * (for parameters, matching and public export) and, when it has one, the
 * token's private key, used only through C_Sign. */
#ifndef IOTREG_PROVIDER_KEY_H
#define IOTREG_PROVIDER_KEY_H

#include <openssl/evp.h>

#include "provider/keyref.h"
#include "provider/provider.h"

typedef struct ir_pkey {
    ir_prov_ctx *prov;
    ir_key_type type;
    EVP_PKEY *pub; /* NULL until loaded or imported */
    int has_private;
    ir_ks_objref priv;
    /* A software key libcrypto generated through this keymgmt (iotreg loaded
     * before the default provider, keymgmt_soft.c): pub is all of it,
     * private half included, and everything done with it is libcrypto's. */
    int soft;
    int refs;
} ir_pkey;

ir_pkey *ir_pkey_new(ir_prov_ctx *prov, ir_key_type type);
ir_pkey *ir_pkey_up_ref(ir_pkey *k);
void ir_pkey_free(ir_pkey *k);
/* A key from a reference made by the store; NULL (error raised) on failure. */
ir_pkey *ir_pkey_from_ref(const void *ref, size_t len, ir_key_type type);
/* "EC" or "RSA". */
const char *ir_pkey_type_name(ir_key_type type);
/* Bits of the modulus or of the curve's order. */
int ir_pkey_bits(const ir_pkey *k);
/* The largest signature this key makes (DER ECDSA-Sig-Value or modulus size). */
size_t ir_pkey_max_signature(const ir_pkey *k);
/* C_Sign with the token key; raises on failure. 1/0. */
int ir_pkey_token_sign(ir_pkey *k, CK_MECHANISM *mech, const unsigned char *in, size_t inlen,
                       unsigned char *sig, size_t *siglen);

#endif
