#include "autoconf.h"

#include "journal/spool_internal.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char magic[4] = {'I', 'R', 'S', '1'};

#define ABSENT UINT32_MAX

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int check_of(const unsigned char *payload, size_t len, unsigned char check[8])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (!EVP_Digest(payload, len, md, &mdlen, EVP_sha256(), NULL))
        return 0;
    memcpy(check, md, 8);
    return 1;
}

/* --- encoding ----------------------------------------------------------------- */

typedef struct field {
    const void *data;
    size_t len; /* ABSENT for NULL text */
} field;

static size_t text_fields(const ir_enqueue_req *r, field f[6])
{
    const char *texts[5] = {r->subca, r->customer, r->customer ? NULL : r->unattributed_reason,
                            r->end_entity, r->profile};
    size_t i;

    f[0].data = r->der;
    f[0].len = r->der_len;
    for (i = 0; i < 5; i++) {
        f[i + 1].data = texts[i];
        f[i + 1].len = texts[i] != NULL ? strlen(texts[i]) + 1 : ABSENT; /* with its NUL */
    }
    return 6;
}

ir_rc spool_record_encode(const ir_enqueue_req *req, unsigned char **out, size_t *len, ir_err *err)
{
    field f[6];
    size_t n = text_fields(req, f), i, payload = 1 + 8;
    unsigned char *rec, *p;

    for (i = 0; i < n; i++)
        payload += 4 + (f[i].len == ABSENT ? 0 : f[i].len);
    if (payload > SPOOL_PAYLOAD_MAX)
        return ir_err_set(err, IR_ERR_TOO_LARGE, "spool: a record of %zu bytes is too large",
                          payload);
    if ((rec = malloc(SPOOL_HEADER_LEN + payload)) == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "spool: out of memory");
    p = rec + SPOOL_HEADER_LEN;
    *p++ = (unsigned char)req->source;
    put32(p, (uint32_t)((uint64_t)req->captured_ms & 0xffffffffu));
    put32(p + 4, (uint32_t)((uint64_t)req->captured_ms >> 32));
    p += 8;
    for (i = 0; i < n; i++) {
        put32(p, (uint32_t)f[i].len);
        p += 4;
        if (f[i].len != ABSENT) {
            memcpy(p, f[i].data, f[i].len);
            p += f[i].len;
        }
    }
    memcpy(rec, magic, 4);
    put32(rec + 4, (uint32_t)payload);
    if (!check_of(rec + SPOOL_HEADER_LEN, payload, rec + 8)) {
        free(rec);
        return ir_err_set(err, IR_ERR_CRYPTO, "spool: cannot compute a record's checksum");
    }
    *out = rec;
    *len = SPOOL_HEADER_LEN + payload;
    return IR_OK;
}

/* --- decoding ----------------------------------------------------------------- */

/* Reads one field at *p (end: the payload's end); false when it overruns. */
static bool take_field(const unsigned char **p, const unsigned char *end,
                       const unsigned char **data, size_t *len)
{
    uint32_t n;

    if (end - *p < 4)
        return false;
    n = get32(*p);
    *p += 4;
    if (n == ABSENT) {
        *data = NULL;
        *len = 0;
        return true;
    }
    if ((size_t)(end - *p) < n)
        return false;
    *data = *p;
    *len = n;
    *p += n;
    return true;
}

/* A text field holds its terminating NUL and no other. */
static bool is_text(const unsigned char *data, size_t n)
{
    return n >= 1 && data[n - 1] == '\0' && memchr(data, '\0', n - 1) == NULL;
}

/* Fills req with pointers into the payload p (len bytes). */
static bool parse_payload(const unsigned char *p, size_t len, ir_enqueue_req *req)
{
    const unsigned char *end = p + len, *data;
    const char **slots[5] = {&req->subca, &req->customer, &req->unattributed_reason,
                             &req->end_entity, &req->profile};
    size_t n, i;

    if (len < 9)
        return false;
    memset(req, 0, sizeof(*req));
    req->source = (ir_cert_source)p[0];
    req->captured_ms = (int64_t)((uint64_t)get32(p + 1) | (uint64_t)get32(p + 5) << 32);
    p += 9;
    if (!take_field(&p, end, &data, &n) || data == NULL)
        return false;
    req->der = data;
    req->der_len = n;
    for (i = 0; i < 5; i++) {
        if (!take_field(&p, end, &data, &n))
            return false;
        if (data != NULL && !is_text(data, n))
            return false;
        *slots[i] = (const char *)data;
    }
    return p == end;
}

spool_scan spool_record_decode(const unsigned char *buf, size_t n, ir_enqueue_req *req,
                               size_t *used)
{
    unsigned char check[8];
    const unsigned char *next;
    uint32_t payload;

    if (n < SPOOL_HEADER_LEN)
        return SPOOL_NEED;
    payload = get32(buf + 4);
    if (memcmp(buf, magic, 4) != 0 || payload > SPOOL_PAYLOAD_MAX) {
        next = n > 1 ? memmem(buf + 1, n - 1, magic, 4) : NULL;
        *used = next != NULL ? (size_t)(next - buf) : n - (n < 3 ? n : 3);
        if (*used == 0)
            return SPOOL_NEED;
        return SPOOL_DAMAGED;
    }
    if (n - SPOOL_HEADER_LEN < payload)
        return SPOOL_NEED;
    if (!check_of(buf + SPOOL_HEADER_LEN, payload, check) || memcmp(check, buf + 8, 8) != 0 ||
        !parse_payload(buf + SPOOL_HEADER_LEN, payload, req)) {
        *used = 1; /* resynchronise on the next magic */
        return SPOOL_DAMAGED;
    }
    *used = SPOOL_HEADER_LEN + payload;
    return SPOOL_RECORD;
}
