#!/bin/bash
# Memory with a large backlog (issue 5): peak RSS of iotregd --foreground
# while 100,000 journal entries wait for delivery to the emulator, how many
# it delivered meanwhile, and how long it takes to exit after SIGTERM.
set -eu
# tests/e2e/lib.sh is written for bash (the test harness's shell).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

usage() {
    cat <<EOF
usage: bench/rss-100k.sh [--build DIR] [--entries N] [--seconds S]
                         [--quotas aws|off] [--tps N] [--latency-ms MS] [--workers N]
                         [--tmpdir DIR] [--keep]

Queues N certificates (half for customer alpha, half for beta), runs
iotregd --foreground against tests/awsemu/awsemu for S seconds (or until the
journal is drained), sampling VmHWM and VmRSS from /proc/PID/status twice a
second, then sends SIGTERM and times the exit.

  --build DIR       optimised build to measure (default: _build-bench in the
                    repository; configured with CFLAGS="-O2 -g" and no
                    sanitizers if it has no Makefile, and brought up to date)
  --entries N       certificates queued (default 100000)
  --seconds S       how long iotregd runs before SIGTERM (default 60)
  --quotas Q        the emulator's quotas: aws (default) or off (iotregd keeps
                    spacing its requests by the quotas of its own configuration)
  --tps N           iotregd's own quota for each API of the delivery (default:
                    AWS's published ones); with --quotas off, a faster churn
  --latency-ms MS   emulator latency per API request (default 50)
  --workers N       iotregd --workers (default: the configuration's 16)
  --tmpdir DIR      where the temporary directory (journal included) goes;
                    default /dev/shm when writable, else \$TMPDIR or /tmp.
                    On a disk, queueing is bound by one fsync per entry.
  --keep            keep the temporary directory (logs, journal)

Entries are queued with 'iotregctl import' when iotregctl has it, else with
bench/rss-enqueue.c (the same capture path), built with the build's libtool.
EOF
}

. "$(dirname "$0")/deliver-lib.sh"
BUILD=$bench_top/_build-bench
ENTRIES=100000
RUN_SECONDS=60
QUOTAS=aws
LATENCY=50
WORKERS=
TPS=
BATCH=10000
if [ -d /dev/shm ] && [ -w /dev/shm ]; then TMP_BASE=/dev/shm; else TMP_BASE=${TMPDIR:-/tmp}; fi
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=${2:?--build needs a directory}; shift ;;
    --entries) ENTRIES=${2:?}; shift ;;
    --seconds) RUN_SECONDS=${2:?}; shift ;;
    --quotas) QUOTAS=${2:?}; shift ;;
    --tps) TPS=${2:?}; shift ;;
    --latency-ms) LATENCY=${2:?}; shift ;;
    --workers) WORKERS=${2:?}; shift ;;
    --tmpdir) TMP_BASE=${2:?}; shift ;;
    --keep) IOTREG_KEEP_TEST_DIR=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
[ "$ENTRIES" -ge 2 ] || bench_die "--entries needs at least 2"
case $QUOTAS in aws | off) ;; *) bench_die "--quotas takes aws or off" ;; esac

bench_build "$BUILD"
TMPDIR=$TMP_BASE
export TMPDIR
bench_fixture "$BUILD"

DPID=
GEN_PIDS= # subshells running e2e_certs
ENQ_PID=
rss_cleanup() {
    for p in $DPID $GEN_PIDS $ENQ_PID; do
        pkill -KILL -P "$p" 2>/dev/null || true
        kill -KILL "$p" 2>/dev/null || true
    done
    e2e_cleanup
}
trap rss_cleanup EXIT

# The enqueuing command, given DIR: iotregctl import, else rss-enqueue.
setup_enqueue() {
    if "$IOTREGCTL" import --help >/dev/null 2>&1; then
        ENQUEUE="$IOTREGCTL -c $T/iotreg.xml import"
        return
    fi
    ( cd "$top_builddir" && printf 'print-%%:\n\t@echo $($*)\n' >"$T/print.mk" &&
        mk() { make -s -f Makefile -f "$T/print.mk" "print-$1"; } &&
        ./libtool --quiet --tag=CC --mode=link $(mk CC) $(mk CFLAGS) $(mk AM_CFLAGS) \
            $(mk DEP_CFLAGS) $(mk AM_CPPFLAGS) -DHAVE_CONFIG_H \
            -o "$T/rss-enqueue" "$top_srcdir/bench/rss-enqueue.c" src/libiotreg.la $(mk DEP_LIBS) ) ||
        bench_die "cannot build bench/rss-enqueue.c"
    ENQUEUE="$T/rss-enqueue -c $T/iotreg.xml"
}

# gen_batch K SIZE: SIZE certificates, half per customer, generated in
# parallel into $T/batchK/{alpha,beta}.
gen_batch() {
    local a=$(($2 / 2)) p1 p2
    e2e_certs "Alpha Corp" "alpha-b$1" "$a" "$T/batch$1/alpha" & p1=$!
    e2e_certs "Beta Corp" "beta-b$1" "$(($2 - a))" "$T/batch$1/beta" & p2=$!
    GEN_PIDS="$p1 $p2"
    wait "$p1"
    wait "$p2"
    GEN_PIDS=
}

# Generates batch k+1 while batch k is being journaled.
queue_entries() {
    local k=0 left=$ENTRIES size
    while [ "$left" -gt 0 ]; do
        size=$((left < BATCH ? left : BATCH))
        gen_batch $k $size
        if [ -n "$ENQ_PID" ]; then
            wait "$ENQ_PID" || bench_die "enqueueing failed: see $T/enqueue.log"
            rm -rf "$T/batch$((k - 1))"
        fi
        $ENQUEUE "$T/batch$k" >>"$T/enqueue.log" 2>&1 &
        ENQ_PID=$!
        left=$((left - size))
        k=$((k + 1))
    done
    wait "$ENQ_PID" || bench_die "enqueueing failed: see $T/enqueue.log"
    ENQ_PID=
    rm -rf "$T/batch$((k - 1))"
}

status_kib() { # status_kib FIELD: the field of iotregd's /proc status, in KiB (0 when gone)
    sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$DPID/status" 2>/dev/null | grep . || echo 0
}

alive() { # not exited (a zombie, not yet waited for, counts as exited)
    case $(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$DPID/status" 2>/dev/null) in
    "" | Z | X) return 1 ;;
    esac
}

echo "== setting up in $T (emulator: --quotas $QUOTAS --latency-ms $LATENCY; iotregd's quotas: ${TPS:-AWS defaults})"
e2e_accounts
e2e_start_emu --quotas "$QUOTAS" --latency-ms "$LATENCY"
e2e_pki
if [ -n "$TPS" ]; then
    E2E_QUOTAS="  <quotas>"
    for api in RegisterCertificate TransferCertificate AcceptCertificateTransfer AttachPolicy \
        CreatePolicy CreateThing AttachThingPrincipal; do
        E2E_QUOTAS="$E2E_QUOTAS<quota api=\"$api\" tps=\"$TPS\"/>"
    done
    E2E_QUOTAS="$E2E_QUOTAS</quotas>"
fi
e2e_config
setup_enqueue
echo "queueing $ENTRIES entries with: $(echo "$ENQUEUE" | sed "s|$T|\$T|g; s|$top_builddir/||")"
qstart=$(bench_now)
queue_entries
qend=$(bench_now)
pending=$(e2e_count_state pending)
[ "$pending" = "$ENTRIES" ] || bench_die "$ENTRIES entries should be pending, not $pending"
echo "queued $pending entries in $(awk -v s="$qstart" -v e="$qend" 'BEGIN { printf "%.0f", e - s }') s"

echo "== iotregd --foreground for up to $RUN_SECONDS s"
bench_emu_reset_stats
"$IOTREGD" -c "$T/iotreg.xml" --foreground ${WORKERS:+--workers "$WORKERS"} 2>>"$T/iotregd.log" &
DPID=$!
start=$(bench_now)
rss_start=
peak_rss=0
trend= # VmRSS in MiB every 10 s, to tell growth from a plateau
next_trend=0
while alive; do
    elapsed=$(awk -v s="$start" -v n="$(bench_now)" 'BEGIN { printf "%d", n - s }')
    rss=$(status_kib VmRSS)
    [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
    [ -z "$rss_start" ] && [ "$elapsed" -ge 2 ] && rss_start=$rss
    if [ "$elapsed" -ge "$next_trend" ]; then
        trend="$trend $(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
        next_trend=$((next_trend + 10))
    fi
    [ "$elapsed" -ge "$RUN_SECONDS" ] && break
    [ $((elapsed % 5)) = 0 ] && [ "$(e2e_count_state pending)" = 0 ] && break
    sleep 0.5
done
alive || bench_die "iotregd exited by itself; see $T/iotregd.log"
hwm=$(status_kib VmHWM)
rss=$(status_kib VmRSS)
ran=$(awk -v s="$start" -v n="$(bench_now)" 'BEGIN { printf "%.1f", n - s }')

term=$(bench_now)
kill -TERM "$DPID"
i=0
while alive && [ $i -lt 1500 ]; do sleep 0.02; i=$((i + 1)); done
gone=$(bench_now)
exited=yes
alive && { exited=no; kill -KILL "$DPID"; }
rc=0
wait "$DPID" || rc=$?
DPID=

delivered=$(e2e_count_state 'done')
parked=$(e2e_count_state parked)
echo "== results"
bench_emu_stats | $PY "$bench_top/bench/deliver_stats.py" ops "$((delivered > 0 ? delivered : 1))"
awk -v hwm="$hwm" -v rss="$rss" -v peak="$peak_rss" -v first="${rss_start:-0}" -v ran="$ran" \
    -v d="$delivered" -v n="$ENTRIES" -v p="$parked" -v t="$term" -v g="$gone" -v ex="$exited" \
    -v rc="$rc" -v trend="$trend" 'BEGIN {
    printf "iotregd ran %.1f s with %d entries queued: delivered %d (%.2f/s), parked %d\n", ran, n, d, d / ran, p
    printf "peak RSS (VmHWM): %.1f MiB; VmRSS at 2 s: %.1f MiB, highest sampled: %.1f MiB, at SIGTERM: %.1f MiB\n", hwm / 1024, first / 1024, peak / 1024, rss / 1024
    printf "VmRSS every 10 s (MiB):%s\n", trend
    if (ex == "yes")
        printf "exit after SIGTERM: %.2f s (status %d)\n", g - t, rc
    else
        printf "exit after SIGTERM: none within %.0f s (killed)\n", g - t
}'
