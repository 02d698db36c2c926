# suite.sh: sourced by the emulator's *.test wrappers. run_suite MODULE runs one unittest
# module of this directory with Debian's Python; its last line reads "N passed, M failed".
# Exit status: 0 all passed, 1 a failure, 77 (skip) when a required package is missing.

run_suite() {
    if [ ! -x /usr/bin/python3 ]; then
        echo "SKIP: /usr/bin/python3 (Debian's python3) not found"
        echo "0 passed, 0 failed"
        exit 77
    fi
    PYTHONDONTWRITEBYTECODE=1
    export PYTHONDONTWRITEBYTECODE
    exec /usr/bin/python3 "$awsemu_dir/emu_testrun.py" "$1"
}
