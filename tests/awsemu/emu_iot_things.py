"""IoT operations on policies, things and thing groups."""

import json
import uuid

from emu_errors import ApiError
from emu_iot_state import (Policy, Thing, ThingGroup, cert_id_from_principal, operation, paginate)
from emu_util import parse_iot_arn

MAX_POLICIES_PER_TARGET = 10


def _not_pending(cert):
    if cert.status == "PENDING_TRANSFER":
        raise ApiError("InvalidRequestException",
                       "The certificate is pending transfer. Id: %s" % cert.id)


# ---------------------------------------------------------------- policies

def _policy(ctx, name):
    policy = ctx.account.policies.get(name)
    if policy is None:
        raise ApiError("ResourceNotFoundException", "Policy not found (name=%s)" % name)
    return policy


def _check_policy_document(text):
    try:
        doc = json.loads(text)
    except ValueError:
        raise ApiError("MalformedPolicyException", "Policy document is not valid JSON")
    if not isinstance(doc, dict) or "Statement" not in doc:
        raise ApiError("MalformedPolicyException",
                       "Policy document must be a JSON object with a Statement")


@operation("CreatePolicy")
def create_policy(ctx, p):
    name = p["policyName"]
    arn = ctx.arn("policy", name)
    if name in ctx.account.policies:
        raise ApiError("ResourceAlreadyExistsException",
                       "Policy cannot be created - name already exists (name=%s)" % name,
                       resourceId=name, resourceArn=arn)
    _check_policy_document(p["policyDocument"])
    ctx.account.policies[name] = Policy(name, p["policyDocument"], ctx.now, ctx.now)
    return {"policyName": name, "policyArn": arn, "policyDocument": p["policyDocument"],
            "policyVersionId": "1"}


@operation("GetPolicy")
def get_policy(ctx, p):
    policy = _policy(ctx, p["policyName"])
    return {"policyName": policy.name, "policyArn": ctx.arn("policy", policy.name),
            "policyDocument": policy.document, "defaultVersionId": "1",
            "creationDate": policy.created, "lastModifiedDate": policy.modified,
            "generationId": policy.generation}


def _targets_of(ctx, name):
    return [c for c in ctx.account.certs.values() if name in c.policies]


@operation("DeletePolicy")
def delete_policy(ctx, p):
    policy = _policy(ctx, p["policyName"])
    if _targets_of(ctx, policy.name):
        raise ApiError("DeleteConflictException", "The policy cannot be deleted as the policy "
                       "is attached to one or more principals (name=%s)" % policy.name)
    del ctx.account.policies[policy.name]


@operation("AttachPolicy")
def attach_policy(ctx, p):
    policy = _policy(ctx, p["policyName"])
    cert = ctx.account.certs[cert_id_from_principal(ctx, p["target"], "target")]
    _not_pending(cert)
    if policy.name in cert.policies:
        return
    if len(cert.policies) >= MAX_POLICIES_PER_TARGET:
        raise ApiError("LimitExceededException",
                       "A target can have at most %d policies" % MAX_POLICIES_PER_TARGET)
    cert.policies.append(policy.name)


@operation("DetachPolicy")
def detach_policy(ctx, p):
    cert = ctx.account.certs[cert_id_from_principal(ctx, p["target"], "target")]
    if p["policyName"] in cert.policies:
        cert.policies.remove(p["policyName"])


@operation("ListAttachedPolicies")
def list_attached_policies(ctx, p):
    cert = ctx.account.certs[cert_id_from_principal(ctx, p["target"], "target")]
    page, marker = paginate(cert.policies, p.get("pageSize"), p.get("marker"))
    out = {"policies": [{"policyName": n, "policyArn": ctx.arn("policy", n)} for n in page]}
    if marker:
        out["nextMarker"] = marker
    return out


@operation("ListTargetsForPolicy")
def list_targets_for_policy(ctx, p):
    policy = _policy(ctx, p["policyName"])
    targets = [ctx.arn("cert", c.id) for c in _targets_of(ctx, policy.name)]
    page, marker = paginate(targets, p.get("pageSize"), p.get("marker"))
    out = {"targets": page}
    if marker:
        out["nextMarker"] = marker
    return out


# ---------------------------------------------------------------- things

def _thing(ctx, name):
    thing = ctx.account.things.get(name)
    if thing is None:
        raise ApiError("ResourceNotFoundException", "Thing %s cannot be found." % name)
    return thing


def _thing_by_name_or_arn(ctx, name, arn):
    if not name and arn:
        parsed = parse_iot_arn(arn)
        name = parsed[3] if parsed and parsed[2] == "thing" and parsed[1] == ctx.account_id \
            else None
    if not name:
        raise ApiError("ResourceNotFoundException", "Thing %s cannot be found." % (arn or ""))
    return _thing(ctx, name)


@operation("CreateThing")
def create_thing(ctx, p):
    name = p["thingName"]
    attributes = (p.get("attributePayload") or {}).get("attributes") or {}
    existing = ctx.account.things.get(name)
    if existing is not None:
        if (existing.attributes, existing.type_name, existing.billing_group) != \
                (attributes, p.get("thingTypeName"), p.get("billingGroupName")):
            raise ApiError("ResourceAlreadyExistsException",
                           "Thing %s already exists in account with different attributes" % name,
                           resourceId=existing.id, resourceArn=ctx.arn("thing", name))
        thing = existing
    else:
        thing = Thing(name=name, id=str(uuid.uuid4()), attributes=dict(attributes),
                      type_name=p.get("thingTypeName"), billing_group=p.get("billingGroupName"))
        ctx.account.things[name] = thing
    return {"thingName": name, "thingArn": ctx.arn("thing", name), "thingId": thing.id}


@operation("DescribeThing")
def describe_thing(ctx, p):
    thing = _thing(ctx, p["thingName"])
    out = {"defaultClientId": thing.name, "thingName": thing.name, "thingId": thing.id,
           "thingArn": ctx.arn("thing", thing.name), "thingTypeName": thing.type_name,
           "attributes": thing.attributes, "version": thing.version,
           "billingGroupName": thing.billing_group}
    return {k: v for k, v in out.items() if v is not None}


@operation("DeleteThing")
def delete_thing(ctx, p):
    thing = ctx.account.things.get(p["thingName"])
    if thing is None:
        return
    expected = p.get("expectedVersion")
    if expected is not None and expected != thing.version:
        raise ApiError("VersionConflictException", "The version for thing %s does not match "
                       "the expected version." % thing.name)
    if thing.principals:
        raise ApiError("InvalidRequestException", "Cannot delete. Thing %s is still attached to "
                       "one or more principals" % thing.name)
    del ctx.account.things[thing.name]


@operation("AttachThingPrincipal")
def attach_thing_principal(ctx, p):
    thing = _thing(ctx, p["thingName"])
    cert = ctx.account.certs[cert_id_from_principal(ctx, p["principal"])]
    _not_pending(cert)
    if thing.name in cert.things:
        return {}
    if p.get("thingPrincipalType") == "EXCLUSIVE_THING" and cert.things:
        raise ApiError("InvalidRequestException", "The principal is already attached to another "
                       "thing and cannot be attached exclusively")
    cert.things.append(thing.name)
    thing.principals.append(cert.id)
    return {}


@operation("DetachThingPrincipal")
def detach_thing_principal(ctx, p):
    thing = _thing(ctx, p["thingName"])
    cert = ctx.account.certs[cert_id_from_principal(ctx, p["principal"])]
    if cert.id in thing.principals:
        thing.principals.remove(cert.id)
        cert.things.remove(thing.name)
    return {}


def _token_page(items, p):
    page, token = paginate(items, p.get("maxResults"), p.get("nextToken"))
    return page, token


@operation("ListThingPrincipals")
def list_thing_principals(ctx, p):
    thing = _thing(ctx, p["thingName"])
    page, token = _token_page([ctx.arn("cert", c) for c in thing.principals], p)
    out = {"principals": page}
    if token:
        out["nextToken"] = token
    return out


@operation("ListPrincipalThings")
def list_principal_things(ctx, p):
    cert = ctx.account.certs[cert_id_from_principal(ctx, p["principal"])]
    page, token = _token_page(list(cert.things), p)
    out = {"things": page}
    if token:
        out["nextToken"] = token
    return out


# ---------------------------------------------------------------- thing groups

def _group(ctx, name, arn=None):
    if not name and arn:
        parsed = parse_iot_arn(arn)
        name = parsed[3] if parsed and parsed[2] == "thinggroup" and parsed[1] == ctx.account_id \
            else None
    group = ctx.account.thing_groups.get(name) if name else None
    if group is None:
        raise ApiError("ResourceNotFoundException",
                       "Thing group %s cannot be found." % (name or arn or ""))
    return group


@operation("CreateThingGroup")
def create_thing_group(ctx, p):
    name = p["thingGroupName"]
    properties = p.get("thingGroupProperties") or {}
    parent = p.get("parentGroupName")
    if parent and parent not in ctx.account.thing_groups:
        raise ApiError("InvalidRequestException", "Parent thing group %s does not exist" % parent)
    existing = ctx.account.thing_groups.get(name)
    if existing is not None and (existing.properties, existing.parent) != (properties, parent):
        raise ApiError("ResourceAlreadyExistsException", "Thing group %s already exists with "
                       "different properties" % name, resourceId=existing.id,
                       resourceArn=ctx.arn("thinggroup", name))
    group = existing or ThingGroup(name, str(uuid.uuid4()), properties, parent, ctx.now)
    ctx.account.thing_groups[name] = group
    return {"thingGroupName": name, "thingGroupArn": ctx.arn("thinggroup", name),
            "thingGroupId": group.id}


def _root_to_parent(ctx, group):
    chain, parent = [], group.parent
    while parent and parent in ctx.account.thing_groups and len(chain) < 8:
        chain.insert(0, {"groupName": parent, "groupArn": ctx.arn("thinggroup", parent)})
        parent = ctx.account.thing_groups[parent].parent
    return chain


@operation("DescribeThingGroup")
def describe_thing_group(ctx, p):
    group = _group(ctx, p["thingGroupName"])
    metadata = {"creationDate": group.created,
                "rootToParentThingGroups": _root_to_parent(ctx, group)}
    if group.parent:
        metadata["parentGroupName"] = group.parent
    return {"thingGroupName": group.name, "thingGroupId": group.id,
            "thingGroupArn": ctx.arn("thinggroup", group.name), "version": group.version,
            "thingGroupProperties": group.properties, "thingGroupMetadata": metadata}


@operation("AddThingToThingGroup")
def add_thing_to_thing_group(ctx, p):
    group = _group(ctx, p.get("thingGroupName"), p.get("thingGroupArn"))
    thing = _thing_by_name_or_arn(ctx, p.get("thingName"), p.get("thingArn"))
    if group.name not in thing.groups:
        thing.groups.append(group.name)
    return {}
