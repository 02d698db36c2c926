/* Key management for RSA keys (2048 to 4096 bits) held in the token. */
#include "autoconf.h"

#include <openssl/core_names.h>

#include "provider/keymgmt.h"

static OSSL_FUNC_keymgmt_new_fn rsa_new;
static OSSL_FUNC_keymgmt_load_fn rsa_load;
static OSSL_FUNC_keymgmt_gettable_params_fn rsa_gettable_params;
static OSSL_FUNC_keymgmt_import_types_fn rsa_import_types;
static OSSL_FUNC_keymgmt_export_types_fn rsa_export_types;
static OSSL_FUNC_keymgmt_query_operation_name_fn rsa_query_operation_name;
static OSSL_FUNC_keymgmt_gen_init_fn rsa_gen_init;

static void *rsa_new(void *provctx)
{
    return ir_km_new(provctx, IR_KEY_RSA);
}

static void *rsa_load(const void *reference, size_t reference_sz)
{
    return ir_km_load(reference, reference_sz, IR_KEY_RSA);
}

static const OSSL_PARAM *rsa_gettable_params(void *provctx)
{
    return ir_km_public_types(IR_KEY_RSA);
}

static const OSSL_PARAM *rsa_import_types(int selection)
{
    return ir_km_public_types(IR_KEY_RSA);
}

static const OSSL_PARAM *rsa_export_types(int selection)
{
    return ir_km_public_types(IR_KEY_RSA);
}

static const char *rsa_query_operation_name(int operation_id)
{
    return operation_id == OSSL_OP_SIGNATURE ? "RSA" : NULL;
}

static void *rsa_gen_init(void *provctx, int selection, const OSSL_PARAM params[])
{
    return ir_km_gen_init(provctx, selection, params, IR_KEY_RSA);
}

const OSSL_DISPATCH ir_rsa_keymgmt_functions[] = {
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_NEW, rsa_new),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_FREE, ir_km_free),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_LOAD, rsa_load),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_DUP, ir_km_dup),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_HAS, ir_km_has),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_MATCH, ir_km_match),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_GET_PARAMS, ir_km_get_params),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_SET_PARAMS, ir_km_set_params),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS, ir_km_settable_params),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_GEN_INIT, rsa_gen_init),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, ir_km_gen_set_params),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, ir_km_gen_settable_params),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_GEN_SET_TEMPLATE, ir_km_gen_set_template),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_GEN, ir_km_gen),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_GEN_CLEANUP, ir_km_gen_cleanup),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, rsa_gettable_params),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_IMPORT, ir_km_import),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_IMPORT_TYPES, rsa_import_types),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_EXPORT, ir_km_export),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_EXPORT_TYPES, rsa_export_types),
    IR_DISPATCH(OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, rsa_query_operation_name),
    {0, NULL},
};
