/* Certificate fields as text, for attribution and thing names. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "capture/certfields.h"
#include "core/util.h"

#define MAX_FIELD_BYTES 4096

/* UTF-8 copy of s, or NULL when it cannot be converted or holds a NUL. */
static char *asn1_text(const ASN1_STRING *s)
{
    unsigned char *utf8 = NULL;
    char *copy;
    int n = ASN1_STRING_to_UTF8(&utf8, s);

    if (n < 0)
        return NULL;
    copy = (size_t)n == strlen((char *)utf8) ? strdup((char *)utf8) : NULL;
    OPENSSL_free(utf8);
    return copy;
}

bool ir_cert_subject_each(X509 *cert, int nid, ir_cert_value_fn fn, void *ctx)
{
    const X509_NAME *name = X509_get_subject_name(cert);
    int i = -1;
    char *value;
    bool stop = false;

    while (!stop && (i = X509_NAME_get_index_by_NID(name, nid, i)) >= 0) {
        value = asn1_text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
        if (value != NULL)
            stop = fn(ctx, value);
        free(value);
    }
    return stop;
}

static char *ip_text(const ASN1_OCTET_STRING *ip)
{
    char text[INET6_ADDRSTRLEN];
    int len = ASN1_STRING_length(ip);
    int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;

    if (family == 0 || inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof(text)) == NULL)
        return NULL;
    return strdup(text);
}

static char *san_text(const GENERAL_NAME *gn, ir_san_type type)
{
    bool any = type == IR_SAN_ANY;

    switch (gn->type) {
    case GEN_DNS:
        return any || type == IR_SAN_DNS ? asn1_text(gn->d.dNSName) : NULL;
    case GEN_URI:
        return any || type == IR_SAN_URI ? asn1_text(gn->d.uniformResourceIdentifier) : NULL;
    case GEN_EMAIL:
        return any || type == IR_SAN_EMAIL ? asn1_text(gn->d.rfc822Name) : NULL;
    case GEN_IPADD:
        return any || type == IR_SAN_IP ? ip_text(gn->d.iPAddress) : NULL;
    default:
        return NULL;
    }
}

bool ir_cert_san_each(X509 *cert, ir_san_type type, ir_cert_value_fn fn, void *ctx)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    bool stop = false;
    char *value;
    int i;

    for (i = 0; !stop && i < sk_GENERAL_NAME_num(names); i++) {
        value = san_text(sk_GENERAL_NAME_value(names, i), type);
        if (value != NULL)
            stop = fn(ctx, value);
        free(value);
    }
    GENERAL_NAMES_free(names);
    return stop;
}

static bool keep_first(void *ctx, const char *value)
{
    *(char **)ctx = strdup(value);
    return true;
}

char *ir_cert_subject_first(X509 *cert, int nid)
{
    char *first = NULL;

    ir_cert_subject_each(cert, nid, keep_first, &first);
    return first;
}

char *ir_cert_san_first(X509 *cert, ir_san_type type)
{
    char *first = NULL;

    ir_cert_san_each(cert, type, keep_first, &first);
    return first;
}

static bool is_string_type(int type)
{
    switch (type) {
    case V_ASN1_UTF8STRING:
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_IA5STRING:
    case V_ASN1_VISIBLESTRING:
    case V_ASN1_T61STRING:
    case V_ASN1_BMPSTRING:
    case V_ASN1_UNIVERSALSTRING:
    case V_ASN1_NUMERICSTRING:
        return true;
    default:
        return false;
    }
}

/* The string inside der when der is exactly one ASN.1 string; else NULL. */
static char *der_string(const unsigned char *der, long len)
{
    const unsigned char *p = der;
    ASN1_TYPE *t = d2i_ASN1_TYPE(NULL, &p, len);
    char *text = NULL;

    if (t != NULL && p == der + len && is_string_type(t->type))
        text = asn1_text(t->value.asn1_string);
    ASN1_TYPE_free(t);
    return text;
}

static char *der_hex(const unsigned char *der, int len)
{
    char *hex;

    if (len < 0 || len > MAX_FIELD_BYTES)
        return NULL;
    hex = malloc(2 * (size_t)len + 1);
    if (hex != NULL)
        ir_hex_encode(der, (size_t)len, hex);
    return hex;
}

ir_rc ir_cert_extension_text(X509 *cert, const char *oid, char **out, ir_err *err)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    const ASN1_OCTET_STRING *value;
    int idx;

    *out = NULL;
    if (obj == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "'%s' is not an OID", oid);
    idx = X509_get_ext_by_OBJ(cert, obj, -1);
    if (idx >= 0 && X509_get_ext_by_OBJ(cert, obj, idx) < 0) {
        value = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
        *out = der_string(ASN1_STRING_get0_data(value), ASN1_STRING_length(value));
        if (*out == NULL)
            *out = der_hex(ASN1_STRING_get0_data(value), ASN1_STRING_length(value));
    }
    ASN1_OBJECT_free(obj);
    return IR_OK;
}

ir_rc ir_cert_serial_hex(X509 *cert, char *out, size_t n, ir_err *err)
{
    const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
    int len = ASN1_STRING_length(serial);
    bool negative = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER;
    size_t need = (negative ? 1 : 0) + 2 * (size_t)len + 1;

    if (len <= 0 || need > n)
        return ir_err_set(err, IR_ERR_PARSE,
                          "the certificate's serial number is empty or too long");
    if (negative)
        *out++ = '-';
    ir_hex_encode(ASN1_STRING_get0_data(serial), (size_t)len, out);
    return IR_OK;
}
