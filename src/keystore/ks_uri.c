/* Parsing iotreg: URIs (RFC 7512 attribute syntax). */
#include "autoconf.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "keystore/uri.h"

static const char *const type_names[] = {
    [IR_KS_URI_ANY] = "any",   [IR_KS_URI_PRIVATE] = "private", [IR_KS_URI_PUBLIC] = "public",
    [IR_KS_URI_CERT] = "cert", [IR_KS_URI_TOKEN] = "token",     [IR_KS_URI_SECRET] = "secret",
};

const char *ir_ks_uri_type_name(ir_ks_uri_type t)
{
    return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "?";
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static ir_rc malformed(ir_err *err, const char *uri, const char *why)
{
    return ir_err_set(err, IR_ERR_PARSE,
                      "malformed URI '%s': %s; expected "
                      "iotreg:object=NAME;type=private|public|cert|token|secret",
                      uri, why);
}

/* Percent-decodes value[0..n) into out (size bytes); NUL and control
 * characters are refused. */
static ir_rc decode(const char *uri, const char *value, size_t n, char *out, size_t size,
                    ir_err *err)
{
    size_t i, o = 0;
    int hi, lo;
    char c;

    for (i = 0; i < n; i++) {
        c = value[i];
        if (c == '%') {
            hi = i + 2 < n ? hexval(value[i + 1]) : -1;
            lo = i + 2 < n ? hexval(value[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return malformed(err, uri, "bad percent-escape");
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if ((unsigned char)c < 0x20 || c == 0x7f)
            return malformed(err, uri, "control character in a value");
        if (o + 1 >= size)
            return malformed(err, uri, "value too long");
        out[o++] = c;
    }
    out[o] = '\0';
    return o > 0 ? IR_OK : malformed(err, uri, "empty value");
}

static ir_rc parse_type(const char *uri, const char *v, ir_ks_uri_type *t, ir_err *err)
{
    size_t i;

    for (i = IR_KS_URI_PRIVATE; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (strcmp(v, type_names[i]) == 0) {
            *t = (ir_ks_uri_type)i;
            return IR_OK;
        }
    return malformed(err, uri, "type must be private, public, cert, token or secret");
}

typedef struct seen {
    bool object, type;
} seen;

static ir_rc parse_attr(const char *uri, const char *attr, size_t n, ir_ks_uri *out, seen *s,
                        ir_err *err)
{
    const char *eq = memchr(attr, '=', n);
    char value[IR_KS_LABEL_MAX + 1];
    size_t klen;
    ir_rc rc;

    if (eq == NULL)
        return malformed(err, uri, "attribute without '='");
    klen = (size_t)(eq - attr);
    rc = decode(uri, eq + 1, n - klen - 1, value, sizeof(value), err);
    if (rc != IR_OK)
        return rc;
    if (klen == 6 && strncmp(attr, "object", 6) == 0 && !s->object) {
        s->object = true;
        memcpy(out->object, value, strlen(value) + 1);
        return IR_OK;
    }
    if (klen == 4 && strncmp(attr, "type", 4) == 0 && !s->type) {
        s->type = true;
        return parse_type(uri, value, &out->type, err);
    }
    if ((klen == 6 && strncmp(attr, "object", 6) == 0) || (klen == 4 && !strncmp(attr, "type", 4)))
        return malformed(err, uri, "attribute given twice");
    return malformed(err, uri, "unknown attribute (only object and type are understood)");
}

ir_rc ir_ks_uri_parse(const char *uri, ir_ks_uri *out, ir_err *err)
{
    const char *p, *end;
    seen s = {false, false};
    ir_rc rc;

    memset(out, 0, sizeof(*out));
    if (uri == NULL || strlen(uri) > IR_KS_URI_MAX)
        return ir_err_set(err, IR_ERR_PARSE, "malformed URI: missing or longer than %d bytes",
                          IR_KS_URI_MAX);
    if (strncasecmp(uri, IR_KS_URI_SCHEME ":", strlen(IR_KS_URI_SCHEME) + 1) != 0)
        return malformed(err, uri, "it does not start with iotreg:");
    for (p = uri + strlen(IR_KS_URI_SCHEME) + 1; *p != '\0'; p = *end ? end + 1 : end) {
        end = strchr(p, ';');
        if (end == NULL)
            end = p + strlen(p);
        if (end == p)
            return malformed(err, uri, "empty attribute");
        if (memchr(p, '?', (size_t)(end - p)) != NULL)
            return malformed(err, uri, "query attributes are not supported");
        rc = parse_attr(uri, p, (size_t)(end - p), out, &s, err);
        if (rc != IR_OK)
            return rc;
    }
    if (!s.object)
        return malformed(err, uri, "no object= attribute");
    return IR_OK;
}
