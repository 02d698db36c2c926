/* Which CSP account carries a certificate (app/route.h): the accounts of its
 * SubCA that serve its customer's region, one chosen by the certificate's
 * id, evenly; a recorded choice wins; no account for the region is a
 * configuration problem that names the fix. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "app/route.h"
#include "testutil.h"

static char *east_west[] = {"us-east-1", "eu-west-1"}, *east[] = {"us-east-1"},
            *south[] = {"ap-southeast-2"};
static ir_csp_account accts[] = {
    {.name = "a1",
     .account_id = "111111111111",
     .region = "us-east-1",
     .regions = east_west,
     .n_regions = 2},
    {.name = "a2",
     .account_id = "222222222222",
     .region = "us-east-1",
     .regions = east,
     .n_regions = 1},
    {.name = "a3",
     .account_id = "333333333333",
     .region = "ap-southeast-2",
     .regions = south,
     .n_regions = 1},
};
static char *sharded_accts[] = {"a1", "a2"};
static ir_subca_conf devices = {
    .name = "devices", .csp_account = "a1", .csp_accounts = sharded_accts, .n_csp_accounts = 2};
static ir_config cfg = {.csp_accounts = accts, .n_csp_accounts = 3};
static ir_customer_conf in_east = {.id = "east", .region = "us-east-1"};
static ir_customer_conf in_west = {.id = "west", .region = "eu-west-1"};
static ir_customer_conf in_south = {.id = "south", .region = "ap-southeast-2"};

static ir_journal_entry entry(const char *cert_id)
{
    ir_journal_entry e = {0};

    snprintf(e.cert_id, sizeof(e.cert_id), "%s", cert_id);
    e.step = IR_STEP_FIRST;
    e.state = IR_STATE_PENDING;
    return e;
}

static void test_the_id_spreads_certificates_over_the_accounts(void)
{
    char id[65];
    ir_journal_entry e;
    ir_route r;
    ir_err err = {0};
    int on_a1 = 0, i;

    for (i = 0; i < 1000; i++) {
        snprintf(id, sizeof(id), "%08x%056d", (unsigned)(i * 2654435761u), 0);
        e = entry(id);
        CU_ASSERT_EQUAL_FATAL(ir_route_entry(&cfg, &devices, &in_east, &e, &r, &err), IR_OK);
        CU_ASSERT_FALSE(r.recorded);
        CU_ASSERT_STRING_EQUAL(r.region, "us-east-1");
        on_a1 += r.csp == &accts[0];
        /* The same id, the same account, on any host. */
        CU_ASSERT_EQUAL(ir_route_entry(&cfg, &devices, &in_east, &e, &r, &err), IR_OK);
    }
    CU_ASSERT(on_a1 > 400 && on_a1 < 600);
}

static void test_only_accounts_serving_the_region(void)
{
    ir_journal_entry e = entry("ffffffff00000000000000000000000000000000000000000000000000000000");
    ir_route r;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_route_entry(&cfg, &devices, &in_west, &e, &r, &err), IR_OK);
    CU_ASSERT_PTR_EQUAL(r.csp, &accts[0]); /* a2 does not serve eu-west-1 */
    CU_ASSERT_STRING_EQUAL(r.region, "eu-west-1");
    CU_ASSERT_EQUAL(ir_route_entry(&cfg, &devices, &in_south, &e, &r, &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(err.msg, "no CSP account of SubCA 'devices' serves ap-southeast-2"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(err.msg, "iotregctl ca register devices --region ap-southeast-2"));
}

static void test_a_recorded_route_wins(void)
{
    ir_fact_row facts[] = {{"csp_account", "a2"}, {"region", "us-east-1"}};
    ir_journal_entry e = entry("0000000000000000000000000000000000000000000000000000000000000000");
    ir_route r;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_route_entry(&cfg, &devices, &in_east, &e, &r, &err), IR_OK);
    CU_ASSERT_PTR_EQUAL(r.csp, &accts[0]); /* the id alone would choose a1 */
    e.facts = facts;
    e.n_facts = 2;
    CU_ASSERT_EQUAL(ir_route_entry(&cfg, &devices, &in_east, &e, &r, &err), IR_OK);
    CU_ASSERT_PTR_EQUAL(r.csp, &accts[1]);
    CU_ASSERT_TRUE(r.recorded);
    facts[0].value = "gone";
    CU_ASSERT_EQUAL(ir_route_entry(&cfg, &devices, &in_east, &e, &r, &err), IR_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'gone' this certificate was registered in"));
}

/* Entries that went to AWS before routes were recorded, and unattributed
 * ones, are the SubCA's first account's. */
static void test_older_entries_keep_the_first_account(void)
{
    ir_fact_row id_fact[] = {{"aws_cert_id", "abc"}};
    ir_journal_entry e = entry("ffffffff00000000000000000000000000000000000000000000000000000000");
    ir_route r;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_route_entry(&cfg, &devices, &in_east, &e, &r, &err), IR_OK);
    CU_ASSERT_PTR_EQUAL(r.csp, &accts[1]);
    e.step = IR_STEP_TRANSFER;
    CU_ASSERT_EQUAL(ir_route_entry(&cfg, &devices, &in_east, &e, &r, &err), IR_OK);
    CU_ASSERT_PTR_EQUAL(r.csp, &accts[0]);
    CU_ASSERT_STRING_EQUAL(r.region, "us-east-1");
    e.step = IR_STEP_FIRST;
    e.facts = id_fact;
    e.n_facts = 1;
    CU_ASSERT_EQUAL(ir_route_entry(&cfg, &devices, &in_east, &e, &r, &err), IR_OK);
    CU_ASSERT_PTR_EQUAL(r.csp, &accts[0]);
    CU_ASSERT_EQUAL(ir_route_entry(&cfg, &devices, NULL, &e, &r, &err), IR_OK);
    CU_ASSERT_PTR_EQUAL(r.csp, &accts[0]);
    CU_ASSERT_STRING_EQUAL(r.region, "us-east-1");
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_the_id_spreads_certificates_over_the_accounts),
        IR_TEST(test_only_accounts_serving_the_region),
        IR_TEST(test_a_recorded_route_wins),
        IR_TEST(test_older_entries_keep_the_first_account),
        {NULL, NULL},
    };

    return ir_test_run("route", cases, NULL, NULL);
}
