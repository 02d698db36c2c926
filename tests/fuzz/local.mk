# tests/fuzz: libFuzzer harnesses for every parser of untrusted input. Built
# only by a clang build configured with --enable-fuzzers (scripts/check makes
# one), with `make fuzzers`: the library and the harnesses, nothing else.
# tests/fuzz/run.sh runs them for a bounded time; bench/fuzz.sh for longer.
fuzz_harnesses = tests/fuzz/fuzz_tap tests/fuzz/fuzz_cert_input tests/fuzz/fuzz_spool \
	tests/fuzz/fuzz_config tests/fuzz/fuzz_sts_xml tests/fuzz/fuzz_iot_json \
	tests/fuzz/fuzz_aws_error tests/fuzz/fuzz_template tests/fuzz/fuzz_crl \
	tests/fuzz/fuzz_attribution
fuzz_common = tests/fuzz/fuzz.h tests/fuzz/fuzz_util.c
fuzz_subca = tests/fuzz/fuzz_subca.c tests/fuzz/fuzz_subca.h \
	tests/config/certgen.c tests/config/certgen.h
fuzz_cflags = $(AM_CFLAGS) $(DEP_CFLAGS) $(FUZZ_CFLAGS) -I$(top_srcdir)/tests/fuzz
fuzz_ldflags = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
fuzz_libs = src/libiotreg.la $(DEP_LIBS)

EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/make-seeds.sh tests/fuzz/corpus

if FUZZERS
noinst_PROGRAMS += $(fuzz_harnesses)
fuzzers: $(fuzz_harnesses)
else
fuzzers:
	@echo "the fuzzers need a build configured with CC=clang-14 --enable-fuzzers" >&2; exit 1
endif
.PHONY: fuzzers

tests_fuzz_fuzz_tap_SOURCES = tests/fuzz/fuzz_tap.c $(fuzz_common)
tests_fuzz_fuzz_tap_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_tap_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_tap_LDADD = $(fuzz_libs)

tests_fuzz_fuzz_cert_input_SOURCES = tests/fuzz/fuzz_cert_input.c $(fuzz_common)
tests_fuzz_fuzz_cert_input_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_cert_input_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_cert_input_LDADD = $(fuzz_libs)

tests_fuzz_fuzz_spool_SOURCES = tests/fuzz/fuzz_spool.c $(fuzz_common)
tests_fuzz_fuzz_spool_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_spool_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_spool_LDADD = $(fuzz_libs)

tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c $(fuzz_common)
tests_fuzz_fuzz_config_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_config_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_config_LDADD = $(fuzz_libs)

tests_fuzz_fuzz_sts_xml_SOURCES = tests/fuzz/fuzz_sts_xml.c $(fuzz_common)
tests_fuzz_fuzz_sts_xml_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_sts_xml_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_sts_xml_LDADD = $(fuzz_libs)

tests_fuzz_fuzz_iot_json_SOURCES = tests/fuzz/fuzz_iot_json.c $(fuzz_common)
tests_fuzz_fuzz_iot_json_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_iot_json_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_iot_json_LDADD = $(fuzz_libs)

tests_fuzz_fuzz_aws_error_SOURCES = tests/fuzz/fuzz_aws_error.c $(fuzz_common)
tests_fuzz_fuzz_aws_error_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_aws_error_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_aws_error_LDADD = $(fuzz_libs)

tests_fuzz_fuzz_template_SOURCES = tests/fuzz/fuzz_template.c $(fuzz_common)
tests_fuzz_fuzz_template_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_template_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_template_LDADD = $(fuzz_libs)

# With a configured SubCA that signs (the configuration tests' certificate maker).
tests_fuzz_fuzz_crl_SOURCES = tests/fuzz/fuzz_crl.c $(fuzz_common) $(fuzz_subca)
tests_fuzz_fuzz_crl_CFLAGS = $(fuzz_cflags) -I$(top_srcdir)/tests/config
tests_fuzz_fuzz_crl_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_crl_LDADD = $(fuzz_libs)

tests_fuzz_fuzz_attribution_SOURCES = tests/fuzz/fuzz_attribution.c $(fuzz_common) $(fuzz_subca)
tests_fuzz_fuzz_attribution_CFLAGS = $(fuzz_cflags) -I$(top_srcdir)/tests/config
tests_fuzz_fuzz_attribution_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_attribution_LDADD = $(fuzz_libs)
