"""SigV4 verification with botocore's signer, not a hand-written one.

The request is rebuilt from exactly what the client signed (the headers named
in SignedHeaders, the raw path, the query, the body) and signed again with
botocore.auth.SigV4Auth using the secret the emulator knows for the access key;
the two signatures are compared in constant time.
"""

import calendar
import hashlib
import hmac
import re
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from emu_errors import SIGNATURE_MISMATCH, CommonError

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 15 * 60
AMZ_DATE = re.compile(r"^\d{8}T\d{6}Z$")


class AuthHeader:
    """The parts of an Authorization header: credential scope, signed headers, signature."""

    def __init__(self, access_key, date, region, service, signed_headers, signature):
        self.access_key = access_key
        self.date = date
        self.region = region
        self.service = service
        self.signed_headers = signed_headers
        self.signature = signature


def parse_authorization(value):
    """Parse 'AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...'."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise CommonError("incomplete", "Unsupported AWS 'algorithm': '%s'" % algorithm[:40])
    fields = {}
    for part in rest.split(","):
        name, sep, val = part.strip().partition("=")
        if sep:
            fields[name] = val
    for required in ("Credential", "SignedHeaders", "Signature"):
        if required not in fields:
            raise CommonError("incomplete", "Authorization header requires '%s' parameter. "
                              "Authorization=%s" % (required, ALGORITHM))
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise CommonError("incomplete", "Credential should be scoped to a valid region, and "
                          "end with 'aws4_request'.")
    signed = fields["SignedHeaders"].split(";")
    return AuthHeader(scope[0], scope[1], scope[2], scope[3], signed, fields["Signature"])


def scope_service(headers):
    """The service named in the request's credential scope, or None."""
    value = headers.get("authorization")
    if not value:
        return None
    try:
        return parse_authorization(value).service
    except CommonError:
        return None


class _VerifierAuth(SigV4Auth):
    """botocore's SigV4 signer, canonicalising exactly the headers the client signed.

    botocore's signer leaves out user-agent, expect and x-amzn-trace-id when it
    signs; a verifier must use whatever the client listed in SignedHeaders."""

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name, value in request.headers.items():
            header_map[name.lower()] = value
        return header_map


def check_request_time(amz_date, scope_date, now=None):
    """Reject a date that does not match the scope, or that is off by more than 15 minutes."""
    if not amz_date or not AMZ_DATE.match(amz_date):
        raise CommonError("incomplete", "Authorization header requires existence of either "
                          "a 'X-Amz-Date' or a 'Date' header.")
    if amz_date[:8] != scope_date:
        raise CommonError("signature", "Date in Credential scope does not match YYYYMMDD from "
                          "ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'."
                          % (scope_date, amz_date[:8], amz_date))
    signed_at = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    now = time.time() if now is None else now
    fmt = lambda t: time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))
    if signed_at < now - MAX_SKEW_SECONDS:
        raise CommonError("signature", "Signature expired: %s is now earlier than %s (%s - 15 min.)"
                          % (amz_date, fmt(now - MAX_SKEW_SECONDS), fmt(now)))
    if signed_at > now + MAX_SKEW_SECONDS:
        raise CommonError("signature", "Signature not yet current: %s is still later than %s "
                          "(%s + 15 min.)" % (amz_date, fmt(now + MAX_SKEW_SECONDS), fmt(now)))


def _signed_header_values(request, names):
    """The (name, value) pairs of the signed headers, or None if one is missing."""
    pairs = []
    for name in names:
        values = request.header_values(name)
        if not values:
            return None
        pairs.extend((name, v) for v in values)
    return pairs


def compute_signature(request, auth, secret, token=None):
    """The signature botocore computes for request under auth's scope, or None if the
    signed headers the client names are not all present."""
    pairs = _signed_header_values(request, auth.signed_headers)
    if pairs is None:
        return None
    aws_request = AWSRequest(method=request.method,
                             url="http://emulator" + (request.raw_path or "/"),
                             data=request.body,
                             params=request.query_pairs)
    for name, value in pairs:
        aws_request.headers[name] = value
    aws_request.context["timestamp"] = request.header("x-amz-date")
    signer = _VerifierAuth(Credentials("unused", secret, token), auth.service, auth.region)
    if signer.signed_headers(signer.headers_to_sign(aws_request)) != ";".join(auth.signed_headers):
        return None
    canonical = signer.canonical_request(aws_request)
    return signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)


def verify_signature(request, auth, secret):
    """Raise CommonError('signature') unless auth.signature is right for request."""
    if "host" not in auth.signed_headers:
        raise CommonError("signature", "'Host' or ':authority' must be a 'SignedHeader' in the "
                          "AWS Authorization.")
    claimed = request.header("x-amz-content-sha256")
    if claimed and claimed != hashlib.sha256(request.body or b"").hexdigest():
        # Services other than S3 sign the payload's real hash, whatever the header claims.
        raise CommonError("signature", SIGNATURE_MISMATCH)
    expected = compute_signature(request, auth, secret)
    if expected is None or not hmac.compare_digest(expected, auth.signature):
        raise CommonError("signature", SIGNATURE_MISMATCH)
