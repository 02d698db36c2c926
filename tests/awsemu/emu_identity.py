"""Who is calling: long-term user keys, STS session credentials, IAM permissions."""

import base64
import fnmatch
import secrets
import time

from emu_errors import TOKEN_EXPIRED, TOKEN_INVALID, CommonError
from emu_util import random_upper, stable_upper


class Principal:
    """The identity a request runs as."""

    def __init__(self, account_id, arn, user_id, permissions, role=None, access_key=None):
        self.account_id = account_id
        self.arn = arn
        self.user_id = user_id
        self.permissions = permissions
        self.role = role                    # the Role for an assumed-role principal
        self.access_key = access_key

    @property
    def is_assumed_role(self):
        return self.role is not None

    def allows(self, action):
        """True if the principal's permissions (IAM action patterns) allow action."""
        if self.permissions is None:
            return True
        action = action.lower()
        return any(fnmatch.fnmatchcase(action, p.lower()) for p in self.permissions)


class Session:
    """Temporary credentials issued by AssumeRole."""

    def __init__(self, access_key, secret, token, expiration, role, session_name,
                 expired=False):
        self.access_key = access_key
        self.secret = secret
        self.token = token
        self.expiration = expiration
        self.role = role
        self.session_name = session_name
        self.expired = expired

    def principal(self):
        role = self.role
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (role.account_id, role.name,
                                                      self.session_name)
        return Principal(role.account_id, arn, "%s:%s" % (role_id(role), self.session_name),
                         role.permissions, role=role, access_key=self.access_key)

    def is_expired(self, now=None):
        return self.expired or (now or time.time()) >= self.expiration

    def to_dict(self):
        return {"accessKeyId": self.access_key, "secretAccessKey": self.secret,
                "sessionToken": self.token, "expiration": self.expiration,
                "roleAccount": self.role.account_id, "roleName": self.role.name,
                "sessionName": self.session_name, "expired": self.expired}


def role_id(role):
    return "AROA" + stable_upper(role.arn, 17)


def user_principal(user):
    return Principal(user.account_id, user.arn, "AIDA" + stable_upper(user.arn, 17),
                     user.permissions, access_key=user.access_key)


class CredentialStore:
    """Looks up the secret and principal for an access key; issues and expires sessions."""

    def __init__(self, config):
        self.config = config
        self.users = {u.access_key: u for a in config.accounts.values() for u in a.users}
        self.sessions = {}

    def resolve(self, access_key, token):
        """(secret, principal) for access_key, checking the session token.

        Raises CommonError('unrecognized') for an unknown key or a wrong token,
        CommonError('expired') for an expired session."""
        user = self.users.get(access_key)
        if user is not None:
            if token:
                raise CommonError("unrecognized", TOKEN_INVALID)
            return user.secret, user_principal(user)
        session = self.sessions.get(access_key)
        if session is None or not token or not secrets.compare_digest(token, session.token):
            raise CommonError("unrecognized", TOKEN_INVALID)
        if session.is_expired():
            raise CommonError("expired", TOKEN_EXPIRED)
        return session.secret, session.principal()

    def account_of(self, access_key):
        """The account an access key belongs to (for the request log), or None."""
        user = self.users.get(access_key)
        if user is not None:
            return user.account_id
        session = self.sessions.get(access_key)
        return session.role.account_id if session else None

    def issue(self, role, session_name, duration):
        token = base64.b64encode(secrets.token_bytes(264)).decode()
        session = Session(access_key="ASIA" + random_upper(16),
                          secret=base64.b64encode(secrets.token_bytes(30)).decode(),
                          token="IQoJb3JpZ2luX2VjE" + token,
                          expiration=int(time.time()) + duration,
                          role=role, session_name=session_name)
        self.sessions[session.access_key] = session
        return session

    def expire(self, access_key=None):
        """Mark one session (or all) expired; returns how many were."""
        targets = [self.sessions[access_key]] if access_key in self.sessions else (
            list(self.sessions.values()) if access_key is None else [])
        for session in targets:
            session.expired = True
        return len(targets)

    def prune(self, keep_seconds=86400):
        """Forget sessions that expired more than keep_seconds ago."""
        limit = time.time() - keep_seconds
        for key in [k for k, s in self.sessions.items() if s.expiration < limit]:
            del self.sessions[key]

    def dump_sessions(self):
        return [s.to_dict() for s in self.sessions.values()]

    def load_sessions(self, items):
        for item in items:
            account = self.config.accounts.get(item.get("roleAccount"))
            role = account.roles.get(item.get("roleName")) if account else None
            if role is None:
                continue
            self.sessions[item["accessKeyId"]] = Session(
                item["accessKeyId"], item["secretAccessKey"], item["sessionToken"],
                item["expiration"], role, item["sessionName"], item.get("expired", False))
