/* What the programs about to use the files a configuration names insist on
 * (ir_config_check_files): that they exist, that secrets are private, that
 * policy documents are JSON objects. Apart from files.c, which loading a
 * configuration needs, so that what only loads one (the provider) does not
 * link jansson. */
#include "autoconf.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "config/config_internal.h"
#include "core/util.h"

/* AWS IoT policy documents are at most 2048 characters; whitespace may pad it. */
#define POLICY_MAX_BYTES (64u << 10)

static void require_so_pin(const ir_config *cfg, ir_diag *d)
{
    if (cfg->keystore.so_pin_file == NULL)
        ir_diag_add_rc(d, IR_ERR_NOT_FOUND, ir_config_line(cfg, &cfg->keystore),
                       "keystore: <so-pin-file> is not configured; initialising the token needs "
                       "the security officer PIN");
    ir_config_check_secret(cfg, d, "keystore so-pin-file", cfg->keystore.so_pin_file, true);
}

static void require_module(const ir_config *cfg, ir_diag *d)
{
    if (access(cfg->keystore.module, R_OK) != 0)
        ir_diag_add_rc(d, IR_ERR_NOT_FOUND, ir_config_line(cfg, cfg->keystore.module),
                       "keystore: PKCS#11 module %s: %s", cfg->keystore.module, strerror(errno));
}

static void require_certs(const ir_config *cfg, ir_diag *d)
{
    X509 **certs = ir_config_priv_of(cfg)->subca_certs;
    const ir_subca_conf *s;
    size_t i;

    for (i = 0; i < cfg->n_subcas; i++) {
        s = &cfg->subcas[i];
        if (s->cert_file != NULL && certs[i] == NULL && !ir_config_file_exists(s->cert_file))
            ir_diag_add_rc(d, IR_ERR_NOT_FOUND, ir_config_line(cfg, s->cert_file),
                           "SubCA '%s': cert-file %s does not exist", s->name, s->cert_file);
    }
}

static void require_policy(const ir_config *cfg, ir_diag *d, const ir_customer_conf *c)
{
    const char *path = c->policy_document_file;
    ir_buf raw;
    ir_err err = {0};
    json_error_t jerr;
    json_t *doc = NULL;

    ir_buf_init(&raw, POLICY_MAX_BYTES);
    if (ir_read_file(path, &raw, &err) != IR_OK)
        ir_diag_add_rc(d, err.rc, ir_config_line(cfg, path), "customer '%s': policy: %s", c->id,
                       err.msg);
    else if ((doc = json_loadb((const char *)raw.data, raw.len, JSON_REJECT_DUPLICATES, &jerr)) ==
                 NULL ||
             !json_is_object(doc))
        ir_diag_add_rc(d, IR_ERR_PARSE, ir_config_line(cfg, path),
                       "customer '%s': policy document %s is not a JSON object%s%s", c->id, path,
                       doc ? "" : ": ", doc ? "" : jerr.text);
    json_decref(doc);
    ir_buf_free(&raw);
}

static void require_policies(const ir_config *cfg, ir_diag *d)
{
    size_t i;

    for (i = 0; i < cfg->n_customers; i++)
        if (cfg->customers[i].policy_document_file != NULL)
            require_policy(cfg, d, &cfg->customers[i]);
}

ir_rc ir_config_check_files(const ir_config *cfg, unsigned need, ir_config_diag_fn diag, void *ctx,
                            ir_err *err)
{
    ir_diag d;

    ir_diag_init(&d, cfg->path, diag, ctx);
    if (need & IR_CONFIG_NEED_PIN)
        ir_config_check_secret(cfg, &d, "keystore pin-file", cfg->keystore.pin_file, true);
    if (need & IR_CONFIG_NEED_SO_PIN)
        require_so_pin(cfg, &d);
    if (need & IR_CONFIG_NEED_MODULE)
        require_module(cfg, &d);
    if (need & IR_CONFIG_NEED_SECRETS)
        ir_config_check_credential_files(cfg, &d, true);
    if (need & IR_CONFIG_NEED_CERTS)
        require_certs(cfg, &d);
    if (need & IR_CONFIG_NEED_POLICIES)
        require_policies(cfg, &d);
    return ir_diag_finish(&d, err);
}
