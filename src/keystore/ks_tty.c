/* Reading a secret line from standard input or the terminal, without echo. */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "keystore/subca.h"

static ir_rc read_line(int fd, char *buf, size_t size, ir_err *err)
{
    size_t n = 0;
    ssize_t r;
    char c;

    for (;;) {
        r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return ir_err_set(err, IR_ERR_IO, "cannot read the secret: %s", strerror(errno));
        if (r == 0 || c == '\n')
            break;
        if (n + 1 >= size) {
            OPENSSL_cleanse(buf, size);
            return ir_err_set(err, IR_ERR_TOO_LARGE, "the secret is longer than %zu bytes",
                              size - 1);
        }
        buf[n++] = c;
    }
    while (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    if (n == 0)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "no secret given (empty input)");
    return IR_OK;
}

ir_rc ir_ks_read_secret(int fd, const char *prompt, char *buf, size_t size, ir_err *err)
{
    struct termios old, quiet;
    int tty = isatty(fd) && tcgetattr(fd, &old) == 0;
    ir_rc rc;

    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        tcsetattr(fd, TCSAFLUSH, &quiet);
        if (prompt != NULL)
            fprintf(stderr, "%s", prompt);
    }
    rc = read_line(fd, buf, size, err);
    if (tty) {
        tcsetattr(fd, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    return rc;
}
