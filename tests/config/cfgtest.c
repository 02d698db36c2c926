#include "autoconf.h"

#include "cfgtest.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PATHS 256

static char dir[4096];
static char *paths[MAX_PATHS];
static size_t n_paths;

const char *cfgtest_dir(void)
{
    const char *tmp = getenv("TMPDIR");

    if (dir[0] != '\0')
        return dir;
    snprintf(dir, sizeof(dir), "%s/iotreg-config-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        dir[0] = '\0';
        return NULL;
    }
    return dir;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void cfgtest_cleanup(void)
{
    size_t i;

    if (dir[0] != '\0')
        nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    dir[0] = '\0';
    for (i = 0; i < n_paths; i++)
        free(paths[i]);
    n_paths = 0;
}

const char *cfgtest_path(const char *name)
{
    char *p;

    if (n_paths == MAX_PATHS || cfgtest_dir() == NULL)
        return NULL;
    p = malloc(strlen(dir) + strlen(name) + 2);
    if (p == NULL)
        return NULL;
    sprintf(p, "%s/%s", dir, name);
    paths[n_paths++] = p;
    return p;
}

const char *cfgtest_write(const char *name, const char *data, size_t len, mode_t mode)
{
    const char *path = cfgtest_path(name);
    int fd;
    ssize_t n;

    if (path == NULL)
        return NULL;
    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return NULL;
    n = write(fd, data, len);
    fchmod(fd, mode);
    close(fd);
    return n == (ssize_t)len ? path : NULL;
}

const char *cfgtest_write_str(const char *name, const char *text, mode_t mode)
{
    return cfgtest_write(name, text, strlen(text), mode);
}

long cfgtest_line_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    long line = 1;

    if (at == NULL)
        return 0;
    for (; text < at; text++)
        line += *text == '\n';
    return line;
}

char *cfgtest_replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    size_t head, n;
    char *out;

    if (at == NULL)
        return NULL;
    head = (size_t)(at - text);
    n = strlen(text) - strlen(from) + strlen(to) + 1;
    out = malloc(n);
    if (out == NULL)
        return NULL;
    memcpy(out, text, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    return out;
}

char *cfgtest_subst_dir(const char *text)
{
    char *cur = strdup(text), *next;

    while (cur != NULL && strstr(cur, "@DIR@") != NULL) {
        next = cfgtest_replace(cur, "@DIR@", cfgtest_dir());
        free(cur);
        cur = next;
    }
    return cur;
}

void cfgtest_collect(void *ctx, const char *file, long line, const char *msg)
{
    cfgtest_problems *p = ctx;

    if (p->n == CFGTEST_MAX_PROBLEMS)
        return;
    p->items[p->n].line = line;
    snprintf(p->items[p->n].msg, sizeof(p->items[p->n].msg), "%s", msg);
    p->n++;
}

bool cfgtest_has(const cfgtest_problems *p, long line, const char *needle)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        if (p->items[i].line == line && strstr(p->items[i].msg, needle) != NULL)
            return true;
    return false;
}

void cfgtest_dump(const cfgtest_problems *p)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        fprintf(stderr, "  problem: line %ld: %s\n", p->items[i].line, p->items[i].msg);
}
