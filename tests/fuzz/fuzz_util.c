#include "autoconf.h"

#include "fuzz.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[4096];

_Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: property broken: %s\n", file, line, what);
    abort();
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_dir(void)
{
    if (dir[0] != '\0')
        nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_dir(void)
{
    const char *tmp = getenv("TMPDIR");

    if (dir[0] != '\0')
        return dir;
    snprintf(dir, sizeof(dir), "%s/iotreg-fuzz-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        abort();
    }
    atexit(remove_dir);
    return dir;
}

void fuzz_path(char *out, size_t cap, const char *name)
{
    if ((size_t)snprintf(out, cap, "%s/%s", fuzz_dir(), name) >= cap)
        abort();
}

void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

void fuzz_response(ir_aws_response *resp, long status, const uint8_t *data, size_t size)
{
    ir_aws_response_init(resp);
    resp->http_status = status;
    if (ir_buf_append(&resp->body, data, size, NULL) != IR_OK)
        abort();
}

uint8_t fuzz_take_byte(const uint8_t **data, size_t *size)
{
    uint8_t b;

    if (*size == 0)
        return 0;
    b = **data;
    (*data)++;
    (*size)--;
    return b;
}

size_t fuzz_take_len16(const uint8_t **data, size_t *size)
{
    size_t n = (size_t)fuzz_take_byte(data, size) << 8;

    n |= fuzz_take_byte(data, size);
    return n < *size ? n : *size;
}
