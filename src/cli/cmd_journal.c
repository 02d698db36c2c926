/* iotregctl journal commands: status, list, show, assign, import. */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/runtime.h"
#include "capture/capture.h"
#include "capture/import.h"
#include "capture/import_crl.h"
#include "cli/cli.h"
#include "core/util.h"
#include "journal/journal.h"
#include "journal/journal_json.h"

#define MAX_POSITIONAL 64

/* Options of the journal commands; -c and --json may follow the command
 * word as well as precede it. */
typedef struct jopts {
    const char *config;
    bool json;
    bool help;
    const char *state;
    const char *customer;
    const char *limit;
    const char *after;
    const char *openssl_db;
    const char *newcerts;
    const char *crl;
    char *pos[MAX_POSITIONAL];
    int npos;
} jopts;

static const char **option_slot(jopts *o, const char *name)
{
    if (strcmp(name, "-c") == 0)
        return &o->config;
    if (strcmp(name, "--state") == 0)
        return &o->state;
    if (strcmp(name, "--customer") == 0)
        return &o->customer;
    if (strcmp(name, "--limit") == 0)
        return &o->limit;
    if (strcmp(name, "--after") == 0)
        return &o->after;
    if (strcmp(name, "--openssl-db") == 0)
        return &o->openssl_db;
    if (strcmp(name, "--newcerts") == 0)
        return &o->newcerts;
    if (strcmp(name, "--crl") == 0)
        return &o->crl;
    return NULL;
}

/* allowed: the value options this command takes, e.g. "--state --customer". */
static int parse_opts(const ir_cli *cli, int argc, char **argv, const char *allowed, jopts *o)
{
    const char **slot;
    int i;

    memset(o, 0, sizeof(*o));
    o->config = cli->config_path;
    o->json = cli->json;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            o->help = true;
        } else if (strcmp(a, "--json") == 0) {
            o->json = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            slot = option_slot(o, a);
            if (slot == NULL || (strcmp(a, "-c") != 0 && strstr(allowed, a) == NULL)) {
                ir_cli_error(cli, "%s does not take %s (try iotregctl %s --help)", argv[0], a,
                             argv[0]);
                return IR_CLI_USAGE;
            }
            if (i + 1 >= argc) {
                ir_cli_error(cli, "%s needs a value (try iotregctl %s --help)", a, argv[0]);
                return IR_CLI_USAGE;
            }
            *slot = argv[++i];
        } else if (o->npos < MAX_POSITIONAL) {
            o->pos[o->npos++] = argv[i];
        } else {
            ir_cli_error(cli, "too many arguments (at most %d; give a directory instead)",
                         MAX_POSITIONAL);
            return IR_CLI_USAGE;
        }
    }
    return IR_CLI_OK;
}

static int open_journal(const ir_cli *cli, const jopts *o, ir_runtime *rt)
{
    ir_err err = {0};

    if (ir_runtime_open(o->config, IR_RT_JOURNAL, rt, &err) != IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        return IR_CLI_FAILED;
    }
    return IR_CLI_OK;
}

static void print_json(json_t *doc)
{
    json_dumpf(doc, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(doc);
}

static int check_cert_id(const ir_cli *cli, const char *id)
{
    if (ir_cert_id_valid(id))
        return IR_CLI_OK;
    ir_cli_error(cli,
                 "'%s' is not a certificate id: give the 64 lower-case hex characters iotregctl "
                 "list shows",
                 id);
    return IR_CLI_USAGE;
}

/* Whether a command goes on: not after a parse error, nor after --help
 * (usage printed, *rc stays OK), nor with the wrong arguments (*rc set). */
static bool gate(const ir_cli *cli, const char *cmd, const jopts *o, bool args_ok,
                 const char *usage, int *rc)
{
    if (*rc != IR_CLI_OK)
        return false;
    if (o->help) {
        fputs(usage, stdout);
        return false;
    }
    if (!args_ok) {
        ir_cli_error(cli, "wrong arguments for %s (try iotregctl %s --help)", cmd, cmd);
        *rc = IR_CLI_USAGE;
        return false;
    }
    return true;
}

/* ---- status ---------------------------------------------------------------- */

typedef struct status_row {
    const char *customer; /* NULL: none */
    int64_t by_state[IR_STATE_COUNT];
    int64_t total;
} status_row;

static bool same_customer(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Pivots the counts (ordered by customer) into one row per customer; the
 * last row is the total. Returns the number of customer rows. */
static size_t pivot(const ir_count_row *c, size_t n, status_row *rows)
{
    size_t i, m = 0;

    for (i = 0; i < n; i++) {
        if (m == 0 || !same_customer(rows[m - 1].customer, c[i].customer))
            rows[m++].customer = c[i].customer;
        rows[m - 1].by_state[c[i].state] += c[i].count;
        rows[m - 1].total += c[i].count;
        rows[n].by_state[c[i].state] += c[i].count;
        rows[n].total += c[i].count;
    }
    rows[m] = rows[n];
    return m;
}

static json_t *status_row_json(const status_row *r)
{
    json_t *o = json_object();
    int s;

    for (s = 0; s < IR_STATE_COUNT; s++)
        json_object_set_new(o, ir_entry_state_name((ir_entry_state)s),
                            json_integer(r->by_state[s]));
    json_object_set_new(o, "total", json_integer(r->total));
    return o;
}

static void status_json(const status_row *rows, size_t m)
{
    json_t *by = json_array();
    json_t *row;
    size_t i;

    for (i = 0; i < m; i++) {
        row = status_row_json(&rows[i]);
        json_object_set_new(row, "customer",
                            rows[i].customer ? json_string(rows[i].customer) : json_null());
        json_array_append_new(by, row);
    }
    print_json(json_pack("{s:o, s:o}", "customers", by, "total", status_row_json(&rows[m])));
}

static void status_line(const char *name, const status_row *r)
{
    int s;

    printf("%-24s", name);
    for (s = 0; s < IR_STATE_COUNT; s++)
        printf(" %14lld", (long long)r->by_state[s]);
    printf(" %10lld\n", (long long)r->total);
}

static void status_table(const status_row *rows, size_t m)
{
    size_t i;
    int s;

    printf("%-24s", "CUSTOMER");
    for (s = 0; s < IR_STATE_COUNT; s++)
        printf(" %14s", ir_entry_state_name((ir_entry_state)s));
    printf(" %10s\n", "total");
    for (i = 0; i < m; i++)
        status_line(rows[i].customer ? rows[i].customer : "(none)", &rows[i]);
    status_line("TOTAL", &rows[m]);
}

static const char status_usage[] =
    "usage: iotregctl [-c FILE] status [--json]\n\n"
    "Counts the journal's entries by customer and state: unattributed (waiting\n"
    "for `iotregctl assign`), pending (being delivered), parked (needs an\n"
    "operator: see `iotregctl list --state parked`), done, revoke-pending,\n"
    "revoked.\n";

static int cmd_status(const ir_cli *cli, int argc, char **argv)
{
    ir_count_row *counts = NULL;
    status_row *rows;
    ir_runtime rt;
    ir_err err = {0};
    size_t n = 0, m;
    jopts o;
    int rc = parse_opts(cli, argc, argv, "", &o);

    if (!gate(cli, "status", &o, o.npos == 0, status_usage, &rc))
        return rc;
    if ((rc = open_journal(cli, &o, &rt)) != IR_CLI_OK)
        return rc;
    if (ir_journal_count(rt.journal, &counts, &n, &err) != IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        ir_runtime_close(&rt);
        return IR_CLI_FAILED;
    }
    rows = calloc(n + 1, sizeof(*rows));
    m = rows ? pivot(counts, n, rows) : 0;
    if (rows != NULL && o.json)
        status_json(rows, m);
    else if (rows != NULL)
        status_table(rows, m);
    free(rows);
    ir_count_rows_free(counts, n);
    ir_runtime_close(&rt);
    return rows != NULL ? IR_CLI_OK : IR_CLI_FAILED;
}

/* ---- list ------------------------------------------------------------------ */

static int list_filter(const ir_cli *cli, const jopts *o, ir_list_filter *f)
{
    ir_entry_state st;
    ir_err err = {0};
    char *end = NULL;

    *f = (ir_list_filter){.state = -1, .customer = o->customer, .limit = 100};
    if (o->state != NULL) {
        if (ir_entry_state_parse(o->state, &st, &err) != IR_OK) {
            ir_cli_error(cli, "--state: %s", err.msg);
            return IR_CLI_USAGE;
        }
        f->state = (int)st;
    }
    if (o->limit != NULL &&
        ((f->limit = strtoul(o->limit, &end, 10)) == 0 || *end != '\0' || f->limit > 100000)) {
        ir_cli_error(cli, "--limit '%s': give a number from 1 to 100000", o->limit);
        return IR_CLI_USAGE;
    }
    if (o->after != NULL && ((f->after_seq = strtoll(o->after, &end, 10)) < 0 || *end != '\0')) {
        ir_cli_error(cli, "--after '%s': give the SEQ of the last entry seen", o->after);
        return IR_CLI_USAGE;
    }
    return IR_CLI_OK;
}

static void list_table(const ir_entry_list *l)
{
    char updated[32];
    size_t i;
    const ir_journal_entry *e;

    printf("%-8s %-64s %-14s %-9s %-16s %-16s %4s %-24s %s\n", "SEQ", "CERTID", "STATE", "STEP",
           "CUSTOMER", "SUBCA", "TRY", "UPDATED", "LAST ERROR");
    for (i = 0; i < l->n; i++) {
        e = &l->items[i];
        ir_journal_time_text(e->updated_ms, updated);
        printf("%-8lld %-64s %-14s %-9s %-16s %-16s %4d %-24s %s\n", (long long)e->seq, e->cert_id,
               ir_entry_state_name(e->state), e->step, e->customer ? e->customer : "(none)",
               e->subca, e->attempts, updated,
               e->last_error ? e->last_error
                             : (e->unattributed_reason ? e->unattributed_reason : ""));
    }
}

static void list_json(const ir_entry_list *l, size_t limit)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++)
        json_array_append_new(a, ir_journal_entry_json(&l->items[i]));
    print_json(json_pack("{s:o, s:o}", "entries", a, "next_after",
                         l->n == limit ? json_integer(l->items[l->n - 1].seq) : json_null()));
}

static const char list_usage[] =
    "usage: iotregctl [-c FILE] list [--state S] [--customer C] [--limit N]\n"
    "                               [--after SEQ] [--json]\n\n"
    "Lists journal entries in the order they were captured, at most N (default\n"
    "100) after SEQ. S is one of unattributed, pending, parked, done,\n"
    "revoke-pending, revoked. The last column is the last error, the park\n"
    "reason, or why an entry is unattributed.\n";

static int cmd_list(const ir_cli *cli, int argc, char **argv)
{
    ir_list_filter f;
    ir_entry_list l = {0};
    ir_runtime rt;
    ir_err err = {0};
    jopts o;
    int rc = parse_opts(cli, argc, argv, "--state --customer --limit --after", &o);

    if (!gate(cli, "list", &o, o.npos == 0, list_usage, &rc) ||
        (rc = list_filter(cli, &o, &f)) != IR_CLI_OK)
        return rc;
    if ((rc = open_journal(cli, &o, &rt)) != IR_CLI_OK)
        return rc;
    if (ir_journal_list(rt.journal, &f, &l, &err) != IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        rc = IR_CLI_FAILED;
    } else if (o.json) {
        list_json(&l, f.limit);
    } else {
        list_table(&l);
        if (l.n == f.limit)
            fprintf(stderr, "(more may follow: --after %lld)\n", (long long)l.items[l.n - 1].seq);
    }
    ir_entry_list_free(&l);
    ir_runtime_close(&rt);
    return rc;
}

/* ---- show ------------------------------------------------------------------ */

static void show_field(const char *name, const char *value)
{
    if (value != NULL)
        printf("%-20s %s\n", name, value);
}

static void show_times(const ir_journal_entry *e)
{
    char t[32];

    ir_journal_time_text(e->created_ms, t);
    show_field("created", t);
    ir_journal_time_text(e->updated_ms, t);
    show_field("updated", t);
    if (e->state == IR_STATE_PENDING || e->state == IR_STATE_REVOKE_PENDING) {
        ir_journal_time_text(e->next_attempt_ms, t);
        show_field("next attempt", t);
    }
    if (e->revocation_requested) {
        ir_journal_time_text(e->revocation_time_ms, t);
        printf("%-20s reason %d, revoked at %s\n", "revocation", e->revocation_reason, t);
    }
}

/* The value of fact key, or NULL. */
static const char *entry_fact(const ir_journal_entry *e, const char *key)
{
    size_t i;

    for (i = 0; i < e->n_facts; i++)
        if (strcmp(e->facts[i].key, key) == 0)
            return e->facts[i].value;
    return NULL;
}

static void show_text(const ir_journal_entry *e)
{
    char t[32], attempts[16];
    size_t i;

    show_field("certificate id", e->cert_id);
    show_field("state", ir_entry_state_name(e->state));
    show_field("step", e->step);
    show_field("customer", e->customer ? e->customer : "(none)");
    show_field("endpoint", entry_fact(e, "endpoint"));
    show_field("unattributed", e->unattributed_reason);
    show_field("subca", e->subca);
    show_field("source", ir_cert_source_name(e->source));
    show_field("end entity", e->end_entity);
    show_field("profile", e->profile);
    snprintf(attempts, sizeof(attempts), "%d", e->attempts);
    show_field("attempts", attempts);
    show_field("last error", e->last_error);
    show_field("claimed by", e->claimed_by);
    show_times(e);
    for (i = 0; i < e->n_facts; i++)
        if (strcmp(e->facts[i].key, "endpoint") != 0)
            printf("fact %-15s %s\n", e->facts[i].key, e->facts[i].value);
    printf("history:\n");
    for (i = 0; i < e->n_history; i++) {
        ir_journal_time_text(e->history[i].at_ms, t);
        printf("  %s  %-9s %-10s %s%s%s\n", t, e->history[i].step, e->history[i].result,
               e->history[i].detail ? e->history[i].detail : "",
               e->history[i].worker ? "  by " : "",
               e->history[i].worker ? e->history[i].worker : "");
    }
}

/* The entry as list --json has it, and the endpoint its device connects to. */
static json_t *show_json(const ir_journal_entry *e)
{
    json_t *doc = ir_journal_entry_json(e);
    const char *endpoint = entry_fact(e, "endpoint");

    if (doc != NULL && endpoint != NULL)
        json_object_set_new(doc, "endpoint", json_string(endpoint));
    return doc;
}

static const char show_usage[] =
    "usage: iotregctl [-c FILE] show CERTID [--json]\n\n"
    "Shows one journal entry (CERTID is the SHA-256 of the certificate, as\n"
    "iotregctl list shows it) with the history of its steps and, once delivered,\n"
    "the data endpoint its device connects to.\n";

static int cmd_show(const ir_cli *cli, int argc, char **argv)
{
    ir_journal_entry *e = NULL;
    ir_runtime rt;
    ir_err err = {0};
    jopts o;
    int rc = parse_opts(cli, argc, argv, "", &o);

    if (!gate(cli, "show", &o, o.npos == 1, show_usage, &rc))
        return rc;
    if ((rc = check_cert_id(cli, o.pos[0])) != IR_CLI_OK || (rc = open_journal(cli, &o, &rt)))
        return rc;
    if (ir_journal_get(rt.journal, o.pos[0], &e, &err) != IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        rc = IR_CLI_FAILED;
    } else if (o.json) {
        print_json(show_json(e));
    } else {
        show_text(e);
    }
    ir_journal_entry_free(e);
    ir_runtime_close(&rt);
    return rc;
}

/* ---- assign ---------------------------------------------------------------- */

static void list_customers(const ir_config *cfg, char *buf, size_t n)
{
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; i < cfg->n_customers && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", cfg->customers[i].id);
}

static int assign(const ir_cli *cli, ir_runtime *rt, const char *id, const char *customer)
{
    char names[512];
    ir_err err = {0};

    if (ir_config_customer(rt->cfg, customer) == NULL) {
        list_customers(rt->cfg, names, sizeof(names));
        ir_cli_error(cli, "no customer '%s' in %s (customers: %s); add it there first", customer,
                     rt->cfg->path, names[0] ? names : "none");
        return IR_CLI_FAILED;
    }
    if (ir_journal_assign(rt->journal, id, customer, &err) != IR_OK) {
        ir_cli_error(cli, "%s%s", err.msg,
                     err.rc == IR_ERR_STATE ? " (only unattributed entries can be assigned)" : "");
        return IR_CLI_FAILED;
    }
    printf("assigned %s to customer %s; iotregd delivers it next\n", id, customer);
    return IR_CLI_OK;
}

static const char assign_usage[] =
    "usage: iotregctl [-c FILE] assign CERTID CUSTOMER\n\n"
    "Attributes an unattributed entry to CUSTOMER (a customer of the\n"
    "configuration); the entry becomes pending and iotregd delivers it to that\n"
    "customer's account. Entries already attributed cannot be reassigned.\n";

static int cmd_assign(const ir_cli *cli, int argc, char **argv)
{
    ir_runtime rt;
    jopts o;
    int rc = parse_opts(cli, argc, argv, "", &o);

    if (!gate(cli, "assign", &o, o.npos == 2, assign_usage, &rc))
        return rc;
    if ((rc = check_cert_id(cli, o.pos[0])) != IR_CLI_OK || (rc = open_journal(cli, &o, &rt)))
        return rc;
    rc = assign(cli, &rt, o.pos[0], o.pos[1]);
    ir_runtime_close(&rt);
    return rc;
}

/* ---- import ---------------------------------------------------------------- */

#define REFUSALS_KEPT 1000

typedef struct import_report {
    bool json;
    bool bar;   /* a progress bar on standard error (a terminal) */
    bool shown; /* the bar is on the screen */
    int64_t last_draw_ms;
    json_t *refusals; /* {source, reason}, at most REFUSALS_KEPT */
} import_report;

static void on_refused(void *ctx, const char *what, const char *msg)
{
    import_report *r = ctx;

    if (json_array_size(r->refusals) < REFUSALS_KEPT)
        json_array_append_new(r->refusals, json_pack("{s:s, s:s}", "source", what, "reason", msg));
}

#define BAR_WIDTH 40

static void bar_clear(import_report *r)
{
    if (r->shown)
        fprintf(stderr, "\r%*s\r", BAR_WIDTH + 30, "");
    r->shown = false;
}

/* Redraws the bar at most ten times a second; gone when the import is done. */
static void on_progress(void *ctx, size_t done, size_t total)
{
    import_report *r = ctx;
    int64_t now = ir_monotonic_ms();
    int filled;

    if (!r->bar || (done < total && now - r->last_draw_ms < 100))
        return;
    if (done >= total) {
        bar_clear(r);
        return;
    }
    r->last_draw_ms = now;
    r->shown = true;
    filled = (int)((double)done / (double)total * BAR_WIDTH);
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu", filled, "########################################",
            BAR_WIDTH - filled, "", done, total);
}

static void import_summary(const ir_import_stats *s, const import_report *r)
{
    size_t i;
    json_t *x;

    if (r->json) {
        print_json(json_pack("{s:I, s:I, s:I, s:I, s:I, s:O}", "imported", (json_int_t)s->imported,
                             "unattributed", (json_int_t)s->unattributed, "already_known",
                             (json_int_t)s->known, "revocations", (json_int_t)s->revocations,
                             "refused", (json_int_t)s->refused, "refusals", r->refusals));
        return;
    }
    printf("imported %ld (unattributed %ld), already known %ld, revocations recorded %ld, "
           "refused %ld\n",
           s->imported, s->unattributed, s->known, s->revocations, s->refused);
    json_array_foreach(r->refusals, i, x)
        printf("  refused %s: %s\n", json_string_value(json_object_get(x, "source")),
               json_string_value(json_object_get(x, "reason")));
    if ((size_t)s->refused > json_array_size(r->refusals))
        printf("  ... and %ld more\n", s->refused - (long)json_array_size(r->refusals));
}

static const char import_usage[] =
    "usage: iotregctl [-c FILE] import [--json] PATH...\n"
    "       iotregctl [-c FILE] import [--json] --openssl-db INDEX --newcerts DIR\n"
    "       iotregctl [-c FILE] import [--json] --crl FILE\n\n"
    "Journals certificates issued before iotreg was installed, for delivery by\n"
    "iotregd. PATH is a certificate file (PEM, possibly several certificates, or\n"
    "DER) or a directory searched recursively for *.pem, *.crt, *.der and *.cer.\n"
    "With --openssl-db, each row of an `openssl ca` index.txt names the certificate\n"
    "DIR/SERIAL.pem (DIR is the CA's newcerts directory); revoked rows (R) are\n"
    "imported and get a revocation request, expired rows (E) are refused.\n\n"
    "Every certificate is handled on its own: ones already journaled are counted,\n"
    "refused ones (not a certificate, issuer not a configured SubCA, ...) are\n"
    "listed with the reason, and the rest is imported. A progress bar shows on\n"
    "a terminal. Exit status 0 when nothing was refused, 1 otherwise.\n\n"
    "With --crl, a CRL (PEM or DER) signed by a configured SubCA: every journaled\n"
    "certificate it lists gets a revocation request with the CRL's reason and\n"
    "date, which iotregd carries out wherever the certificate is in AWS.\n";

static ir_rc import_run(ir_import *imp, const jopts *o, ir_err *err)
{
    ir_pathlist list = {0};
    ir_rc rc = IR_OK;
    int i;

    if (o->openssl_db != NULL)
        return ir_import_openssl_db(imp, o->openssl_db, o->newcerts, err);
    for (i = 0; rc == IR_OK && i < o->npos; i++)
        rc = ir_import_collect(o->pos[i], &list, err);
    if (rc == IR_OK)
        rc = ir_import_files(imp, &list, err);
    ir_pathlist_free(&list);
    return rc;
}

static int import_with(const ir_cli *cli, const jopts *o, ir_runtime *rt)
{
    import_report rep = {
        .json = o->json, .bar = !o->json && isatty(STDERR_FILENO), .refusals = json_array()};
    ir_import imp = {.on_refused = on_refused, .on_progress = on_progress, .ctx = &rep};
    ir_err err = {0};
    ir_rc rc = ir_capture_ctx_new(rt->cfg, rt->journal, IR_SOURCE_IMPORT, &imp.capture, &err);

    if (rc == IR_OK)
        rc = import_run(&imp, o, &err);
    bar_clear(&rep);
    if (rc != IR_OK)
        ir_cli_error(cli, "%s (the import stopped here; what was imported before is kept)",
                     err.msg);
    import_summary(&imp.stats, &rep);
    json_decref(rep.refusals);
    ir_capture_ctx_free(imp.capture);
    return rc != IR_OK || imp.stats.refused > 0 ? IR_CLI_FAILED : IR_CLI_OK;
}

static int import_crl(const ir_cli *cli, const jopts *o, ir_runtime *rt)
{
    ir_crl_import_stats st;
    ir_err err = {0};

    if (ir_import_crl(rt->cfg, rt->journal, o->crl, &st, &err) != IR_OK) {
        ir_cli_error(cli, "%s", err.msg);
        return IR_CLI_FAILED;
    }
    if (o->json)
        print_json(json_pack("{s:I, s:I, s:I, s:I, s:I}", "listed", (json_int_t)st.listed,
                             "requested", (json_int_t)st.requested, "known", (json_int_t)st.known,
                             "not_revoked", (json_int_t)st.not_revoked, "absent",
                             (json_int_t)st.absent));
    else
        printf("CRL lists %ld revoked certificates: %ld revocations recorded, %ld requested "
               "before, %ld on hold or released (not revoked), %ld not in the journal\n",
               st.listed, st.requested, st.known, st.not_revoked, st.absent);
    return IR_CLI_OK;
}

static int cmd_import(const ir_cli *cli, int argc, char **argv)
{
    ir_runtime rt;
    jopts o;
    int rc = parse_opts(cli, argc, argv, "--openssl-db --newcerts --crl", &o);

    if (!gate(cli, "import", &o, true, import_usage, &rc))
        return rc;
    if (o.crl != NULL) {
        if (o.openssl_db != NULL || o.newcerts != NULL || o.npos > 0) {
            ir_cli_error(cli, "--crl FILE stands alone (try iotregctl import --help)");
            return IR_CLI_USAGE;
        }
        if ((rc = open_journal(cli, &o, &rt)) != IR_CLI_OK)
            return rc;
        rc = import_crl(cli, &o, &rt);
        ir_runtime_close(&rt);
        return rc;
    }
    if ((o.openssl_db != NULL) != (o.newcerts != NULL) || (o.openssl_db != NULL) == (o.npos > 0)) {
        ir_cli_error(cli, "give certificate files or directories, or --openssl-db INDEX with "
                          "--newcerts DIR (try iotregctl import --help)");
        return IR_CLI_USAGE;
    }
    if ((rc = open_journal(cli, &o, &rt)) != IR_CLI_OK)
        return rc;
    rc = import_with(cli, &o, &rt);
    ir_runtime_close(&rt);
    return rc;
}

const ir_cli_command ir_cli_journal_commands[] = {
    {"status", cmd_status, "[--json]", "count journal entries by customer and state"},
    {"list", cmd_list, "[--state S] [--customer C] [--limit N] [--json]", "list journal entries"},
    {"show", cmd_show, "CERTID [--json]", "show one entry and its history"},
    {"assign", cmd_assign, "CERTID CUSTOMER", "attribute an unattributed entry to a customer"},
    {"import", cmd_import, "PATH... | --openssl-db INDEX --newcerts DIR | --crl FILE",
     "journal certificates issued before iotreg was installed"},
    {NULL, NULL, NULL, NULL},
};
