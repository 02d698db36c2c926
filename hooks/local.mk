# hooks: iotreg_hook.so (the C ABI a CA dlopens) and iotreg-publish (the
# command a CA runs), and their tests.

pkglib_LTLIBRARIES += hooks/iotreg_hook.la
include_HEADERS += hooks/iotreg_hook.h
hooks_iotreg_hook_la_SOURCES = hooks/iotreg_hook.h hooks/hook_internal.h \
	hooks/hook.c hooks/hook_log.c hooks/hook_errors.c
hooks_iotreg_hook_la_CFLAGS = $(AM_CFLAGS) $(DEP_CFLAGS)
hooks_iotreg_hook_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -no-undefined \
	-export-symbols-regex '^iotreg_hook_'
hooks_iotreg_hook_la_LIBADD = src/libiotreg.la $(DEP_LIBS)

bin_PROGRAMS += hooks/iotreg-publish
hooks_iotreg_publish_SOURCES = hooks/publish.c
hooks_iotreg_publish_CFLAGS = $(AM_CFLAGS) $(DEP_CFLAGS)
hooks_iotreg_publish_LDADD = src/libiotreg.la $(DEP_LIBS)

# -- test tools --
check_PROGRAMS += tests/hook/certgen
tests_hook_certgen_SOURCES = tests/hook/certgen.c tests/hook/testcerts.c tests/hook/testcerts.h
# Built without sanitizers: it only makes test data, and fast (10,000 signatures).
tests_hook_certgen_CFLAGS = $(WARN_CFLAGS) $(PTHREAD_CFLAGS) $(DEP_CFLAGS)
tests_hook_certgen_LDFLAGS = $(PTHREAD_CFLAGS)
tests_hook_certgen_LDADD = $(DEP_LIBS)

check_PROGRAMS += tests/hook/hostca
tests_hook_hostca_SOURCES = tests/hook/hostca.c tests/hook/testcerts.c tests/hook/testcerts.h
tests_hook_hostca_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hooks
tests_hook_hostca_CFLAGS = $(TEST_CFLAGS)
tests_hook_hostca_LDADD = $(TEST_LIBS) -ldl

# The enqueue latency benchmark (bench/README.md); built, never run by make check.
noinst_PROGRAMS += bench/enqueue
bench_enqueue_SOURCES = bench/enqueue.c tests/hook/testcerts.c tests/hook/testcerts.h
bench_enqueue_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hooks -I$(top_srcdir)/tests/hook
bench_enqueue_CFLAGS = $(AM_CFLAGS) $(DEP_CFLAGS)
bench_enqueue_LDADD = src/libiotreg.la $(DEP_LIBS) -ldl

# -- tests --
TESTS += tests/hook/publish.test tests/hook/durability.test tests/hook/import.test \
	tests/hook/keystore-subca.test tests/hook/reasons.test tests/hook/crl.test tests/hook/gpcp.test \
	tests/hook/certtool.test
EXTRA_DIST += tests/hook/lib.sh tests/hook/publish.test tests/hook/durability.test \
	tests/hook/import.test tests/hook/keystore-subca.test tests/hook/reasons.test \
	tests/hook/crl.test tests/hook/gpcp.test tests/hook/gpcp.py \
	tests/hook/certtool.test
check_PROGRAMS += tests/hook/test_hook
TESTS += tests/hook/test_hook
tests_hook_test_hook_SOURCES = tests/hook/test_hook.c tests/hook/testcerts.c tests/hook/testcerts.h
tests_hook_test_hook_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hooks -I$(top_srcdir)/tests/unit
tests_hook_test_hook_CFLAGS = $(TEST_CFLAGS)
tests_hook_test_hook_LDADD = $(TEST_LIBS) -ldl

# pkg-config file for the hook's header and where its module is installed:
# made by make, every time (it is phony; rewritten only when it changes), so
# that `make install prefix=... libdir=...` installs one naming those paths.
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = hooks/iotreg-hook.pc
EXTRA_DIST += hooks/iotreg-hook.pc.in
CLEANFILES += hooks/iotreg-hook.pc hooks/iotreg-hook.pc.tmp
.PHONY: hooks/iotreg-hook.pc
hooks/iotreg-hook.pc: hooks/iotreg-hook.pc.in
	@$(MKDIR_P) hooks && sed \
		-e 's|@prefix[@]|$(prefix)|g' -e 's|@exec_prefix[@]|$(exec_prefix)|g' \
		-e 's|@libdir[@]|$(libdir)|g' -e 's|@includedir[@]|$(includedir)|g' \
		-e 's|@pkglibdir[@]|$(pkglibdir)|g' -e 's|@VERSION[@]|$(VERSION)|g' \
		$(srcdir)/hooks/iotreg-hook.pc.in >$@.tmp && \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
