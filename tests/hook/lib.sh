# Fixture for tests/hook/*.test: a temporary directory with a software SubCA
# (certgen setup), an iotreg configuration naming it, and pass/fail counting.
# Nothing is written outside $T; processes a test starts are listed in PIDS
# and killed on exit.

: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
PUBLISH="$top_builddir/hooks/iotreg-publish"
IOTREGCTL="$top_builddir/src/cli/iotregctl"
CERTGEN="$top_builddir/tests/hook/certgen"
HOSTCA="$top_builddir/tests/hook/hostca"
PY="${PYTHON3:-/usr/bin/python3}"
PASSED=0
FAILED=0
PIDS=

for tool in "$PUBLISH" "$IOTREGCTL" "$CERTGEN" "$HOSTCA"; do
    [ -x "$tool" ] || { echo "missing $tool: build first"; exit 99; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/iotreg-hook.XXXXXX") || exit 99
hook_cleanup() {
    local p
    for p in $PIDS; do
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    if [ "$FAILED" = 0 ] && [ -z "${IOTREG_KEEP_TEST_DIR:-}" ]; then
        rm -rf "$T"
    else
        echo "test files kept in $T"
    fi
}
trap hook_cleanup EXIT
trap 'exit 1' INT TERM

"$CERTGEN" setup "$T" || { echo "certgen setup failed"; exit 99; }
CFG="$T/iotreg.xml"

ok() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
check() { # check "what" command...
    local what="$1"; shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" = 0 ]
    exit $?
}

# issue CA ORG SERIAL [pem]: prints the path of a new certificate file.
issue() {
    local out="$T/$1-$3.${4:-der}"
    "$CERTGEN" issue "$T" "$1" "$2" "$3" "$out" ${4:+"$4"} || return 1
    echo "$out"
}
# The certificate id (SHA-256 of the DER) of a DER or PEM file.
der_id() { "$CERTGEN" id "$1"; }
# Entries in the journal, all states.
total() {
    "$IOTREGCTL" -c "$CFG" status --json |
        "$PY" -c 'import json, sys; print(json.load(sys.stdin)["total"]["total"])'
}
# field CERTID KEY[.KEY]: one field of `iotregctl show --json` (None when absent).
field() {
    "$IOTREGCTL" -c "$CFG" show "$1" --json | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d = d.get(k) if isinstance(d, dict) else None
print(d)' "$2"
}
