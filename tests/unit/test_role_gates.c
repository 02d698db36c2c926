/* The daemon's memory of role checks (creds/role_check.h) with a stand-in
 * check: a pass is remembered for the interval, unsafe and inconclusive
 * verdicts are not, one check runs at a time per (customer, CSP account)
 * and the threads waiting for it take its verdict; and which CSP accounts
 * deliver for a customer, from its SubCAs and attribution rules. */
#include "autoconf.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "creds/role_check.h"
#include "testutil.h"

#define N_THREADS 8

typedef struct fake_check {
    ir_role_safety verdict;
    long delay_ms;
    atomic_int calls;
} fake_check;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static ir_role_safety fake(void *arg, const ir_customer_conf *cust, const ir_csp_account *via,
                           ir_err *err)
{
    fake_check *f = arg;

    atomic_fetch_add(&f->calls, 1);
    if (f->delay_ms > 0)
        sleep_ms(f->delay_ms);
    if (f->verdict != IR_ROLE_SAFE)
        ir_err_set(err, IR_ERR_PERMISSION, "verdict %d for %s via %s", (int)f->verdict, cust->id,
                   via->name);
    return f->verdict;
}

static ir_customer_conf alpha = {.id = "alpha", .role_arn = "arn:aws:iam::222222222222:role/r"};
static ir_customer_conf beta = {.id = "beta", .role_arn = "arn:aws:iam::333333333333:role/r"};
static ir_csp_account csp1 = {.name = "csp1", .account_id = "111111111111"};
static ir_csp_account csp2 = {.name = "csp2", .account_id = "777777777777"};

static ir_role_safety pass(ir_role_gates *g, const ir_customer_conf *c, const ir_csp_account *via,
                           int64_t interval_ms, fake_check *f, ir_err *err)
{
    return ir_role_gates_pass(g, c, via, interval_ms, fake, f, err);
}

static void test_a_pass_is_remembered_for_the_interval(void)
{
    fake_check f = {.verdict = IR_ROLE_SAFE};
    ir_role_gates *g = NULL;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_role_gates_new(&g, &err), IR_OK);
    CU_ASSERT_EQUAL(pass(g, &alpha, &csp1, 150, &f, &err), IR_ROLE_SAFE);
    CU_ASSERT_EQUAL(pass(g, &alpha, &csp1, 150, &f, &err), IR_ROLE_SAFE);
    CU_ASSERT_EQUAL(atomic_load(&f.calls), 1);
    /* Another CSP account, another customer: each checked on its own. */
    CU_ASSERT_EQUAL(pass(g, &alpha, &csp2, 150, &f, &err), IR_ROLE_SAFE);
    CU_ASSERT_EQUAL(pass(g, &beta, &csp1, 150, &f, &err), IR_ROLE_SAFE);
    CU_ASSERT_EQUAL(atomic_load(&f.calls), 3);
    sleep_ms(200);
    /* Older than the interval: checked again, and now it is unsafe. */
    f.verdict = IR_ROLE_UNSAFE;
    CU_ASSERT_EQUAL(pass(g, &alpha, &csp1, 150, &f, &err), IR_ROLE_UNSAFE);
    CU_ASSERT_EQUAL(atomic_load(&f.calls), 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "verdict 1 for alpha via csp1"));
    ir_role_gates_free(g);
}

static void test_only_a_pass_is_remembered(void)
{
    fake_check f = {.verdict = IR_ROLE_UNSAFE};
    ir_role_gates *g = NULL;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_role_gates_new(&g, &err), IR_OK);
    CU_ASSERT_EQUAL(pass(g, &alpha, &csp1, 60000, &f, &err), IR_ROLE_UNSAFE);
    /* The customer fixed the trust policy: the next use finds out. */
    f.verdict = IR_ROLE_SAFE;
    CU_ASSERT_EQUAL(pass(g, &alpha, &csp1, 60000, &f, &err), IR_ROLE_SAFE);
    CU_ASSERT_EQUAL(atomic_load(&f.calls), 2);
    ir_role_gates_free(g);

    f.calls = 0;
    f.verdict = IR_ROLE_INCONCLUSIVE;
    CU_ASSERT_EQUAL_FATAL(ir_role_gates_new(&g, &err), IR_OK);
    CU_ASSERT_EQUAL(pass(g, &alpha, &csp1, 60000, &f, &err), IR_ROLE_INCONCLUSIVE);
    CU_ASSERT_EQUAL(pass(g, &alpha, &csp1, 60000, &f, &err), IR_ROLE_INCONCLUSIVE);
    CU_ASSERT_EQUAL(atomic_load(&f.calls), 2);
    ir_role_gates_free(g);
}

static void test_no_role_nothing_to_check(void)
{
    ir_customer_conf keyed = {.id = "keyed", .has_credentials = true};
    fake_check f = {.verdict = IR_ROLE_UNSAFE};
    ir_role_gates *g = NULL;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_role_gates_new(&g, &err), IR_OK);
    CU_ASSERT_EQUAL(pass(g, &keyed, &csp1, 60000, &f, &err), IR_ROLE_SAFE);
    CU_ASSERT_EQUAL(atomic_load(&f.calls), 0);
    ir_role_gates_free(g);
}

typedef struct racer {
    ir_role_gates *g;
    fake_check *f;
    ir_role_safety got;
    ir_err err;
} racer;

static void *race(void *arg)
{
    racer *r = arg;

    r->got = pass(r->g, &alpha, &csp1, 60000, r->f, &r->err);
    return NULL;
}

/* N_THREADS workers reach the gate while a slow check is in flight. */
static void race_all(ir_role_safety verdict)
{
    fake_check f = {.verdict = verdict, .delay_ms = 300};
    racer r[N_THREADS];
    pthread_t t[N_THREADS];
    ir_role_gates *g = NULL;
    ir_err err = {0};
    int i;

    CU_ASSERT_EQUAL_FATAL(ir_role_gates_new(&g, &err), IR_OK);
    memset(r, 0, sizeof(r));
    for (i = 0; i < N_THREADS; i++) {
        r[i].g = g;
        r[i].f = &f;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    for (i = 0; i < N_THREADS; i++)
        pthread_join(t[i], NULL);
    CU_ASSERT_EQUAL(atomic_load(&f.calls), 1);
    for (i = 0; i < N_THREADS; i++) {
        CU_ASSERT_EQUAL(r[i].got, verdict);
        if (verdict != IR_ROLE_SAFE)
            CU_ASSERT_PTR_NOT_NULL(strstr(r[i].err.msg, "for alpha via csp1"));
    }
    ir_role_gates_free(g);
}

static void test_one_check_at_a_time_and_waiters_take_its_verdict(void)
{
    race_all(IR_ROLE_SAFE);
    race_all(IR_ROLE_UNSAFE);
    race_all(IR_ROLE_INCONCLUSIVE);
}

/* ---- the CSP accounts that deliver for a customer ---- */

static void test_delivering_accounts_follow_subcas_and_rules(void)
{
    char *east[] = {"us-east-1"}, *one[] = {"csp1"}, *two[] = {"csp2"},
         *both_accts[] = {"csp1", "csp2"};
    ir_csp_account accts[] = {csp1, csp2};
    ir_subca_conf subcas[] = {{.name = "eu", .csp_accounts = one, .n_csp_accounts = 1},
                              {.name = "us", .csp_accounts = two, .n_csp_accounts = 1},
                              {.name = "eu-2", .csp_accounts = one, .n_csp_accounts = 1},
                              {.name = "sharded", .csp_accounts = both_accts, .n_csp_accounts = 2}};
    ir_match only_us = {.field = IR_MATCH_SUBCA, .kind = IR_MATCH_EXACT, .value = "us"};
    ir_match org = {.field = IR_MATCH_SUBJECT_O, .kind = IR_MATCH_EXACT, .value = "Beta"};
    ir_match both[] = {only_us, org};
    ir_rule rules[] = {{.customer = "alpha", .matches = both, .n_matches = 2},
                       {.customer = "beta", .matches = &org, .n_matches = 1}};
    ir_config cfg = {.csp_accounts = accts,
                     .n_csp_accounts = 2,
                     .subcas = subcas,
                     .n_subcas = 4,
                     .rules = rules,
                     .n_rules = 2};
    ir_customer_conf gamma = {.id = "gamma", .region = "us-east-1"};
    ir_customer_conf a = alpha, b = beta;
    const ir_csp_account *out[4];

    for (size_t i = 0; i < 2; i++) {
        accts[i].regions = east;
        accts[i].n_regions = 1;
    }
    a.region = b.region = "us-east-1";

    /* alpha: only the SubCA "us", registered in the second account. */
    CU_ASSERT_EQUAL_FATAL(ir_role_delivering_accounts(&cfg, &a, out, 4), 1);
    CU_ASSERT_PTR_EQUAL(out[0], &accts[1]);
    /* beta: any SubCA; two accounts, each once. */
    CU_ASSERT_EQUAL_FATAL(ir_role_delivering_accounts(&cfg, &b, out, 4), 2);
    CU_ASSERT_PTR_EQUAL(out[0], &accts[0]);
    CU_ASSERT_PTR_EQUAL(out[1], &accts[1]);
    /* gamma has no rule (iotregctl assign): every SubCA may serve it. */
    CU_ASSERT_EQUAL(ir_role_delivering_accounts(&cfg, &gamma, out, 4), 2);
    CU_ASSERT_EQUAL(ir_role_delivering_accounts(&cfg, &b, out, 1), 1);
    /* Only accounts that serve the customer's region deliver for it. */
    b.region = "eu-west-1";
    CU_ASSERT_EQUAL(ir_role_delivering_accounts(&cfg, &b, out, 4), 0);
    b.region = "us-east-1";
    accts[0].n_regions = 0;
    CU_ASSERT_EQUAL_FATAL(ir_role_delivering_accounts(&cfg, &b, out, 4), 1);
    CU_ASSERT_PTR_EQUAL(out[0], &accts[1]);
    cfg.n_subcas = 0;
    CU_ASSERT_EQUAL(ir_role_delivering_accounts(&cfg, &b, out, 4), 0);
}

static void test_unsafe_reason_names_problem_role_and_fix(void)
{
    ir_customer_conf c = {.id = "alpha",
                          .role_arn = "arn:aws:iam::222222222222:role/iotreg-delivery",
                          .external_id = "ext-alpha-7c1e"};
    char buf[1024];

    ir_role_unsafe_reason(&c, &csp2, buf, sizeof(buf));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"The confused deputy problem\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, c.role_arn));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "777777777777"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(buf, "\"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"ext-alpha-7c1e\"}}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "iotregctl retry --parked --customer alpha"));
    /* Bounded: a short buffer is cut, never overrun. */
    ir_role_unsafe_reason(&c, &csp2, buf, 16);
    CU_ASSERT_EQUAL(strlen(buf), 15);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_a_pass_is_remembered_for_the_interval),
        IR_TEST(test_only_a_pass_is_remembered),
        IR_TEST(test_no_role_nothing_to_check),
        IR_TEST(test_one_check_at_a_time_and_waiters_take_its_verdict),
        IR_TEST(test_delivering_accounts_follow_subcas_and_rules),
        IR_TEST(test_unsafe_reason_names_problem_role_and_fix),
        {NULL, NULL},
    };

    return ir_test_run("role_gates", cases, NULL, NULL);
}
