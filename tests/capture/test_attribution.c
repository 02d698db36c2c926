/* Attribution rules: each kind of match, the issuing SubCA, and the
 * exactly-one-customer rule, over generated certificates. */
#include "autoconf.h"

#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgtest.h"
#include "certgen.h"
#include "capture/attribution.h"
#include "config/config.h"
#include "config/load.h"
#include "testutil.h"

static certgen_ca ca_a, ca_b, ca_k, ca_a_twin;

static int suite_init(void)
{
    if (cfgtest_dir() == NULL || certgen_ca_new(&ca_a, "SubCA A") != 0 ||
        certgen_ca_new(&ca_b, "SubCA B") != 0 || certgen_ca_new(&ca_k, "SubCA K") != 0 ||
        certgen_ca_new(&ca_a_twin, "SubCA A") != 0)
        return -1;
    if (certgen_write_pem(cfgtest_path("a.pem"), ca_a.cert) != 0 ||
        certgen_write_pem(cfgtest_path("b.pem"), ca_b.cert) != 0)
        return -1;
    return 0;
}

static int suite_clean(void)
{
    certgen_ca_free(&ca_a);
    certgen_ca_free(&ca_b);
    certgen_ca_free(&ca_k);
    certgen_ca_free(&ca_a_twin);
    cfgtest_cleanup();
    return 0;
}

/* A configuration with SubCAs sub-a and sub-b (certificate files) and sub-k
 * (certificate in the keystore), the customers named in ids (space
 * separated) and the given <rule> elements. */
static ir_config *load_rules(const char *ids, const char *rules)
{
    char xml[65536], customers[16384] = "", copy[1024], *save = NULL, *id;
    size_t n = 0, i = 0;
    const char *path;
    ir_config *cfg = NULL;
    ir_err err = {0};

    snprintf(copy, sizeof(copy), "%s", ids);
    for (id = strtok_r(copy, " ", &save); id != NULL; id = strtok_r(NULL, " ", &save), i++)
        n += (size_t)snprintf(customers + n, sizeof(customers) - n,
                              "<customer id='%s'><account-id>2000000000%02zu</account-id>"
                              "<region>eu-west-1</region><role arn='arn:aws:iam::2000000000%02zu:"
                              "role/r' external-id='ext-%s'/><policy name='p'/></customer>\n",
                              id, i, i, id);
    snprintf(xml, sizeof(xml),
             "<iotreg xmlns='urn:iotreg:config:1' version='1'>\n"
             "<keystore><pin-file>/nonexistent/pin</pin-file></keystore>\n"
             "<journal><sqlite path='/nonexistent/j.db'/></journal>\n"
             "<csp-accounts><csp-account name='csp'><account-id>111111111111</account-id>"
             "<region>eu-west-1</region><credentials><environment/></credentials></csp-account>"
             "</csp-accounts>\n"
             "<subcas>\n"
             "<subca name='sub-a'><cert-file>%s</cert-file><csp-account>csp</csp-account></subca>\n"
             "<subca name='sub-b'><cert-file>%s</cert-file><csp-account>csp</csp-account></subca>\n"
             "<subca name='sub-k'><csp-account>csp</csp-account></subca>\n"
             "</subcas>\n"
             "<customers>\n%s</customers>\n"
             "<attribution>\n%s</attribution>\n"
             "</iotreg>\n",
             cfgtest_path("a.pem"), cfgtest_path("b.pem"), customers, rules);
    path = cfgtest_write_str("attr.xml", xml, 0644);
    if (ir_config_load(path, &cfg, &err) != IR_OK)
        fprintf(stderr, "\n%s\n", err.msg);
    return cfg;
}

/* Attributes a certificate with the given subject etc. issued by ca, through
 * the DER entry point; returns the customer id or NULL. */
static const char *attribute(const ir_config *cfg, const certgen_ca *ca, const certgen_leaf *leaf,
                             const ir_cert_meta *meta, ir_attribution *out)
{
    X509 *cert = certgen_issue(ca, leaf);
    size_t len = 0;
    unsigned char *der = cert ? certgen_der(cert, &len) : NULL;
    ir_err err = {0};
    ir_rc rc = der ? ir_attribute(cfg, der, len, meta, out, &err) : IR_ERR_INTERNAL;

    CU_ASSERT_EQUAL(rc, IR_OK);
    OPENSSL_free(der);
    X509_free(cert);
    return rc == IR_OK && out->customer ? out->customer->id : NULL;
}

static const char *who(const ir_config *cfg, const certgen_leaf *leaf)
{
    ir_attribution a;

    return attribute(cfg, &ca_a, leaf, NULL, &a);
}

static void assert_who(const ir_config *cfg, const char *expected, certgen_leaf leaf)
{
    const char *got = who(cfg, &leaf);

    if (expected == NULL) {
        CU_ASSERT_PTR_NULL(got);
    } else {
        CU_ASSERT_STRING_EQUAL(got ? got : "(unattributed)", expected);
    }
}

#define ASSERT_WHO(cfg, expected, ...) assert_who(cfg, expected, (certgen_leaf){__VA_ARGS__})

static const char *const NOBODY = NULL;

static void test_by_subject_o_exact(void)
{
    ir_config *cfg =
        load_rules("acme", "<rule customer='acme'><subject attribute='O'>Acme</subject></rule>");

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    ASSERT_WHO(cfg, "acme", .o = "Acme", .cn = "d1");
    ASSERT_WHO(cfg, NOBODY, .o = "Acme Corp", .cn = "d1");
    ASSERT_WHO(cfg, NOBODY, .o = "acme", .cn = "d1");
    ASSERT_WHO(cfg, NOBODY, .ou = "Acme", .cn = "d1");
    ir_config_free(cfg);
}

static void test_by_subject_ou_prefix(void)
{
    ir_config *cfg = load_rules(
        "plants",
        "<rule customer='plants'><subject attribute='OU' match='prefix'>Plant-</subject></rule>");

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    ASSERT_WHO(cfg, "plants", .ou = "Plant-7");
    ASSERT_WHO(cfg, "plants", .ou = "Plant-");
    ASSERT_WHO(cfg, "plants", .ou = "Office", .ou2 = "Plant-9"); /* any value of the attribute */
    ASSERT_WHO(cfg, NOBODY, .ou = "XPlant-7");
    ASSERT_WHO(cfg, NOBODY, .ou = "Plant");
    ir_config_free(cfg);
}

static void test_by_subject_cn_regex(void)
{
    ir_config *cfg = load_rules("devs", "<rule customer='devs'><subject attribute='CN' "
                                        "match='regex'>^dev-[0-9]{4}$</subject></rule>");

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    ASSERT_WHO(cfg, "devs", .cn = "dev-0042");
    ASSERT_WHO(cfg, NOBODY, .cn = "dev-42");
    ASSERT_WHO(cfg, NOBODY, .cn = "xdev-0042");
    ASSERT_WHO(cfg, NOBODY, .cn = "dev-00421");
    ASSERT_WHO(cfg, NOBODY, .o = "dev-0042");
    ir_config_free(cfg);
}

static void test_by_san(void)
{
    ir_config *cfg = load_rules(
        "dns uri mail ip4 ip6 any",
        "<rule customer='dns'><san type='dns'>a.example.com</san></rule>\n"
        "<rule customer='uri'><san type='uri' match='prefix'>urn:dev:u:</san></rule>\n"
        "<rule customer='mail'><san type='email' match='regex'>@mail\\.example$</san></rule>\n"
        "<rule customer='ip4'><san type='ip'>192.0.2.7</san></rule>\n"
        "<rule customer='ip6'><san type='ip'>2001:db8::1</san></rule>\n"
        "<rule customer='any'><san>any.example.com</san></rule>\n");

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    ASSERT_WHO(cfg, "dns", .cn = "x", .dns = "a.example.com");
    ASSERT_WHO(cfg, NOBODY, .cn = "a.example.com");
    ASSERT_WHO(cfg, NOBODY, .uri = "http://a.example.com"); /* dns only, not another type */
    ASSERT_WHO(cfg, "uri", .uri = "urn:dev:u:1234");
    ASSERT_WHO(cfg, "mail", .email = "ops@mail.example");
    ASSERT_WHO(cfg, NOBODY, .email = "ops@mail.example.org");
    ASSERT_WHO(cfg, "ip4", .ip = "192.0.2.7");
    ASSERT_WHO(cfg, NOBODY, .ip = "192.0.2.70");
    ASSERT_WHO(cfg, "ip6", .ip = "2001:0db8:0:0:0:0:0:1");
    ASSERT_WHO(cfg, "any", .uri = "any.example.com");
    ASSERT_WHO(cfg, "any", .dns = "any.example.com");
    ir_config_free(cfg);
}

static void test_by_extension_oid(void)
{
    static const unsigned char integer5[] = {0x02, 0x01, 0x05};
    ir_config *cfg = load_rules(
        "str hex",
        "<rule customer='str'><extension oid='1.3.6.1.4.1.99999.1'>globex</extension></rule>\n"
        "<rule customer='hex'><extension oid='1.3.6.1.4.1.99999.2'>020105</extension></rule>\n");

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    ASSERT_WHO(cfg, "str", .ext_oid = "1.3.6.1.4.1.99999.1", .ext_utf8 = "globex");
    ASSERT_WHO(cfg, NOBODY, .ext_oid = "1.3.6.1.4.1.99999.1", .ext_utf8 = "globex2");
    ASSERT_WHO(cfg, NOBODY, .ext_oid = "1.3.6.1.4.1.99999.3", .ext_utf8 = "globex");
    ASSERT_WHO(cfg, "hex", .ext_oid = "1.3.6.1.4.1.99999.2", .ext_der = integer5,
               .ext_der_len = sizeof(integer5));
    ASSERT_WHO(cfg, NOBODY, .o = "globex");
    ir_config_free(cfg);
}

static void test_by_metadata(void)
{
    ir_config *cfg = load_rules(
        "ee prof", "<rule customer='ee'><end-entity match='prefix'>initech-</end-entity></rule>\n"
                   "<rule customer='prof'><profile>sensor</profile></rule>\n");
    certgen_leaf leaf = {.cn = "x"};
    ir_cert_meta meta = {.end_entity = "initech-42"};
    ir_attribution a;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_STRING_EQUAL(attribute(cfg, &ca_a, &leaf, &meta, &a), "ee");
    meta = (ir_cert_meta){.profile = "sensor"};
    CU_ASSERT_STRING_EQUAL(attribute(cfg, &ca_a, &leaf, &meta, &a), "prof");
    meta = (ir_cert_meta){.profile = "sensor2", .end_entity = "globex-1"};
    CU_ASSERT_PTR_NULL(attribute(cfg, &ca_a, &leaf, &meta, &a));
    CU_ASSERT_PTR_NULL(attribute(cfg, &ca_a, &leaf, NULL, &a));
    ir_config_free(cfg);
}

static void test_all_matches_of_a_rule_must_hold(void)
{
    ir_config *cfg =
        load_rules("acme", "<rule customer='acme'><subject attribute='O'>Acme</subject>"
                           "<san type='dns' match='prefix'>dev</san></rule>");

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    ASSERT_WHO(cfg, "acme", .o = "Acme", .dns = "dev1.acme.example");
    ASSERT_WHO(cfg, NOBODY, .o = "Acme", .dns = "www.acme.example");
    ASSERT_WHO(cfg, NOBODY, .o = "Acme");
    ir_config_free(cfg);
}

static void test_by_issuing_subca(void)
{
    ir_config *cfg = load_rules("ca ca-b", "<rule customer='ca'><subca>sub-a</subca></rule>\n"
                                           "<rule customer='ca-b'><subca>sub-b</subca></rule>\n");
    certgen_leaf leaf = {.cn = "x", .o = "Anything"};
    const ir_subca_conf *found = NULL;
    ir_attribution a;
    X509 *cert;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_STRING_EQUAL(attribute(cfg, &ca_a, &leaf, NULL, &a), "ca");
    CU_ASSERT_PTR_EQUAL(a.subca, ir_config_subca(cfg, "sub-a"));
    CU_ASSERT_STRING_EQUAL(attribute(cfg, &ca_b, &leaf, NULL, &a), "ca-b");
    CU_ASSERT_PTR_EQUAL(a.subca, ir_config_subca(cfg, "sub-b"));
    /* same issuer name as sub-a, another key: not sub-a */
    CU_ASSERT_PTR_NULL(attribute(cfg, &ca_a_twin, &leaf, NULL, &a));
    CU_ASSERT_PTR_NULL(a.subca);
    cert = certgen_issue(&ca_a_twin, &leaf);
    CU_ASSERT_EQUAL(ir_find_issuing_subca(cfg, cert, &found, NULL), IR_OK);
    CU_ASSERT_PTR_NULL(found);
    X509_free(cert);
    cert = certgen_issue(&ca_b, &leaf);
    CU_ASSERT_EQUAL(ir_find_issuing_subca(cfg, cert, &found, NULL), IR_OK);
    CU_ASSERT_PTR_EQUAL(found, ir_config_subca(cfg, "sub-b"));
    X509_free(cert);
    ir_config_free(cfg);
}

static void test_subca_named_by_the_ca(void)
{
    ir_config *cfg = load_rules("k a", "<rule customer='k'><subca>sub-k</subca></rule>\n"
                                       "<rule customer='a'><subca>sub-a</subca></rule>\n");
    certgen_leaf leaf = {.cn = "x"};
    ir_cert_meta meta = {.subca = "sub-k"};
    ir_attribution a;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    /* sub-k's certificate is in the keystore, unknown here: the CA's word counts */
    CU_ASSERT_STRING_EQUAL(attribute(cfg, &ca_k, &leaf, &meta, &a), "k");
    CU_ASSERT_PTR_EQUAL(a.subca, ir_config_subca(cfg, "sub-k"));
    /* the certificate says sub-b issued it: the CA's word does not override that */
    meta.subca = "sub-a";
    CU_ASSERT_PTR_NULL(attribute(cfg, &ca_b, &leaf, &meta, &a));
    CU_ASSERT_PTR_NOT_NULL(strstr(a.reason, "issued by SubCA 'sub-b'"));
    /* sub-a's certificate is known and did not issue it */
    CU_ASSERT_PTR_NULL(attribute(cfg, &ca_k, &leaf, &meta, &a));
    CU_ASSERT_PTR_NOT_NULL(strstr(a.reason, "was not issued by its certificate"));
    ir_config_free(cfg);
}

static void test_subca_cert_supplied_later(void)
{
    ir_config *cfg = load_rules("k", "<rule customer='k'><subca>sub-k</subca></rule>\n");
    certgen_leaf leaf = {.cn = "x"};
    ir_attribution a;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_PTR_NULL(attribute(cfg, &ca_k, &leaf, NULL, &a));
    CU_ASSERT_EQUAL(ir_config_set_subca_cert(cfg, ir_config_subca(cfg, "sub-k"), ca_k.cert, NULL),
                    IR_OK);
    CU_ASSERT_PTR_EQUAL(ir_config_subca_cert(cfg, ir_config_subca(cfg, "sub-k")), ca_k.cert);
    CU_ASSERT_STRING_EQUAL(attribute(cfg, &ca_k, &leaf, NULL, &a), "k");
    ir_config_free(cfg);
}

static void test_no_match_is_unattributed_with_reason(void)
{
    ir_config *cfg =
        load_rules("acme", "<rule customer='acme'><subject attribute='O'>Acme</subject></rule>");
    certgen_leaf leaf = {.o = "Globex", .cn = "gx-1"};
    ir_attribution a;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_PTR_NULL(attribute(cfg, &ca_a, &leaf, NULL, &a));
    CU_ASSERT_PTR_NOT_NULL(strstr(a.reason, "none of the 1 attribution rules matches"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a.reason, "O=Globex"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a.reason, "SubCA sub-a"));
    CU_ASSERT_PTR_EQUAL(a.subca, ir_config_subca(cfg, "sub-a"));
    ir_config_free(cfg);
    cfg = load_rules("acme", "");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_PTR_NULL(attribute(cfg, &ca_a, &leaf, NULL, &a));
    CU_ASSERT_PTR_NOT_NULL(strstr(a.reason, "no attribution rules are configured"));
    ir_config_free(cfg);
}

static void test_two_customers_match_is_unattributed_naming_both(void)
{
    ir_config *cfg = load_rules(
        "acme plants",
        "<rule customer='acme'><subject attribute='O'>Acme</subject></rule>\n"
        "<rule customer='plants'><subject attribute='OU' match='prefix'>Plant</subject></rule>\n");
    certgen_leaf leaf = {.o = "Acme", .ou = "Plant-1"};
    ir_attribution a;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_PTR_NULL(attribute(cfg, &ca_a, &leaf, NULL, &a));
    CU_ASSERT_PTR_NOT_NULL(strstr(a.reason, "2 customers match"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a.reason, "'acme' (rule at line"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a.reason, "'plants' (rule at line"));
    ir_config_free(cfg);
}

static void test_rules_of_one_customer_count_once(void)
{
    ir_config *cfg = load_rules(
        "acme",
        "<rule customer='acme'><subject attribute='O'>Acme</subject></rule>\n"
        "<rule customer='acme'><subject attribute='OU' match='prefix'>Plant</subject></rule>\n"
        "<rule customer='acme'><subca>sub-a</subca></rule>\n");
    certgen_leaf leaf = {.o = "Acme", .ou = "Plant-1"};
    ir_attribution a;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_STRING_EQUAL(attribute(cfg, &ca_a, &leaf, NULL, &a), "acme");
    CU_ASSERT_PTR_NOT_NULL(strstr(a.reason, "customer 'acme' by the rule at line"));
    ir_config_free(cfg);
}

/* --- many similar customers ---------------------------------------------- */

static unsigned long rng_state = 12345;

static unsigned next_random(unsigned n)
{
    rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((rng_state >> 33) % n);
}

typedef struct variant {
    const char *o;
    const char *ou_prefix;
    const char *expected; /* NULL: unattributed */
} variant;

static const variant variants[] = {
    {"Acme", "EU-", "acme-eu"},
    {"Acme", "US-", "acme-us"},
    {"Acme Corp", "EU-", "acme-corp"},
    {"Acme Corp", "Ops", "acme-corp"},
    {"Acme Corporation", "US-", "acme-corporation"},
    {"Acme Labs", "R&D", "acme-labs"},
    {"Acme Labs GmbH", "EU-", "acme-labs"},
    {"Acme", "APAC-", NULL},        /* Acme, but neither EU- nor US- */
    {"Acme Corp.", "EU-", NULL},    /* a near miss */
    {"Acme Labs Inc", "US-", NULL}, /* the regex is anchored */
    {"ACME", "EU-", NULL},          /* exact is case-sensitive */
};

static const char similar_rules[] =
    "<rule customer='acme-eu'><subject attribute='O'>Acme</subject>"
    "<subject attribute='OU' match='prefix'>EU-</subject></rule>\n"
    "<rule customer='acme-us'><subject attribute='O'>Acme</subject>"
    "<subject attribute='OU' match='prefix'>US-</subject></rule>\n"
    "<rule customer='acme-corp'><subject attribute='O'>Acme Corp</subject></rule>\n"
    "<rule customer='acme-corporation'><subject attribute='O'>Acme Corporation</subject></rule>\n"
    "<rule customer='acme-labs'><subject attribute='O' match='regex'>^Acme Labs( "
    "GmbH)?$</subject></rule>\n";

static void test_similar_customers_over_many_certificates(void)
{
    ir_config *cfg =
        load_rules("acme-eu acme-us acme-corp acme-corporation acme-labs", similar_rules);
    unsigned seen[sizeof(variants) / sizeof(variants[0])] = {0};
    size_t i, wrong = 0;
    char ou[64], cn[64];
    const variant *v;
    const char *got;
    certgen_leaf leaf;
    ir_attribution a;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    for (i = 0; i < 600; i++) {
        unsigned k = next_random(sizeof(variants) / sizeof(variants[0]));
        v = &variants[k];
        seen[k]++;
        snprintf(ou, sizeof(ou), "%s%u", v->ou_prefix, next_random(1000));
        snprintf(cn, sizeof(cn), "device-%zu", i);
        leaf = (certgen_leaf){.o = v->o, .ou = ou, .cn = cn};
        got = attribute(cfg, next_random(2) ? &ca_a : &ca_b, &leaf, NULL, &a);
        if ((got == NULL) != (v->expected == NULL) ||
            (got != NULL && strcmp(got, v->expected) != 0)) {
            wrong++;
            fprintf(stderr, "\nO=%s OU=%s: got %s, want %s (%s)", v->o, ou, got ? got : "-",
                    v->expected ? v->expected : "-", a.reason);
        }
    }
    CU_ASSERT_EQUAL(wrong, 0);
    for (i = 0; i < sizeof(seen) / sizeof(seen[0]); i++)
        CU_ASSERT_TRUE(seen[i] > 20);
    ir_config_free(cfg);
}

/* --- hostile certificates ---------------------------------------------------- */

static void test_embedded_nul_never_matches(void)
{
    ir_config *cfg = load_rules(
        "acme",
        "<rule customer='acme'><subject attribute='O' match='prefix'>Acme</subject></rule>");
    certgen_leaf leaf = {.cn = "x"};
    X509 *cert = certgen_issue(&ca_a, &leaf);
    X509_NAME *name = X509_NAME_dup(X509_get_subject_name(cert));
    ir_attribution a;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    X509_NAME_add_entry_by_NID(name, NID_organizationName, V_ASN1_UTF8STRING,
                               (const unsigned char *)"Acme\0Evil", 9, -1, 0);
    X509_set_subject_name(cert, name);
    X509_sign(cert, ca_a.key, EVP_sha256());
    CU_ASSERT_EQUAL(ir_attribute_x509(cfg, cert, NULL, &a, NULL), IR_OK);
    CU_ASSERT_PTR_NULL(a.customer);
    X509_NAME_free(name);
    X509_free(cert);
    ir_config_free(cfg);
}

static void test_bad_der_is_an_error(void)
{
    ir_config *cfg = load_rules("acme", "");
    certgen_leaf leaf = {.cn = "x"};
    X509 *cert = certgen_issue(&ca_a, &leaf);
    size_t len = 0;
    unsigned char *der = certgen_der(cert, &len);
    unsigned char *longer = malloc(len + 1);
    ir_attribution a;
    ir_err err = {0};

    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_EQUAL(ir_attribute(cfg, der, len - 1, NULL, &a, &err), IR_ERR_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not valid DER"));
    memcpy(longer, der, len);
    longer[len] = 0;
    CU_ASSERT_EQUAL(ir_attribute(cfg, longer, len + 1, NULL, &a, &err), IR_ERR_PARSE);
    CU_ASSERT_EQUAL(ir_attribute(cfg, (const unsigned char *)"junk", 4, NULL, &a, &err),
                    IR_ERR_PARSE);
    CU_ASSERT_PTR_NULL(a.customer);
    free(longer);
    OPENSSL_free(der);
    X509_free(cert);
    ir_config_free(cfg);
}

int main(void)
{
    static const ir_test_case cases[] = {
        IR_TEST(test_by_subject_o_exact),
        IR_TEST(test_by_subject_ou_prefix),
        IR_TEST(test_by_subject_cn_regex),
        IR_TEST(test_by_san),
        IR_TEST(test_by_extension_oid),
        IR_TEST(test_by_metadata),
        IR_TEST(test_all_matches_of_a_rule_must_hold),
        IR_TEST(test_by_issuing_subca),
        IR_TEST(test_subca_named_by_the_ca),
        IR_TEST(test_subca_cert_supplied_later),
        IR_TEST(test_no_match_is_unattributed_with_reason),
        IR_TEST(test_two_customers_match_is_unattributed_naming_both),
        IR_TEST(test_rules_of_one_customer_count_once),
        IR_TEST(test_similar_customers_over_many_certificates),
        IR_TEST(test_embedded_nul_never_matches),
        IR_TEST(test_bad_der_is_an_error),
        {NULL, NULL},
    };

    return ir_test_run("attribution", cases, suite_init, suite_clean);
}
