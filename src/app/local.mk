# src/app: what programs build from the configuration (the settings of the
# layers that do not read it, SubCA certificates from the keystore, the
# runtime), and SubCA registration with AWS. The first two are what the
# provider links; the others need the AWS client and the journal's backend.
src_libiotreg_app_la_SOURCES += \
	src/app/settings.c src/app/settings.h \
	src/app/subca_certs.c src/app/subca_certs.h
src_libiotreg_app_aws_la_SOURCES += src/app/route.c src/app/route.h
src_libiotreg_app_aws_la_SOURCES += \
	src/app/runtime.c src/app/runtime.h \
	src/app/subca_register.c src/app/subca_register.h \
	src/app/subca_record.c
check_PROGRAMS += tests/unit/test_route
TESTS += tests/unit/test_route
tests_unit_test_route_SOURCES = tests/unit/test_route.c
tests_unit_test_route_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_route_LDADD = $(TEST_LIBS)
