"""Keep the emulator's own libraries away from the project's OpenSSL test settings.

The project's tests point OPENSSL_MODULES / OPENSSL_CONF at the iotreg provider
under test and may preload a sanitizer runtime. botocore (through awscrt) and
python3-cryptography load the system's OpenSSL, which aborts when it cannot
find its own providers there. Import this module first and call hermetic():
it re-executes the program without those variables (same process id)."""

import os
import sys

FOREIGN = ("OPENSSL_MODULES", "OPENSSL_CONF", "LD_PRELOAD")


def hermetic(script):
    if not any(name in os.environ for name in FOREIGN):
        return
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, os.path.abspath(script)] + sys.argv[1:], env)
