/* The rules no schema can say: references resolve, names are unique, a
 * customer has one way in, endpoints are safe, templates expand. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_internal.h"
#include "config/template.h"

typedef struct keyed {
    const char *key;
    const void *item;
    long line;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

typedef const char *(*key_fn)(const void *item);

/* Reports every item whose key an earlier item (by line) already has. */
static void check_unique(ir_config *cfg, ir_diag *d, const char *what, const void *items, size_t n,
                         size_t stride, key_fn key)
{
    keyed *k = calloc(n ? n : 1, sizeof(*k));
    size_t i, used = 0;

    if (k == NULL) {
        ir_diag_add_rc(d, IR_ERR_NOMEM, 0, "out of memory checking %s", what);
        return;
    }
    for (i = 0; i < n; i++) {
        const void *item = (const char *)items + i * stride;
        if (key(item) != NULL)
            k[used++] = (keyed){key(item), item, ir_config_line(cfg, key(item))};
    }
    qsort(k, used, sizeof(*k), keyed_cmp);
    for (i = 1; i < used; i++)
        if (strcmp(k[i - 1].key, k[i].key) == 0)
            ir_diag_add(d, k[i].line, "duplicate %s '%s' (also at line %ld)", what, k[i].key,
                        k[i - 1].line);
    free(k);
}

static const char *csp_name(const void *p)
{
    return ((const ir_csp_account *)p)->name;
}

static const char *subca_name(const void *p)
{
    return ((const ir_subca_conf *)p)->name;
}

static const char *customer_id(const void *p)
{
    return ((const ir_customer_conf *)p)->id;
}

static const char *customer_external_id(const void *p)
{
    return ((const ir_customer_conf *)p)->external_id;
}

static void check_names(ir_config *cfg, ir_diag *d)
{
    check_unique(cfg, d, "CSP account name", cfg->csp_accounts, cfg->n_csp_accounts,
                 sizeof(ir_csp_account), csp_name);
    check_unique(cfg, d, "SubCA name", cfg->subcas, cfg->n_subcas, sizeof(ir_subca_conf),
                 subca_name);
    check_unique(cfg, d, "customer id", cfg->customers, cfg->n_customers, sizeof(ir_customer_conf),
                 customer_id);
    check_unique(cfg, d, "ExternalId (each customer needs its own)", cfg->customers,
                 cfg->n_customers, sizeof(ir_customer_conf), customer_external_id);
}

/* The index of the first of v[0..n) equal to v[k], or k. */
static size_t first_equal(char *const *v, size_t k)
{
    size_t i;

    for (i = 0; i < k; i++)
        if (v[i] != NULL && v[k] != NULL && strcmp(v[i], v[k]) == 0)
            return i;
    return k;
}

static void check_subca_refs(ir_config *cfg, ir_diag *d)
{
    size_t i, k;
    const ir_subca_conf *s;
    const char *name;

    for (i = 0; i < cfg->n_subcas; i++) {
        s = &cfg->subcas[i];
        for (k = 0; k < s->n_csp_accounts; k++) {
            name = s->csp_accounts[k];
            if (name != NULL && ir_config_csp_account(cfg, name) == NULL)
                ir_diag_add(d, ir_config_line(cfg, name),
                            "SubCA '%s': CSP account '%s' is not defined in <csp-accounts>",
                            s->name, name);
            else if (first_equal(s->csp_accounts, k) != k)
                ir_diag_add(d, ir_config_line(cfg, name), "SubCA '%s' names CSP account '%s' twice",
                            s->name, name);
        }
    }
}

static void check_account_regions(ir_config *cfg, ir_diag *d)
{
    const ir_csp_account *a;
    size_t i, k;

    for (i = 0; i < cfg->n_csp_accounts; i++) {
        a = &cfg->csp_accounts[i];
        for (k = 0; k < a->n_regions; k++)
            if (first_equal(a->regions, k) != k)
                ir_diag_add(d, ir_config_line(cfg, a->regions[k]),
                            "CSP account '%s' lists region %s twice", a->name, a->regions[k]);
    }
}

static void check_rule_refs(ir_config *cfg, ir_diag *d)
{
    size_t i, j;
    const ir_rule *r;
    const ir_match *m;

    for (i = 0; i < cfg->n_rules; i++) {
        r = &cfg->rules[i];
        if (r->customer != NULL && ir_config_customer(cfg, r->customer) == NULL)
            ir_diag_add(d, ir_config_line(cfg, r),
                        "rule: customer '%s' is not defined in <customers>", r->customer);
        for (j = 0; j < r->n_matches; j++) {
            m = &r->matches[j];
            if (m->field == IR_MATCH_SUBCA && m->kind == IR_MATCH_EXACT && m->value != NULL &&
                ir_config_subca(cfg, m->value) == NULL)
                ir_diag_add(d, ir_config_line(cfg, m),
                            "rule for '%s': SubCA '%s' is not defined in <subcas>", r->customer,
                            m->value);
        }
    }
}

/* The account in arn:PARTITION:iam::ACCOUNT:role/NAME (the XSD checked the shape). */
static bool arn_account_is(const char *arn, const char *account_id)
{
    const char *p = strstr(arn, ":iam::");

    return p != NULL && strncmp(p + 6, account_id, 12) == 0;
}

static void check_customer_access(ir_config *cfg, ir_diag *d, const ir_customer_conf *c)
{
    long line = ir_config_line(cfg, c);

    if (c->role_arn != NULL && c->has_credentials)
        ir_diag_add(d, line,
                    "customer '%s' has both <role> and <credentials>: keep one (a role with an "
                    "external-id is preferred)",
                    c->id);
    else if (c->role_arn == NULL && !c->has_credentials)
        ir_diag_add(d, line,
                    "customer '%s' has neither <role> (with an external-id) nor <credentials>: "
                    "iotreg cannot act in its account",
                    c->id);
    if (c->role_arn != NULL && c->account_id != NULL && !arn_account_is(c->role_arn, c->account_id))
        ir_diag_add(d, ir_config_line(cfg, c->role_arn),
                    "customer '%s': role %s is not in the customer's account %s", c->id,
                    c->role_arn, c->account_id);
}

static void check_customer_account(ir_config *cfg, ir_diag *d, const ir_customer_conf *c)
{
    size_t i;

    for (i = 0; c->account_id != NULL && i < cfg->n_csp_accounts; i++)
        if (cfg->csp_accounts[i].account_id != NULL &&
            strcmp(cfg->csp_accounts[i].account_id, c->account_id) == 0)
            ir_diag_add(d, ir_config_line(cfg, c->account_id),
                        "customer '%s': account %s is the CSP account '%s'; a customer's "
                        "certificates must never be delivered to the CSP's own account",
                        c->id, c->account_id, cfg->csp_accounts[i].name);
}

static void check_template(ir_config *cfg, ir_diag *d, const ir_customer_conf *c)
{
    ir_err err = {0};

    if (c->thing_name_template != NULL && ir_template_check(c->thing_name_template, &err) != IR_OK)
        ir_diag_add(d, ir_config_line(cfg, c->thing_name_template),
                    "customer '%s': thing name-template: %s", c->id, err.msg);
}

/* "http://HOST[:port]..." names a loopback host. */
static bool is_loopback_http(const char *url)
{
    const char *host = url + strlen("http://");
    size_t n = strcspn(host, ":/");
    static const char *const loopback[] = {"localhost", "[::1]", NULL};
    size_t i;

    if (host[0] == '[')
        n = strcspn(host, "]") + 1;
    for (i = 0; loopback[i] != NULL; i++)
        if (strlen(loopback[i]) == n && strncasecmp(host, loopback[i], n) == 0)
            return true;
    return strncmp(host, "127.", 4) == 0 && strspn(host, "0123456789.") == n;
}

static void check_endpoint(ir_config *cfg, ir_diag *d, const char *owner, const char *endpoint,
                           bool allow_http)
{
    long line = ir_config_line(cfg, endpoint);

    if (endpoint == NULL || strncmp(endpoint, "http://", 7) != 0)
        return;
    if (!allow_http)
        ir_diag_add(d, line,
                    "%s: endpoint %s is plain http; use https, or for a local emulator add "
                    "<allow-http>true</allow-http>",
                    owner, endpoint);
    else if (!is_loopback_http(endpoint))
        ir_diag_add(d, line,
                    "%s: endpoint %s is plain http to a host that is not loopback; plain http "
                    "is accepted for 127.0.0.0/8, [::1] and localhost only",
                    owner, endpoint);
}

static void check_customers(ir_config *cfg, ir_diag *d)
{
    size_t i;
    const ir_customer_conf *c;
    char owner[96];

    for (i = 0; i < cfg->n_customers; i++) {
        c = &cfg->customers[i];
        check_customer_access(cfg, d, c);
        check_customer_account(cfg, d, c);
        check_template(cfg, d, c);
        snprintf(owner, sizeof(owner), "customer '%s'", c->id);
        check_endpoint(cfg, d, owner, c->endpoint, c->allow_http);
    }
    for (i = 0; i < cfg->n_csp_accounts; i++) {
        snprintf(owner, sizeof(owner), "CSP account '%s'", cfg->csp_accounts[i].name);
        check_endpoint(cfg, d, owner, cfg->csp_accounts[i].endpoint,
                       cfg->csp_accounts[i].allow_http);
    }
}

/* A conninfo is "key=value ..." or a postgresql:// URI; neither may carry
 * the password. */
static void check_conninfo(ir_config *cfg, ir_diag *d)
{
    const char *ci = cfg->journal.conninfo;
    const char *at, *scheme;

    if (ci == NULL)
        return;
    scheme = strstr(ci, "://");
    at = scheme ? strchr(scheme, '@') : NULL;
    if (strstr(ci, "password") != NULL ||
        (at != NULL && memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) != NULL))
        ir_diag_add(d, ir_config_line(cfg, ci),
                    "journal: the PostgreSQL conninfo holds a password; put it in a private "
                    "file named by <postgresql password-file=\"...\"/> (mode 0600) instead");
}

static bool known_account(const ir_config *cfg, const char *account_id)
{
    size_t i;

    for (i = 0; i < cfg->n_csp_accounts; i++)
        if (strcmp(cfg->csp_accounts[i].account_id, account_id) == 0)
            return true;
    for (i = 0; i < cfg->n_customers; i++)
        if (strcmp(cfg->customers[i].account_id, account_id) == 0)
            return true;
    return false;
}

static void check_quotas(ir_config *cfg, ir_diag *d)
{
    size_t i, j;
    const ir_quota *q, *p;

    for (i = 0; i < cfg->n_quotas; i++) {
        q = &cfg->quotas[i];
        if (q->account_id != NULL && !known_account(cfg, q->account_id))
            ir_diag_add(d, ir_config_line(cfg, q),
                        "quota for %s: account %s is neither a CSP account nor a customer's",
                        q->api, q->account_id);
        for (j = 0; j < i; j++) {
            p = &cfg->quotas[j];
            if (strcmp(p->api, q->api) == 0 &&
                strcmp(p->account_id ? p->account_id : "", q->account_id ? q->account_id : "") == 0)
                ir_diag_add(d, ir_config_line(cfg, q),
                            "duplicate quota for %s%s%s (also at line %ld)", q->api,
                            q->account_id ? " in account " : "", q->account_id ? q->account_id : "",
                            ir_config_line(cfg, p));
        }
    }
}

void ir_config_validate(ir_config *cfg, ir_diag *d)
{
    check_names(cfg, d);
    check_subca_refs(cfg, d);
    check_account_regions(cfg, d);
    check_rule_refs(cfg, d);
    check_customers(cfg, d);
    check_conninfo(cfg, d);
    check_quotas(cfg, d);
}
