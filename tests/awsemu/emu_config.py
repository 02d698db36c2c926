"""The accounts file: accounts, their users and roles, regions, quotas.

{"regions": ["us-east-1", "eu-west-1"],            optional; the first is the default
                                                   ("region": "R" is ["R"]; default us-east-1)
 "quotas": {"RegisterCertificate": 20},            optional, all accounts
 "certificateIdSalt": "x",                         optional: ids unlike AWS's SHA-256
 "accounts": [{"id": "111111111111", "name": "csp",
               "users": [{"accessKeyId": "...", "secretAccessKey": "...",
                          "name": "...", "permissions": ["iot:*"]}],
               "roles": [{"name": "...", "trustedAccount": "...",
                          "externalId": "...", "permissions": ["iot:*"],
                          "maxSessionDuration": 3600}],
               "regions": ["us-east-1"],            optional: the regions this account
                                                    serves (default: the top level's)
               "rejectTransfers": false,
               "quotas": {...}}]}                   optional, this account
"""

import json
import re
from dataclasses import dataclass, field

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
DEFAULT_REGION = "us-east-1"
ACCESS_KEY = re.compile(r"^[A-Z0-9]{16,128}$")
DEFAULT_MAX_SESSION = 43200


class ConfigError(Exception):
    pass


@dataclass
class User:
    account_id: str
    access_key: str
    secret: str
    name: str
    permissions: list = None      # None: everything allowed

    @property
    def arn(self):
        return "arn:aws:iam::%s:user/%s" % (self.account_id, self.name)


@dataclass
class Role:
    account_id: str
    name: str
    trusted_accounts: list
    external_id: str = None       # None: the trust policy has no ExternalId condition
    permissions: list = None
    max_session: int = DEFAULT_MAX_SESSION

    @property
    def arn(self):
        return "arn:aws:iam::%s:role/%s" % (self.account_id, self.name)


@dataclass
class Account:
    id: str
    name: str
    users: list = field(default_factory=list)
    roles: dict = field(default_factory=dict)
    reject_transfers: bool = False
    quotas: dict = field(default_factory=dict)
    regions: list = field(default_factory=list)     # served; the first is its default


@dataclass
class Config:
    region: str                     # the default region: the top level's first
    accounts: dict
    quotas: dict
    certificate_id_salt: str = ""  # "": device certificate ids are the DER's SHA-256
    regions: list = field(default_factory=list)     # every region some account serves

    def serves(self, account_id, region):
        account = self.accounts.get(account_id)
        return account is not None and region in account.regions

    def default_region_of(self, account_id):
        """The region GET /_emu/accounts/ID and DIR/ID.json show: the file's default region
        when the account serves it, else the account's first."""
        regions = self.accounts[account_id].regions
        return self.region if self.region in regions else regions[0]

    def accounts_in(self, region):
        return [a.id for a in self.accounts.values() if region in a.regions]


def _require(cond, message):
    if not cond:
        raise ConfigError(message)


def _permissions(obj, where):
    perms = obj.get("permissions")
    if perms is None:
        return None
    _require(isinstance(perms, list) and all(isinstance(p, str) for p in perms),
             "%s: permissions must be a list of strings" % where)
    return perms


def _quotas(obj, where):
    quotas = obj.get("quotas", {})
    _require(isinstance(quotas, dict), "%s: quotas must be an object" % where)
    for op, rate in quotas.items():
        _require(rate is None or (isinstance(rate, (int, float)) and not isinstance(rate, bool)),
                 "%s: quota for %s must be a number or null" % (where, op))
    return dict(quotas)


def _regions(obj, where, default):
    """The "regions" list (or the one-element "region") of obj, in order, or default."""
    has_list, has_one = "regions" in obj, "region" in obj
    if not has_list and not has_one:
        return list(default)
    regions = obj["regions"] if has_list else [obj["region"]]
    _require(isinstance(regions, list) and regions,
             where + ": regions must be a non-empty list")
    _require(all(isinstance(r, str) and REGION.match(r) for r in regions),
             where + ": every region must look like us-east-1")
    _require(len(regions) == len(set(regions)), where + ": a region is listed twice")
    if has_list and has_one:
        _require(obj["region"] in regions, where + ': "region" must be one of "regions"')
        regions = [obj["region"]] + [r for r in regions if r != obj["region"]]
    return list(regions)


def _user(account_id, obj, index):
    where = "account %s user %d" % (account_id, index)
    _require(isinstance(obj, dict), where + ": must be an object")
    key, secret = obj.get("accessKeyId"), obj.get("secretAccessKey")
    _require(isinstance(key, str) and ACCESS_KEY.match(key),
             where + ": accessKeyId must be 16+ upper-case letters or digits")
    _require(isinstance(secret, str) and secret, where + ": secretAccessKey missing")
    name = obj.get("name") or "emu-user-%d" % (index + 1)
    return User(account_id, key, secret, name, _permissions(obj, where))


def _role(account_id, obj):
    _require(isinstance(obj, dict) and isinstance(obj.get("name"), str),
             "account %s: every role needs a name" % account_id)
    where = "account %s role %s" % (account_id, obj["name"])
    trusted = obj.get("trustedAccount", account_id)
    trusted = trusted if isinstance(trusted, list) else [trusted]
    _require(all(isinstance(t, str) and ACCOUNT_ID.match(t) for t in trusted),
             where + ": trustedAccount must be a 12-digit account id (or a list of them)")
    external_id = obj.get("externalId")
    _require(external_id is None or isinstance(external_id, str), where + ": bad externalId")
    max_session = obj.get("maxSessionDuration", DEFAULT_MAX_SESSION)
    _require(isinstance(max_session, int) and 3600 <= max_session <= 43200,
             where + ": maxSessionDuration must be 3600..43200")
    return Role(account_id, obj["name"], trusted, external_id,
                _permissions(obj, where), max_session)


def _account(obj, default_regions):
    _require(isinstance(obj, dict), "every account must be an object")
    account_id = obj.get("id")
    _require(isinstance(account_id, str) and ACCOUNT_ID.match(account_id),
             "account id must be a string of 12 digits: %r" % (account_id,))
    users = [_user(account_id, u, i) for i, u in enumerate(obj.get("users", []))]
    roles = {}
    for r in obj.get("roles", []):
        role = _role(account_id, r)
        _require(role.name not in roles, "account %s: duplicate role %s" % (account_id, role.name))
        roles[role.name] = role
    return Account(id=account_id, name=str(obj.get("name", account_id)), users=users,
                   roles=roles, reject_transfers=bool(obj.get("rejectTransfers", False)),
                   quotas=_quotas(obj, "account " + account_id),
                   regions=_regions(obj, "account " + account_id, default_regions))


def parse_config(data):
    _require(isinstance(data, dict), "the accounts file must hold a JSON object")
    top = _regions(data, "top level", [DEFAULT_REGION])
    accounts = {}
    for obj in data.get("accounts", []):
        account = _account(obj, top)
        _require(account.id not in accounts, "duplicate account %s" % account.id)
        accounts[account.id] = account
    _require(accounts, "the accounts file names no account")
    keys = [u.access_key for a in accounts.values() for u in a.users]
    _require(len(keys) == len(set(keys)), "an access key is used twice")
    salt = data.get("certificateIdSalt", "")
    _require(isinstance(salt, str), "certificateIdSalt must be a string")
    regions = list(top)
    for account in accounts.values():
        regions += [r for r in account.regions if r not in regions]
    return Config(region=top[0], accounts=accounts, quotas=_quotas(data, "top level"),
                  certificate_id_salt=salt, regions=regions)


def load_config(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise ConfigError("cannot read %s: %s" % (path, e))
    return parse_config(data)
