/* Importing certificates issued before iotreg was installed: files, trees of
 * files, or an `openssl ca` database. Each certificate goes through the
 * capture path on its own (a PEM file may hold several); what is refused is
 * reported with its reason and the rest goes on. */
#ifndef IOTREG_CAPTURE_IMPORT_H
#define IOTREG_CAPTURE_IMPORT_H

#include <stddef.h>

#include "capture/capture.h"
#include "core/error.h"

typedef struct ir_import_stats {
    long imported;     /* new journal entries */
    long unattributed; /* of those, journaled as unattributed */
    long known;        /* already in the journal */
    long revocations;  /* revocation requests recorded (revoked rows of a CA database) */
    long refused;      /* certificates, files or rows refused */
} ir_import_stats;

/* what: a file name, or "index.txt:LINE (serial S)"; msg: why it was refused. */
typedef void (*ir_import_refused_fn)(void *ctx, const char *what, const char *msg);
/* After each input: done of total. */
typedef void (*ir_import_progress_fn)(void *ctx, size_t done, size_t total);

typedef struct ir_import {
    ir_capture_ctx *capture; /* made with IR_SOURCE_IMPORT */
    ir_import_refused_fn on_refused;
    ir_import_progress_fn on_progress;
    void *ctx;
    ir_import_stats stats;
} ir_import;

typedef struct ir_pathlist {
    char **paths;
    size_t n;
} ir_pathlist;

/* Adds path to list: a file as it is, a directory as every *.pem, *.crt,
 * *.der and *.cer below it (recursively, symbolic links not followed,
 * sorted). */
ir_rc ir_import_collect(const char *path, ir_pathlist *list, ir_err *err);
void ir_pathlist_free(ir_pathlist *list);

/* Imports every file of list. IR_OK unless the journal failed (which stops
 * the import: nothing after it would be recorded either). */
ir_rc ir_import_files(ir_import *imp, const ir_pathlist *list, ir_err *err);

/* Imports the certificates an `openssl ca` database lists: each row of
 * index_path (V|R|E, expiry, revocation[,reason], serial, file, subject)
 * names newcerts_dir/SERIAL.pem; revoked rows also record a revocation. */
ir_rc ir_import_openssl_db(ir_import *imp, const char *index_path, const char *newcerts_dir,
                           ir_err *err);

/* Counts and reports a refusal. */
void ir_import_refuse(ir_import *imp, const char *what, const char *msg);

/* Captures every certificate of one input (each on its own); with a
 * revocation_reason >= 0 also records a revocation. what names the input in
 * reports. */
ir_rc ir_import_input(ir_import *imp, const char *what, const unsigned char *data, size_t len,
                      int revocation_reason, int64_t revocation_time_ms, ir_err *err);

#endif
