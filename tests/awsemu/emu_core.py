"""The emulator: authenticates, authorises, injects faults, enforces quotas, runs operations.

Emulator.handle(Request) -> Response is the whole behaviour; emu_server only
carries it over HTTP. One lock serialises everything that touches state.
"""

import re
import sys
import threading
import time
import traceback

import emu_endpoints  # noqa: F401  (registers operations)
import emu_iot_certs  # noqa: F401  (registers operations)
import emu_iot_things  # noqa: F401  (registers operations)
from emu_admin import Admin
from emu_errors import (FRONTEND_TYPE_SUFFIX, FRONTEND_KINDS, IOT_TYPE_SUFFIX, TOKEN_INVALID,
                        ApiError, CommonError)
from emu_faults import Faults, Stats
from emu_http import Response
from emu_identity import CredentialStore
from emu_iot_state import IOT_OPERATIONS, CallContext, Regions
from emu_model import Router, ServiceModel, Validator, parse_rest_json_input
from emu_quotas import Quotas, RateObserver
from emu_sigv4 import check_request_time, parse_authorization, scope_service, verify_signature
from emu_sts import StsService, form_params, render_error
from emu_util import iso8601_ms, now, request_id

IOT_SIGNING_NAMES = ("iot", "execute-api")
DEFAULT_LOG_LIMIT = 100000
BODY_LOG_LIMIT = 65536
# AWS's API host names: iot.REGION.amazonaws.com, sts.REGION.amazonaws.com, and STS's
# global sts.amazonaws.com (us-east-1); any other host (a loopback name, an IP:port) says
# nothing about the region.
_API_HOST = re.compile(r"^(iot|sts)\.(?:([a-z]{2}(?:-[a-z]+)+-[0-9]+)\.)?([a-z0-9.-]+?)\.?(?::[0-9]+)?$")


def host_region(host, domains):
    """The region an API host name names, or None (not an AWS API host name)."""
    m = _API_HOST.match((host or "").strip().lower())
    if not m or m.group(3) not in domains:
        return None
    if m.group(2) is None:
        return "us-east-1" if m.group(1) == "sts" else None
    return m.group(2)


class Call:
    """One API request on its way through the emulator, and what is logged about it."""

    def __init__(self, request):
        self.request = request
        self.started = time.monotonic()
        self.service = None
        self.operation = None
        self.labels = None
        self.sts_params = None
        self.deferred_error = None      # a routing error, raised once the caller is known
        self.access_key = None
        self.account_id = None
        self.region = None              # the credential scope's, once it is known to be served
        self.principal = None
        self.status = None
        self.error_type = None
        self.request_id = request_id()


class Emulator:
    def __init__(self, config, quotas_enabled=True, latency_ms=0, state_dir=None,
                 log=sys.stderr, log_limit=DEFAULT_LOG_LIMIT, data_domain="amazonaws.com"):
        self.config = config
        self.lock = threading.RLock()
        self.log = log
        self.log_limit = log_limit
        self.state_dir = state_dir
        self.iot_model = ServiceModel("iot")
        self.sts_model = ServiceModel("sts")
        self.router = Router(self.iot_model)
        self.iot_validator = Validator(self.iot_model)
        self.credentials = CredentialStore(config)
        self.sts = StsService(self.sts_model, config, self.credentials)
        self.data_domain = data_domain
        self.regions = Regions(config, log_limit, data_domain)
        self.iot = self.regions[config.region]      # the default region's state
        self.quotas = Quotas(config, quotas_enabled)
        self.faults = Faults(latency_ms)
        self.stats = Stats()
        self.rates = RateObserver()
        self.admin = Admin(self)
        self.dataplane = None           # emu_dataplane.DataPlane when --data-listen is given

    # ------------------------------------------------------------ entry point

    def handle(self, request):
        if request.raw_path == "/_emu" or request.raw_path.startswith("/_emu/"):
            return self.admin.handle(request)
        with self.lock:
            call = Call(request)
            response = self._serve(call)
            self._record(call, response)
        return response

    def latency_seconds(self):
        return self.faults.latency_ms / 1000.0

    def _serve(self, call):
        try:
            self._identify(call)
            self._authenticate(call)
            if call.deferred_error:
                raise call.deferred_error
            fault = self.faults.decide()
            if fault is not None:
                self.stats.injected_fault(fault)
                if fault == "reset":
                    return Response.connection_reset()
                raise fault
            self._authorize(call)
            self._take_quota(call)
            return self._run(call)
        except (ApiError, CommonError) as e:
            return self._error(call, e)
        except Exception:
            traceback.print_exc(file=self.log)
            return self._error(call, CommonError("internal", "Internal Failure"))

    # ------------------------------------------------------------ steps

    def _identify(self, call):
        """Which service and operation the request is for (errors deferred until after auth)."""
        request = call.request
        call.service = self._service_of(request)
        try:
            if call.service == "sts":
                call.sts_params = form_params(request)
                call.operation = self.sts.operation(call.sts_params)
            else:
                call.operation, call.labels = self.router.match(
                    request.method, request.raw_path, request.query_pairs)
                if call.operation is None:
                    raise CommonError("unknown-operation", "No IoT operation matches %s %s"
                                      % (request.method, request.raw_path[:200]))
                if call.operation not in IOT_OPERATIONS:
                    raise CommonError("not-implemented",
                                      "awsemu does not implement iot:%s" % call.operation)
        except (ApiError, CommonError) as e:
            call.deferred_error = e

    @staticmethod
    def _service_of(request):
        service = scope_service(request.headers)
        if service == "sts":
            return "sts"
        if service is None and request.raw_path == "/" and (
                request.method == "POST" or any(k == "Action" for k, _ in request.query_pairs)):
            return "sts"
        return "iot"

    def _authenticate(self, call):
        request = call.request
        header = request.header("authorization")
        if not header:
            raise CommonError("missing", "Missing Authentication Token" if call.service == "iot"
                              else "Request is missing Authentication Token")
        auth = parse_authorization(header)
        call.access_key = auth.access_key
        call.account_id = self.credentials.account_of(auth.access_key)
        secret, principal = self.credentials.resolve(
            auth.access_key, request.header("x-amz-security-token"))
        call.principal = principal
        if call.service == "iot" and auth.service not in IOT_SIGNING_NAMES:
            raise CommonError("signature", "Credential should be scoped to correct service: "
                              "'iot'. ")
        self._check_region(call, auth.region)
        check_request_time(request.header("x-amz-date"), auth.date)
        verify_signature(request, auth, secret)

    def _check_region(self, call, region):
        """The credential scope's region must be the endpoint host's (when the host is an AWS
        name) and one the emulator serves; IoT also needs the caller's account to serve it
        (STS is global: any served region's scope works for every account)."""
        named = host_region(call.request.header("host"), ("amazonaws.com", self.data_domain))
        if (named is not None and named != region) or region not in self.regions.states:
            raise CommonError("signature", "Credential should be scoped to a valid region. ")
        if call.service == "iot" and not self.config.serves(call.principal.account_id, region):
            # What AWS answers in a region the account cannot use (an opt-in region not
            # enabled for it): the region does not know the credentials.
            raise CommonError("unrecognized", TOKEN_INVALID)
        call.region = region

    def _authorize(self, call):
        if call.service != "iot":
            return      # AssumeRole checks its own permission; GetCallerIdentity needs none
        action = "iot:" + call.operation
        if not call.principal.allows(action):
            raise CommonError("denied", "User: %s is not authorized to perform: %s because no "
                              "identity-based policy allows the %s action"
                              % (call.principal.arn, action, action))

    def _take_quota(self, call):
        account_id = call.principal.account_id
        # maxObservedRate keys: ACCOUNT/OP in the default region, ACCOUNT@REGION/OP elsewhere
        where = account_id if call.region == self.config.region else "%s@%s" % (
            account_id, call.region)
        self.rates.observe((where, call.operation))
        if not self.quotas.allow(account_id, call.region, call.service, call.operation):
            self.stats.quota_hit(call.operation)
            raise CommonError("throttle", "Rate exceeded")

    def _run(self, call):
        if call.service == "sts":
            args = self.sts.parse(call.operation, call.sts_params)
            result = self.sts.call(call.operation, args, call.principal)
            body = self.sts.respond(call.operation, result, call.request_id)
            return Response(200, body, "text/xml", [("x-amzn-RequestId", call.request_id)])
        return self._run_iot(call)

    def _run_iot(self, call):
        request, op = call.request, call.operation
        params = parse_rest_json_input(self.iot_model, op, call.labels, request.query_pairs,
                                       request.headers, request.body)
        self.iot_validator.validate(op, params)
        state = self.regions[call.region]
        ctx = CallContext(state, state.accounts[call.principal.account_id],
                          call.principal, self.config, now())
        result = IOT_OPERATIONS[op](ctx, params)
        if not self.iot_model.has_output(op):
            result = None
        elif result is None:
            result = {}
        return Response.json(result, headers=[("x-amzn-RequestId", call.request_id)])

    # ------------------------------------------------------------ errors and records

    def _error(self, call, error):
        if call.service == "sts":
            return self._sts_error(call, error)
        if isinstance(error, CommonError):
            code, status = error.iot()
            suffix = FRONTEND_TYPE_SUFFIX if error.kind in FRONTEND_KINDS else IOT_TYPE_SUFFIX
            body = {"message": error.message}
        else:
            code, suffix = error.code, IOT_TYPE_SUFFIX
            status = error.status or self.iot_model.error_status(code) or 400
            body = {"message": error.message, **error.extra}
        call.error_type = code
        return Response.json(body, status, [("x-amzn-RequestId", call.request_id),
                                            ("x-amzn-ErrorType", code + suffix)])

    def _sts_error(self, call, error):
        if isinstance(error, CommonError):
            code, status = error.sts()
        else:
            code, status = error.code, error.status or 400
        call.error_type = code
        body = render_error(code, error.message, call.request_id, sender=status < 500)
        return Response(status, body, "text/xml", [("x-amzn-RequestId", call.request_id)])

    def _record(self, call, response):
        status = "reset" if response.reset else response.status
        if response.reset:
            call.error_type = "ConnectionReset"
        self.stats.record(call.operation, status)
        request = call.request
        entry = {"time": iso8601_ms(time.time()),
                 "operation": call.operation, "service": call.service,
                 "principalArn": call.principal.arn if call.principal else None,
                 "account": call.account_id, "accessKeyId": call.access_key,
                 "status": status, "errorType": call.error_type,
                 "method": request.method, "path": request.raw_path,
                 "query": request.raw_query, "body": request.body_text(BODY_LOG_LIMIT)}
        account = None
        if call.region is not None:
            account = self.regions.account(call.account_id, call.region)
        if account is None:     # not authenticated that far, or STS in a region it lacks
            account = self.regions.account(call.account_id)
        if account is not None:
            account.log_request(entry)
        self.log.write("awsemu: %s %s %s account=%s status=%s%s %.1fms\n" % (
            call.service, call.operation or "-", request.method, call.account_id or "-", status,
            " error=" + call.error_type if call.error_type else "",
            (time.monotonic() - call.started) * 1000))
        self.log.flush()
