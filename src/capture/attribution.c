/* Attribution of certificates to customers. */
#include "autoconf.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/attribution.h"
#include "capture/certfields.h"

/* --- the issuing SubCA ------------------------------------------------------ */

static bool issued_by(X509 *issuer, X509 *cert)
{
    EVP_PKEY *key = X509_get0_pubkey(issuer);

    return X509_check_issued(issuer, cert) == X509_V_OK && key != NULL &&
           X509_verify(cert, key) == 1;
}

ir_rc ir_find_issuing_subca(const ir_config *cfg, X509 *cert, const ir_subca_conf **out,
                            ir_err *err)
{
    X509 *ca;
    size_t i;

    *out = NULL;
    if (cert == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "no certificate");
    for (i = 0; i < cfg->n_subcas; i++)
        if ((ca = ir_config_subca_cert(cfg, &cfg->subcas[i])) != NULL && issued_by(ca, cert)) {
            *out = &cfg->subcas[i];
            break;
        }
    ERR_clear_error();
    return IR_OK;
}

/* --- matching --------------------------------------------------------------- */

static bool value_matches(const ir_match *m, const char *value)
{
    if (value == NULL || m->value == NULL)
        return false;
    switch (m->kind) {
    case IR_MATCH_EXACT:
        return strcmp(value, m->value) == 0;
    case IR_MATCH_PREFIX:
        return strncmp(value, m->value, strlen(m->value)) == 0;
    case IR_MATCH_REGEX:
        return m->regex != NULL && regexec(m->regex, value, 0, NULL, 0) == 0;
    }
    return false;
}

bool ir_match_value(const ir_match *m, const char *value)
{
    return value_matches(m, value);
}

static bool value_matches_cb(void *ctx, const char *value)
{
    return value_matches(ctx, value);
}

static bool extension_matches(const ir_match *m, X509 *cert)
{
    char *text = NULL;
    bool holds;

    if (ir_cert_extension_text(cert, m->oid, &text, NULL) != IR_OK)
        return false;
    holds = value_matches(m, text);
    free(text);
    return holds;
}

typedef struct subject {
    X509 *cert;
    const ir_cert_meta *meta;
    const char *subca; /* the issuing SubCA's name, NULL when unknown */
} subject;

static int subject_nid(ir_match_field field)
{
    return field == IR_MATCH_SUBJECT_O    ? NID_organizationName
           : field == IR_MATCH_SUBJECT_OU ? NID_organizationalUnitName
                                          : NID_commonName;
}

static bool match_holds(const ir_match *m, const subject *s)
{
    ir_match *mm = (ir_match *)m;

    switch (m->field) {
    case IR_MATCH_SUBCA:
        return value_matches(m, s->subca);
    case IR_MATCH_SUBJECT_O:
    case IR_MATCH_SUBJECT_OU:
    case IR_MATCH_SUBJECT_CN:
        return ir_cert_subject_each(s->cert, subject_nid(m->field), value_matches_cb, mm);
    case IR_MATCH_SAN:
        return ir_cert_san_each(s->cert, m->san_type, value_matches_cb, mm);
    case IR_MATCH_EXTENSION:
        return extension_matches(m, s->cert);
    case IR_MATCH_END_ENTITY:
        return s->meta != NULL && value_matches(m, s->meta->end_entity);
    case IR_MATCH_PROFILE:
        return s->meta != NULL && value_matches(m, s->meta->profile);
    }
    return false;
}

static bool rule_holds(const ir_rule *r, const subject *s)
{
    size_t i;

    for (i = 0; i < r->n_matches; i++)
        if (!match_holds(&r->matches[i], s))
            return false;
    return r->n_matches > 0;
}

/* --- the verdict ------------------------------------------------------------ */

static void reason(ir_attribution *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reason(ir_attribution *out, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
    va_end(ap);
}

static void append_reason(ir_attribution *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void append_reason(ir_attribution *out, const char *fmt, ...)
{
    size_t used = strlen(out->reason);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(out->reason + used, sizeof(out->reason) - used, fmt, ap);
    va_end(ap);
}

/* first_rule[i]: the first rule that holds for customer i, or NULL. */
static size_t collect_candidates(const ir_config *cfg, const subject *s, const ir_rule **first_rule)
{
    const ir_customer_conf *c;
    size_t i, idx, distinct = 0;

    for (i = 0; i < cfg->n_rules; i++) {
        if (!rule_holds(&cfg->rules[i], s))
            continue;
        c = ir_config_customer(cfg, cfg->rules[i].customer);
        if (c == NULL)
            continue;
        idx = (size_t)(c - cfg->customers);
        if (first_rule[idx] != NULL)
            continue;
        first_rule[idx] = &cfg->rules[i];
        distinct++;
    }
    return distinct;
}

static void explain_none(const ir_config *cfg, const subject *s, ir_attribution *out)
{
    char name[160];

    X509_NAME_oneline(X509_get_subject_name(s->cert), name, sizeof(name));
    if (cfg->n_rules == 0)
        reason(out, "unattributed: no attribution rules are configured");
    else
        reason(out,
               "unattributed: none of the %zu attribution rules matches (subject %s, SubCA %s)",
               cfg->n_rules, name, s->subca ? s->subca : "unknown");
}

static void explain_many(const ir_config *cfg, size_t distinct, const ir_rule **first_rule,
                         ir_attribution *out)
{
    size_t i;
    const char *sep = "";

    reason(out, "unattributed: %zu customers match:", distinct);
    for (i = 0; i < cfg->n_customers; i++) {
        if (first_rule[i] == NULL)
            continue;
        append_reason(out, "%s '%s' (rule at line %ld)", sep[0] ? sep : " ", cfg->customers[i].id,
                      ir_config_line(cfg, first_rule[i]));
        sep = ", ";
    }
}

static ir_rc decide(const ir_config *cfg, const subject *s, ir_attribution *out, ir_err *err)
{
    const ir_rule **first_rule =
        calloc(cfg->n_customers ? cfg->n_customers : 1, sizeof(*first_rule));
    size_t i, distinct;

    if (first_rule == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory attributing a certificate");
    distinct = collect_candidates(cfg, s, first_rule);
    if (distinct == 0)
        explain_none(cfg, s, out);
    else if (distinct > 1)
        explain_many(cfg, distinct, first_rule, out);
    for (i = 0; distinct == 1 && i < cfg->n_customers; i++)
        if (first_rule[i] != NULL) {
            out->customer = &cfg->customers[i];
            reason(out, "customer '%s' by the rule at line %ld", out->customer->id,
                   ir_config_line(cfg, first_rule[i]));
        }
    free(first_rule);
    return IR_OK;
}

/* The issuing SubCA: the certificate's own evidence wins; the CA's word is
 * taken only for SubCAs whose certificate is unknown. False on a conflict. */
static bool identify_subca(const ir_config *cfg, X509 *cert, const ir_cert_meta *meta,
                           ir_attribution *out)
{
    const char *said = meta ? meta->subca : NULL;
    const ir_subca_conf *named = ir_config_subca(cfg, said);

    ir_find_issuing_subca(cfg, cert, &out->subca, NULL);
    if (out->subca != NULL && said != NULL && strcmp(said, out->subca->name) != 0) {
        reason(out,
               "unattributed: the CA names SubCA '%s' but the certificate was issued by SubCA '%s'",
               said, out->subca->name);
        return false;
    }
    if (out->subca == NULL && named != NULL && ir_config_subca_cert(cfg, named) != NULL) {
        reason(out,
               "unattributed: the CA names SubCA '%s' but the certificate was not issued by its "
               "certificate",
               said);
        return false;
    }
    if (out->subca == NULL)
        out->subca = named;
    return true;
}

ir_rc ir_attribute_x509(const ir_config *cfg, X509 *cert, const ir_cert_meta *meta,
                        ir_attribution *out, ir_err *err)
{
    subject s = {.cert = cert, .meta = meta};

    memset(out, 0, sizeof(*out));
    if (cfg == NULL || cert == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "attribution needs a configuration and a certificate");
    if (!identify_subca(cfg, cert, meta, out)) {
        out->subca = NULL;
        return IR_OK;
    }
    s.subca = out->subca ? out->subca->name : NULL;
    return decide(cfg, &s, out, err);
}

ir_rc ir_attribute(const ir_config *cfg, const unsigned char *der, size_t der_len,
                   const ir_cert_meta *meta, ir_attribution *out, ir_err *err)
{
    const unsigned char *p = der;
    X509 *cert = der ? d2i_X509(NULL, &p, (long)der_len) : NULL;
    ir_rc rc;

    memset(out, 0, sizeof(*out));
    if (cert == NULL || p != der + der_len) {
        X509_free(cert);
        ERR_clear_error();
        return ir_err_set(err, IR_ERR_PARSE, "the certificate (%zu bytes) is not valid DER",
                          der_len);
    }
    rc = ir_attribute_x509(cfg, cert, meta, out, err);
    X509_free(cert);
    return rc;
}
