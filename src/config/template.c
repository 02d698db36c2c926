/* The syntax of thing name templates: which variables exist, what literal
 * text may hold. */
#include "autoconf.h"

#include <string.h>

#include "config/template.h"

#define VAR_NAME_MAX 32
#define TMPL_QUOTE   "%.64s%s" /* the template in messages, at most 64 chars */
#define TMPL_ARGS(t) (t), strlen(t) > 64 ? "..." : ""

typedef struct variable {
    const char *name;
    ir_template_part part;
} variable;

static const variable variables[] = {
    {"subject.CN", IR_TEMPLATE_SUBJECT_CN},
    {"subject.O", IR_TEMPLATE_SUBJECT_O},
    {"subject.OU", IR_TEMPLATE_SUBJECT_OU},
    {"serial", IR_TEMPLATE_SERIAL},
    {"certid", IR_TEMPLATE_CERTID},
    {"certid8", IR_TEMPLATE_CERTID8},
    {"customer", IR_TEMPLATE_CUSTOMER},
    {"san.dns", IR_TEMPLATE_SAN_DNS},
    {NULL, IR_TEMPLATE_LITERAL},
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

bool ir_template_plain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* Literal text is the operator's and is not escaped, so it must already be
 * plain: a literal ':' could imitate an escape and merge two names. */
static ir_rc literal_error(const char *tmpl, unsigned char c, ir_err *err)
{
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

static bool starts_variable(const char *p)
{
    return p[0] == '$' && p[1] == '{';
}

/* The literal text at p, up to a variable, the end or a character that is
 * not plain: handed to fn, then that character refused. */
static ir_rc walk_literal(const char *tmpl, const char **p, ir_template_part_fn fn, void *ctx,
                          ir_err *err)
{
    const char *start = *p;
    ir_rc rc = IR_OK;

    while (**p != '\0' && !starts_variable(*p) && ir_template_plain_char((unsigned char)**p))
        (*p)++;
    if (fn != NULL && *p > start)
        rc = fn(ctx, IR_TEMPLATE_LITERAL, start, (size_t)(*p - start), err);
    if (rc == IR_OK && **p != '\0' && !starts_variable(*p))
        rc = literal_error(tmpl, (unsigned char)**p, err);
    return rc;
}

ir_rc ir_template_walk(const char *tmpl, ir_template_part_fn fn, void *ctx, ir_err *err)
{
    const char *p = tmpl;
    const variable *var = NULL;
    ir_rc rc = IR_OK;

    while (rc == IR_OK && *p != '\0') {
        if (!starts_variable(p)) {
            rc = walk_literal(tmpl, &p, fn, ctx, err);
            continue;
        }
        rc = parse_variable(p + 2, &var, &p, err);
        if (rc == IR_OK && fn != NULL)
            rc = fn(ctx, var->part, NULL, 0, err);
    }
    return rc;
}

ir_rc ir_template_check(const char *tmpl, ir_err *err)
{
    if (tmpl == NULL || tmpl[0] == '\0')
        return ir_err_set(err, IR_ERR_CONFIG, "the thing name template is empty");
    return ir_template_walk(tmpl, NULL, NULL, err);
}
