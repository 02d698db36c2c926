/* Key references: how a key found by the STORE reaches keymgmt's load. A
 * reference is a serialised handle (magic, version, provider instance, key
 * class and type, token and object labels), never a pointer. */
#ifndef IOTREG_PROVIDER_KEYREF_H
#define IOTREG_PROVIDER_KEYREF_H

#include <stddef.h>
#include <stdint.h>

#include "keystore/keystore.h"

#define IR_KEYREF_MAGIC   "IRKR"
#define IR_KEYREF_VERSION 1
#define IR_KEYREF_MAX     (4 + 1 + 1 + 1 + 1 + 8 + 1 + 32 + 1 + IR_KS_LABEL_MAX)

typedef enum ir_key_type { IR_KEY_EC = 1, IR_KEY_RSA = 2 } ir_key_type;

typedef struct ir_keyref {
    uint64_t instance;
    int is_private;
    ir_key_type type;
    char token[33];
    char label[IR_KS_LABEL_MAX + 1];
} ir_keyref;

/* Writes the reference into out (IR_KEYREF_MAX bytes); returns its length. */
size_t ir_keyref_encode(const ir_keyref *ref, unsigned char out[IR_KEYREF_MAX]);
/* 1 when buf is a well-formed reference of this version, else 0. */
int ir_keyref_decode(const void *buf, size_t len, ir_keyref *out);

#endif
