#!/bin/sh
# Runs every libFuzzer harness (tests/fuzz) for SECONDS each, one after the
# other, and prints per harness the executions, executions per second and the
# hours 10 million executions would take; any crash is reported and makes the
# exit status non-zero. Run from a build configured with
#   CC=clang-14 --enable-sanitizers --enable-fuzzers
# after `make fuzzers`. Usage: bench/fuzz.sh [SECONDS] [NAME...] (default 60)
# The grown corpus and any crash input are kept in ./fuzz-bench/.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
if [ ! -f Makefile ]; then
    [ -x "$here/configure" ] && c="" || c="(cd $here && autoreconf -fi) && "
    echo "bench/fuzz.sh: run it from a fuzzing build: ${c}mkdir -p ../build-fuzz && cd ../build-fuzz && $here/configure CC=clang-14 --enable-sanitizers --enable-fuzzers CFLAGS=\"-O1 -g\" && make -j2 fuzzers && $here/bench/fuzz.sh $seconds" >&2
    exit 2
fi
keep=$(pwd)/fuzz-bench
rm -rf "$keep"
out=$("$here/tests/fuzz/run.sh" --builddir . --seconds "$seconds" --keep "$keep" "$@")
rc=$?
echo "$out" | grep -v '^fuzz_[a-z_0-9]*: ok (' || true
printf '%-18s %12s %10s %16s\n' harness runs exec/s "10M runs (h)"
echo "$out" | sed -n 's/^\(fuzz_[a-z_0-9]*\): ok (\([0-9]*\) runs)$/\1 \2/p' |
    while read -r name runs; do
        awk -v n="$name" -v r="$runs" -v s="$seconds" 'BEGIN {
            rate = r / s
            printf "%-18s %12d %10.0f %16.2f\n", n, r, rate, (rate > 0 ? 1e7 / rate / 3600 : 0) }'
    done
exit $rc
