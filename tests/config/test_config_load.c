/* Loading valid configurations: every field, defaults, the shipped sample,
 * the embedded XSD, path resolution, line numbers, file checks. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgtest.h"
#include "config/config.h"
#include "config/load.h"
#include "core/buf.h"
#include "core/util.h"
#include "fixture.h"
#include "testutil.h"

extern const unsigned char ir_config_xsd[];
extern const size_t ir_config_xsd_len;

static ir_config *load_full(void)
{
    char *xml = fixture_full_xml();
    const char *path = cfgtest_write_str("full.xml", xml, 0644);
    ir_config *cfg = NULL;
    ir_err err = {0};

    free(xml);
    if (ir_config_load(path, &cfg, &err) != IR_OK)
        fprintf(stderr, "load failed: %s\n", err.msg);
    return cfg;
}

static void assert_settings(const ir_config *cfg)
{
    CU_ASSERT_STRING_EQUAL(cfg->keystore.module, cfgtest_path("module.so"));
    CU_ASSERT_STRING_EQUAL(cfg->keystore.token_label, "test token");
    CU_ASSERT_STRING_EQUAL(cfg->keystore.pin_file, cfgtest_path("user.pin"));
    CU_ASSERT_STRING_EQUAL(cfg->keystore.so_pin_file, cfgtest_path("so.pin"));
    CU_ASSERT_STRING_EQUAL(cfg->keystore.softhsm_dir, cfgtest_path("tokens"));
    CU_ASSERT_EQUAL(cfg->journal.backend, IR_JOURNAL_POSTGRES);
    CU_ASSERT_STRING_EQUAL(cfg->journal.conninfo, "host=db.example dbname=iotreg user=iotreg");
    CU_ASSERT_PTR_NULL(cfg->journal.path);
    CU_ASSERT_STRING_EQUAL(cfg->journal.password_file, cfgtest_path("pg.password"));
    CU_ASSERT_STRING_EQUAL(cfg->journal.sslmode, "verify-full");
    CU_ASSERT_STRING_EQUAL(cfg->journal.ca_file, cfgtest_path("pg-ca.pem"));
    CU_ASSERT_STRING_EQUAL(cfg->journal.spool, cfgtest_path("journal"));
    CU_ASSERT_STRING_EQUAL(cfg->aws.iot_signing_name, "execute-api");
    CU_ASSERT_EQUAL(cfg->aws.connect_timeout_ms, 1500);
    CU_ASSERT_EQUAL(cfg->aws.request_timeout_ms, 9000);
    CU_ASSERT_EQUAL(cfg->aws.max_attempts, 3);
    CU_ASSERT_EQUAL(cfg->aws.max_retry_ms, 60000);
    CU_ASSERT_STRING_EQUAL(cfg->aws.ca_file, cfgtest_path("ca.pem"));
    CU_ASSERT_EQUAL(cfg->daemon.concurrency, 16);
    CU_ASSERT_EQUAL(cfg->daemon.poll_ms, 250);
    CU_ASSERT_TRUE(cfg->daemon.syslog);
    CU_ASSERT_EQUAL(cfg->daemon.assume_role_seconds, 900);
    CU_ASSERT_EQUAL(cfg->daemon.role_check_seconds, 3600);
    CU_ASSERT_STRING_EQUAL(cfg->daemon.worker_id, "ca-host-1.example:a");
    CU_ASSERT_EQUAL(cfg->daemon.lease_seconds, 45);
    CU_ASSERT_STRING_EQUAL(cfg->daemon.metrics_listen, "[::1]:9464");
    CU_ASSERT_STRING_EQUAL(cfg->daemon.metrics_textfile, cfgtest_path("iotregd.prom"));
    CU_ASSERT_EQUAL(cfg->daemon.metrics_textfile_seconds, 30);
}

static void assert_csp_accounts(const ir_config *cfg)
{
    const ir_csp_account *a;

    CU_ASSERT_EQUAL_FATAL(cfg->n_csp_accounts, 3);
    a = &cfg->csp_accounts[0];
    CU_ASSERT_STRING_EQUAL(a->name, "csp-main");
    CU_ASSERT_STRING_EQUAL(a->account_id, "111122223333");
    CU_ASSERT_STRING_EQUAL(a->region, "eu-central-1");
    CU_ASSERT_EQUAL(a->credentials.source, IR_CRED_KEYSTORE);
    CU_ASSERT_STRING_EQUAL(a->credentials.keystore_name, "aws-main");
    CU_ASSERT_STRING_EQUAL(a->credentials.access_key_id, "AKIAEXAMPLEMAIN00001");
    CU_ASSERT_STRING_EQUAL(a->endpoint, "http://127.0.0.1:4566");
    CU_ASSERT_TRUE(a->allow_http);
    CU_ASSERT_EQUAL(a->n_regions, 1);
    CU_ASSERT_TRUE(ir_csp_account_serves(a, "eu-central-1"));
    CU_ASSERT_FALSE(ir_csp_account_serves(a, "us-east-1"));
    a = &cfg->csp_accounts[1];
    CU_ASSERT_EQUAL_FATAL(a->n_regions, 2); /* several regions, the first the default */
    CU_ASSERT_STRING_EQUAL(a->region, "us-east-1");
    CU_ASSERT_STRING_EQUAL(a->regions[1], "ap-southeast-2");
    CU_ASSERT_TRUE(ir_csp_account_serves(a, "ap-southeast-2"));
    CU_ASSERT_FALSE(ir_csp_account_serves(a, NULL));
    CU_ASSERT_EQUAL(a->credentials.source, IR_CRED_ENVIRONMENT);
    CU_ASSERT_PTR_NULL(a->endpoint);
    CU_ASSERT_FALSE(a->allow_http);
    a = &cfg->csp_accounts[2];
    CU_ASSERT_STRING_EQUAL(a->account_id, "011122225555");
    CU_ASSERT_STRING_EQUAL(a->region, "us-gov-west-1");
    CU_ASSERT_EQUAL(a->credentials.source, IR_CRED_FILE);
    CU_ASSERT_STRING_EQUAL(a->credentials.access_key_id, "AKIAEXAMPLEFILE00001");
    CU_ASSERT_STRING_EQUAL(a->credentials.secret_file, cfgtest_path("csp.secret"));
    CU_ASSERT_STRING_EQUAL(a->endpoint, "https://iot.example.test");
    CU_ASSERT_PTR_EQUAL(ir_config_csp_account(cfg, "csp-env"), &cfg->csp_accounts[1]);
    CU_ASSERT_PTR_NULL(ir_config_csp_account(cfg, "csp-nope"));
}

static void assert_subcas(const ir_config *cfg)
{
    CU_ASSERT_EQUAL_FATAL(cfg->n_subcas, 2);
    CU_ASSERT_STRING_EQUAL(cfg->subcas[0].name, "sub-eu");
    CU_ASSERT_STRING_EQUAL(cfg->subcas[0].key_uri, "iotreg:object=sub-eu-key;type=private");
    CU_ASSERT_STRING_EQUAL(cfg->subcas[0].cert_file, cfgtest_path("sub-eu.pem"));
    CU_ASSERT_STRING_EQUAL(cfg->subcas[0].csp_account, "csp-main");
    CU_ASSERT_TRUE(cfg->subcas[0].tap);
    CU_ASSERT_STRING_EQUAL(cfg->subcas[1].key_uri, "iotreg:object=sub-us;type=private");
    CU_ASSERT_PTR_NULL(cfg->subcas[1].cert_file);
    CU_ASSERT_FALSE(cfg->subcas[1].tap);
    CU_ASSERT_EQUAL(cfg->subcas[0].n_csp_accounts, 1);
    CU_ASSERT_EQUAL_FATAL(cfg->subcas[1].n_csp_accounts, 2); /* sharded over two accounts */
    CU_ASSERT_STRING_EQUAL(cfg->subcas[1].csp_account, "csp-env");
    CU_ASSERT_STRING_EQUAL(cfg->subcas[1].csp_accounts[1], "csp-file");
    CU_ASSERT_PTR_EQUAL(ir_config_subca(cfg, "sub-us"), &cfg->subcas[1]);
}

static void assert_customer_acme(const ir_customer_conf *c)
{
    CU_ASSERT_STRING_EQUAL(c->id, "acme");
    CU_ASSERT_STRING_EQUAL(c->account_id, "444455556666");
    CU_ASSERT_STRING_EQUAL(c->region, "eu-central-1");
    CU_ASSERT_EQUAL(c->delivery, IR_DELIVERY_TRANSFER);
    CU_ASSERT_STRING_EQUAL(c->role_arn, "arn:aws:iam::444455556666:role/iotreg/delivery");
    CU_ASSERT_STRING_EQUAL(c->external_id, "ext-acme-0001");
    CU_ASSERT_FALSE(c->has_credentials);
    CU_ASSERT_STRING_EQUAL(c->policy_name, "acme-policy");
    CU_ASSERT_STRING_EQUAL(c->policy_document_file, cfgtest_path("acme-policy.json"));
    CU_ASSERT_STRING_EQUAL(c->thing_name_template, "acme-${subject.CN}-${certid8}");
    CU_ASSERT_STRING_EQUAL(c->thing_group, "acme-fleet");
    CU_ASSERT_TRUE(c->activate);
    CU_ASSERT_STRING_EQUAL(c->endpoint, "http://localhost:4567");
    CU_ASSERT_TRUE(c->allow_http);
}

static void assert_customers(const ir_config *cfg)
{
    const ir_customer_conf *c;

    CU_ASSERT_EQUAL_FATAL(cfg->n_customers, 3);
    assert_customer_acme(&cfg->customers[0]);
    c = ir_config_customer(cfg, "globex");
    CU_ASSERT_PTR_EQUAL_FATAL(c, &cfg->customers[1]);
    CU_ASSERT_EQUAL(c->delivery, IR_DELIVERY_REGISTER_WITHOUT_CA);
    CU_ASSERT_PTR_NULL(c->role_arn);
    CU_ASSERT_PTR_NULL(c->external_id);
    CU_ASSERT_TRUE(c->has_credentials);
    CU_ASSERT_EQUAL(c->credentials.source, IR_CRED_PROFILE);
    CU_ASSERT_STRING_EQUAL(c->credentials.profile, "globex");
    CU_ASSERT_STRING_EQUAL(c->credentials.profile_file, cfgtest_path("aws-credentials"));
    CU_ASSERT_PTR_NULL(c->policy_document_file);
    CU_ASSERT_PTR_NULL(c->thing_name_template);
    CU_ASSERT_PTR_NULL(c->thing_group);
    CU_ASSERT_FALSE(c->activate);
    c = &cfg->customers[2];
    CU_ASSERT_STRING_EQUAL(c->region, "ap-southeast-2");
    CU_ASSERT_EQUAL(c->delivery, IR_DELIVERY_TRANSFER);
    CU_ASSERT_TRUE(c->activate);
    CU_ASSERT_PTR_NULL(ir_config_customer(cfg, "nobody"));
}

static void assert_match(const ir_match *m, ir_match_field field, ir_match_kind kind,
                         const char *value)
{
    CU_ASSERT_EQUAL(m->field, field);
    CU_ASSERT_EQUAL(m->kind, kind);
    CU_ASSERT_STRING_EQUAL(m->value, value);
    CU_ASSERT_EQUAL(m->regex != NULL, kind == IR_MATCH_REGEX);
}

static void assert_rules(const ir_config *cfg)
{
    const ir_rule *r;

    CU_ASSERT_EQUAL_FATAL(cfg->n_rules, 3);
    r = &cfg->rules[0];
    CU_ASSERT_STRING_EQUAL(r->customer, "acme");
    CU_ASSERT_EQUAL_FATAL(r->n_matches, 3);
    assert_match(&r->matches[0], IR_MATCH_SUBCA, IR_MATCH_EXACT, "sub-eu");
    assert_match(&r->matches[1], IR_MATCH_SUBJECT_O, IR_MATCH_EXACT, "Acme");
    assert_match(&r->matches[2], IR_MATCH_SUBJECT_OU, IR_MATCH_PREFIX, "Plant-");
    r = &cfg->rules[1];
    CU_ASSERT_EQUAL_FATAL(r->n_matches, 5);
    assert_match(&r->matches[0], IR_MATCH_SUBJECT_CN, IR_MATCH_REGEX, "^gx-[0-9]+$");
    assert_match(&r->matches[1], IR_MATCH_SAN, IR_MATCH_PREFIX, "gx-");
    CU_ASSERT_EQUAL(r->matches[1].san_type, IR_SAN_DNS);
    CU_ASSERT_EQUAL(r->matches[2].san_type, IR_SAN_IP);
    CU_ASSERT_EQUAL(r->matches[3].san_type, IR_SAN_ANY);
    assert_match(&r->matches[4], IR_MATCH_EXTENSION, IR_MATCH_EXACT, "globex");
    CU_ASSERT_STRING_EQUAL(r->matches[4].oid, "1.3.6.1.4.1.99999.1");
    r = &cfg->rules[2];
    CU_ASSERT_EQUAL_FATAL(r->n_matches, 2);
    assert_match(&r->matches[0], IR_MATCH_END_ENTITY, IR_MATCH_PREFIX, "initech-");
    assert_match(&r->matches[1], IR_MATCH_PROFILE, IR_MATCH_EXACT, "initech-device");
}

static void assert_quotas(const ir_config *cfg)
{
    CU_ASSERT_EQUAL_FATAL(cfg->n_quotas, 2);
    CU_ASSERT_STRING_EQUAL(cfg->quotas[0].api, "RegisterCertificate");
    CU_ASSERT_PTR_NULL(cfg->quotas[0].account_id);
    CU_ASSERT_DOUBLE_EQUAL(cfg->quotas[0].tps, 2.5, 1e-9);
    CU_ASSERT_STRING_EQUAL(cfg->quotas[1].api, "AcceptCertificateTransfer");
    CU_ASSERT_STRING_EQUAL(cfg->quotas[1].account_id, "444455556666");
    CU_ASSERT_DOUBLE_EQUAL(cfg->quotas[1].tps, 5.0, 1e-9);
}

static void test_full_config_loads_every_field(void)
{
    ir_config *cfg = load_full();

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_STRING_EQUAL(cfg->path, cfgtest_path("full.xml"));
    assert_settings(cfg);
    assert_csp_accounts(cfg);
    assert_subcas(cfg);
    assert_customers(cfg);
    assert_rules(cfg);
    assert_quotas(cfg);
    ir_config_free(cfg);
}

static void test_full_config_files_pass_every_check(void)
{
    ir_config *cfg = load_full();
    ir_err err = {0};

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_EQUAL(ir_config_check_files(cfg, IR_CONFIG_NEED_RUNTIME | IR_CONFIG_NEED_SO_PIN, NULL,
                                          NULL, &err),
                    IR_OK);
    ir_config_free(cfg);
}

static void test_lines_point_at_definitions(void)
{
    char *xml = fixture_full_xml();
    ir_config *cfg = load_full();

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_EQUAL(ir_config_line(cfg, &cfg->customers[1]),
                    cfgtest_line_of(xml, "<customer id=\"globex\">"));
    CU_ASSERT_EQUAL(ir_config_line(cfg, cfg->keystore.pin_file),
                    cfgtest_line_of(xml, "<pin-file>"));
    CU_ASSERT_EQUAL(ir_config_line(cfg, &cfg->rules[2]),
                    cfgtest_line_of(xml, "<rule customer=\"initech\">"));
    CU_ASSERT_EQUAL(ir_config_line(cfg, &cfg->rules[1].matches[4]),
                    cfgtest_line_of(xml, "<extension oid="));
    CU_ASSERT_EQUAL(ir_config_line(cfg, cfg->customers[0].external_id),
                    cfgtest_line_of(xml, "external-id=\"ext-acme-0001\""));
    CU_ASSERT_EQUAL(ir_config_line(cfg, cfg->subcas[1].key_uri), 0); /* a default */
    CU_ASSERT_EQUAL(ir_config_line(cfg, "not in the configuration"), 0);
    ir_config_free(cfg);
    free(xml);
}

static const char minimal_xml[] =
    "<iotreg xmlns='urn:iotreg:config:1' version='1'>\n"
    "  <keystore><pin-file>/nonexistent/iotreg/pin</pin-file></keystore>\n"
    "  <journal><sqlite path='/nonexistent/iotreg/journal.db'/></journal>\n"
    "</iotreg>\n";

static void test_minimal_config_gets_defaults(void)
{
    const char *path = cfgtest_write_str("minimal.xml", minimal_xml, 0644);
    ir_config *cfg = NULL;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_config_load(path, &cfg, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(cfg->keystore.module, "/usr/lib/softhsm/libsofthsm2.so");
    CU_ASSERT_STRING_EQUAL(cfg->keystore.token_label, "iotreg");
    CU_ASSERT_PTR_NULL(cfg->keystore.so_pin_file);
    CU_ASSERT_EQUAL(cfg->journal.backend, IR_JOURNAL_SQLITE);
    CU_ASSERT_STRING_EQUAL(cfg->journal.path, "/nonexistent/iotreg/journal.db");
    CU_ASSERT_STRING_EQUAL(cfg->aws.iot_signing_name, "iot");
    CU_ASSERT_EQUAL(cfg->aws.connect_timeout_ms, 5000);
    CU_ASSERT_EQUAL(cfg->aws.request_timeout_ms, 30000);
    CU_ASSERT_EQUAL(cfg->aws.max_attempts, 8);
    CU_ASSERT_EQUAL(cfg->aws.max_retry_ms, 120000);
    CU_ASSERT_PTR_NULL(cfg->aws.ca_file);
    CU_ASSERT_EQUAL(cfg->daemon.concurrency, 64);
    CU_ASSERT_EQUAL(cfg->daemon.poll_ms, 1000);
    CU_ASSERT_FALSE(cfg->daemon.syslog);
    CU_ASSERT_EQUAL(cfg->daemon.assume_role_seconds, 3600);
    CU_ASSERT_EQUAL(cfg->daemon.role_check_seconds, 86400);
    CU_ASSERT_PTR_NULL(cfg->daemon.worker_id);
    CU_ASSERT_EQUAL(cfg->daemon.lease_seconds, 60);
    CU_ASSERT_PTR_NULL(cfg->daemon.metrics_listen);
    CU_ASSERT_PTR_NULL(cfg->daemon.metrics_textfile);
    CU_ASSERT_EQUAL(cfg->daemon.metrics_textfile_seconds, 15);
    CU_ASSERT_EQUAL(
        cfg->n_csp_accounts + cfg->n_subcas + cfg->n_customers + cfg->n_rules + cfg->n_quotas, 0);
    ir_config_free(cfg);
}

/* The missing PIN file loads (the provider may start before `keystore
 * init`), but a program about to log in is told what is missing and where. */
static void test_missing_pin_file_is_reported_when_needed(void)
{
    const char *path = cfgtest_write_str("minimal.xml", minimal_xml, 0644);
    cfgtest_problems p = {0};
    ir_config *cfg = NULL;
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_config_load(path, &cfg, &err), IR_OK);
    CU_ASSERT_EQUAL(ir_config_check_files(cfg, IR_CONFIG_NEED_SECRETS, cfgtest_collect, &p, &err),
                    IR_OK);
    CU_ASSERT_EQUAL(ir_config_check_files(cfg, IR_CONFIG_NEED_PIN, cfgtest_collect, &p, &err),
                    IR_ERR_NOT_FOUND);
    CU_ASSERT_TRUE(cfgtest_has(&p, 2, "keystore pin-file /nonexistent/iotreg/pin does not exist"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ":2: keystore pin-file"));
    p.n = 0;
    CU_ASSERT_EQUAL(ir_config_check_files(cfg, IR_CONFIG_NEED_SO_PIN, cfgtest_collect, &p, &err),
                    IR_ERR_NOT_FOUND);
    CU_ASSERT_TRUE(cfgtest_has(&p, 2, "<so-pin-file> is not configured"));
    ir_config_free(cfg);
}

static void test_check_files_reports_bad_policy_and_missing_secret(void)
{
    ir_config *cfg = load_full();
    cfgtest_problems p = {0};
    char *xml = fixture_full_xml();

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    cfgtest_write_str("acme-policy.json", "{\"Version\": ", 0644);
    remove(cfgtest_path("csp.secret"));
    CU_ASSERT_NOT_EQUAL(
        ir_config_check_files(cfg, IR_CONFIG_NEED_RUNTIME, cfgtest_collect, &p, NULL), IR_OK);
    CU_ASSERT_TRUE(cfgtest_has(&p, cfgtest_line_of(xml, "document-file="), "not a JSON object"));
    CU_ASSERT_TRUE(cfgtest_has(&p, cfgtest_line_of(xml, "secret-file="), "does not exist"));
    CU_ASSERT_EQUAL(p.n, 2);
    ir_config_free(cfg);
    free(xml);
    fixture_write_files();
}

static void test_missing_subca_cert_is_reported_when_needed(void)
{
    char *xml = fixture_full_xml();
    ir_config *cfg = NULL;
    cfgtest_problems p = {0};

    remove(cfgtest_path("sub-eu.pem"));
    cfg = load_full();
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_EQUAL(ir_config_check_files(cfg, IR_CONFIG_NEED_CERTS, cfgtest_collect, &p, NULL),
                    IR_ERR_NOT_FOUND);
    CU_ASSERT_TRUE(
        cfgtest_has(&p, cfgtest_line_of(xml, "<cert-file>"), "SubCA 'sub-eu': cert-file"));
    ir_config_free(cfg);
    free(xml);
    fixture_write_files();
}

static void test_sample_config_is_valid(void)
{
    const char *top = getenv("top_srcdir");
    char path[4096];
    ir_config *cfg = NULL;
    ir_err err = {0};

    CU_ASSERT_PTR_NOT_NULL_FATAL(top);
    snprintf(path, sizeof(path), "%s/conf/iotreg.xml", top);
    CU_ASSERT_EQUAL_FATAL(ir_config_load(path, &cfg, &err), IR_OK);
    CU_ASSERT_EQUAL(cfg->n_csp_accounts, 2);
    CU_ASSERT_EQUAL(cfg->n_subcas, 2);
    CU_ASSERT_EQUAL(cfg->n_customers, 2);
    CU_ASSERT_EQUAL(cfg->n_rules, 4);
    CU_ASSERT_EQUAL(cfg->n_quotas, 2);
    ir_config_free(cfg);
}

static void test_embedded_xsd_is_conf_iotreg_xsd(void)
{
    const char *top = getenv("top_srcdir");
    char path[4096];
    ir_buf b;

    CU_ASSERT_PTR_NOT_NULL_FATAL(top);
    snprintf(path, sizeof(path), "%s/conf/iotreg.xsd", top);
    ir_buf_init(&b, 1 << 20);
    CU_ASSERT_EQUAL_FATAL(ir_read_file(path, &b, NULL), IR_OK);
    CU_ASSERT_EQUAL(b.len, ir_config_xsd_len);
    CU_ASSERT_EQUAL(memcmp(b.data, ir_config_xsd, b.len), 0);
    CU_ASSERT_EQUAL(ir_config_xsd[ir_config_xsd_len], 0);
    ir_buf_free(&b);
}

/* From memory, against the XSD compiled once: the same model as from the
 * file, and the name given stands for the file in messages. */
static void test_load_from_memory_with_prepared_schema(void)
{
    char *xml = fixture_full_xml();
    ir_config_schema *schema = NULL;
    ir_config *cfg = NULL, *again = NULL;
    cfgtest_problems p = {0};
    ir_err err = {0};

    CU_ASSERT_EQUAL_FATAL(ir_config_schema_new(&schema, &err), IR_OK);
    CU_ASSERT_EQUAL_FATAL(
        ir_config_load_mem(schema, xml, strlen(xml), "mem.xml", &cfg, NULL, NULL, &err), IR_OK);
    CU_ASSERT_STRING_EQUAL(cfg->path, "mem.xml");
    assert_settings(cfg);
    assert_csp_accounts(cfg);
    CU_ASSERT_EQUAL(ir_config_line(cfg, ir_config_customer(cfg, "acme")),
                    cfgtest_line_of(xml, "<customer id=\"acme\""));
    /* The schema serves again, and a refusal names the file it was given. */
    CU_ASSERT_EQUAL(ir_config_load_mem(schema, xml, strlen(xml) / 2, "half.xml", &again,
                                       cfgtest_collect, &p, &err),
                    IR_ERR_PARSE);
    CU_ASSERT_PTR_NULL(again);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "half.xml:"));
    CU_ASSERT_TRUE(p.n > 0);
    CU_ASSERT_EQUAL(ir_config_load_mem(NULL, " \n", 2, "blank.xml", &again, NULL, NULL, &err),
                    IR_ERR_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "blank.xml: the file is empty"));
    ir_config_free(cfg);
    ir_config_schema_free(schema);
    free(xml);
}

static void test_resolve_path_order(void)
{
    unsetenv("IOTREG_CONF");
    CU_ASSERT_STRING_EQUAL(ir_config_resolve_path(NULL), "/etc/iotreg/iotreg.xml");
    setenv("IOTREG_CONF", "/from/env.xml", 1);
    CU_ASSERT_STRING_EQUAL(ir_config_resolve_path(NULL), "/from/env.xml");
    CU_ASSERT_STRING_EQUAL(ir_config_resolve_path(""), "/from/env.xml");
    CU_ASSERT_STRING_EQUAL(ir_config_resolve_path("/given.xml"), "/given.xml");
    unsetenv("IOTREG_CONF");
}

static void test_load_reads_iotreg_conf(void)
{
    const char *path = cfgtest_write_str("minimal.xml", minimal_xml, 0644);
    ir_config *cfg = NULL;

    setenv("IOTREG_CONF", path, 1);
    CU_ASSERT_EQUAL_FATAL(ir_config_load(NULL, &cfg, NULL), IR_OK);
    CU_ASSERT_STRING_EQUAL(cfg->path, path);
    ir_config_free(cfg);
    unsetenv("IOTREG_CONF");
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_full_config_loads_every_field),
        IR_TEST(test_full_config_files_pass_every_check),
        IR_TEST(test_lines_point_at_definitions),
        IR_TEST(test_minimal_config_gets_defaults),
        IR_TEST(test_missing_pin_file_is_reported_when_needed),
        IR_TEST(test_check_files_reports_bad_policy_and_missing_secret),
        IR_TEST(test_missing_subca_cert_is_reported_when_needed),
        IR_TEST(test_sample_config_is_valid),
        IR_TEST(test_embedded_xsd_is_conf_iotreg_xsd),
        IR_TEST(test_load_from_memory_with_prepared_schema),
        IR_TEST(test_resolve_path_order),
        IR_TEST(test_load_reads_iotreg_conf),
        {NULL, NULL},
    };

    return ir_test_run("config-load", cases, fixture_suite_init, fixture_suite_clean);
}
