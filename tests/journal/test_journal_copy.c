/* The contract of ir_journal_copy_entry (what `iotregctl journal copy`
 * runs), kept by both backends: SQLite here, PostgreSQL when
 * IOTREG_TEST_PG_CONNINFO names a server (pg-journal.test). An entry copied
 * from another journal reads back field by field as the original, with its
 * history and facts, unclaimed; a second copy changes nothing; what the
 * journal would refuse to hold is refused whole; on PostgreSQL, a copy
 * that is due wakes the daemons. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "journal/journal.h"
#include "jtest.h"
#include "testutil.h"

static const char *const customer_any = "acme";

/* Opens a fresh journal at a new path. */
static ir_journal *fresh(void)
{
    char path[256];

    new_path(path, sizeof(path));
    return open_at(path);
}

/* Enqueues certificate n for customer (NULL: unattributed) into j. */
static void add(ir_journal *j, int n, const char *customer, char id[65])
{
    unsigned char der[64];
    ir_enqueue_req req = {.der = der,
                          .der_len = sizeof(der),
                          .subca = "devices-eu",
                          .customer = customer,
                          .unattributed_reason = customer ? NULL : "no rule matched \"O=x\"",
                          .source = IR_SOURCE_TAP,
                          .end_entity = "ee, {1}",
                          .profile = "p\\q",
                          .captured_ms = 1700000000000LL + n};
    bool known = false;
    ir_err err = {0};

    fake_der(der, n);
    ir_sha256_hex(der, sizeof(der), id, NULL);
    if (ir_journal_enqueue(j, &req, &known, &err) != IR_OK)
        fprintf(stderr, "enqueue: %s\n", err.msg);
    CU_ASSERT_FALSE(known);
}

/* Claims the one due entry of j for worker. */
static void claim_one(ir_journal *j, const char *worker)
{
    ir_claim_opts o = {.worker = worker, .max = 1, .lease_ms = 600000};
    ir_entry_list l = {0};

    CU_ASSERT_EQUAL_FATAL(ir_journal_claim(j, &o, &l, NULL), IR_OK);
    CU_ASSERT_EQUAL(l.n, 1);
    ir_entry_list_free(&l);
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

#define SAME_TEXT(a, b) CU_ASSERT_TRUE(same_text((a), (b)))

/* copy is original as another journal holds it: every field but the seq,
 * unclaimed. */
static void assert_copy_of(const ir_journal_entry *copy, const ir_journal_entry *original)
{
    size_t i;

    CU_ASSERT_STRING_EQUAL(copy->cert_id, original->cert_id);
    CU_ASSERT_EQUAL_FATAL(copy->der_len, original->der_len);
    CU_ASSERT_EQUAL(memcmp(copy->der, original->der, copy->der_len), 0);
    SAME_TEXT(copy->subca, original->subca);
    SAME_TEXT(copy->customer, original->customer);
    SAME_TEXT(copy->unattributed_reason, original->unattributed_reason);
    CU_ASSERT_EQUAL(copy->source, original->source);
    SAME_TEXT(copy->end_entity, original->end_entity);
    SAME_TEXT(copy->profile, original->profile);
    CU_ASSERT_EQUAL(copy->state, original->state);
    SAME_TEXT(copy->step, original->step);
    CU_ASSERT_EQUAL(copy->attempts, original->attempts);
    CU_ASSERT_EQUAL(copy->next_attempt_ms, original->next_attempt_ms);
    SAME_TEXT(copy->last_error, original->last_error);
    CU_ASSERT_PTR_NULL(copy->claimed_by);
    CU_ASSERT_EQUAL(copy->lease_until_ms, 0);
    CU_ASSERT_EQUAL(copy->revocation_requested, original->revocation_requested);
    CU_ASSERT_EQUAL(copy->revocation_reason, original->revocation_reason);
    CU_ASSERT_EQUAL(copy->revocation_time_ms, original->revocation_time_ms);
    CU_ASSERT_EQUAL(copy->created_ms, original->created_ms);
    CU_ASSERT_EQUAL(copy->updated_ms, original->updated_ms);
    CU_ASSERT_EQUAL_FATAL(copy->n_history, original->n_history);
    for (i = 0; i < copy->n_history; i++) {
        CU_ASSERT_EQUAL(copy->history[i].at_ms, original->history[i].at_ms);
        SAME_TEXT(copy->history[i].step, original->history[i].step);
        SAME_TEXT(copy->history[i].result, original->history[i].result);
        SAME_TEXT(copy->history[i].detail, original->history[i].detail);
        SAME_TEXT(copy->history[i].worker, original->history[i].worker);
    }
    CU_ASSERT_EQUAL_FATAL(copy->n_facts, original->n_facts);
    for (i = 0; i < copy->n_facts; i++) {
        SAME_TEXT(copy->facts[i].key, original->facts[i].key);
        SAME_TEXT(copy->facts[i].value, original->facts[i].value);
    }
}

/* Copies id from src into dst; *copied says whether it was written. */
static ir_rc copy_id(ir_journal *src, ir_journal *dst, const char *id, bool *copied)
{
    ir_journal_entry *e = NULL;
    ir_err err = {0};
    ir_rc rc;

    CU_ASSERT_EQUAL_FATAL(ir_journal_get(src, id, &e, NULL), IR_OK);
    rc = ir_journal_copy_entry(dst, e, copied, &err);
    if (rc != IR_OK)
        fprintf(stderr, "copy %s: %s\n", id, err.msg);
    ir_journal_entry_free(e);
    return rc;
}

static void assert_copied_as(ir_journal *src, ir_journal *dst, const char *id)
{
    ir_journal_entry *a = NULL, *b = NULL;

    CU_ASSERT_EQUAL_FATAL(ir_journal_get(src, id, &a, NULL), IR_OK);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(dst, id, &b, NULL), IR_OK);
    assert_copy_of(b, a);
    ir_journal_entry_free(a);
    ir_journal_entry_free(b);
}

/* A delivered, then revoked entry with facts (quotes, backslashes, commas
 * and braces in them, which PostgreSQL's arrays must keep), claimed when
 * copied; an unattributed one; a parked one after a retry. */
static void test_copy_equals_the_original(void)
{
    ir_journal *src = fresh(), *dst = fresh();
    static const ir_fact facts[] = {{IR_FACT_AWS_CERT_ID, "abc"},
                                    {IR_FACT_CERT_ARN, "arn:\"x\",{y}\\z NULL"},
                                    {"braces", "{}"}};
    ir_step_outcome reg = {"register", "ok",  "detail with \"quotes\", {braces}\\",
                           "transfer", facts, 3};
    char done[65], unattributed[65], parked[65];
    bool already = false, copied = false;

    add(src, 1, customer_any, done);
    claim_one(src, "host:1:w");
    CU_ASSERT_EQUAL(ir_journal_record_step(src, done, "host:1:w", &reg, NULL), IR_OK);
    CU_ASSERT_EQUAL(ir_journal_finish(src, done, "host:1:w", NULL, NULL), IR_OK);
    CU_ASSERT_EQUAL(ir_journal_request_revocation(src, done, 4, 1700000012345LL, &already, NULL),
                    IR_OK);
    claim_one(src, "host:1:w"); /* a daemon holds it as it is copied */
    add(src, 2, NULL, unattributed);
    add(src, 3, customer_any, parked);
    claim_one(src, "host:2:w");
    CU_ASSERT_EQUAL(
        ir_journal_schedule_retry(src, parked, "host:2:w", 1700000099999LL, "HTTP 503", NULL),
        IR_OK);
    CU_ASSERT_EQUAL(ir_journal_park(src, parked, NULL, "given up", NULL), IR_OK);

    CU_ASSERT_EQUAL(copy_id(src, dst, done, &copied), IR_OK);
    CU_ASSERT_TRUE(copied);
    assert_copied_as(src, dst, done);
    CU_ASSERT_EQUAL(copy_id(src, dst, unattributed, &copied), IR_OK);
    CU_ASSERT_TRUE(copied);
    assert_copied_as(src, dst, unattributed);
    CU_ASSERT_EQUAL(copy_id(src, dst, parked, &copied), IR_OK);
    CU_ASSERT_TRUE(copied);
    assert_copied_as(src, dst, parked);
    ir_journal_close(src);
    ir_journal_close(dst);
}

/* The copy is the destination's own: after its entries (seq), and
 * unclaimed, so a worker there claims it, with its DER. */
static void test_copy_is_claimed_in_the_destination(void)
{
    ir_journal *src = fresh(), *dst = fresh();
    ir_claim_opts o = {.worker = "dst:1:w", .max = 10, .lease_ms = 60000};
    ir_list_filter f = {.state = -1};
    ir_entry_list l = {0};
    char a[65], b[65], c[65];
    bool copied = false;
    size_t i;

    add(src, 10, customer_any, a);
    add(src, 11, customer_any, b);
    claim_one(src, "src:1:w"); /* a's lease is live in the source */
    add(dst, 12, customer_any, c);
    CU_ASSERT_EQUAL(copy_id(src, dst, b, &copied), IR_OK);
    CU_ASSERT_EQUAL(copy_id(src, dst, a, &copied), IR_OK);
    CU_ASSERT_EQUAL_FATAL(ir_journal_list(dst, &f, &l, NULL), IR_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 3);
    CU_ASSERT_STRING_EQUAL(l.items[0].cert_id, c);
    CU_ASSERT_STRING_EQUAL(l.items[1].cert_id, b);
    CU_ASSERT_STRING_EQUAL(l.items[2].cert_id, a);
    ir_entry_list_free(&l);
    CU_ASSERT_EQUAL_FATAL(ir_journal_claim(dst, &o, &l, NULL), IR_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 3);
    for (i = 0; i < l.n; i++) {
        CU_ASSERT_PTR_NOT_NULL(l.items[i].der);
        CU_ASSERT_STRING_EQUAL(l.items[i].claimed_by, "dst:1:w");
    }
    ir_entry_list_free(&l);
    ir_journal_close(src);
    ir_journal_close(dst);
}

/* A second copy of the same certificate changes nothing, even when the
 * destination's entry has moved on since (a daemon delivered it). */
static void test_second_copy_changes_nothing(void)
{
    ir_journal *src = fresh(), *dst = fresh();
    ir_journal_entry *before = NULL, *after = NULL;
    char id[65];
    bool copied = false;

    add(src, 20, customer_any, id);
    CU_ASSERT_EQUAL(copy_id(src, dst, id, &copied), IR_OK);
    CU_ASSERT_TRUE(copied);
    claim_one(dst, "dst:1:w");
    CU_ASSERT_EQUAL(ir_journal_finish(dst, id, "dst:1:w", NULL, NULL), IR_OK);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(dst, id, &before, NULL), IR_OK);
    CU_ASSERT_EQUAL(copy_id(src, dst, id, &copied), IR_OK);
    CU_ASSERT_FALSE(copied);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(dst, id, &after, NULL), IR_OK);
    CU_ASSERT_EQUAL(after->seq, before->seq);
    CU_ASSERT_EQUAL(after->state, IR_STATE_DONE);
    assert_copy_of(after, before);
    ir_journal_entry_free(before);
    ir_journal_entry_free(after);
    /* An entry enqueued there first is not overwritten either. */
    add(src, 21, customer_any, id);
    add(dst, 21, customer_any, id);
    CU_ASSERT_EQUAL(copy_id(src, dst, id, &copied), IR_OK);
    CU_ASSERT_FALSE(copied);
    ir_journal_close(src);
    ir_journal_close(dst);
}

static bool in_journal(ir_journal *j, const char *id)
{
    ir_journal_entry *e = NULL;
    ir_rc rc = ir_journal_get(j, id, &e, NULL);

    ir_journal_entry_free(e);
    return rc == IR_OK;
}

/* Copies e into dst, expecting a refusal; nothing of it is written. */
static void assert_refused(ir_journal *dst, ir_journal_entry *e, ir_rc want)
{
    bool copied = true;
    ir_err err = {0};
    ir_rc rc = ir_journal_copy_entry(dst, e, &copied, &err);

    CU_ASSERT(want == IR_OK ? rc != IR_OK : rc == want);
    CU_ASSERT_FALSE(copied);
    CU_ASSERT(err.msg[0] != '\0');
    if (ir_cert_id_valid(e->cert_id)) {
        CU_ASSERT_FALSE(in_journal(dst, e->cert_id));
    }
}

/* What the journal would not hold is refused, whole: no entry without its
 * history. want IR_OK: any failure. */
static void test_invalid_entries_are_refused(void)
{
    ir_journal *src = fresh(), *dst = fresh();
    ir_journal_entry *e = NULL;
    unsigned char *der;
    char id[65], *step, *result, bad_step[] = "No Such Step!";
    ir_entry_state state;

    add(src, 30, customer_any, id);
    CU_ASSERT_EQUAL_FATAL(ir_journal_get(src, id, &e, NULL), IR_OK);
    e->cert_id[0] = 'X';
    assert_refused(dst, e, IR_ERR_INVALID_ARG);
    e->cert_id[0] = id[0];
    der = e->der;
    e->der = NULL;
    assert_refused(dst, e, IR_ERR_INVALID_ARG);
    e->der = der;
    state = e->state;
    e->state = IR_STATE_COUNT;
    assert_refused(dst, e, IR_ERR_INVALID_ARG);
    e->state = state;
    step = e->step;
    e->step = bad_step;
    assert_refused(dst, e, IR_ERR_INVALID_ARG);
    e->step = step;
    /* Pending needs a customer (the schema says so). */
    free(e->customer);
    e->customer = NULL;
    assert_refused(dst, e, IR_OK);
    e->customer = strdup(customer_any);
    /* A history row without a result: the entry is not written either. */
    result = e->history[0].result;
    e->history[0].result = NULL;
    assert_refused(dst, e, IR_OK);
    e->history[0].result = result;
    CU_ASSERT_EQUAL(copy_id(src, dst, id, &(bool){false}), IR_OK);
    CU_ASSERT_TRUE(in_journal(dst, id));
    ir_journal_entry_free(e);
    ir_journal_close(src);
    ir_journal_close(dst);
}

/* PostgreSQL: a copy that is due wakes the daemons waiting on the journal
 * (a notification with the journal's schema); one that is not, does not. */
static void test_pg_due_copy_notifies(void)
{
    char path[256], schema[200];
    ir_journal *src = fresh(), *dst;
    PGconn *listener = PQconnectdb(pg_conninfo());
    PGnotify *n;
    PGresult *r;
    char id[65], done_id[65];
    int woken = 0, others = 0, i;
    bool copied = false;

    new_path(path, sizeof(path));
    dst = open_at(path);
    pg_schema_of(path, schema, sizeof(schema));
    r = PQexec(listener, "LISTEN iotreg_work");
    CU_ASSERT_EQUAL_FATAL(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    add(src, 40, customer_any, done_id);
    claim_one(src, "w");
    CU_ASSERT_EQUAL(ir_journal_finish(src, done_id, "w", NULL, NULL), IR_OK);
    add(src, 41, customer_any, id);
    CU_ASSERT_EQUAL(copy_id(src, dst, done_id, &copied), IR_OK);
    for (i = 0; i < 20 && others == 0; i++) { /* 200 ms for a notification that should not come */
        ir_sleep_ms(10);
        PQconsumeInput(listener);
        while ((n = PQnotifies(listener)) != NULL) {
            others += strcmp(n->extra, schema) == 0;
            PQfreemem(n);
        }
    }
    CU_ASSERT_EQUAL(others, 0);
    CU_ASSERT_EQUAL(copy_id(src, dst, id, &copied), IR_OK);
    for (i = 0; i < 500 && woken == 0; i++) {
        PQconsumeInput(listener);
        while ((n = PQnotifies(listener)) != NULL) {
            woken += strcmp(n->extra, schema) == 0;
            PQfreemem(n);
        }
        if (woken == 0)
            ir_sleep_ms(10);
    }
    CU_ASSERT_EQUAL(woken, 1);
    PQfinish(listener);
    ir_journal_close(src);
    ir_journal_close(dst);
}

int main(void)
{
    static ir_test_case cases[] = {
        IR_TEST(test_copy_equals_the_original),
        IR_TEST(test_copy_is_claimed_in_the_destination),
        IR_TEST(test_second_copy_changes_nothing),
        IR_TEST(test_invalid_entries_are_refused),
        {NULL, NULL}, /* PostgreSQL's own */
        {NULL, NULL},
    };

    if (pg_conninfo() != NULL)
        cases[4] = (ir_test_case)IR_TEST(test_pg_due_copy_notifies);
    return ir_test_run(pg_conninfo() ? "journal copy (PostgreSQL)" : "journal copy (SQLite)", cases,
                       jtest_setup, jtest_teardown);
}
