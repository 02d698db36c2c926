"""Fault injection (latency, 5xx, throttling, dropped connections) and request statistics."""

import collections
import random

from emu_errors import CommonError


class FaultConfigError(ValueError):
    pass


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Faults:
    """The fault settings of POST /_emu/faults; each POST replaces the previous ones.

    latencyMs (default: the --latency-ms value), rate5xx, rateThrottle,
    rateReset (probabilities 0..1), seed (for a reproducible sequence)."""

    KEYS = ("latencyMs", "rate5xx", "rateThrottle", "rateReset", "seed")

    def __init__(self, base_latency_ms=0):
        self.base_latency_ms = base_latency_ms
        self.configure({})

    def configure(self, settings):
        unknown = set(settings) - set(self.KEYS)
        if unknown:
            raise FaultConfigError("unknown fault settings: %s" % ", ".join(sorted(unknown)))
        rates = {}
        for key in ("rate5xx", "rateThrottle", "rateReset"):
            value = settings.get(key, 0)
            if not _is_number(value) or not 0 <= value <= 1:
                raise FaultConfigError("%s must be a number between 0 and 1" % key)
            rates[key] = float(value)
        latency = settings.get("latencyMs", self.base_latency_ms)
        if not _is_number(latency) or latency < 0:
            raise FaultConfigError("latencyMs must be a non-negative number")
        self.latency_ms = latency
        self.rates = rates
        self.random = random.Random(settings.get("seed"))
        self.turn_5xx = 0
        self.turn_throttle = 0

    def settings(self):
        return {"latencyMs": self.latency_ms, **self.rates}

    def decide(self):
        """None, 'reset', or a CommonError to answer with instead of running the request."""
        r = self.rates
        if r["rateReset"] and self.random.random() < r["rateReset"]:
            return "reset"
        if r["rate5xx"] and self.random.random() < r["rate5xx"]:
            self.turn_5xx += 1
            if self.turn_5xx % 2:
                return CommonError("unavailable", "Service Unavailable (awsemu fault injection)")
            return CommonError("internal", "Internal Failure (awsemu fault injection)")
        if r["rateThrottle"] and self.random.random() < r["rateThrottle"]:
            self.turn_throttle += 1
            status = 400 if self.turn_throttle % 2 else 429
            return CommonError("throttle", "Rate exceeded", status)
        return None


class Stats:
    def __init__(self):
        self.reset()

    def reset(self):
        self.requests = 0
        self.by_operation = collections.Counter()
        self.by_status = collections.Counter()
        self.quota_throttled = 0
        self.quota_throttled_by_operation = collections.Counter()
        self.injected = {"5xx": 0, "throttle": 0, "reset": 0}

    def record(self, operation, status):
        self.requests += 1
        self.by_operation[operation or "(unknown)"] += 1
        self.by_status[str(status)] += 1

    def quota_hit(self, operation):
        self.quota_throttled += 1
        self.quota_throttled_by_operation[operation] += 1

    def injected_fault(self, fault):
        if fault == "reset":
            self.injected["reset"] += 1
        elif fault.kind == "throttle":
            self.injected["throttle"] += 1
        else:
            self.injected["5xx"] += 1

    def to_dict(self, max_rates):
        return {"requests": self.requests, "byOperation": dict(self.by_operation),
                "byStatus": dict(self.by_status), "quotaThrottled": self.quota_throttled,
                "quotaThrottledByOperation": dict(self.quota_throttled_by_operation),
                "injected": dict(self.injected),
                "maxObservedRate": {"%s/%s" % k: v for k, v in sorted(max_rates.items())}}
