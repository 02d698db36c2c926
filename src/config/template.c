/* Thing name templates. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "config/certfields.h"
#include "config/template.h"
#include "core/buf.h"
#include "core/util.h"

#define VAR_NAME_MAX 32
/* Room for one variable's value and for the escaped name (a value escaped
 * takes up to three times its length); longer is refused as too long. */
#define EXPANSION_MAX 8192
#define TMPL_QUOTE    "%.64s%s" /* the template in messages, at most 64 chars */
#define TMPL_ARGS(t)  (t), strlen(t) > 64 ? "..." : ""

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

/* Characters that stand for themselves in a thing name. ':' is also allowed
 * by AWS but is the escape, so it never stands for itself. */
static bool is_plain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* Appends v: plain characters as they are, every other byte (':' included)
 * as ':' and two upper-case hex digits. Injective, because ':' in the output
 * only ever starts an escape: distinct values give distinct names. */
static ir_rc append_escaped(ir_buf *out, const char *v, ir_err *err)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)v;
    ir_rc rc = IR_OK;

    for (; *p != '\0' && rc == IR_OK; p++) {
        char esc[3] = {':', hex[*p >> 4], hex[*p & 0x0F]};

        rc = is_plain_char(*p) ? ir_buf_append(out, p, 1, err) : ir_buf_append(out, esc, 3, err);
    }
    return rc;
}

/* Literal text is the operator's and is not escaped, so it must already be
 * plain: a literal ':' could imitate an escape and merge two names. */
static ir_rc check_literal(const char *tmpl, const char *p, ir_err *err)
{
    unsigned char c = (unsigned char)*p;

    if (is_plain_char(c))
        return IR_OK;
    if (c > 0x20 && c < 0x7F)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "the thing name template '" TMPL_QUOTE "' has '%c' in its literal "
                          "text; outside ${...} only A-Z a-z 0-9 _ - may appear (':' is the "
                          "escape of other characters in the certificate's values)",
                          TMPL_ARGS(tmpl), c);
    return ir_err_set(err, IR_ERR_CONFIG,
                      "the thing name template '" TMPL_QUOTE "' has byte 0x%02X in its literal "
                      "text; outside ${...} only A-Z a-z 0-9 _ - may appear",
                      TMPL_ARGS(tmpl), c);
}

/* The value of var, escaped, appended to out. */
static ir_rc expand_variable(const variable *var, const expand_ctx *x, ir_buf *out, ir_err *err)
{
    ir_buf value;
    ir_rc rc;

    ir_buf_init(&value, EXPANSION_MAX);
    rc = var->fn(x, &value, err);
    if (rc == IR_OK)
        rc = append_escaped(out, ir_buf_cstr(&value), err);
    ir_buf_free(&value);
    return rc;
}

/* Walks tmpl: literal text is appended to out, variables expanded by x and
 * escaped (when x is NULL, only the syntax is checked). */
static ir_rc walk(const char *tmpl, const expand_ctx *x, ir_buf *out, ir_err *err)
{
    const char *p = tmpl;
    const variable *var = NULL;
    ir_rc rc = IR_OK;

    while (rc == IR_OK && *p != '\0') {
        if (p[0] != '$' || p[1] != '{') {
            rc = check_literal(tmpl, p, err);
            if (rc == IR_OK && x != NULL)
                rc = ir_buf_append(out, p, 1, err);
            p++;
            continue;
        }
        rc = parse_variable(p + 2, &var, &p, err);
        if (rc == IR_OK && x != NULL)
            rc = expand_variable(var, x, out, err);
    }
    return rc;
}

ir_rc ir_template_check(const char *tmpl, ir_err *err)
{
    if (tmpl == NULL || tmpl[0] == '\0')
        return ir_err_set(err, IR_ERR_CONFIG, "the thing name template is empty");
    return walk(tmpl, NULL, NULL, err);
}

/* Copies the escaped name to out, refusing an empty or too long one: cutting
 * would merge names that differ after the cut. */
static ir_rc finish_name(const char *tmpl, ir_rc rc, const ir_buf *name,
                         char out[IR_THING_NAME_MAX + 1], ir_err *err)
{
    if (rc == IR_ERR_TOO_LARGE || (rc == IR_OK && name->len > IR_THING_NAME_MAX))
        return ir_err_set(err, IR_ERR_TOO_LARGE,
                          "the thing name template '" TMPL_QUOTE "' gives this certificate a "
                          "name of %s%zu characters (escapes included), more than AWS's %d; "
                          "shorten the template (e.g. ${certid8} instead of a long field)",
                          TMPL_ARGS(tmpl), rc == IR_OK ? "" : "more than ",
                          rc == IR_OK ? name->len : (size_t)EXPANSION_MAX, IR_THING_NAME_MAX);
    if (rc != IR_OK)
        return rc;
    if (name->len == 0)
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "the thing name template '" TMPL_QUOTE "' expands to nothing",
                          TMPL_ARGS(tmpl));
    memcpy(out, name->data, name->len);
    out[name->len] = '\0';
    return IR_OK;
}

ir_rc ir_template_escape(const char *value, char *out, size_t outsz, ir_err *err)
{
    ir_buf b;
    ir_rc rc;

    ir_buf_init(&b, EXPANSION_MAX);
    rc = append_escaped(&b, value, err);
    if (rc == IR_OK && b.len >= outsz)
        rc = ir_err_set(err, IR_ERR_TOO_LARGE, "the escaped value needs %zu bytes, more than %zu",
                        b.len + 1, outsz);
    if (rc == IR_OK)
        memcpy(out, ir_buf_cstr(&b), b.len + 1);
    ir_buf_free(&b);
    return rc;
}

ir_rc ir_template_expand(const char *tmpl, X509 *cert, const unsigned char *der, size_t der_len,
                         const char *customer, char out[IR_THING_NAME_MAX + 1], ir_err *err)
{
    char certid[IR_SHA256_HEX_LEN + 1];
    unsigned char *own_der = NULL;
    expand_ctx x = {.cert = cert, .certid = certid, .customer = customer};
    ir_buf name;
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
    ir_buf_init(&name, EXPANSION_MAX);
    rc = walk(tmpl, &x, &name, err);
    rc = finish_name(tmpl, rc, &name, out, err);
    ir_buf_free(&name);
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
