/* Reading the files that hold secrets: opened first (O_NOFOLLOW, and
 * O_NONBLOCK so that a FIFO cannot hang us), then checked on the open
 * descriptor, so that what is checked is what is read. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/secret.h"

static ir_rc open_failed(const char *path, int e, ir_err *err)
{
    if (e == ELOOP)
        return ir_err_set(err, IR_ERR_PERMISSION,
                          "%s is a symbolic link; a file holding a secret must be the file "
                          "itself: name the real file in the configuration",
                          path);
    if (e == ENOENT)
        return ir_err_set(err, IR_ERR_NOT_FOUND, "cannot open %s: %s", path, strerror(e));
    if (e == EACCES)
        return ir_err_set(err, IR_ERR_PERMISSION, "cannot open %s: %s", path, strerror(e));
    return ir_err_set(err, IR_ERR_IO, "cannot open %s: %s", path, strerror(e));
}

static const char *file_kind(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    return "not a regular file";
}

/* The checks on the open descriptor's status. */
static ir_rc check_status(const char *path, const struct stat *st, ir_err *err)
{
    uid_t me = geteuid();

    if (!S_ISREG(st->st_mode))
        return ir_err_set(err, IR_ERR_PERMISSION,
                          "%s is %s; a secret must be kept in a regular file (mode 600)", path,
                          file_kind(st->st_mode));
    if (st->st_uid != me && st->st_uid != 0)
        return ir_err_set(err, IR_ERR_PERMISSION,
                          "%s holds a secret but is owned by uid %u, neither this process's "
                          "user (uid %u) nor root; run: chown %u %s",
                          path, (unsigned)st->st_uid, (unsigned)me, (unsigned)me, path);
    if (st->st_mode & (S_IRWXG | S_IRWXO))
        return ir_err_set(err, IR_ERR_PERMISSION,
                          "%s holds a secret but is accessible by group or others (mode %03o); "
                          "run: chmod 600 %s",
                          path, (unsigned)(st->st_mode & 0777), path);
    return IR_OK;
}

ir_rc ir_secret_file_open(const char *path, int *fd, struct stat *st, ir_err *err)
{
    struct stat own;
    ir_rc rc;
    int f;

    *fd = -1;
    if (st == NULL)
        st = &own;
    f = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (f < 0)
        return open_failed(path, errno, err);
    if (fstat(f, st) != 0) {
        rc = ir_err_set(err, IR_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
        close(f);
        return rc;
    }
    rc = check_status(path, st, err);
    if (rc != IR_OK) {
        close(f);
        return rc;
    }
    *fd = f;
    return IR_OK;
}

ir_rc ir_secret_file_check(const char *path, ir_err *err)
{
    int fd;
    ir_rc rc = ir_secret_file_open(path, &fd, NULL, err);

    if (rc == IR_OK)
        close(fd);
    return rc;
}

/* Reads up to n bytes; returns how many, or -1 with errno. */
static ssize_t read_full(int fd, char *p, size_t n)
{
    size_t got = 0;
    ssize_t r;

    while (got < n) {
        r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* The file was as large as fstat said; one more byte means it grew. */
static ir_rc expect_eof(int fd, const char *path, ir_err *err)
{
    char extra = 0;
    ssize_t r = read_full(fd, &extra, 1);

    OPENSSL_cleanse(&extra, sizeof(extra));
    if (r < 0)
        return ir_err_set(err, IR_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    if (r > 0)
        return ir_err_set(err, IR_ERR_IO, "%s changed while it was read; try again", path);
    return IR_OK;
}

ir_rc ir_secret_fd_read(int fd, const struct stat *st, const char *path, size_t max,
                        ir_secret **out, ir_err *err)
{
    ir_secret *s = NULL;
    ssize_t got;
    ir_rc rc;

    *out = NULL;
    if (st->st_size < 0 || (unsigned long long)st->st_size > max)
        return ir_err_set(err, IR_ERR_TOO_LARGE,
                          "%s is larger than the %zu bytes a secret file may hold", path, max);
    rc = ir_secret_new((size_t)st->st_size, &s, err);
    if (rc != IR_OK)
        return rc;
    got = read_full(fd, ir_secret_data(s), ir_secret_cap(s));
    if (got < 0)
        rc = ir_err_set(err, IR_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    else
        ir_secret_set_len(s, (size_t)got);
    if (rc == IR_OK)
        rc = expect_eof(fd, path, err);
    if (rc != IR_OK) {
        ir_secret_destroy(s);
        return rc;
    }
    *out = s;
    return IR_OK;
}

ir_rc ir_secret_file_read(const char *path, size_t max, ir_secret **out, ir_err *err)
{
    struct stat st;
    int fd;
    ir_rc rc = ir_secret_file_open(path, &fd, &st, err);

    *out = NULL;
    if (rc != IR_OK)
        return rc;
    rc = ir_secret_fd_read(fd, &st, path, max, out, err);
    close(fd);
    return rc;
}
