/* iotregd: drives every journal entry into its customer's AWS account. */
#include "autoconf.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <unistd.h>

#include "app/runtime.h"
#include "config/config.h"
#include "config/load.h"
#include "core/log.h"
#include "core/util.h"
#include "daemon/dispatch.h"
#include "daemon/metrics_serve.h"
#include "journal/journal.h"
#include "keystore/keystore.h"

#define WORKER_ID_MAX 160
#define GRACE_MS      3000

static atomic_int stop_flag;
static atomic_int reload_flag;

typedef struct daemon_opts {
    const char *config_path;
    bool foreground;
    bool once;
    int workers; /* 0: the configuration's */
} daemon_opts;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: iotregd [-c FILE] [--foreground] [--once] [--workers N]\n\n"
            "Claims due journal entries and drives each into its customer's AWS account:\n"
            "register in the CSP account, transfer, accept with the customer's delegated\n"
            "credentials, attach the policy and thing; and carries out revocations.\n\n"
            "  -c FILE        configuration (default: $IOTREG_CONF, else %s)\n"
            "  --foreground   stay in the foreground and log to stderr (default: detach and\n"
            "                 log to syslog, unless the configuration says otherwise)\n"
            "  --once         drain the work that is due now, then exit (entries waiting\n"
            "                 for a later retry stay pending)\n"
            "  --workers N    entries in progress at once (default: the configuration's)\n\n"
            "Signals: SIGTERM/SIGINT finish the current steps and exit within a few seconds;\n"
            "SIGHUP reloads the configuration, keeping the old one if the new one is invalid.\n",
            IR_CONFIG_DEFAULT_PATH);
}

static int parse_args(int argc, char **argv, daemon_opts *o)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            o->config_path = argv[++i];
        } else if (strcmp(argv[i], "--foreground") == 0 || strcmp(argv[i], "-f") == 0) {
            o->foreground = true;
        } else if (strcmp(argv[i], "--once") == 0) {
            o->once = true;
        } else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
            o->workers = atoi(argv[++i]);
            if (o->workers < 1 || o->workers > 1024) {
                fprintf(stderr, "iotregd: --workers takes a number from 1 to 1024\n");
                return 2;
            }
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "iotregd: unknown argument '%s' (try iotregd --help)\n", argv[i]);
            return 2;
        }
    }
    return -1;
}

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        atomic_store(&reload_flag, 1);
    atomic_store(&stop_flag, 1);
}

static void install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The name this process claims under: <worker-id> when configured (the
 * operator keeps it unique among the daemons on the journal, and it is
 * stable across restarts), else the host name and an id drawn at this start,
 * so that several daemons on one host, or a restarted one, are told apart. */
static void worker_id(const ir_config *cfg, char *out, size_t n)
{
    char host[64] = "localhost";
    uint32_t id = 0;

    if (cfg->daemon.worker_id != NULL) {
        snprintf(out, n, "%s", cfg->daemon.worker_id);
        return;
    }
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id))
        id = (uint32_t)getpid() ^ (uint32_t)ir_monotonic_ms();
    snprintf(out, n, "%s:%08x", host, id);
}

typedef struct own_claims {
    ir_journal *j;
    const char *worker;
    long released;
} own_claims;

static ir_rc release_if_ours(void *ctx, const ir_journal_entry *e, ir_err *err)
{
    own_claims *c = ctx;

    if (e->claimed_by != NULL && strcmp(e->claimed_by, c->worker) == 0 &&
        ir_journal_release(c->j, e->cert_id, c->worker, err) == IR_OK)
        c->released++;
    return IR_OK;
}

/* Entries a daemon of a configured (stable) worker id held when it died
 * are taken back at once rather than after their lease runs out. */
static void release_own_claims(ir_journal *j, const char *worker)
{
    static const ir_entry_state due[] = {IR_STATE_PENDING, IR_STATE_REVOKE_PENDING};
    own_claims c = {j, worker, 0};
    ir_list_filter f = {0};
    ir_err err = {0};
    size_t k;

    for (k = 0; k < sizeof(due) / sizeof(due[0]); k++) {
        f.state = (int)due[k];
        if (ir_journal_foreach(j, &f, release_if_ours, &c, &err) != IR_OK)
            ir_log_warn("taking back earlier claims: %s", err.msg);
    }
    if (c.released > 0)
        ir_log_info("took back %ld entries an earlier run had in progress", c.released);
}

/* Metrics, when <daemon><metrics> asks for them: the listener is bound now,
 * before the daemon detaches, so that a port in use fails the start. A
 * reload keeps the running listener and file (a change needs a restart). */
typedef struct metrics_out {
    ir_dmetrics *dm;
    ir_metrics_server *server;
} metrics_out;

static ir_rc metrics_open(const ir_config *cfg, metrics_out *mo, ir_err *err)
{
    ir_metrics_server_opts so = {cfg->daemon.metrics_listen, cfg->daemon.metrics_textfile,
                                 cfg->daemon.metrics_textfile_seconds * 1000};

    memset(mo, 0, sizeof(*mo));
    if (so.listen == NULL && so.textfile == NULL)
        return IR_OK;
    mo->dm = ir_dmetrics_new();
    if (mo->dm == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    return ir_metrics_server_open(mo->dm, &so, &mo->server, err);
}

static void metrics_close(metrics_out *mo)
{
    ir_metrics_server_close(mo->server);
    ir_dmetrics_free(mo->dm);
    memset(mo, 0, sizeof(*mo));
}

static bool same_text(const char *a, const char *b)
{
    return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static void metrics_note_reload(const ir_config *old, const ir_config *now)
{
    const ir_daemon_conf *a = &old->daemon, *b = &now->daemon;

    if (!same_text(a->metrics_listen, b->metrics_listen) ||
        !same_text(a->metrics_textfile, b->metrics_textfile) ||
        a->metrics_textfile_seconds != b->metrics_textfile_seconds)
        ir_log_warn("<metrics> changed: the running listener and textfile stay as they were "
                    "until iotregd restarts");
}

static int serve(const daemon_opts *o, ir_runtime *r, metrics_out *mo)
{
    char worker[WORKER_ID_MAX];
    ir_deliver_ctx ctx = {0};
    ir_dispatch_opts d = {0};
    ir_dispatch_stats stats = {0};
    ir_err err = {0};
    ir_runtime next;

    worker_id(r->cfg, worker, sizeof(worker));
    ir_log_info("claiming as worker %s", worker);
    if (r->cfg->daemon.worker_id != NULL)
        release_own_claims(r->journal, worker);
    for (;;) {
        ctx = (ir_deliver_ctx){.cfg = r->cfg,
                               .aws = r->aws,
                               .journal = r->journal,
                               .accounts = r->accounts,
                               .worker = worker,
                               .stop = &stop_flag,
                               .metrics = mo->dm};
        /* A stop does not wait for rate-limit slots or retry back-offs. */
        ir_aws_client_set_abort(r->aws, &stop_flag);
        if (mo->dm != NULL)
            ir_aws_client_set_observer(r->aws, ir_dmetrics_aws_attempt, mo->dm);
        d.workers = o->workers > 0 ? o->workers : r->cfg->daemon.concurrency;
        d.once = o->once;
        d.poll_ms = r->cfg->daemon.poll_ms > 0 ? r->cfg->daemon.poll_ms : 1000;
        d.lease_ms = r->cfg->daemon.lease_seconds * 1000;
        d.grace_ms = GRACE_MS;
        d.stop = &stop_flag;
        if (ir_dispatch_run(&ctx, &d, &stats, &err) != IR_OK) {
            ir_log_error("%s", err.msg);
            return 1;
        }
        ir_log_info("%ld entries claimed, %ld finished", stats.claimed, stats.finished);
        if (stats.abandoned) {
            /* Workers still hold r and the metrics: leave without freeing
             * them, the textfile written a last time. */
            if (mo->server != NULL && r->cfg->daemon.metrics_textfile != NULL)
                ir_metrics_write_textfile(mo->dm, r->cfg->daemon.metrics_textfile, &err);
            _exit(0);
        }
        if (!atomic_load(&reload_flag))
            return 0;
        atomic_store(&reload_flag, 0);
        atomic_store(&stop_flag, 0);
        if (ir_runtime_open(o->config_path, IR_RT_JOURNAL | IR_RT_AWS, &next, &err) != IR_OK) {
            ir_log_error("reload refused, keeping the running configuration: %s", err.msg);
            continue;
        }
        ir_log_info("configuration reloaded from %s", next.cfg->path);
        metrics_note_reload(r->cfg, next.cfg);
        if (!same_text(r->cfg->daemon.worker_id, next.cfg->daemon.worker_id))
            ir_log_warn("<worker-id> changed: this daemon claims as %s until it restarts", worker);
        ir_runtime_close(r);
        *r = next;
    }
}

int main(int argc, char **argv)
{
    daemon_opts o = {0};
    metrics_out mo;
    ir_runtime r;
    ir_err err = {0};
    int rc = parse_args(argc, argv, &o);

    if (rc >= 0)
        return rc;
    ir_log_set_prefix("iotregd");
    /* The daemon holds AWS secrets, session tokens and the token's PIN: no
     * core dumps, no ptrace by other processes of the same user. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        ir_log_warn("cannot keep secrets out of core dumps (PR_SET_DUMPABLE): %m");
    ir_ks_softhsm_env_allow(); /* our own process: SOFTHSM2_CONF from <softhsm-dir> */
    o.config_path = ir_config_resolve_path(o.config_path);
    if (ir_runtime_open(o.config_path, IR_RT_JOURNAL | IR_RT_AWS, &r, &err) != IR_OK) {
        ir_log_error("%s", err.msg);
        return 1;
    }
    if (metrics_open(r.cfg, &mo, &err) != IR_OK) {
        ir_log_error("%s", err.msg);
        metrics_close(&mo);
        ir_runtime_close(&r);
        return 1;
    }
    if (!o.foreground && !o.once) {
        if (daemon(0, 0) != 0) {
            ir_log_error("cannot detach: %m");
            metrics_close(&mo);
            ir_runtime_close(&r);
            return 1;
        }
        ir_log_use_syslog("iotregd");
    } else if (r.cfg->daemon.syslog) {
        ir_log_use_syslog("iotregd");
    }
    install_signals();
    if (mo.server != NULL && ir_metrics_server_start(mo.server, &err) != IR_OK) {
        ir_log_error("%s", err.msg);
        metrics_close(&mo);
        ir_runtime_close(&r);
        return 1;
    }
    rc = serve(&o, &r, &mo);
    /* The last textfile, with the journal's final counts, before the
     * client the observer counts is freed. */
    metrics_close(&mo);
    ir_runtime_close(&r);
    return rc;
}
