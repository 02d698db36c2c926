# End-to-end fixture, sourced by tests/e2e/*.test: a temporary directory, the
# AWS emulator with a CSP account and customer accounts, a software SubCA
# registered in the CSP account with AWS's own client, an iotreg
# configuration, and pass/fail counting. Nothing is written outside $T.

: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
# botocore (via awscrt) aborts when OPENSSL_MODULES points at our build tree.
PY="env -u OPENSSL_MODULES -u OPENSSL_CONF -u LD_PRELOAD ${PYTHON3:-/usr/bin/python3}"
E2E_PY="$PY $top_srcdir/tests/e2e/e2e.py"
IOTREGD="$top_builddir/src/daemon/iotregd"
IOTREGCTL="$top_builddir/src/cli/iotregctl"
PUBLISH="$top_builddir/hooks/iotreg-publish"
CSP=111111111111
ALPHA=222222222222
BETA=333333333333
CSP_KEY=AKIDCSPEXAMPLE0000001
CSP_SECRET=cspSecretKeyForTheEmulatorOnly0000000001
E2E_PASSED=0
E2E_FAILED=0
EMU_PID=
PROXY_PID=

T=$(mktemp -d "${TMPDIR:-/tmp}/iotreg-e2e.XXXXXX") || exit 99
e2e_cleanup() {
    [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
    [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null
    if [ "$E2E_FAILED" = 0 ] && [ -z "${IOTREG_KEEP_TEST_DIR:-}" ]; then
        rm -rf "$T"
    else
        echo "test files kept in $T"
    fi
}
trap e2e_cleanup EXIT
trap 'exit 1' INT TERM

for tool in "$IOTREGD" "$IOTREGCTL"; do
    [ -x "$tool" ] || { echo "missing $tool: build first"; exit 99; }
done
$PY -c 'import boto3, botocore, cryptography' 2>/dev/null || {
    echo "python3-boto3, python3-botocore and python3-cryptography are needed"; exit 77; }

ok() { E2E_PASSED=$((E2E_PASSED + 1)); echo "ok: $*"; }
fail() { E2E_FAILED=$((E2E_FAILED + 1)); echo "FAIL: $*"; }
check() { # check "what" command...
    local what="$1"; shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
# Succeeds when the command fails (for checks of refusals).
fails() { ! "$@"; }
# Runs a Python checker whose last line is "N passed, M failed" and adds its counts.
check_py() {
    local out line p f
    out=$("$@" 2>&1); echo "$out" | grep -v '^ok:' | grep -v 'passed, .* failed$'
    line=$(echo "$out" | tail -1)
    p=$(echo "$line" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1/p')
    f=$(echo "$line" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\2/p')
    if [ -z "$p" ]; then fail "checker did not finish: $*"; return; fi
    E2E_PASSED=$((E2E_PASSED + p)); E2E_FAILED=$((E2E_FAILED + f))
}
e2e_finish() {
    echo "$E2E_PASSED passed, $E2E_FAILED failed"
    [ "$E2E_FAILED" = 0 ]
    exit $?
}

# The default accounts: the CSP with a user; two customers whose roles trust
# the CSP's account with their ExternalIds. Tests may write their own.
e2e_accounts() {
    cat >"$T/accounts.json" <<JSON
{"region": "us-east-1", "accounts": [
 {"id": "$CSP", "name": "csp", "users": [{"accessKeyId": "$CSP_KEY", "secretAccessKey": "$CSP_SECRET"}]},
 {"id": "$ALPHA", "name": "alpha", "roles": [{"name": "iotreg-delivery", "trustedAccount": "$CSP", "externalId": "ext-alpha-7c1e"}]},
 {"id": "$BETA", "name": "beta", "roles": [{"name": "iotreg-delivery", "trustedAccount": "$CSP", "externalId": "ext-beta-93d2"}]}
 ${E2E_EXTRA_ACCOUNTS:-}
]${E2E_ACCOUNTS_TAIL:-}}
JSON
}

# E2E_DATA_PLANE=1: the emulator also runs its data plane (TLS + MQTT, the
# devices' side): EMU_DATA is its HOST:PORT, EMU_DATA_CA its root CA, and
# EMU_SOCKS the socks5h:// URL of a name proxy in front of it (e2e_connect).
e2e_start_emu() {
    rm -f "$T/emu.url" "$T/emu-data.addr"
    if [ -n "${E2E_DATA_PLANE:-}" ]; then
        set -- --data-listen 127.0.0.1:0 --data-ready-file "$T/emu-data.addr" "$@"
    fi
    $PY "$top_srcdir/tests/awsemu/awsemu" --listen 127.0.0.1:0 --ready-file "$T/emu.url" \
        --accounts "$T/accounts.json" --state-dir "$T/emu-state" "$@" 2>>"$T/emu.log" &
    EMU_PID=$!
    local i=0
    while [ ! -s "$T/emu.url" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$T/emu.url" ] || { echo "the emulator did not start:"; tail -20 "$T/emu.log"; exit 99; }
    EMU_URL=$(cat "$T/emu.url")
    [ -n "${E2E_DATA_PLANE:-}" ] || return 0
    while [ ! -s "$T/emu-data.addr" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$T/emu-data.addr" ] || { echo "the data plane did not start:"; tail -20 "$T/emu.log"; exit 99; }
    EMU_DATA=$(cat "$T/emu-data.addr")
    EMU_DATA_CA="$T/emu-state/data-root-ca.pem"
    rm -f "$T/socks.url"
    $E2E_PY name-proxy --target "$EMU_DATA" --ready-file "$T/socks.url" 2>>"$T/emu.log" &
    PROXY_PID=$!
    while [ ! -s "$T/socks.url" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$T/socks.url" ] || { echo "the name proxy did not start:"; tail -20 "$T/emu.log"; exit 99; }
    EMU_SOCKS=$(cat "$T/socks.url")
}

e2e_stop_emu() {
    [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
    PROXY_PID=
    kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null
    EMU_PID=
}

e2e_faults() { # e2e_faults '{"rate5xx":0.05}'
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "$1" "$EMU_URL/_emu/faults"
}

# A software SubCA registered in the CSP account by AWS's own client.
e2e_pki() {
    $E2E_PY pki "$T/pki" || exit 99
    $E2E_PY register-ca --url "$EMU_URL" --key-id "$CSP_KEY" --secret "$CSP_SECRET" \
        --subca-cert "$T/pki/subca.pem" --subca-key "$T/pki/subca.key" \
        --verification-out "$T/pki/verification.pem" || exit 99
}

# e2e_certs ORG PREFIX COUNT DIR [KEYFILE]: device certificates (DER) from the
# SubCA, all for one key (written to KEYFILE when given).
e2e_certs() {
    $E2E_PY certs --subca-cert "$T/pki/subca.pem" --subca-key "$T/pki/subca.key" \
        --org "$1" --cn-prefix "$2" --count "$3" --out "$4" ${5:+--key-out "$5"} || exit 99
}

# e2e_customer ID ACCOUNT EXTERNAL_ID [ORG]: a <customer> element and its rule.
e2e_customer() {
    local id=$1 acct=$2 ext=$3
    cat <<XML
    <customer id="$id">
      <account-id>$acct</account-id>
      <region>us-east-1</region>
      <delivery>${E2E_DELIVERY:-transfer}</delivery>
      <role arn="arn:aws:iam::$acct:role/iotreg-delivery" external-id="$ext"/>
      <policy name="$id-devices" document-file="$T/policy.json"/>
      <thing name-template="\${subject.CN}"/>
      <endpoint>$EMU_URL</endpoint>
      <allow-http>true</allow-http>
    </customer>
XML
}

e2e_rule() { # e2e_rule CUSTOMER ORG
    printf '    <rule customer="%s"><subject attribute="O">%s</subject></rule>\n' "$1" "$2"
}

# e2e_config: writes $T/iotreg.xml from $E2E_CUSTOMERS and $E2E_RULES (XML
# fragments), defaulting to the customers alpha and beta; E2E_WORKER_ID,
# E2E_LEASE_SECONDS and E2E_POLL_MS set the daemon's (see below).
e2e_config() {
    printf '%s' "$CSP_SECRET" >"$T/csp.secret"
    printf '1234\n' >"$T/user.pin"
    printf '5678\n' >"$T/so.pin"
    chmod 600 "$T/csp.secret" "$T/user.pin" "$T/so.pin"
    echo '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}' >"$T/policy.json"
    local customers="${E2E_CUSTOMERS:-$(e2e_customer alpha $ALPHA ext-alpha-7c1e; e2e_customer beta $BETA ext-beta-93d2)}"
    local rules="${E2E_RULES:-$(e2e_rule alpha 'Alpha Corp'; e2e_rule beta 'Beta Corp')}"
    # Outside the here-document: quotes in a ${X:-default} inside one are removed.
    local creds="${E2E_CSP_CREDENTIALS:-<access-key id=\"$CSP_KEY\" secret-file=\"$T/csp.secret\"/>}"
    # A configured worker id: a restarted daemon takes back at once what the
    # one before it left claimed (crash tests resume without waiting for a
    # lease). E2E_WORKER_ID= (empty) leaves the default, HOST:RANDOM per start;
    # E2E_LEASE_SECONDS sets <lease-seconds>.
    local daemon_extra="${E2E_WORKER_ID-e2e-daemon}"
    [ -n "$daemon_extra" ] && daemon_extra="<worker-id>$daemon_extra</worker-id>"
    [ -n "${E2E_LEASE_SECONDS:-}" ] &&
        daemon_extra="$daemon_extra<lease-seconds>$E2E_LEASE_SECONDS</lease-seconds>"
    cat >"$T/iotreg.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<iotreg xmlns="urn:iotreg:config:1" version="1">
  <keystore>
    <module>${E2E_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}</module>
    <token-label>iotreg-e2e</token-label>
    <pin-file>$T/user.pin</pin-file>
    <so-pin-file>$T/so.pin</so-pin-file>
    <softhsm-dir>$T/tokens</softhsm-dir>
  </keystore>
  <journal><sqlite path="$T/journal.db"/></journal>
  <daemon>$daemon_extra<concurrency>${E2E_WORKERS:-16}</concurrency><poll-ms>${E2E_POLL_MS:-200}</poll-ms></daemon>
  <csp-accounts>
    <csp-account name="csp">
      <account-id>$CSP</account-id>
      <region>us-east-1</region>
      <credentials>$creds</credentials>
      <endpoint>$EMU_URL</endpoint>
      <allow-http>true</allow-http>
    </csp-account>
  </csp-accounts>
  <subcas>
    <subca name="devices">
      ${E2E_SUBCA_EXTRA_FIRST:-}
      ${E2E_SUBCA_CERT-<cert-file>$T/pki/subca.pem</cert-file>}
      <csp-account>csp</csp-account>
      ${E2E_SUBCA_TAP:-}
    </subca>
${E2E_EXTRA_SUBCAS:-}
  </subcas>
  <customers>
$customers
  </customers>
  <attribution>
$rules
  </attribution>
${E2E_QUOTAS:-}
</iotreg>
XML
    IOTREG_CONF="$T/iotreg.xml"
    export IOTREG_CONF
}

# Certificate ids of the DER files in DIR, into FILE.
e2e_ids() { $E2E_PY ids "$1"/*.der >"$2"; }

e2e_publish_dir() {
    local f
    for f in "$1"/*.der; do
        "$PUBLISH" -c "$T/iotreg.xml" "$f" >/dev/null 2>>"$T/publish.log" || return 1
    done
}

# Many certificates at once: one iotregctl import where it exists.
e2e_enqueue_dir() {
    if "$IOTREGCTL" import --help >/dev/null 2>&1; then
        "$IOTREGCTL" -c "$T/iotreg.xml" import "$1" >>"$T/import.log" 2>&1
    else
        e2e_publish_dir "$1"
    fi
}

e2e_daemon_once() {
    "$IOTREGD" -c "$T/iotreg.xml" --once --foreground "$@" 2>>"$T/iotregd.log"
}

# The status of certificate CERTID in account ACCOUNT, "" when it is not there.
e2e_status_in() { # e2e_status_in ACCOUNT CERTID
    $E2E_PY state --url "$EMU_URL" "accounts/$1" |
        $PY -c "import json,sys; d=json.load(sys.stdin); print(''.join(c['status'] for c in d['certificates'] if c['id']=='$2'))"
}

# Number of journal entries in STATE.
e2e_count_state() {
    sqlite3 "$T/journal.db" "SELECT count(*) FROM entries WHERE state = '$1'" 2>/dev/null
}

# e2e_connect [--no-sni] CERT KEY CLIENTID ENDPOINT [TOPIC]: a device connects
# to ENDPOINT (the host name, sent as SNI and checked against the server's
# certificate) with its certificate (PEM) and key, as CLIENTID, and publishes
# one message with QoS 1 to TOPIC (default devices/CLIENTID/hello). Succeeds
# when the message was acknowledged. Needs E2E_DATA_PLANE=1. --no-sni connects
# to the data plane's address instead, so no SNI is sent (nor the name checked).
e2e_connect() {
    local sni=yes
    if [ "$1" = --no-sni ]; then sni=; shift; fi
    local cert=$1 key=$2 id=$3 endpoint=$4 topic=${5:-devices/$3/hello}
    set -- --cafile "$EMU_DATA_CA" --cert "$cert" --key "$key" -i "$id" -t "$topic" \
        -m "hello from $id" -q 1
    if [ -n "$sni" ]; then
        set -- -h "$endpoint" -p 8883 --proxy "$EMU_SOCKS" "$@"
    else
        set -- -h "${EMU_DATA%:*}" -p "${EMU_DATA##*:}" --insecure "$@"
    fi
    echo "== mosquitto_pub $*" >>"$T/connect.log"
    env -u OPENSSL_MODULES -u OPENSSL_CONF -u LD_PRELOAD timeout 30 mosquitto_pub "$@" \
        >>"$T/connect.log" 2>&1
}
