"""The emulator's view of an HTTP exchange, independent of the server that carries it."""

import json

from emu_model import split_query


class Request:
    def __init__(self, method, target, headers, body, client_ip="127.0.0.1"):
        self.method = method.upper()
        path, _, query = target.partition("?")
        self.raw_path = path or "/"
        self.raw_query = query
        self.query_pairs = split_query(query)
        self.header_list = [(k.lower(), v) for k, v in headers]
        self.body = body or b""
        self.client_ip = client_ip

    def header(self, name):
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name):
        name = name.lower()
        return [v for k, v in self.header_list if k == name]

    @property
    def headers(self):
        """The first value of each header, by lower-case name."""
        out = {}
        for k, v in self.header_list:
            out.setdefault(k, v)
        return out

    def body_text(self, limit=65536):
        return self.body[:limit].decode("utf-8", errors="replace")


class Response:
    def __init__(self, status=200, body=b"", content_type="application/json", headers=None,
                 reset=False):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.headers = [("Content-Type", content_type)] + list(headers or [])
        self.reset = reset

    @classmethod
    def json(cls, obj, status=200, headers=None):
        body = b"" if obj is None else json.dumps(obj).encode("utf-8")
        return cls(status, body, "application/json", headers)

    @classmethod
    def connection_reset(cls):
        return cls(0, b"", reset=True)
