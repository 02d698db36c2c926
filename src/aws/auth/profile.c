/* The shared credentials file (~/.aws/credentials): an INI file of profiles.
 * The provider re-reads the file when it changes on disk, so that rotated
 * keys are picked up without a restart, and refuses it whenever it is not
 * private to its owner. */
#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/auth/provider_internal.h"
#include "core/secret.h"
#include "core/util.h"

#define PROFILE_FILE_MAX (1u << 20)
#define PROFILE_LINE_MAX 4096
#define PROFILE_PATH_MAX 4096

typedef struct ini_line {
    const char *p; /* trimmed content */
    size_t n;
    unsigned lineno;
} ini_line;

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

static void trim(const char **p, size_t *n)
{
    while (*n > 0 && is_space(**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && is_space((*p)[*n - 1]))
        (*n)--;
}

static bool span_equals(const char *p, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(p, s, n) == 0;
}

/* Stores the value for one of the three keys we read; others are ignored. */
static ir_rc profile_assign(ir_aws_profile_values *v, const char *key, size_t klen, const char *val,
                            size_t vlen, ir_err *err)
{
    char **slot = NULL;

    if (span_equals(key, klen, "aws_access_key_id"))
        slot = &v->access_key_id;
    else if (span_equals(key, klen, "aws_secret_access_key"))
        slot = &v->secret_access_key;
    else if (span_equals(key, klen, "aws_session_token"))
        slot = &v->session_token;
    if (slot == NULL)
        return IR_OK;
    ir_secret_strfree(*slot);
    *slot = malloc(vlen + 1);
    if (*slot == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory reading AWS credentials");
    memcpy(*slot, val, vlen);
    (*slot)[vlen] = '\0';
    return IR_OK;
}

typedef struct ini_state {
    const char *file;
    const char *profile;
    bool in_profile;
    bool found;
    ir_aws_profile_values *values;
} ini_state;

static ir_rc ini_line_parse(ini_state *st, const ini_line *l, ir_err *err)
{
    const char *eq;
    const char *key = l->p, *val;
    size_t klen, vlen;

    if (l->n == 0 || l->p[0] == '#' || l->p[0] == ';')
        return IR_OK;
    if (l->p[0] == '[') {
        if (l->p[l->n - 1] != ']')
            return ir_err_set(err, IR_ERR_PARSE, "%s line %u: a section header must end with ']'",
                              st->file, l->lineno);
        key = l->p + 1;
        klen = l->n - 2;
        trim(&key, &klen);
        st->in_profile = span_equals(key, klen, st->profile);
        st->found = st->found || st->in_profile;
        return IR_OK;
    }
    eq = memchr(l->p, '=', l->n);
    if (eq == NULL)
        return ir_err_set(err, IR_ERR_PARSE, "%s line %u: expected [profile] or key = value",
                          st->file, l->lineno);
    if (!st->in_profile)
        return IR_OK;
    klen = (size_t)(eq - l->p);
    val = eq + 1;
    vlen = l->n - klen - 1;
    trim(&key, &klen);
    trim(&val, &vlen);
    return profile_assign(st->values, key, klen, val, vlen, err);
}

static ir_rc ini_walk(ini_state *st, const char *data, size_t len, ir_err *err)
{
    size_t pos = 0;
    unsigned lineno = 0;
    ir_rc rc = IR_OK;

    while (pos < len && rc == IR_OK) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - data) : len;
        ini_line l = {data + pos, end - pos, ++lineno};

        if (l.n > PROFILE_LINE_MAX)
            return ir_err_set(err, IR_ERR_PARSE, "%s line %u is longer than %d bytes", st->file,
                              lineno, PROFILE_LINE_MAX);
        if (memchr(l.p, '\0', l.n) != NULL)
            return ir_err_set(err, IR_ERR_PARSE, "%s line %u contains a NUL byte", st->file,
                              lineno);
        trim(&l.p, &l.n);
        rc = ini_line_parse(st, &l, err);
        pos = end + 1;
    }
    return rc;
}

static ir_rc profile_check_complete(const ini_state *st, ir_err *err)
{
    const ir_aws_profile_values *v = st->values;
    const char *missing = NULL;

    if (!st->found)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "profile [%s] not found in the AWS shared credentials file %s; add it "
                          "or choose another profile (AWS_PROFILE)",
                          st->profile, st->file);
    if (v->access_key_id == NULL || v->access_key_id[0] == '\0')
        missing = "aws_access_key_id";
    else if (v->secret_access_key == NULL || v->secret_access_key[0] == '\0')
        missing = "aws_secret_access_key";
    if (missing != NULL)
        return ir_err_set(err, IR_ERR_CONFIG, "profile [%s] in %s has no %s; add \"%s = ...\"",
                          st->profile, st->file, missing, missing);
    return IR_OK;
}

void ir_aws_profile_values_free(ir_aws_profile_values *v)
{
    ir_secret_strfree(v->access_key_id);
    ir_secret_strfree(v->secret_access_key);
    ir_secret_strfree(v->session_token);
    memset(v, 0, sizeof(*v));
}

ir_rc ir_aws_profile_parse(const char *data, size_t len, const char *file, const char *profile,
                           ir_aws_profile_values *out, ir_err *err)
{
    ini_state st = {file, profile, false, false, out};
    ir_rc rc;

    memset(out, 0, sizeof(*out));
    rc = ini_walk(&st, data, len, err);
    if (rc == IR_OK)
        rc = profile_check_complete(&st, err);
    if (rc != IR_OK)
        ir_aws_profile_values_free(out);
    return rc;
}

/* -- the provider -- */

typedef struct profile_provider {
    ir_aws_cred_provider base;
    char *file;
    char *profile;
    pthread_mutex_t lock;
    ir_aws_creds *creds;
    struct stat loaded; /* identity of the file the creds came from */
} profile_provider;

static bool same_file_version(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Opens the file and checks it on the descriptor: a file that is not private
 * to its owner (or is a symbolic link) is refused, at every use. */
static ir_rc profile_open(const profile_provider *p, int *fd, struct stat *st, ir_err *err)
{
    ir_rc rc = ir_secret_file_open(p->file, fd, st, err);

    if (rc != IR_OK)
        ir_err_prefix(err, "AWS shared credentials file (profile [%s]): ", p->profile);
    return rc;
}

static ir_rc profile_load(profile_provider *p, int fd, const struct stat *st, ir_aws_creds **out,
                          ir_err *err)
{
    ir_aws_profile_values v;
    ir_secret *text = NULL;
    ir_rc rc = ir_secret_fd_read(fd, st, p->file, PROFILE_FILE_MAX, &text, err);

    if (rc == IR_OK)
        rc = ir_aws_profile_parse(ir_secret_cstr(text), ir_secret_len(text), p->file, p->profile,
                                  &v, err);
    ir_secret_destroy(text);
    if (rc != IR_OK)
        return rc;
    rc =
        ir_aws_creds_new_secret(v.access_key_id, v.secret_access_key, v.session_token, 0, out, err);
    if (rc != IR_OK)
        ir_err_prefix(err, "profile [%s] in %s: ", p->profile, p->file);
    ir_aws_profile_values_free(&v);
    return rc;
}

/* The file is opened and checked at every use, and read again when it is
 * another file or changed. When it has become accessible by others the
 * credentials read from it before are dropped too: requests that need them
 * fail with the reason and the fix until the file is private again. */
static ir_rc profile_refresh_locked(profile_provider *p, ir_err *err)
{
    struct stat st;
    ir_aws_creds *fresh = NULL;
    int fd;
    ir_rc rc = profile_open(p, &fd, &st, err);

    if (rc == IR_ERR_PERMISSION) {
        ir_aws_creds_unref(p->creds);
        p->creds = NULL;
    }
    if (rc != IR_OK)
        return rc;
    if (p->creds == NULL || !same_file_version(&st, &p->loaded))
        rc = profile_load(p, fd, &st, &fresh, err);
    close(fd);
    if (rc != IR_OK || fresh == NULL)
        return rc;
    ir_aws_creds_unref(p->creds);
    p->creds = fresh;
    p->loaded = st;
    return IR_OK;
}

static ir_rc profile_get(ir_aws_cred_provider *base, ir_aws_creds **out, ir_err *err)
{
    profile_provider *p = (profile_provider *)base;
    ir_rc rc;

    pthread_mutex_lock(&p->lock);
    rc = profile_refresh_locked(p, err);
    if (rc == IR_OK)
        *out = ir_aws_creds_ref(p->creds);
    pthread_mutex_unlock(&p->lock);
    return rc;
}

static void profile_free(ir_aws_cred_provider *base)
{
    profile_provider *p = (profile_provider *)base;

    ir_aws_creds_unref(p->creds);
    pthread_mutex_destroy(&p->lock);
    free(p->file);
    free(p->profile);
    free(p);
}

static const ir_aws_cred_provider_ops profile_ops = {profile_get, profile_free};

static ir_rc default_file(const char *file, char *out, size_t n, ir_err *err)
{
    const char *home;

    if (file == NULL || file[0] == '\0')
        file = getenv("AWS_SHARED_CREDENTIALS_FILE");
    if (file != NULL && file[0] != '\0') {
        if (ir_strlcpy(out, file, n))
            return ir_err_set(err, IR_ERR_CONFIG, "AWS shared credentials file path is too long");
        return IR_OK;
    }
    home = getenv("HOME");
    if (home == NULL || home[0] == '\0')
        return ir_err_set(err, IR_ERR_CONFIG,
                          "cannot locate ~/.aws/credentials: HOME is not set; set "
                          "AWS_SHARED_CREDENTIALS_FILE or name the file in the configuration");
    if ((size_t)snprintf(out, n, "%s/.aws/credentials", home) >= n)
        return ir_err_set(err, IR_ERR_CONFIG, "AWS shared credentials file path is too long");
    return IR_OK;
}

static const char *default_profile(const char *profile)
{
    if (profile == NULL || profile[0] == '\0')
        profile = getenv("AWS_PROFILE");
    return profile != NULL && profile[0] != '\0' ? profile : "default";
}

static profile_provider *profile_provider_alloc(const char *file, const char *profile)
{
    profile_provider *p = calloc(1, sizeof(*p));

    if (p == NULL)
        return NULL;
    p->base.ops = &profile_ops;
    p->file = strdup(file);
    p->profile = strdup(profile);
    pthread_mutex_init(&p->lock, NULL);
    if (p->file == NULL || p->profile == NULL) {
        profile_free(&p->base);
        return NULL;
    }
    snprintf(p->base.description, sizeof(p->base.description), "profile [%.64s] in %.160s", profile,
             file);
    return p;
}

ir_rc ir_aws_cred_provider_profile(const char *file, const char *profile,
                                   ir_aws_cred_provider **out, ir_err *err)
{
    char path[PROFILE_PATH_MAX];
    profile_provider *p;
    ir_rc rc = default_file(file, path, sizeof(path), err);

    *out = NULL;
    if (rc != IR_OK)
        return rc;
    p = profile_provider_alloc(path, default_profile(profile));
    if (p == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    /* Loaded now so that a wrong file or profile is reported at startup. */
    rc = profile_refresh_locked(p, err);
    if (rc != IR_OK) {
        profile_free(&p->base);
        return rc;
    }
    *out = &p->base;
    return IR_OK;
}
