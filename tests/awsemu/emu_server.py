"""HTTP/1.1 transport for the emulator: keep-alive, Content-Length, dropped connections."""

import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from emu_http import Request

MAX_BODY = 16 * 1024 * 1024
IDLE_TIMEOUT = 300


class BadRequest(Exception):
    pass


class EmulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "awsemu"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    wbufsize = 64 * 1024    # one write per response; handle_one_request flushes it

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def handle_expect_100(self):
        ok = super().handle_expect_100()
        self.wfile.flush()      # the client waits for "100 Continue" before sending the body
        return ok

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        pass        # the emulator logs one line per request itself

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise BadRequest("bad Content-Length")
        if n < 0 or n > MAX_BODY:
            raise BadRequest("body too large")
        return self.rfile.read(n)

    def _read_chunked(self):
        chunks, total = [], 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise BadRequest("body too large")
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _serve(self):
        try:
            body = self._read_body()
        except (BadRequest, ValueError) as e:
            self._plain(400, str(e))
            return
        request = Request(self.command, self.path, self.headers.items(), body,
                          self.client_address[0])
        emulator = self.server.emulator
        response = emulator.handle(request)
        if not request.raw_path.startswith("/_emu"):
            delay = emulator.latency_seconds()
            if delay > 0:
                time.sleep(delay)
        if response.reset:
            self._reset()
            return
        self._send(response)

    def _send(self, response):
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _plain(self, status, message):
        body = message.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _reset(self):
        """Drop the connection without a response: close with SO_LINGER 0 sends a TCP RST."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.server.mark_reset(self.connection)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, emulator, family=socket.AF_INET):
        self.address_family = family
        self.emulator = emulator
        self._resets = set()
        self._resets_lock = threading.Lock()
        super().__init__(address, EmulatorHandler)

    def mark_reset(self, sock):
        with self._resets_lock:
            self._resets.add(sock)

    def shutdown_request(self, request):
        with self._resets_lock:
            reset = request in self._resets
            self._resets.discard(request)
        if reset:
            request.close()         # no shutdown(SHUT_WR): no FIN, only the RST
            return
        super().shutdown_request(request)
