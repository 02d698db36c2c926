#!/usr/bin/env bash
# openssl ca issuing certificates through the iotreg provider on one
# SoftHSM2 key, with the issuance tap on versus off (issue 4's figure).
# Two shapes: one openssl ca process per certificate (as most CA scripts
# run it) and one process for a batch (-infiles), where the tap's per-
# certificate cost is not hidden behind process start-up. Processes of the
# two modes alternate, certificate by certificate, so that machine noise
# falls on both alike; it prints means, medians and the tap's own cost.
# Usage: bench/tap-openssl-ca.sh [--build DIR] [--certs N] [--rounds R]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build="$here/_build-bench"
certs=500
rounds=5
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build="$2"; shift ;;
    --certs) certs="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
if [ ! -x "$build/src/cli/iotregctl" ]; then
    . "$here/bench/bootstrap.sh"
    bench_bootstrap "$here" || exit 1
    mkdir -p "$build"
    (cd "$build" && { [ -f Makefile ] || "$here/configure" -q CFLAGS="-O2 -g"; } && make -j2 -s >/dev/null)
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/iotreg-tapbench.XXXXXX")
trap '[ -n "${IOTREG_KEEP_BENCH:-}" ] || rm -rf "$T"' EXIT
export OPENSSL_MODULES="$build/provider/.libs"
IOTREGCTL="$build/src/cli/iotregctl"
(umask 077; echo 123456 >"$T/user.pin"; echo 654321 >"$T/so.pin")
config() { # config TAP(true|false) FILE
    cat >"$2" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<iotreg xmlns="urn:iotreg:config:1" version="1">
  <keystore><module>/usr/lib/softhsm/libsofthsm2.so</module><token-label>bench</token-label>
    <pin-file>$T/user.pin</pin-file><so-pin-file>$T/so.pin</so-pin-file><softhsm-dir>$T/tokens</softhsm-dir></keystore>
  <journal><sqlite path="$T/journal.db"/></journal>
  <csp-accounts><csp-account name="csp"><account-id>111111111111</account-id><region>us-east-1</region>
    <credentials><environment/></credentials></csp-account></csp-accounts>
  <subcas><subca name="devices"><key-uri>iotreg:object=devices;type=private</key-uri>
    <cert-file>$T/subca.pem</cert-file><csp-account>csp</csp-account><tap>$1</tap></subca></subcas>
  <customers><customer id="alpha"><account-id>222222222222</account-id><region>us-east-1</region>
    <delivery>transfer</delivery><role arn="arn:aws:iam::222222222222:role/r" external-id="x-alpha"/><policy name="p"/></customer></customers>
  <attribution><rule customer="alpha"><subject attribute="O">Alpha</subject></rule></attribution>
</iotreg>
XML
}
config true "$T/on.xml"
config false "$T/off.xml"
export IOTREG_CONF="$T/off.xml"
"$IOTREGCTL" keystore init >/dev/null
export SOFTHSM2_CONF="$T/tokens/softhsm2.conf"
"$IOTREGCTL" subca create devices --key ec:P-256 --subject "/O=Bench/CN=Devices" --self-signed \
    --out "$T/subca.pem" >/dev/null
unset IOTREG_CONF
for mode in on off; do
    mkdir -p "$T/ca-$mode/new"
    : >"$T/ca-$mode/index.txt"
    echo 1000 >"$T/ca-$mode/serial"
    cat >"$T/$mode.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
iotreg = iotreg_sect
[default_sect]
activate = 1
[iotreg_sect]
activate = 1
iotreg-config = $T/$mode.xml
[ca]
default_ca = devices
[devices]
database = $T/ca-$mode/index.txt
new_certs_dir = $T/ca-$mode/new
serial = $T/ca-$mode/serial
certificate = $T/subca.pem
private_key = iotreg:object=devices;type=private
default_md = sha256
default_days = 30
policy = p
unique_subject = no
[p]
organizationName = supplied
commonName = supplied
CNF
done
OPENSSL_CONF=/dev/null openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/dev.key" -subj "/O=Alpha/CN=dev" -out "$T/dev.csr" 2>/dev/null
per_round=$((certs / rounds))
batch_files=()
for i in $(seq 1 "$per_round"); do batch_files+=("$T/dev.csr"); done

# Microseconds from bash's own clock: no process started to read the time.
now_us() { local t=${EPOCHREALTIME/./}; echo "${t}"; }
issue_one() { # issue_one MODE CN
    OPENSSL_CONF="$T/$1.cnf" openssl ca -batch -notext -in "$T/dev.csr" \
        -subj "/O=Alpha/CN=$2" -out /dev/null 2>/dev/null
}
declare -A proc batch
proc[on]=0; proc[off]=0; batch[on]=0; batch[off]=0
: >"$T/times"
for r in $(seq 1 "$rounds"); do
    # One process per certificate: on and off alternate certificate by
    # certificate (the order flipping each time), so that a burst of load
    # from elsewhere falls on both modes alike.
    for i in $(seq 1 "$per_round"); do
        if [ $((i % 2)) -eq 0 ]; then order="on off"; else order="off on"; fi
        for mode in $order; do
            t0=$(now_us)
            issue_one "$mode" "dev-$r-$i"
            t1=$(now_us)
            proc[$mode]=$((proc[$mode] + t1 - t0))
            echo "$mode $((t1 - t0))" >>"$T/times"
        done
    done
    for mode in on off; do
        t0=$(now_us)
        OPENSSL_CONF="$T/$mode.cnf" openssl ca -batch -notext -out /dev/null \
            -infiles "${batch_files[@]}" 2>/dev/null
        t1=$(now_us)
        batch[$mode]=$((batch[$mode] + t1 - t0))
    done
done
median() { grep "^$1 " "$T/times" | cut -d' ' -f2 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
IOTREG_CONF="$T/on.xml" "$IOTREGCTL" status >/dev/null # takes in the tap's spool
journaled=$(sqlite3 "$T/journal.db" "SELECT count(*) FROM entries")
total=$((per_round * rounds))
echo "certificates per mode: $total one process each, $total in batches of $per_round"
echo "journaled with the tap on: $journaled (expected $((2 * total)))"
awk -v on="${proc[on]}" -v off="${proc[off]}" -v n="$total" 'BEGIN {
    printf "one process per certificate: tap off %.1f ms/cert, on %.1f ms/cert, ratio on/off %.3f (means)\n", off/n/1000, on/n/1000, on/off }'
awk -v on="${proc[on]}" -v off="${proc[off]}" -v n="$total" 'BEGIN {
    printf "the tap costs %.2f ms per certificate and process (difference of the means)\n", (on-off)/n/1000 }'
awk -v on="$(median on)" -v off="$(median off)" 'BEGIN {
    printf "one process per certificate: tap off %.1f ms, on %.1f ms, ratio on/off %.3f (medians)\n", off/1000, on/1000, on/off }'
awk -v on="${batch[on]}" -v off="${batch[off]}" -v n="$total" 'BEGIN {
    printf "batch (-infiles):            tap off %.2f ms/cert, on %.2f ms/cert, ratio on/off %.3f\n", off/n/1000, on/n/1000, on/off }'
