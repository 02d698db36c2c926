#!/bin/bash
# Several iotregd on one PostgreSQL journal (issue 12): certificates per
# second that 1 daemon, then D daemons at once (default 3), deliver end to
# end against the emulator with AWS's quotas, each as a fraction of the bound
# the quotas set, in one run. Modelled on bench/deliver-throughput.sh; the
# journal is on a PostgreSQL server of the run's own (bench/pg-lib.sh), a
# database per measurement.
set -eu
# tests/e2e/lib.sh is written for bash (the test harness's shell).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

usage() {
    cat <<EOF
usage: bench/deliver-pg-daemons.sh [--build DIR] [--certs N] [--daemons D]
                                   [--latency-ms MS] [--workers N] [--keep]

Starts a PostgreSQL server of its own (initdb in a temporary directory, a
Unix socket only; stopped and removed at the end) and the emulator with
--quotas aws. Then twice, each time on a new database and N fresh
certificates (half to customer alpha, half to beta) queued with iotregctl
import: 1 iotregd --once, then D iotregd --once started together (each with
a configuration of its own naming its <worker-id>), timed from the start to
the last exit. Prints each run's rate, the emulator's requests per
operation and the most it saw in any 1-second window, the quota bound and
the ratios.

  --build DIR       optimised build to measure (default: _build-bench in the
                    repository; configured with CFLAGS="-O2 -g" and no
                    sanitizers if it has no Makefile, and brought up to date)
  --certs N         certificates per run (default 300)
  --daemons D       daemons of the second run (default 3)
  --latency-ms MS   emulator latency per API request (default 50)
  --workers N       iotregd --workers of every daemon (default: the
                    configuration's 16)
  --keep            keep the temporary directory (logs, configurations)
EOF
}

. "$(dirname "$0")/deliver-lib.sh"
. "$bench_top/bench/pg-lib.sh"
BUILD=$bench_top/_build-bench
CERTS=300
DAEMONS=3
LATENCY=50
WORKERS=
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=${2:?--build needs a directory}; shift ;;
    --certs) CERTS=${2:?}; shift ;;
    --daemons) DAEMONS=${2:?}; shift ;;
    --latency-ms) LATENCY=${2:?}; shift ;;
    --workers) WORKERS=${2:?}; shift ;;
    --keep) IOTREG_KEEP_TEST_DIR=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
[ "$CERTS" -ge 2 ] && [ "$DAEMONS" -ge 2 ] || bench_die "--certs and --daemons need at least 2"

bench_build "$BUILD"
bench_fixture "$BUILD"
trap 'pg_stop; e2e_cleanup' EXIT
bench_pg_start

N_ALPHA=$((CERTS / 2))
N_BETA=$((CERTS - N_ALPHA))

echo "== setting up in $T (emulator: --quotas aws --latency-ms $LATENCY)"
e2e_accounts
e2e_start_emu --quotas aws --latency-ms "$LATENCY"
e2e_pki
E2E_WORKER_ID= e2e_config

# journal_count DB STATE: entries of the run's journal in STATE.
journal_count() {
    bench_pg_sql "$1" "SELECT count(*) FROM entries WHERE state = '$2'"
}

# configure DB DAEMON: $T/DB-DAEMON.xml, the fixture's configuration with
# the journal in database DB and the worker id DB-DAEMON.
configure() {
    sed -e "s|<sqlite path=\"$T/journal.db\"/>|<postgresql conninfo=\"$BENCH_PG dbname=$1\"/>|" \
        -e "s|<daemon>|&<worker-id>$1-$2</worker-id>|" "$T/iotreg.xml" >"$T/$1-$2.xml"
}

# measure K: K daemons at once deliver CERTS certificates from a new
# journal; sets wall (seconds) and prints the emulator's statistics.
measure() {
    local k=$1 db=iotreg_run$1 i pids=() failed=0
    bench_pg_sql postgres "CREATE DATABASE $db" >/dev/null
    for i in $(seq 1 "$k"); do configure "$db" "$i"; done
    if ! "$IOTREGCTL" -c "$T/$db-1.xml" config check >"$T/$db-check.log" 2>&1; then
        grep -q 'worker-id' "$T/$db-check.log" ||
            bench_die "the configuration is refused: see $T/$db-check.log"
        # An iotreg from before <daemon><worker-id>: one daemon runs
        # under its default name; several would share it.
        [ "$k" = 1 ] || bench_die "this iotreg has no <daemon><worker-id>: $k daemons would share one worker id"
        sed -i "s|<worker-id>[^<]*</worker-id>||" "$T/$db-1.xml"
    fi
    e2e_certs "Alpha Corp" "alpha$k-" "$N_ALPHA" "$T/alpha$k"
    e2e_certs "Beta Corp" "beta$k-" "$N_BETA" "$T/beta$k"
    for dir in "$T/alpha$k" "$T/beta$k"; do
        "$IOTREGCTL" -c "$T/$db-1.xml" import "$dir" >>"$T/import.log" 2>&1 ||
            bench_die "iotregctl import failed: see $T/import.log"
    done
    [ "$(journal_count "$db" pending)" = "$CERTS" ] || bench_die "$CERTS entries should be pending"
    echo "== $k iotregd --once$([ "$k" = 1 ] || echo ' at once'): $CERTS certificates ($N_ALPHA alpha, $N_BETA beta)"
    bench_emu_reset_stats
    local t0 t1
    t0=$(bench_now)
    for i in $(seq 1 "$k"); do
        "$IOTREGD" -c "$T/$db-$i.xml" --once --foreground ${WORKERS:+--workers "$WORKERS"} \
            2>>"$T/iotregd-$db-$i.log" &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
    t1=$(bench_now)
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    [ "$failed" = 0 ] || bench_die "$failed of $k daemons failed: see $T/iotregd-$db-*.log"
    local done_n
    done_n=$(journal_count "$db" 'done')
    [ "$done_n" = "$CERTS" ] ||
        bench_die "only $done_n of $CERTS delivered (parked: $(journal_count "$db" parked)); see $T/iotregd-$db-*.log"
    bench_pg_sql "$db" "SELECT worker, count(*) FROM history WHERE step = 'done'
                        AND result = 'finished' GROUP BY worker ORDER BY worker" |
        awk -F'|' '{ printf "  %s finished %d\n", $1, $2 }'
    bench_emu_stats | $PY "$bench_top/bench/deliver_stats.py" ops "$CERTS"
    echo "$k iotregd: $CERTS certificates in $wall s"
}

measure 1
wall1=$wall
measure "$DAEMONS"
wallD=$wall

echo "== results"
bound_out=$($PY "$bench_top/bench/deliver_stats.py" bound "$N_ALPHA" "$N_BETA")
echo "$bound_out" | grep -v '^bound='
bound=$(echo "$bound_out" | sed -n 's/^bound=//p')
awk -v n="$CERTS" -v w1="$wall1" -v wd="$wallD" -v d="$DAEMONS" -v bound="$bound" 'BEGIN {
    r1 = n / w1; rd = n / wd
    printf "1 iotregd:  %d certificates in %.2f s = %.2f certificates/s\n", n, w1, r1
    printf "%d iotregd:  %d certificates in %.2f s = %.2f certificates/s\n", d, n, wd, rd
    printf "quota bound: %.2f certificates/s\n", bound
    printf "1 iotregd / bound = %.3f\n", r1 / bound
    printf "%d iotregd / bound = %.3f\n", d, rd / bound
}'
