#include "autoconf.h"

#include "core/hmac.h"

#include <openssl/evp.h>
#include <openssl/params.h>

ir_rc ir_hmac_sha256(const void *key, size_t key_len, const void *data, size_t data_len,
                     unsigned char out[IR_HMAC_SHA256_LEN], ir_err *err)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[2];
    size_t outl = 0;
    ir_rc rc = IR_OK;

    params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (ctx == NULL || !EVP_MAC_init(ctx, key, key_len, params) ||
        !EVP_MAC_update(ctx, data, data_len) ||
        !EVP_MAC_final(ctx, out, &outl, IR_HMAC_SHA256_LEN) || outl != IR_HMAC_SHA256_LEN)
        rc = ir_err_set(err, IR_ERR_CRYPTO, "HMAC-SHA256 failed in OpenSSL");
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return rc;
}
