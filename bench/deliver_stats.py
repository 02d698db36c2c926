#!/usr/bin/python3
"""Arithmetic for bench/deliver-throughput.sh.

  bound N1 [N2 ...]   the delivery rate AWS's quotas allow for customers
                      receiving N1, N2, ... certificates (one CSP account)
  bound-routes CSP CUSTOMERS
                      the same for several CSP account-regions: CSP and
                      CUSTOMERS are comma-separated certificate counts, one per
                      CSP account-region and per customer account-region
  ops N < STATS       the emulator's GET /_emu/stats as a table: requests per
                      operation, per certificate (of N), and the highest rate
                      seen in any 1-second window per account"""

import json
import sys

# AWS IoT Core's published quotas (requests per second, per account and
# region), as the emulator's --quotas aws enforces them.
QUOTAS = {"RegisterCertificate": 10, "TransferCertificate": 10, "AcceptCertificateTransfer": 10,
          "AttachPolicy": 15, "CreateThing": 15, "AttachThingPrincipal": 15}
# The calls one certificate costs, by the account that makes them.
CSP_CALLS = ("RegisterCertificate", "TransferCertificate")
CUSTOMER_CALLS = ("AcceptCertificateTransfer", "AttachPolicy", "CreateThing",
                  "AttachThingPrincipal")


def cmd_bound(counts):
    """Each account can deliver at most min(quota / calls per certificate)
    certificates per second; the run takes at least as long as the busiest
    account needs, so the bound is total / that time."""
    csp_rate = min(QUOTAS[op] for op in CSP_CALLS)
    cust_rate = min(QUOTAS[op] for op in CUSTOMER_CALLS)
    total = sum(counts)
    csp_s = total / csp_rate
    cust_s = max(counts) / cust_rate
    bound = total / max(csp_s, cust_s)
    print("CSP account: min(%s) = %g certificates/s -> %d certificates need %.1f s"
          % (", ".join("%s %g" % (op, QUOTAS[op]) for op in CSP_CALLS), csp_rate, total, csp_s))
    print("each customer: min(%s) = %g certificates/s -> the busiest (%d certificates) needs "
          "%.1f s" % (", ".join("%s %g" % (op, QUOTAS[op]) for op in CUSTOMER_CALLS), cust_rate,
                      max(counts), cust_s))
    print("bound=%.3f" % bound)


def cmd_bound_routes(csp_counts, customer_counts):
    """Quotas are per account and region: each CSP account-region and each
    customer account-region delivers at most its own rate; the busiest sets
    the time."""
    csp_rate = min(QUOTAS[op] for op in CSP_CALLS)
    cust_rate = min(QUOTAS[op] for op in CUSTOMER_CALLS)
    total = sum(csp_counts)
    need = max(max(csp_counts) / csp_rate, max(customer_counts) / cust_rate)
    print("CSP account-regions %s at %g certificates/s each; customers %s at %g each: "
          "at least %.1f s" % (csp_counts, csp_rate, customer_counts, cust_rate, need))
    print("bound=%.3f" % (total / need))


def cmd_ops(n):
    s = json.load(sys.stdin)
    peaks = {}
    for key, rate in s.get("maxObservedRate", {}).items():
        account, op = key.split("/", 1)
        peaks.setdefault(op, []).append("%s:%d" % (account, rate))
    print("%-28s %8s %8s  %s" % ("operation", "requests", "per cert", "max in 1 s (account:n)"))
    for op, count in sorted(s["byOperation"].items(), key=lambda kv: -kv[1]):
        print("%-28s %8d %8.2f  %s" % (op, count, count / n if n else 0,
                                       " ".join(sorted(peaks.get(op, [])))))
    print("requests=%d quotaThrottled=%d injected=%s byStatus=%s"
          % (s["requests"], s["quotaThrottled"], json.dumps(s["injected"]),
             json.dumps(s["byStatus"])))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "bound":
        cmd_bound([int(x) for x in sys.argv[2:]])
    elif len(sys.argv) == 4 and sys.argv[1] == "bound-routes":
        cmd_bound_routes([int(x) for x in sys.argv[2].split(",")],
                         [int(x) for x in sys.argv[3].split(",")])
    elif len(sys.argv) == 3 and sys.argv[1] == "ops":
        cmd_ops(int(sys.argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
