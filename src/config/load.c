/* Loading the configuration: the one pipeline every program uses. Reads the
 * file (or takes the text) and validates it against the XSD (xmlread.c),
 * builds the model (build*.c), then checks what the XSD cannot (validate.c,
 * files.c); every problem goes through diag.c. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

const char *ir_config_resolve_path(const char *path)
{
    const char *env;

    if (path != NULL && path[0] != '\0')
        return path;
    env = getenv("IOTREG_CONF");
    if (env != NULL && env[0] != '\0')
        return env;
    return IR_CONFIG_DEFAULT_PATH;
}

static ir_config *config_new(const char *path)
{
    ir_config *cfg = calloc(1, sizeof(*cfg));

    if (cfg == NULL)
        return NULL;
    cfg->path = strdup(path);
    cfg->priv = calloc(1, sizeof(ir_config_priv));
    if (cfg->path == NULL || cfg->priv == NULL) {
        ir_config_free(cfg);
        return NULL;
    }
    return cfg;
}

static bool alloc_subca_certs(ir_config *cfg)
{
    ir_config_priv *p = cfg->priv;

    p->subca_certs = calloc(cfg->n_subcas ? cfg->n_subcas : 1, sizeof(X509 *));
    return p->subca_certs != NULL;
}

/* False only when out of memory: a problem with a value (a regular
 * expression that does not compile) still lets the other checks run. */
static bool build(ir_config *cfg, const xmlNode *root, ir_diag *d)
{
    ir_build b = {.cfg = cfg, .diag = d};

    ir_build_settings(&b, root);
    ir_build_csp_accounts(&b, root);
    ir_build_subcas(&b, root);
    ir_build_customers(&b, root);
    ir_build_rules(&b, root);
    ir_build_quotas(&b, root);
    if (!b.nomem && alloc_subca_certs(cfg))
        return true;
    ir_diag_add_rc(d, IR_ERR_NOMEM, 0, "out of memory building the configuration");
    return false;
}

/* The model built from a valid document and checked for what the XSD
 * cannot say; NULL when out of memory. */
static ir_config *from_doc(const char *name, xmlDoc *doc, ir_diag *d)
{
    ir_config *cfg = config_new(name);

    if (cfg == NULL) {
        ir_diag_add_rc(d, IR_ERR_NOMEM, 0, "out of memory loading the configuration");
        return NULL;
    }
    if (!build(cfg, xmlDocGetRootElement(doc), d))
        return cfg;
    ir_config_sort_lines(cfg);
    ir_config_validate(cfg, d);
    ir_config_check_existing_files(cfg, d);
    return cfg;
}

/* text parsed, validated, built and checked; the problems go to d. */
static ir_config *from_text(const ir_config_schema *schema, const void *text, size_t len,
                            const char *name, ir_diag *d)
{
    xmlDoc *doc = NULL;
    ir_config *cfg = NULL;

    if (ir_config_parse_xml(schema, text, len, &doc, d) == IR_OK)
        cfg = from_doc(name, doc, d);
    xmlFreeDoc(doc);
    return cfg;
}

/* cfg when nothing was reported, else the problems in err and cfg freed. */
static ir_rc finish(ir_diag *d, ir_config *cfg, ir_config **out, ir_err *err)
{
    ir_rc rc = ir_diag_finish(d, err);

    if (rc == IR_OK)
        *out = cfg;
    else
        ir_config_free(cfg);
    return rc;
}

ir_rc ir_config_load_diag(const char *path, ir_config **out, ir_config_diag_fn diag, void *ctx,
                          ir_err *err)
{
    ir_diag d;
    ir_buf raw;
    ir_config *cfg = NULL;

    *out = NULL;
    path = ir_config_resolve_path(path);
    ir_diag_init(&d, path, diag, ctx);
    ir_buf_init(&raw, IR_CONFIG_MAX_BYTES);
    if (ir_config_read_file(path, &raw, &d))
        cfg = from_text(NULL, raw.data, raw.len, path, &d);
    ir_buf_free(&raw);
    return finish(&d, cfg, out, err);
}

ir_rc ir_config_load_mem(const ir_config_schema *schema, const void *text, size_t len,
                         const char *name, ir_config **out, ir_config_diag_fn diag, void *ctx,
                         ir_err *err)
{
    ir_diag d;
    ir_config *cfg = NULL;

    *out = NULL;
    if (name == NULL)
        name = "(configuration in memory)";
    ir_diag_init(&d, name, diag, ctx);
    if (ir_config_check_text(text, len, &d))
        cfg = from_text(schema, text, len, name, &d);
    return finish(&d, cfg, out, err);
}

ir_rc ir_config_load(const char *path, ir_config **out, ir_err *err)
{
    return ir_config_load_diag(path, out, NULL, NULL, err);
}
