/* iotregd's metrics: the families, and what feeds them (daemon/metrics.h). */
#include "autoconf.h"

#include "daemon/metrics.h"

#include <dirent.h>
#include <limits.h>
#include <stddef.h>
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
    int spool_bytes, spool_taken, spool_lag, spool_last_drain, journal_errors, journal_up;
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

/* Every family: where its index goes, its name, type, labels and help. */
typedef struct family_def {
    size_t field; /* offsetof(ir_dmetrics, ...) */
    const char *name;
    ir_metric_type type;
    const char *const *labels;
    const char *help;
} family_def;

#define F(field, name, type, labels, help)                                                         \
    {                                                                                              \
        offsetof(ir_dmetrics, field), name, IR_METRIC_##type, labels, help                         \
    }

static const family_def families[] = {
    F(entries, "iotreg_entries", GAUGE, L_STATE_CUSTOMER, "Journal entries by state and customer."),
    F(parked, "iotreg_parked_entries", GAUGE, L_CUSTOMER_REASON,
      "Parked journal entries by customer and reason class."),
    F(deliveries, "iotreg_deliveries_total", COUNTER, L_CUSTOMER_OUTCOME,
      "Entries that left a worker, by customer and outcome."),
    F(delivery_seconds, "iotreg_delivery_seconds", HISTOGRAM, L_CUSTOMER,
      "Seconds from a certificate's capture to done."),
    F(step_seconds, "iotreg_step_seconds", HISTOGRAM, L_STEP_VERDICT,
      "Seconds one delivery step took, by step and verdict."),
    F(revocations, "iotreg_revocations_total", COUNTER, L_OUTCOME,
      "Revocations that left a worker, by outcome."),
    F(aws_requests, "iotreg_aws_requests_total", COUNTER, L_OP_STATUS,
      "AWS requests sent (each attempt), by operation and HTTP status class (none: no "
      "response)."),
    F(aws_throttles, "iotreg_aws_throttles_total", COUNTER, L_OPERATION,
      "AWS requests answered with throttling."),
    F(aws_retries, "iotreg_aws_retries_total", COUNTER, L_OPERATION,
      "AWS requests the client sends again after a failed attempt."),
    F(assume_role, "iotreg_assume_role_total", COUNTER, L_OUTCOME,
      "AssumeRole calls: outcome ok (credentials issued or refreshed) or refused (as a role "
      "check expects) or error."),
    F(spool_bytes, "iotreg_spool_bytes", GAUGE, L_NONE,
      "Bytes waiting in the journal's spool when the last round took it in."),
    F(spool_taken, "iotreg_spool_taken_total", COUNTER, L_NONE,
      "Certificates taken in from the issuance tap's spool."),
    F(spool_lag, "iotreg_spool_drain_lag_seconds", GAUGE, L_NONE,
      "Seconds the spool has held certificates not yet taken in (0: empty at the last round)."),
    F(spool_last_drain, "iotreg_spool_last_drain_timestamp_seconds", GAUGE, L_NONE,
      "When the spool was last taken in (Unix time)."),
    F(journal_errors, "iotreg_journal_errors_total", COUNTER, L_OP,
      "Journal calls of the daemon that failed, by operation."),
    F(journal_up, "iotreg_journal_up", GAUGE, L_NONE,
      "1 while the journal answers the daemon's claims, 0 while its database cannot be reached "
      "(claiming stopped)."),
};
#undef F

/* Series whose label values are known up front start at 0, so that a
 * rate() or an alert sees them before the first event. */
static void zero_series(ir_dmetrics *dm)
{
    static const char *const ops[] = {"claim", "record", "spool", "count", "renew"};
    static const char *const revocations[] = {"revoked", "parked", "retry"};
    static const char *const assume[] = {"ok", "refused", "error"};
    size_t i;

    for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        ir_metrics_add(dm->m, dm->journal_errors, &ops[i], 0);
    for (i = 0; i < sizeof(revocations) / sizeof(revocations[0]); i++)
        ir_metrics_add(dm->m, dm->revocations, &revocations[i], 0);
    for (i = 0; i < sizeof(assume) / sizeof(assume[0]); i++)
        ir_metrics_add(dm->m, dm->assume_role, &assume[i], 0);
    ir_metrics_set(dm->m, dm->journal_up, NULL, 1);
}

static void declare(ir_dmetrics *dm)
{
    const family_def *f;
    size_t i;

    for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
        f = &families[i];
        *(int *)((char *)dm + f->field) =
            ir_metrics_family(dm->m, f->name, f->help, f->type, f->labels,
                              f->type == IR_METRIC_HISTOGRAM ? ir_metrics_latency_buckets : NULL,
                              f->type == IR_METRIC_HISTOGRAM ? ir_metrics_n_latency_buckets : 0);
    }
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

void ir_dmetrics_journal_up(ir_dmetrics *dm, bool up)
{
    if (dm != NULL)
        ir_metrics_set(dm->m, dm->journal_up, NULL, up ? 1 : 0);
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

/* Parked entries counted by (customer, reason class), then set at once. */
typedef struct parked_group {
    char *customer; /* owned; NULL for none */
    const char *cls;
    double n;
} parked_group;

typedef struct parked_counts {
    parked_group *g;
    size_t len, cap;
} parked_counts;

static bool same(const char *a, const char *b)
{
    return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static ir_rc count_parked(void *ctx, const ir_journal_entry *e, ir_err *err)
{
    parked_counts *pc = ctx;
    const char *cls = ir_dmetrics_park_class(e->last_error);
    parked_group *grown;
    size_t i, cap;

    for (i = 0; i < pc->len; i++)
        if (pc->g[i].cls == cls && same(pc->g[i].customer, e->customer)) {
            pc->g[i].n++;
            return IR_OK;
        }
    if (pc->len == pc->cap) {
        cap = pc->cap > 0 ? pc->cap * 2 : 16;
        if (cap > IR_METRICS_MAX_SERIES)
            return IR_OK; /* the metric would drop them anyway */
        grown = realloc(pc->g, cap * sizeof(*grown));
        if (grown == NULL)
            return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
        pc->g = grown;
        pc->cap = cap;
    }
    pc->g[pc->len] = (parked_group){e->customer != NULL ? strdup(e->customer) : NULL, cls, 1};
    pc->len++;
    return IR_OK;
}

static void refresh_parked(ir_dmetrics *dm, ir_journal *j)
{
    parked_counts pc = {0};
    ir_list_filter f = {0};
    const char **values = NULL;
    double *v = NULL;
    ir_err err = {0};
    size_t i;

    f.state = IR_STATE_PARKED;
    if (ir_journal_foreach(j, &f, count_parked, &pc, &err) != IR_OK) {
        ir_dmetrics_journal_error(dm, "count");
    } else {
        values = calloc(pc.len * 2 + 1, sizeof(*values));
        v = calloc(pc.len + 1, sizeof(*v));
    }
    if (values != NULL && v != NULL) {
        for (i = 0; i < pc.len; i++) {
            values[2 * i] = pc.g[i].customer;
            values[2 * i + 1] = pc.g[i].cls;
            v[i] = pc.g[i].n;
        }
        ir_metrics_gauge_replace(dm->m, dm->parked, values, v, pc.len);
    }
    free(values);
    free(v);
    for (i = 0; i < pc.len; i++)
        free(pc.g[i].customer);
    free(pc.g);
}

static void refresh_entries(ir_dmetrics *dm, ir_journal *j)
{
    ir_count_row *rows = NULL;
    const char **values;
    double *v;
    ir_err err = {0};
    size_t n = 0, i;

    if (ir_journal_count(j, &rows, &n, &err) != IR_OK) {
        ir_dmetrics_journal_error(dm, "count");
        return;
    }
    values = calloc(n * 2 + 1, sizeof(*values));
    v = calloc(n + 1, sizeof(*v));
    if (values != NULL && v != NULL) {
        for (i = 0; i < n; i++) {
            values[2 * i] = ir_entry_state_name(rows[i].state);
            values[2 * i + 1] = rows[i].customer;
            v[i] = (double)rows[i].count;
        }
        ir_metrics_gauge_replace(dm->m, dm->entries, values, v, n);
    }
    free(values);
    free(v);
    ir_count_rows_free(rows, n);
}

void ir_dmetrics_refresh(ir_dmetrics *dm, ir_journal *j, bool force)
{
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
    refresh_entries(dm, j);
    refresh_parked(dm, j);
}
