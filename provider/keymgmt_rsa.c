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

#define FN(id, f)                                                                                  \
    {                                                                                              \
        OSSL_FUNC_KEYMGMT_##id, (void (*)(void))(f)                                                \
    }
const OSSL_DISPATCH ir_rsa_keymgmt_functions[] = {
    FN(NEW, rsa_new),
    FN(FREE, ir_km_free),
    FN(LOAD, rsa_load),
    FN(DUP, ir_km_dup),
    FN(HAS, ir_km_has),
    FN(MATCH, ir_km_match),
    FN(GET_PARAMS, ir_km_get_params),
    FN(SET_PARAMS, ir_km_set_params),
    FN(SETTABLE_PARAMS, ir_km_settable_params),
    FN(GEN_INIT, rsa_gen_init),
    FN(GEN_SET_PARAMS, ir_km_gen_set_params),
    FN(GEN_SETTABLE_PARAMS, ir_km_gen_settable_params),
    FN(GEN_SET_TEMPLATE, ir_km_gen_set_template),
    FN(GEN, ir_km_gen),
    FN(GEN_CLEANUP, ir_km_gen_cleanup),
    FN(GETTABLE_PARAMS, rsa_gettable_params),
    FN(IMPORT, ir_km_import),
    FN(IMPORT_TYPES, rsa_import_types),
    FN(EXPORT, ir_km_export),
    FN(EXPORT_TYPES, rsa_export_types),
    FN(QUERY_OPERATION_NAME, rsa_query_operation_name),
    {0, NULL},
};
