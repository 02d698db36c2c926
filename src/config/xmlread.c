/* Reads the configuration file safely and validates it against the XSD:
 * bounded read, no network, no DTD, no entity expansion; every libxml2
 * error is reported with its line. The XSD is compiled once per load, or
 * once for many (ir_config_schema_new). */
#include "autoconf.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlschemas.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "core/util.h"

struct ir_config_schema {
    xmlSchemaPtr xsd;
};

#define IR_CONFIG_NS "urn:iotreg:config:1"
#define ROOT_HINT    "<iotreg xmlns=\"" IR_CONFIG_NS "\" version=\"1\">"

/* XML_PARSE_NOENT and XML_PARSE_DTDLOAD are deliberately absent: entities
 * are never expanded and no DTD is ever loaded. */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES)

typedef struct xml_errors {
    ir_diag *diag;
    bool doctype_seen;
    long last_line;
} xml_errors;

typedef struct value_hint {
    const char *name; /* element or attribute */
    const char *text;
} value_hint;

static const value_hint value_hints[] = {
    {"account-id", "an AWS account id is exactly 12 digits"},
    {"account", "an AWS account id is exactly 12 digits"},
    {"region", "a region looks like eu-central-1"},
    {"arn", "a role ARN looks like arn:aws:iam::123456789012:role/NAME"},
    {"external-id", "an ExternalId is 2 to 1224 characters from A-Za-z0-9+=,.@:/_-"},
    {"endpoint", "an endpoint looks like https://host:port"},
    {"oid", "an OID is dotted decimal, e.g. 1.3.6.1.4.1.99999.1"},
    {"name", "a name is a letter or digit, then up to 63 of A-Za-z0-9._-"},
    {"id", "an id is a letter or digit, then up to 63 of A-Za-z0-9._- (access keys: A-Z0-9)"},
    {"customer", "a customer id is a letter or digit, then up to 63 of A-Za-z0-9._-"},
    {"csp-account", "a name is a letter or digit, then up to 63 of A-Za-z0-9._-"},
};

/* Deletes every occurrence of what from s. */
static void strip_all(char *s, const char *what)
{
    size_t n = strlen(what);
    char *p;

    while ((p = strstr(s, what)) != NULL)
        memmove(p, p + n, strlen(p + n) + 1);
}

/* The attribute (when the message names one) or element a message is about. */
static void subject_of(const char *msg, char *out, size_t n)
{
    const char *p = strstr(msg, "attribute '");
    const char *end;

    if (p == NULL)
        p = strstr(msg, "Element '");
    out[0] = '\0';
    if (p == NULL)
        return;
    p = strchr(p, '\'') + 1;
    end = strchr(p, '\'');
    if (end != NULL && (size_t)(end - p) < n)
        snprintf(out, n, "%.*s", (int)(end - p), p);
}

static const char *hint_for(const char *msg)
{
    char subject[64];
    size_t i;

    if (strstr(msg, "[facet 'pattern']") == NULL)
        return NULL;
    subject_of(msg, subject, sizeof(subject));
    for (i = 0; i < sizeof(value_hints) / sizeof(value_hints[0]); i++)
        if (strcmp(subject, value_hints[i].name) == 0)
            return value_hints[i].text;
    return NULL;
}

/* libxml2 follows a facet error with a second one on the same value
 * ("... is not a valid value of the atomic type ..."): that one says nothing new. */
static bool is_follow_up(const xmlError *e, const xml_errors *st)
{
    return (long)e->line == st->last_line &&
           (e->code == XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_1 ||
            e->code == XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_3 ||
            e->code == XML_SCHEMAV_CVC_ATTRIBUTE_3 || e->code == XML_SCHEMAV_CVC_TYPE_3_1_1);
}

static long error_line(const xmlError *e)
{
    if (e->line > 0 && e->line != 65535)
        return e->line;
    if (e->node != NULL && ((xmlNode *)e->node)->type == XML_ELEMENT_NODE)
        return xmlGetLineNo((xmlNode *)e->node);
    return e->line;
}

static void report(xml_errors *st, const xmlError *e)
{
    char msg[1024];
    const char *hint;
    size_t n;

    if (e->level == XML_ERR_WARNING || st->doctype_seen || is_follow_up(e, st))
        return;
    ir_strlcpy(msg, e->message ? e->message : "malformed XML", sizeof(msg));
    strip_all(msg, "{" IR_CONFIG_NS "}");
    hint = hint_for(msg);
    strip_all(msg, "[facet 'pattern'] ");
    strip_all(msg, "[facet 'enumeration'] ");
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ' || (hint && msg[n - 1] == '.')))
        msg[--n] = '\0';
    st->last_line = error_line(e);
    ir_diag_add_rc(st->diag, e->domain == XML_FROM_PARSER ? IR_ERR_PARSE : IR_ERR_CONFIG,
                   st->last_line, "%s%s%s%s", msg, hint ? " (" : "", hint ? hint : "",
                   hint ? ")" : "");
}

static void on_parse_error(void *user, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = user;

    report(ctxt->_private, e);
}

static void on_valid_error(void *user, xmlErrorPtr e)
{
    report(user, e);
}

/* A DOCTYPE could declare entities or pull in a DTD: parsing stops at it. */
static void on_doctype(void *user, const xmlChar *name, const xmlChar *public_id,
                       const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = user;
    xml_errors *st = ctxt->_private;

    ir_diag_add_rc(st->diag, IR_ERR_PARSE, ctxt->input ? ctxt->input->line : 0,
                   "a DOCTYPE declaration is not allowed: the configuration never loads a DTD or "
                   "expands entities; remove it");
    st->doctype_seen = true;
    xmlStopParser(ctxt);
}

static xmlDoc *parse(const void *text, size_t len, xml_errors *st)
{
    xmlParserCtxtPtr ctxt;
    xmlDoc *doc = NULL;

    ctxt = xmlCreateMemoryParserCtxt(text, (int)len);
    if (ctxt == NULL) {
        ir_diag_add_rc(st->diag, IR_ERR_NOMEM, 0, "out of memory creating an XML parser");
        return NULL;
    }
    ctxt->_private = st;
    ctxt->linenumbers = 1;
    ctxt->sax->serror = on_parse_error;
    ctxt->sax->internalSubset = on_doctype;
    ctxt->sax->externalSubset = NULL;
    xmlCtxtUseOptions(ctxt, PARSE_OPTIONS);
    xmlParseDocument(ctxt);
    if (ctxt->wellFormed && !st->doctype_seen && st->diag->count == 0)
        doc = ctxt->myDoc;
    else
        xmlFreeDoc(ctxt->myDoc);
    ctxt->myDoc = NULL;
    xmlFreeParserCtxt(ctxt);
    return doc;
}

static bool check_root(xmlDoc *doc, ir_diag *d)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    const char *ns = root && root->ns ? (const char *)root->ns->href : NULL;

    if (root != NULL && xmlStrcmp(root->name, BAD_CAST "iotreg") == 0 && ns != NULL &&
        strcmp(ns, IR_CONFIG_NS) == 0)
        return true;
    ir_diag_add(d, ir_xml_line(root),
                "the root element must be " ROOT_HINT ", not <%s> in namespace '%s'",
                root ? (const char *)root->name : "", ns ? ns : "(none)");
    return false;
}

static void on_schema_error(void *user, xmlErrorPtr e)
{
    ir_diag_add_rc(user, IR_ERR_INTERNAL, 0, "the embedded XSD does not compile: %s",
                   e->message ? e->message : "?");
}

/* libxml2 initialises itself on first use, which is not safe when two
 * threads make that first use at once. */
static void init_libxml(void)
{
    xmlInitParser();
}

static void init_once(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, init_libxml);
}

/* The embedded XSD compiled; NULL (with the reason in d) when it cannot be. */
static xmlSchemaPtr compile_xsd(ir_diag *d)
{
    xmlSchemaParserCtxtPtr pctxt;
    xmlSchemaPtr xsd = NULL;

    pctxt = xmlSchemaNewMemParserCtxt((const char *)ir_config_xsd, (int)ir_config_xsd_len);
    if (pctxt != NULL) {
        xmlSchemaSetParserStructuredErrors(pctxt, on_schema_error, d);
        xsd = xmlSchemaParse(pctxt);
    }
    xmlSchemaFreeParserCtxt(pctxt);
    return xsd;
}

ir_rc ir_config_schema_new(ir_config_schema **out, ir_err *err)
{
    ir_diag d;

    init_once();
    ir_diag_init(&d, "conf/iotreg.xsd", NULL, NULL);
    *out = calloc(1, sizeof(**out));
    if (*out == NULL)
        ir_diag_add_rc(&d, IR_ERR_NOMEM, 0, "out of memory compiling the XSD");
    else if (((*out)->xsd = compile_xsd(&d)) == NULL && d.count == 0)
        ir_diag_add_rc(&d, IR_ERR_INTERNAL, 0, "the embedded XSD does not compile");
    if (d.count > 0) {
        ir_config_schema_free(*out);
        *out = NULL;
    }
    return ir_diag_finish(&d, err);
}

void ir_config_schema_free(ir_config_schema *schema)
{
    if (schema == NULL)
        return;
    xmlSchemaFree(schema->xsd);
    free(schema);
}

/* Validates doc against schema's XSD, or against the XSD compiled for this
 * call when schema is NULL. */
static bool validate(const ir_config_schema *schema, xmlDoc *doc, xml_errors *st)
{
    xmlSchemaPtr own = schema == NULL ? compile_xsd(st->diag) : NULL;
    xmlSchemaPtr xsd = schema != NULL ? schema->xsd : own;
    xmlSchemaValidCtxtPtr vctxt = xsd != NULL ? xmlSchemaNewValidCtxt(xsd) : NULL;
    int rc = -1;

    if (vctxt != NULL) {
        xmlSchemaSetValidStructuredErrors(vctxt, on_valid_error, st);
        rc = xmlSchemaValidateDoc(vctxt, doc);
    }
    if (rc < 0 && st->diag->count == 0)
        ir_diag_add_rc(st->diag, IR_ERR_INTERNAL, 0, "XSD validation could not run");
    else if (rc > 0 && st->diag->count == 0)
        ir_diag_add(st->diag, 0, "the file does not match the XSD");
    xmlSchemaFreeValidCtxt(vctxt);
    xmlSchemaFree(own);
    return rc == 0;
}

bool ir_config_check_text(const void *text, size_t len, ir_diag *d)
{
    const unsigned char *p = text;
    size_t blank = 0;

    while (blank < len && p[blank] != '\0' && strchr(" \t\r\n", p[blank]) != NULL)
        blank++;
    if (len > IR_CONFIG_MAX_BYTES)
        ir_diag_add_rc(d, IR_ERR_TOO_LARGE, 0, "the file is larger than the limit of %u bytes",
                       IR_CONFIG_MAX_BYTES);
    else if (blank == len)
        ir_diag_add_rc(d, IR_ERR_PARSE, 0, "the file is empty; it needs " ROOT_HINT);
    else
        return true;
    return false;
}

bool ir_config_read_file(const char *path, ir_buf *raw, ir_diag *d)
{
    ir_err err = {0};
    ir_rc rc = ir_read_file(path, raw, &err);

    if (rc == IR_ERR_TOO_LARGE)
        ir_diag_add_rc(d, rc, 0, "the file is larger than the limit of %u bytes",
                       IR_CONFIG_MAX_BYTES);
    else if (rc == IR_ERR_NOT_FOUND)
        ir_diag_add_rc(d, rc, 0,
                       "no such file (name another with -c FILE or the IOTREG_CONF variable)");
    else if (rc != IR_OK)
        ir_diag_add_rc(d, rc, 0, "%s", err.msg);
    else
        return ir_config_check_text(raw->data, raw->len, d);
    return false;
}

ir_rc ir_config_parse_xml(const ir_config_schema *schema, const void *text, size_t len,
                          xmlDoc **out, ir_diag *d)
{
    xml_errors st = {.diag = d};
    xmlDoc *doc;

    *out = NULL;
    init_once();
    doc = parse(text, len, &st);
    if (doc != NULL && check_root(doc, d) && validate(schema, doc, &st))
        *out = doc;
    else
        xmlFreeDoc(doc);
    /* libxml2 keeps a copy of the last error until the next one: every
     * problem is in d already. */
    xmlResetLastError();
    return *out != NULL ? IR_OK : d->rc != IR_OK ? d->rc : IR_ERR_CONFIG;
}
