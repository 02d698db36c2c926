# Shared by bench/deliver-throughput.sh and bench/rss-100k.sh (sourced, not
# run): the optimised build they measure, and the end-to-end fixture of
# tests/e2e/lib.sh (emulator, software SubCA, configuration) around it.

bench_top=$(cd "$(dirname "$0")/.." && pwd)
. "$bench_top/bench/bootstrap.sh"

# Ends the run; tests/e2e/lib.sh's cleanup then keeps $T (logs) for a look.
bench_die() {
    echo "$(basename "$0"): $*" >&2
    E2E_FAILED=1
    exit 1
}

# bench_build DIR: configures DIR (optimised, no sanitizers) when it has no
# Makefile yet, then brings it up to date with the sources.
bench_build() {
    bench_bootstrap "$bench_top" || { E2E_FAILED=1; exit 1; }
    mkdir -p "$1"
    if [ ! -f "$1/Makefile" ]; then
        echo "configuring an optimised build in $1"
        (cd "$1" && "$bench_top/configure" -q CFLAGS="-O2 -g") || bench_die "configure failed in $1"
    fi
    if grep -q '^SAN_LDFLAGS = -fsanitize' "$1/Makefile"; then
        bench_die "$1 is a sanitizer build; benchmarks need one without (configure without --enable-sanitizers)"
    fi
    echo "building in $1"
    (cd "$1" && make -j2 >"$1/bench-make.log" 2>&1) ||
        (cd "$1" && make -j2 >"$1/bench-make.log" 2>&1) || # a regenerated Makefile.in may need a second run
        bench_die "the build failed: see $1/bench-make.log"
}

# bench_fixture BUILD_DIR: the environment of the e2e tests (tests/test-env.sh),
# then tests/e2e/lib.sh, which makes $T and starts nothing yet.
bench_fixture() {
    top_srcdir=$bench_top
    top_builddir=$(cd "$1" && pwd)
    export top_srcdir top_builddir
    . "$top_srcdir/tests/test-env.sh"
    . "$top_srcdir/tests/e2e/lib.sh"
}

# The statistics the emulator kept since its last reset, as JSON.
bench_emu_stats() {
    curl -sf "$EMU_URL/_emu/stats"
}

bench_emu_reset_stats() {
    curl -sf -o /dev/null -X POST "$EMU_URL/_emu/reset-stats"
}

# Seconds since the epoch, with nanoseconds.
bench_now() {
    date +%s.%N
}
