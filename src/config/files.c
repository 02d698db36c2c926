/* The files a configuration names: secret files must be private to their
 * owner, SubCA certificates are loaded for attribution, and the programs
 * about to use a file can insist that it exists. */
#include "autoconf.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_internal.h"
#include "core/secret.h"
#include "core/util.h"

/* AWS IoT policy documents are at most 2048 characters; whitespace may pad it. */
#define POLICY_MAX_BYTES (64u << 10)
#define CERT_MAX_BYTES   (64u << 10)

static bool exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 || errno != ENOENT;
}

/* Checks one secret file; a missing one is an error only when required. */
static void check_secret(const ir_config *cfg, ir_diag *d, const char *owner, const char *path,
                         bool required)
{
    ir_err err = {0};
    ir_rc rc;

    if (path == NULL || (!required && !exists(path)))
        return;
    rc = ir_secret_file_check(path, &err);
    if (rc == IR_ERR_NOT_FOUND)
        ir_diag_add_rc(d, rc, ir_config_line(cfg, path),
                       "%s %s does not exist; create it (mode 0600) with the secret", owner, path);
    else if (rc != IR_OK)
        ir_diag_add_rc(d, rc, ir_config_line(cfg, path), "%s: %s", owner, err.msg);
}

static void check_credential_files(const ir_config *cfg, ir_diag *d, const char *owner,
                                   const ir_credential_ref *c, bool required)
{
    char what[128];

    snprintf(what, sizeof(what), "%s: secret-file", owner);
    check_secret(cfg, d, what, c->secret_file, required);
    snprintf(what, sizeof(what), "%s: credentials file", owner);
    check_secret(cfg, d, what, c->profile_file, required);
}

static void check_all_credential_files(const ir_config *cfg, ir_diag *d, bool required)
{
    char owner[96];
    size_t i;

    for (i = 0; i < cfg->n_csp_accounts; i++) {
        snprintf(owner, sizeof(owner), "CSP account '%s'", cfg->csp_accounts[i].name);
        check_credential_files(cfg, d, owner, &cfg->csp_accounts[i].credentials, required);
    }
    for (i = 0; i < cfg->n_customers; i++) {
        if (!cfg->customers[i].has_credentials)
            continue;
        snprintf(owner, sizeof(owner), "customer '%s'", cfg->customers[i].id);
        check_credential_files(cfg, d, owner, &cfg->customers[i].credentials, required);
    }
}

static X509 *read_pem_cert(const char *path, ir_err *err)
{
    ir_buf raw;
    BIO *bio = NULL;
    X509 *cert = NULL;

    ir_buf_init(&raw, CERT_MAX_BYTES);
    if (ir_read_file(path, &raw, err) != IR_OK)
        goto out;
    bio = BIO_new_mem_buf(raw.data, (int)raw.len);
    cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    if (cert == NULL)
        ir_err_set(err, IR_ERR_PARSE, "%s holds no PEM certificate", path);
out:
    BIO_free(bio);
    ir_buf_free(&raw);
    return cert;
}

static void load_subca_cert(ir_config *cfg, ir_diag *d, size_t i)
{
    const ir_subca_conf *s = &cfg->subcas[i];
    ir_err err = {0};
    X509 *cert;

    if (s->cert_file == NULL || !exists(s->cert_file))
        return;
    cert = read_pem_cert(s->cert_file, &err);
    if (cert == NULL)
        ir_diag_add_rc(d, err.rc, ir_config_line(cfg, s->cert_file), "SubCA '%s': %s", s->name,
                       err.msg);
    ir_config_priv_of(cfg)->subca_certs[i] = cert;
}

static bool same_ca(X509 *a, X509 *b)
{
    return X509_NAME_cmp(X509_get_subject_name(a), X509_get_subject_name(b)) == 0 &&
           EVP_PKEY_eq(X509_get0_pubkey(a), X509_get0_pubkey(b)) == 1;
}

/* Two SubCAs with one name and key would make the issuer of a certificate
 * ambiguous. */
static void check_distinct_subcas(ir_config *cfg, ir_diag *d)
{
    X509 **certs = ir_config_priv_of(cfg)->subca_certs;
    size_t i, j;

    for (i = 0; i < cfg->n_subcas; i++)
        for (j = 0; certs[i] != NULL && j < i; j++)
            if (certs[j] != NULL && same_ca(certs[i], certs[j]))
                ir_diag_add(d, ir_config_line(cfg, &cfg->subcas[i]),
                            "SubCA '%s' has the same certificate subject and key as SubCA '%s' "
                            "(line %ld): attribution could not tell them apart",
                            cfg->subcas[i].name, cfg->subcas[j].name,
                            ir_config_line(cfg, &cfg->subcas[j]));
}

void ir_config_check_existing_files(ir_config *cfg, ir_diag *d)
{
    size_t i;

    check_secret(cfg, d, "keystore pin-file", cfg->keystore.pin_file, false);
    check_secret(cfg, d, "keystore so-pin-file", cfg->keystore.so_pin_file, false);
    check_all_credential_files(cfg, d, false);
    for (i = 0; i < cfg->n_subcas; i++)
        load_subca_cert(cfg, d, i);
    check_distinct_subcas(cfg, d);
}

static void require_so_pin(const ir_config *cfg, ir_diag *d)
{
    if (cfg->keystore.so_pin_file == NULL)
        ir_diag_add_rc(d, IR_ERR_NOT_FOUND, ir_config_line(cfg, &cfg->keystore),
                       "keystore: <so-pin-file> is not configured; initialising the token needs "
                       "the security officer PIN");
    check_secret(cfg, d, "keystore so-pin-file", cfg->keystore.so_pin_file, true);
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
        if (s->cert_file != NULL && certs[i] == NULL && !exists(s->cert_file))
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
        check_secret(cfg, &d, "keystore pin-file", cfg->keystore.pin_file, true);
    if (need & IR_CONFIG_NEED_SO_PIN)
        require_so_pin(cfg, &d);
    if (need & IR_CONFIG_NEED_MODULE)
        require_module(cfg, &d);
    if (need & IR_CONFIG_NEED_SECRETS)
        check_all_credential_files(cfg, &d, true);
    if (need & IR_CONFIG_NEED_CERTS)
        require_certs(cfg, &d);
    if (need & IR_CONFIG_NEED_POLICIES)
        require_policies(cfg, &d);
    return ir_diag_finish(&d, err);
}
