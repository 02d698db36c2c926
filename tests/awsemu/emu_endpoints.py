"""Account endpoints: DescribeEndpoint, and the host name -> account lookup the data plane
routes SNI with.

AWS gives every account, per region, a unique identifier (14 lower-case letters and
digits, like "a1b2c3d4e5f6g7"); the data endpoints are IDENTIFIER.iot.REGION.amazonaws.com
(iot:Data, the legacy VeriSign one) and IDENTIFIER-ats.iot.REGION.amazonaws.com
(iot:Data-ATS); the credentials provider and Jobs endpoints have identifiers of their own.
The emulator derives each identifier from the account id, the region and the endpoint
kind, so it is stable without being stored; the account dump records it
("endpointPrefixes") and a loaded state keeps what it recorded. The domain is
configurable (--data-domain) for setups that need resolvable names.
"""

import hashlib

from emu_errors import ApiError
from emu_iot_state import operation

DEFAULT_DOMAIN = "amazonaws.com"
PREFIX_LENGTH = 14
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

# endpointType -> (prefix kind, host name template)
ENDPOINT_TYPES = {
    "iot:Data": ("data", "{prefix}.iot.{region}.{domain}"),
    "iot:Data-ATS": ("data", "{prefix}-ats.iot.{region}.{domain}"),
    "iot:CredentialProvider": ("credentials", "{prefix}.credentials.iot.{region}.{domain}"),
    "iot:Jobs": ("jobs", "{prefix}.jobs.iot.{region}.{domain}"),
}
DEFAULT_TYPE = "iot:Data"       # what AWS answers when endpointType is absent


def derive_prefix(account_id, region, kind):
    digest = hashlib.sha256(("awsemu-endpoint/%s/%s/%s" % (kind, account_id, region))
                            .encode()).digest()
    first = _ALPHABET[digest[0] % 26]       # a letter first, as AWS's identifiers have
    return first + "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[1:PREFIX_LENGTH])


def prefixes(state, account):
    """The account's endpoint identifiers by kind (created on first use, then kept)."""
    for kind in ("data", "credentials", "jobs"):
        if kind not in account.endpoint_prefixes:
            account.endpoint_prefixes[kind] = derive_prefix(account.id, state.region, kind)
    return account.endpoint_prefixes


def endpoint_address(state, account_id, endpoint_type="iot:Data-ATS"):
    kind, template = ENDPOINT_TYPES[endpoint_type]
    prefix = prefixes(state, state.accounts[account_id])[kind]
    return template.format(prefix=prefix, region=state.region, domain=state.data_domain)


def data_hosts(state):
    """{host name (lower case): account id} for every account's iot:Data and iot:Data-ATS
    endpoints: the names a device may send as SNI."""
    hosts = {}
    for account_id in state.accounts:
        for endpoint_type in ("iot:Data", "iot:Data-ATS"):
            hosts[endpoint_address(state, account_id, endpoint_type).lower()] = account_id
    return hosts


def account_for_host(state, host):
    """The account whose data endpoint is host (case-insensitive, trailing dot allowed)."""
    if not host:
        return None
    return data_hosts(state).get(host.lower().rstrip("."))


def region_account_for_host(regions, host):
    """(region, account id) whose data endpoint is host, in any region, or (None, None)."""
    for region, state in regions.items():
        account = account_for_host(state, host)
        if account is not None:
            return region, account
    return None, None


@operation("DescribeEndpoint")
def describe_endpoint(ctx, p):
    endpoint_type = p.get("endpointType") or DEFAULT_TYPE
    if endpoint_type not in ENDPOINT_TYPES:
        raise ApiError("InvalidRequestException",
                       "Endpoint type %s is not valid." % endpoint_type[:128])
    return {"endpointAddress": endpoint_address(ctx.state, ctx.account_id, endpoint_type)}
