/* Small helpers shared by every part: hex, SHA-256 ids, clocks, files. */
#ifndef IOTREG_CORE_UTIL_H
#define IOTREG_CORE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

#define IR_SHA256_HEX_LEN 64

/* Lower-case hex of n bytes into out, which holds 2n+1 bytes. */
void ir_hex_encode(const unsigned char *in, size_t n, char *out);
/* Lower-case hex SHA-256 of data: AWS's certificateId when data is a DER certificate. */
ir_rc ir_sha256_hex(const void *data, size_t n, char out[IR_SHA256_HEX_LEN + 1], ir_err *err);

/* Milliseconds on the monotonic clock, and since the epoch. */
int64_t ir_monotonic_ms(void);
int64_t ir_realtime_ms(void);
void ir_sleep_ms(int64_t ms);

/* Reads a whole file into b (capped by b's max). */
ir_rc ir_read_file(const char *path, ir_buf *b, ir_err *err);
/* Writes all n bytes to fd, again after EINTR and short writes: 0, or -1
 * with errno (0 when write wrote nothing). */
int ir_write_all(int fd, const void *p, size_t n);
/* Copies src into dst of size n, always terminated; nonzero when truncated. */
int ir_strlcpy(char *dst, const char *src, size_t n);

#endif
