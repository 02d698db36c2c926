"""The unsigned admin API under /_emu/, for tests (loopback clients only)."""

import ipaddress
import json

from emu_dataplane import TRANSFER_ROUTINGS
from emu_faults import FaultConfigError
from emu_http import Response
from emu_persist import dump_account, save_state


class AdminError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _is_loopback(ip):
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def _json_body(request):
    if not request.body.strip():
        return {}
    try:
        obj = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise AdminError(400, "the body must be a JSON object")
    if not isinstance(obj, dict):
        raise AdminError(400, "the body must be a JSON object")
    return obj


class Admin:
    def __init__(self, emulator):
        self.emu = emulator
        self.routes = {
            ("GET", "health"): self.health,
            ("GET", "accounts"): self.accounts,
            ("GET", "stats"): self.stats,
            ("POST", "reset-stats"): self.reset_stats,
            ("GET", "faults"): self.get_faults,
            ("POST", "faults"): self.set_faults,
            ("POST", "expire-sessions"): self.expire_sessions,
            ("POST", "save"): self.save,
            ("POST", "role-trust"): self.role_trust,
            ("GET", "connections"): self.connections,
            ("DELETE", "connections"): self.clear_connections,
            ("GET", "dataplane"): self.dataplane,
            ("POST", "dataplane"): self.set_dataplane,
        }

    def handle(self, request):
        try:
            if not _is_loopback(request.client_ip):
                raise AdminError(403, "the admin API answers loopback clients only")
            parts = request.raw_path.strip("/").split("/")[1:]
            with self.emu.lock:
                return Response.json(self._dispatch(request, parts))
        except AdminError as e:
            return Response.json({"error": str(e)}, e.status)

    def _dispatch(self, request, parts):
        if len(parts) >= 2 and parts[0] == "accounts" and request.method == "GET":
            if len(parts) == 2:     # ?region=R, else the account's default region
                regions = [v for k, v in request.query_pairs if k == "region"]
                return self.account(parts[1], regions[-1] if regions else None)
            if len(parts) == 4 and parts[2] == "regions":
                return self.account(parts[1], parts[3])
        handler = self.routes.get((request.method, "/".join(parts)))
        if handler is None:
            raise AdminError(404, "no admin endpoint %s %s" % (request.method, request.raw_path))
        return handler(request)

    def health(self, request):
        return {"ok": True}

    def accounts(self, request):
        config = self.emu.config
        return {"region": config.region, "regions": list(config.regions),
                "accounts": [{"id": a.id, "name": a.name, "regions": list(a.regions),
                              "defaultRegion": config.default_region_of(a.id)}
                             for a in config.accounts.values()]}

    def account(self, account_id, region=None):
        config = self.emu.config
        if account_id not in config.accounts:
            raise AdminError(404, "unknown account %s" % account_id)
        region = region or config.default_region_of(account_id)
        if not config.serves(account_id, region):
            raise AdminError(404, "account %s does not serve region %s" % (account_id, region))
        return dump_account(self.emu.regions[region], config, account_id)

    def stats(self, request):
        return self.emu.stats.to_dict(self.emu.rates.maximum)

    def reset_stats(self, request):
        self.emu.stats.reset()
        self.emu.rates.reset()
        return {"ok": True}

    def get_faults(self, request):
        return self.emu.faults.settings()

    def set_faults(self, request):
        try:
            self.emu.faults.configure(_json_body(request))
        except FaultConfigError as e:
            raise AdminError(400, str(e))
        return self.emu.faults.settings()

    def expire_sessions(self, request):
        key = _json_body(request).get("accessKeyId")
        return {"expired": self.emu.credentials.expire(key)}

    def role_trust(self, request):
        """Changes a role's trust policy: {"roleArn", "externalId": "..." | null}
        (null: no ExternalId condition, an unsafe role)."""
        body = _json_body(request)
        arn = body.get("roleArn")
        if not isinstance(arn, str) or "externalId" not in body:
            raise AdminError(400, 'the body needs "roleArn" and "externalId" (a string or null)')
        external_id = body["externalId"]
        if external_id is not None and not isinstance(external_id, str):
            raise AdminError(400, '"externalId" must be a string or null')
        role = next((r for a in self.emu.config.accounts.values() for r in a.roles.values()
                     if r.arn == arn), None)
        if role is None:
            raise AdminError(404, "no role %s" % arn)
        role.external_id = external_id
        return {"roleArn": role.arn, "trustedAccounts": list(role.trusted_accounts),
                "externalId": role.external_id}

    def _plane(self):
        if self.emu.dataplane is None:
            raise AdminError(400, "the emulator runs without --data-listen")
        return self.emu.dataplane

    def connections(self, request):
        """The data plane's connections, oldest first: outcome, stage and reason of each."""
        return {"connections": self._plane().connections()}

    def clear_connections(self, request):
        self._plane().clear_connections()
        return {"ok": True}

    def dataplane(self, request):
        return self._plane().settings()

    def set_dataplane(self, request):
        """{"transferRouting": "owner" | "follow" | "refuse"}: switch the rule for new
        connections."""
        plane = self._plane()
        routing = _json_body(request).get("transferRouting")
        if routing not in TRANSFER_ROUTINGS:
            raise AdminError(400, '"transferRouting" must be one of ' +
                             ", ".join(TRANSFER_ROUTINGS))
        plane.transfer_routing = routing
        return plane.settings()

    def save(self, request):
        if not self.emu.state_dir:
            raise AdminError(400, "the emulator runs without --state-dir")
        save_state(self.emu.state_dir, self.emu)
        return {"ok": True, "stateDir": self.emu.state_dir}
