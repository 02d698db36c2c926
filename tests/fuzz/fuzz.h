/* Helpers shared by the libFuzzer harnesses: a private temporary directory
 * per process, the fuzz input as a file, as an AWS response or split in
 * parts, and property checks that crash (so libFuzzer records the input). */
#ifndef IOTREG_TESTS_FUZZ_FUZZ_H
#define IOTREG_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "aws/transport/client.h"

/* A property the code under test promised and broke: abort, which libFuzzer
 * reports as a crash with the input that caused it. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__FILE__, __LINE__, #cond);                                                  \
    } while (0)

_Noreturn void fuzz_fail(const char *file, int line, const char *what);

/* The process's own directory under $TMPDIR (created on first use, removed
 * at exit); aborts when it cannot be made. */
const char *fuzz_dir(void);
/* DIR/name in a static buffer of the caller's (at least 4096 bytes). */
void fuzz_path(char *out, size_t cap, const char *name);
/* Replaces the file path with data; aborts on an I/O error. */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);

/* resp initialised with status and a body copied from data. */
void fuzz_response(ir_aws_response *resp, long status, const uint8_t *data, size_t size);

/* Takes the first byte of the input (0 when empty), for harnesses whose
 * first byte chooses what the rest is. */
uint8_t fuzz_take_byte(const uint8_t **data, size_t *size);
/* Takes a big-endian 16-bit length, capped at what is left. */
size_t fuzz_take_len16(const uint8_t **data, size_t *size);

#endif
