# src/journal: the durable journal. The front, the model and the spool need
# no database (the provider's tap links them); opening a journal with its
# SQLite backend, its PostgreSQL backend (libpq), and entries as JSON, are
# libraries of their own.
src_libiotreg_journal_la_SOURCES += \
	src/journal/journal.h src/journal/journal_internal.h \
	src/journal/journal.c src/journal/journal_entry.c \
	src/journal/spool.h src/journal/spool.c \
	src/journal/spool_internal.h src/journal/spool_record.c
src_libiotreg_journal_sqlite_la_SOURCES += src/journal/journal_open.c \
	src/journal/journal_sqlite_internal.h src/journal/journal_sqlite.c \
	src/journal/journal_sqlite_db.c src/journal/journal_sqlite_schema.c \
	src/journal/journal_sqlite_enqueue.c src/journal/journal_sqlite_work.c \
	src/journal/journal_sqlite_read.c \
	src/journal/journal_commit.h src/journal/journal_commit.c
src_libiotreg_journal_pg_la_SOURCES += src/journal/journal_pg_internal.h \
	src/journal/journal_pg.c src/journal/journal_pg_work.c src/journal/journal_pg_read.c \
	src/journal/journal_pg_coord.c
src_libiotreg_journal_json_la_SOURCES += src/journal/journal_json.c src/journal/journal_json.h
# Each backend's copy_entry (iotregctl journal copy).
src_libiotreg_journal_sqlite_la_SOURCES += src/journal/journal_sqlite_copy.c
src_libiotreg_journal_pg_la_SOURCES += src/journal/journal_pg_copy.c

check_PROGRAMS += tests/journal/test_journal
TESTS += tests/journal/test_journal
tests_journal_test_journal_SOURCES = tests/journal/test_journal.c tests/journal/jtest.h
tests_journal_test_journal_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit
tests_journal_test_journal_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/journal/test_journal_copy
TESTS += tests/journal/test_journal_copy
tests_journal_test_journal_copy_SOURCES = tests/journal/test_journal_copy.c tests/journal/jtest.h
tests_journal_test_journal_copy_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit
tests_journal_test_journal_copy_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/journal/test_spool
TESTS += tests/journal/test_spool
tests_journal_test_spool_SOURCES = tests/journal/test_spool.c tests/journal/jtest.h
tests_journal_test_spool_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit
tests_journal_test_spool_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/journal/test_modes
TESTS += tests/journal/test_modes
tests_journal_test_modes_SOURCES = tests/journal/test_modes.c tests/journal/jtest.h
tests_journal_test_modes_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit
tests_journal_test_modes_LDADD = $(TEST_LIBS)

# The README's two-user setup with two real users (needs root).
TESTS += tests/journal/two-users.test
EXTRA_DIST += tests/journal/two-users.test

# The contract tests again, on a PostgreSQL server the test starts.
TESTS += tests/journal/pg-journal.test
EXTRA_DIST += tests/journal/pg-journal.test tests/journal/pg-lib.sh
# The PostgreSQL journal end to end: config, migrate, publish, tap, iotregd.
TESTS += tests/journal/pg-e2e.test
TESTS += tests/journal/pg-hosts.test
EXTRA_DIST += tests/journal/pg-hosts.test
EXTRA_DIST += tests/journal/pg-e2e.test
# iotregctl journal copy: a SQLite journal in every state into PostgreSQL.
TESTS += tests/journal/pg-copy.test
EXTRA_DIST += tests/journal/pg-copy.test
# Several iotregd on one PostgreSQL journal: one SIGKILLed and restarted
# under faults (pg-daemons), the server restarted under load (pg-restart);
# each certificate delivered once, every quota held (delivered_once.py);
# fairness across customers and wake-ups by notification with two daemons
# (pg-fairness).
TESTS += tests/journal/pg-daemons.test tests/journal/pg-restart.test tests/journal/pg-fairness.test
EXTRA_DIST += tests/journal/pg-daemons.test tests/journal/pg-restart.test tests/journal/pg-fairness.test \
	tests/journal/delivered_once.py
