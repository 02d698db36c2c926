#!/usr/bin/python3
"""Run one of the emulator's unittest modules; print 'N passed, M failed' as the last line.

Exit status: 0 if everything passed, 1 on any failure, 77 (automake's "skip")
when a required package is missing."""

import os
import sys
import unittest

SKIP = 77


def missing_packages():
    missing = []
    for module in ("botocore", "boto3", "cryptography"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    return missing


def main(argv):
    sys.dont_write_bytecode = True     # never write __pycache__ into the source tree
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import emu_env
    emu_env.hermetic(__file__)
    missing = missing_packages()
    if missing:
        print("SKIP: missing Python packages: %s (install python3-%s)"
              % (", ".join(missing), " python3-".join(missing)))
        print("0 passed, 0 failed")
        return SKIP
    module = __import__(argv[1])
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    sys.stdout.flush()
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    if skipped and not failed and result.testsRun <= skipped:
        print("0 passed, 0 failed")     # everything skipped (e.g. awscli not installed)
        return SKIP
    print("%d passed, %d failed" % (result.testsRun - failed - skipped, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
