/* Serialising and parsing key references. */
#include "autoconf.h"

#include <string.h>

#include "provider/keyref.h"

static size_t put_str(unsigned char *out, const char *s)
{
    size_t n = strlen(s);

    out[0] = (unsigned char)n;
    memcpy(out + 1, s, n);
    return n + 1;
}

size_t ir_keyref_encode(const ir_keyref *ref, unsigned char out[IR_KEYREF_MAX])
{
    size_t n = 0;
    int i;

    memcpy(out, IR_KEYREF_MAGIC, 4);
    n = 4;
    out[n++] = IR_KEYREF_VERSION;
    out[n++] = ref->is_private ? 1 : 0;
    out[n++] = (unsigned char)ref->type;
    out[n++] = 0; /* reserved */
    for (i = 7; i >= 0; i--)
        out[n++] = (unsigned char)(ref->instance >> (8 * i));
    n += put_str(out + n, ref->token);
    n += put_str(out + n, ref->label);
    return n;
}

/* Reads a length-prefixed string of at most max bytes; 0 when malformed. */
static size_t get_str(const unsigned char *p, size_t left, char *out, size_t max)
{
    size_t n;

    if (left < 1)
        return 0;
    n = p[0];
    if (n == 0 || n > max || n + 1 > left || memchr(p + 1, '\0', n) != NULL)
        return 0;
    memcpy(out, p + 1, n);
    out[n] = '\0';
    return n + 1;
}

int ir_keyref_decode(const void *buf, size_t len, ir_keyref *out)
{
    const unsigned char *p = buf;
    size_t n = 16, used;
    int i;

    memset(out, 0, sizeof(*out));
    if (buf == NULL || len < n || len > IR_KEYREF_MAX || memcmp(p, IR_KEYREF_MAGIC, 4) != 0 ||
        p[4] != IR_KEYREF_VERSION || p[5] > 1 || (p[6] != IR_KEY_EC && p[6] != IR_KEY_RSA))
        return 0;
    out->is_private = p[5];
    out->type = (ir_key_type)p[6];
    for (i = 8; i < 16; i++)
        out->instance = (out->instance << 8) | p[i];
    used = get_str(p + n, len - n, out->token, 32);
    if (used == 0)
        return 0;
    n += used;
    used = get_str(p + n, len - n, out->label, IR_KS_LABEL_MAX);
    return used != 0 && n + used == len;
}
