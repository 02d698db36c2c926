"""Small helpers shared by the emulator's modules: clock, ids, ARNs, JSON files."""

import hashlib
import json
import os
import secrets
import string
import tempfile
import time
import uuid

UPPER_ALNUM = string.ascii_uppercase + string.digits


def now():
    """Wall-clock time as AWS reports it: epoch seconds, millisecond precision."""
    return round(time.time(), 3)


def iso8601(epoch):
    """2024-01-02T03:04:05Z, the form STS uses for Expiration."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def iso8601_ms(epoch):
    """2024-01-02T03:04:05.678Z, for the request log."""
    return "%s.%03dZ" % (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)),
                         int(epoch * 1000) % 1000)


def request_id():
    return str(uuid.uuid4())


def random_upper(n):
    return "".join(secrets.choice(UPPER_ALNUM) for _ in range(n))


def stable_upper(seed, n):
    """A deterministic upper-case id derived from seed (for user and role ids)."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(UPPER_ALNUM[b % len(UPPER_ALNUM)] for b in digest[:n])


def iot_arn(region, account, kind, name):
    return "arn:aws:iot:%s:%s:%s/%s" % (region, account, kind, name)


def parse_iot_arn(arn):
    """arn:aws:iot:REGION:ACCOUNT:KIND/NAME -> (region, account, kind, name) or None."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) != 6 or parts[:3] != ["arn", "aws", "iot"]:
        return None
    kind, sep, name = parts[5].partition("/")
    if not sep or not name:
        return None
    return parts[3], parts[4], kind, name


def write_json_atomic(path, data, mode=0o600):
    """Write data as JSON to path via a temporary file and rename."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_text_atomic(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
