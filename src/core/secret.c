#include "autoconf.h"

#include "core/secret.h"

#include <openssl/crypto.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

char *ir_secret_strdup(const char *s)
{
    size_t n;
    char *p;

    if (s == NULL)
        return NULL;
    n = strlen(s);
    p = malloc(n + 1);
    if (p != NULL)
        memcpy(p, s, n + 1);
    return p;
}

void ir_secret_strfree(char *s)
{
    if (s == NULL)
        return;
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}

void ir_secret_free(void *p, size_t n)
{
    if (p == NULL)
        return;
    OPENSSL_cleanse(p, n);
    free(p);
}

/* -- secrets in pages of their own -- */

struct ir_secret {
    size_t map_len;
    size_t cap;
    size_t len;
    bool locked;
    char data[]; /* cap + 1 bytes */
};

static size_t page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);

    return n > 0 ? (size_t)n : 4096;
}

/* Keeps the pages out of core dumps and, where the memory-lock limit allows,
 * out of swap. Either may be unavailable: the secret is still cleansed. */
static bool protect_pages(void *p, size_t n)
{
#ifdef MADV_DONTDUMP
    (void)madvise(p, n, MADV_DONTDUMP);
#endif
    return mlock(p, n) == 0;
}

ir_rc ir_secret_new(size_t cap, ir_secret **out, ir_err *err)
{
    size_t page = page_size(), need;
    ir_secret *s;
    void *p;

    *out = NULL;
    if (cap > SIZE_MAX / 2)
        return ir_err_set(err, IR_ERR_TOO_LARGE, "a secret of %zu bytes is too large", cap);
    need = sizeof(*s) + cap + 1;
    need = (need + page - 1) / page * page;
    p = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory for a secret of %zu bytes", cap);
    s = p;
    s->map_len = need;
    s->cap = cap;
    s->len = 0;
    s->locked = protect_pages(p, need);
    s->data[0] = '\0';
    *out = s;
    return IR_OK;
}

void ir_secret_destroy(ir_secret *s)
{
    size_t n;

    if (s == NULL)
        return;
    n = s->map_len;
    OPENSSL_cleanse(s, n);
    (void)munlock(s, n);
    munmap(s, n);
}

char *ir_secret_data(ir_secret *s)
{
    return s->data;
}

const char *ir_secret_cstr(const ir_secret *s)
{
    return s->data;
}

size_t ir_secret_len(const ir_secret *s)
{
    return s->len;
}

size_t ir_secret_cap(const ir_secret *s)
{
    return s->cap;
}

void ir_secret_set_len(ir_secret *s, size_t n)
{
    s->len = n <= s->cap ? n : s->cap;
    s->data[s->len] = '\0';
}

ir_rc ir_secret_set(ir_secret *s, const void *p, size_t n, ir_err *err)
{
    if (n > s->cap)
        return ir_err_set(err, IR_ERR_TOO_LARGE, "a secret of %zu bytes exceeds the limit of %zu",
                          n, s->cap);
    ir_secret_clear(s);
    memcpy(s->data, p, n);
    ir_secret_set_len(s, n);
    return IR_OK;
}

void ir_secret_clear(ir_secret *s)
{
    OPENSSL_cleanse(s->data, s->cap + 1);
    s->len = 0;
}

bool ir_secret_locked(const ir_secret *s)
{
    return s->locked;
}

void ir_secret_trim_end(ir_secret *s, const char *chars)
{
    while (s->len > 0 && s->data[s->len - 1] != '\0' && strchr(chars, s->data[s->len - 1]) != NULL)
        s->data[--s->len] = '\0';
}
