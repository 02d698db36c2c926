#!/bin/bash
# Claim cost on a PostgreSQL journal (issue 12): bench/claim against a
# server of the run's own (bench/pg-lib.sh), one database per queue size,
# filled with that many pending entries; prints p50 and p99 of a claim per
# size and the ratio of the largest size's to the smallest's.
set -eu
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

usage() {
    cat <<EOF
usage: bench/claim-pg.sh [--build DIR] [--rounds N] [--max N] [--customers N]
                         [--index] [--explain] [SIZE...]

Starts a PostgreSQL server of its own (initdb in a temporary directory, a
Unix socket only; stopped and removed at the end), then runs bench/claim:
for each SIZE (default 10000 1000000) a database holding SIZE pending
entries, all due, of N customers (default 2), and SIZE / 10 of a customer
whose entries all wait for a retry; N rounds (default 500) each claim MAX
entries (default 10) of any customer, of one customer, and of the waiting
customer (which finds none) on every database in turn. Prints p50, p99 and
mean per size, and the ratios.

  --build DIR   optimised build to measure (default: _build-bench in the
                repository; configured with CFLAGS="-O2 -g" and no
                sanitizers if it has no Makefile, and brought up to date)
  --index       adds the index proposed for claims of one customer (bench/claim
                -I) before measuring
  --explain     then prints EXPLAIN (ANALYZE, BUFFERS) of the claim's row
                selection at each size (the statement of claim_txn in
                src/journal/journal_pg_work.c, as a SELECT)
EOF
}

. "$(dirname "$0")/deliver-lib.sh"
. "$bench_top/bench/pg-lib.sh"
BUILD=$bench_top/_build-bench
ROUNDS=500
MAX=10
CUSTOMERS=2
EXPLAIN=
INDEX=
SIZES=()
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=${2:?--build needs a directory}; shift ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --max) MAX=${2:?}; shift ;;
    --customers) CUSTOMERS=${2:?}; shift ;;
    --explain) EXPLAIN=1 ;;
    --index) INDEX=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *) SIZES+=("$1") ;;
    esac
    shift
done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 1000000)

bench_build "$BUILD"
trap pg_stop EXIT
bench_pg_start
"$BUILD/bench/claim" -c "$BENCH_PG" -r "$ROUNDS" -m "$MAX" -C "$CUSTOMERS" ${EXPLAIN:+-k} ${INDEX:+-I} \
    "${SIZES[@]}"
[ -n "$EXPLAIN" ] || exit 0
now="(extract(epoch from clock_timestamp()) * 1000)::bigint"
for size in "${SIZES[@]}"; do
    for customer in NULL "'customer-1'" "'customer-waiting'"; do
        echo "== EXPLAIN of the claim's selection, $size queued, customer $customer"
        bench_pg_sql "iotreg_claim_$size" "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
            SELECT seq FROM entries WHERE state IN ('pending', 'revoke-pending')
            AND next_attempt_at <= $now AND (claimed_by IS NULL OR lease_until <= $now)
            AND ($customer IS NULL OR customer = $customer)
            ORDER BY next_attempt_at, seq LIMIT $MAX FOR UPDATE SKIP LOCKED"
    done
done
