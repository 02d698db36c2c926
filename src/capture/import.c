/* Importing certificate files and directories through the capture path. */
#include "autoconf.h"

#include "capture/import.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "capture/cert_input.h"
#include "capture/crl_reason.h"
#include "core/log.h"

#define IMPORT_MAX_DEPTH 64

void ir_import_refuse(ir_import *imp, const char *what, const char *msg)
{
    imp->stats.refused++;
    if (imp->on_refused != NULL)
        imp->on_refused(imp->ctx, what, msg);
}

/* Failures of the journal or of memory end the import; the rest is the
 * certificate's own problem, reported, and the import goes on. */
static bool is_fatal(ir_capture_failure f)
{
    return f == IR_CAPTURE_JOURNAL || f == IR_CAPTURE_INTERNAL;
}

static void count(ir_import *imp, const ir_capture_result *res, bool revoked, bool already)
{
    if (res->already_known) {
        imp->stats.known++;
    } else {
        imp->stats.imported++;
        imp->stats.unattributed += res->customer == NULL;
    }
    imp->stats.revocations += revoked && !already;
}

static ir_rc capture_one(ir_import *imp, const char *what, const ir_der *der, int reason,
                         int64_t when_ms, ir_err *err)
{
    ir_capture_result res;
    ir_err e = {0};
    bool already = false;
    ir_rc rc;

    if (reason >= 0)
        rc = ir_capture_revocation(imp->capture, der->data, der->len, NULL, reason, when_ms, &res,
                                   &already, &e);
    else
        rc = ir_capture_certificate(imp->capture, der->data, der->len, NULL, &res, &e);
    if (rc != IR_OK && is_fatal(res.failure)) {
        ir_err_set(err, rc, "%s: %s", what, e.msg);
        return rc;
    }
    if (rc != IR_OK)
        ir_import_refuse(imp, what, e.msg);
    else
        count(imp, &res, reason >= 0, already);
    return IR_OK;
}

ir_rc ir_import_input(ir_import *imp, const char *what, const unsigned char *data, size_t len,
                      int revocation_reason, int64_t revocation_time_ms, ir_err *err)
{
    ir_der_list l;
    ir_err e = {0};
    char label[1200];
    size_t i;
    ir_rc rc = ir_cert_input_parse(data, len, &l, &e);

    /* A row on hold (openssl ca -crl_hold) is imported without a revocation,
     * as a CRL entry on hold is (capture/import_crl.h). */
    if (rc == IR_OK && revocation_reason >= 0 && !ir_crl_reason_revokes(revocation_reason)) {
        ir_log_info("%s: %s, not revoked; iotreg does not deactivate on hold: imported without a "
                    "revocation",
                    what, ir_crl_reason_name(revocation_reason));
        revocation_reason = -1;
    }
    if (rc == IR_ERR_NOMEM)
        return ir_err_set(err, rc, "%s: %s", what, e.msg);
    if (rc != IR_OK) {
        ir_import_refuse(imp, what, e.msg);
        return IR_OK;
    }
    for (i = 0; rc == IR_OK && i < l.n; i++) {
        if (l.n > 1)
            snprintf(label, sizeof(label), "%s (certificate %zu of %zu)", what, i + 1, l.n);
        else
            snprintf(label, sizeof(label), "%s", what);
        rc = capture_one(imp, label, &l.items[i], revocation_reason, revocation_time_ms, err);
    }
    ir_der_list_free(&l);
    return rc;
}

ir_rc ir_import_files(ir_import *imp, const ir_pathlist *list, ir_err *err)
{
    ir_buf data;
    ir_err e = {0};
    ir_rc rc = IR_OK;
    size_t i;

    for (i = 0; rc == IR_OK && i < list->n; i++) {
        if (ir_cert_input_read(list->paths[i], &data, &e) == IR_OK)
            rc = ir_import_input(imp, list->paths[i], data.data, data.len, -1, 0, err);
        else
            ir_import_refuse(imp, list->paths[i], e.msg);
        ir_buf_free(&data);
        if (imp->on_progress != NULL)
            imp->on_progress(imp->ctx, i + 1, list->n);
    }
    return rc;
}

void ir_pathlist_free(ir_pathlist *list)
{
    size_t i;

    for (i = 0; i < list->n; i++)
        free(list->paths[i]);
    free(list->paths);
    list->paths = NULL;
    list->n = 0;
}

static ir_rc add_path(ir_pathlist *list, const char *path, ir_err *err)
{
    char **paths = realloc(list->paths, (list->n + 1) * sizeof(*paths));

    if (paths == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory listing files");
    list->paths = paths;
    paths[list->n] = strdup(path);
    if (paths[list->n] == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory listing files");
    list->n++;
    return IR_OK;
}

static bool wanted_name(const char *name)
{
    static const char *const exts[] = {".pem", ".crt", ".der", ".cer"};
    size_t n = strlen(name), i;

    for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
        if (n > 4 && strcasecmp(name + n - 4, exts[i]) == 0)
            return true;
    return false;
}

static ir_rc walk(const char *dir, int depth, ir_pathlist *list, ir_err *err);

static ir_rc walk_entry(const char *path, const char *name, int depth, ir_pathlist *list,
                        ir_err *err)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return ir_err_set(err, IR_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return walk(path, depth + 1, list, err);
    if (S_ISREG(st.st_mode) && wanted_name(name))
        return add_path(list, path, err);
    return IR_OK;
}

static ir_rc walk(const char *dir, int depth, ir_pathlist *list, ir_err *err)
{
    char path[4096];
    struct dirent *d;
    DIR *dh;
    ir_rc rc = IR_OK;

    if (depth > IMPORT_MAX_DEPTH)
        return ir_err_set(err, IR_ERR_TOO_LARGE, "%s: directories nested deeper than %d", dir,
                          IMPORT_MAX_DEPTH);
    dh = opendir(dir);
    if (dh == NULL)
        return ir_err_set(err, IR_ERR_IO, "cannot read directory %s: %s", dir, strerror(errno));
    while (rc == IR_OK && (d = readdir(dh)) != NULL) {
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
            continue;
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) >= sizeof(path))
            rc = ir_err_set(err, IR_ERR_TOO_LARGE, "%s/%s: path too long", dir, d->d_name);
        else
            rc = walk_entry(path, d->d_name, depth, list, err);
    }
    closedir(dh);
    return rc;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

ir_rc ir_import_collect(const char *path, ir_pathlist *list, ir_err *err)
{
    struct stat st;
    size_t first = list->n;
    ir_rc rc;

    if (stat(path, &st) != 0)
        return ir_err_set(err, errno == ENOENT ? IR_ERR_NOT_FOUND : IR_ERR_IO, "%s: %s", path,
                          strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return add_path(list, path, err);
    rc = walk(path, 0, list, err);
    if (rc == IR_OK)
        qsort(list->paths + first, list->n - first, sizeof(char *), compare_paths);
    return rc;
}
