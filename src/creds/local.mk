# src/creds: credentials named by the configuration, for CSP accounts and customers.
src_libiotreg_creds_la_SOURCES += \
	src/creds/credref.c src/creds/credref.h \
	src/creds/accounts.c src/creds/accounts.h \
	src/creds/role_check.c src/creds/role_check.h
check_PROGRAMS += tests/unit/test_role_gates
TESTS += tests/unit/test_role_gates
tests_unit_test_role_gates_SOURCES = tests/unit/test_role_gates.c
tests_unit_test_role_gates_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_role_gates_LDADD = $(TEST_LIBS)
