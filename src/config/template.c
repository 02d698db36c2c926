/* Thing name templates. */
#include <config.h> /* autoconf's; "config.h" would find config/config.h */

#include <stdlib.h>
#include <string.h>

#include "config/certfields.h"
#include "config/template.h"
#include "core/buf.h"
#include "core/util.h"

#define VAR_NAME_MAX 32
/* Room for the raw expansion before sanitising and cutting to 128. */
#define EXPANSION_MAX 8192

typedef struct expand_ctx {
    X509 *cert;
    const char *certid; /* 64 hex digits */
    const char *customer;
} expand_ctx;

typedef ir_rc (*var_fn)(const expand_ctx *x, ir_buf *out, ir_err *err);

static ir_rc subject_value(const expand_ctx *x, int nid, const char *label, ir_buf *out,
                           ir_err *err)
{
    char *v = ir_cert_subject_first(x->cert, nid);
    ir_rc rc;

    if (v == NULL)
        return ir_err_set(err, IR_ERR_NOT_FOUND,
                          "the certificate has no subject %s, which the thing name template "
                          "uses (${subject.%s})",
                          label, label);
    rc = ir_buf_append_str(out, v, err);
    free(v);
    return rc;
}

static ir_rc var_cn(const expand_ctx *x, ir_buf *out, ir_err *err)
{
    return subject_value(x, NID_commonName, "CN", out, err);
}

static ir_rc var_o(const expand_ctx *x, ir_buf *out, ir_err *err)
{
    return subject_value(x, NID_organizationName, "O", out, err);
}

static ir_rc var_ou(const expand_ctx *x, ir_buf *out, ir_err *err)
{
    return subject_value(x, NID_organizationalUnitName, "OU", out, err);
}

static ir_rc var_serial(const expand_ctx *x, ir_buf *out, ir_err *err)
{
    char hex[2 * 64 + 2];
    ir_rc rc = ir_cert_serial_hex(x->cert, hex, sizeof(hex), err);

    return rc != IR_OK ? rc : ir_buf_append_str(out, hex, err);
}

static ir_rc var_certid(const expand_ctx *x, ir_buf *out, ir_err *err)
{
    return ir_buf_append_str(out, x->certid, err);
}

static ir_rc var_certid8(const expand_ctx *x, ir_buf *out, ir_err *err)
{
    return ir_buf_append(out, x->certid, 8, err);
}

static ir_rc var_customer(const expand_ctx *x, ir_buf *out, ir_err *err)
{
    if (x->customer == NULL || x->customer[0] == '\0')
        return ir_err_set(err, IR_ERR_INVALID_ARG, "${customer} used without a customer");
    return ir_buf_append_str(out, x->customer, err);
}

static ir_rc var_san_dns(const expand_ctx *x, ir_buf *out, ir_err *err)
{
    char *v = ir_cert_san_first(x->cert, IR_SAN_DNS);
    ir_rc rc;

    if (v == NULL)
        return ir_err_set(err, IR_ERR_NOT_FOUND,
                          "the certificate has no DNS subjectAltName, which the thing name "
                          "template uses (${san.dns})");
    rc = ir_buf_append_str(out, v, err);
    free(v);
    return rc;
}

typedef struct variable {
    const char *name;
    var_fn fn;
} variable;

static const variable variables[] = {
    {"subject.CN", var_cn},     {"subject.O", var_o},     {"subject.OU", var_ou},
    {"serial", var_serial},     {"certid", var_certid},   {"certid8", var_certid8},
    {"customer", var_customer}, {"san.dns", var_san_dns}, {NULL, NULL},
};

#define VARIABLE_LIST                                                                              \
    "${subject.CN}, ${subject.O}, ${subject.OU}, ${serial}, ${certid}, ${certid8}, "               \
    "${customer}, ${san.dns}"

static const variable *find_variable(const char *name, size_t len)
{
    const variable *v;

    for (v = variables; v->name != NULL; v++)
        if (strlen(v->name) == len && strncmp(v->name, name, len) == 0)
            return v;
    return NULL;
}

/* At p (just after "${"), the variable up to its '}'; *next follows it. */
static ir_rc parse_variable(const char *p, const variable **var, const char **next, ir_err *err)
{
    const char *end = strchr(p, '}');

    if (end == NULL)
        return ir_err_set(err, IR_ERR_CONFIG, "'${%.*s' is not closed by '}'", VAR_NAME_MAX, p);
    *var = find_variable(p, (size_t)(end - p));
    if (*var == NULL)
        return ir_err_set(err, IR_ERR_CONFIG, "unknown variable '${%.*s}' (known: %s)",
                          (int)(end - p) > VAR_NAME_MAX ? VAR_NAME_MAX : (int)(end - p), p,
                          VARIABLE_LIST);
    *next = end + 1;
    return IR_OK;
}

/* Walks tmpl: literal text is appended to out, variables expanded by x
 * (when x is NULL, only the syntax is checked). */
static ir_rc walk(const char *tmpl, const expand_ctx *x, ir_buf *out, ir_err *err)
{
    const char *p = tmpl;
    const variable *var = NULL;
    ir_rc rc = IR_OK;

    while (rc == IR_OK && *p != '\0') {
        if (p[0] != '$' || p[1] != '{') {
            rc = x ? ir_buf_append(out, p, 1, err) : IR_OK;
            p++;
            continue;
        }
        rc = parse_variable(p + 2, &var, &p, err);
        if (rc == IR_OK && x != NULL)
            rc = var->fn(x, out, err);
    }
    return rc;
}

ir_rc ir_template_check(const char *tmpl, ir_err *err)
{
    if (tmpl == NULL || tmpl[0] == '\0')
        return ir_err_set(err, IR_ERR_CONFIG, "the thing name template is empty");
    return walk(tmpl, NULL, NULL, err);
}

static bool is_thing_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
           c == '_' || c == '-';
}

/* One '_' per character outside the charset: UTF-8 continuation bytes
 * belong to the character before them. */
static void sanitise(const char *raw, char out[IR_THING_NAME_MAX + 1])
{
    const unsigned char *r = (const unsigned char *)raw;
    size_t n = 0;

    for (; *r != '\0' && n < IR_THING_NAME_MAX; r++) {
        if ((*r & 0xC0) == 0x80)
            continue;
        out[n++] = is_thing_char(*r) ? (char)*r : '_';
    }
    out[n] = '\0';
}

ir_rc ir_template_expand(const char *tmpl, X509 *cert, const unsigned char *der, size_t der_len,
                         const char *customer, char out[IR_THING_NAME_MAX + 1], ir_err *err)
{
    char certid[IR_SHA256_HEX_LEN + 1];
    unsigned char *own_der = NULL;
    expand_ctx x = {.cert = cert, .certid = certid, .customer = customer};
    ir_buf raw;
    int n;
    ir_rc rc;

    out[0] = '\0';
    if (der == NULL) {
        n = i2d_X509(cert, &own_der);
        if (n <= 0)
            return ir_err_set(err, IR_ERR_CRYPTO, "cannot encode the certificate");
        der = own_der;
        der_len = (size_t)n;
    }
    rc = ir_sha256_hex(der, der_len, certid, err);
    OPENSSL_free(own_der);
    if (rc != IR_OK)
        return rc;
    ir_buf_init(&raw, EXPANSION_MAX);
    rc = walk(tmpl, &x, &raw, err);
    if (rc == IR_OK)
        sanitise(ir_buf_cstr(&raw), out);
    ir_buf_free(&raw);
    if (rc == IR_OK && out[0] == '\0')
        rc = ir_err_set(err, IR_ERR_INVALID_ARG, "the thing name template '%s' expands to nothing",
                        tmpl);
    return rc;
}

ir_rc ir_template_expand_der(const char *tmpl, const unsigned char *der, size_t der_len,
                             const char *customer, char out[IR_THING_NAME_MAX + 1], ir_err *err)
{
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)der_len);
    ir_rc rc;

    out[0] = '\0';
    if (cert == NULL || p != der + der_len) {
        X509_free(cert);
        return ir_err_set(err, IR_ERR_PARSE, "the certificate is not valid DER");
    }
    rc = ir_template_expand(tmpl, cert, der, der_len, customer, out, err);
    X509_free(cert);
    return rc;
}
