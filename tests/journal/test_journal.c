/* Unit tests of the journal: enqueue and duplicates, claims and leases,
 * steps and history, park/retry, assign, revocation, counts and lists (the
 * contract, which both backends keep); then the SQLite backend's schema,
 * WAL and bad paths, or, when IOTREG_TEST_PG_CONNINFO names a server
 * (pg-journal.test), the PostgreSQL backend's schema versions, lease fence,
 * password file and TLS settings. */
#include "autoconf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "journal/journal.h"
#include "journal/journal_sqlite_internal.h"
#include "jtest.h"
#include "testutil.h"

static ir_journal *open_new(void)
{
    char path[256];

    new_path(path, sizeof(path));
    return open_at(path);
}

static ir_rc enqueue(ir_journal *j, int n, const char *customer, char id[65], bool *known)
{
    unsigned char der[64];
    ir_enqueue_req req = {.der = der,
                          .der_len = sizeof(der),
                          .subca = "devices-eu",
                          .customer = customer,
                          .unattributed_reason = customer ? NULL : "no rule matched",
                          .source = IR_SOURCE_HOOK,
                          .end_entity = "ee-1",
                          .profile = "p"};
    bool k = false;
    ir_err err = {0};
    ir_rc rc;

    fake_der(der, n);
    ir_sha256_hex(der, sizeof(der), id, NULL);
    rc = ir_journal_enqueue(j, &req, known ? known : &k, &err);
    if (rc != IR_OK)
        fprintf(stderr, "enqueue: %s\n", err.msg);
    return rc;
}

static int64_t count_of(ir_journal *j, ir_entry_state state, const char *customer)
{
    ir_count_row *rows = NULL;
    size_t n = 0, i;
    int64_t total = 0;

    CU_ASSERT_EQUAL_FATAL(ir_journal_count(j, &rows, &n, NULL), IR_OK);
    for (i = 0; i < n; i++) {
        if (rows[i].state != state)
            continue;
        if (customer == NULL || (rows[i].customer && strcmp(rows[i].customer, customer) == 0))
            total += rows[i].count;
    }
    ir_count_rows_free(rows, n);
    return total;
}

static size_t claim(ir_journal *j, const char *worker, size_t max, int64_t lease_ms,
                    ir_entry_list *out)
{
    ir_claim_opts o = {.worker = worker, .max = max, .lease_ms = lease_ms};
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_journal_claim(j, &o, out, &err), IR_OK);
    return out->n;
}

static void test_migrates_empty_file(void)
{
    char path[256];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    ir_journal *j;
    int fd;

    new_path(path, sizeof(path));
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    j = open_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    ir_journal_close(j);
    /* A second open of a current journal migrates nothing and works. */
    j = open_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    ir_journal_close(j);
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_prepare_v2(db,
                       "SELECT (SELECT user_version FROM pragma_user_version),"
                       " (SELECT journal_mode FROM pragma_journal_mode),"
                       " (SELECT count(*) FROM sqlite_master WHERE name IN"
                       " ('entries', 'history', 'facts'))",
                       -1, &st, NULL);
    CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_ROW);
    CU_ASSERT_EQUAL(sqlite3_column_int(st, 0), 1);
    CU_ASSERT_STRING_EQUAL((const char *)sqlite3_column_text(st, 1), "wal");
    CU_ASSERT_EQUAL(sqlite3_column_int(st, 2), 3);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_refuses_foreign_and_newer_databases(void)
{
    char path[256];
    sqlite3 *db = NULL;
    ir_journal_opts conf = {.kind = IR_JOURNAL_KIND_SQLITE, .path = path};
    ir_journal *j = NULL;
    ir_err err = {0};

    new_path(path, sizeof(path));
    sqlite3_open(path, &db);
    sqlite3_exec(db, "CREATE TABLE other (x)", NULL, NULL, NULL);
    sqlite3_close(db);
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_JOURNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not an iotreg journal"));
    CU_ASSERT_PTR_NULL(j);

    new_path(path, sizeof(path));
    ir_journal_close(open_at(path));
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(db);
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_JOURNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "upgrade iotreg"));
}

static void test_bad_path_is_a_clear_error(void)
{
    char path[256];
    ir_journal_opts conf = {.kind = IR_JOURNAL_KIND_SQLITE, .path = path};
    ir_journal *j = NULL;
    ir_err err = {0};

    snprintf(path, sizeof(path), "%s/no-such-dir/journal.db", jtest_dir);
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_IO);
    CU_ASSERT_PTR_NULL(j);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "directory exists"));
    conf.path = NULL;
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_CONFIG);
    conf.kind = IR_JOURNAL_KIND_POSTGRES;
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "conninfo"));
}

static void test_enqueue_then_duplicate_is_already_known(void)
{
    ir_journal *j = open_new();
    ir_journal_entry *e = NULL;
    char id[65];
    bool known = true;

    CU_ASSERT_EQUAL_FATAL(enqueue(j, 1, "acme", id, &known), IR_OK);
    CU_ASSERT_FALSE(known);
    CU_ASSERT_EQUAL(enqueue(j, 1, "acme", id, &known), IR_OK);
    CU_ASSERT_TRUE(known);
    CU_ASSERT_EQUAL(enqueue(j, 1, NULL, id, &known), IR_OK); /* metadata never overwrites */
    CU_ASSERT_TRUE(known);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(e->cert_id, id);
    CU_ASSERT_STRING_EQUAL(e->customer, "acme");
    CU_ASSERT_STRING_EQUAL(e->subca, "devices-eu");
    CU_ASSERT_STRING_EQUAL(e->end_entity, "ee-1");
    CU_ASSERT_EQUAL(e->source, IR_SOURCE_HOOK);
    CU_ASSERT_EQUAL(e->state, IR_STATE_PENDING);
    CU_ASSERT_STRING_EQUAL(e->step, IR_STEP_REGISTER);
    CU_ASSERT_EQUAL(e->der_len, 64);
    CU_ASSERT_EQUAL(e->n_history, 1); /* one capture, duplicates add nothing */
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PENDING, NULL), 1);
    ir_journal_entry_free(e);
    ir_journal_close(j);
}

static void test_enqueue_checks_id_and_input(void)
{
    ir_journal *j = open_new();
    unsigned char der[64];
    ir_enqueue_req req = {.der = der, .der_len = sizeof(der), .subca = "s", .customer = "c"};
    bool known;
    ir_err err = {0};

    fake_der(der, 5);
    req.cert_id = "00000000000000000000000000000000000000000000000000000000000000ff";
    CU_ASSERT_EQUAL(ir_journal_enqueue(j, &req, &known, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not the SHA-256"));
    req.cert_id = NULL;
    req.customer = NULL; /* unattributed needs a reason */
    CU_ASSERT_EQUAL(ir_journal_enqueue(j, &req, &known, &err), IR_ERR_INVALID_ARG);
    req.customer = "c";
    req.subca = NULL;
    CU_ASSERT_EQUAL(ir_journal_enqueue(j, &req, &known, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PENDING, NULL), 0);
    ir_journal_close(j);
}

/* Only a SHA-256 collision could do this; a forged row stands in for one. */
static void test_different_certificate_same_id_is_refused(void)
{
    char path[256], id[65], sql[512];
    unsigned char der[64];
    ir_enqueue_req req = {.der = der, .der_len = sizeof(der), .subca = "s", .customer = "c"};
    ir_journal *j;
    bool known = true;
    ir_err err = {0};

    new_path(path, sizeof(path));
    ir_journal_close(open_at(path));
    fake_der(der, 77);
    ir_sha256_hex(der, sizeof(der), id, NULL);
    snprintf(sql, sizeof(sql),
             "INSERT INTO entries (cert_id, der, subca, source, state, step, next_attempt_at,"
             " created_at, updated_at, unattributed_reason)"
             " VALUES ('%s', %s, 's', 'hook', 'unattributed', 'register', 0, 0, 0, 'x')",
             id, pg_conninfo() ? "'\\x3000'::bytea" : "x'3000'");
    CU_ASSERT_EQUAL(journal_exec(path, sql), 0);
    j = open_at(path);
    CU_ASSERT_EQUAL(ir_journal_enqueue(j, &req, &known, &err), IR_ERR_EXISTS);
    CU_ASSERT_FALSE(known);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "different certificate"));
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_UNATTRIBUTED, NULL), 1);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PENDING, NULL), 0);
    ir_journal_close(j);
}

static void test_claim_respects_live_leases_and_takes_expired(void)
{
    ir_journal *j = open_new();
    ir_entry_list a = {0}, b = {0}, c = {0};
    char id[65];
    int i;

    for (i = 0; i < 5; i++)
        enqueue(j, i, "acme", id, NULL);
    enqueue(j, 100, NULL, id, NULL); /* unattributed: never claimed */
    CU_ASSERT_EQUAL(claim(j, "w1", 3, 60000, &a), 3);
    CU_ASSERT_PTR_NOT_NULL(a.items[0].der);
    CU_ASSERT_STRING_EQUAL(a.items[0].claimed_by, "w1");
    CU_ASSERT_EQUAL(claim(j, "w2", 10, 1, &b), 2); /* the other two, short lease */
    CU_ASSERT(strcmp(a.items[0].cert_id, b.items[0].cert_id) != 0);
    ir_sleep_ms(20); /* w2's lease of 1 ms has expired; w1's (a minute) has not */
    CU_ASSERT_EQUAL(claim(j, "w3", 10, 60000, &c), 2);
    for (i = 0; i < (int)c.n; i++)
        CU_ASSERT(strcmp(c.items[i].cert_id, b.items[0].cert_id) == 0 ||
                  strcmp(c.items[i].cert_id, b.items[1].cert_id) == 0);
    /* w2 lost the claim: its record is refused. */
    {
        ir_step_outcome o = {.step = "register", .result = "ok", .next_step = "transfer"};
        ir_err err = {0};
        CU_ASSERT_EQUAL(ir_journal_record_step(j, b.items[0].cert_id, "w2", &o, &err),
                        IR_ERR_STATE);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "held by w3"));
    }
    ir_entry_list_free(&a);
    ir_entry_list_free(&b);
    ir_entry_list_free(&c);
    ir_journal_close(j);
}

static void test_record_step_advances_and_keeps_history(void)
{
    ir_journal *j = open_new();
    ir_entry_list l = {0};
    ir_journal_entry *e = NULL;
    ir_fact facts[] = {{"certificate_arn", "arn:aws:iot:eu-central-1:1:cert/x"}, {"k", "v1"}};
    ir_fact again[] = {{"k", "v2"}};
    ir_step_outcome o1 = {"register", "ok", "registered", "transfer", facts, 2};
    ir_step_outcome o2 = {"transfer", "ok", NULL, "accept", again, 1};
    char id[65];

    enqueue(j, 1, "acme", id, NULL);
    CU_ASSERT_EQUAL_FATAL(claim(j, "w", 1, 60000, &l), 1);
    CU_ASSERT_EQUAL(ir_journal_record_step(j, id, "w", &o1, NULL), IR_OK);
    CU_ASSERT_EQUAL(ir_journal_record_step(j, id, "w", &o2, NULL), IR_OK);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(e->step, "accept");
    CU_ASSERT_STRING_EQUAL(e->claimed_by, "w"); /* still held for the next step */
    CU_ASSERT_EQUAL_FATAL(e->n_history, 3);
    CU_ASSERT_STRING_EQUAL(e->history[0].step, IR_STEP_CAPTURE);
    CU_ASSERT_STRING_EQUAL(e->history[1].step, "register");
    CU_ASSERT_STRING_EQUAL(e->history[1].detail, "registered");
    CU_ASSERT_STRING_EQUAL(e->history[1].worker, "w");
    CU_ASSERT_STRING_EQUAL(e->history[2].step, "transfer");
    CU_ASSERT(e->history[2].at_ms >= e->history[1].at_ms);
    CU_ASSERT_EQUAL_FATAL(e->n_facts, 2);
    CU_ASSERT_STRING_EQUAL(e->facts[0].key, "certificate_arn");
    CU_ASSERT_STRING_EQUAL(e->facts[1].value, "v2");
    ir_journal_entry_free(e);
    CU_ASSERT_EQUAL(ir_journal_finish(j, id, "w", "delivered", NULL), IR_OK);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_EQUAL(e->state, IR_STATE_DONE);
    CU_ASSERT_STRING_EQUAL(e->step, IR_STEP_DONE);
    CU_ASSERT_PTR_NULL(e->claimed_by);
    ir_journal_entry_free(e);
    /* Done is final: nothing claims it, a worker cannot record on it. */
    ir_entry_list_free(&l);
    CU_ASSERT_EQUAL(claim(j, "w", 1, 60000, &l), 0);
    CU_ASSERT_EQUAL(ir_journal_record_step(j, id, "w", &o1, NULL), IR_ERR_STATE);
    ir_journal_close(j);
}

static void test_retry_schedules_and_park_waits_for_operator(void)
{
    ir_journal *j = open_new();
    ir_entry_list l = {0};
    ir_journal_entry *e = NULL;
    char id[65];
    ir_err err = {0};

    enqueue(j, 1, "acme", id, NULL);
    CU_ASSERT_EQUAL_FATAL(claim(j, "w", 1, 60000, &l), 1);
    ir_entry_list_free(&l);
    CU_ASSERT_EQUAL(ir_journal_schedule_retry(j, id, "w", ir_realtime_ms() + 3600000,
                                              "ThrottlingException", NULL),
                    IR_OK);
    CU_ASSERT_EQUAL(claim(j, "w", 1, 60000, &l), 0); /* not due for an hour */
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_EQUAL(e->attempts, 1);
    CU_ASSERT_STRING_EQUAL(e->last_error, "ThrottlingException");
    ir_journal_entry_free(e);
    CU_ASSERT_EQUAL(ir_journal_park(j, id, NULL, "role refuses us", NULL), IR_OK);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PARKED, "acme"), 1);
    CU_ASSERT_EQUAL(ir_journal_retry_now(j, id, NULL), IR_OK);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PENDING, "acme"), 1);
    CU_ASSERT_EQUAL_FATAL(claim(j, "w", 1, 60000, &l), 1);
    CU_ASSERT_EQUAL(l.items[0].attempts, 0);
    ir_entry_list_free(&l);
    /* A worker parks what it holds; another worker cannot. */
    CU_ASSERT_EQUAL(ir_journal_park(j, id, "other", "x", &err), IR_ERR_STATE);
    CU_ASSERT_EQUAL(ir_journal_park(j, id, "w", "customer rejected the transfer", NULL), IR_OK);
    CU_ASSERT_EQUAL(claim(j, "w", 1, 60000, &l), 0);
    CU_ASSERT_EQUAL(ir_journal_park(j, id, NULL, "again", &err), IR_ERR_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is parked"));
    ir_journal_close(j);
}

static void test_assign_only_unattributed(void)
{
    ir_journal *j = open_new();
    ir_entry_list l = {0};
    ir_journal_entry *e = NULL;
    char id[65], other[65];
    ir_err err = {0};

    enqueue(j, 1, NULL, id, NULL);
    enqueue(j, 2, "acme", other, NULL);
    CU_ASSERT_EQUAL(claim(j, "w", 10, 60000, &l), 1);
    ir_entry_list_free(&l);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(e->unattributed_reason, "no rule matched");
    ir_journal_entry_free(e);
    CU_ASSERT_EQUAL(ir_journal_assign(j, other, "globex", &err), IR_ERR_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is pending"));
    CU_ASSERT_EQUAL(ir_journal_assign(j, id, "globex", NULL), IR_OK);
    CU_ASSERT_EQUAL(ir_journal_assign(j, id, "acme", NULL), IR_ERR_STATE);
    CU_ASSERT_EQUAL_FATAL(claim(j, "w", 10, 60000, &l), 1);
    CU_ASSERT_STRING_EQUAL(l.items[0].cert_id, id);
    CU_ASSERT_STRING_EQUAL(l.items[0].customer, "globex");
    CU_ASSERT_PTR_NULL(l.items[0].unattributed_reason);
    ir_entry_list_free(&l);
    CU_ASSERT_EQUAL(
        ir_journal_assign(j, "0000000000000000000000000000000000000000000000000000000000000000",
                          "acme", &err),
        IR_ERR_NOT_FOUND);
    ir_journal_close(j);
}

static void test_counts_by_state_and_customer(void)
{
    ir_journal *j = open_new();
    ir_count_row *rows = NULL;
    size_t n = 0;
    char id[65];
    int i;

    for (i = 0; i < 3; i++)
        enqueue(j, i, "acme", id, NULL);
    for (i = 3; i < 5; i++)
        enqueue(j, i, "globex", id, NULL);
    enqueue(j, 9, NULL, id, NULL);
    ir_journal_park(j, id, NULL, "x", NULL);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PENDING, "acme"), 3);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PENDING, "globex"), 2);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PENDING, NULL), 5);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PARKED, NULL), 1);
    CU_ASSERT_EQUAL_FATAL(ir_journal_count(j, &rows, &n, NULL), IR_OK);
    CU_ASSERT_EQUAL(n, 3);
    ir_count_rows_free(rows, n);
    ir_journal_close(j);
}

/* Counts by route: the CSP account and region recorded for each entry. */
static void test_counts_by_route(void)
{
    ir_journal *j = open_new();
    ir_entry_list l = {0};
    ir_count_row *rows = NULL;
    ir_err err = {0};
    size_t n = 0, i;
    char id[65];
    ir_fact east[] = {{IR_FACT_CSP_ACCOUNT, "csp-a"}, {IR_FACT_REGION, "us-east-1"}};
    ir_fact west[] = {{IR_FACT_CSP_ACCOUNT, "csp-b"}, {IR_FACT_REGION, "eu-west-1"}};
    ir_step_outcome o = {.step = "route", .result = "ok", .next_step = IR_STEP_FIRST};

    for (i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(enqueue(j, (int)i, "acme", id, NULL), IR_OK);
    CU_ASSERT_EQUAL_FATAL(claim(j, "w", 3, 60000, &l), 3);
    for (i = 0; i < 3; i++) {
        o.facts = i == 0 ? west : east;
        o.n_facts = 2;
        CU_ASSERT_EQUAL(ir_journal_record_step(j, l.items[i].cert_id, "w", &o, &err), IR_OK);
    }
    CU_ASSERT_EQUAL(ir_journal_finish(j, l.items[2].cert_id, "w", NULL, &err), IR_OK);
    CU_ASSERT_EQUAL_FATAL(ir_journal_count_routes(j, &rows, &n, &err), IR_OK);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    CU_ASSERT_PTR_NULL(rows[0].csp_account); /* not routed yet, first */
    CU_ASSERT_PTR_NULL(rows[0].region);
    CU_ASSERT_EQUAL(rows[0].count, 1);
    CU_ASSERT_STRING_EQUAL(rows[1].csp_account, "csp-a");
    CU_ASSERT_STRING_EQUAL(rows[1].region, "us-east-1");
    CU_ASSERT_EQUAL(rows[1].state, IR_STATE_DONE); /* states in their names' order */
    CU_ASSERT_EQUAL(rows[1].count, 1);
    CU_ASSERT_STRING_EQUAL(rows[2].csp_account, "csp-a");
    CU_ASSERT_EQUAL(rows[2].state, IR_STATE_PENDING);
    CU_ASSERT_STRING_EQUAL(rows[3].csp_account, "csp-b");
    CU_ASSERT_STRING_EQUAL(rows[3].region, "eu-west-1");
    for (i = 0; i < n; i++)
        CU_ASSERT_PTR_NULL(rows[i].customer);
    ir_count_rows_free(rows, n);
    ir_entry_list_free(&l);
    ir_journal_close(j);
}

/* A list gives facts only when asked (the CLI's route column). */
static void test_list_with_facts(void)
{
    ir_journal *j = open_new();
    ir_entry_list l = {0}, page = {0};
    ir_list_filter f = {.state = -1};
    ir_fact route[] = {{IR_FACT_CSP_ACCOUNT, "csp-a"}, {IR_FACT_REGION, "eu-west-1"}};
    ir_step_outcome o = {.step = "route", .result = "ok", .next_step = IR_STEP_FIRST};
    ir_err err = {0};
    char id[65];

    o.facts = route;
    o.n_facts = 2;
    CU_ASSERT_EQUAL(enqueue(j, 1, "acme", id, NULL), IR_OK);
    CU_ASSERT_EQUAL_FATAL(claim(j, "w", 1, 60000, &l), 1);
    CU_ASSERT_EQUAL(ir_journal_record_step(j, id, "w", &o, &err), IR_OK);
    CU_ASSERT_EQUAL_FATAL(ir_journal_list(j, &f, &page, &err), IR_OK);
    CU_ASSERT_EQUAL_FATAL(page.n, 1);
    CU_ASSERT_EQUAL(page.items[0].n_facts, 0);
    ir_entry_list_free(&page);
    f.with_facts = true;
    CU_ASSERT_EQUAL_FATAL(ir_journal_list(j, &f, &page, &err), IR_OK);
    CU_ASSERT_EQUAL_FATAL(page.n, 1);
    CU_ASSERT_STRING_EQUAL(ir_journal_entry_fact(&page.items[0], IR_FACT_CSP_ACCOUNT), "csp-a");
    CU_ASSERT_STRING_EQUAL(ir_journal_entry_fact(&page.items[0], IR_FACT_REGION), "eu-west-1");
    CU_ASSERT_PTR_NULL(page.items[0].der);
    ir_entry_list_free(&page);
    ir_entry_list_free(&l);
    ir_journal_close(j);
}

static void test_revocation_request(void)
{
    ir_journal *j = open_new();
    ir_entry_list l = {0};
    ir_journal_entry *e = NULL;
    char id[65];
    bool already = true;
    ir_step_outcome o = {"register", "ok", NULL, "transfer", NULL, 0};
    ir_err err = {0};

    enqueue(j, 1, "acme", id, NULL);
    CU_ASSERT_EQUAL_FATAL(claim(j, "w", 1, 60000, &l), 1);
    ir_entry_list_free(&l);
    CU_ASSERT_EQUAL(ir_journal_request_revocation(j, id, 1, 1700000000000LL, &already, NULL),
                    IR_OK);
    CU_ASSERT_FALSE(already);
    /* The delivering worker lost its claim to the revocation. */
    CU_ASSERT_EQUAL(ir_journal_record_step(j, id, "w", &o, &err), IR_ERR_STATE);
    CU_ASSERT_EQUAL(ir_journal_request_revocation(j, id, 4, 1, &already, NULL), IR_OK);
    CU_ASSERT_TRUE(already);
    CU_ASSERT_EQUAL(ir_journal_request_revocation(j, id, 7, 1, &already, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL_FATAL(claim(j, "w2", 1, 60000, &l), 1);
    CU_ASSERT_EQUAL(l.items[0].state, IR_STATE_REVOKE_PENDING);
    CU_ASSERT_TRUE(l.items[0].revocation_requested);
    CU_ASSERT_EQUAL(l.items[0].revocation_reason, 1);
    CU_ASSERT_EQUAL(l.items[0].revocation_time_ms, 1700000000000LL);
    CU_ASSERT_STRING_EQUAL(l.items[0].step, "register"); /* where delivery had stopped */
    ir_entry_list_free(&l);
    CU_ASSERT_EQUAL(ir_journal_finish(j, id, "w2", "revoked in AWS", NULL), IR_OK);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_EQUAL(e->state, IR_STATE_REVOKED);
    CU_ASSERT_STRING_EQUAL(e->history[e->n_history - 2].step, "revoke");
    ir_journal_entry_free(e);
    CU_ASSERT_EQUAL(ir_journal_request_revocation(
                        j, "1111111111111111111111111111111111111111111111111111111111111111", 1, 0,
                        &already, &err),
                    IR_ERR_NOT_FOUND);
    ir_journal_close(j);
}

static void test_list_filters_and_pages(void)
{
    ir_journal *j = open_new();
    ir_list_filter f = {.state = -1, .limit = 4};
    ir_entry_list l = {0};
    char id[65];
    size_t total = 0;
    int i;

    for (i = 0; i < 10; i++)
        enqueue(j, i, i % 2 ? "acme" : "globex", id, NULL);
    do {
        ir_entry_list_free(&l);
        CU_ASSERT_EQUAL_FATAL(ir_journal_list(j, &f, &l, NULL), IR_OK);
        CU_ASSERT(l.n <= 4);
        if (l.n > 0) {
            CU_ASSERT_PTR_NULL(l.items[0].der);
            f.after_seq = l.items[l.n - 1].seq;
        }
        total += l.n;
    } while (l.n > 0);
    CU_ASSERT_EQUAL(total, 10);
    f = (ir_list_filter){.state = IR_STATE_PENDING, .customer = "acme"};
    CU_ASSERT_EQUAL(ir_journal_list(j, &f, &l, NULL), IR_OK);
    CU_ASSERT_EQUAL(l.n, 5);
    for (i = 0; i < (int)l.n; i++)
        CU_ASSERT_STRING_EQUAL(l.items[i].customer, "acme");
    ir_entry_list_free(&l);
    f.state = IR_STATE_DONE;
    CU_ASSERT_EQUAL(ir_journal_list(j, &f, &l, NULL), IR_OK);
    CU_ASSERT_EQUAL(l.n, 0);
    ir_journal_close(j);
}

#define THREADS    8
#define PER_THREAD 150

typedef struct thread_arg {
    ir_journal *j;
    int t;
    int failures;
    int known;
} thread_arg;

/* Every thread enqueues the same shared certificates and its own. */
static void *enqueue_thread(void *p)
{
    thread_arg *a = p;
    char id[65];
    bool known;
    int i;

    for (i = 0; i < PER_THREAD; i++) {
        int n = i % 2 ? i : 100000 + a->t * PER_THREAD + i;
        if (enqueue(a->j, n, "acme", id, &known) != IR_OK)
            a->failures++;
        a->known += known;
    }
    return NULL;
}

static void test_threads_lose_and_duplicate_nothing(void)
{
    ir_journal *j = open_new();
    pthread_t th[THREADS];
    thread_arg args[THREADS];
    int i, failures = 0, known = 0;
    int shared = PER_THREAD / 2, unique = THREADS * (PER_THREAD - PER_THREAD / 2);
    ir_journal_stats stats;

    for (i = 0; i < THREADS; i++) {
        args[i] = (thread_arg){.j = j, .t = i};
        pthread_create(&th[i], NULL, enqueue_thread, &args[i]);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        failures += args[i].failures;
        known += args[i].known;
    }
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PENDING, "acme"), shared + unique);
    CU_ASSERT_EQUAL(known, (THREADS - 1) * shared);
    /* Group commit: concurrent enqueues shared transactions. */
    ir_journal_get_stats(j, &stats);
    CU_ASSERT_EQUAL(stats.enqueues, THREADS * PER_THREAD);
    CU_ASSERT(stats.transactions < stats.enqueues);
    ir_journal_close(j);
}

static long wal_size(const char *db)
{
    char wal[300];
    struct stat st;

    snprintf(wal, sizeof(wal), "%s-wal", db);
    return stat(wal, &st) == 0 ? (long)st.st_size : 0;
}

/* One short-lived writer: open, enqueue, close, like a CA process with the
 * issuance tap. */
static void one_process(const char *path, int n)
{
    ir_journal *j = open_at(path);
    char id[65];

    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(enqueue(j, n, "acme", id, NULL), IR_OK);
    ir_journal_close(j);
}

/* A journal that no process keeps open loses track of what was checkpointed
 * each time it is closed; without the journal's own checkpoints the WAL
 * grew by every certificate for good (and every writer read all of it). */
#define WAL_BOUND ((SQ_WAL_MAX_FRAMES + 16) * (4096 + 24) + 32)

static void test_short_lived_writers_keep_the_wal_short(void)
{
    char path[256];
    long biggest = 0;
    ir_journal *j;
    int i;

    new_path(path, sizeof(path));
    for (i = 0; i < 300; i++) {
        one_process(path, i);
        if (wal_size(path) > biggest)
            biggest = wal_size(path);
    }
    CU_ASSERT(biggest > 0);
    CU_ASSERT(biggest <= WAL_BOUND);
    j = open_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PENDING, "acme"), 300); /* checkpoints lost nothing */
    ir_journal_close(j);
}

/* A reader holding an old snapshot stops the WAL from starting over; once
 * it is gone the next commits checkpoint, restart and cut the file back. */
static void test_reader_delays_but_does_not_stop_the_wal_restart(void)
{
    char path[256];
    sqlite3 *reader = NULL;
    long held;
    ir_journal *j;
    int i;

    new_path(path, sizeof(path));
    one_process(path, 0);
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &reader), SQLITE_OK);
    CU_ASSERT_EQUAL_FATAL(
        sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM entries", NULL, NULL, NULL), SQLITE_OK);
    j = open_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    for (i = 1; i < 400; i++) {
        char id[65];

        CU_ASSERT_EQUAL(enqueue(j, i, "acme", id, NULL), IR_OK);
    }
    held = wal_size(path);
    CU_ASSERT(held > WAL_BOUND); /* the reader's snapshot must stay readable */
    sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(reader);
    for (i = 400; i < 410; i++) {
        char id[65];

        CU_ASSERT_EQUAL(enqueue(j, i, "acme", id, NULL), IR_OK);
    }
    CU_ASSERT(wal_size(path) <= SQ_WAL_KEEP_BYTES);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PENDING, "acme"), 410);
    ir_journal_close(j);
}

/* --- PostgreSQL only ------------------------------------------------------------ */

static void test_pg_schema_versions(void)
{
    char path[256], conninfo[1024], schema[200], sql[512];
    ir_journal_opts conf;
    ir_journal *j = NULL;
    ir_err err = {0};
    int from = 0, to = 0;

    new_path(path, sizeof(path));
    conf = journal_opts_at(path, conninfo, sizeof(conninfo));
    pg_schema_of(path, schema, sizeof(schema));
    j = open_at(path); /* a new database: the journal is created */
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    ir_journal_close(j);
    snprintf(sql, sizeof(sql), "SELECT max(version) FROM %s.iotreg_schema", schema);
    CU_ASSERT_EQUAL(pg_admin_int(sql), 3);
    /* Newer than this iotreg: refused, whoever asks. */
    CU_ASSERT_EQUAL(journal_exec(path, "INSERT INTO iotreg_schema (version) VALUES (99)"), 0);
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_JOURNAL);
    CU_ASSERT_PTR_NULL(j);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "schema version 99, newer than this iotreg knows"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "upgrade iotreg"));
    CU_ASSERT_EQUAL(ir_journal_migrate(&conf, &from, &to, &err), IR_ERR_JOURNAL);
    /* Older: opening says to migrate and changes nothing; migrate does it. */
    CU_ASSERT_EQUAL(journal_exec(path, "DELETE FROM iotreg_schema WHERE version > 1;"
                                       " DROP INDEX entries_due; DROP TABLE iotreg_quota"),
                    0);
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_JOURNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "schema version 1, older than this iotreg's (3)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "iotregctl journal migrate"));
    CU_ASSERT_EQUAL(pg_admin_int(sql), 1);
    CU_ASSERT_EQUAL(ir_journal_migrate(&conf, &from, &to, &err), IR_OK);
    CU_ASSERT_EQUAL(from, 1);
    CU_ASSERT_EQUAL(to, 3);
    CU_ASSERT_EQUAL(pg_admin_int(sql), 3);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM pg_indexes WHERE schemaname = '%s' AND indexname = "
             "'entries_due'",
             schema);
    CU_ASSERT_EQUAL(pg_admin_int(sql), 1);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM pg_tables WHERE schemaname = '%s' AND tablename = "
             "'iotreg_quota'",
             schema);
    CU_ASSERT_EQUAL(pg_admin_int(sql), 1);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM pg_indexes WHERE schemaname = '%s' AND indexname = "
             "'entries_due_customer'",
             schema);
    CU_ASSERT_EQUAL(pg_admin_int(sql), 1);
    CU_ASSERT_EQUAL(ir_journal_migrate(&conf, &from, &to, &err), IR_OK); /* nothing left */
    CU_ASSERT_EQUAL(from, 3);
    CU_ASSERT_EQUAL(to, 3);
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_OK);
    ir_journal_close(j);
    /* Someone else's tables: not a journal. */
    new_path(path, sizeof(path));
    conf = journal_opts_at(path, conninfo, sizeof(conninfo));
    CU_ASSERT_EQUAL(journal_exec(path, "CREATE TABLE entries (x int)"), 0);
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_JOURNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not an iotreg journal"));
}

/* A worker whose lease expired changes nothing, whether or not another
 * worker took the entry since, and learns why. */
static void test_pg_fence_refuses_an_expired_lease(void)
{
    ir_journal *j = open_new();
    ir_entry_list a = {0}, b = {0};
    ir_journal_entry *e = NULL;
    ir_step_outcome o = {.step = "register", .result = "ok", .next_step = "transfer"};
    ir_err err = {0};
    char id[65];

    enqueue(j, 1, "acme", id, NULL);
    CU_ASSERT_EQUAL_FATAL(claim(j, "w1", 1, 1, &a), 1);
    ir_sleep_ms(20); /* w1's lease has expired; nobody has claimed the entry since */
    CU_ASSERT_EQUAL(ir_journal_record_step(j, id, "w1", &o, &err), IR_ERR_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "lease of worker w1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "has expired"));
    CU_ASSERT_EQUAL(ir_journal_renew_lease(j, id, "w1", 60000, &err), IR_ERR_STATE);
    CU_ASSERT_EQUAL(ir_journal_finish(j, id, "w1", "late", &err), IR_ERR_STATE);
    CU_ASSERT_EQUAL(ir_journal_schedule_retry(j, id, "w1", 0, "late", &err), IR_ERR_STATE);
    CU_ASSERT_EQUAL(ir_journal_park(j, id, "w1", "late", &err), IR_ERR_STATE);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_EQUAL(e->state, IR_STATE_PENDING);
    CU_ASSERT_STRING_EQUAL(e->step, "register");
    CU_ASSERT_EQUAL(e->attempts, 0);
    CU_ASSERT_EQUAL(e->n_history, 1); /* the capture alone */
    ir_journal_entry_free(e);
    /* Another worker takes it back; w1 still changes nothing. */
    CU_ASSERT_EQUAL_FATAL(claim(j, "w2", 1, 60000, &b), 1);
    CU_ASSERT_EQUAL(ir_journal_finish(j, id, "w1", "late", &err), IR_ERR_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "held by w2"));
    CU_ASSERT_EQUAL(ir_journal_release(j, id, "w1", &err), IR_ERR_STATE);
    CU_ASSERT_EQUAL(ir_journal_record_step(j, id, "w2", &o, &err), IR_OK);
    CU_ASSERT_EQUAL(ir_journal_finish(j, id, "w2", NULL, &err), IR_OK);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(j, id, &e, NULL), IR_OK);
    CU_ASSERT_EQUAL(e->state, IR_STATE_DONE);
    CU_ASSERT_EQUAL(e->n_history, 3);
    CU_ASSERT_STRING_EQUAL(e->history[1].worker, "w2");
    ir_journal_entry_free(e);
    ir_entry_list_free(&a);
    ir_entry_list_free(&b);
    ir_journal_close(j);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    fchmod(fd, mode);
    close(fd);
}

/* The role iotreg_pw must give its password (pg-lib.sh's pg_hba.conf). */
static void test_pg_password_comes_from_a_private_file(void)
{
    char pwfile[256], conninfo[1024], uri[1100];
    ir_journal_opts conf = {.kind = IR_JOURNAL_KIND_POSTGRES, .conninfo = conninfo};
    ir_journal *j = NULL;
    ir_err err = {0};
    char id[65];

    setenv("PGPASSFILE", "/nonexistent", 1);
    CU_ASSERT_EQUAL_FATAL(pg_admin("DROP SCHEMA IF EXISTS pwtest CASCADE;"
                                   " DROP ROLE IF EXISTS iotreg_pw;"
                                   " CREATE ROLE iotreg_pw LOGIN PASSWORD 'pw-s3cret';"
                                   " CREATE SCHEMA pwtest AUTHORIZATION iotreg_pw"),
                          0);
    snprintf(conninfo, sizeof(conninfo), "%s user=iotreg_pw options=-csearch_path=pwtest",
             pg_conninfo());
    snprintf(pwfile, sizeof(pwfile), "%s/pg-password", jtest_dir);
    /* No password: the server refuses. */
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot connect"));
    /* A file others may read is refused before anything is sent. */
    write_file(pwfile, "pw-s3cret\n", 0640);
    conf.password_file = pwfile;
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_PERMISSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, pwfile));
    /* A wrong one is the server's refusal. */
    write_file(pwfile, "wrong\n", 0600);
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "password authentication failed"));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "wrong"));
    write_file(pwfile, "pw-s3cret\n", 0600);
    CU_ASSERT_EQUAL_FATAL(ir_journal_open(&conf, &j, &err), IR_OK);
    CU_ASSERT_EQUAL(enqueue(j, 1, "acme", id, NULL), IR_OK);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PENDING, "acme"), 1);
    ir_journal_close(j);
    /* A password in the conninfo or the URI is refused, whatever it is. */
    snprintf(uri, sizeof(uri), "%s password=pw-s3cret", conninfo);
    conf.conninfo = uri;
    conf.password_file = NULL;
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "holds a password"));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "pw-s3cret"));
    CU_ASSERT_EQUAL(ir_journal_migrate(&conf, NULL, NULL, &err), IR_ERR_CONFIG);
    conf.conninfo = "postgresql://iotreg_pw:pw-s3cret@/postgres";
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "holds a password"));
    unsetenv("PGPASSFILE");
}

/* The server drops every connection of the journal's (as a restart or a
 * failover does): the next calls run on new ones. */
static void test_pg_connections_lost_are_replaced(void)
{
    ir_journal *j = open_new();
    ir_entry_list l = {0};
    char id[65];
    int i;

    for (i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(enqueue(j, i, "acme", id, NULL), IR_OK);
    CU_ASSERT(pg_admin_int("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                           " WHERE application_name = 'iotreg'") >= 1);
    CU_ASSERT_EQUAL(enqueue(j, 3, "acme", id, NULL), IR_OK);
    CU_ASSERT_EQUAL(count_of(j, IR_STATE_PENDING, "acme"), 4);
    CU_ASSERT(pg_admin_int("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                           " WHERE application_name = 'iotreg'") >= 1);
    CU_ASSERT_EQUAL(claim(j, "w", 10, 60000, &l), 4);
    ir_entry_list_free(&l);
    ir_journal_close(j);
}

/* sslmode and the CA file reach libpq (a Unix socket never uses TLS, so a
 * mode libpq does not know is what shows it). */
static void test_pg_tls_settings_reach_libpq(void)
{
    char path[256], conninfo[1024];
    ir_journal_opts conf;
    ir_journal *j = NULL;
    ir_err err = {0};

    new_path(path, sizeof(path));
    conf = journal_opts_at(path, conninfo, sizeof(conninfo));
    conf.sslmode = "no-such-mode";
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "sslmode"));
    conf.sslmode = "prefer";
    conf.ca_file = "/nonexistent/ca.pem";
    CU_ASSERT_EQUAL(ir_journal_open(&conf, &j, &err), IR_OK);
    ir_journal_close(j);
}

/* When work is next due: nothing waiting, due now, a live lease, a retry. */
static void test_next_due_says_when_work_comes(void)
{
    ir_journal *j = open_new();
    ir_entry_list l = {0};
    int64_t in = 0;
    ir_err err = {0};
    char id[65];

    CU_ASSERT_EQUAL(ir_journal_next_due_in(j, &in, &err), IR_OK);
    CU_ASSERT_EQUAL(in, -1);
    CU_ASSERT_EQUAL(enqueue(j, 1, NULL, id, NULL), IR_OK); /* unattributed: never due */
    CU_ASSERT_EQUAL(ir_journal_next_due_in(j, &in, &err), IR_OK);
    CU_ASSERT_EQUAL(in, -1);
    CU_ASSERT_EQUAL(enqueue(j, 2, "acme", id, NULL), IR_OK);
    CU_ASSERT_EQUAL(ir_journal_next_due_in(j, &in, &err), IR_OK);
    CU_ASSERT_EQUAL(in, 0);
    CU_ASSERT_EQUAL(claim(j, "w", 10, 60000, &l), 1);
    CU_ASSERT_EQUAL(ir_journal_next_due_in(j, &in, &err), IR_OK);
    CU_ASSERT(in > 50000 && in <= 60000); /* when the lease runs out */
    CU_ASSERT_EQUAL(ir_journal_schedule_retry(j, id, "w", ir_realtime_ms() + 5000, "later", &err),
                    IR_OK);
    CU_ASSERT_EQUAL(ir_journal_next_due_in(j, &in, &err), IR_OK);
    CU_ASSERT(in > 3000 && in <= 5000);
    ir_entry_list_free(&l);
    ir_journal_close(j);
}

/* SQLite is for one host: it has no notifications and no shared slots, and
 * says so at once (the daemon then polls and keeps its own buckets). */
static void test_sqlite_has_no_notifications_or_shared_slots(void)
{
    ir_journal *j = open_new();
    int64_t t0 = ir_monotonic_ms(), wait = 1;
    bool woken = true;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_journal_wait_work(j, 5000, &woken, &err), IR_ERR_UNSUPPORTED);
    CU_ASSERT_FALSE(woken);
    CU_ASSERT(ir_monotonic_ms() - t0 < 1000);
    CU_ASSERT_EQUAL(ir_journal_quota_reserve(j, "b", 1000, &wait, &err), IR_ERR_UNSUPPORTED);
    CU_ASSERT_EQUAL(wait, 0);
    ir_journal_close(j);
}

/* waits for up to ms; how long it took */
static int64_t timed_wait(ir_journal *j, int64_t ms, bool *woken, ir_rc *rc)
{
    int64_t t0 = ir_monotonic_ms();
    ir_err err = {0};

    *rc = ir_journal_wait_work(j, ms, woken, &err);
    return ir_monotonic_ms() - t0;
}

/* A waiting daemon is woken by what another process makes due, and only by
 * its own journal's work; with nothing, it waits out its timeout. */
static void test_pg_notify_wakes_a_waiter(void)
{
    char path[256], other_path[256], id[65];
    ir_journal *waiter, *writer, *other;
    ir_entry_list l = {0};
    ir_err err = {0};
    bool woken = false;
    ir_rc rc;

    new_path(path, sizeof(path));
    new_path(other_path, sizeof(other_path));
    waiter = open_at(path);
    writer = open_at(path);
    other = open_at(other_path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(waiter);
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    /* A new listener cannot know what was sent before it: it says look. */
    CU_ASSERT(timed_wait(waiter, 3000, &woken, &rc) < 2000);
    CU_ASSERT_EQUAL(rc, IR_OK);
    CU_ASSERT_TRUE(woken);
    CU_ASSERT(timed_wait(waiter, 300, &woken, &rc) >= 250);
    CU_ASSERT_FALSE(woken);
    CU_ASSERT_EQUAL(enqueue(other, 1, "acme", id, NULL), IR_OK); /* another journal */
    timed_wait(waiter, 300, &woken, &rc);
    CU_ASSERT_FALSE(woken);
    CU_ASSERT_EQUAL(enqueue(writer, 2, "acme", id, NULL), IR_OK);
    CU_ASSERT(timed_wait(waiter, 5000, &woken, &rc) < 2000);
    CU_ASSERT_TRUE(woken);
    CU_ASSERT_EQUAL(claim(writer, "w", 1, 60000, &l), 1);
    timed_wait(waiter, 100, &woken, &rc); /* a claim wakes no one */
    CU_ASSERT_FALSE(woken);
    CU_ASSERT_EQUAL(ir_journal_release(writer, id, "w", &err), IR_OK);
    CU_ASSERT(timed_wait(waiter, 5000, &woken, &rc) < 2000);
    CU_ASSERT_TRUE(woken);
    CU_ASSERT_EQUAL(enqueue(writer, 3, NULL, id, NULL), IR_OK);
    timed_wait(waiter, 100, &woken, &rc); /* drains the enqueue's notification */
    CU_ASSERT_EQUAL(ir_journal_assign(writer, id, "acme", &err), IR_OK);
    CU_ASSERT(timed_wait(waiter, 5000, &woken, &rc) < 2000);
    CU_ASSERT_TRUE(woken);
    CU_ASSERT_EQUAL(ir_journal_park(writer, id, NULL, "by hand", &err), IR_OK);
    timed_wait(waiter, 100, &woken, &rc);
    CU_ASSERT_EQUAL(ir_journal_retry_now(writer, id, &err), IR_OK);
    CU_ASSERT(timed_wait(waiter, 5000, &woken, &rc) < 2000);
    CU_ASSERT_TRUE(woken);
    /* The listener's connection lost: said so, and the next wait listens anew. */
    CU_ASSERT(pg_admin_int("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                           " WHERE query LIKE 'LISTEN%' OR query LIKE 'SELECT current_schema%'") >=
              1);
    timed_wait(waiter, 1000, &woken, &rc);
    CU_ASSERT_EQUAL(rc, IR_ERR_IO);
    timed_wait(waiter, 1000, &woken, &rc);
    CU_ASSERT_EQUAL(rc, IR_OK);
    CU_ASSERT_TRUE(woken);
    ir_entry_list_free(&l);
    ir_journal_close(other);
    ir_journal_close(writer);
    ir_journal_close(waiter);
}

/* Rate-limit slots are one sequence for every process on the journal, on
 * the server's clock; each bucket its own. */
static void test_pg_quota_slots_are_shared(void)
{
    char path[256];
    ir_journal *a, *b;
    int64_t w1 = -1, w2 = -1, w3 = -1, w4 = -1;
    ir_err err = {0};

    new_path(path, sizeof(path));
    a = open_at(path);
    b = open_at(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(
        ir_journal_quota_reserve(a, "111122223333/us-east-1/iot/Register", 500000, &w1, &err),
        IR_OK);
    CU_ASSERT_EQUAL(
        ir_journal_quota_reserve(b, "111122223333/us-east-1/iot/Register", 500000, &w2, &err),
        IR_OK);
    CU_ASSERT_EQUAL(
        ir_journal_quota_reserve(a, "111122223333/us-east-1/iot/Register", 500000, &w3, &err),
        IR_OK);
    CU_ASSERT_EQUAL(
        ir_journal_quota_reserve(b, "111122223333/us-east-1/iot/Transfer", 500000, &w4, &err),
        IR_OK);
    CU_ASSERT_EQUAL(w1, 0);
    CU_ASSERT(w2 > 300000 && w2 <= 500000);
    CU_ASSERT(w3 > 800000 && w3 <= 1000000);
    CU_ASSERT_EQUAL(w4, 0);
    CU_ASSERT_EQUAL(ir_journal_quota_reserve(a, "b", 0, &w1, &err), IR_ERR_INVALID_ARG);
    CU_ASSERT_EQUAL(ir_journal_quota_reserve(a, NULL, 1000, &w1, &err), IR_ERR_INVALID_ARG);
    ir_journal_close(b);
    ir_journal_close(a);
}

int main(void)
{
    static const ir_test_case contract[] = {
        IR_TEST(test_enqueue_then_duplicate_is_already_known),
        IR_TEST(test_enqueue_checks_id_and_input),
        IR_TEST(test_different_certificate_same_id_is_refused),
        IR_TEST(test_claim_respects_live_leases_and_takes_expired),
        IR_TEST(test_record_step_advances_and_keeps_history),
        IR_TEST(test_retry_schedules_and_park_waits_for_operator),
        IR_TEST(test_assign_only_unattributed),
        IR_TEST(test_counts_by_state_and_customer),
        IR_TEST(test_counts_by_route),
        IR_TEST(test_list_with_facts),
        IR_TEST(test_revocation_request),
        IR_TEST(test_list_filters_and_pages),
        IR_TEST(test_threads_lose_and_duplicate_nothing),
        IR_TEST(test_next_due_says_when_work_comes),
        {NULL, NULL},
    };
    static const ir_test_case sqlite[] = {
        IR_TEST(test_migrates_empty_file),
        IR_TEST(test_refuses_foreign_and_newer_databases),
        IR_TEST(test_bad_path_is_a_clear_error),
        IR_TEST(test_short_lived_writers_keep_the_wal_short),
        IR_TEST(test_reader_delays_but_does_not_stop_the_wal_restart),
        IR_TEST(test_sqlite_has_no_notifications_or_shared_slots),
        {NULL, NULL},
    };
    static const ir_test_case postgresql[] = {
        IR_TEST(test_pg_schema_versions),
        IR_TEST(test_pg_fence_refuses_an_expired_lease),
        IR_TEST(test_pg_password_comes_from_a_private_file),
        IR_TEST(test_pg_tls_settings_reach_libpq),
        IR_TEST(test_pg_connections_lost_are_replaced),
        IR_TEST(test_pg_notify_wakes_a_waiter),
        IR_TEST(test_pg_quota_slots_are_shared),
        {NULL, NULL},
    };
    ir_test_case cases[32];
    const ir_test_case *own = pg_conninfo() ? postgresql : sqlite;
    size_t n = 0, i;

    for (i = 0; contract[i].name != NULL; i++)
        cases[n++] = contract[i];
    for (i = 0; own[i].name != NULL; i++)
        cases[n++] = own[i];
    cases[n] = (ir_test_case){NULL, NULL};
    return ir_test_run(pg_conninfo() ? "journal (PostgreSQL)" : "journal (SQLite)", cases,
                       jtest_setup, jtest_teardown);
}
