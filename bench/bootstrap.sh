# Sourced by the bench scripts (not run): a fresh clone has no configure yet;
# make it the way scripts/check does (autoreconf -fi in the source tree), or
# say in one line what to run.
# bench_bootstrap TOP: returns 0 once TOP/configure exists.
bench_bootstrap() {
    [ -x "$1/configure" ] && return 0
    if ! command -v autoreconf >/dev/null 2>&1; then
        echo "$(basename "$0"): $1/configure is missing and autoreconf is not installed: run '$1/scripts/check' once (it installs what is missing), or apt-get install autoconf automake libtool pkg-config && (cd $1 && autoreconf -fi)" >&2
        return 1
    fi
    echo "$(basename "$0"): no configure yet: running autoreconf -fi in $1 (as scripts/check does)"
    (cd "$1" && autoreconf -fi) >"$1/autoreconf.log" 2>&1 || {
        echo "$(basename "$0"): autoreconf -fi failed in $1 (see $1/autoreconf.log): run '$1/scripts/check' once, it installs what is missing" >&2
        return 1
    }
}
