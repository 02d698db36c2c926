/* Builds the settings sections (keystore, journal, aws, daemon) from a
 * document the XSD accepted, and the helpers every section builder uses. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

#define DEFAULT_PKCS11_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define DEFAULT_TOKEN_LABEL   "iotreg"
#define DEFAULT_SIGNING_NAME  "iot"

void ir_build_line(ir_build *b, const void *item, const xmlNode *node)
{
    if (!ir_config_note_line(b->cfg, item, ir_xml_line(node)))
        b->nomem = true;
}

static char *noted(ir_build *b, char *s, const xmlNode *node)
{
    if (s == NULL && node != NULL)
        b->nomem = true;
    else if (s != NULL)
        ir_build_line(b, s, node);
    return s;
}

char *ir_build_text(ir_build *b, const xmlNode *parent, const char *name)
{
    const xmlNode *node = name ? ir_xml_child(parent, name) : parent;

    return noted(b, ir_xml_text(node), node);
}

char *ir_build_attr(ir_build *b, const xmlNode *node, const char *name)
{
    if (node == NULL || !xmlHasProp((xmlNode *)node, BAD_CAST name))
        return NULL;
    return noted(b, ir_xml_attr(node, name), node);
}

char *ir_build_strdup(ir_build *b, const char *s)
{
    char *copy = strdup(s);

    if (copy == NULL)
        b->nomem = true;
    return copy;
}

bool ir_build_bool(ir_build *b, const xmlNode *parent, const char *name, bool dflt)
{
    char *s = ir_xml_text(ir_xml_child(parent, name));
    bool v = s ? strcmp(s, "true") == 0 : dflt;

    free(s);
    return v;
}

/* The XSD has checked the range, so the text is a decimal that fits. */
long ir_build_long(ir_build *b, const xmlNode *parent, const char *name, long dflt)
{
    char *s = ir_xml_text(ir_xml_child(parent, name));
    long v = s ? strtol(s, NULL, 10) : dflt;

    free(s);
    return v;
}

char **ir_build_texts(ir_build *b, const xmlNode *parent, const char *name, size_t *n)
{
    char **v = ir_build_calloc(b, ir_xml_count(parent, name), sizeof(*v));
    const xmlNode *node;

    *n = 0;
    for (node = ir_xml_child(parent, name); v != NULL && node != NULL;
         node = ir_xml_next(node, name))
        v[(*n)++] = ir_build_text(b, node, NULL);
    return v;
}

void *ir_build_calloc(ir_build *b, size_t n, size_t size)
{
    void *p = n ? calloc(n, size) : NULL;

    if (n && p == NULL)
        b->nomem = true;
    return p;
}

void *ir_build_list(ir_build *b, const xmlNode *list, const char *name, size_t size, size_t *n,
                    ir_build_item_fn fn)
{
    char *items = ir_build_calloc(b, ir_xml_count(list, name), size);
    const xmlNode *node;

    for (node = ir_xml_child(list, name); items != NULL && node != NULL;
         node = ir_xml_next(node, name))
        fn(b, node, items + (*n)++ * size);
    return items;
}

static char *text_or(ir_build *b, const xmlNode *parent, const char *name, const char *dflt)
{
    char *s = ir_build_text(b, parent, name);

    return s != NULL ? s : ir_build_strdup(b, dflt);
}

static void build_keystore(ir_build *b, const xmlNode *node)
{
    ir_keystore_conf *k = &b->cfg->keystore;

    ir_build_line(b, k, node);
    k->module = text_or(b, node, "module", DEFAULT_PKCS11_MODULE);
    k->token_label = text_or(b, node, "token-label", DEFAULT_TOKEN_LABEL);
    k->pin_file = ir_build_text(b, node, "pin-file");
    k->so_pin_file = ir_build_text(b, node, "so-pin-file");
    k->softhsm_dir = ir_build_text(b, node, "softhsm-dir");
}

/* The schema allows only 0600 and 0660 (with or without the leading 0);
 * absent: 0, the journal's default. */
static unsigned journal_mode(const xmlNode *sqlite)
{
    char *s = sqlite != NULL ? ir_xml_attr(sqlite, "mode") : NULL;
    unsigned mode = s != NULL ? (unsigned)strtoul(s, NULL, 8) : 0;

    free(s);
    return mode;
}

static void build_journal(ir_build *b, const xmlNode *node)
{
    ir_journal_conf *j = &b->cfg->journal;
    const xmlNode *pg = ir_xml_child(node, "postgresql");

    ir_build_line(b, j, node);
    j->backend = pg ? IR_JOURNAL_POSTGRES : IR_JOURNAL_SQLITE;
    j->conninfo = ir_build_attr(b, pg, "conninfo");
    j->password_file = ir_build_attr(b, pg, "password-file");
    j->sslmode = ir_build_attr(b, pg, "sslmode");
    j->ca_file = ir_build_attr(b, pg, "ca-file");
    j->spool = ir_build_attr(b, pg, "spool");
    j->path = ir_build_attr(b, ir_xml_child(node, "sqlite"), "path");
    j->mode = journal_mode(ir_xml_child(node, "sqlite"));
}

/* node may be NULL: every setting then has its default. */
static void build_aws(ir_build *b, const xmlNode *node)
{
    ir_aws_conf *a = &b->cfg->aws;

    a->iot_signing_name = text_or(b, node, "signing-name", DEFAULT_SIGNING_NAME);
    a->connect_timeout_ms = ir_build_long(b, node, "connect-timeout-ms", 5000);
    a->request_timeout_ms = ir_build_long(b, node, "request-timeout-ms", 30000);
    a->max_attempts = (int)ir_build_long(b, node, "max-attempts", 8);
    a->max_retry_ms = ir_build_long(b, node, "max-retry-ms", 120000);
    a->ca_file = ir_build_text(b, node, "ca-file");
}

/* <metrics listen="..." textfile="..." textfile-seconds="..."/>: at least
 * one of listen and textfile (the schema cannot say "one or both"). */
static void build_metrics(ir_build *b, const xmlNode *node)
{
    ir_daemon_conf *d = &b->cfg->daemon;
    char *secs;

    d->metrics_textfile_seconds = 15;
    if (node == NULL)
        return;
    d->metrics_listen = ir_build_attr(b, node, "listen");
    d->metrics_textfile = ir_build_attr(b, node, "textfile");
    secs = ir_build_attr(b, node, "textfile-seconds");
    if (secs != NULL)
        d->metrics_textfile_seconds = strtol(secs, NULL, 10);
    free(secs);
    if (d->metrics_listen == NULL && d->metrics_textfile == NULL)
        ir_diag_add(b->diag, xmlGetLineNo((xmlNode *)node),
                    "<metrics> needs listen=\"127.0.0.1:9464\" (HTTP at /metrics), "
                    "textfile=\"PATH.prom\" (node_exporter's textfile collector), or both");
}

static void build_daemon(ir_build *b, const xmlNode *node)
{
    ir_daemon_conf *d = &b->cfg->daemon;

    d->concurrency = (int)ir_build_long(b, node, "concurrency", 64);
    d->poll_ms = ir_build_long(b, node, "poll-ms", 1000);
    d->syslog = ir_build_bool(b, node, "syslog", false);
    d->assume_role_seconds = (int)ir_build_long(b, node, "assume-role-seconds", 3600);
    d->role_check_seconds = ir_build_long(b, node, "role-check-seconds", 86400);
    d->worker_id = ir_build_text(b, node, "worker-id");
    d->lease_seconds = ir_build_long(b, node, "lease-seconds", 60);
    build_metrics(b, node != NULL ? ir_xml_child(node, "metrics") : NULL);
}

void ir_build_settings(ir_build *b, const xmlNode *root)
{
    build_keystore(b, ir_xml_child(root, "keystore"));
    build_journal(b, ir_xml_child(root, "journal"));
    build_aws(b, ir_xml_child(root, "aws"));
    build_daemon(b, ir_xml_child(root, "daemon"));
}
