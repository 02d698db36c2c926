#!/bin/bash
# Enqueue through the hook on PostgreSQL next to SQLite (issue 12): bench/enqueue
# on a SQLite journal and on a PostgreSQL server of the run's own
# (bench/pg-lib.sh), both on the same file system, in one run; rounds
# alternate the two backends so that load from other processes falls on
# both alike.
set -eu
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

usage() {
    cat <<EOF
usage: bench/enqueue-pg.sh [--build DIR] [--certs N] [--rounds N] [--procs N]

Starts a PostgreSQL server of its own (initdb in a temporary directory, a
Unix socket only, fsync and synchronous_commit on; stopped and removed at
the end), then runs bench/enqueue -n N (default 2000) on SQLite and on
PostgreSQL, alternately, N rounds (default 1): the hook's
iotreg_hook_store_certificate from 1 thread, 8 threads on one handle and
PROCS processes (default 2) of 8 / PROCS threads with a handle each, then
the journal's enqueue alone from 8 threads. Each PostgreSQL round uses a
new database.

  --build DIR   optimised build to measure (default: _build-bench in the
                repository; configured with CFLAGS="-O2 -g" and no
                sanitizers if it has no Makefile, and brought up to date)
EOF
}

. "$(dirname "$0")/deliver-lib.sh"
. "$bench_top/bench/pg-lib.sh"
BUILD=$bench_top/_build-bench
CERTS=2000
ROUNDS=1
PROCS=2
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=${2:?--build needs a directory}; shift ;;
    --certs) CERTS=${2:?}; shift ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --procs) PROCS=${2:?}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done

bench_build "$BUILD"
trap pg_stop EXIT
bench_pg_start
echo "SQLite journal in ${TMPDIR:-/tmp} ($(df -P "${TMPDIR:-/tmp}" | awk 'NR == 2 {print $1}'))"
export top_builddir=$BUILD
for r in $(seq 1 "$ROUNDS"); do
    [ "$ROUNDS" = 1 ] || echo "== round $r"
    # The first backend flips every round.
    backends="sqlite postgresql"
    [ $((r % 2)) = 1 ] || backends="postgresql sqlite"
    for b in $backends; do
        if [ "$b" = sqlite ]; then
            "$BUILD/bench/enqueue" -n "$CERTS" -P "$PROCS"
        else
            bench_pg_sql postgres "DROP DATABASE IF EXISTS iotreg_enqueue" >/dev/null
            bench_pg_sql postgres "CREATE DATABASE iotreg_enqueue" >/dev/null
            "$BUILD/bench/enqueue" -n "$CERTS" -P "$PROCS" -p "$BENCH_PG dbname=iotreg_enqueue"
        fi
    done
done
