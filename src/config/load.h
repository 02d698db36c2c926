/* Loading the configuration (src/config/load.c): the file is read, parsed
 * without network, DTD or entities and validated against the embedded XSD
 * (xmlread.c), the model of config/config.h is built from the document
 * (build*.c) and checked for what no schema can say (validate.c, files.c).
 * Every problem is reported with its file and line (diag.c). */
#ifndef IOTREG_CONFIG_LOAD_H
#define IOTREG_CONFIG_LOAD_H

#include "config/config.h"
#include "core/error.h"

#define IR_CONFIG_DEFAULT_PATH "/etc/iotreg/iotreg.xml"

/* The file to read: path when given, else $IOTREG_CONF, else IR_CONFIG_DEFAULT_PATH. */
const char *ir_config_resolve_path(const char *path);

/* Parses path, validates it against the XSD and the rules no schema can say
 * (references resolve, names are unique, files holding secrets are private).
 * On failure err says which file, which line and what is wrong; every error
 * found is listed, one per line. */
ir_rc ir_config_load(const char *path, ir_config **out, ir_err *err);

/* Receives each problem found, one at a time: line is the 1-based line of
 * the element at fault, 0 when the problem is the whole file. */
typedef void (*ir_config_diag_fn)(void *ctx, const char *file, long line, const char *msg);

/* ir_config_load, also handing every problem to diag (which may be NULL). */
ir_rc ir_config_load_diag(const char *path, ir_config **out, ir_config_diag_fn diag, void *ctx,
                          ir_err *err);

/* The XSD compiled once, for a process that loads many configurations (the
 * fuzzer): compiling it is most of the cost of a load. Read-only once made,
 * so threads may share it. */
typedef struct ir_config_schema ir_config_schema;

ir_rc ir_config_schema_new(ir_config_schema **out, ir_err *err);
void ir_config_schema_free(ir_config_schema *schema);

/* ir_config_load_diag for a configuration in memory (len bytes of text),
 * validated against schema (NULL: the XSD compiled for this call). name
 * stands for the file in messages and becomes cfg->path; the files the
 * configuration names are checked as for a file. */
ir_rc ir_config_load_mem(const ir_config_schema *schema, const void *text, size_t len,
                         const char *name, ir_config **out, ir_config_diag_fn diag, void *ctx,
                         ir_err *err);

/* What ir_config_check_files insists on. ir_config_load already refuses a
 * secret file that exists and is readable by others; these also require the
 * files to exist, for the programs that are about to use them. */
#define IR_CONFIG_NEED_PIN      0x01u /* keystore pin-file exists and is private */
#define IR_CONFIG_NEED_SO_PIN   0x02u /* keystore so-pin-file is configured, exists, is private */
#define IR_CONFIG_NEED_MODULE   0x04u /* the PKCS#11 module exists */
#define IR_CONFIG_NEED_SECRETS  0x08u /* credential secret files and profile files */
#define IR_CONFIG_NEED_CERTS    0x10u /* SubCA cert-files exist and hold a certificate */
#define IR_CONFIG_NEED_POLICIES 0x20u /* policy document files exist and hold JSON */
#define IR_CONFIG_NEED_RUNTIME                                                                     \
    (IR_CONFIG_NEED_PIN | IR_CONFIG_NEED_MODULE | IR_CONFIG_NEED_SECRETS | IR_CONFIG_NEED_CERTS |  \
     IR_CONFIG_NEED_POLICIES)

/* Checks the files named by cfg that need (IR_CONFIG_NEED_*) asks for, with
 * the same reporting as ir_config_load_diag. */
ir_rc ir_config_check_files(const ir_config *cfg, unsigned need, ir_config_diag_fn diag, void *ctx,
                            ir_err *err);

#endif
