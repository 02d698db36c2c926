/* HMAC-SHA256 through OpenSSL: SigV4's key derivation and signature. */
#ifndef IOTREG_CORE_HMAC_H
#define IOTREG_CORE_HMAC_H

#include <stddef.h>

#include "core/error.h"

#define IR_HMAC_SHA256_LEN 32

ir_rc ir_hmac_sha256(const void *key, size_t key_len, const void *data, size_t data_len,
                     unsigned char out[IR_HMAC_SHA256_LEN], ir_err *err);

#endif
