/* Key management shared by the EC and RSA tables (keymgmt_types.c):
 * everything but the key type is the same. Private material
 * never leaves: export and get_params refuse it. */
#ifndef IOTREG_PROVIDER_KEYMGMT_H
#define IOTREG_PROVIDER_KEYMGMT_H

#include <openssl/core_dispatch.h>

#include "provider/key.h"

void *ir_km_new(void *provctx, ir_key_type type);
void *ir_km_load(const void *reference, size_t reference_sz, ir_key_type type);
const OSSL_PARAM *ir_km_public_types(ir_key_type type);

OSSL_FUNC_keymgmt_free_fn ir_km_free;
OSSL_FUNC_keymgmt_has_fn ir_km_has;
OSSL_FUNC_keymgmt_match_fn ir_km_match;
OSSL_FUNC_keymgmt_get_params_fn ir_km_get_params;
OSSL_FUNC_keymgmt_import_fn ir_km_import;
OSSL_FUNC_keymgmt_export_fn ir_km_export;
OSSL_FUNC_keymgmt_dup_fn ir_km_dup;
OSSL_FUNC_keymgmt_set_params_fn ir_km_set_params;
OSSL_FUNC_keymgmt_settable_params_fn ir_km_settable_params;

/* Software keys libcrypto generates through our keymgmt (keymgmt_soft.c). */
void *ir_km_gen_init(void *provctx, int selection, const OSSL_PARAM params[], ir_key_type type);
OSSL_FUNC_keymgmt_gen_set_params_fn ir_km_gen_set_params;
OSSL_FUNC_keymgmt_gen_settable_params_fn ir_km_gen_settable_params;
OSSL_FUNC_keymgmt_gen_set_template_fn ir_km_gen_set_template;
OSSL_FUNC_keymgmt_gen_fn ir_km_gen;
OSSL_FUNC_keymgmt_gen_cleanup_fn ir_km_gen_cleanup;
int ir_km_soft_has(const ir_pkey *k, int selection);
void *ir_km_soft_dup(const ir_pkey *from, int selection);

#endif
