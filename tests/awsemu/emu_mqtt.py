"""MQTT 3.1.1 and 5 packets as AWS IoT Core's broker speaks them: reading, parsing, encoding,
and topic filter matching. No sockets policy here: emu_dataplane decides what to do.

Limits: a packet's remaining length is read as MQTT's variable byte integer (at most four
bytes, 268435455) and refused above MAX_PACKET (AWS IoT's message size limit is 128 KiB);
the caller's reads have timeouts. Malformed input raises ProtocolError.
"""

import struct

MAX_PACKET = 128 * 1024 + 1024      # 128 KiB of payload plus headers
MAX_CLIENT_ID = 128                 # AWS IoT's client id limit (bytes)

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT, AUTH = range(8, 16)

MQTT311, MQTT5 = 4, 5

# MQTT 5 reason codes the emulator sends
RC5_NOT_AUTHORIZED = 0x87
RC5_SESSION_TAKEN_OVER = 0x8E
RC5_TOPIC_FILTER_INVALID = 0x8F
RC5_PACKET_TOO_LARGE = 0x95
RC5_QOS_NOT_SUPPORTED = 0x9B
RC5_PROTOCOL_ERROR = 0x82
RC5_CLIENT_ID_INVALID = 0x85
RC5_UNSUPPORTED_VERSION = 0x84

# MQTT 5 property identifiers -> value kind (for skipping/reading properties)
_PROPERTY_KINDS = {
    0x01: "byte", 0x02: "int4", 0x03: "str", 0x08: "str", 0x09: "bin", 0x0B: "varint",
    0x11: "int4", 0x12: "str", 0x13: "int2", 0x15: "str", 0x16: "bin", 0x17: "byte",
    0x18: "int4", 0x19: "byte", 0x1A: "str", 0x1C: "str", 0x1F: "str", 0x21: "int2",
    0x22: "int2", 0x23: "int2", 0x24: "byte", 0x25: "byte", 0x26: "pair", 0x27: "int4",
    0x28: "byte", 0x29: "byte", 0x2A: "byte",
}
PROP_TOPIC_ALIAS = 0x23


class ProtocolError(Exception):
    """The peer broke the protocol; the message says how (for the connection record)."""


class PacketTooLarge(ProtocolError):
    pass


# ---------------------------------------------------------------- reading

def split_packet(buffer, max_packet=MAX_PACKET):
    """Take the first whole packet off buffer (a bytearray): (type, flags, body), or None
    while it is incomplete."""
    length, shift, i = 0, 0, 1
    while True:
        if i >= len(buffer):
            return None
        if i > 4:
            raise ProtocolError("malformed remaining length")
        byte = buffer[i]
        length |= (byte & 0x7F) << shift
        i += 1
        if not byte & 0x80:
            break
        shift += 7
    if length > max_packet:
        raise PacketTooLarge("packet of %d bytes exceeds the %d byte limit" % (length, max_packet))
    if len(buffer) < i + length:
        return None
    first, body = buffer[0], bytes(buffer[i:i + length])
    del buffer[:i + length]
    return first >> 4, first & 0x0F, body


class Reader:
    """Reads MQTT's data types from a packet body; ProtocolError past the end."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ProtocolError("packet ends early")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def byte(self):
        return self.take(1)[0]

    def int2(self):
        return struct.unpack(">H", self.take(2))[0]

    def int4(self):
        return struct.unpack(">I", self.take(4))[0]

    def varint(self):
        value, shift = 0, 0
        for _ in range(4):
            b = self.byte()
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
        raise ProtocolError("malformed variable byte integer")

    def binary(self):
        return self.take(self.int2())

    def string(self):
        try:
            text = self.binary().decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("a string is not UTF-8")
        if "\x00" in text:
            raise ProtocolError("a string contains U+0000")
        return text

    def rest(self):
        out = self.data[self.pos:]
        self.pos = len(self.data)
        return out

    def at_end(self):
        return self.pos >= len(self.data)

    def properties(self):
        """MQTT 5 properties: {identifier: value} (repeatable ones keep the last value)."""
        length = self.varint()
        end = self.pos + length
        if end > len(self.data):
            raise ProtocolError("properties run past the packet")
        props = {}
        while self.pos < end:
            ident = self.varint()
            kind = _PROPERTY_KINDS.get(ident)
            if kind is None:
                raise ProtocolError("unknown property 0x%02x" % ident)
            if kind == "pair":
                props[ident] = (self.string(), self.string())
            elif kind == "str":
                props[ident] = self.string()
            elif kind == "bin":
                props[ident] = self.binary()
            else:
                props[ident] = getattr(self, kind)()
        if self.pos != end:
            raise ProtocolError("malformed properties")
        return props


# ---------------------------------------------------------------- parsing

class Connect:
    def __init__(self):
        self.version = None
        self.client_id = ""
        self.clean = True
        self.keepalive = 0
        self.username = None
        self.has_password = False       # the password itself is never kept
        self.will = None                # Message or None
        self.properties = {}


class Message:
    def __init__(self, topic, payload, qos=0, retain=False, packet_id=None, properties=None):
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.packet_id = packet_id
        self.properties = properties or {}


class UnsupportedVersion(ProtocolError):
    def __init__(self, name, level):
        super().__init__("unsupported protocol %s level %d" % (name, level))
        self.level = level


def parse_connect(body):
    r = Reader(body)
    name, level = r.string(), r.byte()
    if name != "MQTT" or level not in (MQTT311, MQTT5):
        raise UnsupportedVersion(name, level)
    c = Connect()
    c.version = level
    flags = r.byte()
    if flags & 0x01:
        raise ProtocolError("reserved CONNECT flag set")
    c.clean = bool(flags & 0x02)
    c.keepalive = r.int2()
    if level == MQTT5:
        c.properties = r.properties()
    c.client_id = r.string()
    if flags & 0x04:
        will_props = r.properties() if level == MQTT5 else {}
        topic, payload = r.string(), r.binary()
        c.will = Message(topic, payload, (flags >> 3) & 0x03, bool(flags & 0x20),
                         properties=will_props)
    elif flags & 0x38:
        raise ProtocolError("will QoS or retain without a will")
    if flags & 0x80:
        c.username = r.string()
    if flags & 0x40:
        r.binary()
        c.has_password = True
    if not r.at_end():
        raise ProtocolError("bytes after the CONNECT payload")
    return c


def parse_publish(flags, body, version):
    qos = (flags >> 1) & 0x03
    if qos == 3:
        raise ProtocolError("PUBLISH with QoS 3")
    r = Reader(body)
    topic = r.string()
    packet_id = r.int2() if qos else None
    if qos and packet_id == 0:
        raise ProtocolError("PUBLISH with packet id 0")
    props = r.properties() if version == MQTT5 else {}
    return Message(topic, r.rest(), qos, bool(flags & 0x01), packet_id, props)


def parse_subscribe(flags, body, version):
    """(packet id, [(filter, requested QoS)])"""
    if flags != 0x02:
        raise ProtocolError("SUBSCRIBE with bad fixed-header flags")
    r = Reader(body)
    packet_id = r.int2()
    if version == MQTT5:
        r.properties()
    filters = []
    while not r.at_end():
        topic_filter = r.string()
        options = r.byte()
        filters.append((topic_filter, options & 0x03))
    if not filters:
        raise ProtocolError("SUBSCRIBE without a topic filter")
    return packet_id, filters


def parse_unsubscribe(flags, body, version):
    if flags != 0x02:
        raise ProtocolError("UNSUBSCRIBE with bad fixed-header flags")
    r = Reader(body)
    packet_id = r.int2()
    if version == MQTT5:
        r.properties()
    filters = []
    while not r.at_end():
        filters.append(r.string())
    if not filters:
        raise ProtocolError("UNSUBSCRIBE without a topic filter")
    return packet_id, filters


def parse_packet_id(body):
    if len(body) < 2:
        raise ProtocolError("packet ends early")
    return struct.unpack(">H", body[:2])[0]


# ---------------------------------------------------------------- encoding

def varint(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def string(text):
    data = text.encode("utf-8")
    return struct.pack(">H", len(data)) + data


def packet(kind, body=b"", flags=0):
    return bytes([(kind << 4) | flags]) + varint(len(body)) + body


def properties(props):
    """MQTT 5 properties from [(identifier, kind, value)]."""
    out = bytearray()
    for ident, kind, value in props:
        out += varint(ident)
        if kind == "byte":
            out.append(value)
        elif kind == "int2":
            out += struct.pack(">H", value)
        elif kind == "int4":
            out += struct.pack(">I", value)
        elif kind == "str":
            out += string(value)
    return varint(len(out)) + bytes(out)


def connack(version, code=0, session_present=False):
    if version == MQTT5:
        props = properties([(0x24, "byte", 1),              # Maximum QoS: 1 (no QoS 2)
                            (0x25, "byte", 0),              # Retain Available: no
                            (0x27, "int4", MAX_PACKET),     # Maximum Packet Size
                            (0x28, "byte", 1),              # Wildcard Subscription Available
                            (0x29, "byte", 0),              # Subscription Identifiers: no
                            (0x2A, "byte", 0)])             # Shared Subscription: no
        return packet(CONNACK, bytes([1 if session_present else 0, code]) + props)
    return packet(CONNACK, bytes([1 if session_present else 0, code]))


def publish(version, message, qos, packet_id=None):
    body = string(message.topic)
    if qos:
        body += struct.pack(">H", packet_id)
    if version == MQTT5:
        body += properties([])
    flags = (qos << 1) | (0x01 if message.retain else 0)
    return packet(PUBLISH, body + message.payload, flags)


def puback(version, packet_id, code=0):
    if version == MQTT5 and code:
        return packet(PUBACK, struct.pack(">HB", packet_id, code) + properties([]))
    return packet(PUBACK, struct.pack(">H", packet_id))


def suback(version, packet_id, codes):
    body = struct.pack(">H", packet_id)
    if version == MQTT5:
        body += properties([])
    return packet(SUBACK, body + bytes(codes))


def unsuback(version, packet_id, count):
    body = struct.pack(">H", packet_id)
    if version == MQTT5:
        body += properties([]) + bytes(count)
    return packet(UNSUBACK, body)


def pingresp():
    return packet(PINGRESP)


def disconnect(version, code):
    """A server DISCONNECT exists in MQTT 5 only; None for 3.1.1."""
    if version != MQTT5:
        return None
    return packet(DISCONNECT, bytes([code]) + properties([]))


# ---------------------------------------------------------------- topics

def valid_topic(topic):
    return 0 < len(topic.encode("utf-8")) <= 65535 and "+" not in topic and "#" not in topic


def valid_filter(topic_filter):
    if not topic_filter:
        return False
    levels = topic_filter.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            return False
        if "+" in level and level != "+":
            return False
    return True


def filter_matches(topic_filter, topic):
    """MQTT's matching: '+' one level, '#' the rest (also the parent level); a filter
    starting with a wildcard does not match topics starting with '$'."""
    if topic.startswith("$") and topic_filter[:1] in ("+", "#"):
        return False
    f_levels, t_levels = topic_filter.split("/"), topic.split("/")
    for i, level in enumerate(f_levels):
        if level == "#":
            return True
        if i >= len(t_levels):
            return False
        if level != "+" and level != t_levels[i]:
            return False
    return len(f_levels) == len(t_levels)
