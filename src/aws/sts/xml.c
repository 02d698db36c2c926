#include "autoconf.h"

#include <libxml/parser.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sts/xml_internal.h"
#include "core/buf.h"
#include "core/secret.h"
#include "core/util.h"

#define IR_STS_MAX_TEXT_BYTES (16u * 1024)

/* No DTD loading, no entity substitution, no network; and never a word on
 * stderr (library code): errors are read from the parser context. */
#define STS_XML_OPTIONS                                                                            \
    (XML_PARSE_NONET | XML_PARSE_NODICT | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |                \
     XML_PARSE_NOCDATA)

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

/* SAX internalSubset callback: STS never sends a DOCTYPE. */
static void refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = ctx;

    (void)name;
    (void)external_id;
    (void)system_id;
    ctxt->_private = (void *)"dtd";
    xmlStopParser(ctxt);
}

static ir_rc parse_error(xmlParserCtxtPtr ctxt, ir_err *err)
{
    const xmlError *e = xmlCtxtGetLastError(ctxt);
    char msg[160] = "malformed XML";
    size_t n;

    if (ctxt->_private != NULL)
        return ir_err_set(err, IR_ERR_PARSE, "the XML response carries a DTD, which is refused");
    if (e != NULL && e->message != NULL) {
        ir_strlcpy(msg, e->message, sizeof(msg));
        n = strlen(msg);
        while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            msg[--n] = '\0';
    }
    return ir_err_set(err, IR_ERR_PARSE, "invalid XML at line %d: %s", e ? e->line : 0, msg);
}

static ir_rc read_doc(const ir_aws_response *resp, xmlDoc **doc, ir_err *err)
{
    xmlParserCtxtPtr ctxt;
    ir_rc rc = IR_OK;

    pthread_once(&xml_once, xml_init);
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    ctxt->sax->internalSubset = refuse_dtd;
    ctxt->_private = NULL;
    *doc = xmlCtxtReadMemory(ctxt, (const char *)resp->body.data, (int)resp->body.len, "sts.xml",
                             NULL, STS_XML_OPTIONS);
    if (*doc == NULL || !ctxt->wellFormed || ctxt->_private != NULL) {
        rc = parse_error(ctxt, err);
        ir_sts_xml_free(*doc);
        *doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return rc;
}

static bool is_sts_element(const xmlNode *n, const char *name)
{
    if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name) != 0)
        return false;
    return n->ns == NULL || n->ns->href == NULL ||
           strcmp((const char *)n->ns->href, IR_STS_XMLNS) == 0;
}

ir_rc ir_sts_xml_load(const ir_aws_response *resp, const char *root_name, xmlDoc **doc,
                      xmlNode **root, ir_err *err)
{
    ir_rc rc;

    *doc = NULL;
    if (resp->body.len == 0)
        return ir_err_set(err, IR_ERR_PARSE, "the response body is empty, expected XML");
    if (resp->body.len > IR_STS_MAX_XML_BYTES)
        return ir_err_set(err, IR_ERR_TOO_LARGE,
                          "the response body of %zu bytes exceeds the limit of %u bytes",
                          resp->body.len, IR_STS_MAX_XML_BYTES);
    rc = read_doc(resp, doc, err);
    if (rc != IR_OK)
        return rc;
    *root = xmlDocGetRootElement(*doc);
    if (*root == NULL || !is_sts_element(*root, root_name)) {
        ir_sts_xml_free(*doc);
        *doc = NULL;
        return ir_err_set(err, IR_ERR_PARSE, "the XML response is not an STS %s", root_name);
    }
    return IR_OK;
}

ir_rc ir_sts_xml_child(xmlNode *parent, const char *where, const char *name, xmlNode **out,
                       ir_err *err)
{
    xmlNode *n;

    for (n = parent->children; n != NULL; n = n->next)
        if (is_sts_element(n, name)) {
            *out = n;
            return IR_OK;
        }
    *out = NULL;
    return ir_err_set(err, IR_ERR_PARSE, "element %s/%s is missing", where, name);
}

/* Concatenates el's text children into text; anything else is refused. */
static ir_rc collect_text(const xmlNode *el, const char *where, ir_buf *text, ir_err *err)
{
    const xmlNode *n;
    ir_rc rc = IR_OK;

    for (n = el->children; n != NULL && rc == IR_OK; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
            rc = ir_buf_append_str(text, (const char *)n->content, err);
        else if (n->type != XML_COMMENT_NODE)
            rc = ir_err_set(err, IR_ERR_PARSE, "element %s/%s holds markup, expected text", where,
                            (const char *)el->name);
    }
    return rc;
}

static char *trimmed(const ir_buf *text, bool secret)
{
    const char *s = ir_buf_cstr(text);
    size_t start = strspn(s, " \t\r\n"), end = text->len;
    char *out;

    while (end > start && strchr(" \t\r\n", s[end - 1]) != NULL)
        end--;
    out = secret ? ir_secret_strdup(s + start) : strdup(s + start);
    if (out != NULL)
        out[end - start] = '\0';
    return out;
}

ir_rc ir_sts_xml_text(xmlNode *parent, const char *where, const char *name, bool required,
                      bool secret, char **out, ir_err *err)
{
    xmlNode *el;
    ir_buf text;
    ir_rc rc = ir_sts_xml_child(parent, where, name, &el, required ? err : NULL);

    if (el == NULL)
        return required ? rc : IR_OK;
    ir_buf_init(&text, IR_STS_MAX_TEXT_BYTES);
    rc = collect_text(el, where, &text, err);
    if (rc == IR_OK) {
        if (secret)
            ir_secret_strfree(*out);
        else
            free(*out);
        *out = trimmed(&text, secret);
        if (*out == NULL)
            rc = ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    }
    ir_buf_free(&text);
    return rc;
}

static void cleanse_text(xmlNode *n)
{
    for (; n != NULL; n = n->next) {
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content != NULL)
            OPENSSL_cleanse(n->content, strlen((const char *)n->content));
        if (n->type == XML_ELEMENT_NODE)
            cleanse_text(n->children);
    }
}

void ir_sts_xml_free(xmlDoc *doc)
{
    if (doc == NULL)
        return;
    cleanse_text(doc->children);
    xmlFreeDoc(doc);
}
