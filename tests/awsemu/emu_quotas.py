"""Per (account, region, API) token buckets with AWS IoT's published rate quotas, and a rate observer."""

import collections
import time

# Transactions per second; bucket capacity (burst) is one second's worth.
IOT_DEFAULT_RATE = 10
STS_DEFAULT_RATE = 100
AWS_RATES = {
    "RegisterCertificate": 10, "RegisterCACertificate": 10, "RegisterCertificateWithoutCA": 10,
    "TransferCertificate": 10, "AcceptCertificateTransfer": 10, "RejectCertificateTransfer": 10,
    "CancelCertificateTransfer": 10, "UpdateCertificate": 10, "DescribeCertificate": 10,
    "ListCertificates": 10, "CreatePolicy": 10, "GetPolicy": 10,
    "AttachPolicy": 15, "CreateThing": 15, "AttachThingPrincipal": 15,
    "AddThingToThingGroup": 15,
    "AssumeRole": 100,
}


class TokenBucket:
    def __init__(self, rate, clock=time.monotonic):
        self.rate = float(rate)
        self.capacity = float(rate)
        self.tokens = float(rate)
        self.clock = clock
        self.stamp = clock()

    def take(self):
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Quotas:
    """Decides whether a call fits its (account, region, operation) bucket: every region
    of an account has its own buckets, as AWS's quotas are per account and region.

    Rates: AWS_RATES, overridden by the accounts file's top-level "quotas" and
    then by the account's own "quotas" ("*" sets the default; null or 0 means
    no limit)."""

    def __init__(self, config, enabled=True):
        self.config = config
        self.enabled = enabled
        self.buckets = {}

    def rate(self, account_id, service, op):
        default = STS_DEFAULT_RATE if service == "sts" else IOT_DEFAULT_RATE
        rate = AWS_RATES.get(op, default)
        account = self.config.accounts.get(account_id)
        for overrides in (self.config.quotas, account.quotas if account else {}):
            if op in overrides:
                rate = overrides[op]
            elif "*" in overrides and op not in AWS_RATES:
                rate = overrides["*"]
        return rate

    def allow(self, account_id, region, service, op):
        if not self.enabled:
            return True
        key = (account_id, region, service, op)
        bucket = self.buckets.get(key)
        if bucket is None:
            rate = self.rate(account_id, service, op)
            if not rate or rate <= 0:
                return True
            bucket = self.buckets[key] = TokenBucket(rate)
        return bucket.take()


class RateObserver:
    """The highest number of calls seen within any one-second window, per key."""

    def __init__(self, window=1.0, clock=time.monotonic):
        self.window = window
        self.clock = clock
        self.recent = collections.defaultdict(collections.deque)
        self.maximum = {}

    def observe(self, key):
        now = self.clock()
        times = self.recent[key]
        times.append(now)
        while times and times[0] <= now - self.window:
            times.popleft()
        self.maximum[key] = max(self.maximum.get(key, 0), len(times))

    def reset(self):
        self.recent.clear()
        self.maximum.clear()
