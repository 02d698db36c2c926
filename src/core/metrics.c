/* The metrics registry and its text exposition (core/metrics.h). */
#include "autoconf.h"

#include "core/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double ir_metrics_latency_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                             2.5,   5,    10,    30,   60,  300,  900, 3600};
const size_t ir_metrics_n_latency_buckets =
    sizeof(ir_metrics_latency_buckets) / sizeof(ir_metrics_latency_buckets[0]);

typedef struct series {
    char *values[IR_METRICS_MAX_LABELS];
    double value; /* counter, gauge */
    double sum;   /* histogram */
    unsigned long long count;
    unsigned long long buckets[IR_METRICS_MAX_BUCKETS]; /* per bucket, not cumulative */
} series;

typedef struct family {
    char *name;
    char *help;
    ir_metric_type type;
    char *labels[IR_METRICS_MAX_LABELS];
    size_t n_labels;
    double bounds[IR_METRICS_MAX_BUCKETS];
    size_t n_bounds;
    series *s;
    size_t n, cap;
} family;

struct ir_metrics {
    pthread_mutex_t lock;
    family fams[IR_METRICS_MAX_FAMILY];
    size_t n_fams;
    unsigned long long dropped;
};

ir_metrics *ir_metrics_new(void)
{
    ir_metrics *m = calloc(1, sizeof(*m));

    if (m != NULL)
        pthread_mutex_init(&m->lock, NULL);
    return m;
}

static void family_free(family *f)
{
    size_t i, k;

    for (i = 0; i < f->n; i++)
        for (k = 0; k < f->n_labels; k++)
            free(f->s[i].values[k]);
    for (k = 0; k < f->n_labels; k++)
        free(f->labels[k]);
    free(f->s);
    free(f->name);
    free(f->help);
}

void ir_metrics_free(ir_metrics *m)
{
    size_t i;

    if (m == NULL)
        return;
    for (i = 0; i < m->n_fams; i++)
        family_free(&m->fams[i]);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static bool valid_name(const char *s, bool colon)
{
    size_t i;

    if (s == NULL || s[0] == '\0')
        return false;
    for (i = 0; s[i] != '\0'; i++) {
        char c = s[i];
        bool alpha =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

static bool family_taken(const ir_metrics *m, const char *name)
{
    size_t i;

    for (i = 0; i < m->n_fams; i++)
        if (strcmp(m->fams[i].name, name) == 0)
            return true;
    return false;
}

static bool labels_ok(const char *const *labels, size_t *n)
{
    size_t k;

    for (k = 0; labels != NULL && labels[k] != NULL; k++)
        if (k >= IR_METRICS_MAX_LABELS || !valid_name(labels[k], false) ||
            strncmp(labels[k], "__", 2) == 0 || strcmp(labels[k], "le") == 0)
            return false;
    *n = k;
    return true;
}

static bool bounds_ok(const double *b, size_t n)
{
    size_t i;

    if (n > IR_METRICS_MAX_BUCKETS - 1)
        return false;
    for (i = 0; i < n; i++)
        if (!isfinite(b[i]) || (i > 0 && b[i] <= b[i - 1]))
            return false;
    return true;
}

int ir_metrics_family(ir_metrics *m, const char *name, const char *help, ir_metric_type type,
                      const char *const *labels, const double *buckets, size_t n_buckets)
{
    family *f;
    size_t n_labels = 0, k;
    int idx = -1;

    if (m == NULL || !valid_name(name, true) || !labels_ok(labels, &n_labels) ||
        (type == IR_METRIC_HISTOGRAM && !bounds_ok(buckets, n_buckets)))
        return -1;
    pthread_mutex_lock(&m->lock);
    if (m->n_fams < IR_METRICS_MAX_FAMILY && !family_taken(m, name)) {
        f = &m->fams[m->n_fams];
        memset(f, 0, sizeof(*f));
        f->name = strdup(name);
        f->help = strdup(help != NULL ? help : "");
        f->type = type;
        f->n_labels = n_labels;
        for (k = 0; k < n_labels; k++)
            f->labels[k] = strdup(labels[k]);
        if (type == IR_METRIC_HISTOGRAM) {
            memcpy(f->bounds, buckets, n_buckets * sizeof(*buckets));
            f->n_bounds = n_buckets;
        }
        for (k = 0; k < n_labels && f->labels[k] != NULL; k++)
            ;
        if (f->name != NULL && f->help != NULL && k == n_labels)
            idx = (int)m->n_fams++;
        else
            family_free(f);
    }
    pthread_mutex_unlock(&m->lock);
    return idx;
}

static const char *value_or_empty(const char *const *values, size_t k)
{
    return values != NULL && values[k] != NULL ? values[k] : "";
}

/* The series of f with these values, created when new; NULL when the family
 * is full or memory ran out (the update is dropped). Under m->lock. */
static series *series_get(ir_metrics *m, family *f, const char *const *values)
{
    series *s, *grown;
    size_t i, k;

    for (i = 0; i < f->n; i++) {
        for (k = 0; k < f->n_labels; k++)
            if (strcmp(f->s[i].values[k], value_or_empty(values, k)) != 0)
                break;
        if (k == f->n_labels)
            return &f->s[i];
    }
    if (f->n >= IR_METRICS_MAX_SERIES) {
        m->dropped++;
        return NULL;
    }
    if (f->n == f->cap) {
        size_t cap = f->cap > 0 ? f->cap * 2 : 8;
        grown = realloc(f->s, cap * sizeof(*grown));
        if (grown == NULL) {
            m->dropped++;
            return NULL;
        }
        f->s = grown;
        f->cap = cap;
    }
    s = &f->s[f->n];
    memset(s, 0, sizeof(*s));
    for (k = 0; k < f->n_labels; k++) {
        s->values[k] = strdup(value_or_empty(values, k));
        if (s->values[k] == NULL) {
            while (k-- > 0)
                free(s->values[k]);
            m->dropped++;
            return NULL;
        }
    }
    f->n++;
    return s;
}

typedef enum op { OP_ADD, OP_SET, OP_OBSERVE } op;

static void update(ir_metrics *m, int fam, const char *const *values, double v, op o)
{
    family *f;
    series *s;
    size_t b;

    if (m == NULL || fam < 0 || isnan(v))
        return;
    pthread_mutex_lock(&m->lock);
    f = (size_t)fam < m->n_fams ? &m->fams[fam] : NULL;
    /* A counter only goes up; a histogram only observes. */
    if (f != NULL && ((o == OP_OBSERVE) != (f->type == IR_METRIC_HISTOGRAM) ||
                      (f->type == IR_METRIC_COUNTER && (o != OP_ADD || v < 0))))
        f = NULL;
    s = f != NULL ? series_get(m, f, values) : NULL;
    if (s != NULL) {
        if (o == OP_ADD)
            s->value += v;
        else if (o == OP_SET)
            s->value = v;
        else {
            for (b = 0; b < f->n_bounds && v > f->bounds[b]; b++)
                ;
            s->buckets[b]++; /* b == n_bounds: only +Inf */
            s->sum += v;
            s->count++;
        }
    }
    pthread_mutex_unlock(&m->lock);
}

void ir_metrics_add(ir_metrics *m, int fam, const char *const *values, double v)
{
    update(m, fam, values, v, OP_ADD);
}

void ir_metrics_set(ir_metrics *m, int fam, const char *const *values, double v)
{
    update(m, fam, values, v, OP_SET);
}

void ir_metrics_observe(ir_metrics *m, int fam, const char *const *values, double v)
{
    update(m, fam, values, v, OP_OBSERVE);
}

void ir_metrics_gauge_replace(ir_metrics *m, int fam, const char *const *values, const double *v,
                              size_t n)
{
    family *f;
    series *s;
    size_t i;

    if (m == NULL || fam < 0)
        return;
    pthread_mutex_lock(&m->lock);
    f = (size_t)fam < m->n_fams && m->fams[fam].type == IR_METRIC_GAUGE ? &m->fams[fam] : NULL;
    for (i = 0; f != NULL && i < f->n; i++)
        f->s[i].value = 0;
    for (i = 0; f != NULL && i < n; i++) {
        s = series_get(m, f, values + i * f->n_labels);
        if (s != NULL && !isnan(v[i]))
            s->value = v[i];
    }
    pthread_mutex_unlock(&m->lock);
}

/* -- the text exposition -- */

/* The shortest of %.15g and %.17g that reads back as v; +Inf, -Inf, NaN. */
static void fmt_double(double v, char out[40])
{
    if (isnan(v)) {
        strcpy(out, "NaN");
    } else if (isinf(v)) {
        strcpy(out, v > 0 ? "+Inf" : "-Inf");
    } else {
        snprintf(out, 40, "%.15g", v);
        if (strtod(out, NULL) != v)
            snprintf(out, 40, "%.17g", v);
    }
}

/* HELP text escapes \ and newline; label values also ". */
static ir_rc append_escaped(ir_buf *out, const char *s, bool quote, ir_err *err)
{
    ir_rc rc = IR_OK;

    for (; *s != '\0' && rc == IR_OK; s++) {
        if (*s == '\\')
            rc = ir_buf_append(out, "\\\\", 2, err);
        else if (*s == '\n')
            rc = ir_buf_append(out, "\\n", 2, err);
        else if (quote && *s == '"')
            rc = ir_buf_append(out, "\\\"", 2, err);
        else
            rc = ir_buf_append(out, s, 1, err);
    }
    return rc;
}

/* NAME{a="x",b="y",le="0.5"} VALUE\n (no braces without labels). */
static ir_rc sample(ir_buf *out, const family *f, const series *s, const char *suffix,
                    const char *le, double v, ir_err *err)
{
    char num[40];
    size_t k;
    bool any = f->n_labels > 0 || le != NULL;
    ir_rc rc = ir_buf_appendf(out, err, "%s%s%s", f->name, suffix, any ? "{" : "");

    for (k = 0; k < f->n_labels && rc == IR_OK; k++) {
        rc = ir_buf_appendf(out, err, "%s%s=\"", k > 0 ? "," : "", f->labels[k]);
        if (rc == IR_OK)
            rc = append_escaped(out, s->values[k], true, err);
        if (rc == IR_OK)
            rc = ir_buf_append(out, "\"", 1, err);
    }
    if (rc == IR_OK && le != NULL)
        rc = ir_buf_appendf(out, err, "%sle=\"%s\"", f->n_labels > 0 ? "," : "", le);
    fmt_double(v, num);
    if (rc == IR_OK)
        rc = ir_buf_appendf(out, err, "%s %s\n", any ? "}" : "", num);
    return rc;
}

static ir_rc render_histogram(ir_buf *out, const family *f, const series *s, ir_err *err)
{
    char le[40];
    unsigned long long cum = 0;
    size_t b;
    ir_rc rc = IR_OK;

    for (b = 0; b <= f->n_bounds && rc == IR_OK; b++) {
        cum += s->buckets[b];
        if (b < f->n_bounds)
            fmt_double(f->bounds[b], le);
        else
            strcpy(le, "+Inf");
        rc = sample(out, f, s, "_bucket", le, (double)cum, err);
    }
    if (rc == IR_OK)
        rc = sample(out, f, s, "_sum", NULL, s->sum, err);
    if (rc == IR_OK)
        rc = sample(out, f, s, "_count", NULL, (double)s->count, err);
    return rc;
}

static ir_rc render_family(ir_buf *out, const family *f, ir_err *err)
{
    static const char *const type_names[] = {"counter", "gauge", "histogram"};
    size_t i;
    ir_rc rc = ir_buf_appendf(out, err, "# HELP %s ", f->name);

    if (rc == IR_OK)
        rc = append_escaped(out, f->help, false, err);
    if (rc == IR_OK)
        rc = ir_buf_appendf(out, err, "\n# TYPE %s %s\n", f->name, type_names[f->type]);
    for (i = 0; i < f->n && rc == IR_OK; i++)
        rc = f->type == IR_METRIC_HISTOGRAM
                 ? render_histogram(out, f, &f->s[i], err)
                 : sample(out, f, &f->s[i], "", NULL, f->s[i].value, err);
    return rc;
}

ir_rc ir_metrics_render(ir_metrics *m, ir_buf *out, ir_err *err)
{
    size_t i;
    ir_rc rc = IR_OK;

    pthread_mutex_lock(&m->lock);
    for (i = 0; i < m->n_fams && rc == IR_OK; i++)
        rc = render_family(out, &m->fams[i], err);
    if (rc == IR_OK)
        rc = ir_buf_appendf(out, err,
                            "# HELP iotreg_metrics_dropped_series_total Updates dropped because "
                            "a metric had too many series.\n"
                            "# TYPE iotreg_metrics_dropped_series_total counter\n"
                            "iotreg_metrics_dropped_series_total %llu\n",
                            m->dropped);
    pthread_mutex_unlock(&m->lock);
    return rc;
}
