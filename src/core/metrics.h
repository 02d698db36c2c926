/* A small metrics registry and Prometheus's text exposition format (0.0.4):
 * counters, gauges and histograms, each a family of series told apart by
 * label values. Thread-safe: any thread may update while another renders.
 *
 * Families are declared once (ir_metrics_family) and refer to by the index it
 * returns. Label values are copied; a family holds at most
 * IR_METRICS_MAX_SERIES series, and updates beyond that are dropped (and
 * counted in iotreg_metrics_dropped_series_total), so that a label fed from
 * outside can never grow memory without bound. Label values must be names
 * from the configuration or fixed words: never a secret, key or certificate
 * id. */
#ifndef IOTREG_CORE_METRICS_H
#define IOTREG_CORE_METRICS_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

#define IR_METRICS_MAX_LABELS  4
#define IR_METRICS_MAX_BUCKETS 24
#define IR_METRICS_MAX_SERIES  1024
#define IR_METRICS_MAX_FAMILY  48

typedef enum ir_metric_type {
    IR_METRIC_COUNTER,
    IR_METRIC_GAUGE,
    IR_METRIC_HISTOGRAM,
} ir_metric_type;

typedef struct ir_metrics ir_metrics;

ir_metrics *ir_metrics_new(void);
void ir_metrics_free(ir_metrics *m);

/* Declares a family: name and label names ([a-zA-Z_][a-zA-Z0-9_]*, NULL-
 * terminated list, at most IR_METRICS_MAX_LABELS); for a histogram, its
 * upper bounds in increasing order (+Inf is added). Returns its index, or -1
 * when a name is invalid, taken, or the registry is full. */
int ir_metrics_family(ir_metrics *m, const char *name, const char *help, ir_metric_type type,
                      const char *const *labels, const double *buckets, size_t n_buckets);

/* values: one for each of the family's labels (NULL counts as ""). A
 * negative family index (a failed declaration) is ignored. */
void ir_metrics_add(ir_metrics *m, int fam, const char *const *values, double v);
void ir_metrics_set(ir_metrics *m, int fam, const char *const *values, double v);
void ir_metrics_observe(ir_metrics *m, int fam, const char *const *values, double v);
/* Replaces a gauge family's values at once: n series, the label values of
 * series i at values[i * labels .. ], its value v[i]; every other series the
 * family has reads 0 (a state that emptied is still reported). A rendering
 * sees the old set or the new one, never half of each. */
void ir_metrics_gauge_replace(ir_metrics *m, int fam, const char *const *values, const double *v,
                              size_t n);

/* The text exposition of every family, appended to out. */
ir_rc ir_metrics_render(ir_metrics *m, ir_buf *out, ir_err *err);

/* Buckets for latencies in seconds, from 5 ms to 1 hour. */
extern const double ir_metrics_latency_buckets[];
extern const size_t ir_metrics_n_latency_buckets;

#endif
