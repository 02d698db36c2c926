"""State as JSON: the per-account, per-region dump (the admin view) and the state directory.

DIR/ACCOUNTID.json holds one account's dump in its default region (what GET
/_emu/accounts/ID returns), DIR/REGION/ACCOUNTID.json its dump in each other region
it serves (GET /_emu/accounts/ID?region=REGION); DIR/_global.json holds what is not
per account (the id sequence and the live STS sessions). A dump names its region,
and a file is loaded into the region it names when the account serves it (so a state
directory written before regions, or with another default region, still loads).
Files are written atomically (temporary file + rename).
"""

import collections
import json
import os

from emu_endpoints import prefixes
from emu_iot_state import (CaCertificate, Certificate, Policy, Thing, ThingGroup, Transfer)
from emu_util import parse_iot_arn, write_json_atomic

GLOBAL_FILE = "_global.json"
FORMAT_VERSION = 2      # 2: per-region files; 1 (one region) is read as well


# ---------------------------------------------------------------- dump

def ca_dict(state, account_id, ca):
    return {"id": ca.id, "arn": state.arn(account_id, "cacert", ca.id), "status": ca.status,
            "certificateMode": ca.mode, "certificatePem": ca.pem,
            "autoRegistration": ca.auto_registration, "creationDate": ca.created,
            "lastModifiedDate": ca.modified, "customerVersion": ca.version,
            "generationId": ca.generation, "validity": ca.validity, "seq": ca.seq}


def cert_dict(state, owner_id, cert):
    return {"id": cert.id, "arn": state.arn(owner_id, "cert", cert.id), "status": cert.status,
            "ownedBy": owner_id, "previousOwnedBy": cert.previous_owner,
            "caCertificateId": cert.ca_id, "certificatePem": cert.pem,
            "certificateMode": cert.mode, "policies": list(cert.policies),
            "things": list(cert.things),
            "transferData": cert.transfer.aws_view() if cert.transfer else {},
            "transfer": cert.transfer.to_dict() if cert.transfer else None,
            "creationDate": cert.created, "lastModifiedDate": cert.modified,
            "customerVersion": cert.version, "generationId": cert.generation,
            "validity": cert.validity, "seq": cert.seq}


def policy_dict(state, account_id, policy):
    return {"name": policy.name, "arn": state.arn(account_id, "policy", policy.name),
            "document": policy.document, "creationDate": policy.created,
            "lastModifiedDate": policy.modified, "generationId": policy.generation}


def thing_dict(state, account_id, thing):
    return {"name": thing.name, "arn": state.arn(account_id, "thing", thing.name),
            "id": thing.id, "attributes": thing.attributes, "thingTypeName": thing.type_name,
            "billingGroupName": thing.billing_group, "version": thing.version,
            "principals": [state.arn(account_id, "cert", c) for c in thing.principals],
            "groups": list(thing.groups)}


def group_dict(state, account_id, group):
    return {"name": group.name, "arn": state.arn(account_id, "thinggroup", group.name),
            "id": group.id, "properties": group.properties, "parentGroupName": group.parent,
            "creationDate": group.created, "version": group.version}


def dump_account(state, config, account_id):
    account = state.accounts[account_id]
    return {
        "id": account_id, "name": config.accounts[account_id].name, "region": state.region,
        "registrationCode": account.code(),
        "endpointPrefixes": dict(prefixes(state, account)),
        "caCertificates": [ca_dict(state, account_id, c) for c in account.ca_certs.values()],
        "certificates": [cert_dict(state, account_id, c) for c in account.certs.values()],
        "incomingTransfers": [cert_dict(state, src.id, c)
                              for src, c in state.incoming(account_id)],
        "policies": [policy_dict(state, account_id, p) for p in account.policies.values()],
        "things": [thing_dict(state, account_id, t) for t in account.things.values()],
        "thingGroups": [group_dict(state, account_id, g)
                        for g in account.thing_groups.values()],
        "requestLog": list(account.request_log),
        "requestLogDropped": account.request_log_dropped,
    }


# ---------------------------------------------------------------- load

def _ca_from(d):
    return CaCertificate(id=d["id"], pem=d["certificatePem"], status=d["status"],
                         mode=d["certificateMode"], auto_registration=d["autoRegistration"],
                         created=d["creationDate"], modified=d["lastModifiedDate"], seq=d["seq"],
                         validity=d["validity"], version=d["customerVersion"],
                         generation=d["generationId"])


def _cert_from(d):
    return Certificate(id=d["id"], pem=d["certificatePem"], status=d["status"],
                       mode=d["certificateMode"], ca_id=d["caCertificateId"],
                       created=d["creationDate"], modified=d["lastModifiedDate"], seq=d["seq"],
                       validity=d["validity"], version=d["customerVersion"],
                       generation=d["generationId"], previous_owner=d["previousOwnedBy"],
                       policies=list(d["policies"]), things=list(d["things"]),
                       transfer=Transfer.from_dict(d.get("transfer")))


def _thing_from(d):
    principals = [parse_iot_arn(a)[3] for a in d["principals"]]
    return Thing(name=d["name"], id=d["id"], attributes=d["attributes"],
                 type_name=d["thingTypeName"], billing_group=d["billingGroupName"],
                 version=d["version"], principals=principals, groups=list(d["groups"]))


def load_account(account, d, log_limit):
    account.registration_code = d.get("registrationCode")
    account.endpoint_prefixes = dict(d.get("endpointPrefixes") or {})
    account.ca_certs = {c["id"]: _ca_from(c) for c in d.get("caCertificates", [])}
    account.certs = {c["id"]: _cert_from(c) for c in d.get("certificates", [])}
    account.policies = {p["name"]: Policy(p["name"], p["document"], p["creationDate"],
                                          p["lastModifiedDate"], p["generationId"])
                        for p in d.get("policies", [])}
    account.things = {t["name"]: _thing_from(t) for t in d.get("things", [])}
    account.thing_groups = {g["name"]: ThingGroup(g["name"], g["id"], g["properties"],
                                                  g["parentGroupName"], g["creationDate"],
                                                  g["version"])
                            for g in d.get("thingGroups", [])}
    account.request_log = collections.deque(d.get("requestLog", []), maxlen=log_limit)
    account.request_log_dropped = d.get("requestLogDropped", 0)


# ---------------------------------------------------------------- directory

def account_path(directory, config, account_id, region):
    if region == config.default_region_of(account_id):
        return os.path.join(directory, account_id + ".json")
    return os.path.join(directory, region, account_id + ".json")


def save_state(directory, emulator):
    os.makedirs(directory, exist_ok=True)
    emulator.credentials.prune()
    config = emulator.config
    for region, state in emulator.regions.items():
        for account_id in state.accounts:
            path = account_path(directory, config, account_id, region)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_json_atomic(path, dump_account(state, config, account_id))
    write_json_atomic(os.path.join(directory, GLOBAL_FILE),
                      {"version": FORMAT_VERSION, "region": config.region,
                       "regions": list(config.regions),
                       "seq": max(s.seq for s in emulator.regions.values()),
                       "sessions": emulator.credentials.dump_sessions()})


def load_state(directory, emulator):
    """Load what directory holds; returns the number of account files read."""
    if not os.path.isdir(directory):
        return 0
    config = emulator.config
    loaded = 0
    for account_id in config.accounts:
        candidates = [os.path.join(directory, account_id + ".json")] + [
            os.path.join(directory, r, account_id + ".json") for r in config.regions]
        for path in candidates:
            if not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            account = emulator.regions.account(account_id, data.get("region"))
            if account is None:
                continue        # a region the accounts file no longer lists for it
            load_account(account, data, emulator.log_limit)
            loaded += 1
    seq = 0
    path = os.path.join(directory, GLOBAL_FILE)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        emulator.credentials.load_sessions(data.get("sessions", []))
        seq = data.get("seq", 0)
    for state in emulator.regions.values():
        state.seq = max([seq] + [r.seq for a in state.accounts.values()
                                 for r in list(a.certs.values()) + list(a.ca_certs.values())])
    return loaded
