/* The spool's record format (see spool.h): encoding, and finding the valid
 * records in bytes read back, skipping damaged ones. */
#ifndef IOTREG_JOURNAL_SPOOL_INTERNAL_H
#define IOTREG_JOURNAL_SPOOL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "journal/journal.h"

#define SPOOL_HEADER_LEN  16 /* magic, length, check */
#define SPOOL_PAYLOAD_MAX (IR_JOURNAL_MAX_DER + 16 * 1024)

/* A malloc'ed record for req (validated by the caller), *len its size. */
ir_rc spool_record_encode(const ir_enqueue_req *req, unsigned char **out, size_t *len, ir_err *err);

typedef enum spool_scan {
    SPOOL_RECORD,  /* *req filled in (pointing into buf), *used bytes consumed */
    SPOOL_DAMAGED, /* *used bytes are no record and are skipped */
    SPOOL_NEED,    /* buf ends inside a record: read more, or at the end, skip it */
} spool_scan;

/* Looks at the record that starts buf (n bytes); req's pointers point
 * into buf. */
spool_scan spool_record_decode(const unsigned char *buf, size_t n, ir_enqueue_req *req,
                               size_t *used);

#endif
