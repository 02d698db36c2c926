/* Thing names from templates: the certificate's fields read as text, the
 * template walked (config/template.c) and each variable's value escaped. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "capture/certfields.h"
#include "capture/thing_name.h"
#include "config/template.h"
#include "core/buf.h"
#include "core/util.h"

/* Room for one variable's value and for the escaped name (a value escaped
 * takes up to three times its length); longer is refused as too long. */
#define EXPANSION_MAX 8192
#define TMPL_QUOTE    "%.64s%s" /* the template in messages, at most 64 chars */
#define TMPL_ARGS(t)  (t), strlen(t) > 64 ? "..." : ""
/* A serial of up to 64 bytes in hex, its sign and the NUL. */
#define SERIAL_HEX_MAX (2 * 64 + 2)

static ir_rc missing(ir_template_part part, ir_err *err)
{
    switch (part) {
    case IR_TEMPLATE_SUBJECT_CN:
    case IR_TEMPLATE_SUBJECT_O:
    case IR_TEMPLATE_SUBJECT_OU: {
        const char *label = part == IR_TEMPLATE_SUBJECT_CN  ? "CN"
                            : part == IR_TEMPLATE_SUBJECT_O ? "O"
                                                            : "OU";
        return ir_err_set(err, IR_ERR_NOT_FOUND,
                          "the certificate has no subject %s, which the thing name template "
                          "uses (${subject.%s})",
                          label, label);
    }
    case IR_TEMPLATE_SERIAL:
        return ir_err_set(err, IR_ERR_PARSE,
                          "the certificate's serial number is empty or too long");
    case IR_TEMPLATE_CUSTOMER:
        return ir_err_set(err, IR_ERR_INVALID_ARG, "${customer} used without a customer");
    case IR_TEMPLATE_SAN_DNS:
        return ir_err_set(err, IR_ERR_NOT_FOUND,
                          "the certificate has no DNS subjectAltName, which the thing name "
                          "template uses (${san.dns})");
    default:
        return ir_err_set(err, IR_ERR_INVALID_ARG, "no certificate id for the thing name");
    }
}

/* The value of a variable; NULL when the fields lack it. */
static const char *value_of(const ir_thing_fields *f, ir_template_part part)
{
    switch (part) {
    case IR_TEMPLATE_SUBJECT_CN:
        return f->subject_cn;
    case IR_TEMPLATE_SUBJECT_O:
        return f->subject_o;
    case IR_TEMPLATE_SUBJECT_OU:
        return f->subject_ou;
    case IR_TEMPLATE_SERIAL:
        return f->serial;
    case IR_TEMPLATE_CERTID:
    case IR_TEMPLATE_CERTID8:
        return f->certid;
    case IR_TEMPLATE_CUSTOMER:
        return f->customer != NULL && f->customer[0] != '\0' ? f->customer : NULL;
    case IR_TEMPLATE_SAN_DNS:
        return f->san_dns;
    default:
        return NULL;
    }
}

/* Appends v: plain characters as they are, every other byte (':' included)
 * as ':' and two upper-case hex digits. Injective, because ':' in the output
 * only ever starts an escape: distinct values give distinct names. */
static ir_rc append_escaped(ir_buf *out, const char *v, size_t len, ir_err *err)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)v;
    const unsigned char *end = p + len;
    ir_rc rc = IR_OK;

    for (; p < end && *p != '\0' && rc == IR_OK; p++) {
        char esc[3] = {':', hex[*p >> 4], hex[*p & 0x0F]};

        rc = ir_template_plain_char(*p) ? ir_buf_append(out, p, 1, err)
                                        : ir_buf_append(out, esc, 3, err);
    }
    return rc;
}

typedef struct expansion {
    const ir_thing_fields *fields;
    ir_buf *name;
} expansion;

/* Literal text as it is (the syntax made it plain), a variable's value
 * escaped; ${certid8} is the first 8 digits of ${certid}. */
static ir_rc expand_part(void *ctx, ir_template_part part, const char *text, size_t len,
                         ir_err *err)
{
    const expansion *x = ctx;
    const char *v;

    if (part == IR_TEMPLATE_LITERAL)
        return ir_buf_append(x->name, text, len, err);
    v = value_of(x->fields, part);
    if (v == NULL)
        return missing(part, err);
    return append_escaped(x->name, v, part == IR_TEMPLATE_CERTID8 ? 8 : strlen(v), err);
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

ir_rc ir_template_expand_fields(const char *tmpl, const ir_thing_fields *f,
                                char out[IR_THING_NAME_MAX + 1], ir_err *err)
{
    ir_buf name;
    expansion x = {.fields = f, .name = &name};
    ir_rc rc;

    out[0] = '\0';
    ir_buf_init(&name, EXPANSION_MAX);
    rc = ir_template_walk(tmpl, expand_part, &x, err);
    rc = finish_name(tmpl, rc, &name, out, err);
    ir_buf_free(&name);
    return rc;
}

ir_rc ir_template_escape(const char *value, char *out, size_t outsz, ir_err *err)
{
    ir_buf b;
    ir_rc rc;

    ir_buf_init(&b, EXPANSION_MAX);
    rc = append_escaped(&b, value, strlen(value), err);
    if (rc == IR_OK && b.len >= outsz)
        rc = ir_err_set(err, IR_ERR_TOO_LARGE, "the escaped value needs %zu bytes, more than %zu",
                        b.len + 1, outsz);
    if (rc == IR_OK)
        memcpy(out, ir_buf_cstr(&b), b.len + 1);
    ir_buf_free(&b);
    return rc;
}

/* The certificate's fields, read once; the strings are the caller's to free
 * with free_fields. */
typedef struct cert_fields {
    ir_thing_fields f;
    char serial[SERIAL_HEX_MAX];
    char certid[IR_SHA256_HEX_LEN + 1];
} cert_fields;

static void read_fields(X509 *cert, cert_fields *c)
{
    c->f.subject_cn = ir_cert_subject_first(cert, NID_commonName);
    c->f.subject_o = ir_cert_subject_first(cert, NID_organizationName);
    c->f.subject_ou = ir_cert_subject_first(cert, NID_organizationalUnitName);
    c->f.san_dns = ir_cert_san_first(cert, IR_SAN_DNS);
    c->f.serial =
        ir_cert_serial_hex(cert, c->serial, sizeof(c->serial), NULL) == IR_OK ? c->serial : NULL;
    c->f.certid = c->certid;
}

static void free_fields(cert_fields *c)
{
    free((char *)c->f.subject_cn);
    free((char *)c->f.subject_o);
    free((char *)c->f.subject_ou);
    free((char *)c->f.san_dns);
}

ir_rc ir_template_expand(const char *tmpl, X509 *cert, const unsigned char *der, size_t der_len,
                         const char *customer, char out[IR_THING_NAME_MAX + 1], ir_err *err)
{
    cert_fields c = {.f = {.customer = customer}};
    unsigned char *own_der = NULL;
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
    rc = ir_sha256_hex(der, der_len, c.certid, err);
    OPENSSL_free(own_der);
    if (rc != IR_OK)
        return rc;
    read_fields(cert, &c);
    rc = ir_template_expand_fields(tmpl, &c.f, out, err);
    free_fields(&c);
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
