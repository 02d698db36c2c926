/* Provider keys: creation from a store reference, lifetime, sizes, and the
 * token signature. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "provider/debug.h"
#include "provider/errors.h"
#include "provider/key.h"

const char *ir_pkey_type_name(ir_key_type type)
{
    return type == IR_KEY_EC ? "EC" : "RSA";
}

ir_pkey *ir_pkey_new(ir_prov_ctx *prov, ir_key_type type)
{
    ir_pkey *k = calloc(1, sizeof(*k));

    if (k == NULL)
        return NULL;
    k->prov = prov;
    k->type = type;
    k->refs = 1;
    return k;
}

ir_pkey *ir_pkey_up_ref(ir_pkey *k)
{
    __atomic_add_fetch(&k->refs, 1, __ATOMIC_SEQ_CST);
    return k;
}

void ir_pkey_free(ir_pkey *k)
{
    if (k == NULL || __atomic_sub_fetch(&k->refs, 1, __ATOMIC_SEQ_CST) > 0)
        return;
    EVP_PKEY_free(k->pub);
    OPENSSL_cleanse(&k->priv, sizeof(k->priv));
    free(k);
}

static int check_ref(ir_prov_ctx *prov, ir_keystore *ks, const ir_keyref *ref, ir_key_type type)
{
    if (ref->type != type) {
        IR_PROV_ERR(prov, IOTREG_R_BAD_REFERENCE, "key '%s' is %s, not %s", ref->label,
                    ir_pkey_type_name(ref->type), ir_pkey_type_name(type));
        return 0;
    }
    if (strcmp(ref->token, ir_keystore_token_label(ks)) != 0) {
        IR_PROV_ERR(prov, IOTREG_R_BAD_REFERENCE, "key '%s' belongs to token '%s', not '%s'",
                    ref->label, ref->token, ir_keystore_token_label(ks));
        return 0;
    }
    return 1;
}

static int load_public(ir_pkey *k, ir_keystore *ks, const char *label)
{
    ir_err err = {0};

    if (ir_ks_public_key(ks, label, k->prov->libctx, IR_PROV_PROPQ, &k->pub, &err) != IR_OK) {
        IR_PROV_ERR_KS(k->prov, &err);
        return 0;
    }
    if (!EVP_PKEY_is_a(k->pub, ir_pkey_type_name(k->type))) {
        IR_PROV_ERR(k->prov, IOTREG_R_UNSUPPORTED_KEY,
                    "the public key of '%s' in the token is not %s", label,
                    ir_pkey_type_name(k->type));
        return 0;
    }
    return 1;
}

ir_pkey *ir_pkey_from_ref(const void *refdata, size_t len, ir_key_type type)
{
    ir_keyref ref;
    ir_prov_ctx *prov;
    ir_keystore *ks;
    ir_pkey *k;
    ir_err err = {0};

    if (!ir_keyref_decode(refdata, len, &ref) ||
        (prov = ir_prov_by_instance(ref.instance)) == NULL) {
        ir_prov_debug("refusing a key reference that is not iotreg's or outlived its provider");
        return NULL;
    }
    if (!ir_prov_keystore(prov, &ks) || !check_ref(prov, ks, &ref, type))
        return NULL;
    k = ir_pkey_new(prov, type);
    if (k == NULL || !load_public(k, ks, ref.label))
        goto fail;
    if (ref.is_private) {
        if (ir_ks_objref_init(&k->priv, CKO_PRIVATE_KEY, ref.label, &err) != IR_OK) {
            IR_PROV_ERR_KS(prov, &err);
            goto fail;
        }
        k->has_private = 1;
    }
    ir_prov_debug("loaded %s key '%s' (%s)", ir_pkey_type_name(type), ref.label,
                  ref.is_private ? "private, in the token" : "public");
    return k;
fail:
    ir_pkey_free(k);
    return NULL;
}

int ir_pkey_bits(const ir_pkey *k)
{
    return k->pub != NULL ? EVP_PKEY_get_bits(k->pub) : 0;
}

/* DER length of an INTEGER of n content bytes, or of a SEQUENCE header. */
static size_t der_len(size_t content)
{
    return 1 + (content < 128 ? 1 : content < 256 ? 2 : 3) + content;
}

size_t ir_pkey_max_signature(const ir_pkey *k)
{
    size_t order;

    if (k->pub == NULL)
        return 0;
    if (k->type == IR_KEY_RSA)
        return (size_t)EVP_PKEY_get_size(k->pub);
    /* ECDSA-Sig-Value: two INTEGERs of up to the order's size plus a sign byte. */
    order = ((size_t)ir_pkey_bits(k) + 7) / 8;
    return der_len(2 * der_len(order + 1));
}

int ir_pkey_token_sign(ir_pkey *k, CK_MECHANISM *mech, const unsigned char *in, size_t inlen,
                       unsigned char *sig, size_t *siglen)
{
    ir_keystore *ks;
    ir_err err = {0};

    if (!k->has_private) {
        IR_PROV_ERR(k->prov, IOTREG_R_NO_PRIVATE_KEY,
                    "this %s key has no private half in the token (a public key cannot sign)",
                    ir_pkey_type_name(k->type));
        return 0;
    }
    if (!ir_prov_keystore(k->prov, &ks))
        return 0;
    if (ir_ks_sign(ks, &k->priv, mech, in, inlen, sig, siglen, &err) != IR_OK) {
        IR_PROV_ERR_KS(k->prov, &err);
        return 0;
    }
    return 1;
}
