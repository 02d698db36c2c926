/* The STORE for iotreg: URIs. Keys leave as references (a serialised handle,
 * see keyref.h), certificates as DER; the AWS registration token is the
 * verification certificate followed by the registration record, a NAME
 * object whose description is the record's JSON; type=secret is a NAME
 * object describing the AWS secret (its access key id, never its value). */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/store.h>

#include "keystore/uri.h"
#include "provider/debug.h"
#include "provider/errors.h"
#include "provider/keyref.h"

static OSSL_FUNC_store_open_fn store_open;
static OSSL_FUNC_store_settable_ctx_params_fn store_settable_ctx_params;
static OSSL_FUNC_store_set_ctx_params_fn store_set_ctx_params;
static OSSL_FUNC_store_load_fn store_load;
static OSSL_FUNC_store_eof_fn store_eof;
static OSSL_FUNC_store_close_fn store_close;

typedef enum step {
    STEP_PRIVATE,
    STEP_PUBLIC,
    STEP_CERT,
    STEP_VERIFICATION_CERT,
    STEP_RECORD,
    STEP_SECRET,
} step;

#define MAX_STEPS 2

typedef struct store_ctx {
    ir_prov_ctx *prov;
    ir_ks_uri uri;
    step steps[MAX_STEPS];
    size_t n_steps, next;
    int expect;  /* OSSL_STORE_INFO_*, 0 = anything */
    int failed;  /* loads failed since the first failure (see store_eof) */
    int emitted; /* objects handed out */
} store_ctx;

typedef struct emit {
    OSSL_CALLBACK *cb;
    void *cbarg;
} emit;

static void plan(store_ctx *s)
{
    static const step plans[][MAX_STEPS + 1] = {
        [IR_KS_URI_ANY] = {2, STEP_PRIVATE, STEP_CERT},
        [IR_KS_URI_PRIVATE] = {1, STEP_PRIVATE},
        [IR_KS_URI_PUBLIC] = {1, STEP_PUBLIC},
        [IR_KS_URI_CERT] = {1, STEP_CERT},
        [IR_KS_URI_TOKEN] = {2, STEP_VERIFICATION_CERT, STEP_RECORD},
        [IR_KS_URI_SECRET] = {1, STEP_SECRET},
    };
    const step *p = plans[s->uri.type];

    s->n_steps = (size_t)p[0];
    memcpy(s->steps, p + 1, s->n_steps * sizeof(step));
}

static void *store_open(void *provctx, const char *uri)
{
    ir_prov_ctx *prov = provctx;
    ir_keystore *ks;
    store_ctx *s;
    ir_err err = {0};
    ir_ks_uri parsed;

    if (ir_ks_uri_parse(uri, &parsed, &err) != IR_OK) {
        IR_PROV_ERR(prov, IOTREG_R_MALFORMED_URI, "%s", err.msg);
        return NULL;
    }
    if (!ir_prov_keystore(prov, &ks))
        return NULL;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->prov = prov;
    s->uri = parsed;
    plan(s);
    ir_prov_debug("store: object '%s', type %s", parsed.object, ir_ks_uri_type_name(parsed.type));
    return s;
}

static const OSSL_PARAM *store_settable_ctx_params(void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_int(OSSL_STORE_PARAM_EXPECT, NULL),
        OSSL_PARAM_END,
    };

    return params;
}

static int store_set_ctx_params(void *loaderctx, const OSSL_PARAM params[])
{
    store_ctx *s = loaderctx;
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_STORE_PARAM_EXPECT);

    return p == NULL || OSSL_PARAM_get_int(p, &s->expect);
}

/* Whether the caller's expectation (OSSL_STORE_expect) admits this step. */
static int wanted(const store_ctx *s, step st)
{
    switch (s->expect) {
    case OSSL_STORE_INFO_PKEY:
        return st == STEP_PRIVATE;
    case OSSL_STORE_INFO_PUBKEY:
        return st == STEP_PUBLIC || st == STEP_PRIVATE;
    case OSSL_STORE_INFO_CERT:
        return st == STEP_CERT || st == STEP_VERIFICATION_CERT;
    case OSSL_STORE_INFO_NAME:
        return st == STEP_RECORD || st == STEP_SECRET;
    default:
        return s->expect == 0;
    }
}

static int emit_key(store_ctx *s, ir_keystore *ks, int is_private, const emit *e, ir_err *err)
{
    ir_keyref ref = {.instance = s->prov->instance, .is_private = is_private};
    unsigned char blob[IR_KEYREF_MAX];
    char desc[IR_KS_LABEL_MAX + 64];
    CK_KEY_TYPE kt;
    int objtype = OSSL_OBJECT_PKEY, r;
    size_t len;

    if (ir_ks_key_type(ks, is_private ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY, s->uri.object, &kt,
                       err) != IR_OK)
        return 0;
    if (kt != CKK_EC && kt != CKK_RSA)
        return -1;
    ref.type = kt == CKK_EC ? IR_KEY_EC : IR_KEY_RSA;
    snprintf(ref.token, sizeof(ref.token), "%s", ir_keystore_token_label(ks));
    snprintf(ref.label, sizeof(ref.label), "%s", s->uri.object);
    len = ir_keyref_encode(&ref, blob);
    snprintf(desc, sizeof(desc), "iotreg %s key '%s'", is_private ? "private" : "public",
             s->uri.object);
    OSSL_PARAM params[] = {
        OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &objtype),
        OSSL_PARAM_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, (char *)(kt == CKK_EC ? "EC" : "RSA"),
                               0),
        OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_REFERENCE, blob, len),
        OSSL_PARAM_utf8_string(OSSL_OBJECT_PARAM_DESC, desc, 0),
        OSSL_PARAM_END,
    };
    r = e->cb(params, e->cbarg) ? 1 : -1;
    OPENSSL_cleanse(blob, sizeof(blob));
    return r;
}

static int emit_cert(const char *label, ir_keystore *ks, const emit *e, ir_err *err)
{
    ir_buf der;
    int objtype = OSSL_OBJECT_CERT, ok;

    ir_buf_init(&der, 1u << 20);
    if (ir_ks_read_cert(ks, label, &der, err) != IR_OK) {
        ir_buf_free(&der);
        return 0;
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &objtype),
        OSSL_PARAM_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, "CERTIFICATE", 0),
        OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_DATA, der.data, der.len),
        OSSL_PARAM_END,
    };
    ok = e->cb(params, e->cbarg) ? 1 : -1;
    ir_buf_free(&der);
    return ok;
}

static int emit_name(const store_ctx *s, const char *desc, const emit *e)
{
    char name[IR_KS_LABEL_MAX + 48];
    int objtype = OSSL_OBJECT_NAME;

    snprintf(name, sizeof(name), "iotreg:object=%s;type=%s", s->uri.object,
             ir_ks_uri_type_name(s->uri.type));
    OSSL_PARAM params[] = {
        OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &objtype),
        OSSL_PARAM_utf8_string(OSSL_OBJECT_PARAM_DATA, name, 0),
        OSSL_PARAM_utf8_string(OSSL_OBJECT_PARAM_DESC, (char *)desc, 0),
        OSSL_PARAM_END,
    };
    return e->cb(params, e->cbarg) ? 1 : -1;
}

static int emit_record(const store_ctx *s, ir_keystore *ks, const emit *e, ir_err *err)
{
    ir_buf json;
    int ok = 0;

    ir_buf_init(&json, 1u << 20);
    if (ir_ks_read_data(ks, s->uri.object, IR_KS_APP_REGISTRATION, &json, err) == IR_OK)
        ok = emit_name(s, ir_buf_cstr(&json), e);
    ir_buf_free(&json);
    return ok;
}

static int emit_secret(const store_ctx *s, ir_keystore *ks, const emit *e, ir_err *err)
{
    char akid[IR_KS_AKID_MAX + 1], desc[IR_KS_AKID_MAX + IR_KS_LABEL_MAX + 160];

    if (ir_ks_aws_access_key_id(ks, s->uri.object, akid, sizeof(akid), err) != IR_OK)
        return 0;
    snprintf(desc, sizeof(desc),
             "{\"object\":\"%s\",\"kind\":\"aws-secret\",\"access_key_id\":\"%s\","
             "\"secret\":\"non-extractable HMAC key in the token\"}",
             s->uri.object, akid);
    return emit_name(s, desc, e);
}

static int no_token(const store_ctx *s, ir_err *err)
{
    if (err->rc == IR_ERR_NOT_FOUND)
        ir_err_set(err, IR_ERR_NOT_FOUND,
                   "SubCA '%s' has no AWS registration token in the keystore; register it with "
                   "`iotregctl ca register %s`",
                   s->uri.object, s->uri.object);
    return 0;
}

/* 1 emitted, 0 failed (err set), -1 the callback refused or the key type is foreign. */
static int run_step(store_ctx *s, ir_keystore *ks, step st, const emit *e, ir_err *err)
{
    char label[IR_KS_LABEL_MAX + sizeof(IR_KS_VERIFICATION_SUFFIX)];
    int r;

    switch (st) {
    case STEP_PRIVATE:
        return emit_key(s, ks, 1, e, err);
    case STEP_PUBLIC:
        return emit_key(s, ks, 0, e, err);
    case STEP_CERT:
        return emit_cert(s->uri.object, ks, e, err);
    case STEP_VERIFICATION_CERT:
        snprintf(label, sizeof(label), "%s%s", s->uri.object, IR_KS_VERIFICATION_SUFFIX);
        r = emit_cert(label, ks, e, err);
        return r != 0 ? r : no_token(s, err);
    case STEP_RECORD:
        r = emit_record(s, ks, e, err);
        return r != 0 ? r : no_token(s, err);
    default:
        return emit_secret(s, ks, e, err);
    }
}

static int load_failed(store_ctx *s, const ir_err *err)
{
    s->failed++;
    if (err != NULL)
        IR_PROV_ERR_KS(s->prov, err);
    return 0;
}

/* Without type=, a missing private key or certificate is skipped as long
 * as the other one is there. */
static int skippable(const store_ctx *s, ir_rc rc)
{
    return s->uri.type == IR_KS_URI_ANY && rc == IR_ERR_NOT_FOUND &&
           (s->next < s->n_steps || s->emitted > 0);
}

static int store_load(void *loaderctx, OSSL_CALLBACK *object_cb, void *object_cbarg,
                      OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    store_ctx *s = loaderctx;
    emit e = {object_cb, object_cbarg};
    ir_keystore *ks;
    ir_err err = {0};
    int r;

    if (s->failed) {
        s->failed++;
        return 0;
    }
    if (!ir_prov_keystore(s->prov, &ks) || !ir_prov_login(s->prov, pw_cb, pw_cbarg))
        return load_failed(s, NULL);
    while (s->next < s->n_steps) {
        step st = s->steps[s->next++];
        if (!wanted(s, st))
            continue;
        ir_err_clear(&err);
        r = run_step(s, ks, st, &e, &err);
        if (r == 1) {
            s->emitted++;
            return 1;
        }
        if (r < 0)
            return load_failed(s, NULL);
        if (!skippable(s, err.rc))
            return load_failed(s, &err);
    }
    return 1;
}

/* After a failure, the end comes one load later: callers (openssl storeutl)
 * print the error and try again while not at the end, and that second load
 * fails quietly; ending at once would make them drop the error silently. */
static int store_eof(void *loaderctx)
{
    const store_ctx *s = loaderctx;

    if (s->failed)
        return s->failed > 1;
    return s->next >= s->n_steps;
}

static int store_close(void *loaderctx)
{
    free(loaderctx);
    return 1;
}

const OSSL_DISPATCH ir_store_functions[] = {
    IR_DISPATCH(OSSL_FUNC_STORE_OPEN, store_open),
    IR_DISPATCH(OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, store_settable_ctx_params),
    IR_DISPATCH(OSSL_FUNC_STORE_SET_CTX_PARAMS, store_set_ctx_params),
    IR_DISPATCH(OSSL_FUNC_STORE_LOAD, store_load),
    IR_DISPATCH(OSSL_FUNC_STORE_EOF, store_eof),
    IR_DISPATCH(OSSL_FUNC_STORE_CLOSE, store_close),
    {0, NULL},
};
