/* A complete configuration using every element, and the files it names. */
#ifndef IOTREG_TESTS_CONFIG_FIXTURE_H
#define IOTREG_TESTS_CONFIG_FIXTURE_H

#include "certgen.h"

/* The configuration text, "@DIR@" standing for the run's directory. */
const char *fixture_full_xml_template(void);
/* The configuration text with the run's directory filled in; malloc'd. */
char *fixture_full_xml(void);
/* Writes the PIN, secret, policy, module and SubCA certificate files the
 * full configuration names (the SubCA certificate fixture_suite_init made);
 * 0 on success. */
int fixture_write_files(void);

/* A CUnit suite's set-up: the run's directory, a SubCA ("Test SubCA EU")
 * and the files; 0 on success. */
int fixture_suite_init(void);
/* Its clean-up: the SubCA freed, the directory removed. */
int fixture_suite_clean(void);

#endif
