# Sourced by the PostgreSQL bench scripts (bench/*-pg*.sh; not run): a
# PostgreSQL server of the run's own, as the tests start theirs
# (tests/journal/pg-lib.sh: initdb into a temporary directory as an
# unprivileged user, a Unix socket only, fsync and synchronous_commit on,
# stopped and removed at the end).
#   bench_pg_start: starts it, or ends the run saying why; sets PG_SOCKET,
#                   PG_PSQL, PG_DIR and BENCH_PG (a conninfo without dbname
#                   for the superuser postgres). The caller's EXIT trap must
#                   call pg_stop (PG_TRAP=no).
#   bench_pg_sql DB SQL: runs SQL in database DB, unaligned, tuples only.
. "$bench_top/tests/journal/pg-lib.sh"

bench_pg_start() {
    local rc=0
    PG_TRAP=no pg_start || rc=$?
    case $rc in
    0) ;;
    77) echo "$(basename "$0"): PostgreSQL is not installed: apt-get install postgresql-15 (scripts/deps.sh)" >&2
        exit 1 ;;
    *) echo "$(basename "$0"): the PostgreSQL server did not start (above)" >&2
        exit 1 ;;
    esac
    BENCH_PG="host=$PG_SOCKET user=postgres"
    echo "PostgreSQL data directory $PG_DIR/data ($(df -P "$PG_DIR" | awk 'NR == 2 {print $1}'))"
}

bench_pg_sql() {
    "$PG_PSQL" -X -q -t -A "$BENCH_PG dbname=$1" -c "SET client_min_messages = warning" -c "$2"
}
