/* The configuration's model once built: the line each item came from, the
 * lookups by name, the SubCAs' certificates, and freeing it all. */
#include "autoconf.h"

#include <regex.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

/* --- where each item is defined ------------------------------------------ */

ir_config_priv *ir_config_priv_of(const ir_config *cfg)
{
    return cfg->priv;
}

bool ir_config_note_line(ir_config *cfg, const void *item, long line)
{
    ir_config_priv *p = cfg->priv;
    ir_origin *grown;
    size_t cap;

    if (p->n_origins == p->cap_origins) {
        cap = p->cap_origins ? 2 * p->cap_origins : 64;
        grown = realloc(p->origins, cap * sizeof(*grown));
        if (grown == NULL)
            return false;
        p->origins = grown;
        p->cap_origins = cap;
    }
    p->origins[p->n_origins++] = (ir_origin){item, line};
    p->origins_sorted = false;
    return true;
}

static int origin_cmp(const void *a, const void *b)
{
    const char *x = ((const ir_origin *)a)->item, *y = ((const ir_origin *)b)->item;

    return (x > y) - (x < y);
}

void ir_config_sort_lines(ir_config *cfg)
{
    ir_config_priv *p = cfg->priv;

    qsort(p->origins, p->n_origins, sizeof(*p->origins), origin_cmp);
    p->origins_sorted = true;
}

long ir_config_line(const ir_config *cfg, const void *item)
{
    const ir_config_priv *p = cfg ? cfg->priv : NULL;
    ir_origin key = {item, 0};
    const ir_origin *found;
    size_t i;

    if (p == NULL || item == NULL)
        return 0;
    if (p->origins_sorted) {
        found = bsearch(&key, p->origins, p->n_origins, sizeof(key), origin_cmp);
        return found ? found->line : 0;
    }
    for (i = 0; i < p->n_origins; i++)
        if (p->origins[i].item == item)
            return p->origins[i].line;
    return 0;
}

/* --- freeing ------------------------------------------------------------- */

void ir_credential_ref_free(ir_credential_ref *c)
{
    free(c->keystore_name);
    free(c->access_key_id);
    free(c->secret_file);
    free(c->profile);
    free(c->profile_file);
}

void ir_match_free(ir_match *m)
{
    free(m->value);
    free(m->oid);
    if (m->regex != NULL)
        regfree(m->regex);
    free(m->regex);
}

static void free_settings(ir_config *cfg)
{
    free(cfg->keystore.module);
    free(cfg->keystore.token_label);
    free(cfg->keystore.pin_file);
    free(cfg->keystore.so_pin_file);
    free(cfg->keystore.softhsm_dir);
    free(cfg->journal.path);
    free(cfg->journal.conninfo);
    free(cfg->journal.password_file);
    free(cfg->journal.sslmode);
    free(cfg->journal.ca_file);
    free(cfg->journal.spool);
    free(cfg->aws.iot_signing_name);
    free(cfg->aws.ca_file);
    free(cfg->daemon.metrics_listen);
    free(cfg->daemon.metrics_textfile);
    free(cfg->daemon.worker_id);
}

static void free_texts(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_csp_accounts(ir_config *cfg)
{
    size_t i;
    ir_csp_account *a;

    for (i = 0; i < cfg->n_csp_accounts; i++) {
        a = &cfg->csp_accounts[i];
        free(a->name);
        free(a->account_id);
        free_texts(a->regions, a->n_regions);
        ir_credential_ref_free(&a->credentials);
        free(a->endpoint);
    }
    free(cfg->csp_accounts);
}

static void free_subcas(ir_config *cfg)
{
    ir_config_priv *p = cfg->priv;
    size_t i;

    for (i = 0; i < cfg->n_subcas; i++) {
        free(cfg->subcas[i].name);
        free(cfg->subcas[i].key_uri);
        free(cfg->subcas[i].cert_file);
        free_texts(cfg->subcas[i].csp_accounts, cfg->subcas[i].n_csp_accounts);
        if (p != NULL && p->subca_certs != NULL)
            X509_free(p->subca_certs[i]);
    }
    free(cfg->subcas);
}

static void free_customer(ir_customer_conf *c)
{
    free(c->id);
    free(c->account_id);
    free(c->region);
    free(c->role_arn);
    free(c->external_id);
    ir_credential_ref_free(&c->credentials);
    free(c->policy_name);
    free(c->policy_document_file);
    free(c->thing_name_template);
    free(c->thing_group);
    free(c->endpoint);
}

static void free_rules_and_quotas(ir_config *cfg)
{
    size_t i, j;

    for (i = 0; i < cfg->n_rules; i++) {
        for (j = 0; j < cfg->rules[i].n_matches; j++)
            ir_match_free(&cfg->rules[i].matches[j]);
        free(cfg->rules[i].matches);
        free(cfg->rules[i].customer);
    }
    free(cfg->rules);
    for (i = 0; i < cfg->n_quotas; i++) {
        free(cfg->quotas[i].api);
        free(cfg->quotas[i].account_id);
    }
    free(cfg->quotas);
}

void ir_config_free(ir_config *cfg)
{
    ir_config_priv *p;
    size_t i;

    if (cfg == NULL)
        return;
    p = cfg->priv;
    free_settings(cfg);
    free_csp_accounts(cfg);
    free_subcas(cfg);
    for (i = 0; i < cfg->n_customers; i++)
        free_customer(&cfg->customers[i]);
    free(cfg->customers);
    free_rules_and_quotas(cfg);
    if (p != NULL) {
        free(p->subca_certs);
        free(p->origins);
    }
    free(p);
    free(cfg->path);
    free(cfg);
}

/* --- lookups --------------------------------------------------------------- */

/* The first of n items (stride bytes apart) whose name, the string at
 * name_offset in each, is name. */
static const void *find_named(const void *items, size_t n, size_t stride, size_t name_offset,
                              const char *name)
{
    const char *item;
    const char *item_name;
    size_t i;

    for (i = 0; items != NULL && name != NULL && i < n; i++) {
        item = (const char *)items + i * stride;
        memcpy(&item_name, item + name_offset, sizeof(item_name));
        if (item_name != NULL && strcmp(item_name, name) == 0)
            return item;
    }
    return NULL;
}

const ir_customer_conf *ir_config_customer(const ir_config *cfg, const char *id)
{
    return cfg == NULL ? NULL
                       : find_named(cfg->customers, cfg->n_customers, sizeof(ir_customer_conf),
                                    offsetof(ir_customer_conf, id), id);
}

const ir_subca_conf *ir_config_subca(const ir_config *cfg, const char *name)
{
    return cfg == NULL ? NULL
                       : find_named(cfg->subcas, cfg->n_subcas, sizeof(ir_subca_conf),
                                    offsetof(ir_subca_conf, name), name);
}

const ir_csp_account *ir_config_csp_account(const ir_config *cfg, const char *name)
{
    return cfg == NULL ? NULL
                       : find_named(cfg->csp_accounts, cfg->n_csp_accounts, sizeof(ir_csp_account),
                                    offsetof(ir_csp_account, name), name);
}

/* --- the SubCAs' certificates ----------------------------------------------- */

static size_t subca_index(const ir_config *cfg, const ir_subca_conf *subca)
{
    return (size_t)(subca - cfg->subcas);
}

X509 *ir_config_subca_cert(const ir_config *cfg, const ir_subca_conf *subca)
{
    const ir_config_priv *p = ir_config_priv_of(cfg);

    if (subca == NULL || subca_index(cfg, subca) >= cfg->n_subcas)
        return NULL;
    return p->subca_certs[subca_index(cfg, subca)];
}

ir_rc ir_config_set_subca_cert(ir_config *cfg, const ir_subca_conf *subca, X509 *cert, ir_err *err)
{
    X509 **slot;

    if (subca == NULL || subca_index(cfg, subca) >= cfg->n_subcas || cert == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "no such SubCA, or no certificate");
    if (!X509_up_ref(cert))
        return ir_err_set(err, IR_ERR_CRYPTO, "cannot reference the SubCA certificate");
    slot = &ir_config_priv_of(cfg)->subca_certs[subca_index(cfg, subca)];
    X509_free(*slot);
    *slot = cert;
    return IR_OK;
}

bool ir_csp_account_serves(const ir_csp_account *a, const char *region)
{
    size_t i;

    for (i = 0; region != NULL && i < a->n_regions; i++)
        if (strcmp(a->regions[i], region) == 0)
            return true;
    return false;
}
