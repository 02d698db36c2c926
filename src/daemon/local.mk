# src/daemon: iotregd, the delivery pipeline.
sbin_PROGRAMS += src/daemon/iotregd
src_daemon_iotregd_SOURCES = src/daemon/iotregd.c \
	src/daemon/deliver_ctx.h \
	src/daemon/job.c src/daemon/job.h \
	src/daemon/deliver.c src/daemon/deliver.h src/daemon/steps.h \
	src/daemon/steps_transfer.c src/daemon/steps_customer.c \
	src/daemon/revoke.c src/daemon/revoke.h \
	src/daemon/dispatch.c src/daemon/dispatch.h
src_daemon_iotregd_CFLAGS = $(AM_CFLAGS) $(DEP_CFLAGS)
src_daemon_iotregd_LDADD = src/libiotreg.la $(DEP_LIBS)
