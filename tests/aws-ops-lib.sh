# Sourced by tests/aws-ops.test and tests/aws-rate.test: starts the local AWS
# emulator in a private temporary directory with three accounts (the CSP with
# an access key; a customer with a role that trusts the CSP under an
# ExternalId; another customer with an access key), exports what the C test
# program needs, and stops the emulator on exit. The keys are the emulator's
# own test fixtures, not credentials of any real account.

PY=${PYTHON3:-/usr/bin/python3}
if ! "$PY" -c 'import botocore, cryptography' 2>/dev/null; then
    echo "skip: $PY lacks python3-botocore or python3-cryptography (needed by the emulator)"
    echo "0 passed, 0 failed"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/iotreg-awsops.XXXXXX") || exit 99
emu_pid=
ops_cleanup() {
    if [ -n "$emu_pid" ]; then
        kill "$emu_pid" 2>/dev/null
        wait "$emu_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap ops_cleanup EXIT
trap 'exit 1' INT TERM HUP

IR_EMU_REGION=us-east-1
IR_CSP_ACCOUNT=111111111111
IR_CSP_KEY_ID=AKIAIOTREGCSP0000001
IR_CSP_SECRET=csp-test-secret/0000000000000000000000001
IR_CUSTOMER_ACCOUNT=222222222222
IR_CUSTOMER_ROLE_ARN=arn:aws:iam::222222222222:role/iotreg-delivery
IR_CUSTOMER_EXTERNAL_ID=iotreg-ext-7f3a9c
IR_OTHER_ACCOUNT=333333333333
IR_OTHER_KEY_ID=AKIAIOTREGOTHER00001
IR_OTHER_SECRET=other-test-secret/00000000000000000000001
export IR_EMU_REGION IR_CSP_ACCOUNT IR_CSP_KEY_ID IR_CSP_SECRET IR_CUSTOMER_ACCOUNT \
    IR_CUSTOMER_ROLE_ARN IR_CUSTOMER_EXTERNAL_ID IR_OTHER_ACCOUNT IR_OTHER_KEY_ID IR_OTHER_SECRET

cat >"$tmp/accounts.json" <<JSON
{"region": "$IR_EMU_REGION",
 "accounts": [
  {"id": "$IR_CSP_ACCOUNT", "name": "csp",
   "users": [{"name": "iotreg", "accessKeyId": "$IR_CSP_KEY_ID",
              "secretAccessKey": "$IR_CSP_SECRET"}]},
  {"id": "$IR_CUSTOMER_ACCOUNT", "name": "customer",
   "roles": [{"name": "iotreg-delivery", "trustedAccount": "$IR_CSP_ACCOUNT",
              "externalId": "$IR_CUSTOMER_EXTERNAL_ID"}]},
  {"id": "$IR_OTHER_ACCOUNT", "name": "other-customer",
   "users": [{"accessKeyId": "$IR_OTHER_KEY_ID", "secretAccessKey": "$IR_OTHER_SECRET"}]}]}
JSON

# Starts the emulator (quotas: aws or off) and waits for its URL.
ops_start_emulator() {
    "$PY" "$top_srcdir/tests/awsemu/awsemu" --listen 127.0.0.1:0 --ready-file "$tmp/url" \
        --accounts "$tmp/accounts.json" --quotas "$1" 2>"$tmp/emu.log" &
    emu_pid=$!
    i=0
    while [ ! -s "$tmp/url" ]; do
        if ! kill -0 "$emu_pid" 2>/dev/null || [ $i -ge 300 ]; then
            echo "the emulator did not start:"
            tail -n 20 "$tmp/emu.log"
            echo "0 passed, 1 failed"
            exit 1
        fi
        sleep 0.1
        i=$((i + 1))
    done
    IR_EMU_URL=$(cat "$tmp/url")
    export IR_EMU_URL
}

# Runs the C test program in mode $1. On failure the emulator's log comes
# first, so that the program's closing "N passed, M failed" stays last.
ops_run() {
    "$top_builddir/tests/unit/test_aws_ops" "$1" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "--- emulator log (last 40 lines) ---"
        tail -n 40 "$tmp/emu.log"
        echo "--- test output ---"
    fi
    cat "$tmp/out"
    return $rc
}
