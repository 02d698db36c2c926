"""The data plane: a TLS listener where devices connect with their certificates and speak MQTT,
routed to an account, authenticated and authorised as AWS IoT Core does.

One thread per connection. Order of decisions (each refusal is recorded with its reason
in GET /_emu/connections):

1. TLS handshake (TLS 1.2/1.3, a client certificate required, any accepted at this
   stage: emu_tls). An SNI naming no account's data endpoint fails the handshake with
   the unrecognized_name alert.
2. Routing (route()): the SNI's endpoint names the account and the region (the endpoint
   host carries it); without SNI, the account where the certificate's issuer is
   registered as a CA in DEFAULT mode, in the first region (the accounts file's order)
   where one is. A certificate
   without such a CA (registered without CA, or under SNI_ONLY CAs) is refused without SNI.
3. Authentication (authenticate()): the certificate is registered in that account,
   ACTIVE, within its validity, and, when it was registered with a CA, that CA is ACTIVE
   and signed it.
4. The first packet must be CONNECT; iot:Connect on client/CLIENTID must be allowed.

A refusal in steps 2-4 closes the connection without CONNACK (after reading the client's
first packet, so the client sees the close, not a reset): AWS's device SDKs report an
unregistered, deactivated or revoked certificate, and a denied iot:Connect, as the server
hanging up after the handshake (e.g. AWS_ERROR_MQTT_UNEXPECTED_HANGUP), not as a handshake
failure and not as a CONNACK return code.

Transferred certificates: see transfer_rule(), the one place that decides them.
"""

import calendar
import collections
import ipaddress
import select
import socket
import ssl
import sys
import threading
import time
import traceback

from cryptography import x509
from cryptography.x509.oid import NameOID

import emu_mqtt as mq
from emu_certs import certificate_id, issued_by, parse_pem
from emu_endpoints import region_account_for_host
from emu_errors import ApiError
from emu_policy import evaluate
from emu_tls import server_context
from emu_util import iot_arn, iso8601_ms

HANDSHAKE_TIMEOUT = 10
CONNECT_TIMEOUT = 10
IO_TIMEOUT = 10
MAX_RECORDS = 2000
MAX_EVENTS = 100
AWS_MAX_KEEPALIVE = 1200
TRANSFER_ROUTINGS = ("owner", "follow", "refuse")


# ---------------------------------------------------------------- transferred certificates

def transfer_rule(mode, question):
    """The emulator's rule for a certificate transferred out of the account where its CA is
    registered (the CSP's), which AWS does not document. mode is --transfer-routing:

    - "owner" (default): the certificate authenticates in the account that owns it now,
      its chain checked against the CA registered in the account it came from. Reaching
      that account needs SNI naming its endpoint; without SNI the certificate is routed
      by its CA's DEFAULT-mode registration, to the source account, which no longer has
      it: refused.
    - "follow": as "owner", and without SNI the routing follows the transfer to the
      current owner.
    - "refuse": a certificate authenticates only against a CA registered in the account
      it connects to: a transferred certificate whose CA stays in the source account
      cannot connect anywhere.

    question is "chain" (may a certificate use a CA registered in its previous owner's
    account?) or "route" (without SNI, does routing follow the transfer?)."""
    if question == "chain":
        return mode in ("owner", "follow")
    if question == "route":
        return mode == "follow"
    raise ValueError(question)


# ---------------------------------------------------------------- routing and authentication

class Refused(Exception):
    def __init__(self, stage, reason):
        super().__init__(reason)
        self.stage = stage
        self.reason = reason


def _utc_epoch(dt):
    """Epoch seconds of a naive UTC datetime (python3-cryptography 38's validity dates)."""
    return calendar.timegm(dt.utctimetuple())


def _parsed(pem):
    try:
        return parse_pem(pem)
    except ApiError:
        return None


def default_mode_ca(state, cert):
    """(account id, CaCertificate) of the DEFAULT-mode CA that issued cert, or (None, None)."""
    for account in state.accounts.values():
        for ca in account.ca_certs.values():
            if ca.mode != "DEFAULT":
                continue
            parsed = _parsed(ca.pem)
            if parsed is not None and issued_by(cert, parsed):
                return account.id, ca
    return None, None


def route(state, sni_account, cert, cert_id, mode):
    """(account id, how) the connection is for; Refused when it cannot be routed."""
    if sni_account:
        return sni_account, "sni"
    ca_account, _ = default_mode_ca(state, cert)
    if ca_account is None:
        raise Refused("route", "no SNI, and the certificate's issuer is not a CA registered in "
                               "DEFAULT mode (multi-account certificates need SNI)")
    if cert_id not in state.accounts[ca_account].certs and transfer_rule(mode, "route"):
        for account in state.accounts.values():
            held = account.certs.get(cert_id)
            if held is not None and held.previous_owner == ca_account:
                return account.id, "ca-default, followed the transfer"
    return ca_account, "ca-default"


def _issuing_ca(state, account, record, mode):
    """The CaCertificate record's chain is checked against, or Refused."""
    ca = account.ca_certs.get(record.ca_id)
    if ca is not None:
        return ca
    source = state.accounts.get(record.previous_owner) if record.previous_owner else None
    ca = source.ca_certs.get(record.ca_id) if source else None
    if ca is None:
        raise Refused("authenticate", "the certificate's CA %s is not registered" % record.ca_id)
    if not transfer_rule(mode, "chain"):
        raise Refused("authenticate", "the certificate's CA is registered only in the account "
                                      "it was transferred from (%s) (transfer routing %s)"
                      % (source.id, mode))
    return ca


def authenticate(state, account_id, cert, cert_id, mode, now):
    """The account's Certificate record for a certificate allowed to connect, or Refused."""
    account = state.accounts[account_id]
    record = account.certs.get(cert_id)
    if record is None:
        pending = [a.id for a in state.accounts.values() if cert_id in a.certs
                   and a.certs[cert_id].status == "PENDING_TRANSFER"
                   and a.certs[cert_id].transfer.target == account_id]
        if pending:
            raise Refused("authenticate", "the certificate is pending transfer to account %s "
                                          "(not accepted yet)" % account_id)
        raise Refused("authenticate", "the certificate is not registered in account %s"
                      % account_id)
    if record.status != "ACTIVE":
        raise Refused("authenticate", "the certificate is %s in account %s"
                      % (record.status, account_id))
    not_before, not_after = _utc_epoch(cert.not_valid_before), _utc_epoch(cert.not_valid_after)
    if now < not_before or now > not_after:
        raise Refused("authenticate", "the certificate is outside its validity period")
    if record.ca_id:
        ca = _issuing_ca(state, account, record, mode)
        if ca.status != "ACTIVE":
            raise Refused("authenticate", "the certificate's CA %s is %s" % (ca.id, ca.status))
        parsed = _parsed(ca.pem)
        if parsed is None or not issued_by(cert, parsed):
            raise Refused("authenticate", "the certificate's chain does not verify")
    return record


# ---------------------------------------------------------------- policy context

_SUBJECT_VARIABLES = {
    "CommonName": NameOID.COMMON_NAME, "Organization": NameOID.ORGANIZATION_NAME,
    "OrganizationalUnit": NameOID.ORGANIZATIONAL_UNIT_NAME, "Country": NameOID.COUNTRY_NAME,
    "State": NameOID.STATE_OR_PROVINCE_NAME, "Locality": NameOID.LOCALITY_NAME,
    "SerialNumber": NameOID.SERIAL_NUMBER,
    "DistinguishedNameQualifier": NameOID.DN_QUALIFIER,
}


def certificate_variables(cert):
    out = {}
    for prefix, name in (("Subject", cert.subject), ("Issuer", cert.issuer)):
        for var, oid in _SUBJECT_VARIABLES.items():
            values = name.get_attributes_for_oid(oid)
            if values:
                out["iot:Certificate.%s.%s" % (prefix, var)] = values[0].value
    out["iot:Certificate.SerialNumber"] = str(cert.serial_number)
    return out


def policy_context(account, record, client_id, cert_variables):
    """The policy variables of a connection: the thing is the one the client id names,
    when it is attached to the connection's certificate (AWS's rule)."""
    context = dict(cert_variables)
    context["iot:ClientId"] = client_id
    thing = account.things.get(client_id)
    attached = thing is not None and record.id in thing.principals
    context["iot:Connection.Thing.IsAttached"] = "true" if attached else "false"
    if attached:
        context["iot:Connection.Thing.ThingName"] = thing.name
        if thing.type_name:
            context["iot:Connection.Thing.ThingTypeName"] = thing.type_name
        for key, value in (thing.attributes or {}).items():
            context["iot:Connection.Thing.Attributes[%s]" % key] = str(value)
    return context


# ---------------------------------------------------------------- a connection

class Channel:
    """An established TLS connection: one thread reads, any thread writes. OpenSSL's SSL
    object is not safe for concurrent use, so every SSL call is under one lock; the
    reader waits for data with select() without it."""

    def __init__(self, tls):
        self.tls = tls
        self.lock = threading.Lock()
        self.buffer = bytearray()
        self.closed = False
        tls.settimeout(IO_TIMEOUT)

    def read_packet(self, timeout):
        """(type, flags, body); None when timeout passes without a whole packet."""
        deadline = time.monotonic() + timeout
        while True:
            packet = self._split()
            if packet is not None:
                return packet
            if self.closed:
                raise EOFError("connection closed")
            with self.lock:
                pending = self.tls.pending()
            if not pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                readable, _, _ = select.select([self.tls], [], [], min(left, 1.0))
                if not readable:
                    continue
            with self.lock:
                try:
                    data = self.tls.recv(65536)
                except (ssl.SSLWantReadError, socket.timeout):
                    continue
            if not data:
                raise EOFError("connection closed by the client")
            self.buffer += data

    def _split(self):
        return mq.split_packet(self.buffer)

    def send(self, data):
        if data is None or self.closed:
            return False
        try:
            with self.lock:
                self.tls.sendall(data)
            return True
        except (OSError, ValueError):
            self.abort()
            return False

    def abort(self):
        """Wake the reader and end the connection (callable from any thread)."""
        self.closed = True
        try:
            self.tls.shutdown(socket.SHUT_RDWR)
        except (OSError, ValueError):
            pass

    def close(self):
        self.closed = True
        try:
            with self.lock:
                self.tls.close()
        except (OSError, ValueError):
            pass


class Record:
    """What GET /_emu/connections shows about one connection: never key material, passwords
    or payloads."""

    def __init__(self, number, remote):
        self.data = {"id": number, "remote": remote, "startTime": iso8601_ms(time.time()),
                     "endTime": None, "state": "handshake", "outcome": None, "stage": None,
                     "reason": None, "sni": None, "tlsVersion": None, "alpn": None,
                     "certificateId": None, "certificateSubject": None, "account": None,
                     "region": None,
                     "routing": None, "clientId": None, "mqttVersion": None,
                     "thingName": None, "published": 0, "delivered": 0,
                     "subscriptions": [], "events": []}

    def set(self, **fields):
        self.data.update(fields)

    def event(self, text):
        events = self.data["events"]
        if len(events) < MAX_EVENTS:
            events.append(text)

    def refused(self, stage, reason):
        self.set(state="closed", outcome="refused", stage=stage, reason=reason,
                 endTime=iso8601_ms(time.time()))

    def ended(self, reason):
        if self.data["outcome"] is None:
            self.set(outcome="closed")
        self.set(state="closed", endTime=iso8601_ms(time.time()),
                 reason=self.data["reason"] or reason)


class Session:
    """A connected MQTT client."""

    def __init__(self, plane, state, channel, record, account_id, cert_record, connect,
                 cert_vars):
        self.plane = plane
        self.state = state              # the region's IotState
        self.channel = channel
        self.record = record
        self.account_id = account_id
        self.where = (state.region, account_id)
        self.cert_id = cert_record.id
        self.client_id = connect.client_id
        self.version = connect.version
        self.keepalive = connect.keepalive
        self.will = connect.will
        self.cert_vars = cert_vars
        self.subscriptions = {}         # filter -> granted QoS
        self.next_packet_id = 0
        self.id_lock = threading.Lock()
        self.kicked = None

    # ------------------------------------------------------------ authorization

    def authorize(self, action, resource_kind, name):
        """(allowed, why) for action on arn:aws:iot:REGION:ACCOUNT:KIND/NAME."""
        plane = self.plane
        with plane.emu.lock:
            account = self.state.accounts[self.account_id]
            record = account.certs.get(self.cert_id)
            if record is None or record.status != "ACTIVE":
                return False, "the certificate is no longer ACTIVE in the account"
            documents = [account.policies[p].document for p in record.policies
                         if p in account.policies]
            context = policy_context(account, record, self.client_id, self.cert_vars)
        resource = iot_arn(self.state.region, self.account_id, resource_kind, name)
        decision, sid = evaluate(documents, action, resource, context)
        if decision == "Allow":
            return True, None
        if decision == "Deny":
            return False, "explicit Deny%s for %s on %s" % (
                " (statement %s)" % sid if sid else "", action, resource)
        return False, "no policy allows %s on %s" % (action, resource)

    # ------------------------------------------------------------ packets

    def run(self):
        """Serve packets until the client disconnects or breaks the protocol; the reason."""
        keepalive = self.keepalive or AWS_MAX_KEEPALIVE
        timeout = min(keepalive, AWS_MAX_KEEPALIVE) * 1.5
        while True:
            if self.kicked:
                return self.kicked, False
            try:
                packet = self.channel.read_packet(timeout)
            except EOFError:
                return self.kicked or "the client closed the connection", False
            if packet is None:
                return "keep-alive timeout", False
            kind, flags, body = packet
            result = self.handle(kind, flags, body)
            if result is not None:
                return result

    def handle(self, kind, flags, body):
        """None to go on, else (reason, clean) to end the connection."""
        v = self.version
        if kind == mq.PUBLISH:
            return self.on_publish(mq.parse_publish(flags, body, v))
        if kind == mq.SUBSCRIBE:
            packet_id, filters = mq.parse_subscribe(flags, body, v)
            self.channel.send(mq.suback(v, packet_id, [self.subscribe(f, q) for f, q in filters]))
            return None
        if kind == mq.UNSUBSCRIBE:
            packet_id, filters = mq.parse_unsubscribe(flags, body, v)
            for f in filters:
                self.subscriptions.pop(f, None)
            self.record.set(subscriptions=sorted(self.subscriptions))
            self.channel.send(mq.unsuback(v, packet_id, len(filters)))
            return None
        if kind == mq.PINGREQ:
            self.channel.send(mq.pingresp())
            return None
        if kind == mq.PUBACK:
            return None     # acknowledgement of a QoS 1 delivery; nothing is retransmitted
        if kind == mq.DISCONNECT:
            return "the client sent DISCONNECT", True
        if kind == mq.CONNECT:
            raise mq.ProtocolError("a second CONNECT")
        raise mq.ProtocolError("unexpected packet type %d" % kind)

    def on_publish(self, message):
        if message.qos == 2:
            self.record.event("PUBLISH QoS 2 to %s: AWS IoT does not support QoS 2" % message.topic)
            self.channel.send(mq.disconnect(self.version, mq.RC5_QOS_NOT_SUPPORTED))
            return "PUBLISH with QoS 2 (not supported)", False
        if mq.PROP_TOPIC_ALIAS in message.properties or not mq.valid_topic(message.topic):
            raise mq.ProtocolError("invalid PUBLISH topic %r" % message.topic[:200])
        allowed, why = self.authorize("iot:Publish", "topic", message.topic)
        if not allowed:
            # AWS IoT disconnects a client that publishes where it may not.
            self.record.event("PUBLISH to %s denied: %s" % (message.topic, why))
            self.channel.send(mq.disconnect(self.version, mq.RC5_NOT_AUTHORIZED))
            return "iot:Publish denied: %s" % why, False
        self.record.set(published=self.record.data["published"] + 1)
        self.plane.deliver(self.where, message, self)
        if message.qos == 1:
            self.channel.send(mq.puback(self.version, message.packet_id))
        return None

    def subscribe(self, topic_filter, qos):
        v = self.version
        if not mq.valid_filter(topic_filter):
            self.record.event("SUBSCRIBE %s: invalid filter" % topic_filter)
            return mq.RC5_TOPIC_FILTER_INVALID if v == mq.MQTT5 else 0x80
        allowed, why = self.authorize("iot:Subscribe", "topicfilter", topic_filter)
        if not allowed:
            self.record.event("SUBSCRIBE %s denied: %s" % (topic_filter, why))
            return mq.RC5_NOT_AUTHORIZED if v == mq.MQTT5 else 0x80
        granted = min(qos, 1)
        self.subscriptions[topic_filter] = granted
        self.record.set(subscriptions=sorted(self.subscriptions))
        return granted

    def deliver(self, message):
        """Send message if a subscription matches and iot:Receive allows it."""
        matching = [q for f, q in list(self.subscriptions.items())
                    if mq.filter_matches(f, message.topic)]
        if not matching:
            return
        allowed, why = self.authorize("iot:Receive", "topic", message.topic)
        if not allowed:
            self.record.event("not delivered %s: %s" % (message.topic, why))
            return
        qos = min(max(matching), message.qos)
        packet_id = None
        if qos:
            with self.id_lock:
                self.next_packet_id = self.next_packet_id % 65535 + 1
                packet_id = self.next_packet_id
        if self.channel.send(mq.publish(self.version, message, qos, packet_id)):
            self.record.set(delivered=self.record.data["delivered"] + 1)

    def kick(self, reason, code):
        self.kicked = reason
        self.channel.send(mq.disconnect(self.version, code))
        self.channel.abort()


# ---------------------------------------------------------------- the listener

class DataPlane:
    def __init__(self, emulator, root, transfer_routing="owner", log=sys.stderr,
                 trust_store=False):
        if transfer_routing not in TRANSFER_ROUTINGS:
            raise ValueError("transfer routing must be one of %s" % ", ".join(TRANSFER_ROUTINGS))
        self.emu = emulator
        self.regions = emulator.regions
        self.root = root
        self.transfer_routing = transfer_routing
        self.log = log
        # the server certificate names every region's endpoints; the first is the default's
        self.host_patterns = ["*.iot.%s.%s" % (state.region, state.data_domain)
                              for state in self.regions.values()]
        self.context, self.fallback = server_context(root, self.host_patterns, trust_store)
        self.context.sni_callback = self._sni
        self.lock = threading.Lock()            # sessions, records; never held with emu.lock
        self.sessions = {}                      # (region, account, client id) -> Session
        self.records = collections.deque(maxlen=MAX_RECORDS)
        self.count = 0
        self.listener = None
        self.address = None
        self.stopping = False

    # ------------------------------------------------------------ lifecycle

    def listen(self, host, port):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        self.listener = sock
        self.address = sock.getsockname()[:2]
        threading.Thread(target=self._accept_loop, daemon=True, name="data-accept").start()
        return self.address

    def close(self):
        self.stopping = True
        if self.listener is not None:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
        with self.lock:
            sessions = list(self.sessions.values())
        for s in sessions:
            s.kick("the emulator stopped", 0x8B)

    def _accept_loop(self):
        while not self.stopping:
            try:
                sock, addr = self.listener.accept()
            except OSError:
                if self.stopping:
                    return
                time.sleep(0.05)
                continue
            threading.Thread(target=self._serve, args=(sock, addr), daemon=True,
                             name="data-conn").start()

    # ------------------------------------------------------------ admin view

    def settings(self):
        return {"listen": "%s:%d" % tuple(self.address) if self.address else None,
                "transferRouting": self.transfer_routing, "serverCertificateName":
                self.host_patterns[0], "serverCertificateNames": list(self.host_patterns),
                "rootCaPem": self.root.pem,
                "clientCertificateCheck": "verify-callback" if self.fallback is None
                else "trust-store"}

    def connections(self):
        with self.lock:
            return [dict(r.data, events=list(r.data["events"]),
                         subscriptions=list(r.data["subscriptions"])) for r in self.records]

    def clear_connections(self):
        with self.lock:
            self.records.clear()

    # ------------------------------------------------------------ one connection

    def _sni(self, tls, server_name, context):
        tls.emu_sni = server_name
        if server_name is None or _is_ip(server_name):
            tls.emu_sni = None          # RFC 6066: no IP literals in SNI; treated as absent
            return None
        with self.emu.lock:
            region, account = region_account_for_host(self.regions, server_name)
        if account is None:
            tls.emu_sni_unknown = True
            return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
        tls.emu_account = account
        tls.emu_region = region
        return None

    def _new_record(self, addr):
        with self.lock:
            self.count += 1
            record = Record(self.count, "%s:%d" % (addr[0], addr[1]))
            self.records.append(record)
        return record

    def _serve(self, sock, addr):
        record = self._new_record(addr)
        channel = None
        try:
            channel = self._handshake(sock, record)
            if channel is not None:
                self._connection(channel, record)
        except Exception as e:      # never let a connection take the emulator down
            record.refused(record.data["stage"] or "internal", "internal error: %r" % (e,))
            traceback.print_exc(file=self.log)
        finally:
            if channel is not None:
                channel.close()
            else:
                try:
                    sock.close()
                except OSError:
                    pass
            self.log.write("awsemu: data connection %d %s account=%s client=%s %s: %s\n" % (
                record.data["id"], record.data["outcome"], record.data["account"] or "-",
                record.data["clientId"] or "-", record.data["stage"] or "-",
                record.data["reason"]))
            self.log.flush()

    def _handshake(self, sock, record):
        if self.fallback is not None:
            with self.emu.lock:
                pems = [(c.id, c.pem) for state in self.regions.values()
                        for a in state.accounts.values()
                        for c in list(a.ca_certs.values()) + list(a.certs.values())]
            self.fallback.refresh(pems)
        sock.settimeout(HANDSHAKE_TIMEOUT)
        tls = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        try:
            tls.do_handshake()
        except (ssl.SSLError, OSError) as e:
            record.set(sni=getattr(tls, "emu_sni", None))
            if getattr(tls, "emu_sni_unknown", False):
                record.refused("tls", "unknown SNI %r: no account has this endpoint"
                               % getattr(tls, "emu_sni", None))
            else:
                record.refused("tls", "TLS handshake failed: %s" % (e,))
            tls.close()
            return None
        record.set(sni=getattr(tls, "emu_sni", None), tlsVersion=tls.version(),
                   alpn=tls.selected_alpn_protocol(), state="authenticating")
        return Channel(tls)

    def _connection(self, channel, record):
        der = channel.tls.getpeercert(binary_form=True)
        try:
            cert = x509.load_der_x509_certificate(der)
        except (ValueError, TypeError):
            self._refuse(channel, record, "tls", "the client certificate does not parse")
            return
        cert_id = certificate_id(cert, self.emu.config.certificate_id_salt)
        record.set(certificateId=cert_id, certificateSubject=cert.subject.rfc4514_string(),
                   stage="route")
        sni_account = getattr(channel.tls, "emu_account", None)
        try:
            with self.emu.lock:
                state = self._region_state(getattr(channel.tls, "emu_region", None), cert)
                account_id, how = route(state, sni_account, cert, cert_id,
                                        self.transfer_routing)
                record.set(account=account_id, region=state.region, routing=how,
                           stage="authenticate")
                cert_record = authenticate(state, account_id, cert, cert_id,
                                           self.transfer_routing, time.time())
        except Refused as e:
            self._refuse(channel, record, e.stage, e.reason)
            return
        record.set(stage="connect", state="connecting")
        try:
            packet = channel.read_packet(CONNECT_TIMEOUT)
        except (EOFError, OSError):
            record.refused("connect", "closed before CONNECT")
            return
        except mq.ProtocolError as e:
            record.refused("connect", "protocol error: %s" % e)
            return
        if packet is None or packet[0] != mq.CONNECT:
            record.refused("connect", "no CONNECT within %d s" % CONNECT_TIMEOUT
                           if packet is None else "the first packet is not CONNECT")
            return
        try:
            connect = mq.parse_connect(packet[2])
        except mq.UnsupportedVersion as e:
            channel.send(mq.connack(mq.MQTT311, 0x01))      # unacceptable protocol version
            record.refused("connect", str(e))
            return
        except mq.ProtocolError as e:
            record.refused("connect", "malformed CONNECT: %s" % e)
            return
        record.set(clientId=connect.client_id, mqttVersion="5" if connect.version == 5
                   else "3.1.1")
        if not connect.client_id or len(connect.client_id.encode()) > mq.MAX_CLIENT_ID:
            channel.send(mq.connack(connect.version, mq.RC5_CLIENT_ID_INVALID
                                    if connect.version == mq.MQTT5 else 0x02))
            record.refused("connect", "client id empty or longer than %d bytes"
                           % mq.MAX_CLIENT_ID)
            return
        session = Session(self, state, channel, record, account_id, cert_record, connect,
                          certificate_variables(cert))
        allowed, why = session.authorize("iot:Connect", "client", connect.client_id)
        if not allowed:
            record.refused("connect", "iot:Connect denied: %s" % why)
            return          # closed without CONNACK, as AWS does
        with self.emu.lock:
            context = policy_context(state.accounts[account_id], cert_record,
                                     connect.client_id, {})
        record.set(thingName=context.get("iot:Connection.Thing.ThingName"))
        self._register(session)
        record.set(state="connected", outcome="connected", stage="session")
        channel.send(mq.connack(connect.version, 0))
        try:
            reason, clean = session.run()
        except mq.ProtocolError as e:
            reason, clean = "protocol error: %s" % e, False
        except (OSError, ValueError) as e:
            reason, clean = "connection error: %s" % e, False
        self._unregister(session)
        if not clean and session.will is not None:
            self._publish_will(session)
        record.ended(reason)

    def _region_state(self, sni_region, cert):
        """The IotState of the region the connection is for: the SNI endpoint's; without
        SNI, the first region (in the accounts file's order) where the certificate's issuer
        is a DEFAULT-mode CA, else the default region (where route() then refuses)."""
        if sni_region is not None:
            return self.regions[sni_region]
        for state in self.regions.values():
            if default_mode_ca(state, cert)[0] is not None:
                return state
        return self.regions[self.emu.config.region]

    def _refuse(self, channel, record, stage, reason):
        """Close without CONNACK, after the client's first packet (or a short wait)."""
        record.refused(stage, reason)
        try:
            channel.read_packet(2)
        except Exception:
            pass

    def _register(self, session):
        key = session.where + (session.client_id,)
        with self.lock:
            old = self.sessions.get(key)
            self.sessions[key] = session
        if old is not None:
            old.record.event("disconnected: client id %s connected again (connection %d)"
                             % (session.client_id, session.record.data["id"]))
            old.kick("another connection with the same client id connected (connection %d)"
                     % session.record.data["id"], mq.RC5_SESSION_TAKEN_OVER)

    def _unregister(self, session):
        key = session.where + (session.client_id,)
        with self.lock:
            if self.sessions.get(key) is session:
                del self.sessions[key]

    def _publish_will(self, session):
        will = session.will
        allowed, why = session.authorize("iot:Publish", "topic", will.topic)
        if not allowed:
            session.record.event("will to %s not published: %s" % (will.topic, why))
            return
        session.record.event("will published to %s" % will.topic)
        self.deliver(session.where, will, session)

    def deliver(self, where, message, sender):
        """message to every subscriber in where, (region, account)."""
        with self.lock:
            targets = [s for key, s in self.sessions.items() if key[:2] == where]
        for target in targets:
            if not target.kicked:
                target.deliver(message)


def _is_ip(name):
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False
