/* iotregctl journal copy: moves a SQLite journal, with its history, into
 * the configured journal (PostgreSQL, when outgrowing one host), entry by
 * entry (one transaction each: ir_journal_copy_entry), then checks what it
 * wrote. Run again, it copies what is missing and checks again. */
#include "autoconf.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/settings.h"
#include "cli/cli.h"
#include "config/config.h"
#include "config/load.h"
#include "core/util.h"
#include "journal/journal.h"

#define SOURCE_PREFIX "sqlite:"
#define PAGE          1000  /* entries the walk lists at a time */
#define PROGRESS      10000 /* entries between two progress lines on stderr */

static const char copy_usage[] =
    "usage: iotregctl [-c FILE] journal copy --from sqlite:PATH [--json]\n\n"
    "Copies every entry of the SQLite journal PATH, with its history and facts,\n"
    "into the configured journal (e.g. PostgreSQL), each in one transaction and\n"
    "unclaimed; an entry whose certificate the configured journal holds already\n"
    "is left as it is there, so running the command again copies only what is\n"
    "missing. Then it checks: every entry of PATH is in the configured journal\n"
    "(the same certificate), the ones copied now with the same state, step and\n"
    "number of history rows and facts (one that an iotregd on the configured\n"
    "journal has worked on since keeps at least its history rows), and the\n"
    "source's counts by state are the entries walked. Prints the counts by\n"
    "state; exits nonzero, naming the certificates, when they do not match.\n"
    "Stop iotregd on the SQLite journal first: entries it holds are copied\n"
    "unclaimed (a warning says so).\n\n"
    "options:\n"
    "  --from sqlite:PATH  the SQLite journal to copy (never created)\n";

static const ir_cli_opt copy_opts[] = {{"--from", false}, {NULL, false}};

typedef struct mismatch {
    char cert_id[IR_CERT_ID_LEN + 1];
    const char *why;
} mismatch;

typedef struct copy_run {
    ir_journal *src, *dst;
    int64_t now;
    int64_t total;                   /* entries the source listed before copying */
    int64_t live;                    /* of them, claimed under a lease not yet run out */
    int64_t entries;                 /* entries walked */
    int64_t copied;                  /* written now */
    int64_t already;                 /* there before */
    int64_t history;                 /* history rows of the source's entries */
    int64_t facts;                   /* facts of the source's entries */
    int64_t counted[IR_STATE_COUNT]; /* the source's counts by state */
    int64_t copied_in[IR_STATE_COUNT];
    int64_t already_in[IR_STATE_COUNT];
    int states_off; /* states whose count differs from the entries walked */
    mismatch *bad;
    size_t n_bad, cap_bad;
} copy_run;

static bool matches(const copy_run *r)
{
    return r->n_bad == 0 && r->states_off == 0;
}

static ir_rc add_mismatch(copy_run *r, const char *cert_id, const char *why, ir_err *err)
{
    mismatch *m;

    if (r->n_bad == r->cap_bad) {
        m = realloc(r->bad, (r->cap_bad ? r->cap_bad * 2 : 16) * sizeof(*m));
        if (m == NULL)
            return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
        r->bad = m;
        r->cap_bad = r->cap_bad ? r->cap_bad * 2 : 16;
    }
    m = &r->bad[r->n_bad++];
    snprintf(m->cert_id, sizeof(m->cert_id), "%s", cert_id);
    m->why = why;
    return IR_OK;
}

/* Why copy (as the destination holds it) is not original, or NULL. An
 * entry there before, or one a daemon on the destination has worked on
 * since it was copied (its update time moved), may have moved on: only its
 * certificate, and for the latter a history that kept every row, are
 * compared. */
static const char *differs(const ir_journal_entry *copy, const ir_journal_entry *original,
                           bool copied_now)
{
    if (copy->der_len != original->der_len || memcmp(copy->der, original->der, copy->der_len) != 0)
        return "a different certificate under its id";
    if (!copied_now)
        return NULL;
    if (copy->n_history < original->n_history)
        return "fewer history rows";
    if (copy->updated_ms != original->updated_ms)
        return NULL;
    if (copy->state != original->state)
        return "a different state";
    if (strcmp(copy->step, original->step) != 0)
        return "a different step";
    if (copy->n_history != original->n_history)
        return "a different number of history rows";
    if (copy->n_facts != original->n_facts)
        return "a different number of facts";
    return NULL;
}

/* Copies one entry of the source (listed without its DER) and checks it. */
static ir_rc copy_one(void *ctx, const ir_journal_entry *listed, ir_err *err)
{
    copy_run *r = ctx;
    ir_journal_entry *e = NULL, *there = NULL;
    const char *why = NULL;
    bool copied = false;
    ir_rc rc = ir_journal_get(r->src, listed->cert_id, &e, err);

    if (rc == IR_OK)
        rc = ir_journal_copy_entry(r->dst, e, &copied, err);
    if (rc != IR_OK) {
        ir_journal_entry_free(e);
        ir_err_prefix(err, "%s: ", listed->cert_id);
        return rc;
    }
    r->entries++;
    r->history += (int64_t)e->n_history;
    r->facts += (int64_t)e->n_facts;
    (copied ? r->copied_in : r->already_in)[e->state]++;
    *(copied ? &r->copied : &r->already) += 1;
    rc = ir_journal_get(r->dst, e->cert_id, &there, err);
    if (rc == IR_ERR_NOT_FOUND)
        why = "missing from the destination";
    else if (rc == IR_OK)
        why = differs(there, e, copied);
    rc = rc == IR_ERR_NOT_FOUND ? IR_OK : rc;
    if (rc == IR_OK && why != NULL)
        rc = add_mismatch(r, e->cert_id, why, err);
    ir_journal_entry_free(there);
    ir_journal_entry_free(e);
    if (r->total >= PROGRESS && r->entries % PROGRESS == 0)
        fprintf(stderr, "iotregctl: journal copy: %lld of %lld entries\n", (long long)r->entries,
                (long long)r->total);
    return rc;
}

/* How many entries the source has, and how many a running iotregd holds. */
static ir_rc survey_one(void *ctx, const ir_journal_entry *e, ir_err *err)
{
    copy_run *r = ctx;

    (void)err;
    r->total++;
    if (e->claimed_by != NULL && e->lease_until_ms > r->now)
        r->live++;
    return IR_OK;
}

static ir_rc count_source(copy_run *r, ir_err *err)
{
    ir_count_row *rows = NULL;
    size_t n = 0, i;
    ir_rc rc = ir_journal_count(r->src, &rows, &n, err);

    for (i = 0; rc == IR_OK && i < n; i++)
        r->counted[rows[i].state] += rows[i].count;
    ir_count_rows_free(rows, n);
    return rc;
}

static ir_rc run_copy(copy_run *r, ir_err *err)
{
    ir_list_filter all = {.state = -1, .limit = PAGE};
    ir_rc rc;
    int s;

    r->now = ir_realtime_ms();
    rc = ir_journal_foreach(r->src, &all, survey_one, r, err);
    if (rc == IR_OK && r->live > 0)
        fprintf(stderr,
                "iotregctl: journal copy: warning: %lld entries of the source are claimed by a "
                "running iotregd (their leases have not run out): stop iotregd first; they are "
                "copied unclaimed, as they are now\n",
                (long long)r->live);
    if (rc == IR_OK)
        rc = ir_journal_foreach(r->src, &all, copy_one, r, err);
    if (rc == IR_OK)
        rc = count_source(r, err);
    for (s = 0; rc == IR_OK && s < IR_STATE_COUNT; s++)
        r->states_off += r->counted[s] != r->copied_in[s] + r->already_in[s];
    return rc;
}

static void print_text(const copy_run *r)
{
    int s;
    size_t i;

    printf("%lld entries in the source: %lld copied, %lld already there; %lld history rows; %s\n",
           (long long)r->entries, (long long)r->copied, (long long)r->already,
           (long long)r->history, matches(r) ? "counts match" : "COUNTS DO NOT MATCH");
    printf("%-16s %10s %10s %10s\n", "STATE", "SOURCE", "COPIED", "ALREADY");
    for (s = 0; s < IR_STATE_COUNT; s++)
        printf("%-16s %10lld %10lld %10lld\n", ir_entry_state_name((ir_entry_state)s),
               (long long)r->counted[s], (long long)r->copied_in[s], (long long)r->already_in[s]);
    printf("%-16s %10lld %10lld %10lld\n", "total", (long long)r->entries, (long long)r->copied,
           (long long)r->already);
    for (i = 0; i < r->n_bad; i++)
        fprintf(stderr, "iotregctl: journal copy: %s: %s\n", r->bad[i].cert_id, r->bad[i].why);
    for (s = 0; s < IR_STATE_COUNT; s++)
        if (r->counted[s] != r->copied_in[s] + r->already_in[s])
            fprintf(stderr,
                    "iotregctl: journal copy: the source counts %lld entries %s but %lld were "
                    "walked (did a program write to it while copying?)\n",
                    (long long)r->counted[s], ir_entry_state_name((ir_entry_state)s),
                    (long long)(r->copied_in[s] + r->already_in[s]));
}

static void print_json(const copy_run *r, const char *from)
{
    json_t *states = json_object(), *bad = json_array();
    size_t i;
    int s;

    for (s = 0; s < IR_STATE_COUNT; s++)
        json_object_set_new(states, ir_entry_state_name((ir_entry_state)s),
                            json_pack("{s:I, s:I, s:I}", "source", (json_int_t)r->counted[s],
                                      "copied", (json_int_t)r->copied_in[s], "already",
                                      (json_int_t)r->already_in[s]));
    for (i = 0; i < r->n_bad; i++)
        json_array_append_new(
            bad, json_pack("{s:s, s:s}", "cert_id", r->bad[i].cert_id, "why", r->bad[i].why));
    ir_cli_print_json(json_pack(
        "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:b, s:o}", "from", from, "entries",
        (json_int_t)r->entries, "copied", (json_int_t)r->copied, "already", (json_int_t)r->already,
        "history_rows", (json_int_t)r->history, "facts", (json_int_t)r->facts, "claimed_in_source",
        (json_int_t)r->live, "states", states, "counts_match", matches(r), "mismatches", bad));
}

/* The source must be an existing file, and not the configured journal. */
static ir_rc check_source(const char *path, const ir_journal_opts *dst, ir_err *err)
{
    struct stat src_st, dst_st;

    if (stat(path, &src_st) != 0)
        return ir_err_set(err, errno == ENOENT ? IR_ERR_NOT_FOUND : IR_ERR_IO,
                          "no SQLite journal at %s: %s (nothing was created)", path,
                          strerror(errno));
    if (!S_ISREG(src_st.st_mode))
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s is not a SQLite journal file", path);
    if (dst->kind == IR_JOURNAL_KIND_SQLITE && stat(dst->path, &dst_st) == 0 &&
        src_st.st_dev == dst_st.st_dev && src_st.st_ino == dst_st.st_ino)
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "%s is the configured journal itself: a journal is not copied onto "
                          "itself (configure the destination, e.g. <postgresql>, first)",
                          path);
    return IR_OK;
}

static int journal_copy(const ir_cli_args *a)
{
    const char *from = ir_cli_value(a, "--from");
    ir_journal_opts src = {.kind = IR_JOURNAL_KIND_SQLITE}, dst;
    copy_run r = {0};
    ir_config *cfg = NULL;
    ir_err err = {0};
    ir_rc rc;

    if (from == NULL)
        return ir_cli_usage_error(a, "give --from sqlite:PATH, the SQLite journal to copy");
    if (strncmp(from, SOURCE_PREFIX, strlen(SOURCE_PREFIX)) != 0 ||
        from[strlen(SOURCE_PREFIX)] == '\0')
        return ir_cli_usage_error(a, "--from takes sqlite:PATH (a journal is copied from a "
                                     "SQLite file, into the configured journal)");
    src.path = from + strlen(SOURCE_PREFIX);
    rc = ir_cli_load_config(&a->cli, &cfg, &err);
    if (rc == IR_OK) {
        ir_journal_opts_from_config(cfg, &dst);
        src.mode = dst.mode;
        rc = check_source(src.path, &dst, &err);
    }
    if (rc == IR_OK && (rc = ir_journal_open(&src, &r.src, &err)) != IR_OK)
        ir_err_prefix(&err, "the source: ");
    if (rc == IR_OK && (rc = ir_journal_open(&dst, &r.dst, &err)) != IR_OK)
        ir_err_prefix(&err, "the configured journal: ");
    if (rc == IR_OK)
        rc = run_copy(&r, &err);
    if (rc == IR_OK && a->cli.json)
        print_json(&r, from);
    else if (rc == IR_OK)
        print_text(&r);
    if (r.dst != NULL)
        ir_journal_close(r.dst);
    if (r.src != NULL)
        ir_journal_close(r.src);
    ir_config_free(cfg);
    free(r.bad);
    if (rc != IR_OK)
        return ir_cli_failed(a, &err);
    return matches(&r) ? IR_CLI_OK : IR_CLI_FAILED;
}

const ir_cli_command ir_cli_journal_copy = {
    "journal copy", "copy a SQLite journal, with its history, into the configured one",
    copy_usage,     "",
    IR_CLI_JSON,    copy_opts,
    journal_copy};
