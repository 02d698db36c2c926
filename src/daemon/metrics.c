/* iotregd's metrics: the families, and what feeds them (daemon/metrics.h). */
#include "autoconf.h"

#include "daemon/metrics.h"

#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"

struct ir_dmetrics {
    ir_metrics *m;
    int entries, parked, deliveries, delivery_seconds, step_seconds, revocations;
    int aws_requests, aws_throttles, aws_retries, assume_role;
    int spool_bytes, spool_taken, spool_lag, spool_last_drain, journal_errors;
    pthread_mutex_t lock;
    int64_t last_refresh_ms;  /* monotonic */
    int64_t last_drain_ms;    /* realtime; 0: none yet */
    int64_t spool_waiting_ms; /* realtime: since when the spool has held bytes; 0: empty */
};

static const char *const L_NONE[] = {NULL};
static const char *const L_STATE_CUSTOMER[] = {"state", "customer", NULL};
static const char *const L_CUSTOMER_REASON[] = {"customer", "reason", NULL};
static const char *const L_CUSTOMER_OUTCOME[] = {"customer", "outcome", NULL};
static const char *const L_CUSTOMER[] = {"customer", NULL};
static const char *const L_STEP_VERDICT[] = {"step", "verdict", NULL};
static const char *const L_OUTCOME[] = {"outcome", NULL};
static const char *const L_OP_STATUS[] = {"service", "operation", "status_class", NULL};
static const char *const L_OPERATION[] = {"service", "operation", NULL};
static const char *const L_OP[] = {"op", NULL};

static int counter(ir_metrics *m, const char *name, const char *help, const char *const *labels)
{
    return ir_metrics_family(m, name, help, IR_METRIC_COUNTER, labels, NULL, 0);
}

static int gauge(ir_metrics *m, const char *name, const char *help, const char *const *labels)
{
    return ir_metrics_family(m, name, help, IR_METRIC_GAUGE, labels, NULL, 0);
}

static int histogram(ir_metrics *m, const char *name, const char *help, const char *const *labels)
{
    return ir_metrics_family(m, name, help, IR_METRIC_HISTOGRAM, labels, ir_metrics_latency_buckets,
                             ir_metrics_n_latency_buckets);
}

/* Series whose label values are known up front start at 0, so that a
 * rate() or an alert sees them before the first event. */
static void zero_series(ir_dmetrics *dm)
{
    static const char *const ops[] = {"claim", "record", "spool", "count"};
    static const char *const revocations[] = {"revoked", "parked", "retry"};
    static const char *const assume[] = {"ok", "refused", "error"};
    size_t i;

    for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        ir_metrics_add(dm->m, dm->journal_errors, &ops[i], 0);
    for (i = 0; i < sizeof(revocations) / sizeof(revocations[0]); i++)
        ir_metrics_add(dm->m, dm->revocations, &revocations[i], 0);
    for (i = 0; i < sizeof(assume) / sizeof(assume[0]); i++)
        ir_metrics_add(dm->m, dm->assume_role, &assume[i], 0);
}

static void declare(ir_dmetrics *dm)
{
    ir_metrics *m = dm->m;

    dm->entries =
        gauge(m, "iotreg_entries", "Journal entries by state and customer.", L_STATE_CUSTOMER);
    dm->parked = gauge(m, "iotreg_parked_entries",
                       "Parked journal entries by customer and reason class.", L_CUSTOMER_REASON);
    dm->deliveries =
        counter(m, "iotreg_deliveries_total",
                "Entries that left a worker, by customer and outcome.", L_CUSTOMER_OUTCOME);
    dm->delivery_seconds = histogram(m, "iotreg_delivery_seconds",
                                     "Seconds from a certificate's capture to done.", L_CUSTOMER);
    dm->step_seconds =
        histogram(m, "iotreg_step_seconds", "Seconds one delivery step took, by step and verdict.",
                  L_STEP_VERDICT);
    dm->revocations = counter(m, "iotreg_revocations_total",
                              "Revocations that left a worker, by outcome.", L_OUTCOME);
    dm->aws_requests = counter(m, "iotreg_aws_requests_total",
                               "AWS requests sent (each attempt), by operation and HTTP status "
                               "class (none: no response).",
                               L_OP_STATUS);
    dm->aws_throttles = counter(m, "iotreg_aws_throttles_total",
                                "AWS requests answered with throttling.", L_OPERATION);
    dm->aws_retries =
        counter(m, "iotreg_aws_retries_total",
                "AWS requests the client sends again after a failed attempt.", L_OPERATION);
    dm->assume_role = counter(m, "iotreg_assume_role_total",
                              "AssumeRole calls: outcome ok (credentials issued or refreshed) or "
                              "refused (as a role check expects) or error.",
                              L_OUTCOME);
    dm->spool_bytes = gauge(m, "iotreg_spool_bytes",
                            "Bytes waiting in the journal's spool before the last round took it "
                            "in.",
                            L_NONE);
    dm->spool_taken = counter(m, "iotreg_spool_taken_total",
                              "Certificates taken in from the issuance tap's spool.", L_NONE);
    dm->spool_lag = gauge(m, "iotreg_spool_drain_lag_seconds",
                          "Seconds the spool has held certificates not yet taken in (0: empty "
                          "at the last round).",
                          L_NONE);
    dm->spool_last_drain = gauge(m, "iotreg_spool_last_drain_timestamp_seconds",
                                 "When the spool was last taken in (Unix time).", L_NONE);
    dm->journal_errors = counter(m, "iotreg_journal_errors_total",
                                 "Journal calls of the daemon that failed, by operation.", L_OP);
    zero_series(dm);
}

ir_dmetrics *ir_dmetrics_new(void)
{
    ir_dmetrics *dm = calloc(1, sizeof(*dm));

    if (dm == NULL)
        return NULL;
    dm->m = ir_metrics_new();
    if (dm->m == NULL) {
        free(dm);
        return NULL;
    }
    pthread_mutex_init(&dm->lock, NULL);
    declare(dm);
    return dm;
}

void ir_dmetrics_free(ir_dmetrics *dm)
{
    if (dm == NULL)
        return;
    ir_metrics_free(dm->m);
    pthread_mutex_destroy(&dm->lock);
    free(dm);
}

ir_metrics *ir_dmetrics_registry(ir_dmetrics *dm)
{
    return dm != NULL ? dm->m : NULL;
}

static const char *status_class(long status)
{
    static const char *const classes[] = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

    return status >= 100 && status <= 599 ? classes[status / 100] : "none";
}

void ir_dmetrics_aws_attempt(void *ctx, const ir_aws_attempt_info *a)
{
    ir_dmetrics *dm = ctx;
    const char *op[] = {a->service, a->operation};
    const char *req[] = {a->service, a->operation, status_class(a->http_status)};
    const char *outcome[1];

    if (dm == NULL)
        return;
    ir_metrics_add(dm->m, dm->aws_requests, req, 1);
    if (a->throttled)
        ir_metrics_add(dm->m, dm->aws_throttles, op, 1);
    if (a->will_retry)
        ir_metrics_add(dm->m, dm->aws_retries, op, 1);
    if (a->operation != NULL && strcmp(a->operation, "AssumeRole") == 0 && !a->will_retry) {
        outcome[0] = a->http_status / 100 == 2                        ? "ok"
                     : a->http_status == 403 || a->http_status == 400 ? "refused"
                                                                      : "error";
        ir_metrics_add(dm->m, dm->assume_role, outcome, 1);
    }
}

void ir_dmetrics_delivery(ir_dmetrics *dm, const char *customer, const char *outcome)
{
    const char *v[] = {customer, outcome};

    if (dm != NULL)
        ir_metrics_add(dm->m, dm->deliveries, v, 1);
}

void ir_dmetrics_delivered_after(ir_dmetrics *dm, const char *customer, double seconds)
{
    if (dm != NULL)
        ir_metrics_observe(dm->m, dm->delivery_seconds, &customer, seconds < 0 ? 0 : seconds);
}

void ir_dmetrics_step(ir_dmetrics *dm, const char *step, const char *verdict, double seconds)
{
    const char *v[] = {step, verdict};

    if (dm != NULL)
        ir_metrics_observe(dm->m, dm->step_seconds, v, seconds < 0 ? 0 : seconds);
}

void ir_dmetrics_revocation(ir_dmetrics *dm, const char *outcome)
{
    if (dm != NULL)
        ir_metrics_add(dm->m, dm->revocations, &outcome, 1);
}

void ir_dmetrics_journal_error(ir_dmetrics *dm, const char *op)
{
    if (dm != NULL)
        ir_metrics_add(dm->m, dm->journal_errors, &op, 1);
}

/* -- the spool -- */

/* The bytes of <journal>-spool and its <journal>-spool.taken-* files. */
static double spool_bytes(const char *journal_path)
{
    char spool[PATH_MAX], dir[PATH_MAX], path[PATH_MAX];
    const char *slash, *base;
    struct dirent *d;
    struct stat st;
    double total = 0;
    size_t blen;
    DIR *dp;

    if (snprintf(spool, sizeof(spool), "%s-spool", journal_path) >= (int)sizeof(spool))
        return 0;
    if (stat(spool, &st) == 0)
        total += (double)st.st_size;
    slash = strrchr(spool, '/');
    ir_strlcpy(dir, slash != NULL ? spool : ".", sizeof(dir));
    if (slash != NULL)
        dir[slash == spool ? 1 : (size_t)(slash - spool)] = '\0';
    base = slash != NULL ? slash + 1 : spool;
    blen = strlen(base);
    dp = opendir(dir);
    if (dp == NULL)
        return total;
    while ((d = readdir(dp)) != NULL)
        if (strncmp(d->d_name, base, blen) == 0 && strncmp(d->d_name + blen, ".taken-", 7) == 0 &&
            snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) < (int)sizeof(path) &&
            stat(path, &st) == 0)
            total += (double)st.st_size;
    closedir(dp);
    return total;
}

void ir_dmetrics_spool_before(ir_dmetrics *dm, const char *journal_path)
{
    double bytes;

    if (dm == NULL || journal_path == NULL)
        return;
    bytes = spool_bytes(journal_path);
    ir_metrics_set(dm->m, dm->spool_bytes, NULL, bytes);
    pthread_mutex_lock(&dm->lock);
    if (bytes > 0 && dm->spool_waiting_ms == 0)
        dm->spool_waiting_ms = ir_realtime_ms();
    pthread_mutex_unlock(&dm->lock);
}

void ir_dmetrics_spool_after(ir_dmetrics *dm, size_t moved, bool ok)
{
    if (dm == NULL)
        return;
    if (!ok) {
        ir_dmetrics_journal_error(dm, "spool");
        return;
    }
    ir_metrics_add(dm->m, dm->spool_taken, NULL, (double)moved);
    pthread_mutex_lock(&dm->lock);
    dm->last_drain_ms = ir_realtime_ms();
    dm->spool_waiting_ms = 0;
    pthread_mutex_unlock(&dm->lock);
}

void ir_dmetrics_prepare(ir_dmetrics *dm)
{
    int64_t waiting, drained;

    if (dm == NULL)
        return;
    pthread_mutex_lock(&dm->lock);
    waiting = dm->spool_waiting_ms;
    drained = dm->last_drain_ms;
    pthread_mutex_unlock(&dm->lock);
    ir_metrics_set(dm->m, dm->spool_lag, NULL,
                   waiting != 0 ? (double)(ir_realtime_ms() - waiting) / 1000.0 : 0);
    if (drained != 0)
        ir_metrics_set(dm->m, dm->spool_last_drain, NULL, (double)drained / 1000.0);
}

/* -- the journal's counts -- */

const char *ir_dmetrics_park_class(const char *reason)
{
    static const struct {
        const char *needle;
        const char *cls;
    } classes[] = {
        {"cannot act in customer", "customer_account"},
        {"role", "unsafe_role"},
        {"not in the configuration", "configuration"},
        {"is not configured", "configuration"},
        {"ransfer", "transfer"},
        {"policy", "policy"},
        {"thing", "thing"},
        {"owned by account", "certificate"},
        {"registered in another", "certificate"},
        {"does not parse", "certificate"},
        {"(HTTP ", "aws"},
    };
    size_t i;

    if (reason == NULL)
        return "other";
    for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        if (strstr(reason, classes[i].needle) != NULL)
            return classes[i].cls;
    return "other";
}

static ir_rc count_parked(void *ctx, const ir_journal_entry *e, ir_err *err)
{
    ir_dmetrics *dm = ctx;
    const char *v[] = {e->customer, ir_dmetrics_park_class(e->last_error)};

    (void)err;
    ir_metrics_add(dm->m, dm->parked, v, 1);
    return IR_OK;
}

void ir_dmetrics_refresh(ir_dmetrics *dm, ir_journal *j, bool force)
{
    ir_list_filter f = {0};
    ir_count_row *rows = NULL;
    ir_err err = {0};
    size_t n = 0, i;
    int64_t now = ir_monotonic_ms();

    if (dm == NULL || j == NULL)
        return;
    pthread_mutex_lock(&dm->lock);
    if (!force && now - dm->last_refresh_ms < 1000) {
        pthread_mutex_unlock(&dm->lock);
        return;
    }
    dm->last_refresh_ms = now;
    pthread_mutex_unlock(&dm->lock);
    if (ir_journal_count(j, &rows, &n, &err) != IR_OK) {
        ir_dmetrics_journal_error(dm, "count");
        return;
    }
    ir_metrics_zero(dm->m, dm->entries);
    for (i = 0; i < n; i++) {
        const char *v[] = {ir_entry_state_name(rows[i].state), rows[i].customer};
        ir_metrics_set(dm->m, dm->entries, v, (double)rows[i].count);
    }
    ir_count_rows_free(rows, n);
    /* A gauge's series are set afresh: zero, then count (not set) each. */
    ir_metrics_zero(dm->m, dm->parked);
    f.state = IR_STATE_PARKED;
    if (ir_journal_foreach(j, &f, count_parked, dm, &err) != IR_OK)
        ir_dmetrics_journal_error(dm, "count");
}
