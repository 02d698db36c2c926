/* Every class of configuration error is refused with FILE:LINE and a
 * message that says what is wrong. */
#include "autoconf.h"

#include <stdlib.h>
#include <regex.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgtest.h"
#include "config/config.h"
#include "config/regex_bound.h"
#include "config/load.h"
#include "fixture.h"
#include "testutil.h"

typedef struct outcome {
    ir_rc rc;
    ir_err err;
    cfgtest_problems problems;
    const char *path;
} outcome;

static void load_text(const char *xml, outcome *o)
{
    ir_config *cfg = NULL;

    memset(o, 0, sizeof(*o));
    o->path = cfgtest_write_str("bad.xml", xml, 0644);
    o->rc = ir_config_load_diag(o->path, &cfg, cfgtest_collect, &o->problems, &o->err);
    CU_ASSERT_PTR_NULL(cfg);
    ir_config_free(cfg);
}

/* Loads the full configuration with from replaced by to, and expects a
 * problem containing needle on the line where at (in the edited text) is. */
static void expect(const char *from, const char *to, const char *at, const char *needle, ir_rc rc)
{
    char *edited = cfgtest_replace(fixture_full_xml_template(), from, to);
    char *xml = edited ? cfgtest_subst_dir(edited) : NULL;
    char prefix[4200];
    long line = xml ? cfgtest_line_of(xml, at) : 0;
    outcome o;

    free(edited);
    if (xml == NULL || line == 0) {
        CU_FAIL("the edit or its marker is not in the fixture");
        free(xml);
        return;
    }
    load_text(xml, &o);
    CU_ASSERT_EQUAL(o.rc, rc);
    CU_ASSERT_EQUAL(o.err.rc, rc);
    CU_ASSERT_TRUE(cfgtest_has(&o.problems, line, needle));
    snprintf(prefix, sizeof(prefix), "%s:%ld: ", o.path, line);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err.msg, prefix));
    if (!cfgtest_has(&o.problems, line, needle)) {
        fprintf(stderr, "\nexpected line %ld: %s\n", line, needle);
        cfgtest_dump(&o.problems);
    }
    free(xml);
}

static void test_unknown_element(void)
{
    expect("<poll-ms>250</poll-ms>", "<poll-ms>250</poll-ms><pol-ms>1</pol-ms>", "<pol-ms>",
           "Element 'pol-ms': This element is not expected", IR_ERR_CONFIG);
}

static void test_unknown_attribute(void)
{
    expect("<subca name=\"sub-us\">", "<subca name=\"sub-us\" colour=\"red\">",
           "colour=", "attribute 'colour': The attribute 'colour' is not allowed", IR_ERR_CONFIG);
}

static void test_element_from_another_namespace(void)
{
    expect("<syslog>true</syslog>", "<syslog>true</syslog><x:extra xmlns:x='urn:other'/>",
           "<x:extra", "This element is not expected", IR_ERR_CONFIG);
}

static void test_missing_required_element(void)
{
    expect("    <pin-file>@DIR@/user.pin</pin-file>\n", "", "<so-pin-file>",
           "Expected is ( pin-file )", IR_ERR_CONFIG);
}

static void test_missing_required_attribute(void)
{
    /* libxml2 gives an element the line where its start tag ends */
    expect("external-id=\"ext-acme-0001\"/>", "/>", "            />",
           "The attribute 'external-id' is required but missing", IR_ERR_CONFIG);
}

static void test_bad_account_id(void)
{
    expect("<account-id>777788889999</account-id>", "<account-id>77778888999</account-id>",
           "<account-id>77778888999", "'77778888999' is not accepted by the pattern",
           IR_ERR_CONFIG);
    expect("<account-id>777788889999</account-id>", "<account-id>77778888999</account-id>",
           "<account-id>77778888999", "an AWS account id is exactly 12 digits", IR_ERR_CONFIG);
}

static void test_bad_region(void)
{
    expect("<region>ap-southeast-2</region>", "<region>Sydney</region>", "<region>Sydney",
           "a region looks like eu-central-1", IR_ERR_CONFIG);
}

static void test_bad_role_arn(void)
{
    expect("arn:aws:iam::123456789012:role/iotreg", "arn:aws:iam::123456789012:user/iotreg",
           "arn:aws:iam::123456789012:user", "a role ARN looks like arn:aws:iam::", IR_ERR_CONFIG);
}

static void test_role_in_another_account(void)
{
    expect("arn:aws:iam::123456789012:role/iotreg", "arn:aws:iam::999999999999:role/iotreg",
           "arn:aws:iam::999999999999", "is not in the customer's account 123456789012",
           IR_ERR_CONFIG);
}

static void test_bad_boolean_and_enum(void)
{
    expect("<tap>true</tap>", "<tap>yes</tap>", "<tap>yes", "'yes' is not an element of the set",
           IR_ERR_CONFIG);
    expect("<delivery>transfer</delivery>", "<delivery>copy</delivery>", "<delivery>copy",
           "'copy' is not an element of the set", IR_ERR_CONFIG);
}

static void test_out_of_range_number(void)
{
    expect("<assume-role-seconds>900<", "<assume-role-seconds>60<", "<assume-role-seconds>",
           "'60' is less than the minimum value allowed ('900')", IR_ERR_CONFIG);
    expect("<role-check-seconds>3600<", "<role-check-seconds>0<", "<role-check-seconds>",
           "'0' is less than the minimum value allowed ('1')", IR_ERR_CONFIG);
    expect("<lease-seconds>45<", "<lease-seconds>1<", "<lease-seconds>",
           "'1' is less than the minimum value allowed ('2')", IR_ERR_CONFIG);
    expect("<worker-id>ca-host-1.example:a<", "<worker-id>two words<", "<worker-id>",
           "is not accepted by the pattern", IR_ERR_CONFIG);
}

static void test_bad_metrics(void)
{
    static const char *const from =
        "<metrics listen=\"[::1]:9464\" textfile=\"@DIR@/iotregd.prom\" "
        "textfile-seconds=\"30\"/>";

    expect(from, "<metrics/>", "<metrics/>", "<metrics> needs listen=", IR_ERR_CONFIG);
    expect(from, "<metrics listen=\"localhost:9464\"/>", "<metrics listen",
           "'localhost:9464' is not accepted by the pattern", IR_ERR_CONFIG);
    expect(from, "<metrics textfile=\"/tmp/iotregd.txt\"/>", "<metrics textfile",
           "'/tmp/iotregd.txt' is not accepted by the pattern", IR_ERR_CONFIG);
    expect(from, "<metrics listen=\"9464\" textfile-seconds=\"0\"/>", "<metrics listen",
           "'0' is less than the minimum value allowed ('1')", IR_ERR_CONFIG);
}

static void test_wrong_version(void)
{
    expect("version=\"1\"", "version=\"2\"", "<iotreg ", "'2' is not an element of the set",
           IR_ERR_CONFIG);
}

static void test_wrong_namespace(void)
{
    expect("xmlns=\"urn:iotreg:config:1\"", "xmlns=\"urn:iotreg:config:2\"", "<iotreg ",
           "the root element must be <iotreg xmlns=\"urn:iotreg:config:1\" version=\"1\">",
           IR_ERR_CONFIG);
}

static void test_unresolved_csp_account(void)
{
    expect("<csp-account>csp-env</csp-account>", "<csp-account>csp-nope</csp-account>",
           "<csp-account>csp-nope", "SubCA 'sub-us': CSP account 'csp-nope' is not defined",
           IR_ERR_CONFIG);
}

static void test_second_csp_account_checked_too(void)
{
    expect("<csp-account>csp-file</csp-account>", "<csp-account>csp-nope</csp-account>",
           "<csp-account>csp-nope", "SubCA 'sub-us': CSP account 'csp-nope' is not defined",
           IR_ERR_CONFIG);
    expect("<csp-account>csp-file</csp-account>", "<csp-account>csp-env</csp-account>",
           "<csp-account>csp-env</csp-account>\n    </subca>",
           "SubCA 'sub-us' names CSP account 'csp-env' twice", IR_ERR_CONFIG);
}

static void test_region_listed_twice(void)
{
    expect("<region>ap-southeast-2</region>\n      <credentials>",
           "<region>us-east-1</region>\n      <credentials>",
           "<region>us-east-1</region>\n      <credentials>",
           "CSP account 'csp-env' lists region us-east-1 twice", IR_ERR_CONFIG);
}

static void test_unresolved_rule_customer(void)
{
    expect("<rule customer=\"initech\">", "<rule customer=\"initek\">",
           "<rule customer=\"initek\">", "rule: customer 'initek' is not defined", IR_ERR_CONFIG);
}

static void test_unresolved_rule_subca(void)
{
    expect("<subca>sub-eu</subca>", "<subca>sub-ue</subca>", "<subca>sub-ue",
           "SubCA 'sub-ue' is not defined", IR_ERR_CONFIG);
}

static void test_duplicate_names(void)
{
    expect("<customer id=\"initech\">", "<customer id=\"acme\">",
           "<customer id=\"acme\">\n      <account-id>1234",
           "duplicate customer id 'acme' (also at line", IR_ERR_CONFIG);
    expect("<csp-account name=\"csp-file\">", "<csp-account name=\"csp-main\">",
           "<csp-account name=\"csp-main\">\n      <account-id>0111", "duplicate CSP account name",
           IR_ERR_CONFIG);
    expect("<subca name=\"sub-us\">", "<subca name=\"sub-eu\">",
           "<subca name=\"sub-eu\">\n      <csp-account>", "duplicate SubCA name 'sub-eu'",
           IR_ERR_CONFIG);
}

static void test_duplicate_external_id(void)
{
    expect("external-id=\"ext-initech-0002\"", "external-id=\"ext-acme-0001\"",
           "role/iotreg\" external-id", "duplicate ExternalId (each customer needs its own)",
           IR_ERR_CONFIG);
}

static void test_customer_with_role_and_credentials(void)
{
    expect("<policy name=\"initech\"/>",
           "<credentials><environment/></credentials><policy name=\"initech\"/>",
           "<customer id=\"initech\">", "customer 'initech' has both <role> and <credentials>",
           IR_ERR_CONFIG);
}

static void test_customer_with_neither_role_nor_credentials(void)
{
    expect("<role arn=\"arn:aws:iam::123456789012:role/iotreg\" external-id=\"ext-initech-0002\"/>",
           "", "<customer id=\"initech\">",
           "customer 'initech' has neither <role> (with an external-id) nor <credentials>",
           IR_ERR_CONFIG);
}

static void test_customer_in_csp_account(void)
{
    expect("<account-id>123456789012</account-id>", "<account-id>111122224444</account-id>",
           "<account-id>111122224444</account-id>\n      <region>ap",
           "account 111122224444 is the CSP account 'csp-env'", IR_ERR_CONFIG);
}

static void test_bad_regex(void)
{
    expect("^gx-[0-9]+$", "^gx-[0-9+$", "^gx-[0-9+$",
           "<subject>: the regular expression '^gx-[0-9+$' does not compile", IR_ERR_CONFIG);
}

/* An expression glibc would take minutes or gigabytes to compile is refused
 * before regcomp sees it (fuzz_config found one: 92 stacked '*'). */
static void test_regex_beyond_bounds(void)
{
    static const struct {
        const char *re, *why;
    } refused[] = {
        {"^a**$", "a quantifier repeats a quantifier"},
        {"^dev-[0-9]++$", "a quantifier repeats a quantifier"},
        {"^dev-.*?$", "a quantifier repeats a quantifier"},
        {"^a{2}{3}$", "a quantifier repeats a quantifier"},
        {"^a{1,32767}$", "copy its parts more than 20000 times"},
        {"^a{,32767}$", "copy its parts more than 20000 times"},
        {"^(a{1,200}){1,200}$", "copy its parts more than 20000 times"},
        {"^(((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+$", "copy its parts more than"},
        {"^x)a{1,20000}$", "copy its parts more than"},
        {"^(a)\\1$", "refers back to a group"},
    };
    char re[700];
    size_t i;

    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        expect("^gx-[0-9]+$", refused[i].re, refused[i].re, refused[i].why, IR_ERR_CONFIG);
    memset(re, 'a', 600);
    re[600] = '\0';
    expect("^gx-[0-9]+$", re, re, "it is 600 bytes long, more than the 512 taken", IR_ERR_CONFIG);
    for (i = 0; i < 40; i++)
        re[i] = '(', re[41 + i] = ')';
    re[40] = 'a', re[81] = '\0';
    expect("^gx-[0-9]+$", re, re, "groups nest too deeply", IR_ERR_CONFIG);
    /* Malformed ones are left to regcomp, which says how. */
    expect("^gx-[0-9]+$", "^gx-(a{1,5}[0-9+$", "^gx-(a{1,5}", "does not compile", IR_ERR_CONFIG);
}

/* What real rules write stays accepted, brackets and classes included. */
static void test_regex_within_bounds(void)
{
    static const char *const taken[] = {
        "^gx-[0-9]+$",       "^(a{1,100}){1,100}$",       "^[]a*+]{1,9}$", "^[^]*]+$",
        "^[[:digit:]*]+$",   "^dev-(eu|us)-[0-9a-f]{8}$", "^a\\*\\+$",     "^x)y$",
        "^(a|b)*c?d+e{2,}$",
    };
    char why[256];
    size_t i;

    for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
        regex_t re;

        CU_ASSERT_TRUE(ir_regex_within_bounds(taken[i], why, sizeof(why)));
        CU_ASSERT_EQUAL(regcomp(&re, taken[i], REG_EXTENDED | REG_NOSUB), 0);
        regfree(&re);
    }
}

static void test_unknown_template_variable(void)
{
    expect("acme-${subject.CN}-${certid8}", "acme-${subject.cn}",
           "name-template=", "unknown variable '${subject.cn}'", IR_ERR_CONFIG);
    expect("acme-${subject.CN}-${certid8}", "acme-${certid", "name-template=", "is not closed",
           IR_ERR_CONFIG);
    /* ':' is the escape of the thing name mapping: refused in literal text. */
    expect("acme-${subject.CN}-${certid8}", "acme:${subject.CN}",
           "name-template=", "has ':' in its literal text", IR_ERR_CONFIG);
}

static void test_plain_http_refused(void)
{
    expect("<endpoint>http://localhost:4567</endpoint>\n      <allow-http>true</allow-http>",
           "<endpoint>http://localhost:4567</endpoint>", "<endpoint>http://localhost:4567",
           "is plain http; use https, or for a local emulator add <allow-http>", IR_ERR_CONFIG);
    expect("http://127.0.0.1:4566", "http://192.0.2.1:4566", "http://192.0.2.1",
           "to a host that is not loopback", IR_ERR_CONFIG);
    expect("http://127.0.0.1:4566", "http://127.0.0.1.evil.example:4566", "http://127.0.0.1.evil",
           "to a host that is not loopback", IR_ERR_CONFIG);
}

static void test_conninfo_with_password(void)
{
    expect("user=iotreg\"", "user=iotreg password=hunter2\"", "<postgresql",
           "holds a password; put it in a private file named by <postgresql password-file",
           IR_ERR_CONFIG);
    expect("host=db.example dbname=iotreg user=iotreg", "postgresql://iotreg:hunter2@db/iotreg",
           "<postgresql", "holds a password", IR_ERR_CONFIG);
}

static void test_duplicate_quota_and_unknown_quota_account(void)
{
    expect("<quota api=\"RegisterCertificate\" tps=\"2.5\"/>",
           "<quota api=\"RegisterCertificate\" tps=\"2.5\"/><quota api=\"RegisterCertificate\" "
           "tps=\"3\"/>",
           "<quota api=\"RegisterCertificate\" tps=\"2.5\"/>",
           "duplicate quota for RegisterCertificate", IR_ERR_CONFIG);
    expect("account=\"444455556666\"", "account=\"444455550000\"", "account=\"444455550000\"",
           "account 444455550000 is neither a CSP account nor a customer's", IR_ERR_CONFIG);
}

static void test_pin_file_readable_by_others(void)
{
    cfgtest_write_str("user.pin", "1234\n", 0644);
    expect("<token-label>", "<token-label>", "<pin-file>",
           "holds a secret but is accessible by group or others (mode 644); run: chmod 600 ",
           IR_ERR_PERMISSION);
    cfgtest_write_str("user.pin", "1234\n", 0640);
    expect("<token-label>", "<token-label>", "<pin-file>", "chmod 600", IR_ERR_PERMISSION);
    cfgtest_write_str("user.pin", "1234\n", 0600);
}

static void test_pg_password_file_readable_by_others(void)
{
    cfgtest_write_str("pg.password", "pg-s3cret\n", 0640);
    expect("<token-label>", "<token-label>",
           "password-file=", "journal postgresql password-file: ", IR_ERR_PERMISSION);
    cfgtest_write_str("pg.password", "pg-s3cret\n", 0600);
    expect("sslmode=\"verify-full\"", "sslmode=\"very-full\"", "sslmode=", "very-full",
           IR_ERR_CONFIG);
}

static void test_secret_file_readable_by_others(void)
{
    cfgtest_write_str("csp.secret", "secret\n", 0604);
    expect("<token-label>", "<token-label>",
           "secret-file=", "CSP account 'csp-file': secret-file: ", IR_ERR_PERMISSION);
    cfgtest_write_str("csp.secret", "secret\n", 0600);
}

static void test_subca_cert_file_not_a_certificate(void)
{
    cfgtest_write_str("sub-eu.pem", "not a certificate\n", 0644);
    expect("<token-label>", "<token-label>", "<cert-file>", "holds no PEM certificate",
           IR_ERR_PARSE);
    fixture_write_files();
}

/* --- whole-file problems ------------------------------------------------- */

static void test_truncated_xml(void)
{
    char *full = fixture_full_xml();
    outcome o;

    full[strlen(full) / 2] = '\0';
    load_text(full, &o);
    CU_ASSERT_EQUAL(o.rc, IR_ERR_PARSE);
    CU_ASSERT_TRUE(o.problems.n >= 1);
    CU_ASSERT_TRUE(o.problems.items[0].line >= cfgtest_line_of(full, "<customers>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err.msg, o.path));
    free(full);
}

static void test_malformed_xml_names_the_line(void)
{
    char *full = fixture_full_xml();
    char *xml = cfgtest_replace(full, "<region>us-east-1</region>\n      <delivery>",
                                "<region>us-east-1</regoin>\n      <delivery>");
    outcome o;

    load_text(xml, &o);
    CU_ASSERT_EQUAL(o.rc, IR_ERR_PARSE);
    CU_ASSERT_TRUE(cfgtest_has(&o.problems, cfgtest_line_of(xml, "</regoin>"), "mismatch"));
    free(xml);
    free(full);
}

static void test_doctype_and_external_entity_are_refused(void)
{
    const char *secret = cfgtest_write_str("secret.txt", "SECRET-MARKER-6f1c", 0644);
    char xml[8192];
    outcome o;
    size_t i;

    snprintf(xml, sizeof(xml),
             "<?xml version=\"1.0\"?>\n"
             "<!DOCTYPE iotreg [\n"
             "  <!ENTITY leak SYSTEM \"file://%s\">\n"
             "]>\n"
             "<iotreg xmlns=\"urn:iotreg:config:1\" version=\"1\">\n"
             "  <keystore><token-label>&leak;</token-label><pin-file>/p</pin-file></keystore>\n"
             "  <journal><sqlite path=\"/j\"/></journal>\n"
             "</iotreg>\n",
             secret);
    load_text(xml, &o);
    CU_ASSERT_EQUAL(o.rc, IR_ERR_PARSE);
    CU_ASSERT_TRUE(cfgtest_has(&o.problems, 2, "a DOCTYPE declaration is not allowed"));
    CU_ASSERT_EQUAL(o.problems.n, 1);
    for (i = 0; i < o.problems.n; i++)
        CU_ASSERT_PTR_NULL(strstr(o.problems.items[i].msg, "SECRET-MARKER"));
    CU_ASSERT_PTR_NULL(strstr(o.err.msg, "SECRET-MARKER"));
}

static void test_external_dtd_is_not_loaded(void)
{
    char xml[8192];
    outcome o;

    snprintf(xml, sizeof(xml),
             "<?xml version=\"1.0\"?>\n"
             "<!DOCTYPE iotreg SYSTEM \"%s/absent.dtd\">\n"
             "<iotreg xmlns=\"urn:iotreg:config:1\" version=\"1\"/>\n",
             cfgtest_dir());
    load_text(xml, &o);
    CU_ASSERT_EQUAL(o.rc, IR_ERR_PARSE);
    CU_ASSERT_EQUAL(o.problems.n, 1); /* no "failed to load external entity" */
    CU_ASSERT_TRUE(cfgtest_has(&o.problems, 2, "DOCTYPE"));
}

static void test_undeclared_entity_is_an_error(void)
{
    outcome o;

    load_text("<iotreg xmlns=\"urn:iotreg:config:1\" version=\"1\">\n"
              "  <keystore><token-label>&x;</token-label><pin-file>/p</pin-file></keystore>\n"
              "  <journal><sqlite path=\"/j\"/></journal>\n"
              "</iotreg>\n",
              &o);
    CU_ASSERT_EQUAL(o.rc, IR_ERR_PARSE);
    CU_ASSERT_TRUE(cfgtest_has(&o.problems, 2, "Entity 'x' not defined"));
}

static void test_empty_file(void)
{
    outcome o;

    load_text("", &o);
    CU_ASSERT_EQUAL(o.rc, IR_ERR_PARSE);
    CU_ASSERT_TRUE(cfgtest_has(&o.problems, 0, "the file is empty"));
    load_text("  \n\n", &o);
    CU_ASSERT_TRUE(cfgtest_has(&o.problems, 0, "the file is empty"));
}

static void test_file_over_the_size_cap(void)
{
    size_t n = (4u << 20) + 1;
    char *big = malloc(n);
    const char *path;
    ir_config *cfg = NULL;
    ir_err err = {0};
    cfgtest_problems p = {0};

    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, ' ', n);
    memcpy(big, "<iotreg", 7);
    path = cfgtest_write("big.xml", big, n, 0644);
    free(big);
    CU_ASSERT_EQUAL(ir_config_load_diag(path, &cfg, cfgtest_collect, &p, &err), IR_ERR_TOO_LARGE);
    CU_ASSERT_TRUE(cfgtest_has(&p, 0, "larger than the limit of 4194304 bytes"));
    CU_ASSERT_PTR_NULL(cfg);
}

static void test_missing_file(void)
{
    ir_config *cfg = NULL;
    ir_err err = {0};

    CU_ASSERT_EQUAL(ir_config_load(cfgtest_path("absent.xml"), &cfg, &err), IR_ERR_NOT_FOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "absent.xml: no such file"));
}

static void test_every_error_is_reported(void)
{
    char *full = fixture_full_xml();
    char *a = cfgtest_replace(full, "^gx-[0-9]+$", "^gx-(");
    char *b = cfgtest_replace(a, "${certid8}", "${certid9}");
    char *c = cfgtest_replace(b, "<csp-account>csp-env</csp-account>",
                              "<csp-account>csp-none</csp-account>");
    outcome o;

    load_text(c, &o);
    CU_ASSERT_EQUAL(o.problems.n, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err.msg, "3 problems:\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err.msg, "does not compile"));
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err.msg, "certid9"));
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err.msg, "csp-none"));
    free(c);
    free(b);
    free(a);
    free(full);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_unknown_element),
        IR_TEST(test_unknown_attribute),
        IR_TEST(test_element_from_another_namespace),
        IR_TEST(test_missing_required_element),
        IR_TEST(test_missing_required_attribute),
        IR_TEST(test_bad_account_id),
        IR_TEST(test_bad_region),
        IR_TEST(test_bad_role_arn),
        IR_TEST(test_role_in_another_account),
        IR_TEST(test_bad_boolean_and_enum),
        IR_TEST(test_out_of_range_number),
        IR_TEST(test_bad_metrics),
        IR_TEST(test_wrong_version),
        IR_TEST(test_wrong_namespace),
        IR_TEST(test_unresolved_csp_account),
        IR_TEST(test_second_csp_account_checked_too),
        IR_TEST(test_region_listed_twice),
        IR_TEST(test_unresolved_rule_customer),
        IR_TEST(test_unresolved_rule_subca),
        IR_TEST(test_duplicate_names),
        IR_TEST(test_duplicate_external_id),
        IR_TEST(test_customer_with_role_and_credentials),
        IR_TEST(test_customer_with_neither_role_nor_credentials),
        IR_TEST(test_customer_in_csp_account),
        IR_TEST(test_bad_regex),
        IR_TEST(test_regex_beyond_bounds),
        IR_TEST(test_regex_within_bounds),
        IR_TEST(test_unknown_template_variable),
        IR_TEST(test_plain_http_refused),
        IR_TEST(test_conninfo_with_password),
        IR_TEST(test_pg_password_file_readable_by_others),
        IR_TEST(test_duplicate_quota_and_unknown_quota_account),
        IR_TEST(test_pin_file_readable_by_others),
        IR_TEST(test_secret_file_readable_by_others),
        IR_TEST(test_subca_cert_file_not_a_certificate),
        IR_TEST(test_truncated_xml),
        IR_TEST(test_malformed_xml_names_the_line),
        IR_TEST(test_doctype_and_external_entity_are_refused),
        IR_TEST(test_external_dtd_is_not_loaded),
        IR_TEST(test_undeclared_entity_is_an_error),
        IR_TEST(test_empty_file),
        IR_TEST(test_file_over_the_size_cap),
        IR_TEST(test_missing_file),
        IR_TEST(test_every_error_is_reported),
        {NULL, NULL},
    };

    return ir_test_run("config-errors", cases, fixture_suite_init, fixture_suite_clean);
}
