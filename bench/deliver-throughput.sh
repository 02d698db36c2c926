#!/bin/bash
# Delivery throughput (issue 5): certificates per second that `iotregd --once`
# delivers end to end against the emulator with AWS's quotas and a latency
# per request, as a fraction of the bound the quotas set; then a plain
# sequential boto3 script (bench/boto3_sequential.py) delivers fresh
# certificates on the same emulator, and the ratio of the two rates is shown.
set -eu
# tests/e2e/lib.sh is written for bash (the test harness's shell).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

usage() {
    cat <<EOF
usage: bench/deliver-throughput.sh [--build DIR] [--certs N] [--boto3-certs N]
                                   [--latency-ms MS] [--workers N] [--keep]

Delivers N certificates (half to customer alpha, half to beta) with
iotregd --once against tests/awsemu/awsemu --quotas aws, timing the daemon
from start to exit, and prints its rate, the quota bound and their ratio;
then times bench/boto3_sequential.py on fresh certificates and prints
iotregd's rate / boto3's rate.

  --build DIR       optimised build to measure (default: _build-bench in the
                    repository; configured with CFLAGS="-O2 -g" and no
                    sanitizers if it has no Makefile, and brought up to date)
  --certs N         certificates for iotregd (default 300)
  --boto3-certs N   certificates for the boto3 baseline (default 100)
  --latency-ms MS   emulator latency per API request (default 50)
  --workers N       iotregd --workers (default: the configuration's 16)
  --keep            keep the temporary directory (logs, journal)
EOF
}

. "$(dirname "$0")/deliver-lib.sh"
BUILD=$bench_top/_build-bench
CERTS=300
BOTO3_CERTS=100
LATENCY=50
WORKERS=
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=${2:?--build needs a directory}; shift ;;
    --certs) CERTS=${2:?}; shift ;;
    --boto3-certs) BOTO3_CERTS=${2:?}; shift ;;
    --latency-ms) LATENCY=${2:?}; shift ;;
    --workers) WORKERS=${2:?}; shift ;;
    --keep) IOTREG_KEEP_TEST_DIR=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
[ "$CERTS" -ge 2 ] && [ "$BOTO3_CERTS" -ge 2 ] || bench_die "--certs and --boto3-certs need at least 2"

bench_build "$BUILD"
bench_fixture "$BUILD"

N_ALPHA=$((CERTS / 2))
N_BETA=$((CERTS - N_ALPHA))
B_ALPHA=$((BOTO3_CERTS / 2))
B_BETA=$((BOTO3_CERTS - B_ALPHA))

echo "== setting up in $T (emulator: --quotas aws --latency-ms $LATENCY)"
e2e_accounts
e2e_start_emu --quotas aws --latency-ms "$LATENCY"
e2e_pki
e2e_config
e2e_certs "Alpha Corp" alpha "$N_ALPHA" "$T/alpha"
e2e_certs "Beta Corp" beta "$N_BETA" "$T/beta"
e2e_certs "Alpha Corp" alpha-boto3 "$B_ALPHA" "$T/alpha-boto3"
e2e_certs "Beta Corp" beta-boto3 "$B_BETA" "$T/beta-boto3"
e2e_enqueue_dir "$T/alpha" || bench_die "enqueueing failed: see $T/import.log or $T/publish.log"
e2e_enqueue_dir "$T/beta" || bench_die "enqueueing failed: see $T/import.log or $T/publish.log"
[ "$(e2e_count_state pending)" = "$CERTS" ] || bench_die "$CERTS entries should be pending"

echo "== iotregd --once: $CERTS certificates ($N_ALPHA alpha, $N_BETA beta)"
bench_emu_reset_stats
TIMEFORMAT='%3R %3U %3S'
{ time e2e_daemon_once ${WORKERS:+--workers "$WORKERS"}; } 2>"$T/iotregd.time"
read -r wall cpu_user cpu_sys <"$T/iotregd.time"
done_n=$(e2e_count_state 'done')
[ "$done_n" = "$CERTS" ] ||
    bench_die "only $done_n of $CERTS delivered (parked: $(e2e_count_state parked)); see $T/iotregd.log"
bench_emu_stats | $PY "$bench_top/bench/deliver_stats.py" ops "$CERTS"

echo "== boto3_sequential.py: $BOTO3_CERTS certificates ($B_ALPHA alpha, $B_BETA beta)"
bench_emu_reset_stats
boto3_out=$($PY "$bench_top/bench/boto3_sequential.py" --url "$EMU_URL" \
    --csp-key-id "$CSP_KEY" --csp-secret-file "$T/csp.secret" --ca-cert "$T/pki/subca.pem" \
    --policy-document "$T/policy.json" \
    --customer "$ALPHA:ext-alpha-7c1e:alpha-devices:$T/alpha-boto3" \
    --customer "$BETA:ext-beta-93d2:beta-devices:$T/beta-boto3") ||
    bench_die "boto3_sequential.py failed"
bench_emu_stats | $PY "$bench_top/bench/deliver_stats.py" ops "$BOTO3_CERTS"

echo "== results"
bound_out=$($PY "$bench_top/bench/deliver_stats.py" bound "$N_ALPHA" "$N_BETA")
echo "$bound_out" | grep -v '^bound='
bound=$(echo "$bound_out" | sed -n 's/^bound=//p')
boto3_rate=$(echo "$boto3_out" | sed -n 's/.*rate=\([0-9.]*\).*/\1/p')
boto3_s=$(echo "$boto3_out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
awk -v n="$CERTS" -v wall="$wall" -v user="$cpu_user" -v sys="$cpu_sys" -v bound="$bound" \
    -v bn="$BOTO3_CERTS" -v bs="$boto3_s" -v br="$boto3_rate" 'BEGIN {
    rate = n / wall
    printf "iotregd: %d certificates in %.2f s = %.2f certificates/s (CPU %.2f s user + %.2f s sys)\n", n, wall, rate, user, sys
    printf "quota bound: %.2f certificates/s\n", bound
    printf "iotregd / bound = %.3f\n", rate / bound
    printf "boto3 sequential: %d certificates in %.2f s = %.2f certificates/s\n", bn, bs, br
    printf "iotregd / boto3 = %.2f\n", rate / br
}'
