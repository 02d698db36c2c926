#include "autoconf.h"

#include "fuzz_subca.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/load.h"
#include "fuzz.h"

static const char config_xml[] =
    "<iotreg xmlns='urn:iotreg:config:1' version='1'>\n"
    "  <keystore><pin-file>%s/user.pin</pin-file></keystore>\n"
    "  <journal><sqlite path='%s/journal.db'/></journal>\n"
    "  <csp-accounts><csp-account name='csp'><account-id>111122223333</account-id>\n"
    "    <region>eu-central-1</region><credentials><environment/></credentials>\n"
    "  </csp-account></csp-accounts>\n"
    "  <subcas><subca name='sub'><cert-file>%s/sub.pem</cert-file>\n"
    "    <csp-account>csp</csp-account></subca>\n"
    "%s"
    "  </subcas>\n"
    "%s"
    "</iotreg>\n";

static void must(int ok, const char *what, const ir_err *err)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz: setting up: %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
    abort();
}

ir_config *fuzz_subca_config(certgen_ca *subca, const char *more_subcas, const char *more)
{
    const char *dir = fuzz_dir();
    char path[4096], text[16384];
    ir_config *cfg = NULL;
    ir_err err = {0};
    int n;

    must(certgen_ca_new(subca, "Fuzz SubCA") == 0, "making the SubCA", NULL);
    fuzz_path(path, sizeof(path), "sub.pem");
    must(certgen_write_pem(path, subca->cert) == 0, "writing the SubCA", NULL);
    n = snprintf(text, sizeof(text), config_xml, dir, dir, dir, more_subcas, more);
    must(n > 0 && (size_t)n < sizeof(text), "writing the configuration", NULL);
    fuzz_path(path, sizeof(path), "iotreg.xml");
    fuzz_write_file(path, (const uint8_t *)text, (size_t)n);
    must(ir_config_load(path, &cfg, &err) == IR_OK, "loading the configuration", &err);
    return cfg;
}
