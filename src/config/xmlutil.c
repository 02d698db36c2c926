/* DOM helpers for a document the XSD has already accepted. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

bool ir_xml_is(const xmlNode *node, const char *name)
{
    return node != NULL && node->type == XML_ELEMENT_NODE &&
           (name == NULL || xmlStrcmp(node->name, BAD_CAST name) == 0);
}

/* The first element named name (any name when NULL) from n on, n included. */
static xmlNode *first_from(const xmlNode *n, const char *name)
{
    for (; n != NULL; n = n->next)
        if (ir_xml_is(n, name))
            return (xmlNode *)n;
    return NULL;
}

xmlNode *ir_xml_next(const xmlNode *node, const char *name)
{
    return node != NULL ? first_from(node->next, name) : NULL;
}

xmlNode *ir_xml_child(const xmlNode *parent, const char *name)
{
    return parent != NULL ? first_from(parent->children, name) : NULL;
}

size_t ir_xml_count(const xmlNode *parent, const char *name)
{
    size_t count = 0;
    const xmlNode *n;

    for (n = ir_xml_child(parent, name); n != NULL; n = ir_xml_next(n, name))
        count++;
    return count;
}

long ir_xml_line(const xmlNode *node)
{
    return node != NULL ? xmlGetLineNo(node) : 0;
}

static bool is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void ir_xml_collapse(char *s)
{
    char *w = s;
    const char *r = s;
    bool pending_space = false;

    for (; *r != '\0'; r++) {
        if (is_xml_space(*r)) {
            pending_space = w != s;
            continue;
        }
        if (pending_space)
            *w++ = ' ';
        pending_space = false;
        *w++ = *r;
    }
    *w = '\0';
}

/* libxml2's strings come from its allocator; ours are freed with free(). */
static char *collapsed_copy(xmlChar *x)
{
    char *s;

    if (x == NULL)
        return NULL;
    s = strdup((const char *)x);
    xmlFree(x);
    if (s != NULL)
        ir_xml_collapse(s);
    return s;
}

char *ir_xml_text(const xmlNode *node)
{
    return node != NULL ? collapsed_copy(xmlNodeGetContent(node)) : NULL;
}

char *ir_xml_attr(const xmlNode *node, const char *name)
{
    return node != NULL ? collapsed_copy(xmlGetProp(node, BAD_CAST name)) : NULL;
}
