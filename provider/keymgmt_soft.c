/* Software keys made through the provider's keymgmt.
 *
 * With iotreg loaded before the default provider, libcrypto finds our EC
 * and RSA key management first for every key it creates by name: `openssl
 * genpkey`, `req -newkey`, TLS's ephemeral ECDHE keys. Such keys have
 * nothing to do with the token, so libcrypto generates them (in our library
 * context, never back here) and our keymgmt only carries them: a "soft"
 * key exports, encodes and derives as libcrypto's own would, and signs
 * through sig_delegate.c. */
#include "autoconf.h"

#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "provider/errors.h"
#include "provider/keymgmt.h"

typedef struct soft_gen {
    ir_prov_ctx *prov;
    ir_key_type type;
    int selection;
    EVP_PKEY_CTX *ctx;
    OSSL_PARAM *params; /* every parameter set so far, for a template's new context */
} soft_gen;

static int start_generation(soft_gen *g, EVP_PKEY *template)
{
    OSSL_LIB_CTX *libctx = g->prov->libctx;

    EVP_PKEY_CTX_free(g->ctx);
    g->ctx = template != NULL
                 ? EVP_PKEY_CTX_new_from_pkey(libctx, template, IR_PROV_PROPQ)
                 : EVP_PKEY_CTX_new_from_name(libctx, ir_pkey_type_name(g->type), IR_PROV_PROPQ);
    if (g->ctx == NULL)
        return 0;
    if ((g->selection & OSSL_KEYMGMT_SELECT_KEYPAIR) ? EVP_PKEY_keygen_init(g->ctx) <= 0
                                                     : EVP_PKEY_paramgen_init(g->ctx) <= 0)
        return 0;
    return g->params == NULL || EVP_PKEY_CTX_set_params(g->ctx, g->params) > 0;
}

void ir_km_gen_cleanup(void *genctx)
{
    soft_gen *g = genctx;

    if (g == NULL)
        return;
    EVP_PKEY_CTX_free(g->ctx);
    OSSL_PARAM_free(g->params);
    free(g);
}

int ir_km_gen_set_params(void *genctx, const OSSL_PARAM params[])
{
    soft_gen *g = genctx;
    OSSL_PARAM *merged, *kept;

    if (params == NULL || params[0].key == NULL)
        return 1;
    if (EVP_PKEY_CTX_set_params(g->ctx, params) <= 0)
        return 0;
    /* merged points into g->params and params: copy it before freeing. */
    merged = OSSL_PARAM_merge(g->params, params);
    kept = merged != NULL ? OSSL_PARAM_dup(merged) : NULL;
    OSSL_PARAM_free(merged);
    if (kept == NULL)
        return 0;
    OSSL_PARAM_free(g->params);
    g->params = kept;
    return 1;
}

void *ir_km_gen_init(void *provctx, int selection, const OSSL_PARAM params[], ir_key_type type)
{
    soft_gen *g = calloc(1, sizeof(*g));

    if (g == NULL)
        return NULL;
    g->prov = provctx;
    g->type = type;
    g->selection = selection;
    if (!start_generation(g, NULL) || !ir_km_gen_set_params(g, params)) {
        ir_km_gen_cleanup(g);
        return NULL;
    }
    return g;
}

int ir_km_gen_set_template(void *genctx, void *templ)
{
    const ir_pkey *t = templ;

    return t != NULL && t->pub != NULL && start_generation(genctx, t->pub);
}

const OSSL_PARAM *ir_km_gen_settable_params(void *genctx, void *provctx)
{
    soft_gen *g = genctx;

    return g != NULL ? EVP_PKEY_CTX_settable_params(g->ctx) : NULL;
}

void *ir_km_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg)
{
    soft_gen *g = genctx;
    EVP_PKEY *made = NULL;
    ir_pkey *k;

    if (EVP_PKEY_generate(g->ctx, &made) <= 0)
        return NULL;
    if ((k = ir_pkey_new(g->prov, g->type)) == NULL) {
        EVP_PKEY_free(made);
        return NULL;
    }
    k->pub = made;
    k->soft = 1;
    return k;
}

/* What the software key holds, asked of libcrypto's key itself. */
int ir_km_soft_has(const ir_pkey *k, int selection)
{
    static const char *const priv[] = {OSSL_PKEY_PARAM_PRIV_KEY, OSSL_PKEY_PARAM_RSA_D};
    static const char *const pub[] = {OSSL_PKEY_PARAM_PUB_KEY, OSSL_PKEY_PARAM_RSA_N};
    BIGNUM *bn = NULL;
    size_t len = 0;
    int ok = 1;

    if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) {
        ok = EVP_PKEY_get_bn_param(k->pub, priv[k->type == IR_KEY_RSA], &bn);
        BN_clear_free(bn);
        bn = NULL;
    }
    if (ok && (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY)) {
        if (k->type == IR_KEY_RSA) {
            ok = EVP_PKEY_get_bn_param(k->pub, pub[1], &bn);
            BN_free(bn);
        } else {
            ok = EVP_PKEY_get_octet_string_param(k->pub, pub[0], NULL, 0, &len) && len > 0;
        }
    }
    return ok;
}

/* A copy of the parts selected, never more: a copy of the parameters (as
 * TLS makes for a peer's key share) must not carry our private half. */
void *ir_km_soft_dup(const ir_pkey *from, int selection)
{
    ir_pkey *k = ir_pkey_new(from->prov, from->type);

    if (k == NULL)
        return NULL;
    k->soft = 1;
    if (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) {
        k->pub = EVP_PKEY_dup(from->pub);
    } else if ((k->pub = EVP_PKEY_new()) != NULL && !EVP_PKEY_copy_parameters(k->pub, from->pub)) {
        EVP_PKEY_free(k->pub);
        k->pub = NULL;
    }
    if (k->pub == NULL) {
        ir_pkey_free(k);
        return NULL;
    }
    return k;
}
