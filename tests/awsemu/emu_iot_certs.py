"""IoT operations on CA certificates, device certificates and certificate transfers."""

from emu_certs import (certificate_id, check_ca_certificate, common_name, issued_by, parse_pem,
                       signature_valid, validity)
from emu_errors import ApiError
from emu_iot_state import (CaCertificate, Certificate, Transfer, operation, ordered, paginate)

NOT_SETTABLE = ("PENDING_TRANSFER", "PENDING_ACTIVATION")
_ca_cache = {}


def _not_found(cert_id):
    return ApiError("ResourceNotFoundException",
                    "The specified resource does not exist: certificate %s" % cert_id)


def _owned(ctx, cert_id):
    cert = ctx.account.certs.get(cert_id)
    if cert is None:
        raise _not_found(cert_id)
    return cert


def _parsed_ca(ca):
    if ca.id not in _ca_cache:
        _ca_cache[ca.id] = parse_pem(ca.pem, "CA certificate")
    return _ca_cache[ca.id]


# ---------------------------------------------------------------- CA certificates

@operation("GetRegistrationCode")
def get_registration_code(ctx, p):
    return {"registrationCode": ctx.account.code()}


def _check_verification(ctx, ca, pem):
    verification = parse_pem(pem, "verification certificate")
    if common_name(verification) != ctx.account.code():
        raise ApiError("RegistrationCodeValidationException",
                       "The verification certificate's common name does not match the "
                       "registration code of this account")
    if not signature_valid(verification, ca.public_key()):
        raise ApiError("CertificateValidationException",
                       "The verification certificate is not signed by the CA certificate's key")


def _check_ca_mode(ctx, ca, p):
    mode = p.get("certificateMode") or "DEFAULT"
    verification = p.get("verificationCertificate")
    if mode == "SNI_ONLY" and verification:
        raise ApiError("InvalidRequestException",
                       "verificationCertificate must be empty when certificateMode is SNI_ONLY")
    if mode == "DEFAULT":
        if not verification:
            raise ApiError("InvalidRequestException",
                           "verificationCertificate is required when certificateMode is DEFAULT")
        _check_verification(ctx, ca, verification)
    return mode


def _check_ca_unique(ctx, ca_id, mode):
    if ca_id in ctx.account.ca_certs:
        raise ApiError("ResourceAlreadyExistsException", "The CA certificate is already registered",
                       resourceId=ca_id, resourceArn=ctx.arn("cacert", ca_id))
    owner = ctx.state.default_ca_owner(ca_id) if mode == "DEFAULT" else None
    if owner is not None:
        raise ApiError("ResourceAlreadyExistsException",
                       "The CA certificate is already registered in DEFAULT mode by another "
                       "account in this region", resourceId=ca_id)


@operation("RegisterCACertificate")
def register_ca_certificate(ctx, p):
    ca = parse_pem(p["caCertificate"], "CA certificate")
    check_ca_certificate(ca)
    mode = _check_ca_mode(ctx, ca, p)
    ca_id = certificate_id(ca)
    _check_ca_unique(ctx, ca_id, mode)
    ctx.account.ca_certs[ca_id] = CaCertificate(
        id=ca_id, pem=p["caCertificate"], mode=mode,
        status="ACTIVE" if p.get("setAsActive") else "INACTIVE",
        auto_registration="ENABLE" if p.get("allowAutoRegistration") else "DISABLE",
        created=ctx.now, modified=ctx.now, seq=ctx.state.next_seq(), validity=validity(ca))
    return {"certificateArn": ctx.arn("cacert", ca_id), "certificateId": ca_id}


def _ca(ctx, ca_id):
    ca = ctx.account.ca_certs.get(ca_id)
    if ca is None:
        raise ApiError("ResourceNotFoundException",
                       "The specified resource does not exist: CA certificate %s" % ca_id)
    return ca


@operation("DescribeCACertificate")
def describe_ca_certificate(ctx, p):
    ca = _ca(ctx, p["certificateId"])
    return {"certificateDescription": {
        "certificateArn": ctx.arn("cacert", ca.id), "certificateId": ca.id,
        "status": ca.status, "certificatePem": ca.pem, "ownedBy": ctx.account_id,
        "creationDate": ca.created, "autoRegistrationStatus": ca.auto_registration,
        "lastModifiedDate": ca.modified, "customerVersion": ca.version,
        "generationId": ca.generation, "validity": ca.validity, "certificateMode": ca.mode},
        "registrationConfig": {}}


@operation("ListCACertificates")
def list_ca_certificates(ctx, p):
    cas = ordered(ctx.account.ca_certs.values(), p.get("ascendingOrder", False))
    page, marker = paginate(cas, p.get("pageSize"), p.get("marker"))
    out = {"certificates": [{"certificateArn": ctx.arn("cacert", c.id), "certificateId": c.id,
                             "status": c.status, "creationDate": c.created} for c in page]}
    if marker:
        out["nextMarker"] = marker
    return out


@operation("UpdateCACertificate")
def update_ca_certificate(ctx, p):
    ca = _ca(ctx, p["certificateId"])
    if p.get("newStatus"):
        ca.status = p["newStatus"]
    if p.get("newAutoRegistrationStatus"):
        ca.auto_registration = p["newAutoRegistrationStatus"]
    ca.touch(ctx.now)


@operation("DeleteCACertificate")
def delete_ca_certificate(ctx, p):
    ca = _ca(ctx, p["certificateId"])
    if ca.status == "ACTIVE":
        raise ApiError("CertificateStateException",
                       "The CA certificate must be deactivated before deletion. Id: %s" % ca.id)
    if any(c.ca_id == ca.id for c in ctx.account.certs.values()):
        raise ApiError("CertificateStateException", "Certificates signed by this CA certificate "
                       "are still registered in this account. Id: %s" % ca.id)
    del ctx.account.ca_certs[ca.id]


# ---------------------------------------------------------------- device certificates

def _initial_status(p):
    status = p.get("status") or ("ACTIVE" if p.get("setAsActive") else "INACTIVE")
    if status in NOT_SETTABLE:
        raise ApiError("InvalidRequestException",
                       "A certificate cannot be registered with status %s" % status)
    return status


def _issuing_ca(ctx, cert, ca_pem):
    """The caller's registered CA that issued cert (the one given, or found by issuer)."""
    if ca_pem:
        ca_cert = parse_pem(ca_pem, "CA certificate")
        ca = ctx.account.ca_certs.get(certificate_id(ca_cert))
        if ca is None:
            raise ApiError("CertificateValidationException",
                           "The CA certificate is not registered in this account")
        if not issued_by(cert, ca_cert):
            raise ApiError("CertificateValidationException",
                           "The certificate is not signed by the given CA certificate")
        return ca
    for ca in ordered(ctx.account.ca_certs.values(), True):
        if issued_by(cert, _parsed_ca(ca)):
            return ca
    raise ApiError("CertificateValidationException",
                   "The certificate is not signed by a CA certificate registered in this account")


def _add_certificate(ctx, cert, pem, status, mode, ca_id):
    cert_id = certificate_id(cert, ctx.config.certificate_id_salt)
    arn = ctx.arn("cert", cert_id)
    if cert_id in ctx.account.certs:
        raise ApiError("ResourceAlreadyExistsException",
                       "The certificate is already provisioned or registered",
                       resourceId=cert_id, resourceArn=arn)
    for _, existing in ctx.state.certs_with_id(cert_id):
        if mode == "DEFAULT" or existing.mode == "DEFAULT":
            raise ApiError("ResourceAlreadyExistsException",
                           "The certificate is already registered in another account",
                           resourceId=cert_id)
    ctx.account.certs[cert_id] = Certificate(
        id=cert_id, pem=pem, status=status, mode=mode, ca_id=ca_id, created=ctx.now,
        modified=ctx.now, seq=ctx.state.next_seq(), validity=validity(cert))
    return {"certificateArn": arn, "certificateId": cert_id}


@operation("RegisterCertificate")
def register_certificate(ctx, p):
    cert = parse_pem(p["certificatePem"])
    status = _initial_status(p)
    ca = _issuing_ca(ctx, cert, p.get("caCertificatePem"))
    if status == "ACTIVE" and ca.status != "ACTIVE":
        raise ApiError("CertificateStateException",
                       "The certificate cannot be activated: its CA certificate is not ACTIVE")
    return _add_certificate(ctx, cert, p["certificatePem"], status, ca.mode, ca.id)


@operation("RegisterCertificateWithoutCA")
def register_certificate_without_ca(ctx, p):
    cert = parse_pem(p["certificatePem"])
    return _add_certificate(ctx, cert, p["certificatePem"], _initial_status(p), "SNI_ONLY", None)


def _visible(ctx, cert_id):
    """(owner account id, certificate) the caller may describe: its own, or pending to it."""
    cert = ctx.account.certs.get(cert_id)
    if cert is not None:
        return ctx.account_id, cert
    source, cert = ctx.state.pending_to(ctx.account_id, cert_id)
    if cert is None:
        raise _not_found(cert_id)
    return source.id, cert


def describe(ctx, owner, cert):
    d = {"certificateArn": ctx.arn("cert", cert.id, owner), "certificateId": cert.id,
         "caCertificateId": cert.ca_id, "status": cert.status, "certificatePem": cert.pem,
         "ownedBy": owner, "previousOwnedBy": cert.previous_owner,
         "creationDate": cert.created, "lastModifiedDate": cert.modified,
         "customerVersion": cert.version,
         "transferData": cert.transfer.aws_view() if cert.transfer else {},
         "generationId": cert.generation, "validity": cert.validity,
         "certificateMode": cert.mode}
    return {k: v for k, v in d.items() if v is not None}


@operation("DescribeCertificate")
def describe_certificate(ctx, p):
    owner, cert = _visible(ctx, p["certificateId"])
    return {"certificateDescription": describe(ctx, owner, cert)}


def _list(ctx, p, certs):
    page, marker = paginate(ordered(certs, p.get("ascendingOrder", False)),
                            p.get("pageSize"), p.get("marker"))
    out = {"certificates": [{"certificateArn": ctx.arn("cert", c.id), "certificateId": c.id,
                             "status": c.status, "certificateMode": c.mode,
                             "creationDate": c.created} for c in page]}
    if marker:
        out["nextMarker"] = marker
    return out


@operation("ListCertificates")
def list_certificates(ctx, p):
    return _list(ctx, p, ctx.account.certs.values())


@operation("ListCertificatesByCA")
def list_certificates_by_ca(ctx, p):
    ca_id = p["caCertificateId"]
    return _list(ctx, p, [c for c in ctx.account.certs.values() if c.ca_id == ca_id])


@operation("UpdateCertificate")
def update_certificate(ctx, p):
    cert = _owned(ctx, p["certificateId"])
    new = p["newStatus"]
    if new in NOT_SETTABLE:
        raise ApiError("InvalidRequestException",
                       "The certificate status cannot be set to %s" % new)
    if cert.status == "PENDING_TRANSFER":
        raise ApiError("CertificateStateException", "The certificate is pending transfer; its "
                       "status cannot change until the transfer completes. Id: %s" % cert.id)
    if cert.status == "REVOKED" and new != "REVOKED":
        raise ApiError("CertificateStateException",
                       "A revoked certificate cannot change status. Id: %s" % cert.id)
    if new != cert.status:
        cert.status = new
        cert.touch(ctx.now)


@operation("DeleteCertificate")
def delete_certificate(ctx, p):
    cert = _owned(ctx, p["certificateId"])
    if cert.status == "ACTIVE":
        raise ApiError("CertificateStateException", "Certificate must be deactivated (not "
                       "ACTIVE) before deletion. Id: %s" % cert.id)
    if cert.status == "PENDING_TRANSFER":
        raise ApiError("CertificateStateException", "A certificate pending transfer cannot be "
                       "deleted. Id: %s" % cert.id)
    if cert.things:
        raise ApiError("DeleteConflictException", "Things must be detached before deletion "
                       "(arn: %s)" % ctx.arn("cert", cert.id))
    if cert.policies and not p.get("forceDelete"):
        raise ApiError("DeleteConflictException", "Certificate policies must be detached before "
                       "deletion (arn: %s)" % ctx.arn("cert", cert.id))
    del ctx.account.certs[cert.id]


# ---------------------------------------------------------------- transfers

def _check_transferable(ctx, cert, target):
    if target == ctx.account_id:
        raise ApiError("InvalidRequestException",
                       "A certificate cannot be transferred to the account that owns it")
    if target not in ctx.state.accounts:
        raise ApiError("InvalidRequestException", "Invalid target account: %s" % target)
    if cert.status == "PENDING_TRANSFER":
        raise ApiError("TransferConflictException", "The certificate is already pending "
                       "transfer to account %s" % cert.transfer.target)
    if cert.status != "INACTIVE":
        raise ApiError("CertificateStateException", "Only an INACTIVE certificate can be "
                       "transferred; this one is %s. Id: %s" % (cert.status, cert.id))
    if cert.policies:
        raise ApiError("TransferConflictException", "You can't transfer the certificate "
                       "because authorization policies are still attached")
    if cert.things:
        raise ApiError("TransferConflictException",
                       "You can't transfer the certificate because things are still attached")
    if cert.id in ctx.state.accounts[target].certs:
        raise ApiError("TransferConflictException",
                       "The target account already has this certificate")


def _reject(cert, reason, when):
    cert.status = "INACTIVE"
    cert.transfer.state = "REJECTED"
    cert.transfer.reject_date = when
    cert.transfer.reject_reason = reason
    cert.touch(when)


@operation("TransferCertificate")
def transfer_certificate(ctx, p):
    cert = _owned(ctx, p["certificateId"])
    target = p["targetAwsAccount"]
    _check_transferable(ctx, cert, target)
    cert.transfer = Transfer(source=ctx.account_id, target=target, state="PENDING",
                             message=p.get("transferMessage"), transfer_date=ctx.now)
    cert.status = "PENDING_TRANSFER"
    cert.touch(ctx.now)
    target_config = ctx.config.accounts[target]
    if target_config.reject_transfers:
        _reject(cert, "Rejected by account %s (awsemu rejectTransfers)" % target_config.name,
                ctx.now)
    return {"transferredCertificateArn": ctx.arn("cert", cert.id)}


def _completed(ctx, cert_id, side):
    """True if cert_id has a finished transfer in which the caller was side (source/target)."""
    for _, cert in ctx.state.certs_with_id(cert_id):
        t = cert.transfer
        if t and t.state != "PENDING" and getattr(t, side) == ctx.account_id:
            return True
    return False


def _pending_to_caller(ctx, cert_id):
    source, cert = ctx.state.pending_to(ctx.account_id, cert_id)
    if cert is not None:
        return source, cert
    if _completed(ctx, cert_id, "target"):
        raise ApiError("TransferAlreadyCompletedException",
                       "The transfer of certificate %s is already complete" % cert_id)
    raise _not_found(cert_id)


@operation("AcceptCertificateTransfer")
def accept_certificate_transfer(ctx, p):
    source, cert = _pending_to_caller(ctx, p["certificateId"])
    del source.certs[cert.id]
    ctx.account.certs[cert.id] = cert
    cert.previous_owner = source.id
    cert.status = "ACTIVE" if p.get("setAsActive") else "INACTIVE"
    cert.transfer.state = "ACCEPTED"
    cert.transfer.accept_date = ctx.now
    cert.touch(ctx.now)


@operation("RejectCertificateTransfer")
def reject_certificate_transfer(ctx, p):
    _, cert = _pending_to_caller(ctx, p["certificateId"])
    _reject(cert, p.get("rejectReason"), ctx.now)


@operation("CancelCertificateTransfer")
def cancel_certificate_transfer(ctx, p):
    cert_id = p["certificateId"]
    cert = ctx.account.certs.get(cert_id)
    if cert is not None and cert.status == "PENDING_TRANSFER":
        cert.status = "INACTIVE"
        cert.transfer.state = "CANCELLED"
        cert.touch(ctx.now)
        return
    if _completed(ctx, cert_id, "source"):
        raise ApiError("TransferAlreadyCompletedException",
                       "The transfer of certificate %s is already complete" % cert_id)
    if cert is not None:
        raise ApiError("InvalidRequestException",
                       "The certificate is not pending transfer. Id: %s" % cert_id)
    raise _not_found(cert_id)


@operation("ListOutgoingCertificates")
def list_outgoing_certificates(ctx, p):
    outgoing = [c for c in ctx.account.certs.values()
                if c.transfer and c.transfer.source == ctx.account_id
                and c.transfer.state in ("PENDING", "REJECTED")]
    page, marker = paginate(ordered(outgoing, p.get("ascendingOrder", False)),
                            p.get("pageSize"), p.get("marker"))
    items = []
    for c in page:
        item = {"certificateArn": ctx.arn("cert", c.id), "certificateId": c.id,
                "transferredTo": c.transfer.target, "transferDate": c.transfer.transfer_date,
                "transferMessage": c.transfer.message, "creationDate": c.created}
        items.append({k: v for k, v in item.items() if v is not None})
    out = {"outgoingCertificates": items}
    if marker:
        out["nextMarker"] = marker
    return out
