/* For the harnesses that need a configured SubCA (attribution, CRL): a
 * SubCA made for the process and a configuration naming it. */
#ifndef IOTREG_TESTS_FUZZ_FUZZ_SUBCA_H
#define IOTREG_TESTS_FUZZ_FUZZ_SUBCA_H

#include "certgen.h"
#include "config/config.h"

/* Makes subca ("Fuzz SubCA"), writes its certificate and a configuration
 * with a CSP account and SubCA 'sub' (the SubCA) into the process's
 * directory, and loads it: more_subcas goes into <subcas> after 'sub', more
 * after <subcas>. Aborts, saying why, when any of it fails. */
ir_config *fuzz_subca_config(certgen_ca *subca, const char *more_subcas, const char *more);

#endif
