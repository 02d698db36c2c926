#include "autoconf.h"

#include "app/subca_certs.h"

#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "app/settings.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/pem.h"
#include "keystore/keystore.h"
#include "keystore/uri.h"

#define SUBCA_CERT_MAX (64 * 1024)

const char *ir_subca_key_label(const ir_subca_conf *s, ir_ks_uri *uri)
{
    if (s->key_uri != NULL && ir_ks_uri_parse(s->key_uri, uri, NULL) == IR_OK)
        return uri->object;
    return s->name;
}

static size_t missing_certs(const ir_config *cfg)
{
    size_t i, n = 0;

    for (i = 0; i < cfg->n_subcas; i++)
        n += ir_config_subca_cert(cfg, &cfg->subcas[i]) == NULL;
    return n;
}

static ir_rc read_one(ir_config *cfg, ir_keystore *ks, const ir_subca_conf *s, ir_err *err)
{
    const unsigned char *p;
    ir_ks_uri uri;
    ir_buf der;
    X509 *x = NULL;
    ir_rc rc;

    ir_buf_init(&der, SUBCA_CERT_MAX);
    rc = ir_ks_read_cert(ks, ir_subca_key_label(s, &uri), &der, err);
    if (rc == IR_OK) {
        p = der.data;
        x = d2i_X509(NULL, &p, (long)der.len);
        rc = x != NULL ? ir_config_set_subca_cert(cfg, s, x, err)
                       : ir_err_set(err, IR_ERR_PARSE,
                                    "the keystore's certificate of SubCA %s "
                                    "does not parse",
                                    s->name);
    }
    X509_free(x);
    ir_buf_free(&der);
    return rc;
}

/* One SubCA whose certificate cannot be read does not keep the others'
 * from being read: the first failure is reported. */
ir_rc ir_subca_certs_read(ir_config *cfg, ir_keystore *ks, ir_err *err)
{
    ir_err one;
    size_t i;
    ir_rc rc = IR_OK, rc1;

    for (i = 0; i < cfg->n_subcas; i++) {
        if (ir_config_subca_cert(cfg, &cfg->subcas[i]) != NULL)
            continue;
        ir_err_clear(&one);
        rc1 = read_one(cfg, ks, &cfg->subcas[i], &one);
        if (rc1 != IR_OK && rc == IR_OK) {
            rc = rc1;
            if (err != NULL)
                *err = one;
        }
    }
    return rc;
}

ir_rc ir_subca_certs_from_keystore(ir_config *cfg, ir_err *err)
{
    ir_keystore_opts o;
    ir_keystore *ks = NULL;
    ir_rc rc;

    if (missing_certs(cfg) == 0)
        return IR_OK;
    ir_ks_opts_from_config(cfg, &o);
    rc = ir_keystore_open(&o, &ks, err);
    if (rc == IR_OK)
        rc = ir_keystore_login(ks, NULL, NULL, err);
    if (rc == IR_OK)
        rc = ir_subca_certs_read(cfg, ks, err);
    ir_keystore_close(ks);
    return rc;
}

ir_rc ir_subca_cert_needed(const ir_config *cfg, const char *named, const char *why, ir_err *err)
{
    const ir_subca_conf *s = named != NULL ? ir_config_subca(cfg, named) : NULL;

    if (s == NULL || ir_config_subca_cert(cfg, s) != NULL)
        return IR_OK;
    return ir_err_set(err, IR_ERR_CONFIG,
                      "SubCA %s has no <cert-file> and its certificate could not be read from the "
                      "keystore (%s), so the signature of a certificate it issued cannot be "
                      "checked: refused, nothing was journaled. Fix the keystore, or give the "
                      "SubCA a <cert-file>, then start again",
                      s->name, why != NULL && why[0] != '\0' ? why : "not found there");
}

ir_rc ir_subca_cert_pem(const ir_config *cfg, const ir_subca_conf *subca, char **pem, ir_err *err)
{
    X509 *x = ir_config_subca_cert(cfg, subca);

    if (x == NULL)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "the certificate of SubCA %s is unknown: configure <cert-file>, or "
                          "store it in the keystore under its key's label",
                          subca->name);
    *pem = ir_x509_to_pem(x);
    return *pem != NULL ? IR_OK
                        : ir_err_set(err, IR_ERR_CRYPTO, "cannot encode SubCA %s's certificate",
                                     subca->name);
}
