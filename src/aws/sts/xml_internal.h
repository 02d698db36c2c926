/* Internal: reading STS's XML responses with libxml2, safely: size-bounded,
 * no network, no DTD (a document with a DOCTYPE is refused as soon as the
 * parser meets it, before any entity is declared), no entity substitution,
 * and text read node by node so that an entity reference is an error rather
 * than an expansion. */
#ifndef IOTREG_AWS_STS_XML_INTERNAL_H
#define IOTREG_AWS_STS_XML_INTERNAL_H

#include <libxml/tree.h>
#include <stdbool.h>

#include "aws/transport/message.h"

#define IR_STS_XMLNS         "https://sts.amazonaws.com/doc/2011-06-15/"
#define IR_STS_MAX_XML_BYTES (64u * 1024)

/* Parses resp's body; the root element must be root_name (in STS's
 * namespace or none). *doc is for ir_sts_xml_free. */
ir_rc ir_sts_xml_load(const ir_aws_response *resp, const char *root_name, xmlDoc **doc,
                      xmlNode **root, ir_err *err);
/* The child element called name, or an IR_ERR_PARSE naming where/name. */
ir_rc ir_sts_xml_child(xmlNode *parent, const char *where, const char *name, xmlNode **out,
                       ir_err *err);
/* The trimmed text of child element name; secret text goes straight into
 * cleansed memory (ir_secret_strfree). An absent optional child leaves *out. */
ir_rc ir_sts_xml_text(xmlNode *parent, const char *where, const char *name, bool required,
                      bool secret, char **out, ir_err *err);
/* Cleanses every text node of the document, then frees it. */
void ir_sts_xml_free(xmlDoc *doc);

#endif
