/* The iotreg OpenSSL provider: its context, shared by every operation file.
 *
 * The provider is the HSM-backed keystore seen from OpenSSL: a STORE for
 * iotreg: URIs, keymgmt and signature for EC and RSA keys whose private half
 * stays in the PKCS#11 token. Its keystore is opened on first use from the
 * iotreg configuration named by `iotreg-config` in the provider's openssl.cnf
 * section (or $IOTREG_CONF, which wins). */
#ifndef IOTREG_PROVIDER_PROVIDER_H
#define IOTREG_PROVIDER_PROVIDER_H

#include <pthread.h>
#include <stdint.h>

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/evp.h>

#include "keystore/keystore.h"

#define IR_PROV_NAME "iotreg"
/* Where the provider fetches digests and public-key arithmetic: any
 * provider of the application's but this one. */
#define IR_PROV_PROPQ "provider!=iotreg"

typedef struct ir_prov_ctx {
    const OSSL_CORE_HANDLE *handle;
    OSSL_LIB_CTX *libctx; /* child of the application's library context */
    uint64_t instance;    /* names this provider instance in key references */
    OSSL_FUNC_core_new_error_fn *new_error;
    OSSL_FUNC_core_set_error_debug_fn *set_error_debug;
    OSSL_FUNC_core_vset_error_fn *vset_error;
    char *config_param; /* iotreg-config from openssl.cnf, or NULL */
    pthread_mutex_t lock;
    ir_keystore *ks;       /* opened on first use */
    struct ir_tap *tap;    /* the issuance tap's state, made on first signature */
    struct ir_config *cfg; /* the iotreg configuration, read once */
    struct ir_prov_md {
        char name[32];
        EVP_MD *md;
    } mds[8]; /* digests fetched so far, by the name asked for */
} ir_prov_ctx;

/* The keystore, opened on first use; raises the error itself. 1/0. */
int ir_prov_keystore(ir_prov_ctx *ctx, ir_keystore **out);
/* Logs in (PIN file, else cb); raises the error itself. 1/0. */
int ir_prov_login(ir_prov_ctx *ctx, OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg);
/* The digest called name from the application's providers (cached: a
 * fetch per signature is measurable); the caller frees its reference. */
EVP_MD *ir_prov_fetch_md(ir_prov_ctx *ctx, const char *name);
/* The live provider instance with this id, or NULL (key references). */
ir_prov_ctx *ir_prov_by_instance(uint64_t instance);

/* Keystore options from the iotreg configuration (prov_config.c), which is
 * read once and kept in ctx->cfg for the provider's life (the issuance tap
 * uses it too). The strings in opts belong to ctx->cfg. Under ctx->lock. */
struct ir_config;
ir_rc ir_prov_keystore_opts(ir_prov_ctx *ctx, ir_keystore_opts *opts, ir_err *err);

/* One entry of a dispatch table: IR_DISPATCH(OSSL_FUNC_STORE_OPEN, store_open). */
#define IR_DISPATCH(id, f)                                                                         \
    {                                                                                              \
        (id), (void (*)(void))(f)                                                                  \
    }

/* Dispatch tables (one per file). */
extern const OSSL_DISPATCH ir_store_functions[];
extern const OSSL_DISPATCH ir_ec_keymgmt_functions[];
extern const OSSL_DISPATCH ir_rsa_keymgmt_functions[];
extern const OSSL_DISPATCH ir_ecdsa_signature_functions[];
extern const OSSL_DISPATCH ir_rsa_signature_functions[];

/* The TLS groups the provider declares (capabilities.c). */
OSSL_FUNC_provider_get_capabilities_fn ir_prov_get_capabilities;

#endif
