"""Errors the emulator returns, in AWS's own vocabulary.

Two kinds:
- ApiError: a service-specific error type (IoT's CertificateStateException,
  STS's AccessDenied, ...). Its HTTP status comes from the service model when
  not given.
- CommonError: an error every AWS front end produces (bad signature, unknown
  key, throttling, ...). Its type name depends on the service, so it is named
  by a kind and rendered per service.
"""

IOT_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazonaws.iot/"
FRONTEND_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.coral.service/"

# kind -> (IoT type, IoT status, STS code, STS status)
COMMON_ERRORS = {
    "missing": ("MissingAuthenticationTokenException", 403, "MissingAuthenticationToken", 403),
    "incomplete": ("IncompleteSignatureException", 403, "IncompleteSignature", 403),
    "unrecognized": ("UnrecognizedClientException", 403, "InvalidClientTokenId", 403),
    "signature": ("InvalidSignatureException", 403, "SignatureDoesNotMatch", 403),
    "expired": ("ExpiredTokenException", 403, "ExpiredToken", 403),
    "denied": ("AccessDeniedException", 403, "AccessDenied", 403),
    "throttle": ("ThrottlingException", 400, "Throttling", 400),
    "unavailable": ("ServiceUnavailableException", 503, "ServiceUnavailable", 503),
    "internal": ("InternalFailureException", 500, "InternalFailure", 500),
    "validation": ("InvalidRequestException", 400, "ValidationError", 400),
    "serialization": ("SerializationException", 400, "MalformedInput", 400),
    "unknown-operation": ("UnknownOperationException", 404, "InvalidAction", 400),
    "not-implemented": ("NotImplementedException", 501, "NotImplemented", 501),
}

# Kinds raised by the front end (before the service), typed with the coral service namespace.
FRONTEND_KINDS = {"missing", "incomplete", "unrecognized", "signature", "expired",
                  "denied", "serialization", "unknown-operation"}

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details.")
TOKEN_INVALID = "The security token included in the request is invalid."
TOKEN_EXPIRED = "The security token included in the request is expired"


class ApiError(Exception):
    """A service-specific error: code, message, optional status and extra body members."""

    def __init__(self, code, message, status=None, **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = {k: v for k, v in extra.items() if v is not None}


class CommonError(Exception):
    """An error every AWS front end produces; rendered per service from its kind."""

    def __init__(self, kind, message, status=None):
        super().__init__(message)
        if kind not in COMMON_ERRORS:
            raise ValueError("unknown error kind %r" % kind)
        self.kind = kind
        self.message = message
        self.status = status

    def iot(self):
        code, status = COMMON_ERRORS[self.kind][0:2]
        return code, self.status or status

    def sts(self):
        code, status = COMMON_ERRORS[self.kind][2:4]
        return code, self.status or status


def validation_error(violations):
    """AWS's (Coral's) aggregated validation message as a CommonError."""
    n = len(violations)
    message = "%d validation error%s detected: %s" % (
        n, "" if n == 1 else "s", "; ".join(violations))
    return CommonError("validation", message)
