# Sourced by automake's test harness before every test (AM_TESTS_ENVIRONMENT).
# Hermetic: nothing here points at the system's own OpenSSL or iotreg setup.

# The OpenSSL provider under test, from the build tree.
OPENSSL_MODULES="$top_builddir/provider/.libs"
export OPENSSL_MODULES
# An empty OpenSSL configuration unless a test writes its own.
OPENSSL_CONF=/dev/null
export OPENSSL_CONF

# AWS's machine-readable models and SigV4 vectors live beside the repository.
: "${IOTREG_SHARED_DIR:=$top_srcdir/../shared}"
export IOTREG_SHARED_DIR

# Debian's python3 (it has python3-botocore); never a python on PATH from elsewhere.
: "${PYTHON3:=/usr/bin/python3}"
export PYTHON3

# Sanitizer runtime options. When the tree is built with ASan, a shared object
# of ours loaded into a program that is not (openssl, a CA) needs the runtime
# preloaded: tests use "$IR_ASAN_PRELOAD" for that.
ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=0"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
LSAN_OPTIONS="suppressions=$top_srcdir/tests/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
IR_ASAN_PRELOAD=
if grep -q '^SAN_LDFLAGS = -fsanitize' "$top_builddir/Makefile" 2>/dev/null; then
    IR_ASAN_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so)
fi
export IR_ASAN_PRELOAD

# No credentials or configuration from the machine leak into a test.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
    AWS_DEFAULT_REGION AWS_REGION IOTREG_CONF
AWS_CONFIG_FILE=/dev/null
AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
