"""The accounts file: accounts, their users and roles, quotas.

{"region": "us-east-1",
 "quotas": {"RegisterCertificate": 20},            optional, all accounts
 "certificateIdSalt": "x",                         optional: ids unlike AWS's SHA-256
 "accounts": [{"id": "111111111111", "name": "csp",
               "users": [{"accessKeyId": "...", "secretAccessKey": "...",
                          "name": "...", "permissions": ["iot:*"]}],
               "roles": [{"name": "...", "trustedAccount": "...",
                          "externalId": "...", "permissions": ["iot:*"],
                          "maxSessionDuration": 3600}],
               "rejectTransfers": false,
               "quotas": {...}}]}                   optional, this account
"""

import json
import re
from dataclasses import dataclass, field

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
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


@dataclass
class Config:
    region: str
    accounts: dict
    quotas: dict
    certificate_id_salt: str = ""  # "": device certificate ids are the DER's SHA-256


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


def _account(obj):
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
                   quotas=_quotas(obj, "account " + account_id))


def parse_config(data):
    _require(isinstance(data, dict), "the accounts file must hold a JSON object")
    region = data.get("region", "us-east-1")
    _require(isinstance(region, str) and re.match(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$", region),
             "region must look like us-east-1")
    accounts = {}
    for obj in data.get("accounts", []):
        account = _account(obj)
        _require(account.id not in accounts, "duplicate account %s" % account.id)
        accounts[account.id] = account
    _require(accounts, "the accounts file names no account")
    keys = [u.access_key for a in accounts.values() for u in a.users]
    _require(len(keys) == len(set(keys)), "an access key is used twice")
    salt = data.get("certificateIdSalt", "")
    _require(isinstance(salt, str), "certificateIdSalt must be a string")
    return Config(region=region, accounts=accounts, quotas=_quotas(data, "top level"),
                  certificate_id_salt=salt)


def load_config(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise ConfigError("cannot read %s: %s" % (path, e))
    return parse_config(data)
