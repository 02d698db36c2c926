# bench: benchmark programs that belong to no one layer (bench/README.md);
# built, never run by make check.

# What a claim costs on a PostgreSQL journal with 10,000 and 1,000,000
# queued entries (bench/claim-pg.sh runs it against a server of its own).
noinst_PROGRAMS += bench/claim
bench_claim_SOURCES = bench/claim.c tests/hook/testcerts.c tests/hook/testcerts.h
bench_claim_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/hook
bench_claim_CFLAGS = $(AM_CFLAGS) $(DEP_CFLAGS)
bench_claim_LDADD = src/libiotreg.la $(DEP_LIBS)
