"""AWS IoT registry state, per account and region, and the operation registry.

Each region is an IotState of its own (Regions holds them): certificates, CAs,
registration codes, policies, things and transfers of one region never see another's.
A certificate lives in its owner's account. While a transfer is pending it
stays with the source (status PENDING_TRANSFER) and its Transfer names the
target; acceptance moves it to the target's account.
"""

import base64
import collections
import secrets
import uuid
from dataclasses import dataclass, field

from emu_errors import ApiError
from emu_util import iot_arn, parse_iot_arn

IOT_OPERATIONS = {}
DEFAULT_PAGE_SIZE = 25


def operation(name):
    """Register a function as the handler of IoT operation name."""
    def register(fn):
        IOT_OPERATIONS[name] = fn
        return fn
    return register


def new_generation():
    return str(uuid.uuid4())


@dataclass
class Transfer:
    source: str
    target: str
    state: str                      # PENDING, ACCEPTED, REJECTED, CANCELLED
    message: str = None
    transfer_date: float = None
    accept_date: float = None
    reject_date: float = None
    reject_reason: str = None

    def aws_view(self):
        """TransferData as DescribeCertificate shows it."""
        view = {"transferMessage": self.message, "rejectReason": self.reject_reason,
                "transferDate": self.transfer_date, "acceptDate": self.accept_date,
                "rejectDate": self.reject_date}
        return {k: v for k, v in view.items() if v is not None}

    def to_dict(self):
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d):
        return cls(**d) if d else None


@dataclass
class CaCertificate:
    id: str
    pem: str
    status: str
    mode: str
    auto_registration: str
    created: float
    modified: float
    seq: int
    validity: dict
    version: int = 1
    generation: str = field(default_factory=new_generation)

    def touch(self, when):
        self.modified = when
        self.version += 1
        self.generation = new_generation()


@dataclass
class Certificate:
    id: str
    pem: str
    status: str
    mode: str
    ca_id: str
    created: float
    modified: float
    seq: int
    validity: dict
    version: int = 1
    generation: str = field(default_factory=new_generation)
    previous_owner: str = None
    policies: list = field(default_factory=list)
    things: list = field(default_factory=list)
    transfer: Transfer = None

    def touch(self, when):
        self.modified = when
        self.version += 1
        self.generation = new_generation()


@dataclass
class Policy:
    name: str
    document: str
    created: float
    modified: float
    generation: str = field(default_factory=new_generation)


@dataclass
class Thing:
    name: str
    id: str
    attributes: dict
    type_name: str = None
    billing_group: str = None
    version: int = 1
    principals: list = field(default_factory=list)     # certificate ids
    groups: list = field(default_factory=list)


@dataclass
class ThingGroup:
    name: str
    id: str
    properties: dict
    parent: str
    created: float
    version: int = 1


class AccountState:
    def __init__(self, account_id, log_limit=None):
        self.id = account_id
        self.registration_code = None
        self.ca_certs = {}
        self.certs = {}
        self.policies = {}
        self.things = {}
        self.thing_groups = {}
        self.endpoint_prefixes = {}     # kind -> identifier (emu_endpoints)
        self.request_log = collections.deque(maxlen=log_limit)
        self.request_log_dropped = 0

    def log_request(self, entry):
        if self.request_log.maxlen is not None and len(self.request_log) == self.request_log.maxlen:
            self.request_log_dropped += 1
        self.request_log.append(entry)

    def code(self):
        """The account's registration code, created on first use and stable after."""
        if self.registration_code is None:
            self.registration_code = secrets.token_hex(32)
        return self.registration_code


class IotState:
    def __init__(self, region, account_ids, log_limit=None, data_domain="amazonaws.com"):
        self.region = region
        self.data_domain = data_domain
        self.accounts = {a: AccountState(a, log_limit) for a in account_ids}
        self.seq = 0

    def next_seq(self):
        self.seq += 1
        return self.seq

    def arn(self, account_id, kind, name):
        return iot_arn(self.region, account_id, kind, name)

    def certs_with_id(self, cert_id):
        """(account, certificate) for every account holding cert_id."""
        return [(a, a.certs[cert_id]) for a in self.accounts.values() if cert_id in a.certs]

    def pending_to(self, account_id, cert_id):
        """(source account, certificate) if cert_id is pending transfer to account_id."""
        for source, cert in self.certs_with_id(cert_id):
            t = cert.transfer
            if cert.status == "PENDING_TRANSFER" and t and t.target == account_id:
                return source, cert
        return None, None

    def incoming(self, account_id):
        return [(a, c) for a in self.accounts.values() for c in a.certs.values()
                if c.status == "PENDING_TRANSFER" and c.transfer.target == account_id]

    def default_ca_owner(self, ca_id):
        """The account that holds ca_id in DEFAULT mode, if any."""
        for account in self.accounts.values():
            ca = account.ca_certs.get(ca_id)
            if ca and ca.mode == "DEFAULT":
                return account.id
        return None


class Regions:
    """One IotState per region the accounts file lists, each with the accounts serving it."""

    def __init__(self, config, log_limit=None, data_domain="amazonaws.com"):
        self.config = config
        self.states = {r: IotState(r, config.accounts_in(r), log_limit, data_domain)
                       for r in config.regions}

    def __getitem__(self, region):
        return self.states[region]

    def get(self, region):
        return self.states.get(region)

    def items(self):
        return self.states.items()

    def values(self):
        return self.states.values()

    def account(self, account_id, region=None):
        """The AccountState of account_id in region (default: the account's default region),
        or None when the account does not serve that region."""
        if account_id not in self.config.accounts:
            return None
        state = self.states.get(region or self.config.default_region_of(account_id))
        return state.accounts.get(account_id) if state else None


class CallContext:
    """What an operation handler needs about the call."""

    def __init__(self, state, account, principal, config, now):
        self.state = state
        self.account = account
        self.principal = principal
        self.config = config
        self.now = now

    @property
    def account_id(self):
        return self.account.id

    def arn(self, kind, name, account_id=None):
        return self.state.arn(account_id or self.account.id, kind, name)


# ---------------------------------------------------------------- paging

def encode_marker(offset):
    return base64.b64encode(("%d" % offset).encode()).decode()


def decode_marker(marker):
    try:
        return int(base64.b64decode(marker.encode(), validate=True).decode())
    except (ValueError, UnicodeDecodeError):
        raise ApiError("InvalidRequestException", "Invalid marker: %s" % marker[:64])


def paginate(items, page_size=None, marker=None):
    """(page, next marker or None) for an offset marker."""
    size = page_size or DEFAULT_PAGE_SIZE
    start = decode_marker(marker) if marker else 0
    end = start + size
    return items[start:end], (encode_marker(end) if end < len(items) else None)


def ordered(records, ascending):
    """Records in creation order (AWS's default for certificate lists is newest first)."""
    return sorted(records, key=lambda r: r.seq, reverse=not ascending)


def cert_id_from_principal(ctx, principal, what="principal"):
    """The certificate id a principal/target ARN names in the caller's account."""
    parsed = parse_iot_arn(principal or "")
    if not parsed or parsed[2] != "cert":
        raise ApiError("InvalidRequestException",
                       "Invalid %s: %s" % (what, (principal or "")[:200]))
    region, account, _, cert_id = parsed
    cert = ctx.account.certs.get(cert_id)
    if region != ctx.state.region or account != ctx.account_id or cert is None:
        raise ApiError("ResourceNotFoundException",
                       "The certificate given in the %s does not exist." % what)
    return cert_id
