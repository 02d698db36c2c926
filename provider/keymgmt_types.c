/* Key management for the key types held in the token: EC (P-256, P-384) and
 * RSA (2048 to 4096 bits). Everything but the key type is keymgmt.c's and
 * keymgmt_soft.c's; OpenSSL's functions do not say which type they serve,
 * so a wrapper binds it in for each, and each type has its own table. */
#include "autoconf.h"

#include <openssl/core_names.h>

#include "provider/keymgmt.h"

/* The functions of key type type, named p_new, p_load..., and its dispatch
 * table, ir_p_keymgmt_functions; operation_name answers which algorithm
 * does an operation with such a key. */
#define KEYMGMT_OF(p, type, operation_name)                                                        \
    static void *p##_new(void *provctx)                                                            \
    {                                                                                              \
        return ir_km_new(provctx, type);                                                           \
    }                                                                                              \
    static void *p##_load(const void *reference, size_t reference_sz)                              \
    {                                                                                              \
        return ir_km_load(reference, reference_sz, type);                                          \
    }                                                                                              \
    static const OSSL_PARAM *p##_gettable_params(void *provctx)                                    \
    {                                                                                              \
        return ir_km_public_types(type);                                                           \
    }                                                                                              \
    static const OSSL_PARAM *p##_public_types(int selection)                                       \
    {                                                                                              \
        return ir_km_public_types(type);                                                           \
    }                                                                                              \
    static void *p##_gen_init(void *provctx, int selection, const OSSL_PARAM params[])             \
    {                                                                                              \
        return ir_km_gen_init(provctx, selection, params, type);                                   \
    }                                                                                              \
    const OSSL_DISPATCH ir_##p##_keymgmt_functions[] = {                                           \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_NEW, p##_new),                                               \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_FREE, ir_km_free),                                           \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_LOAD, p##_load),                                             \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_DUP, ir_km_dup),                                             \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_HAS, ir_km_has),                                             \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_MATCH, ir_km_match),                                         \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_GET_PARAMS, ir_km_get_params),                               \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, p##_gettable_params),                       \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_SET_PARAMS, ir_km_set_params),                               \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS, ir_km_settable_params),                     \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_IMPORT, ir_km_import),                                       \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_IMPORT_TYPES, p##_public_types),                             \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_EXPORT, ir_km_export),                                       \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_EXPORT_TYPES, p##_public_types),                             \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_GEN_INIT, p##_gen_init),                                     \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, ir_km_gen_set_params),                       \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, ir_km_gen_settable_params),             \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_GEN_SET_TEMPLATE, ir_km_gen_set_template),                   \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_GEN, ir_km_gen),                                             \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_GEN_CLEANUP, ir_km_gen_cleanup),                             \
        IR_DISPATCH(OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, operation_name),                       \
        {0, NULL},                                                                                 \
    }

static const char *ec_operation_name(int operation_id)
{
    /* ECDH for a software key's key exchange (keymgmt_soft.c). */
    return operation_id == OSSL_OP_SIGNATURE ? "ECDSA"
           : operation_id == OSSL_OP_KEYEXCH ? "ECDH"
                                             : NULL;
}

static const char *rsa_operation_name(int operation_id)
{
    return operation_id == OSSL_OP_SIGNATURE ? "RSA" : NULL;
}

KEYMGMT_OF(ec, IR_KEY_EC, ec_operation_name);
KEYMGMT_OF(rsa, IR_KEY_RSA, rsa_operation_name);
