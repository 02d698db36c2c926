# src/daemon: iotregd, the delivery pipeline.
sbin_PROGRAMS += src/daemon/iotregd
src_daemon_iotregd_SOURCES = src/daemon/iotregd.c \
	src/daemon/deliver_ctx.h \
	src/daemon/job.c src/daemon/job.h \
	src/daemon/deliver.c src/daemon/deliver.h src/daemon/steps.h \
	src/daemon/steps_transfer.c src/daemon/steps_customer.c \
	src/daemon/revoke.c src/daemon/revoke.h \
	src/daemon/dispatch.c src/daemon/dispatch.h \
	src/daemon/metrics.c src/daemon/metrics.h \
	src/daemon/metrics_serve.c src/daemon/metrics_serve.h
src_daemon_iotregd_CFLAGS = $(AM_CFLAGS) $(DEP_CFLAGS)
src_daemon_iotregd_LDADD = src/libiotreg.la $(DEP_LIBS)

# The metrics registry's exposition and iotregd's metrics.
check_PROGRAMS += tests/unit/test_metrics
TESTS += tests/unit/test_metrics
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c src/daemon/metrics.c
tests_unit_test_metrics_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_metrics_LDADD = $(TEST_LIBS)
