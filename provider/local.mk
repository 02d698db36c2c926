# provider: the iotreg OpenSSL 3 provider (STORE, keymgmt, signature over the
# PKCS#11 keystore). nodelete: the keystore registers pthread_atfork handlers,
# which must outlive an OSSL_PROVIDER_unload.
ossl_modules_LTLIBRARIES += provider/iotreg.la
provider_iotreg_la_SOURCES = \
	provider/provider.h provider/provider.c provider/prov_config.c \
	provider/errors.h provider/errors.c \
	provider/debug.h provider/debug.c \
	provider/keyref.h provider/keyref.c \
	provider/key.h provider/key.c \
	provider/keymgmt.h provider/keymgmt.c provider/keymgmt_types.c \
	provider/keymgmt_soft.c \
	provider/signature.h provider/signature.c provider/sig_ecdsa.c provider/sig_rsa.c \
	provider/sig_delegate.h provider/sig_delegate.c \
	provider/rsa_encode.h provider/rsa_encode.c \
	provider/store.c provider/capabilities.c \
	provider/tap.h provider/tap.c
provider_iotreg_la_CFLAGS = $(AM_CFLAGS) $(DEP_CFLAGS)
provider_iotreg_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-export-symbols-regex '^OSSL_provider_init$$' -Wl,-z,nodelete
# Only the layers the provider uses (Makefile.am): no libcurl, jansson or
# SQLite in a process that loads it.
provider_iotreg_la_LIBADD = $(IOTREG_PROVIDER_LIBS)

# Tests of the keystore and the provider against a private SoftHSM2 token.
EXTRA_DIST += tests/keystore/ks-lib.sh
TESTS += tests/keystore/openssl.test tests/keystore/errors.test tests/keystore/iotregctl.test \
	tests/keystore/ca-register.test tests/keystore/provider-order.test tests/keystore/dumpable.test
EXTRA_DIST += tests/keystore/openssl.test tests/keystore/errors.test tests/keystore/iotregctl.test \
	tests/keystore/ca-register.test tests/keystore/provider-order.test tests/keystore/dumpable.test
# The issuance tap releases no signature unrecorded.
TESTS += tests/keystore/tap-guard.test
EXTRA_DIST += tests/keystore/tap-guard.test
# The module links no libcurl, jansson or SQLite.
TESTS += tests/keystore/provider-links.test
EXTRA_DIST += tests/keystore/provider-links.test

check_PROGRAMS += tests/keystore/test_ks_token
TESTS += tests/keystore/test_ks_token
tests_keystore_test_ks_token_SOURCES = tests/keystore/test_ks_token.c tests/keystore/kstest.h
tests_keystore_test_ks_token_CFLAGS = $(TEST_CFLAGS)
tests_keystore_test_ks_token_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/keystore/test_ks_provider
TESTS += tests/keystore/test_ks_provider
tests_keystore_test_ks_provider_SOURCES = tests/keystore/test_ks_provider.c tests/keystore/kstest.h
tests_keystore_test_ks_provider_CFLAGS = $(TEST_CFLAGS)
tests_keystore_test_ks_provider_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/keystore/test_ks_units
TESTS += tests/keystore/test_ks_units
tests_keystore_test_ks_units_SOURCES = tests/keystore/test_ks_units.c provider/keyref.c
tests_keystore_test_ks_units_CFLAGS = $(TEST_CFLAGS)
tests_keystore_test_ks_units_LDADD = $(TEST_LIBS)

# ECDSA signatures per second through the provider against raw C_Sign
# (bench/README.md); built, never run by make check.
noinst_PROGRAMS += bench/provider_sign
bench_provider_sign_SOURCES = bench/provider_sign.c tests/keystore/kstest.h
bench_provider_sign_CFLAGS = $(AM_CFLAGS) $(DEP_CFLAGS)
bench_provider_sign_LDADD = src/libiotreg.la $(DEP_LIBS)

# The openssl.cnf snippet that loads the provider, installed beside the
# configuration's sample.
opensslsnippetdir = $(pkgdatadir)
dist_opensslsnippet_DATA = conf/openssl-iotreg.cnf
EXTRA_DIST += docs/keystore.md
