/* Provider entry point: initialisation and teardown, the algorithms it
 * offers, its parameters, and the keystore it opens on first use. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "config/config.h"
#include "provider/debug.h"
#include "provider/errors.h"
#include "provider/provider.h"
#include "provider/tap.h"

static OSSL_FUNC_provider_teardown_fn ir_prov_teardown;
static OSSL_FUNC_provider_gettable_params_fn ir_prov_gettable_params;
static OSSL_FUNC_provider_get_params_fn ir_prov_get_params;
static OSSL_FUNC_provider_query_operation_fn ir_prov_query;
static OSSL_FUNC_provider_get_reason_strings_fn ir_prov_get_reason_strings;

#define ALG(names, fns)                                                                            \
    {                                                                                              \
        names, "provider=" IR_PROV_NAME, fns, NULL                                                 \
    }

static const OSSL_ALGORITHM store_algs[] = {
    ALG("iotreg", ir_store_functions),
    {NULL, NULL, NULL, NULL},
};

static const OSSL_ALGORITHM keymgmt_algs[] = {
    ALG("EC:id-ecPublicKey:1.2.840.10045.2.1", ir_ec_keymgmt_functions),
    ALG("RSA:rsaEncryption:1.2.840.113549.1.1.1", ir_rsa_keymgmt_functions),
    {NULL, NULL, NULL, NULL},
};

static const OSSL_ALGORITHM signature_algs[] = {
    ALG("ECDSA", ir_ecdsa_signature_functions),
    ALG("RSA:rsaEncryption:1.2.840.113549.1.1.1", ir_rsa_signature_functions),
    {NULL, NULL, NULL, NULL},
};

/* Live provider instances, so that a key reference (which only carries an
 * instance id) finds its keystore; instances are few (one per library
 * context that loads the provider). */
#define MAX_INSTANCES 16
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static ir_prov_ctx *registry[MAX_INSTANCES];
static uint64_t next_instance;

static int registry_add(ir_prov_ctx *ctx)
{
    size_t i;
    int ok = 0;

    pthread_mutex_lock(&registry_lock);
    for (i = 0; i < MAX_INSTANCES && !ok; i++)
        if (registry[i] == NULL) {
            registry[i] = ctx;
            ok = 1;
        }
    pthread_mutex_unlock(&registry_lock);
    return ok;
}

static void registry_remove(const ir_prov_ctx *ctx)
{
    size_t i;

    pthread_mutex_lock(&registry_lock);
    for (i = 0; i < MAX_INSTANCES; i++)
        if (registry[i] == ctx)
            registry[i] = NULL;
    pthread_mutex_unlock(&registry_lock);
}

ir_prov_ctx *ir_prov_by_instance(uint64_t instance)
{
    ir_prov_ctx *found = NULL;
    size_t i;

    pthread_mutex_lock(&registry_lock);
    for (i = 0; i < MAX_INSTANCES && found == NULL; i++)
        if (registry[i] != NULL && registry[i]->instance == instance)
            found = registry[i];
    pthread_mutex_unlock(&registry_lock);
    return found;
}

/* Under ctx->lock. Raises the error itself. */
static int open_keystore(ir_prov_ctx *ctx)
{
    ir_keystore_opts opts;
    ir_err err = {0};
    ir_rc rc = ir_prov_keystore_opts(ctx, &opts, &err);

    if (rc != IR_OK) {
        IR_PROV_ERR(ctx, IOTREG_R_CONFIG, "%s", err.msg);
        return 0;
    }
    rc = ir_keystore_open(&opts, &ctx->ks, &err);
    if (rc != IR_OK)
        IR_PROV_ERR_KS(ctx, &err);
    return rc == IR_OK;
}

int ir_prov_keystore(ir_prov_ctx *ctx, ir_keystore **out)
{
    int ok = 1;

    pthread_mutex_lock(&ctx->lock);
    if (ctx->ks == NULL)
        ok = open_keystore(ctx);
    *out = ctx->ks;
    pthread_mutex_unlock(&ctx->lock);
    return ok;
}

static EVP_MD *cached_md(ir_prov_ctx *ctx, const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(ctx->mds) / sizeof(ctx->mds[0]) && ctx->mds[i].md != NULL; i++)
        if (strcmp(ctx->mds[i].name, name) == 0)
            return EVP_MD_up_ref(ctx->mds[i].md) ? ctx->mds[i].md : NULL;
    return NULL;
}

static void cache_md(ir_prov_ctx *ctx, const char *name, EVP_MD *md)
{
    size_t i;

    if (strlen(name) >= sizeof(ctx->mds[0].name))
        return;
    for (i = 0; i < sizeof(ctx->mds) / sizeof(ctx->mds[0]); i++)
        if (ctx->mds[i].md == NULL) {
            if (!EVP_MD_up_ref(md))
                return;
            snprintf(ctx->mds[i].name, sizeof(ctx->mds[i].name), "%s", name);
            ctx->mds[i].md = md;
            return;
        }
}

EVP_MD *ir_prov_fetch_md(ir_prov_ctx *ctx, const char *name)
{
    EVP_MD *md, *cached;

    pthread_mutex_lock(&ctx->lock);
    md = cached_md(ctx, name);
    pthread_mutex_unlock(&ctx->lock);
    if (md != NULL)
        return md;
    md = EVP_MD_fetch(ctx->libctx, name, IR_PROV_PROPQ);
    if (md == NULL)
        return NULL;
    pthread_mutex_lock(&ctx->lock);
    cached = cached_md(ctx, name); /* another thread may have been first */
    if (cached == NULL)
        cache_md(ctx, name, md);
    pthread_mutex_unlock(&ctx->lock);
    if (cached != NULL) {
        EVP_MD_free(md);
        md = cached;
    }
    return md;
}

typedef struct pw_ask {
    OSSL_PASSPHRASE_CALLBACK *cb;
    void *cbarg;
    const char *token;
} pw_ask;

static ir_rc ask_pin(void *arg, char *pin, size_t size, ir_err *err)
{
    pw_ask *a = arg;
    char info[96];
    size_t len = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PASSPHRASE_PARAM_INFO, info, 0),
        OSSL_PARAM_END,
    };

    snprintf(info, sizeof(info), "user PIN of PKCS#11 token '%s'", a->token);
    params[0].data_size = strlen(info);
    if (a->cb == NULL || !a->cb(pin, size - 1, &len, params, a->cbarg) || len == 0) {
        OPENSSL_cleanse(pin, size);
        return ir_err_set(err, IR_ERR_CONFIG,
                          "no PIN for token '%s': set <pin-file> in the iotreg "
                          "configuration or supply it (e.g. -passin)",
                          a->token);
    }
    pin[len] = '\0';
    return IR_OK;
}

int ir_prov_login(ir_prov_ctx *ctx, OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    ir_keystore *ks;
    ir_err err = {0};
    pw_ask ask = {cb, cbarg, NULL};

    if (!ir_prov_keystore(ctx, &ks))
        return 0;
    ask.token = ir_keystore_token_label(ks);
    if (ir_keystore_login(ks, cb != NULL ? ask_pin : NULL, &ask, &err) != IR_OK) {
        IR_PROV_ERR_KS(ctx, &err);
        return 0;
    }
    return 1;
}

static const OSSL_ALGORITHM *ir_prov_query(void *provctx, int operation_id, int *no_cache)
{
    *no_cache = 0;
    switch (operation_id) {
    case OSSL_OP_STORE:
        return store_algs;
    case OSSL_OP_KEYMGMT:
        return keymgmt_algs;
    case OSSL_OP_SIGNATURE:
        return signature_algs;
    default:
        return NULL;
    }
}

static const OSSL_PARAM *ir_prov_gettable_params(void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, NULL, 0),
        OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, NULL, 0),
        OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, NULL, 0),
        OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, NULL, 0),
        OSSL_PARAM_END,
    };

    return params;
}

static int ir_prov_get_params(void *provctx, OSSL_PARAM params[])
{
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, "iotreg HSM keystore provider"))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, PACKAGE_VERSION))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, PACKAGE_STRING))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
    if (p != NULL && !OSSL_PARAM_set_int(p, 1))
        return 0;
    return 1;
}

static const OSSL_ITEM *ir_prov_get_reason_strings(void *provctx)
{
    return ir_prov_reason_strings();
}

static void ir_prov_teardown(void *provctx)
{
    ir_prov_ctx *ctx = provctx;

    if (ctx == NULL)
        return;
    ir_prov_debug("teardown of instance %016llx", (unsigned long long)ctx->instance);
    registry_remove(ctx);
    for (size_t i = 0; i < sizeof(ctx->mds) / sizeof(ctx->mds[0]); i++)
        EVP_MD_free(ctx->mds[i].md);
    ir_tap_free(ctx->tap);
    ir_keystore_close(ctx->ks);
    ir_config_free(ctx->cfg);
    OSSL_LIB_CTX_free(ctx->libctx);
    free(ctx->config_param);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

/* The core functions the provider uses; get_params also reads iotreg-config. */
static int take_core_functions(ir_prov_ctx *ctx, const OSSL_DISPATCH *in)
{
    OSSL_FUNC_core_get_params_fn *get_params = NULL;
    const char *cfg = NULL;
    OSSL_PARAM req[] = {
        OSSL_PARAM_utf8_ptr("iotreg-config", (char **)&cfg, 0),
        OSSL_PARAM_END,
    };

    for (; in->function_id != 0; in++) {
        if (in->function_id == OSSL_FUNC_CORE_GET_PARAMS)
            get_params = OSSL_FUNC_core_get_params(in);
        else if (in->function_id == OSSL_FUNC_CORE_NEW_ERROR)
            ctx->new_error = OSSL_FUNC_core_new_error(in);
        else if (in->function_id == OSSL_FUNC_CORE_SET_ERROR_DEBUG)
            ctx->set_error_debug = OSSL_FUNC_core_set_error_debug(in);
        else if (in->function_id == OSSL_FUNC_CORE_VSET_ERROR)
            ctx->vset_error = OSSL_FUNC_core_vset_error(in);
    }
    if (get_params != NULL && get_params(ctx->handle, req) && cfg != NULL && cfg[0] != '\0') {
        ctx->config_param = strdup(cfg);
        if (ctx->config_param == NULL)
            return 0;
    }
    return 1;
}

static const OSSL_DISPATCH ir_prov_functions[] = {
    {OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))ir_prov_teardown},
    {OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))ir_prov_gettable_params},
    {OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))ir_prov_get_params},
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))ir_prov_query},
    {OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, (void (*)(void))ir_prov_get_reason_strings},
    {OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))ir_prov_get_capabilities},
    {0, NULL},
};

OSSL_provider_init_fn OSSL_provider_init;

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                       const OSSL_DISPATCH **out, void **provctx)
{
    ir_prov_ctx *ctx = calloc(1, sizeof(*ctx));

    if (ctx == NULL)
        return 0;
    ctx->handle = handle;
    ctx->instance = __atomic_add_fetch(&next_instance, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_init(&ctx->lock, NULL);
    if (!take_core_functions(ctx, in) ||
        (ctx->libctx = OSSL_LIB_CTX_new_child(handle, in)) == NULL || !registry_add(ctx)) {
        ir_prov_teardown(ctx);
        return 0;
    }
    ir_prov_debug("initialised instance %016llx (iotreg-config %s)",
                  (unsigned long long)ctx->instance,
                  ctx->config_param != NULL ? ctx->config_param : "unset");
    *out = ir_prov_functions;
    *provctx = ctx;
    return 1;
}
