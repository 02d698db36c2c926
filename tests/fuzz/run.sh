#!/bin/sh
# Runs every libFuzzer harness of a build configured with --enable-fuzzers,
# each for SECONDS on a copy of its seed corpus, under the sanitizers the
# build has, and prints per harness "fuzz_NAME: ok (N runs)" or
# "fuzz_NAME: FAILED (...)" followed by the end of its log. A crash, a leak,
# a timeout or a harness that ran nothing is a failure; the exit status is
# non-zero when any harness failed.
# Usage: tests/fuzz/run.sh [--builddir DIR] [--seconds N] [--keep DIR] [NAME...]
#   --builddir DIR  the build (default .); logs go to DIR/tests/fuzz/fuzz_NAME.log
#   --seconds N     per harness (default 10)
#   --keep DIR      keep the grown corpus and any crash input under DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
builddir=.
seconds=10
keep=
while [ $# -gt 0 ]; do
    case "$1" in
    --builddir) builddir=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --keep) keep=$2; shift ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
    shift
done
names="$*"
if [ -z "$names" ]; then
    names=$(cd "$here/corpus" && ls)
fi

# The sanitizers stop at the first report; LSan's suppressions are the tree's.
ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=0"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
LSAN_OPTIONS="suppressions=$here/../lsan.supp:print_suppressions=0"
OPENSSL_CONF=/dev/null
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS OPENSSL_CONF
unset IOTREG_CONF

work=$(mktemp -d "${TMPDIR:-/tmp}/iotreg-fuzzrun-XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
failed=0
for name in $names; do
    prog="$builddir/tests/fuzz/fuzz_$name"
    log="$builddir/tests/fuzz/fuzz_$name.log"
    if [ ! -x "$prog" ]; then
        mkdir -p "$(dirname "$log")"
        echo "fuzz_$name: FAILED (not built: $prog; make fuzzers)" | tee "$log"
        failed=1
        continue
    fi
    mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
    cp "$here/corpus/$name/"* "$work/$name/corpus/"
    # Its own TMPDIR, so that a harness's files never outlive the run.
    TMPDIR="$work/$name" "$prog" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$work/$name/artifacts/" \
        "$work/$name/corpus" </dev/null >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    crash=$(ls "$work/$name/artifacts" 2>/dev/null | head -1)
    if [ -n "$keep" ]; then
        mkdir -p "$keep/$name"
        cp -r "$work/$name/corpus" "$work/$name/artifacts" "$keep/$name/"
    fi
    if [ "$rc" = 0 ] && [ -z "$crash" ] && [ "${runs:-0}" -gt 0 ]; then
        echo "fuzz_$name: ok (${runs} runs)"
        continue
    fi
    failed=1
    echo "fuzz_$name: FAILED (exit $rc${crash:+, input $crash}; log: $log)"
    # The report and the frames of the program itself (not libFuzzer's, libc's).
    grep -E 'ERROR: |SUMMARY: |runtime error|property broken|Direct leak|#[0-9]+ 0x' "$log" |
        grep -v -E 'fuzzer::|libc\.so|libc_start|_start |__sanitizer_print|pthread_kill|raise|abort' |
        head -30 | sed 's/^/    /'
done
exit $failed
