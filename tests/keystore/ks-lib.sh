# Sourced by tests/keystore/*.test: a private SoftHSM2 token for one test.
#
# Everything lives in a fresh mktemp directory $T: SoftHSM2's configuration
# and token directory (SOFTHSM2_CONF), the PIN files, an iotreg
# configuration naming them ($T/iotreg.xml, also $IOTREG_CONF for iotregctl)
# and an openssl.cnf whose iotreg section points the provider at it
# (OPENSSL_CONF). The provider itself comes from the build tree through
# OPENSSL_MODULES (tests/test-env.sh). Nothing is written outside $T.

KS_MODULE=/usr/lib/softhsm/libsofthsm2.so
IOTREGCTL="$top_builddir/src/cli/iotregctl"
ks_passed=0
ks_failed=0

ks_skip_unless_softhsm() {
    if ! command -v softhsm2-util >/dev/null 2>&1 || [ ! -r "$KS_MODULE" ]; then
        echo "SKIP: SoftHSM2 (softhsm2-util, $KS_MODULE) is not installed"
        exit 77
    fi
    command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl command"; exit 77; }
}

ks_pass() {
    ks_passed=$((ks_passed + 1))
    echo "ok: $*"
}

ks_fail() {
    ks_failed=$((ks_failed + 1))
    echo "FAILED: $*"
}

# ks_check DESCRIPTION COMMAND...: passes when the command succeeds.
ks_check() {
    local what="$1"
    shift
    if "$@"; then ks_pass "$what"; else ks_fail "$what"; fi
}

ks_finish() {
    echo "$ks_passed passed, $ks_failed failed"
    [ "$ks_failed" -eq 0 ]
}

# openssl, with the sanitizer runtime our provider needs when the build is
# instrumented. The provider finds its configuration through iotreg-config in
# $OPENSSL_CONF; OSSL_IOTREG_CONF, when set, is passed on as IOTREG_CONF (the
# override).
ossl() {
    if [ -n "${OSSL_IOTREG_CONF:-}" ]; then
        IOTREG_CONF="$OSSL_IOTREG_CONF" LD_PRELOAD="$IR_ASAN_PRELOAD" openssl "$@"
    else
        env -u IOTREG_CONF LD_PRELOAD="$IR_ASAN_PRELOAD" openssl "$@"
    fi
}

# openssl without our provider (an independent verifier).
plain_openssl() {
    OPENSSL_CONF=/dev/null openssl "$@"
}

ks_write_config() {
    cat >"$T/iotreg.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<iotreg xmlns="urn:iotreg:config:1" version="1">
  <keystore>
    <module>$KS_MODULE</module>
    <token-label>${KS_TOKEN_LABEL:-iotreg}</token-label>
    <pin-file>$T/user.pin</pin-file>
    <so-pin-file>$T/so.pin</so-pin-file>
  </keystore>
  <journal><sqlite path="$T/journal.db"/></journal>
</iotreg>
XML
    cat >"$T/openssl.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
iotreg = iotreg_sect
[default_sect]
activate = 1
[iotreg_sect]
iotreg-config = $T/iotreg.xml
CNF
}

# Sets up $T and a token labelled iotreg (created by `iotregctl keystore init`).
ks_setup() {
    ks_skip_unless_softhsm
    T=$(mktemp -d "${TMPDIR:-/tmp}/iotreg-ks.XXXXXX") || exit 99
    trap 'rm -rf "$T"' EXIT
    mkdir "$T/tokens"
    printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
        "$T" >"$T/softhsm2.conf"
    SOFTHSM2_CONF="$T/softhsm2.conf"
    (umask 077 && echo 246810 >"$T/user.pin" && echo 13579 >"$T/so.pin")
    ks_write_config
    OPENSSL_CONF="$T/openssl.cnf"
    IOTREG_CONF="$T/iotreg.xml"
    export SOFTHSM2_CONF OPENSSL_CONF IOTREG_CONF
    "$IOTREGCTL" keystore init >"$T/init.out" 2>&1 || {
        cat "$T/init.out"
        echo "0 passed, 1 failed"
        exit 1
    }
}

# ks_subca NAME SPEC: a self-signed SubCA in the token, its PEM in $T/NAME.pem.
ks_subca() {
    "$IOTREGCTL" subca create "$1" --key "$2" --subject "/CN=$1 test CA/O=iotreg tests" \
        --self-signed --days 30 --out "$T/$1.pem" >/dev/null
}
