"""AWS service models: loading, routing rest-json requests, parsing and validating input.

The models come from <shared>/aws-models/{iot,sts}/service-2.json when present
(newer than the ones botocore ships), else from botocore's bundled data.
<shared> is <repo>/../shared, or $IOTREG_SHARED_DIR.
"""

import json
import os
import re
from urllib.parse import unquote

from emu_errors import CommonError, validation_error

HERE = os.path.dirname(os.path.abspath(__file__))


def shared_dir():
    env = os.environ.get("IOTREG_SHARED_DIR")
    if env:
        return env
    return os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared"))


def load_service_model(service):
    """The service-2 model of service as a dict, and where it came from."""
    path = os.path.join(shared_dir(), "aws-models", service, "service-2.json")
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f), path
    import botocore.loaders
    return botocore.loaders.create_loader().load_service_model(service, "service-2"), "botocore"


def split_query(raw_query):
    """Decode a raw query string into (name, value) pairs, in order.

    '+' is kept literally (SigV4 clients encode spaces as %20)."""
    pairs = []
    for part in raw_query.split("&") if raw_query else []:
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append((unquote(name), unquote(value)))
    return pairs


class ServiceModel:
    def __init__(self, service):
        self.data, self.source = load_service_model(service)
        self.shapes = self.data["shapes"]
        self.operations = self.data["operations"]

    def shape(self, name):
        return self.shapes[name]

    def input_shape(self, op_name):
        ref = self.operations[op_name].get("input")
        return self.shapes[ref["shape"]] if ref else {"type": "structure", "members": {}}

    def has_output(self, op_name):
        return "output" in self.operations[op_name]

    def error_status(self, code):
        shape = self.shapes.get(code)
        if shape and shape.get("exception"):
            return shape.get("error", {}).get("httpStatusCode", 400)
        return None


# ---------------------------------------------------------------- routing

class Route:
    def __init__(self, op_name, method, request_uri):
        self.op_name = op_name
        self.method = method
        path, _, literal_query = request_uri.partition("?")
        self.required_query = [q.split("=")[0] for q in literal_query.split("&") if q]
        self.labels = []
        self.literal_chars = 0
        self.regex = re.compile("^" + self._pattern(path) + "$")

    def _pattern(self, path):
        parts = []
        for piece in re.split(r"(\{[^}]+\})", path):
            if piece.startswith("{") and piece.endswith("}"):
                name = piece[1:-1]
                greedy = name.endswith("+")
                self.labels.append(name.rstrip("+"))
                parts.append("(.+)" if greedy else "([^/]+)")
            else:
                self.literal_chars += len(piece)
                parts.append(re.escape(piece))
        return "".join(parts)

    def sort_key(self):
        return (-len(self.required_query), len(self.labels), -self.literal_chars)

    def match(self, raw_path, query_names):
        m = self.regex.match(raw_path)
        if not m or any(q not in query_names for q in self.required_query):
            return None
        return {name: unquote(value) for name, value in zip(self.labels, m.groups())}


class Router:
    """Maps (method, raw path, query) to an operation, from the model's requestUri templates."""

    def __init__(self, model):
        self.routes = {}
        for name, op in model.operations.items():
            http = op.get("http", {})
            route = Route(name, http.get("method", "POST"), http.get("requestUri", "/"))
            self.routes.setdefault(route.method, []).append(route)
        for routes in self.routes.values():
            routes.sort(key=Route.sort_key)

    def match(self, method, raw_path, query_pairs):
        names = {n for n, _ in query_pairs}
        for route in self.routes.get(method, []):
            labels = route.match(raw_path, names)
            if labels is not None:
                return route.op_name, labels
        return None, None


# ---------------------------------------------------------------- input parsing

def _convert_scalar(shape, text, member, violations):
    kind = shape["type"]
    if kind == "boolean":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        violations.append("Value '%s' at '%s' failed to satisfy constraint: "
                          "Member must be a boolean" % (_short(text), member))
        return None
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            violations.append("Value '%s' at '%s' failed to satisfy constraint: "
                              "Member must be an integer" % (_short(text), member))
            return None
    if kind in ("double", "float"):
        try:
            return float(text)
        except ValueError:
            violations.append("Value '%s' at '%s' failed to satisfy constraint: "
                              "Member must be a number" % (_short(text), member))
            return None
    return text


def parse_rest_json_input(model, op_name, labels, query_pairs, headers, body):
    """Collect an operation's input members from the URI, query, headers and JSON body."""
    shape = model.input_shape(op_name)
    params, violations = {}, []
    query = {}
    for name, value in query_pairs:
        query.setdefault(name, []).append(value)
    body_obj = _json_body(body) if _has_body_members(shape) else {}
    payload = shape.get("payload")
    for member, ref in shape.get("members", {}).items():
        target = model.shape(ref["shape"])
        location = ref.get("location")
        wire = ref.get("locationName", member)
        if location == "uri":
            if wire in labels:
                params[member] = _convert_scalar(target, labels[wire], member, violations)
        elif location == "querystring":
            if wire in query:
                if target["type"] == "list":
                    item = model.shape(target["member"]["shape"])
                    params[member] = [_convert_scalar(item, v, member, violations)
                                      for v in query[wire]]
                elif target["type"] != "map":
                    params[member] = _convert_scalar(target, query[wire][0], member, violations)
        elif location == "header":
            value = headers.get(wire)
            if value is not None:
                params[member] = _convert_scalar(target, value, member, violations)
        elif location in ("headers", "statusCode"):
            continue
        elif member == payload:
            if body_obj:
                params[member] = body_obj
        elif member in body_obj:
            params[member] = body_obj[member]
    if violations:
        raise validation_error(violations)
    return params


def _has_body_members(shape):
    return any("location" not in ref for ref in shape.get("members", {}).values())


def _json_body(body):
    if not body or not body.strip():
        return {}
    try:
        obj = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CommonError("serialization", "Unable to parse the request body as JSON")
    if not isinstance(obj, dict):
        raise CommonError("serialization", "The request body must be a JSON object")
    return obj


def parse_query_input(model, op_name, pairs):
    """Collect an operation's input members from Query-protocol parameters (STS)."""
    shape = model.input_shape(op_name)
    flat = dict(pairs)
    params, violations = {}, []
    for member, ref in shape.get("members", {}).items():
        value = _query_member(model, model.shape(ref["shape"]), member, flat, violations)
        if value is not None:
            params[member] = value
    if violations:
        raise validation_error(violations)
    return params


def _query_member(model, shape, prefix, flat, violations):
    kind = shape["type"]
    if kind == "list":
        items, i = [], 1
        item_shape = model.shape(shape["member"]["shape"])
        while any(k == "%s.member.%d" % (prefix, i) or k.startswith("%s.member.%d." % (prefix, i))
                  for k in flat):
            items.append(_query_member(model, item_shape, "%s.member.%d" % (prefix, i),
                                       flat, violations))
            i += 1
        if items:
            return items
        return [] if prefix in flat else None
    if kind == "structure":
        obj = {}
        for name, ref in shape.get("members", {}).items():
            value = _query_member(model, model.shape(ref["shape"]), "%s.%s" % (prefix, name),
                                  flat, violations)
            if value is not None:
                obj[name] = value
        return obj or None
    if prefix in flat:
        return _convert_scalar(shape, flat[prefix], prefix, violations)
    return None


# ---------------------------------------------------------------- validation

def _short(value):
    text = str(value)
    return text if len(text) <= 64 else text[:61] + "..."


def _quoted(value):
    return "null" if value is None else "'%s'" % _short(value)


PY_TYPES = {
    "string": str, "boolean": bool, "structure": dict, "list": list, "map": dict,
    "blob": str,
}


def _type_ok(kind, value):
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("double", "float"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "timestamp":
        return isinstance(value, (int, float, str)) and not isinstance(value, bool)
    expected = PY_TYPES.get(kind)
    return expected is None or isinstance(value, expected)


class Validator:
    """Checks input parameters against a model's shape constraints, like AWS's front end."""

    def __init__(self, model, name_style=None):
        self.model = model
        self.name_style = name_style or (lambda name: name)

    def validate(self, op_name, params):
        violations = []
        self._structure(self.model.input_shape(op_name), params, "", violations)
        if violations:
            raise validation_error(violations)

    def _path(self, parent, name):
        name = self.name_style(name)
        return name if not parent else "%s.%s" % (parent, name)

    def _structure(self, shape, value, path, violations):
        for name in shape.get("required", []):
            if value.get(name) is None:
                violations.append("Value null at '%s' failed to satisfy constraint: "
                                  "Member must not be null" % self._path(path, name))
        for name, ref in shape.get("members", {}).items():
            if value.get(name) is not None:
                self._value(self.model.shape(ref["shape"]), value[name],
                            self._path(path, name), violations)

    def _value(self, shape, value, path, violations):
        kind = shape["type"]
        if not _type_ok(kind, value):
            violations.append("Value %s at '%s' failed to satisfy constraint: "
                              "Member must be of type %s" % (_quoted(value), path, kind))
            return
        if kind == "structure":
            self._structure(shape, value, path, violations)
        elif kind == "list":
            self._length(shape, len(value), value, path, violations)
            item = self.model.shape(shape["member"]["shape"])
            for i, v in enumerate(value):
                self._value(item, v, "%s.%d.member" % (path, i + 1), violations)
        elif kind == "map":
            self._length(shape, len(value), value, path, violations)
            key_shape = self.model.shape(shape["key"]["shape"])
            value_shape = self.model.shape(shape["value"]["shape"])
            for k, v in value.items():
                self._value(key_shape, k, path + ".key", violations)
                self._value(value_shape, v, path + ".value", violations)
        elif kind == "string":
            self._string(shape, value, path, violations)
        elif kind in ("integer", "long", "double", "float"):
            self._range(shape, value, path, violations)

    def _string(self, shape, value, path, violations):
        if "enum" in shape and value not in shape["enum"]:
            violations.append("Value %s at '%s' failed to satisfy constraint: Member must "
                              "satisfy enum value set: [%s]"
                              % (_quoted(value), path, ", ".join(shape["enum"])))
            return
        self._length(shape, len(value), value, path, violations)
        pattern = _compiled(shape.get("pattern"))
        if pattern is not None and not pattern.fullmatch(value):
            violations.append("Value %s at '%s' failed to satisfy constraint: Member must "
                              "satisfy regular expression pattern: %s"
                              % (_quoted(value), path, shape["pattern"]))

    @staticmethod
    def _length(shape, length, value, path, violations):
        if "min" in shape and length < shape["min"]:
            violations.append("Value %s at '%s' failed to satisfy constraint: Member must have "
                              "length greater than or equal to %d"
                              % (_quoted(value), path, shape["min"]))
        if "max" in shape and length > shape["max"]:
            violations.append("Value %s at '%s' failed to satisfy constraint: Member must have "
                              "length less than or equal to %d"
                              % (_quoted(value), path, shape["max"]))

    @staticmethod
    def _range(shape, value, path, violations):
        if "min" in shape and value < shape["min"]:
            violations.append("Value '%s' at '%s' failed to satisfy constraint: Member must have "
                              "value greater than or equal to %s" % (value, path, shape["min"]))
        if "max" in shape and value > shape["max"]:
            violations.append("Value '%s' at '%s' failed to satisfy constraint: Member must have "
                              "value less than or equal to %s" % (value, path, shape["max"]))


_PATTERNS = {}


def _compiled(pattern):
    """The model's (Java) regular expression compiled for Python, or None if it cannot be."""
    if not pattern:
        return None
    if pattern not in _PATTERNS:
        try:
            _PATTERNS[pattern] = re.compile(pattern, re.DOTALL)
        except re.error:
            _PATTERNS[pattern] = None
    return _PATTERNS[pattern]


def lower_camel(name):
    return name[:1].lower() + name[1:]
