/* Secrets (AWS keys, session tokens, PINs) are cleansed before their memory
 * is returned, and never logged. */
#ifndef IOTREG_CORE_SECRET_H
#define IOTREG_CORE_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "core/error.h"

/* Duplicates s; NULL on allocation failure or when s is NULL. */
char *ir_secret_strdup(const char *s);
/* Cleanses and frees a NUL-terminated secret; NULL is fine. */
void ir_secret_strfree(char *s);
/* Cleanses and frees n bytes; NULL is fine. */
void ir_secret_free(void *p, size_t n);

/* A secret in pages of its own: locked against swapping where RLIMIT_MEMLOCK
 * allows (silently unlocked otherwise), left out of core dumps
 * (MADV_DONTDUMP), cleansed when cleared or destroyed. Both settings are per
 * mapping, so a secret changes nothing else in the process (fine inside a
 * CA). The data always holds cap bytes and a terminating NUL. */
typedef struct ir_secret ir_secret;

ir_rc ir_secret_new(size_t cap, ir_secret **out, ir_err *err);
/* Cleanses and unmaps; NULL is fine. */
void ir_secret_destroy(ir_secret *s);
/* The cap + 1 bytes of the secret, for writing into; set the length after. */
char *ir_secret_data(ir_secret *s);
const char *ir_secret_cstr(const ir_secret *s);
size_t ir_secret_len(const ir_secret *s);
size_t ir_secret_cap(const ir_secret *s);
/* Sets the length to n (<= cap) and terminates the data there. */
void ir_secret_set_len(ir_secret *s, size_t n);
/* Copies n bytes in (IR_ERR_TOO_LARGE past cap). */
ir_rc ir_secret_set(ir_secret *s, const void *p, size_t n, ir_err *err);
/* Cleanses the data; the length becomes 0. */
void ir_secret_clear(ir_secret *s);
/* Whether mlock succeeded for this secret (for tests and diagnostics). */
bool ir_secret_locked(const ir_secret *s);

/* Files that hold secrets (PIN files, secret key files, credential profiles).
 * Opened with O_NOFOLLOW (a symbolic link as the last component is refused),
 * then checked on the open descriptor, never by path: a regular file, owned
 * by the effective user or by root, with no permission for group or others.
 * Every refusal names the path and the fix. */
ir_rc ir_secret_file_open(const char *path, int *fd, struct stat *st, ir_err *err);
/* The check alone (open, check, close), for configuration checks. */
ir_rc ir_secret_file_check(const char *path, ir_err *err);
/* Reads the rest of fd (opened by ir_secret_file_open, st its status) into a
 * new secret; IR_ERR_TOO_LARGE beyond max bytes. Nothing read stays outside
 * the secret. */
ir_rc ir_secret_fd_read(int fd, const struct stat *st, const char *path, size_t max,
                        ir_secret **out, ir_err *err);
/* Open, check and read in one. */
ir_rc ir_secret_file_read(const char *path, size_t max, ir_secret **out, ir_err *err);
/* Removes trailing bytes that are in chars (e.g. "\r\n") from a secret read
 * from a file; the removed bytes are cleansed. */
void ir_secret_trim_end(ir_secret *s, const char *chars);

#endif
