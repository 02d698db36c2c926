#include "autoconf.h"

#include "fixture.h"

#include "cfgtest.h"

static const char full_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!-- every element of the format -->\n"
    "<iotreg xmlns=\"urn:iotreg:config:1\" version=\"1\">\n"
    "  <keystore>\n"
    "    <module>@DIR@/module.so</module>\n"
    "    <token-label>test token</token-label>\n"
    "    <pin-file>@DIR@/user.pin</pin-file>\n"
    "    <so-pin-file>@DIR@/so.pin</so-pin-file>\n"
    "    <softhsm-dir>@DIR@/tokens</softhsm-dir>\n"
    "  </keystore>\n"
    "  <journal>\n"
    "    <postgresql conninfo=\"host=db.example dbname=iotreg user=iotreg\""
    " password-file=\"@DIR@/pg.password\" sslmode=\"verify-full\""
    " ca-file=\"@DIR@/pg-ca.pem\" spool=\"@DIR@/journal\"/>\n"
    "  </journal>\n"
    "  <aws>\n"
    "    <signing-name>execute-api</signing-name>\n"
    "    <connect-timeout-ms>1500</connect-timeout-ms>\n"
    "    <request-timeout-ms>9000</request-timeout-ms>\n"
    "    <max-attempts>3</max-attempts>\n"
    "    <max-retry-ms>60000</max-retry-ms>\n"
    "    <ca-file>@DIR@/ca.pem</ca-file>\n"
    "  </aws>\n"
    "  <daemon>\n"
    "    <worker-id>ca-host-1.example:a</worker-id>\n"
    "    <lease-seconds>45</lease-seconds>\n"
    "    <concurrency>16</concurrency>\n"
    "    <poll-ms>250</poll-ms>\n"
    "    <syslog>true</syslog>\n"
    "    <assume-role-seconds>900</assume-role-seconds>\n"
    "    <role-check-seconds>3600</role-check-seconds>\n"
    "    <metrics listen=\"[::1]:9464\" textfile=\"@DIR@/iotregd.prom\" textfile-seconds=\"30\"/>\n"
    "  </daemon>\n"
    "  <csp-accounts>\n"
    "    <csp-account name=\"csp-main\">\n"
    "      <account-id>111122223333</account-id>\n"
    "      <region>eu-central-1</region>\n"
    "      <credentials><keystore secret=\"aws-main\" "
    "access-key-id=\"AKIAEXAMPLEMAIN00001\"/></credentials>\n"
    "      <endpoint>http://127.0.0.1:4566</endpoint>\n"
    "      <allow-http>true</allow-http>\n"
    "    </csp-account>\n"
    "    <csp-account name=\"csp-env\">\n"
    "      <account-id>111122224444</account-id>\n"
    "      <region>us-east-1</region>\n"
    "      <region>ap-southeast-2</region>\n"
    "      <credentials><environment/></credentials>\n"
    "    </csp-account>\n"
    "    <csp-account name=\"csp-file\">\n"
    "      <account-id>011122225555</account-id>\n"
    "      <region>us-gov-west-1</region>\n"
    "      <credentials>\n"
    "        <access-key id=\"AKIAEXAMPLEFILE00001\" secret-file=\"@DIR@/csp.secret\"/>\n"
    "      </credentials>\n"
    "      <endpoint>https://iot.example.test</endpoint>\n"
    "    </csp-account>\n"
    "  </csp-accounts>\n"
    "  <subcas>\n"
    "    <subca name=\"sub-eu\">\n"
    "      <key-uri>iotreg:object=sub-eu-key;type=private</key-uri>\n"
    "      <cert-file>@DIR@/sub-eu.pem</cert-file>\n"
    "      <csp-account>csp-main</csp-account>\n"
    "      <tap>true</tap>\n"
    "    </subca>\n"
    "    <subca name=\"sub-us\">\n"
    "      <csp-account>csp-env</csp-account>\n"
    "      <csp-account>csp-file</csp-account>\n"
    "    </subca>\n"
    "  </subcas>\n"
    "  <customers>\n"
    "    <customer id=\"acme\">\n"
    "      <account-id>444455556666</account-id>\n"
    "      <region>eu-central-1</region>\n"
    "      <role arn=\"arn:aws:iam::444455556666:role/iotreg/delivery\"\n"
    "            external-id=\"ext-acme-0001\"/>\n"
    "      <policy name=\"acme-policy\" document-file=\"@DIR@/acme-policy.json\"/>\n"
    "      <thing name-template=\"acme-${subject.CN}-${certid8}\" group=\"acme-fleet\"/>\n"
    "      <endpoint>http://localhost:4567</endpoint>\n"
    "      <allow-http>true</allow-http>\n"
    "    </customer>\n"
    "    <customer id=\"globex\">\n"
    "      <account-id>777788889999</account-id>\n"
    "      <region>us-east-1</region>\n"
    "      <delivery>register-without-ca</delivery>\n"
    "      <credentials><profile name=\"globex\" file=\"@DIR@/aws-credentials\"/></credentials>\n"
    "      <policy name=\"globex-policy\"/>\n"
    "      <activate>false</activate>\n"
    "    </customer>\n"
    "    <customer id=\"initech\">\n"
    "      <account-id>123456789012</account-id>\n"
    "      <region>ap-southeast-2</region>\n"
    "      <delivery>transfer</delivery>\n"
    "      <role arn=\"arn:aws:iam::123456789012:role/iotreg\" external-id=\"ext-initech-0002\"/>\n"
    "      <policy name=\"initech\"/>\n"
    "    </customer>\n"
    "  </customers>\n"
    "  <attribution>\n"
    "    <rule customer=\"acme\">\n"
    "      <subca>sub-eu</subca>\n"
    "      <subject attribute=\"O\">Acme</subject>\n"
    "      <subject attribute=\"OU\" match=\"prefix\">Plant-</subject>\n"
    "    </rule>\n"
    "    <rule customer=\"globex\">\n"
    "      <subject attribute=\"CN\" match=\"regex\">^gx-[0-9]+$</subject>\n"
    "      <san type=\"dns\" match=\"prefix\">gx-</san>\n"
    "      <san type=\"ip\">192.0.2.7</san>\n"
    "      <san>mailto-free</san>\n"
    "      <extension oid=\"1.3.6.1.4.1.99999.1\">globex</extension>\n"
    "    </rule>\n"
    "    <rule customer=\"initech\">\n"
    "      <end-entity match=\"prefix\">initech-</end-entity>\n"
    "      <profile>initech-device</profile>\n"
    "    </rule>\n"
    "  </attribution>\n"
    "  <quotas>\n"
    "    <quota api=\"RegisterCertificate\" tps=\"2.5\"/>\n"
    "    <quota api=\"AcceptCertificateTransfer\" tps=\"5\" account=\"444455556666\"/>\n"
    "  </quotas>\n"
    "</iotreg>\n";

const char *fixture_full_xml_template(void)
{
    return full_xml;
}

char *fixture_full_xml(void)
{
    return cfgtest_subst_dir(full_xml);
}

static certgen_ca subca;

int fixture_write_files(void)
{
    static const struct {
        const char *name;
        const char *text;
        mode_t mode;
    } files[] = {
        {"user.pin", "1234\n", 0600},
        {"so.pin", "5678\n", 0400},
        {"pg.password", "pg-s3cret\n", 0600},
        {"csp.secret", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n", 0600},
        {"aws-credentials", "[globex]\naws_access_key_id = AKIAEXAMPLE\n", 0600},
        {"acme-policy.json", "{\"Version\": \"2012-10-17\", \"Statement\": []}\n", 0644},
        {"module.so", "", 0755},
    };
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        if (cfgtest_write_str(files[i].name, files[i].text, files[i].mode) == NULL)
            return -1;
    return certgen_write_pem(cfgtest_path("sub-eu.pem"), subca.cert);
}

int fixture_suite_init(void)
{
    if (cfgtest_dir() == NULL || certgen_ca_new(&subca, "Test SubCA EU") != 0)
        return -1;
    return fixture_write_files();
}

int fixture_suite_clean(void)
{
    certgen_ca_free(&subca);
    cfgtest_cleanup();
    return 0;
}
