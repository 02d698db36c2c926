/* iotregctl's views of the journal: status (counts by customer and state),
 * list (entries, page by page), show (one entry with its history). */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/runtime.h"
#include "cli/cli.h"
#include "config/config.h"
#include "journal/journal.h"
#include "journal/journal_json.h"

/* ---- status ---------------------------------------------------------------- */

typedef struct status_row {
    const char *customer; /* NULL: none; for a route, its CSP account */
    const char *region;   /* a route's region; NULL otherwise or when not routed */
    int64_t by_state[IR_STATE_COUNT];
    int64_t total;
} status_row;

static bool same_text(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Pivots the counts (ordered by customer, or by route) into one row per
 * customer or route; the last row is the total. Returns the number of rows
 * before it. */
static size_t pivot(const ir_count_row *c, size_t n, bool by_route, status_row *rows)
{
    const char *key, *region;
    size_t i, m = 0;

    for (i = 0; i < n; i++) {
        key = by_route ? c[i].csp_account : c[i].customer;
        region = by_route ? c[i].region : NULL;
        if (m == 0 || !same_text(rows[m - 1].customer, key) ||
            !same_text(rows[m - 1].region, region)) {
            rows[m].customer = key;
            rows[m++].region = region;
        }
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

static json_t *nullable(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static void status_json(const ir_config *cfg, const status_row *rows, size_t m,
                        const status_row *routes, size_t k)
{
    const ir_customer_conf *cust;
    json_t *by = json_array(), *by_route = json_array();
    json_t *row;
    size_t i;

    for (i = 0; i < m; i++) {
        cust = rows[i].customer != NULL ? ir_config_customer(cfg, rows[i].customer) : NULL;
        row = status_row_json(&rows[i]);
        json_object_set_new(row, "customer", nullable(rows[i].customer));
        json_object_set_new(row, "region", nullable(cust != NULL ? cust->region : NULL));
        json_array_append_new(by, row);
    }
    for (i = 0; i < k; i++) {
        row = status_row_json(&routes[i]);
        json_object_set_new(row, "cspAccount", nullable(routes[i].customer));
        json_object_set_new(row, "region", nullable(routes[i].region));
        json_array_append_new(by_route, row);
    }
    ir_cli_print_json(json_pack("{s:o, s:o, s:o}", "customers", by, "routes", by_route, "total",
                                status_row_json(&rows[m])));
}

static void status_line(const char *name, const status_row *r)
{
    int s;

    printf("%-32s", name);
    for (s = 0; s < IR_STATE_COUNT; s++)
        printf(" %14lld", (long long)r->by_state[s]);
    printf(" %10lld\n", (long long)r->total);
}

static void status_header(const char *first)
{
    int s;

    printf("%-32s", first);
    for (s = 0; s < IR_STATE_COUNT; s++)
        printf(" %14s", ir_entry_state_name((ir_entry_state)s));
    printf(" %10s\n", "total");
}

static void status_table(const ir_config *cfg, const status_row *rows, size_t m,
                         const status_row *routes, size_t k)
{
    const ir_customer_conf *cust;
    char name[IR_JOURNAL_NAME_MAX * 2 + 8];
    size_t i;

    status_header("CUSTOMER (REGION)");
    for (i = 0; i < m; i++) {
        cust = rows[i].customer != NULL ? ir_config_customer(cfg, rows[i].customer) : NULL;
        if (cust != NULL)
            snprintf(name, sizeof(name), "%s (%s)", cust->id, cust->region);
        else
            snprintf(name, sizeof(name), "%s", rows[i].customer ? rows[i].customer : "(none)");
        status_line(name, &rows[i]);
    }
    status_line("TOTAL", &rows[m]);
    printf("\n");
    status_header("CSP ACCOUNT / REGION");
    for (i = 0; i < k; i++) {
        if (routes[i].customer != NULL)
            snprintf(name, sizeof(name), "%s / %s", routes[i].customer,
                     routes[i].region ? routes[i].region : "-");
        else
            snprintf(name, sizeof(name), "(not routed yet)");
        status_line(name, &routes[i]);
    }
}

static const char status_usage[] =
    "usage: iotregctl [-c FILE] status [--json]\n\n"
    "Counts the journal's entries by customer (with the customer's region) and\n"
    "state: unattributed (waiting for `iotregctl assign`), pending (being\n"
    "delivered), parked (needs an operator: see `iotregctl list --state\n"
    "parked`), done, revoke-pending, revoked; then by route, the CSP account and\n"
    "region each certificate is delivered through (recorded before its first\n"
    "AWS call; \"not routed yet\" before that).\n";

/* Counts the journal by customer or by route into rows (the caller frees);
 * *m says how many before the total. */
static ir_rc count_pivot(ir_journal *j, bool by_route, ir_count_row **counts, size_t *n,
                         status_row **rows, size_t *m, ir_err *err)
{
    ir_rc rc =
        by_route ? ir_journal_count_routes(j, counts, n, err) : ir_journal_count(j, counts, n, err);

    *rows = NULL;
    *m = 0;
    if (rc != IR_OK)
        return rc;
    *rows = calloc(*n + 1, sizeof(**rows));
    if (*rows == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    *m = pivot(*counts, *n, by_route, *rows);
    return IR_OK;
}

static int status(const ir_cli_args *a)
{
    ir_count_row *counts = NULL, *route_counts = NULL;
    status_row *rows = NULL, *routes = NULL;
    ir_runtime rt;
    ir_err err = {0};
    size_t n = 0, m = 0, rn = 0, k = 0;
    int rc = ir_cli_open_runtime(&a->cli, IR_RT_JOURNAL, &rt);
    ir_rc jrc;

    if (rc != IR_CLI_OK)
        return rc;
    jrc = count_pivot(rt.journal, false, &counts, &n, &rows, &m, &err);
    if (jrc == IR_OK)
        jrc = count_pivot(rt.journal, true, &route_counts, &rn, &routes, &k, &err);
    if (jrc != IR_OK)
        ir_cli_error(&a->cli, "%s", err.msg);
    else if (a->cli.json)
        status_json(rt.cfg, rows, m, routes, k);
    else
        status_table(rt.cfg, rows, m, routes, k);
    free(rows);
    free(routes);
    ir_count_rows_free(counts, n);
    ir_count_rows_free(route_counts, rn);
    ir_runtime_close(&rt);
    return jrc == IR_OK ? IR_CLI_OK : IR_CLI_FAILED;
}

const ir_cli_command ir_cli_status = {
    "status", "count journal entries by customer and state", status_usage, "", IR_CLI_JSON, NULL,
    status};

/* ---- list ------------------------------------------------------------------ */

static int list_filter(const ir_cli_args *a, ir_list_filter *f)
{
    const char *state = ir_cli_value(a, "--state"), *limit = ir_cli_value(a, "--limit");
    const char *after = ir_cli_value(a, "--after");
    ir_entry_state st;
    ir_err err = {0};
    char *end = NULL;

    *f = (ir_list_filter){
        .state = -1, .customer = ir_cli_value(a, "--customer"), .limit = 100, .with_facts = true};
    if (state != NULL) {
        if (ir_entry_state_parse(state, &st, &err) != IR_OK) {
            ir_cli_error(&a->cli, "--state: %s", err.msg);
            return IR_CLI_USAGE;
        }
        f->state = (int)st;
    }
    if (limit != NULL &&
        ((f->limit = strtoul(limit, &end, 10)) == 0 || *end != '\0' || f->limit > 100000)) {
        ir_cli_error(&a->cli, "--limit '%s': give a number from 1 to 100000", limit);
        return IR_CLI_USAGE;
    }
    if (after != NULL && ((f->after_seq = strtoll(after, &end, 10)) < 0 || *end != '\0')) {
        ir_cli_error(&a->cli, "--after '%s': give the SEQ of the last entry seen", after);
        return IR_CLI_USAGE;
    }
    return IR_CLI_OK;
}

/* "ACCOUNT/REGION" as recorded before the first AWS call; "-" before. */
static void route_text(const ir_journal_entry *e, char *out, size_t n)
{
    const char *acct = ir_journal_entry_fact(e, IR_FACT_CSP_ACCOUNT);
    const char *region = ir_journal_entry_fact(e, IR_FACT_REGION);

    if (acct == NULL)
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%s/%s", acct, region != NULL ? region : "-");
}

static void list_table(const ir_entry_list *l)
{
    char updated[32], route[IR_JOURNAL_NAME_MAX * 2 + 2];
    size_t i;
    const ir_journal_entry *e;

    printf("%-8s %-64s %-14s %-9s %-16s %-16s %-28s %4s %-24s %s\n", "SEQ", "CERTID", "STATE",
           "STEP", "CUSTOMER", "SUBCA", "ROUTE", "TRY", "UPDATED", "LAST ERROR");
    for (i = 0; i < l->n; i++) {
        e = &l->items[i];
        ir_journal_time_text(e->updated_ms, updated);
        route_text(e, route, sizeof(route));
        printf("%-8lld %-64s %-14s %-9s %-16s %-16s %-28s %4d %-24s %s\n", (long long)e->seq,
               e->cert_id, ir_entry_state_name(e->state), e->step,
               e->customer ? e->customer : "(none)", e->subca, route, e->attempts, updated,
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
    ir_cli_print_json(
        json_pack("{s:o, s:o}", "entries", a, "next_after",
                  l->n == limit ? json_integer(l->items[l->n - 1].seq) : json_null()));
}

static const char list_usage[] =
    "usage: iotregctl [-c FILE] list [--state S] [--customer C] [--limit N]\n"
    "                               [--after SEQ] [--json]\n\n"
    "Lists journal entries in the order they were captured, at most N (default\n"
    "100) after SEQ. S is one of unattributed, pending, parked, done,\n"
    "revoke-pending, revoked. ROUTE is the CSP account and region the\n"
    "certificate goes through (\"-\" until recorded, before its first AWS call);\n"
    "--json gives them as facts. The last column is the last error, the park\n"
    "reason, or why an entry is unattributed.\n";

static int list(const ir_cli_args *a)
{
    ir_list_filter f;
    ir_entry_list l = {0};
    ir_runtime rt;
    ir_err err = {0};
    int rc;

    if ((rc = list_filter(a, &f)) != IR_CLI_OK ||
        (rc = ir_cli_open_runtime(&a->cli, IR_RT_JOURNAL, &rt)) != IR_CLI_OK)
        return rc;
    if (ir_journal_list(rt.journal, &f, &l, &err) != IR_OK) {
        ir_cli_error(&a->cli, "%s", err.msg);
        rc = IR_CLI_FAILED;
    } else if (a->cli.json) {
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

static const ir_cli_opt list_opts[] = {{"--state", false},
                                       {"--customer", false},
                                       {"--limit", false},
                                       {"--after", false},
                                       {NULL, false}};

const ir_cli_command ir_cli_list = {
    "list", "list journal entries", list_usage, "", IR_CLI_JSON, list_opts, list};

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

static void show_text(const ir_journal_entry *e)
{
    char t[32], attempts[16];
    size_t i;

    show_field("certificate id", e->cert_id);
    show_field("state", ir_entry_state_name(e->state));
    show_field("step", e->step);
    show_field("customer", e->customer ? e->customer : "(none)");
    show_field("endpoint", ir_journal_entry_fact(e, IR_FACT_ENDPOINT));
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
        if (strcmp(e->facts[i].key, IR_FACT_ENDPOINT) != 0)
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
    const char *endpoint = ir_journal_entry_fact(e, IR_FACT_ENDPOINT);

    if (doc != NULL && endpoint != NULL)
        json_object_set_new(doc, "endpoint", json_string(endpoint));
    return doc;
}

static const char show_usage[] =
    "usage: iotregctl [-c FILE] show CERTID [--json]\n\n"
    "Shows one journal entry (CERTID is the SHA-256 of the certificate, as\n"
    "iotregctl list shows it) with the history of its steps and, once delivered,\n"
    "the data endpoint its device connects to.\n";

static int show(const ir_cli_args *a)
{
    ir_journal_entry *e;
    ir_runtime rt;
    int rc = ir_cli_open_entry(a, IR_RT_JOURNAL, &rt, &e);

    if (rc != IR_CLI_OK)
        return rc;
    if (a->cli.json)
        ir_cli_print_json(show_json(e));
    else
        show_text(e);
    ir_journal_entry_free(e);
    ir_runtime_close(&rt);
    return IR_CLI_OK;
}

const ir_cli_command ir_cli_show = {
    "show", "show one entry and its history", show_usage, "CERTID", IR_CLI_JSON, NULL, show};
