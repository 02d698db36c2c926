#include "autoconf.h"

#include "app/route.h"

#include <stdlib.h>
#include <string.h>

#define ROUTE_MAX 64 /* CSP accounts one SubCA may shard a region across */

size_t ir_route_candidates(const ir_config *cfg, const ir_subca_conf *subca, const char *region,
                           const ir_csp_account **out, size_t max)
{
    const ir_csp_account *a;
    size_t i, n = 0;

    for (i = 0; i < subca->n_csp_accounts; i++) {
        a = ir_config_csp_account(cfg, subca->csp_accounts[i]);
        if (a == NULL || !ir_csp_account_serves(a, region))
            continue;
        if (n < max)
            out[n] = a;
        n++;
    }
    return n;
}

/* The first 32 bits of the certificate id (hex SHA-256): uniform. */
static size_t pick(const char *cert_id, size_t n)
{
    char head[9];

    memcpy(head, cert_id, 8);
    head[8] = '\0';
    return (size_t)(strtoul(head, NULL, 16) % n);
}

static ir_rc recorded(const ir_config *cfg, const ir_journal_entry *e, const char *name,
                      ir_route *out, ir_err *err)
{
    out->csp = ir_config_csp_account(cfg, name);
    out->recorded = true;
    if (out->csp == NULL)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "the CSP account '%s' this certificate was registered in is no longer "
                          "configured; add it back to <csp-accounts> (the certificate is there)",
                          name);
    out->region = ir_journal_entry_fact(e, IR_FACT_REGION);
    if (out->region == NULL)
        out->region = out->csp->region;
    return IR_OK;
}

ir_rc ir_route_entry(const ir_config *cfg, const ir_subca_conf *subca, const ir_customer_conf *cust,
                     const ir_journal_entry *e, ir_route *out, ir_err *err)
{
    const ir_csp_account *found[ROUTE_MAX];
    const char *name = ir_journal_entry_fact(e, IR_FACT_CSP_ACCOUNT);
    const char *region;
    size_t n;

    memset(out, 0, sizeof(*out));
    if (name != NULL)
        return recorded(cfg, e, name, out, err);
    region = cust != NULL ? cust->region : NULL;
    /* Registered before routes were recorded: by the SubCA's one account. */
    if (region == NULL || ir_journal_entry_fact(e, IR_FACT_AWS_CERT_ID) != NULL ||
        (e->step != NULL && strcmp(e->step, IR_STEP_FIRST) != 0)) {
        out->csp = ir_config_csp_account(cfg, subca->csp_account);
        out->region = region != NULL ? region : out->csp != NULL ? out->csp->region : NULL;
        return out->csp != NULL
                   ? IR_OK
                   : ir_err_set(err, IR_ERR_CONFIG,
                                "SubCA '%s' has no CSP account in the configuration", subca->name);
    }
    n = ir_route_candidates(cfg, subca, region, found, ROUTE_MAX);
    if (n == 0)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "no CSP account of SubCA '%s' serves %s, customer '%s''s region: add "
                          "<region>%s</region> to one of its CSP accounts, run `iotregctl ca "
                          "register %s --region %s`, then `iotregctl retry`",
                          subca->name, region, cust->id, region, subca->name, region);
    out->csp = found[pick(e->cert_id, n < ROUTE_MAX ? n : ROUTE_MAX)];
    out->region = region;
    return IR_OK;
}
