#!/bin/bash
# Past 10 certificates a second (issue 13): end-to-end delivery with
# iotregd --once against the emulator with AWS's quotas, in one run:
#   single   1 region, 1 CSP account, 1 customer          (bound 10/s)
#   regions  3 regions, 1 CSP account-region each, 1 customer in each
#   shard    1 region, 3 CSP accounts (the SubCA DEFAULT in one, SNI_ONLY in
#            the others), 3 customers in it
# each as certificates per second, the quota bound of its routes and the
# ratio (target >= 0.95 of 3 x 10/s for the last two).
set -eu
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

usage() {
    cat <<EOF
usage: bench/deliver-regions.sh [--build DIR] [--certs N] [--latency-ms MS]
                                [--workers N] [--keep]

Runs three deliveries against tests/awsemu/awsemu --quotas aws and prints,
for each, certificates per second, the bound AWS's quotas set for its routes
(per CSP account-region and per customer account-region) and the ratio:
  single   1 region, 1 CSP account, 1 customer
  regions  3 regions (us-east-1, eu-west-1, ap-southeast-2), one customer each
  shard    1 region, 3 CSP accounts (SNI_ONLY in two), 3 customers

  --build DIR       optimised build to measure (default: _build-bench in the
                    repository; configured with CFLAGS="-O2 -g" and no
                    sanitizers if it has no Makefile, and brought up to date)
  --certs N         certificates per customer (default 200)
  --latency-ms MS   emulator latency per API request (default 20)
  --workers N       iotregd --workers (default 48)
  --keep            keep the temporary directory (logs, journals)
EOF
}

. "$(dirname "$0")/deliver-lib.sh"
BUILD=$bench_top/_build-bench
CERTS=200
LATENCY=20
WORKERS=48
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=${2:?--build needs a directory}; shift ;;
    --certs) CERTS=${2:?}; shift ;;
    --latency-ms) LATENCY=${2:?}; shift ;;
    --workers) WORKERS=${2:?}; shift ;;
    --keep) IOTREG_KEEP_TEST_DIR=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
bench_build "$BUILD"
bench_fixture "$BUILD"

GAMMA=666666666666 CSP2=555555555555 CSP3=777777777777
CSP2_KEY=AKIDCSPBENCHSECOND001 CSP2_SECRET=cspBenchSecondAccountSecretForTheEmu0001
CSP3_KEY=AKIDCSPBENCHTHIRD0001 CSP3_SECRET=cspBenchThirdAccountSecretForTheEmu00001
trust="[\"$CSP\", \"$CSP2\", \"$CSP3\"]"
cat >"$T/accounts.json" <<JSON
{"regions": ["us-east-1", "eu-west-1", "ap-southeast-2"], "accounts": [
 {"id": "$CSP", "name": "csp", "users": [{"accessKeyId": "$CSP_KEY", "secretAccessKey": "$CSP_SECRET"}]},
 {"id": "$CSP2", "name": "csp2", "users": [{"accessKeyId": "$CSP2_KEY", "secretAccessKey": "$CSP2_SECRET"}]},
 {"id": "$CSP3", "name": "csp3", "users": [{"accessKeyId": "$CSP3_KEY", "secretAccessKey": "$CSP3_SECRET"}]},
 {"id": "$ALPHA", "name": "alpha", "roles": [{"name": "iotreg-delivery", "trustedAccount": $trust, "externalId": "ext-alpha-7c1e"}]},
 {"id": "$BETA", "name": "beta", "roles": [{"name": "iotreg-delivery", "trustedAccount": $trust, "externalId": "ext-beta-93d2"}]},
 {"id": "$GAMMA", "name": "gamma", "roles": [{"name": "iotreg-delivery", "trustedAccount": $trust, "externalId": "ext-gamma-51aa"}]}
]}
JSON
echo "== setting up in $T (emulator: --quotas aws --latency-ms $LATENCY)"
e2e_start_emu --quotas aws --latency-ms "$LATENCY"
e2e_pki
reg() { # reg KEY SECRET REGION [--sni-only]
    $E2E_PY register-ca --url "$EMU_URL" --key-id "$1" --secret "$2" --region "$3" ${4:-} \
        --subca-cert "$T/pki/subca.pem" --subca-key "$T/pki/subca.key" \
        --verification-out "$T/pki/verification-$3.pem" || bench_die "registering the SubCA in $3 failed"
}
reg "$CSP_KEY" "$CSP_SECRET" eu-west-1
reg "$CSP_KEY" "$CSP_SECRET" ap-southeast-2
reg "$CSP2_KEY" "$CSP2_SECRET" us-east-1 --sni-only
reg "$CSP3_KEY" "$CSP3_SECRET" us-east-1 --sni-only
printf '%s' "$CSP2_SECRET" >"$T/csp2.secret"
printf '%s' "$CSP3_SECRET" >"$T/csp3.secret"
chmod 600 "$T/csp2.secret" "$T/csp3.secret"

in_region() { e2e_customer "$1" "$2" "$3" | sed "s|<region>us-east-1</region>|<region>$4</region>|"; }
# scenario_config NAME "CUSTOMER:REGION ..." CSP_REGIONS SUBCA_ACCOUNTS: $T/NAME.xml
scenario_config() {
    local name=$1 customers="" rules="" c id acct ext
    for c in $2; do
        id=${c%%:*}
        case $id in
        alpha) acct=$ALPHA ext=ext-alpha-7c1e ;;
        beta) acct=$BETA ext=ext-beta-93d2 ;;
        gamma) acct=$GAMMA ext=ext-gamma-51aa ;;
        esac
        customers="$customers$(in_region "$id" "$acct" "$ext" "${c#*:}")
"
        rules="$rules$(e2e_rule "$id" "${id^} Corp")
"
    done
    E2E_CUSTOMERS=$customers E2E_RULES=$rules E2E_WORKERS=$WORKERS e2e_config
    $PY "$bench_top/bench/regions_config.py" "$T/iotreg.xml" "$name" "$3" "$4" "$T" "$EMU_URL" \
        "csp2:$CSP2:$CSP2_KEY" "csp3:$CSP3:$CSP3_KEY" >"$T/$name.xml"
}

# run NAME CUSTOMERS CSP_REGIONS SUBCA_ACCOUNTS: CERTS per customer, timed.
results=""
run() {
    local name=$1 c id n_cust=0 wall db csp_counts cust_counts bound
    scenario_config "$@"
    for c in $2; do
        id=${c%%:*}
        e2e_certs "${id^} Corp" "$name-$id" "$CERTS" "$T/$name-$id"
        "$IOTREGCTL" -c "$T/$name.xml" import "$T/$name-$id" >>"$T/import.log" 2>&1 ||
            bench_die "enqueueing failed: see $T/import.log"
        n_cust=$((n_cust + 1))
    done
    echo "== $name: $((n_cust * CERTS)) certificates, customers $2, SubCA in $4"
    bench_emu_reset_stats
    TIMEFORMAT='%3R'
    { time "$IOTREGD" -c "$T/$name.xml" --once --foreground --workers "$WORKERS" 2>>"$T/iotregd.log"; } 2>"$T/$name.time"
    wall=$(cat "$T/$name.time")
    db="$T/journal-$name.db"
    [ "$(sqlite3 "$db" "SELECT count(*) FROM entries WHERE state = 'done'")" = $((n_cust * CERTS)) ] ||
        bench_die "$name: not everything was delivered; see $T/iotregd.log"
    bench_emu_stats | $PY "$bench_top/bench/deliver_stats.py" ops $((n_cust * CERTS))
    csp_counts=$(sqlite3 "$db" "SELECT group_concat(n) FROM (SELECT count(*) n FROM facts a JOIN facts r USING (cert_id) WHERE a.key = 'csp_account' AND r.key = 'region' GROUP BY a.value, r.value)")
    cust_counts=$(sqlite3 "$db" "SELECT group_concat(n) FROM (SELECT count(*) n FROM entries GROUP BY customer)")
    $PY "$bench_top/bench/deliver_stats.py" bound-routes "$csp_counts" "$cust_counts" >"$T/$name.bound"
    head -1 "$T/$name.bound"
    bound=$(sed -n 's/^bound=//p' "$T/$name.bound")
    results="$results$(awk -v name="$name" -v n=$((n_cust * CERTS)) -v wall="$wall" -v bound="$bound" -v routes="$csp_counts" 'BEGIN {
        printf "%-8s %5d certificates in %7.2f s = %6.2f/s   bound %6.2f/s   ratio %.3f   (per route: %s)", name, n, wall, n / wall, bound, n / wall / bound, routes }')
"
}
run single "alpha:us-east-1" us-east-1 csp
run regions "alpha:us-east-1 beta:eu-west-1 gamma:ap-southeast-2" us-east-1,eu-west-1,ap-southeast-2 csp
run shard "alpha:us-east-1 beta:us-east-1 gamma:us-east-1" us-east-1 csp,csp2,csp3
echo "== results (the emulator's quotaThrottled for each is above)"
printf '%s' "$results"
