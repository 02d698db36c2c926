/* Builds the attribution rules (compiling their regular expressions) and the
 * quota overrides from a document the XSD accepted. */
#include "autoconf.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "config/regex_bound.h"

typedef struct name_value {
    const char *name;
    int value;
} name_value;

static const name_value subject_fields[] = {
    {"O", IR_MATCH_SUBJECT_O}, {"OU", IR_MATCH_SUBJECT_OU}, {"CN", IR_MATCH_SUBJECT_CN}, {NULL, 0}};
static const name_value san_types[] = {{"any", IR_SAN_ANY}, {"dns", IR_SAN_DNS},
                                       {"uri", IR_SAN_URI}, {"email", IR_SAN_EMAIL},
                                       {"ip", IR_SAN_IP},   {NULL, 0}};
static const name_value match_kinds[] = {
    {"exact", IR_MATCH_EXACT}, {"prefix", IR_MATCH_PREFIX}, {"regex", IR_MATCH_REGEX}, {NULL, 0}};
static const name_value element_fields[] = {
    {"subca", IR_MATCH_SUBCA},         {"san", IR_MATCH_SAN},
    {"extension", IR_MATCH_EXTENSION}, {"end-entity", IR_MATCH_END_ENTITY},
    {"profile", IR_MATCH_PROFILE},     {NULL, 0}};

/* The value of name in table, or dflt when name is NULL (the XSD's default). */
static int lookup(const name_value *table, const char *name, int dflt)
{
    for (; name != NULL && table->name != NULL; table++)
        if (strcmp(table->name, name) == 0)
            return table->value;
    return dflt;
}

static int attr_lookup(const xmlNode *node, const char *attr, const name_value *table, int dflt)
{
    char *s = ir_xml_attr(node, attr);
    int v = lookup(table, s, dflt);

    free(s);
    return v;
}

static void compile_regex(ir_build *b, const xmlNode *node, ir_match *m)
{
    regex_t *re = calloc(1, sizeof(*re));
    char why[256];
    int rc;

    if (re == NULL) {
        b->nomem = true;
        return;
    }
    if (!ir_regex_within_bounds(m->value, why, sizeof(why))) {
        free(re);
        ir_diag_add(b->diag, ir_xml_line(node),
                    "<%s>: the regular expression '%.100s%s' is refused: %s; simplify it",
                    (const char *)node->name, m->value, strlen(m->value) > 100 ? "..." : "", why);
        return;
    }
    rc = regcomp(re, m->value, REG_EXTENDED | REG_NOSUB);
    if (rc == 0) {
        m->regex = re;
        return;
    }
    regerror(rc, re, why, sizeof(why));
    free(re);
    ir_diag_add(b->diag, ir_xml_line(node),
                "<%s>: the regular expression '%s' does not compile: %s", (const char *)node->name,
                m->value, why);
}

/* <subject attribute="O|OU|CN"> names its field by attribute; every other
 * match element by its own name. */
static ir_match_field field_of(const xmlNode *node)
{
    if (ir_xml_is(node, "subject"))
        return (ir_match_field)attr_lookup(node, "attribute", subject_fields, IR_MATCH_SUBJECT_O);
    return (ir_match_field)lookup(element_fields, (const char *)node->name, IR_MATCH_SUBCA);
}

static void build_match(ir_build *b, const xmlNode *node, void *item)
{
    ir_match *m = item;

    ir_build_line(b, m, node);
    m->field = field_of(node);
    m->kind = (ir_match_kind)attr_lookup(node, "match", match_kinds, IR_MATCH_EXACT);
    m->san_type = (ir_san_type)attr_lookup(node, "type", san_types, IR_SAN_ANY);
    m->oid = ir_build_attr(b, node, "oid");
    m->value = ir_build_text(b, node, NULL);
    if (m->kind == IR_MATCH_REGEX && m->value != NULL)
        compile_regex(b, node, m);
}

static void build_rule(ir_build *b, const xmlNode *node, void *item)
{
    ir_rule *r = item;

    ir_build_line(b, r, node);
    r->customer = ir_build_attr(b, node, "customer");
    r->matches = ir_build_list(b, node, NULL, sizeof(*r->matches), &r->n_matches, build_match);
}

void ir_build_rules(ir_build *b, const xmlNode *root)
{
    ir_config *cfg = b->cfg;

    cfg->rules = ir_build_list(b, ir_xml_child(root, "attribution"), "rule", sizeof(*cfg->rules),
                               &cfg->n_rules, build_rule);
}

/* An xs:decimal the XSD accepted ("10", "2.5", "+0.25"), read without
 * strtod, whose idea of the decimal point follows the locale. */
static double parse_decimal(const char *s)
{
    double v = 0, scale = 1;
    bool fraction = false;

    for (s += (*s == '+'); *s != '\0'; s++) {
        if (*s == '.') {
            fraction = true;
            continue;
        }
        v = v * 10 + (*s - '0');
        if (fraction)
            scale *= 10;
    }
    return v / scale;
}

static void build_quota(ir_build *b, const xmlNode *node, void *item)
{
    ir_quota *q = item;
    char *tps = ir_xml_attr(node, "tps");

    ir_build_line(b, q, node);
    q->api = ir_build_attr(b, node, "api");
    q->account_id = ir_build_attr(b, node, "account");
    q->tps = tps ? parse_decimal(tps) : 0;
    free(tps);
}

void ir_build_quotas(ir_build *b, const xmlNode *root)
{
    ir_config *cfg = b->cfg;

    cfg->quotas = ir_build_list(b, ir_xml_child(root, "quotas"), "quota", sizeof(*cfg->quotas),
                                &cfg->n_quotas, build_quota);
}
