#include "autoconf.h"

#include "app/runtime.h"

#include <string.h>

#include "app/settings.h"
#include "app/subca_certs.h"
#include "config/load.h"
#include "core/log.h"

static bool any_http(const ir_config *cfg)
{
    size_t i;

    for (i = 0; i < cfg->n_csp_accounts; i++)
        if (cfg->csp_accounts[i].allow_http)
            return true;
    for (i = 0; i < cfg->n_customers; i++)
        if (cfg->customers[i].allow_http)
            return true;
    return false;
}

static ir_rc make_client(const ir_config *cfg, ir_aws_client **out, ir_err *err)
{
    ir_aws_client_opts o;
    size_t i;
    ir_rc rc;

    ir_aws_client_opts_default(&o);
    o.allow_http = any_http(cfg);
    o.ca_file = cfg->aws.ca_file;
    if (cfg->aws.iot_signing_name != NULL)
        o.iot_signing_name = cfg->aws.iot_signing_name;
    if (cfg->aws.connect_timeout_ms > 0)
        o.connect_timeout_ms = cfg->aws.connect_timeout_ms;
    if (cfg->aws.request_timeout_ms > 0)
        o.request_timeout_ms = cfg->aws.request_timeout_ms;
    if (cfg->aws.max_attempts > 0)
        o.max_attempts = cfg->aws.max_attempts;
    if (cfg->aws.max_retry_ms > 0)
        o.max_retry_ms = cfg->aws.max_retry_ms;
    rc = ir_aws_client_new(&o, out, err);
    for (i = 0; rc == IR_OK && i < cfg->n_quotas; i++)
        rc = ir_aws_client_set_quota(*out, cfg->quotas[i].account_id, cfg->quotas[i].api,
                                     cfg->quotas[i].tps, err);
    return rc;
}

/* The AWS client's rate-limit slots, shared through the journal by every
 * process on it (ratelimit.h's shared-slot function). */
static ir_rc journal_slot(void *journal, const char *bucket, int64_t interval_us, int64_t *wait_us,
                          ir_err *err)
{
    return ir_journal_quota_reserve(journal, bucket, interval_us, wait_us, err);
}

/* A journal several processes share (PostgreSQL) holds the quota buckets,
 * so that N daemons on it together keep each one's spacing; one that
 * cannot (SQLite, one host) leaves the client its own. */
static void share_quotas(ir_runtime *rt)
{
    int64_t wait;
    ir_err err = {0};

    if (ir_journal_quota_reserve(rt->journal, "iotreg/probe", 1, &wait, &err) == IR_ERR_UNSUPPORTED)
        return;
    ir_aws_client_set_shared_quota(rt->aws, journal_slot, rt->journal);
    ir_log_debug("AWS rate limits shared through the journal");
}

ir_rc ir_runtime_open_journal(const ir_config *cfg, ir_journal **out, ir_err *err)
{
    ir_journal_opts opts;

    ir_journal_opts_from_config(cfg, &opts);
    return ir_journal_open(&opts, out, err);
}

ir_rc ir_runtime_open(const char *path, unsigned parts, ir_runtime *rt, ir_err *err)
{
    ir_err kerr = {0};
    ir_rc rc;

    memset(rt, 0, sizeof(*rt));
    rc = ir_config_load(ir_config_resolve_path(path), &rt->cfg, err);
    /* Delivery names the SubCA of every certificate it registers. */
    if (rc == IR_OK && (parts & IR_RT_AWS) && ir_subca_certs_from_keystore(rt->cfg, &kerr) != IR_OK)
        ir_log_warn("%s; certificates of that SubCA will be parked until it is fixed", kerr.msg);
    if (rc == IR_OK && (parts & IR_RT_JOURNAL))
        rc = ir_runtime_open_journal(rt->cfg, &rt->journal, err);
    if (rc == IR_OK && (parts & IR_RT_AWS))
        rc = make_client(rt->cfg, &rt->aws, err);
    if (rc == IR_OK && (parts & IR_RT_AWS))
        rc = ir_accounts_new(rt->cfg, rt->aws, &rt->accounts, err);
    if (rc == IR_OK && (parts & IR_RT_AWS) && (parts & IR_RT_JOURNAL))
        share_quotas(rt);
    if (rc != IR_OK)
        ir_runtime_close(rt);
    return rc;
}

void ir_runtime_close(ir_runtime *rt)
{
    ir_accounts_free(rt->accounts);
    ir_aws_client_free(rt->aws);
    ir_journal_close(rt->journal);
    ir_config_free(rt->cfg);
    memset(rt, 0, sizeof(*rt));
}
