/* Internals of src/config shared by its files: the loading pipeline's
 * stages and the private part of the model; nothing outside src/config
 * includes this. */
#ifndef IOTREG_CONFIG_CONFIG_INTERNAL_H
#define IOTREG_CONFIG_CONFIG_INTERNAL_H

#include <libxml/tree.h>
#include <openssl/x509.h>
#include <stdbool.h>

#include "config/config.h"
#include "config/load.h"
#include "core/buf.h"

/* Bigger than any sane configuration, small enough to refuse a runaway file. */
#define IR_CONFIG_MAX_BYTES (4u << 20)

/* --- diagnostics: every problem found, each with its line --------------- */

typedef struct ir_diag {
    const char *file;
    ir_config_diag_fn fn;
    void *ctx;
    ir_rc rc;      /* of the first problem */
    size_t count;  /* problems so far */
    ir_buf joined; /* "FILE:LINE: msg" lines for ir_err, capped */
} ir_diag;

void ir_diag_init(ir_diag *d, const char *file, ir_config_diag_fn fn, void *ctx);
void ir_diag_add(ir_diag *d, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ir_diag_add_rc(ir_diag *d, ir_rc rc, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* IR_OK when nothing was reported, else the first rc with every message in err. */
ir_rc ir_diag_finish(ir_diag *d, ir_err *err);

/* --- the private part of an ir_config ----------------------------------- */

typedef struct ir_origin {
    const void *item;
    long line;
} ir_origin;

typedef struct ir_config_priv {
    ir_origin *origins;
    size_t n_origins;
    size_t cap_origins;
    bool origins_sorted;
    X509 **subca_certs; /* n_subcas entries, NULL where unknown */
} ir_config_priv;

ir_config_priv *ir_config_priv_of(const ir_config *cfg);
/* Records where item is defined; false when out of memory. */
bool ir_config_note_line(ir_config *cfg, const void *item, long line);
void ir_config_sort_lines(ir_config *cfg);

/* --- reading the file ---------------------------------------------------- */

/* Reads path (size-capped) into raw; false, with the problem in d, when it
 * cannot be read, is too large or is empty. */
bool ir_config_read_file(const char *path, ir_buf *raw, ir_diag *d);
/* Whether text is within the size limit and not empty; else the problem goes to d. */
bool ir_config_check_text(const void *text, size_t len, ir_diag *d);
/* Parses text without network, DTD or entities and validates it against
 * the embedded XSD (schema's, or compiled for this call when schema is
 * NULL). Problems go to d; *doc is set only when the document is valid. */
ir_rc ir_config_parse_xml(const ir_config_schema *schema, const void *text, size_t len,
                          xmlDoc **doc, ir_diag *d);

/* The XSD, embedded at build time from conf/iotreg.xsd. */
extern const unsigned char ir_config_xsd[];
extern const size_t ir_config_xsd_len;

/* --- DOM helpers ---------------------------------------------------------- */

/* The first element child of parent named name (any name when NULL). */
xmlNode *ir_xml_child(const xmlNode *parent, const char *name);
/* The next element sibling after node named name (any name when NULL). */
xmlNode *ir_xml_next(const xmlNode *node, const char *name);
size_t ir_xml_count(const xmlNode *parent, const char *name);
bool ir_xml_is(const xmlNode *node, const char *name);
long ir_xml_line(const xmlNode *node);
/* Whitespace-collapsed like xs:token; malloc'd, NULL when absent or no memory. */
char *ir_xml_text(const xmlNode *node);
char *ir_xml_attr(const xmlNode *node, const char *name);
/* Collapses whitespace of s in place, as xs:token does. */
void ir_xml_collapse(char *s);

/* --- building the structures from a valid document ---------------------- */

typedef struct ir_build {
    ir_config *cfg;
    ir_diag *diag;
    bool nomem;
} ir_build;

/* The text of root's child name (or of root itself when name is NULL),
 * recorded with its line; NULL when absent. */
char *ir_build_text(ir_build *b, const xmlNode *parent, const char *name);
char *ir_build_attr(ir_build *b, const xmlNode *node, const char *name);
/* The texts of every child called name, in order; *n says how many. */
char **ir_build_texts(ir_build *b, const xmlNode *parent, const char *name, size_t *n);
char *ir_build_strdup(ir_build *b, const char *s);
bool ir_build_bool(ir_build *b, const xmlNode *parent, const char *name, bool dflt);
long ir_build_long(ir_build *b, const xmlNode *parent, const char *name, long dflt);
void *ir_build_calloc(ir_build *b, size_t n, size_t size);
void ir_build_line(ir_build *b, const void *item, const xmlNode *node);

/* Builds one item from its element. */
typedef void (*ir_build_item_fn)(ir_build *b, const xmlNode *node, void *item);

/* Builds every child of list named name (any element when NULL) into a new
 * array of items of size bytes, which it returns (NULL when there are none,
 * or no memory). *n counts each item before it is built, so that freeing
 * the configuration frees what a half-built item holds. */
void *ir_build_list(ir_build *b, const xmlNode *list, const char *name, size_t size, size_t *n,
                    ir_build_item_fn fn);

void ir_build_settings(ir_build *b, const xmlNode *root);
void ir_build_credentials(ir_build *b, const xmlNode *node, ir_credential_ref *out);
void ir_build_csp_accounts(ir_build *b, const xmlNode *root);
void ir_build_subcas(ir_build *b, const xmlNode *root);
void ir_build_customers(ir_build *b, const xmlNode *root);
void ir_build_rules(ir_build *b, const xmlNode *root);
void ir_build_quotas(ir_build *b, const xmlNode *root);

/* --- checks beyond the schema --------------------------------------------- */

void ir_config_validate(ir_config *cfg, ir_diag *d);
/* Secret files that exist must be private; SubCA certificates that exist are loaded. */
void ir_config_check_existing_files(ir_config *cfg, ir_diag *d);
/* Shared by files.c and files_required.c: whether path exists (or cannot be
 * told not to); a secret file's check (a missing one is an error only when
 * required); the same for every credential file of accounts and customers. */
bool ir_config_file_exists(const char *path);
void ir_config_check_secret(const ir_config *cfg, ir_diag *d, const char *owner, const char *path,
                            bool required);
void ir_config_check_credential_files(const ir_config *cfg, ir_diag *d, bool required);

void ir_credential_ref_free(ir_credential_ref *c);
void ir_match_free(ir_match *m);

#endif
