/* The iotreg provider from the tools' side: a library context of their own
 * with the provider loaded, and keys loaded through OSSL_STORE. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/ui.h>

#include "keystore/subca.h"
#include "keystore/uri.h"

/* The last message with text (the provider's own) or the first reason. */
ir_rc ir_ks_ossl_error(ir_err *err, ir_rc rc, const char *what)
{
    char line[IR_ERR_MSG_MAX / 2] = "";
    const char *data = NULL, *reason;
    unsigned long e, first = 0;
    int flags = 0;

    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        if (first == 0)
            first = e;
        if ((flags & ERR_TXT_STRING) && data != NULL && data[0] != '\0')
            snprintf(line, sizeof(line), "%s", data);
    }
    reason = first != 0 ? ERR_reason_error_string(first) : NULL;
    if (line[0] == '\0')
        snprintf(line, sizeof(line), "%s", reason != NULL ? reason : "no detail from libcrypto");
    return ir_err_set(err, rc, "%s: %s", what, line);
}

ir_rc ir_ks_ossl_libctx(const char *config_path, OSSL_LIB_CTX **out, ir_err *err)
{
    OSSL_LIB_CTX *libctx = OSSL_LIB_CTX_new();

    *out = NULL;
    if (libctx == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    /* The provider reads the same configuration as the tool. Only iotregctl
     * builds a library context of its own (the provider and the hook never
     * call this), so the environment changed is iotreg's own. */
    if (config_path != NULL)
        setenv("IOTREG_CONF", config_path, 1);
    if (OSSL_PROVIDER_load(libctx, "default") == NULL ||
        OSSL_PROVIDER_load(libctx, "iotreg") == NULL) {
        OSSL_LIB_CTX_free(libctx);
        return ir_ks_ossl_error(err, IR_ERR_CONFIG,
                                "cannot load the iotreg OpenSSL provider (install iotreg.so into "
                                "the OpenSSL modules directory or set OPENSSL_MODULES)");
    }
    *out = libctx;
    return IR_OK;
}

static int give_pin(char *buf, int size, int rwflag, void *u)
{
    const char *pin = u;
    int n = pin != NULL ? (int)strlen(pin) : -1;

    if (n < 0 || n >= size)
        return -1;
    memcpy(buf, pin, (size_t)n);
    return n;
}

static EVP_PKEY *first_key(OSSL_STORE_CTX *st)
{
    OSSL_STORE_INFO *info;
    EVP_PKEY *pk = NULL;

    while (pk == NULL && !OSSL_STORE_eof(st) && (info = OSSL_STORE_load(st)) != NULL) {
        if (OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY)
            pk = OSSL_STORE_INFO_get1_PKEY(info);
        OSSL_STORE_INFO_free(info);
    }
    return pk;
}

ir_rc ir_ks_ossl_load_key(OSSL_LIB_CTX *libctx, const char *uri, const char *pin, EVP_PKEY **out,
                          ir_err *err)
{
    UI_METHOD *ui = UI_UTIL_wrap_read_pem_callback(give_pin, 0);
    OSSL_STORE_CTX *st = NULL;
    ir_rc rc = IR_OK;

    *out = NULL;
    if (ui != NULL)
        st = OSSL_STORE_open_ex(uri, libctx, NULL, ui, (void *)pin, NULL, NULL, NULL);
    if (st != NULL && OSSL_STORE_expect(st, OSSL_STORE_INFO_PKEY))
        *out = first_key(st);
    if (*out == NULL) {
        char what[IR_KS_URI_MAX + 64];
        snprintf(what, sizeof(what), "cannot load the private key %s", uri);
        rc = ir_ks_ossl_error(err, IR_ERR_NOT_FOUND, what);
    }
    OSSL_STORE_close(st);
    UI_destroy_method(ui);
    return rc;
}
