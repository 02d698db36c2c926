"""STS: AssumeRole and GetCallerIdentity over the Query protocol, XML responses."""

import re
from xml.sax.saxutils import escape

from emu_errors import ApiError, CommonError
from emu_model import Validator, lower_camel, parse_query_input, split_query
from emu_util import iso8601, request_id

NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
ROLE_ARN = re.compile(r"^arn:aws:iam::([0-9]{12}):role/(.+)$")
CHAINED_MAX = 3600
IMPLEMENTED = ("AssumeRole", "GetCallerIdentity")


def form_params(request):
    """The Query-protocol parameters: the form body of a POST, else the query string."""
    params = [p for p in request.query_pairs if not p[0].startswith("X-Amz-")]
    if request.method == "POST":
        text = request.body.decode("utf-8", errors="replace").replace("+", "%20")
        params += split_query(text)
    return params


def xml_elements(obj):
    parts = []
    for name, value in obj.items():
        inner = xml_elements(value) if isinstance(value, dict) else escape(str(value))
        parts.append("<%s>%s</%s>" % (name, inner, name))
    return "".join(parts)


def render_result(action, result, req_id):
    return ('<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>%s'
            '</RequestId></ResponseMetadata></%sResponse>\n'
            % (action, NAMESPACE, action, xml_elements(result), action, req_id, action))


def render_error(code, message, req_id, sender=True):
    return ('<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s'
            '</Message></Error><RequestId>%s</RequestId></ErrorResponse>\n'
            % (NAMESPACE, "Sender" if sender else "Receiver", escape(code), escape(message),
               req_id))


class StsService:
    def __init__(self, model, config, credentials):
        self.model = model
        self.config = config
        self.credentials = credentials
        self.validator = Validator(model, lower_camel)

    def operation(self, params):
        """The operation a request names (Action), or raise the error STS gives."""
        action = dict(params).get("Action")
        if not action:
            raise ApiError("MissingAction", "Missing Action", 400)
        if action not in self.model.operations:
            raise ApiError("InvalidAction", "Could not find operation %s for version 2011-06-15"
                           % action[:64], 400)
        if action not in IMPLEMENTED:
            raise CommonError("not-implemented", "awsemu does not implement sts:%s" % action)
        return action

    def parse(self, action, params):
        args = parse_query_input(self.model, action, params)
        self.validator.validate(action, args)
        return args

    def call(self, action, args, principal):
        """Run action; returns the Result members as an ordered dict."""
        if action == "GetCallerIdentity":
            return {"UserId": principal.user_id, "Account": principal.account_id,
                    "Arn": principal.arn}
        return self.assume_role(args, principal)

    def _denied(self, principal, role_arn):
        return ApiError("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole "
                        "on resource: %s" % (principal.arn, role_arn), 403)

    def _find_role(self, role_arn):
        m = ROLE_ARN.match(role_arn)
        if not m:
            raise ApiError("ValidationError", "%s is invalid" % role_arn[:128], 400)
        account = self.config.accounts.get(m.group(1))
        return account.roles.get(m.group(2)) if account else None

    def assume_role(self, args, principal):
        role_arn = args["RoleArn"]
        role = self._find_role(role_arn)
        if not principal.allows("sts:AssumeRole"):
            raise self._denied(principal, role_arn)
        if role is None or principal.account_id not in role.trusted_accounts:
            raise self._denied(principal, role_arn)
        if role.external_id is not None and args.get("ExternalId") != role.external_id:
            raise self._denied(principal, role_arn)
        duration = args.get("DurationSeconds", 3600)
        if principal.is_assumed_role and duration > CHAINED_MAX:
            raise ApiError("ValidationError", "The requested DurationSeconds exceeds the 1 hour "
                           "session limit for roles assumed by role chaining.", 400)
        if duration > role.max_session:
            raise ApiError("ValidationError", "The requested DurationSeconds exceeds the "
                           "MaxSessionDuration set for this role.", 400)
        session = self.credentials.issue(role, args["RoleSessionName"], duration)
        assumed = session.principal()
        return {
            "Credentials": {"AccessKeyId": session.access_key,
                            "SecretAccessKey": session.secret,
                            "SessionToken": session.token,
                            "Expiration": iso8601(session.expiration)},
            "AssumedRoleUser": {"AssumedRoleId": assumed.user_id, "Arn": assumed.arn},
        }

    def respond(self, action, result, req_id=None):
        return render_result(action, result, req_id or request_id())
