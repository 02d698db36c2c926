# src/core: errors, bounded buffers, secrets, logging, HMAC, URI encoding, small helpers,
# the metrics registry and its text exposition.
src_libiotreg_core_la_SOURCES += \
	src/core/error.c src/core/error.h \
	src/core/buf.c src/core/buf.h \
	src/core/secret.c src/core/secret.h src/core/secret_file.c \
	src/core/log.c src/core/log.h \
	src/core/util.c src/core/util.h \
	src/core/pem.c src/core/pem.h \
	src/core/hmac.c src/core/hmac.h \
	src/core/uri_encode.c src/core/uri_encode.h \
	src/core/metrics.c src/core/metrics.h

check_PROGRAMS += tests/unit/test_core
TESTS += tests/unit/test_core
tests_unit_test_core_SOURCES = tests/unit/test_core.c
tests_unit_test_core_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_core_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_hmac_uri
TESTS += tests/unit/test_hmac_uri
tests_unit_test_hmac_uri_SOURCES = tests/unit/test_hmac_uri.c
tests_unit_test_hmac_uri_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_hmac_uri_LDADD = $(TEST_LIBS)
