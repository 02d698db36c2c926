"""Test devices for the data plane: MQTT clients that connect to an account's endpoint *name*
(so they send it as SNI and verify the server certificate against it) while the
connection goes to the emulator on 127.0.0.1.

Endpoint names such as abcdefghijklmn-ats.iot.us-east-1.amazonaws.com do not resolve on
a test machine (and /etc/hosts is not ours). mosquitto's clients take a SOCKS5 proxy
(--proxy socks5h://...): with socks5h the client sends the host name to the proxy
instead of resolving it, and still uses it for SNI and for checking the server
certificate. NameProxy is that proxy: it connects every request to the data plane and
remembers which names were asked for. paho-mqtt connects through Client's
_create_socket_connection, which DeviceClient points at the data plane while the host
name given to connect() stays what TLS uses.
"""

import os
import select
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time

MOSQUITTO_PUB = shutil.which("mosquitto_pub") or "/usr/bin/mosquitto_pub"
MOSQUITTO_SUB = shutil.which("mosquitto_sub") or "/usr/bin/mosquitto_sub"


def have_mosquitto():
    return os.access(MOSQUITTO_PUB, os.X_OK) and os.access(MOSQUITTO_SUB, os.X_OK)


def have_paho():
    try:
        import paho.mqtt.client  # noqa: F401
        return True
    except ImportError:
        return False


# ---------------------------------------------------------------- SOCKS5 name proxy

class NameProxy:
    """A SOCKS5 proxy (no authentication, CONNECT only) that connects every request to
    target, whatever host name and port it names; .names lists the names asked for."""

    def __init__(self, target):
        self.target = target
        self.names = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = "socks5h://127.0.0.1:%d" % self.port
        self.stopping = False
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.stopping = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        for c in list(self.conns):
            try:
                c.close()
            except OSError:
                pass

    def _accept(self):
        while not self.stopping:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    @staticmethod
    def _exact(sock, n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _serve(self, client):
        upstream = None
        try:
            client.settimeout(10)
            version, count = self._exact(client, 2)
            self._exact(client, count)
            client.sendall(b"\x05\x00")                 # no authentication
            _, command, _, kind = self._exact(client, 4)
            if kind == 3:
                name = self._exact(client, self._exact(client, 1)[0]).decode("ascii", "replace")
            elif kind == 1:
                name = socket.inet_ntoa(self._exact(client, 4))
            else:
                name = socket.inet_ntop(socket.AF_INET6, self._exact(client, 16))
            self._exact(client, 2)                      # the port: ignored
            if version != 5 or command != 1:
                client.sendall(b"\x05\x07\x00\x01" + bytes(6))
                return
            self.names.append(name)
            upstream = socket.create_connection(self.target, timeout=10)
            client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1")
                           + struct.pack(">H", self.target[1]))
            self.conns += [client, upstream]
            self._pump(client, upstream)
        except (OSError, EOFError, ValueError):
            pass
        finally:
            for s in (client, upstream):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass

    def _pump(self, a, b):
        a.settimeout(None)
        b.settimeout(None)
        peers = {a: b, b: a}
        while not self.stopping:
            readable, _, _ = select.select([a, b], [], [], 1.0)
            for s in readable:
                data = s.recv(65536)
                if not data:
                    try:
                        peers[s].shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    return
                peers[s].sendall(data)


# ---------------------------------------------------------------- a device's files

class DeviceFiles:
    """A device certificate and key as files (mode 0600), for the command-line clients."""

    def __init__(self, directory, name, test_cert, extra_pems=()):
        self.cert = os.path.join(directory, name + ".crt")
        self.key = os.path.join(directory, name + ".key")
        with open(self.cert, "w") as f:
            f.write(test_cert.pem + "".join(extra_pems))
        fd = os.open(self.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(test_cert.key_pem())
        self.test_cert = test_cert


# ---------------------------------------------------------------- mosquitto

def mosquitto_args(proxy, host, cafile, device, client_id, version=None):
    args = ["-h", host, "-p", "8883", "--cafile", cafile, "--cert", device.cert,
            "--key", device.key, "-i", client_id, "--proxy", proxy.url]
    if version:
        args += ["-V", version]
    return args


def mosquitto_pub(proxy, host, cafile, device, client_id, topic, message, qos=0,
                  version=None, timeout=15):
    """subprocess.CompletedProcess of one mosquitto_pub run."""
    cmd = [MOSQUITTO_PUB, "-d"] + mosquitto_args(proxy, host, cafile, device, client_id,
                                                 version) + \
        ["-t", topic, "-m", message, "-q", str(qos)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def mosquitto_sub(proxy, host, cafile, device, client_id, topic, count=1, wait=15, qos=0,
                  version=None):
    """A running mosquitto_sub (-v: "TOPIC PAYLOAD" lines) that exits after count messages
    or wait seconds."""
    cmd = [MOSQUITTO_SUB, "-d", "-v"] + mosquitto_args(proxy, host, cafile, device, client_id,
                                                       version) + \
        ["-t", topic, "-C", str(count), "-W", str(wait), "-q", str(qos)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# ---------------------------------------------------------------- paho-mqtt

def paho_client(address, host, cafile, device, client_id, version=None, sni=True,
                context=None):
    """A paho-mqtt Client connecting to address for host (SNI host when sni, else no SNI
    and no host name check; context replaces the default TLS context), with events recorded: .emu_events list, .emu_messages list."""
    import paho.mqtt.client as mqtt

    class DeviceClient(mqtt.Client):
        def _create_socket_connection(self):
            return socket.create_connection(address, timeout=10)

    protocol = mqtt.MQTTv5 if version == "mqttv5" else mqtt.MQTTv311
    client = DeviceClient(client_id=client_id, protocol=protocol)
    if context is None:
        context = ssl.create_default_context(cafile=cafile)
        context.load_cert_chain(device.cert, device.key)
    if not sni:
        context.check_hostname = False      # connecting to an IP address: no SNI is sent
    client.tls_set_context(context)
    client.emu_host = host if sni else address[0]
    client.emu_events = []
    client.emu_messages = []
    client.emu_connack = threading.Event()
    client.emu_closed = threading.Event()

    def on_connect(c, userdata, flags, rc, properties=None):
        c.emu_events.append(("connack", int(rc) if not hasattr(rc, "value") else rc.value))
        c.emu_connack.set()

    def on_disconnect(c, userdata, rc, properties=None):
        c.emu_events.append(("disconnect", rc if isinstance(rc, int) else getattr(rc, "value", rc)))
        c.emu_closed.set()

    def on_message(c, userdata, message):
        c.emu_messages.append((message.topic, message.payload, message.qos))

    def on_subscribe(c, userdata, mid, granted, properties=None):
        c.emu_events.append(("suback", [g if isinstance(g, int) else g.value for g in granted]))

    def on_publish(c, userdata, mid):
        c.emu_events.append(("puback", mid))

    client.on_connect, client.on_disconnect = on_connect, on_disconnect
    client.on_message, client.on_subscribe, client.on_publish = on_message, on_subscribe, on_publish
    return client


def paho_run(client, timeout=10):
    """Connect and start the network loop; True if a CONNACK arrived within timeout."""
    client.connect(client.emu_host, 8883, keepalive=30)
    client.loop_start()
    deadline = time.time() + timeout
    while time.time() < deadline:
        if client.emu_connack.is_set() or client.emu_closed.is_set():
            break
        time.sleep(0.02)
    return client.emu_connack.is_set()


def wait_for(predicate, timeout=10, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()
