# src/config: the XML configuration. The model and its lookups (config.h,
# model.c); loading it (load.h, load.c: read and XSD-validate in xmlread.c,
# build in build*.c, check in validate.c and files.c, report in diag.c); the
# syntax of thing name templates (template.c).
src_libiotreg_config_la_SOURCES += \
	src/config/config.h src/config/model.c \
	src/config/load.h src/config/load.c src/config/config_internal.h \
	src/config/diag.c \
	src/config/xmlread.c \
	src/config/xmlutil.c \
	src/config/build.c \
	src/config/build_parties.c \
	src/config/build_rules.c \
	src/config/validate.c \
	src/config/regex_bound.c src/config/regex_bound.h \
	src/config/files.c \
	src/config/template.c src/config/template.h
# Apart (jansson), so that what only loads a configuration does not link it.
src_libiotreg_config_required_la_SOURCES += src/config/files_required.c

# The XSD is compiled into the library so validation never depends on an
# installed file: conf/iotreg.xsd becomes a byte array.
nodist_src_libiotreg_config_la_SOURCES = src/config/iotreg_xsd.c
CLEANFILES += src/config/iotreg_xsd.c
src/config/iotreg_xsd.c: $(top_srcdir)/conf/iotreg.xsd
	$(AM_V_GEN)$(MKDIR_P) src/config && { \
	  echo '/* Generated from conf/iotreg.xsd by src/config/local.mk; do not edit. */'; \
	  echo '#include <stddef.h>'; \
	  echo 'const unsigned char ir_config_xsd[] = {'; \
	  od -An -v -tx1 $(top_srcdir)/conf/iotreg.xsd | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0x00};'; \
	  echo 'const size_t ir_config_xsd_len = sizeof(ir_config_xsd) - 1;'; \
	} > $@.tmp && mv $@.tmp $@

# Tests: CUnit programs sharing a few helpers (temporary directory, test
# certificates, a complete configuration), and a shell test of the CLI.
config_test_helpers = \
	tests/config/cfgtest.c tests/config/cfgtest.h \
	tests/config/certgen.c tests/config/certgen.h \
	tests/config/fixture.c tests/config/fixture.h
config_test_cflags = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/config

check_PROGRAMS += tests/config/test_config_load
TESTS += tests/config/test_config_load
tests_config_test_config_load_SOURCES = tests/config/test_config_load.c $(config_test_helpers)
tests_config_test_config_load_CFLAGS = $(config_test_cflags)
tests_config_test_config_load_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/config/test_config_errors
TESTS += tests/config/test_config_errors
tests_config_test_config_errors_SOURCES = tests/config/test_config_errors.c $(config_test_helpers)
tests_config_test_config_errors_CFLAGS = $(config_test_cflags)
tests_config_test_config_errors_LDADD = $(TEST_LIBS)

TESTS += tests/config/config-check.test
EXTRA_DIST += tests/config/config-check.test
