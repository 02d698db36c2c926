#include "autoconf.h"

#include "aws/transport/ratelimit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

#define KEY_MAX           320
#define STS_DEFAULT_TPS   50.0
#define OTHER_DEFAULT_TPS 10.0

/* AWS IoT Core's published per-account, per-region quotas (TPS). */
static const struct {
    const char *api;
    double tps;
} published_quotas[] = {
    {"RegisterCertificate", 10},
    {"RegisterCACertificate", 10},
    {"RegisterCertificateWithoutCA", 10},
    {"TransferCertificate", 10},
    {"AcceptCertificateTransfer", 10},
    {"RejectCertificateTransfer", 10},
    {"CancelCertificateTransfer", 10},
    {"UpdateCertificate", 10},
    {"DescribeCertificate", 10},
    {"ListCertificates", 10},
    {"CreatePolicy", 10},
    {"GetPolicy", 10},
    {"AttachPolicy", 15},
    {"CreateThing", 15},
    {"AttachThingPrincipal", 15},
    {"AddThingToThingGroup", 15},
    {"DescribeEndpoint", 10},
    {"AssumeRole", STS_DEFAULT_TPS},
    {"GetCallerIdentity", STS_DEFAULT_TPS},
};

typedef struct bucket {
    struct bucket *next;
    uint64_t hash;
    int64_t interval_us;
    int64_t last_slot_us; /* when the last token handed out is due */
    bool used;
    uint64_t quota_generation;
    char key[];
} bucket;

typedef struct quota_override {
    struct quota_override *next;
    char *account_key; /* NULL: every account */
    char *api;
    double tps;
} quota_override;

struct ir_ratelimit {
    pthread_mutex_t lock;
    ir_clock_us_fn clock;
    void *clock_ctx;
    bucket **table;
    size_t n_slots;
    size_t n_buckets;
    quota_override *overrides;
    uint64_t quota_generation; /* bumped by every override, so buckets re-read */
    ir_ratelimit_shared_fn shared;
    void *shared_ctx;
    uint64_t shared_failures;
};

int64_t ir_clock_monotonic_us(void *ctx)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

ir_rc ir_ratelimit_new(ir_clock_us_fn clock, void *clock_ctx, ir_ratelimit **out, ir_err *err)
{
    ir_ratelimit *rl = calloc(1, sizeof(*rl));

    *out = NULL;
    if (rl != NULL)
        rl->table = calloc(64, sizeof(*rl->table));
    if (rl == NULL || rl->table == NULL) {
        free(rl);
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    }
    rl->n_slots = 64;
    rl->clock = clock != NULL ? clock : ir_clock_monotonic_us;
    rl->clock_ctx = clock_ctx;
    pthread_mutex_init(&rl->lock, NULL);
    *out = rl;
    return IR_OK;
}

void ir_ratelimit_free(ir_ratelimit *rl)
{
    size_t i;

    if (rl == NULL)
        return;
    for (i = 0; i < rl->n_slots; i++) {
        bucket *b = rl->table[i], *next;
        for (; b != NULL; b = next) {
            next = b->next;
            free(b);
        }
    }
    while (rl->overrides != NULL) {
        quota_override *o = rl->overrides;
        rl->overrides = o->next;
        free(o->account_key);
        free(o->api);
        free(o);
    }
    free(rl->table);
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

/* -- quotas -- */

double ir_ratelimit_default_quota(const char *service, const char *api)
{
    size_t i;

    for (i = 0; api != NULL && i < sizeof(published_quotas) / sizeof(*published_quotas); i++)
        if (strcmp(api, published_quotas[i].api) == 0)
            return published_quotas[i].tps;
    return service != NULL && strcmp(service, "sts") == 0 ? STS_DEFAULT_TPS : OTHER_DEFAULT_TPS;
}

static const quota_override *find_override(const ir_ratelimit *rl, const char *account_key,
                                           const char *api)
{
    const quota_override *o;

    for (o = rl->overrides; o != NULL; o = o->next)
        if (strcmp(o->api, api) == 0 &&
            (o->account_key == NULL
                 ? account_key == NULL
                 : account_key != NULL && strcmp(o->account_key, account_key) == 0))
            return o;
    return NULL;
}

static double quota_locked(const ir_ratelimit *rl, const char *account_key, const char *service,
                           const char *api)
{
    const quota_override *o = NULL;

    if (account_key != NULL)
        o = find_override(rl, account_key, api);
    if (o == NULL)
        o = find_override(rl, NULL, api);
    return o != NULL ? o->tps : ir_ratelimit_default_quota(service, api);
}

double ir_ratelimit_quota(ir_ratelimit *rl, const char *account_key, const char *service,
                          const char *api)
{
    double tps;

    pthread_mutex_lock(&rl->lock);
    tps = quota_locked(rl, account_key, service, api);
    pthread_mutex_unlock(&rl->lock);
    return tps;
}

static quota_override *override_new(const char *account_key, const char *api, double tps)
{
    quota_override *o = calloc(1, sizeof(*o));

    if (o == NULL)
        return NULL;
    o->account_key = account_key != NULL ? strdup(account_key) : NULL;
    o->api = strdup(api);
    o->tps = tps;
    if (o->api == NULL || (account_key != NULL && o->account_key == NULL)) {
        free(o->account_key);
        free(o->api);
        free(o);
        return NULL;
    }
    return o;
}

ir_rc ir_ratelimit_set_quota(ir_ratelimit *rl, const char *account_key, const char *api, double tps,
                             ir_err *err)
{
    quota_override *o;

    if (api == NULL || api[0] == '\0')
        return ir_err_set(err, IR_ERR_INVALID_ARG, "a quota needs an API name");
    if (!(tps > 0.0) || tps > IR_RATELIMIT_MAX_TPS)
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "quota for %s must be between 0 (exclusive) and %.0f requests per "
                          "second, not %g",
                          api, IR_RATELIMIT_MAX_TPS, tps);
    pthread_mutex_lock(&rl->lock);
    o = (quota_override *)find_override(rl, account_key, api);
    if (o != NULL) {
        o->tps = tps;
    } else if ((o = override_new(account_key, api, tps)) != NULL) {
        o->next = rl->overrides;
        rl->overrides = o;
    }
    rl->quota_generation++;
    pthread_mutex_unlock(&rl->lock);
    return o != NULL ? IR_OK : ir_err_set(err, IR_ERR_NOMEM, "out of memory");
}

/* -- buckets -- */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void table_grow_locked(ir_ratelimit *rl)
{
    size_t n = rl->n_slots * 2, i;
    bucket **t = calloc(n, sizeof(*t));

    if (t == NULL)
        return; /* longer chains, still correct */
    for (i = 0; i < rl->n_slots; i++) {
        bucket *b = rl->table[i], *next;
        for (; b != NULL; b = next) {
            next = b->next;
            b->next = t[b->hash % n];
            t[b->hash % n] = b;
        }
    }
    free(rl->table);
    rl->table = t;
    rl->n_slots = n;
}

static bucket *bucket_get_locked(ir_ratelimit *rl, const char *key)
{
    uint64_t h = fnv1a(key);
    size_t len = strlen(key);
    bucket *b;

    for (b = rl->table[h % rl->n_slots]; b != NULL; b = b->next)
        if (b->hash == h && strcmp(b->key, key) == 0)
            return b;
    b = calloc(1, sizeof(*b) + len + 1);
    if (b == NULL)
        return NULL;
    memcpy(b->key, key, len + 1);
    b->hash = h;
    b->quota_generation = UINT64_MAX; /* forces the first interval computation */
    if (rl->n_buckets >= rl->n_slots)
        table_grow_locked(rl);
    b->next = rl->table[h % rl->n_slots];
    rl->table[h % rl->n_slots] = b;
    rl->n_buckets++;
    return b;
}

/* (1 s + jitter allowance) / tps, rounded up: see ratelimit.h. */
int64_t ir_ratelimit_interval_us(double tps)
{
    double second = 1e6 + IR_RATELIMIT_JITTER_US;
    int64_t us = (int64_t)(second / tps);

    return (double)us * tps < second ? us + 1 : us;
}

void ir_ratelimit_set_shared(ir_ratelimit *rl, ir_ratelimit_shared_fn fn, void *ctx)
{
    pthread_mutex_lock(&rl->lock);
    rl->shared = fn;
    rl->shared_ctx = ctx;
    pthread_mutex_unlock(&rl->lock);
}

uint64_t ir_ratelimit_shared_failures(ir_ratelimit *rl)
{
    uint64_t n;

    pthread_mutex_lock(&rl->lock);
    n = rl->shared_failures;
    pthread_mutex_unlock(&rl->lock);
    return n;
}

/* The bucket's spacing, re-read when an override changed since. */
static int64_t interval_locked(ir_ratelimit *rl, bucket *b, const char *account_key,
                               const char *service, const char *api)
{
    if (b->quota_generation != rl->quota_generation) {
        b->interval_us = ir_ratelimit_interval_us(quota_locked(rl, account_key, service, api));
        b->quota_generation = rl->quota_generation;
    }
    return b->interval_us;
}

/* The next slot of the local bucket b; the wait until it is due. */
static int64_t take_local_locked(ir_ratelimit *rl, bucket *b)
{
    int64_t now = rl->clock(rl->clock_ctx);
    int64_t due =
        b->used && b->last_slot_us + b->interval_us > now ? b->last_slot_us + b->interval_us : now;

    b->last_slot_us = due;
    b->used = true;
    return due - now;
}

/* The shared slot, when a shared function is set: true with *wait set when
 * it answered. */
static bool take_shared(ir_ratelimit *rl, ir_ratelimit_shared_fn fn, void *ctx,
                        const char *account_key, const char *region, const char *api,
                        int64_t interval_us, int64_t *wait)
{
    char name[KEY_MAX];
    ir_err err = {0};

    snprintf(name, sizeof(name), "%.100s/%.40s/%.100s", account_key != NULL ? account_key : "",
             region != NULL ? region : "", api);
    if (fn(ctx, name, interval_us, wait, &err) == IR_OK) {
        if (*wait < 0)
            *wait = 0;
        return true;
    }
    ir_log_debug("rate limit of %s: the shared slot failed (%s); the local bucket decides", name,
                 err.msg);
    pthread_mutex_lock(&rl->lock);
    rl->shared_failures++;
    pthread_mutex_unlock(&rl->lock);
    return false;
}

int64_t ir_ratelimit_reserve(ir_ratelimit *rl, const char *account_key, const char *region,
                             const char *service, const char *api)
{
    char key[KEY_MAX];
    int64_t interval, wait = 0;
    ir_ratelimit_shared_fn fn;
    void *ctx;
    bucket *b;

    if (api == NULL)
        api = "";
    snprintf(key, sizeof(key), "%.128s\x1f%.64s\x1f%.100s", account_key != NULL ? account_key : "",
             region != NULL ? region : "", api);
    pthread_mutex_lock(&rl->lock);
    b = bucket_get_locked(rl, key);
    if (b == NULL) {
        pthread_mutex_unlock(&rl->lock);
        return 0;
    }
    interval = interval_locked(rl, b, account_key, service, api);
    fn = rl->shared;
    ctx = rl->shared_ctx;
    pthread_mutex_unlock(&rl->lock);
    if (fn != NULL && take_shared(rl, fn, ctx, account_key, region, api, interval, &wait))
        return wait;
    pthread_mutex_lock(&rl->lock);
    wait = take_local_locked(rl, b);
    pthread_mutex_unlock(&rl->lock);
    return wait;
}
