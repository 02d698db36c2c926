# src/capture: the shared "capture a certificate" path (parse, identify the
# issuing SubCA, attribute, enqueue) used by the hook, iotreg-publish,
# iotregctl import and the provider's issuance tap; the rules it applies to a
# certificate: attribution (attribution.c over certfields.c) and thing names
# (thing_name.c).
src_libiotreg_capture_la_SOURCES += \
	src/capture/cert_input.c src/capture/cert_input.h \
	src/capture/capture.c src/capture/capture.h \
	src/capture/crl_reason.c src/capture/crl_reason.h \
	src/capture/tbs.c src/capture/tbs.h \
	src/capture/import.c src/capture/import_openssl.c src/capture/import.h \
	src/capture/import_crl.c src/capture/import_crl.h \
	src/capture/certfields.c src/capture/certfields.h \
	src/capture/attribution.c src/capture/attribution.h \
	src/capture/thing_name.c src/capture/thing_name.h

# Tests: CUnit programs using the configuration tests' helpers (src/config/local.mk).
check_PROGRAMS += tests/capture/test_attribution
TESTS += tests/capture/test_attribution
tests_capture_test_attribution_SOURCES = tests/capture/test_attribution.c $(config_test_helpers)
tests_capture_test_attribution_CFLAGS = $(config_test_cflags)
tests_capture_test_attribution_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/capture/test_template
TESTS += tests/capture/test_template
tests_capture_test_template_SOURCES = tests/capture/test_template.c $(config_test_helpers)
tests_capture_test_template_CFLAGS = $(config_test_cflags)
tests_capture_test_template_LDADD = $(TEST_LIBS)
