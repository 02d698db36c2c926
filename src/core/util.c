#include "autoconf.h"

#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void ir_hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

ir_rc ir_sha256_hex(const void *data, size_t n, char out[IR_SHA256_HEX_LEN + 1], ir_err *err)
{
    unsigned char md[32];
    unsigned int mdlen = 0;

    if (!EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != sizeof(md))
        return ir_err_set(err, IR_ERR_CRYPTO, "SHA-256 failed");
    ir_hex_encode(md, sizeof(md), out);
    return IR_OK;
}

static int64_t clock_ms(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t ir_monotonic_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

int64_t ir_realtime_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

void ir_sleep_ms(int64_t ms)
{
    struct timespec ts;

    if (ms <= 0)
        return;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int ir_write_all(int fd, const void *p, size_t n)
{
    const unsigned char *c = p;
    ssize_t w;

    while (n > 0) {
        w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = 0;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

ir_rc ir_read_file(const char *path, ir_buf *b, ir_err *err)
{
    unsigned char chunk[8192];
    ssize_t n;
    ir_rc rc = IR_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return ir_err_set(err, errno == ENOENT ? IR_ERR_NOT_FOUND : IR_ERR_IO, "cannot open %s: %s",
                          path, strerror(errno));
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = ir_err_set(err, IR_ERR_IO, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        rc = ir_buf_append(b, chunk, (size_t)n, err);
        if (rc != IR_OK) {
            ir_err_prefix(err, "reading %s: ", path);
            break;
        }
    }
    close(fd);
    return rc;
}

int ir_strlcpy(char *dst, const char *src, size_t n)
{
    size_t len = strlen(src);

    if (n == 0)
        return len > 0;
    if (len >= n) {
        memcpy(dst, src, n - 1);
        dst[n - 1] = '\0';
        return 1;
    }
    memcpy(dst, src, len + 1);
    return 0;
}
