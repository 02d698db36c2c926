/* The files a configuration names: secret files must be private to their
 * owner, SubCA certificates are loaded for attribution. What the programs
 * about to use a file insist on is files_required.c. */
#include "autoconf.h"

#include <errno.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_internal.h"
#include "core/secret.h"
#include "core/util.h"

#define CERT_MAX_BYTES (64u << 10)

bool ir_config_file_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 || errno != ENOENT;
}

/* Checks one secret file; a missing one is an error only when required. */
void ir_config_check_secret(const ir_config *cfg, ir_diag *d, const char *owner, const char *path,
                            bool required)
{
    ir_err err = {0};
    ir_rc rc;

    if (path == NULL || (!required && !ir_config_file_exists(path)))
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
    ir_config_check_secret(cfg, d, what, c->secret_file, required);
    snprintf(what, sizeof(what), "%s: credentials file", owner);
    ir_config_check_secret(cfg, d, what, c->profile_file, required);
}

void ir_config_check_credential_files(const ir_config *cfg, ir_diag *d, bool required)
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

    if (s->cert_file == NULL || !ir_config_file_exists(s->cert_file))
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

    ir_config_check_secret(cfg, d, "keystore pin-file", cfg->keystore.pin_file, false);
    ir_config_check_secret(cfg, d, "keystore so-pin-file", cfg->keystore.so_pin_file, false);
    ir_config_check_secret(cfg, d, "journal postgresql password-file", cfg->journal.password_file,
                           false);
    ir_config_check_credential_files(cfg, d, false);
    for (i = 0; i < cfg->n_subcas; i++)
        load_subca_cert(cfg, d, i);
    check_distinct_subcas(cfg, d);
}
