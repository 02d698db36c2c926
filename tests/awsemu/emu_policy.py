"""AWS IoT policy evaluation for the data plane (iot:Connect, Publish, Receive, Subscribe).

The rules (AWS IoT developer guide, "AWS IoT Core policies"):
- a request is allowed when some statement of the attached policies allows it and no
  statement denies it (explicit Deny wins; nothing allows: denied);
- Action and Resource are a string or a list; `*` matches any run of characters and `?`
  one character (case-insensitive for actions, case-sensitive for resources); MQTT's `+`
  and `#` are ordinary characters in policies;
- NotAction / NotResource invert the match;
- policy variables `${iot:ClientId}`, `${iot:Connection.Thing.ThingName}`,
  `${iot:Connection.Thing.IsAttached}`, `${iot:Certificate.Subject.CommonName}` (and the
  other `iot:Certificate.Subject.*` attributes) are substituted in resources and
  condition values; a statement element that uses a variable with no value (no thing
  attached, a subject without that attribute) matches nothing, as in IAM;
- Condition operators StringEquals, StringNotEquals, StringLike, StringNotLike (with the
  IgnoreCase variants of the first two), Bool and Null, with the same keys as the
  variables; every operator of a condition block must hold (AND), any value of a list
  may match (OR).
"""

import json
import re

_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Unresolved(Exception):
    pass


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _glob(pattern, text, ignore_case=False):
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL | (re.IGNORECASE if ignore_case else 0)) \
        is not None


def substitute(text, context):
    """text with its ${...} variables replaced from context; Unresolved if one has no value."""
    def value(match):
        name = match.group(1)
        v = context.get(name)
        if v is None:
            raise Unresolved(name)
        return v
    return _VARIABLE.sub(value, text)


def _condition_holds(conditions, context):
    if not isinstance(conditions, dict):
        return False
    for operator, tests in conditions.items():
        if not isinstance(tests, dict):
            return False
        for key, expected in tests.items():
            if not _operator_holds(operator, context.get(key), _as_list(expected), context):
                return False
    return True


def _operator_holds(operator, actual, expected, context):
    if operator == "Null":
        want_null = str(expected[0]).lower() == "true" if expected else True
        return (actual is None) == want_null
    if actual is None:
        return operator.startswith("StringNot")     # absent key: negated operators hold
    values = []
    for e in expected:
        try:
            values.append(substitute(str(e), context))
        except Unresolved:
            continue
    if operator == "Bool":
        return any(actual.lower() == v.lower() for v in values)
    if operator in ("StringEquals", "StringNotEquals"):
        hit = any(actual == v for v in values)
    elif operator in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        hit = any(actual.lower() == v.lower() for v in values)
    elif operator in ("StringLike", "StringNotLike"):
        hit = any(_glob(v, actual) for v in values)
    else:
        return False        # an operator the emulator does not know never holds
    return not hit if "Not" in operator else hit


def _matches_any(patterns, text, context, ignore_case):
    for pattern in patterns:
        if not isinstance(pattern, str):
            continue
        try:
            pattern = substitute(pattern, context)
        except Unresolved:
            continue
        if _glob(pattern, text, ignore_case):
            return True
    return False


def _statement_applies(statement, action, resource, context):
    if not isinstance(statement, dict):
        return False
    if "Action" in statement:
        action_ok = _matches_any(_as_list(statement["Action"]), action, context, True)
    elif "NotAction" in statement:
        action_ok = not _matches_any(_as_list(statement["NotAction"]), action, context, True)
    else:
        return False
    if not action_ok:
        return False
    if "Resource" in statement:
        resource_ok = _matches_any(_as_list(statement["Resource"]), resource, context, False)
    elif "NotResource" in statement:
        resource_ok = not _matches_any(_as_list(statement["NotResource"]), resource, context,
                                       False)
    else:
        return False
    if not resource_ok:
        return False
    return "Condition" not in statement or _condition_holds(statement["Condition"], context)


def statements(documents):
    """Every statement of the given policy documents (JSON text); bad ones are skipped."""
    out = []
    for text in documents:
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        if isinstance(doc, dict):
            out.extend(s for s in _as_list(doc.get("Statement")) if isinstance(s, dict))
    return out


def evaluate(documents, action, resource, context):
    """("Allow" | "Deny" | "NoMatch", the deciding statement's Sid or None).

    Only "Allow" permits the request; "Deny" is an explicit Deny."""
    allowed, sid = False, None
    for statement in statements(documents):
        if not _statement_applies(statement, action, resource, context):
            continue
        effect = statement.get("Effect")
        if effect == "Deny":
            return "Deny", statement.get("Sid")
        if effect == "Allow" and not allowed:
            allowed, sid = True, statement.get("Sid")
    return ("Allow", sid) if allowed else ("NoMatch", None)
