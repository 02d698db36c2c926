/* The spool record reader: iotregd and iotregctl read back a spool file the
 * tap appended to, which a crash, a full disk or another writer may have
 * left torn or damaged. The first byte chooses the input's shape:
 *   even: the rest is spool file bytes, scanned as the drain scans them;
 *   odd:  the rest is one record's payload, framed here with a valid header
 *         and checksum (which a fuzzer cannot forge), so that the payload
 *         parser is reached. */
#include "autoconf.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "journal/spool_internal.h"

static int within(const void *p, size_t n, const uint8_t *buf, size_t len)
{
    const uint8_t *q = p;

    return p == NULL || (q >= buf && n <= len && q - buf <= (ptrdiff_t)(len - n));
}

static size_t text_len(const char *s)
{
    return s != NULL ? strlen(s) + 1 : 0;
}

/* A decoded record points into the bytes it came from, and encodes again
 * to a record that decodes to the same certificate. */
static void check_record(const ir_enqueue_req *r, const uint8_t *buf, size_t used)
{
    unsigned char *again = NULL;
    ir_enqueue_req back;
    size_t len = 0, used2 = 0;

    FUZZ_CHECK(r->der != NULL && within(r->der, r->der_len, buf, used));
    FUZZ_CHECK(within(r->subca, text_len(r->subca), buf, used));
    FUZZ_CHECK(within(r->customer, text_len(r->customer), buf, used));
    FUZZ_CHECK(within(r->unattributed_reason, text_len(r->unattributed_reason), buf, used));
    FUZZ_CHECK(within(r->end_entity, text_len(r->end_entity), buf, used));
    FUZZ_CHECK(within(r->profile, text_len(r->profile), buf, used));
    if (spool_record_encode(r, &again, &len, NULL) != IR_OK)
        return;
    FUZZ_CHECK(spool_record_decode(again, len, &back, &used2) == SPOOL_RECORD);
    FUZZ_CHECK(used2 == len && back.der_len == r->der_len &&
               memcmp(back.der, r->der, r->der_len) == 0);
    FUZZ_CHECK(back.captured_ms == r->captured_ms && back.source == r->source);
    free(again);
}

/* The drain's loop (spool.c): records, damaged bytes skipped, a torn tail. */
static void scan(const uint8_t *buf, size_t n)
{
    ir_enqueue_req req;
    size_t pos = 0, used;
    spool_scan s;

    while (pos < n) {
        used = 0;
        s = spool_record_decode(buf + pos, n - pos, &req, &used);
        if (s == SPOOL_NEED)
            break;
        FUZZ_CHECK(used > 0 && used <= n - pos);
        if (s == SPOOL_RECORD) {
            check_record(&req, buf + pos, used);
            (void)ir_journal_check_enqueue(&req, NULL);
        }
        pos += used;
    }
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* magic "IRS1", u32 payload length (little-endian), 8 bytes of SHA-256. */
static void framed(const uint8_t *payload, size_t n)
{
    unsigned char md[EVP_MAX_MD_SIZE], *rec;
    unsigned int mdlen = 0;

    if (n > SPOOL_PAYLOAD_MAX || (rec = malloc(SPOOL_HEADER_LEN + n)) == NULL)
        return;
    memcpy(rec, "IRS1", 4);
    put32(rec + 4, (uint32_t)n);
    if (!EVP_Digest(payload, n, md, &mdlen, EVP_sha256(), NULL))
        abort();
    memcpy(rec + 8, md, 8);
    if (n > 0)
        memcpy(rec + SPOOL_HEADER_LEN, payload, n);
    scan(rec, SPOOL_HEADER_LEN + n);
    free(rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t mode = fuzz_take_byte(&data, &size);

    if (mode & 1)
        framed(data, size);
    else
        scan(data, size);
    return 0;
}
