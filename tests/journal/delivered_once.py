"""Checks, from the AWS emulator's request logs and statistics, what several
daemons on one journal must never do: deliver a certificate twice, or go
over a quota.

  delivered_once.py --url URL --ids FILE [--ids FILE...] [--quota OP=TPS...] [--no-quotas]

For every certificate id listed in the FILEs: exactly one successful
RegisterCertificate (its id is the SHA-256 of the DER the request carried),
one successful TransferCertificate and one successful
AcceptCertificateTransfer, in the logs of all the emulator's accounts; none
for any other certificate; the logs complete. Then the emulator's statistics:
no request throttled by a quota, and no (account, operation) with more
requests in any one-second window than its quota (--quota, else AWS's
published one the emulator enforces) times 1 + --window-slack: the emulator
times a request when its Python thread gets to it (one lock, the GIL), which
bunches requests that were sent spaced (one iotregd on SQLite, chaos.test's
load, shows 12 and 13 in a window at 10 per second); --no-quotas leaves
these out. Last
line: "N passed, M failed"."""

import argparse
import base64
import collections
import hashlib
import json
import math
import os
import re
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "awsemu"))
from emu_quotas import AWS_RATES, IOT_DEFAULT_RATE, STS_DEFAULT_RATE  # noqa: E402

PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)
PATH_ID = {
    "TransferCertificate": re.compile(r"^/transfer-certificate/([0-9a-f]{64})"),
    "AcceptCertificateTransfer": re.compile(r"^/accept-certificate-transfer/([0-9a-f]{64})"),
}
STS_OPS = {"AssumeRole", "GetCallerIdentity"}


def emu_get(url, path):
    with urllib.request.urlopen(url + path, timeout=60) as r:
        return json.loads(r.read())


def registered_id(entry):
    """The id of the certificate a RegisterCertificate request carried."""
    try:
        pem = json.loads(entry.get("body") or "{}").get("certificatePem", "")
    except ValueError:
        return None
    m = PEM.search(pem)
    if m is None:
        return None
    der = base64.b64decode("".join(m.group(1).replace("\\n", "").split()))
    return hashlib.sha256(der).hexdigest()


def cert_of(entry):
    op = entry.get("operation")
    if op == "RegisterCertificate":
        return registered_id(entry)
    pattern = PATH_ID.get(op)
    m = pattern.match(entry.get("path") or "") if pattern else None
    return m.group(1) if m else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--ids", action="append", required=True)
    p.add_argument("--quota", action="append", default=[])
    p.add_argument("--no-quotas", action="store_true")
    p.add_argument("--window-slack", type=float, default=0.0)
    a = p.parse_args()
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL: " + what)

    expect = set()
    for path in a.ids:
        expect.update(l.strip() for l in open(path) if l.strip())
    ok_calls = collections.Counter()  # (operation, certificate id) -> successful calls
    unknown = 0
    for acct in emu_get(a.url, "/_emu/accounts")["accounts"]:
        d = emu_get(a.url, "/_emu/accounts/" + acct["id"])
        check(d.get("requestLogDropped", 0) == 0, "the request log of %s is complete" % acct["id"])
        for e in d["requestLog"]:
            if e.get("operation") not in ("RegisterCertificate",) + tuple(PATH_ID):
                continue
            if e.get("status") != 200:
                continue
            cid = cert_of(e)
            if cid is None:
                unknown += 1
            else:
                ok_calls[(e["operation"], cid)] += 1
    check(unknown == 0, "every successful call names its certificate (%d do not)" % unknown)
    for op in ("RegisterCertificate",) + tuple(PATH_ID):
        counts = collections.Counter(ok_calls[(op, cid)] for cid in expect)
        twice = sorted(cid for cid in expect if ok_calls[(op, cid)] > 1)
        check(counts[1] == len(expect),
              "%s succeeded once for each of the %d certificates (calls per certificate: %s)"
              % (op, len(expect), dict(sorted(counts.items()))))
        check(not twice, "no second successful %s (%d certificates had one, e.g. %s)"
              % (op, len(twice), twice[:3]))
        others = sum(n for (o, cid), n in ok_calls.items() if o == op and cid not in expect)
        check(others == 0, "no %s for a certificate not listed (%d)" % (op, others))
    if a.no_quotas:
        print("%d passed, %d failed" % (passed, failed))
        return 1 if failed else 0

    quotas = dict(AWS_RATES)
    for q in a.quota:
        op, tps = q.split("=", 1)
        quotas[op] = float(tps)
    stats = emu_get(a.url, "/_emu/stats")
    check(stats["quotaThrottled"] == 0, "no request throttled by a quota (%d: %s)"
          % (stats["quotaThrottled"], stats.get("quotaThrottledByOperation")))
    over = {}
    for key, n in stats["maxObservedRate"].items():
        op = key.split("/", 1)[1]
        quota = quotas.get(op, STS_DEFAULT_RATE if op in STS_OPS else IOT_DEFAULT_RATE)
        bound = math.ceil(quota * (1 + a.window_slack))
        if n > bound:
            over[key] = "%d > %d" % (n, bound)
    peaks = ", ".join("%s %d" % (k, n) for k, n in sorted(stats["maxObservedRate"].items()))
    print("most requests in any one-second window: " + peaks)
    check(not over, "no quota exceeded in any one-second window, as the emulator timed the "
          "requests (to %d%% of it: its own timing noise) (%s)" % (100 + 100 * a.window_slack, over))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
