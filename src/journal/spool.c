#include "autoconf.h"

#include "journal/spool.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "journal/journal_internal.h"
#include "journal/spool_internal.h"

#define SPOOL_WAIT_MS 30000 /* an append waits this long at most for a drain */
#define SPOOL_CHUNK   (1024 * 1024)
#define SPOOL_BATCH   256       /* records per transaction when draining */
#define TAKEN_INFIX   ".taken-" /* <spool>.taken-<pid>-<ms>-<n>: taken by a drain */

/* flock belongs to the open file, which threads and forked children share:
 * one's unlock would end another's hold while it still writes, and a drain
 * could then empty the spool under it. So a process's appends take turns
 * (lock), and a forked child opens the spool anew before its first. */
struct ir_spool {
    pthread_mutex_t lock;
    pid_t pid; /* the process that opened fd */
    int fd;
    unsigned mode; /* the journal's file mode (ir_journal_file_mode) */
    char *path;
};

static char *spool_path(const char *journal_path)
{
    size_t n = strlen(journal_path) + sizeof("-spool");
    char *p = malloc(n);

    if (p != NULL)
        snprintf(p, n, "%s-spool", journal_path);
    return p;
}

/* A new file's name is durable only once its directory is synced. */
static int sync_dir_of(const char *path)
{
    char *copy = strdup(path);
    int fd, rc = -1;

    if (copy == NULL)
        return -1;
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        rc = fsync(fd);
        close(fd);
    }
    free(copy);
    return rc;
}

/* The name of this process's group (its number when it has no name): the
 * group that files it must open may belong to. */
static void own_group(char *out, size_t n)
{
    struct group g, *found = NULL;
    char buf[1024];
    gid_t gid = getegid();

    if (getgrgid_r(gid, &g, buf, sizeof(buf), &found) == 0 && found != NULL)
        snprintf(out, n, "%s", found->gr_name);
    else
        snprintf(out, n, "%u", (unsigned)gid);
}

/* A spool file this user may not open stays where it is, records and all:
 * the message says how to let this user in. */
static ir_rc cannot_open(const char *what, const char *path, int e, ir_err *err)
{
    char group[64];

    if (e != EACCES && e != EPERM)
        return ir_err_set(err, IR_ERR_IO, "cannot open %s %s: %s", what, path, strerror(e));
    own_group(group, sizeof(group));
    return ir_err_set(err, IR_ERR_PERMISSION,
                      "cannot open %s %s: %s; its certificates wait there: make it readable "
                      "and writable by this user or group, e.g. chmod 0660 %s; chgrp %s %s; and "
                      "set the journal's mode (<sqlite mode=\"0660\"/>) for new files",
                      what, path, strerror(e), path, group, path);
}

/* Gives a spool this process owns the journal's mode: one it has just
 * created exactly (whatever the umask took), an older one at least
 * (ir_journal_owned_mode). */
static int own_mode(int fd, unsigned mode, bool created)
{
    struct stat st;
    unsigned want;

    if (fstat(fd, &st) != 0)
        return -1;
    want = created ? mode : ir_journal_owned_mode(st.st_mode & 07777, mode);
    if (st.st_uid != geteuid() || (st.st_mode & 07777) == want)
        return 0;
    return fchmod(fd, want);
}

/* A spool this process has just created: the journal's mode whatever the
 * umask, and a durable name. */
static int created(int fd, const char *path, unsigned mode, ir_err *err)
{
    if (own_mode(fd, mode, true) != 0)
        ir_err_set(err, IR_ERR_IO, "cannot set the mode of the journal's spool %s to %04o: %s",
                   path, mode, strerror(errno));
    else if (sync_dir_of(path) != 0)
        ir_err_set(err, IR_ERR_IO, "cannot make the journal's spool %s durable: %s", path,
                   strerror(errno));
    else
        return fd;
    close(fd);
    return -1;
}

static int open_or_create(const char *path, unsigned mode, ir_err *err)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);

    if (fd < 0 && errno == ENOENT) {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd >= 0)
            return created(fd, path, mode, err);
        if (errno == EEXIST)
            fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    } else if (fd >= 0) {
        (void)own_mode(fd, mode, false); /* best effort: the file works as it is */
    }
    if (fd < 0)
        ir_err_set(err, IR_ERR_IO,
                   "cannot open the journal's spool %s: %s; check that the journal's directory "
                   "exists and that this user may create and write files there (when the CA "
                   "and iotregd run as two users, give the journal the mode 0660)",
                   path, strerror(errno));
    return fd;
}

ir_rc ir_spool_open(const char *journal_path, unsigned mode, ir_spool **out, ir_err *err)
{
    ir_spool *s;

    *out = NULL;
    if (journal_path == NULL || journal_path[0] == '\0')
        return ir_err_set(err, IR_ERR_CONFIG, "spool: the journal has no path");
    if ((s = calloc(1, sizeof(*s))) == NULL || (s->path = spool_path(journal_path)) == NULL) {
        free(s);
        return ir_err_set(err, IR_ERR_NOMEM, "spool: out of memory");
    }
    s->mode = mode != 0 ? mode : IR_JOURNAL_MODE_DEFAULT;
    if ((s->fd = open_or_create(s->path, s->mode, err)) < 0) {
        free(s->path);
        free(s);
        return IR_ERR_IO;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->pid = getpid();
    *out = s;
    return IR_OK;
}

ir_rc ir_journal_spool_open(const ir_journal_opts *opts, ir_spool **out, ir_err *err)
{
    *out = NULL;
    if (opts->path == NULL || opts->path[0] == '\0')
        return ir_err_set(err, IR_ERR_UNSUPPORTED,
                          "the journal has no spool: give <postgresql spool=\"PATH\"/> a "
                          "local path");
    return ir_spool_open(opts->path, ir_journal_file_mode(opts), out, err);
}

void ir_spool_close(ir_spool *s)
{
    if (s == NULL)
        return;
    close(s->fd);
    pthread_mutex_destroy(&s->lock);
    free(s->path);
    free(s);
}

/* flock with a bounded wait: a drain holds the lock for one batch at most
 * a few transactions long, an append for one fdatasync. */
static ir_rc lock_within(int fd, int op, int wait_ms, const char *path, ir_err *err)
{
    int64_t deadline = ir_monotonic_ms() + wait_ms;
    int pause = 1;

    while (flock(fd, op | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            return ir_err_set(err, IR_ERR_IO, "cannot lock the journal's spool %s: %s", path,
                              strerror(errno));
        if (ir_monotonic_ms() >= deadline)
            return ir_err_set(err, IR_ERR_BUSY, "the journal's spool %s stayed locked for %d ms",
                              path, wait_ms);
        ir_sleep_ms(pause);
        pause = pause < 16 ? pause * 2 : pause;
    }
    return IR_OK;
}

static ir_rc write_all(int fd, const unsigned char *p, size_t n, const char *path, ir_err *err)
{
    if (ir_write_all(fd, p, n) == 0)
        return IR_OK;
    return ir_err_set(err, IR_ERR_IO, "cannot write to the journal's spool %s: %s", path,
                      errno != 0 ? strerror(errno) : "nothing written");
}

/* In a forked child: its own open file, and a lock no parent thread holds. */
static ir_rc reopen_after_fork(ir_spool *s, ir_err *err)
{
    int fd;

    if (s->pid == getpid())
        return IR_OK;
    pthread_mutex_init(&s->lock, NULL);
    if ((fd = open_or_create(s->path, s->mode, err)) < 0)
        return IR_ERR_IO;
    close(s->fd);
    s->fd = fd;
    s->pid = getpid();
    return IR_OK;
}

/* Whether fd is still the file named path (a drain renames it away). */
static bool still_the_spool(int fd, const char *path)
{
    struct stat a, b;

    return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* Holds the shared lock on the current spool, opening the new one when a
 * drain has taken the old away. */
static ir_rc lock_current(ir_spool *s, ir_err *err)
{
    ir_rc rc;
    int fd, tries;

    for (tries = 0; tries < 8; tries++) {
        rc = lock_within(s->fd, LOCK_SH, SPOOL_WAIT_MS, s->path, err);
        if (rc != IR_OK || still_the_spool(s->fd, s->path))
            return rc;
        flock(s->fd, LOCK_UN);
        if ((fd = open_or_create(s->path, s->mode, err)) < 0)
            return IR_ERR_IO;
        close(s->fd);
        s->fd = fd;
    }
    return ir_err_set(err, IR_ERR_BUSY, "the journal's spool %s keeps being taken away", s->path);
}

static ir_rc append_locked(ir_spool *s, const unsigned char *rec, size_t len, ir_err *err)
{
    ir_rc rc = lock_current(s, err);

    if (rc != IR_OK)
        return rc;
    rc = write_all(s->fd, rec, len, s->path, err);
    if (rc == IR_OK && fdatasync(s->fd) != 0)
        rc = ir_err_set(err, IR_ERR_IO, "cannot sync the journal's spool %s: %s", s->path,
                        strerror(errno));
    flock(s->fd, LOCK_UN);
    return rc;
}

ir_rc ir_spool_append(ir_spool *s, const ir_enqueue_req *req, ir_err *err)
{
    ir_checked_req c;
    ir_rc rc = ir_enqueue_check(req, &c, err);

    return rc == IR_OK ? ir_spool_append_checked(s, &c, err) : rc;
}

ir_rc ir_spool_append_checked(ir_spool *s, const ir_checked_req *c, ir_err *err)
{
    ir_enqueue_req r = *c->req;
    unsigned char *rec = NULL;
    size_t len = 0;
    ir_rc rc;

    if (r.captured_ms == 0)
        r.captured_ms = ir_realtime_ms();
    rc = spool_record_encode(&r, &rec, &len, err);
    if (rc == IR_OK)
        rc = reopen_after_fork(s, err);
    if (rc == IR_OK) {
        pthread_mutex_lock(&s->lock);
        rc = append_locked(s, rec, len, err);
        pthread_mutex_unlock(&s->lock);
    }
    free(rec);
    return rc;
}

/* --- draining ----------------------------------------------------------------- */

typedef struct drain {
    int fd;
    const char *path;
    ir_spool_sink sink;
    void *ctx;
    unsigned char *buf;
    size_t have; /* bytes in buf */
    bool eof;
    ir_enqueue_req batch[SPOOL_BATCH];
    size_t n_batch;
    ir_spool_drained *out;
} drain;

static ir_rc fill(drain *d, ir_err *err)
{
    size_t room = SPOOL_CHUNK + SPOOL_HEADER_LEN + SPOOL_PAYLOAD_MAX - d->have;
    ssize_t r;

    do
        r = read(d->fd, d->buf + d->have, room);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return ir_err_set(err, IR_ERR_IO, "cannot read the journal's spool %s: %s", d->path,
                          strerror(errno));
    d->have += (size_t)r;
    d->eof = r == 0;
    return IR_OK;
}

static ir_rc flush_batch(drain *d, ir_err *err)
{
    ir_rc rc = d->n_batch > 0 ? d->sink(d->ctx, d->batch, d->n_batch, err) : IR_OK;

    if (rc == IR_OK)
        d->out->records += d->n_batch;
    d->n_batch = 0;
    return rc;
}

/* Takes the records of the bytes in buf; the requests point into buf, so
 * the batch is handed over before the buffer is compacted. */
static ir_rc take_records(drain *d, ir_err *err)
{
    size_t pos = 0, used = 0;
    spool_scan scan;
    ir_rc rc = IR_OK;

    while (rc == IR_OK && pos < d->have) {
        if (d->n_batch == SPOOL_BATCH)
            rc = flush_batch(d, err);
        if (rc != IR_OK)
            break;
        scan = spool_record_decode(d->buf + pos, d->have - pos, &d->batch[d->n_batch], &used);
        if (scan == SPOOL_NEED)
            break;
        if (scan == SPOOL_RECORD)
            d->n_batch++;
        else
            d->out->skipped_bytes += used;
        pos += used;
    }
    if (rc == IR_OK)
        rc = flush_batch(d, err);
    if (rc == IR_OK && d->eof) { /* a record cut short at the end: torn */
        d->out->skipped_bytes += d->have - pos;
        pos = d->have;
    }
    memmove(d->buf, d->buf + pos, d->have - pos);
    d->have -= pos;
    return rc;
}

/* Reads the taken spool d->fd to its end, handing every record to the sink. */
static ir_rc read_all(drain *d, ir_err *err)
{
    ir_rc rc = IR_OK;

    d->have = 0;
    d->eof = false;
    while (rc == IR_OK && !d->eof) {
        rc = fill(d, err);
        if (rc == IR_OK)
            rc = take_records(d, err);
    }
    return rc;
}

/* Drains exclude each other from a taken file with an open-file-description
 * lock, not flock: a writer that still holds the file from before it was
 * taken waits for flock, and must not wait for a whole drain. */
static bool claim_taken(int fd)
{
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};

    return fcntl(fd, F_OFD_SETLK, &l) == 0;
}

/* One taken spool: drained and removed, or left for a later drain when the
 * sink fails, or skipped while another drain has it. */
static ir_rc drain_taken(drain *d, const char *path, ir_err *err)
{
    ir_rc rc = IR_OK;

    d->path = path;
    d->fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (d->fd < 0)
        return errno == ENOENT ? IR_OK : cannot_open("the taken spool", path, errno, err);
    if (claim_taken(d->fd)) {
        rc = read_all(d, err);
        if (rc == IR_OK && unlink(path) != 0 && errno != ENOENT)
            rc = ir_err_set(err, IR_ERR_IO, "cannot remove the drained spool %s: %s", path,
                            strerror(errno));
    }
    close(d->fd); /* releases the claim */
    return rc;
}

static ir_rc cannot_take(const char *spool, int e, ir_err *err)
{
    char *copy = strdup(spool), group[64];
    const char *dir;
    ir_rc rc;

    if (copy == NULL || (e != EACCES && e != EPERM)) {
        free(copy);
        return ir_err_set(err, IR_ERR_IO, "cannot take the journal's spool %s: %s", spool,
                          strerror(e));
    }
    own_group(group, sizeof(group));
    dir = dirname(copy);
    rc = ir_err_set(err, IR_ERR_PERMISSION,
                    "cannot take the journal's spool %s: %s; its certificates wait there: let "
                    "this user write to the journal's directory, e.g. chgrp %s %s; chmod 2770 %s",
                    spool, strerror(e), group, dir, dir);
    free(copy);
    return rc;
}

/* Under the exclusive lock, for an instant, a spool with records is renamed
 * out of the writers' way: they check under their shared lock that their
 * file is still the spool, and start a new one when it is not. */
static ir_rc take_spool(const char *spool, int wait_ms, ir_err *err)
{
    static atomic_uint counter;
    char taken[PATH_MAX];
    struct stat st;
    int fd = open(spool, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ir_rc rc;

    if (fd < 0)
        return errno == ENOENT ? IR_OK : cannot_open("the journal's spool", spool, errno, err);
    rc = lock_within(fd, LOCK_EX, wait_ms, spool, err);
    if (rc == IR_OK && fstat(fd, &st) == 0 && st.st_size > 0) {
        snprintf(taken, sizeof(taken), "%s" TAKEN_INFIX "%ld-%lld-%u", spool, (long)getpid(),
                 (long long)ir_realtime_ms(), atomic_fetch_add(&counter, 1));
        if (rename(spool, taken) != 0)
            rc = cannot_take(spool, errno, err);
    }
    flock(fd, LOCK_UN);
    close(fd);
    return rc;
}

/* Every taken spool beside the journal: this drain's, and any a failed or
 * crashed drain left. */
static ir_rc drain_all_taken(drain *d, const char *spool, ir_err *err)
{
    char *copy = strdup(spool), path[PATH_MAX], prefix[NAME_MAX + 1];
    const char *dir;
    struct dirent *e;
    ir_rc rc = IR_OK, one;
    ir_err first = {0};
    size_t failed = 0;
    DIR *dh;

    if (copy == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "spool: out of memory");
    snprintf(prefix, sizeof(prefix), "%s" TAKEN_INFIX,
             strrchr(spool, '/') != NULL ? strrchr(spool, '/') + 1 : spool);
    dir = dirname(copy);
    if ((dh = opendir(dir)) == NULL) {
        free(copy);
        return ir_err_set(err, IR_ERR_IO, "cannot list the journal's directory %s: %s", dir,
                          strerror(errno));
    }
    while ((e = readdir(dh)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        one = drain_taken(d, path, &first);
        if (one != IR_OK && failed++ == 0) {
            rc = one;
            if (err != NULL)
                *err = first;
        }
    }
    closedir(dh);
    if (failed > 1)
        ir_err_prefix(err, "%zu taken spools were left for a later drain; the first: ", failed);
    free(copy);
    return rc;
}

ir_rc ir_spool_drain(const char *journal_path, int wait_ms, ir_spool_sink sink, void *ctx,
                     ir_spool_drained *out, ir_err *err)
{
    char *spool = spool_path(journal_path);
    ir_err taking = {0};
    ir_rc rc, took;
    drain *d = NULL;

    memset(out, 0, sizeof(*out));
    if (spool == NULL || (d = calloc(1, sizeof(*d))) == NULL ||
        (d->buf = malloc(SPOOL_CHUNK + SPOOL_HEADER_LEN + SPOOL_PAYLOAD_MAX)) == NULL) {
        free(spool);
        free(d);
        return ir_err_set(err, IR_ERR_NOMEM, "spool: out of memory");
    }
    d->sink = sink;
    d->ctx = ctx;
    d->out = out;
    took = take_spool(spool, wait_ms, &taking);
    rc = drain_all_taken(d, spool, err);
    if (rc == IR_OK && took != IR_OK) {
        rc = took;
        if (err != NULL)
            *err = taking;
    }
    free(d->buf);
    free(d);
    free(spool);
    return rc;
}
