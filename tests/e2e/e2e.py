#!/usr/bin/python3
"""End-to-end test helper: a software PKI, device certificates, SubCA
registration with AWS's own client (boto3) and assertions on the emulator's
state. Used by the tests/e2e/*.test scripts; never by iotreg itself.

Every check prints "ok: ..." or "FAIL: ..." and the last line is
"N passed, M failed"; the exit status is 1 when anything failed."""

import argparse
import datetime
import json
import os
import sys
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = datetime.datetime.utcnow()


def name(cn, org=None):
    attrs = []
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def ski(pub):
    return x509.SubjectKeyIdentifier.from_public_key(pub)


def build(subject, issuer, pub, key, serial, ca, issuer_pub=None):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(pub)
         .serial_number(serial).not_valid_before(NOW - datetime.timedelta(minutes=5))
         .not_valid_after(NOW + datetime.timedelta(days=365))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), True)
         .add_extension(ski(pub), False))
    if issuer_pub is not None:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_pub), False)
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                          False), True)
    return b.sign(key, hashes.SHA256())


def pem_write(path, data, private=False):
    with open(path, "wb") as f:
        f.write(data)
    if private:
        os.chmod(path, 0o600)


def cmd_pki(a):
    os.makedirs(a.dir, exist_ok=True)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = build(name("iotreg test root"), name("iotreg test root"), root_key.public_key(),
                 root_key, 1, True)
    sub_key = ec.generate_private_key(ec.SECP256R1())
    sub = build(name(a.subca_cn, "iotreg test CSP"), root.subject, sub_key.public_key(), root_key,
                2, True, root_key.public_key())
    enc = serialization.Encoding.PEM
    pem_write(os.path.join(a.dir, "root.pem"), root.public_bytes(enc))
    pem_write(os.path.join(a.dir, "subca.pem"), sub.public_bytes(enc))
    pem_write(os.path.join(a.dir, "subca.key"),
              sub_key.private_bytes(enc, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()), private=True)


def load_subca(cert_path, key_path):
    with open(cert_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    with open(key_path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    return cert, key


def cmd_certs(a):
    """Device certificates as DER files: one key, many serials (fast)."""
    sub, sub_key = load_subca(a.subca_cert, a.subca_key)
    dev_key = ec.generate_private_key(ec.SECP256R1())
    os.makedirs(a.out, exist_ok=True)
    if a.key_out:
        pem_write(a.key_out, dev_key.private_bytes(serialization.Encoding.PEM,
                                                   serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()), private=True)
    for i in range(a.start, a.start + a.count):
        cn = "%s-%05d" % (a.cn_prefix, i)
        serial = x509.random_serial_number()
        c = build(name(cn, a.org), sub.subject, dev_key.public_key(), sub_key, serial, False,
                  sub_key.public_key())
        with open(os.path.join(a.out, cn + ".der"), "wb") as f:
            f.write(c.public_bytes(serialization.Encoding.DER))


def cmd_cert(a):
    """One device certificate (DER) with exactly the CN given."""
    sub, sub_key = load_subca(a.subca_cert, a.subca_key)
    key = ec.generate_private_key(ec.SECP256R1())
    c = build(name(a.cn, a.org), sub.subject, key.public_key(), sub_key,
              x509.random_serial_number(), False, sub_key.public_key())
    with open(a.out, "wb") as f:
        f.write(c.public_bytes(serialization.Encoding.DER))


def cmd_crl(a):
    """A CRL from the SubCA revoking the given DER certificates (keyCompromise)."""
    sub, sub_key = load_subca(a.subca_cert, a.subca_key)
    if a.rogue:
        sub_key = ec.generate_private_key(ec.SECP256R1())
    b = (x509.CertificateRevocationListBuilder().issuer_name(sub.subject)
         .last_update(NOW - datetime.timedelta(minutes=1))
         .next_update(NOW + datetime.timedelta(days=7)))
    for path in a.revoke:
        with open(path, "rb") as f:
            cert = x509.load_der_x509_certificate(f.read())
        b = b.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(cert.serial_number)
            .revocation_date(NOW - datetime.timedelta(minutes=1))
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), False).build())
    crl = b.sign(sub_key, hashes.SHA256())
    pem_write(a.out, crl.public_bytes(serialization.Encoding.PEM))


def boto_client(a, service):
    import boto3
    return boto3.client(service, endpoint_url=a.url, region_name=a.region,
                        aws_access_key_id=a.key_id, aws_secret_access_key=a.secret)


def cmd_register_ca(a):
    """The CSP-side registration of the SubCA, with AWS's own client."""
    sub, sub_key = load_subca(a.subca_cert, a.subca_key)
    iot = boto_client(a, "iot")
    if a.sni_only:  # no code, no verification: any number of accounts per region
        iot.register_ca_certificate(caCertificate=sub.public_bytes(
            serialization.Encoding.PEM).decode(), setAsActive=True,
            allowAutoRegistration=False, certificateMode="SNI_ONLY")
        return
    code = iot.get_registration_code()["registrationCode"]
    vkey = ec.generate_private_key(ec.SECP256R1())
    ver = build(name(code), sub.subject, vkey.public_key(), sub_key, x509.random_serial_number(),
                False, sub_key.public_key())
    enc = serialization.Encoding.PEM
    iot.register_ca_certificate(caCertificate=sub.public_bytes(enc).decode(),
                                verificationCertificate=ver.public_bytes(enc).decode(),
                                setAsActive=True, allowAutoRegistration=False,
                                certificateMode="DEFAULT")
    pem_write(a.verification_out, ver.public_bytes(enc))


def emu_get(url, path):
    with urllib.request.urlopen(url + path, timeout=30) as r:
        return json.loads(r.read())


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: " + what)
        return ok

    def done(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0


def pem_body(pem_text):
    return "".join(l for l in pem_text.splitlines() if l and not l.startswith("-----"))


def body_carries(body, b64):
    """Whether a logged request body carries the base64 of a certificate,
    however its line breaks were encoded."""
    flat = body.replace("\\n", "").replace("\n", "").replace("\\/", "/")
    return b64[:120] in flat


def customer_checks(c, acct, expect, a, csp, policy):
    certs = {x["id"]: x for x in acct["certificates"]}
    ok_ids = 0
    for cid in expect:
        x = certs.get(cid)
        good = (x is not None and x["status"] == "ACTIVE" and x["ownedBy"] == acct["id"]
                and (a.no_ca or x["previousOwnedBy"] in csp)
                and (not policy or x["policies"] == [policy])
                and (not a.thing or len(x["things"]) == 1))
        if good:
            ok_ids += 1
        elif c.failed < 20:
            c.check(False, "certificate %s in %s: %s" % (cid, acct["id"], json.dumps(
                {k: x.get(k) for k in ("status", "ownedBy", "previousOwnedBy", "policies",
                                       "things")} if x else None)))
    c.check(ok_ids == len(expect), "%d of %d certificates delivered right to %s"
            % (ok_ids, len(expect), acct["id"]))
    c.check(len(certs) == len(expect), "account %s holds exactly its %d certificates (has %d)"
            % (acct["id"], len(expect), len(certs)))
    c.check(acct["caCertificates"] == [], "customer account %s holds no CA certificate"
            % acct["id"])
    if a.thing:
        for t in acct["things"]:
            c.check(len(t["principals"]) == 1, "thing %s has exactly one principal" % t["name"])


def cmd_check_delivered(a):
    """--expect ACCOUNT=FILE[:POLICY]: FILE lists the certificate ids that
    account must hold, each with exactly POLICY attached."""
    c = Checks()
    csps = a.csp.split(",")  # several when the SubCA's region is sharded
    for other in csps[1:]:
        kept = emu_get(a.url, "/_emu/accounts/" + other)["certificates"]
        c.check(kept == [], "CSP account %s keeps no certificate (has %d)" % (other, len(kept)))
    csp = emu_get(a.url, "/_emu/accounts/" + csps[0])
    c.check(csp["certificates"] == [], "the CSP account keeps no certificate (has %d)"
            % len(csp["certificates"]))
    ver = pem_body(open(a.verification).read()) if a.verification else None
    for spec in a.expect:
        acct_id, rest = spec.split("=", 1)
        path, _, policy = rest.partition(":")
        expect = [l.strip() for l in open(path) if l.strip()]
        acct = emu_get(a.url, "/_emu/accounts/" + acct_id)
        customer_checks(c, acct, expect, a, csps, policy)
        if ver:
            carried = [e for e in acct["requestLog"] if body_carries(e.get("body") or "", ver)]
            c.check(not carried, "no request signed by %s's credentials carried the SubCA's "
                    "verification certificate" % acct_id)
            c.check(acct.get("requestLogDropped", 0) == 0, "request log of %s complete" % acct_id)
    if ver:
        c.check(any(body_carries(e.get("body") or "", ver) for e in csp["requestLog"]),
                "the verification certificate was sent, by the CSP account only")
    return c.done()


def cmd_report(a):
    """The demo's table: every certificate in the customers' accounts, and
    proof that no customer account holds a CA certificate."""
    names = dict(x.split("=", 1) for x in a.customer)
    connects = {}
    if a.connects:
        for line in open(a.connects):
            if line.split():
                cid, _, result = line.strip().partition(" ")
                connects[cid] = result.strip() or "-"
    rows = []
    for acct_id, cust in names.items():
        acct = emu_get(a.url, "/_emu/accounts/" + acct_id)
        for c in sorted(acct["certificates"], key=lambda c: c["id"]):
            row = (c["id"][:16] + "...", cust, acct_id, c["status"],
                   ",".join(c["policies"]) or "-", ",".join(c["things"]) or "-",
                   c["previousOwnedBy"] or "-")
            rows.append(row + ((connects.get(c["id"], "-"),) if a.connects else ()))
    head = ("certificate", "customer", "account", "state", "policy", "thing", "from")
    if a.connects:
        head += ("connects",)
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    print(fmt % head)
    for r in rows:
        print(fmt % r)
    print()
    for acct_id, cust in names.items():
        cas = emu_get(a.url, "/_emu/accounts/" + acct_id)["caCertificates"]
        print("customer %-8s (%s): %d CA certificates%s" % (
            cust, acct_id, len(cas), "" if cas else " -- the SubCA was never registered there"))
    csp = emu_get(a.url, "/_emu/accounts/" + a.csp)
    print("CSP account %s: %d CA certificate(s) registered, %d device certificates kept"
          % (a.csp, len(csp["caCertificates"]), len(csp["certificates"])))


def cmd_endpoint(a):
    """The account's iot:Data-ATS endpoint, asked with its own credentials
    (a role's when --role-arn is given, as a customer delegates them)."""
    if a.role_arn:
        kw = {"RoleArn": a.role_arn, "RoleSessionName": "iotreg-e2e"}
        if a.external_id:
            kw["ExternalId"] = a.external_id
        cr = boto_client(a, "sts").assume_role(**kw)["Credentials"]
        import boto3
        iot = boto3.client("iot", endpoint_url=a.url, region_name=a.region,
                           aws_access_key_id=cr["AccessKeyId"],
                           aws_secret_access_key=cr["SecretAccessKey"],
                           aws_session_token=cr["SessionToken"])
    else:
        iot = boto_client(a, "iot")
    print(iot.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"])


def cmd_name_proxy(a):
    """The emulator's SOCKS5 name proxy (tests/awsemu/emu_devices.py) as a process:
    mosquitto's clients given --proxy socks5h://... send the endpoint's name to it (and
    use that name for SNI and the server certificate check) and it connects them to the
    data plane at --target. Runs until SIGTERM; --ready-file gets its socks5h:// URL."""
    import signal
    import threading
    sys.dont_write_bytecode = True      # nothing written into the source tree
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "awsemu"))
    from emu_devices import NameProxy
    host, _, port = a.target.rpartition(":")
    proxy = NameProxy((host.strip("[]"), int(port)))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with open(a.ready_file + ".tmp", "w") as f:
        f.write(proxy.url)
    os.replace(a.ready_file + ".tmp", a.ready_file)
    stop.wait()
    proxy.close()


def cmd_connection(a):
    """The data plane's last connection (with --client-id: the last with that client id)
    as "OUTCOME[: STAGE: REASON]"."""
    conns = [c for c in emu_get(a.url, "/_emu/connections")["connections"]
             if a.client_id is None or c.get("clientId") == a.client_id]
    if not conns:
        print("no connection")
        return 1
    c = conns[-1]
    print(": ".join(str(x) for x in (c.get("outcome"), c.get("stage"), c.get("reason")) if x))
    return 0


def cmd_count(a):
    """How many successful OPERATION requests ACCOUNT made whose body holds TEXT."""
    log = emu_get(a.url, "/_emu/accounts/" + a.account)["requestLog"]
    print(sum(1 for e in log if e["operation"] == a.operation and e["status"] == 200
              and a.body_contains in (e.get("body") or "")))


def cmd_state(a):
    json.dump(emu_get(a.url, "/_emu/" + a.what), sys.stdout, indent=1)
    print()


def cmd_ids(a):
    """Certificate ids (SHA-256 of the DER) of the DER files given."""
    import hashlib
    for p in a.files:
        with open(p, "rb") as f:
            print(hashlib.sha256(f.read()).hexdigest())


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("pki")
    s.add_argument("dir")
    s.add_argument("--subca-cn", default="iotreg test SubCA")
    s.set_defaults(fn=cmd_pki)
    s = sub.add_parser("certs")
    for o in ("--subca-cert", "--subca-key", "--out", "--org", "--cn-prefix"):
        s.add_argument(o, required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--start", type=int, default=0)
    s.add_argument("--key-out", help="also write the devices' private key (PEM) here")
    s.set_defaults(fn=cmd_certs)
    s = sub.add_parser("cert")
    for o in ("--subca-cert", "--subca-key", "--out", "--org", "--cn"):
        s.add_argument(o, required=True)
    s.set_defaults(fn=cmd_cert)
    for n, fn in (("register-ca", cmd_register_ca),):
        s = sub.add_parser(n)
        for o in ("--url", "--key-id", "--secret", "--subca-cert", "--subca-key"):
            s.add_argument(o, required=True)
        s.add_argument("--verification-out")
        s.add_argument("--sni-only", action="store_true", help="certificateMode SNI_ONLY")
        s.add_argument("--region", default="us-east-1")
        s.set_defaults(fn=fn)
    s = sub.add_parser("crl")
    for o in ("--subca-cert", "--subca-key", "--out"):
        s.add_argument(o, required=True)
    s.add_argument("--rogue", action="store_true", help="sign with a key that is not the SubCA's")
    s.add_argument("revoke", nargs="*")
    s.set_defaults(fn=cmd_crl)
    s = sub.add_parser("check-delivered")
    s.add_argument("--url", required=True)
    s.add_argument("--csp", required=True)
    s.add_argument("--expect", action="append", default=[])
    s.add_argument("--verification")
    s.add_argument("--thing", action="store_true")
    s.add_argument("--no-ca", action="store_true", help="register-without-ca delivery")
    s.set_defaults(fn=cmd_check_delivered)
    s = sub.add_parser("report")
    s.add_argument("--url", required=True)
    s.add_argument("--csp", required=True)
    s.add_argument("--customer", action="append", default=[], help="ACCOUNT=NAME")
    s.add_argument("--connects", help="a file of lines CERTID RESULT: adds a connects column")
    s.set_defaults(fn=cmd_report)
    s = sub.add_parser("endpoint")
    for o in ("--url", "--key-id", "--secret"):
        s.add_argument(o, required=True)
    s.add_argument("--region", default="us-east-1")
    s.add_argument("--role-arn", help="ask with this role's credentials (AssumeRole first)")
    s.add_argument("--external-id")
    s.set_defaults(fn=cmd_endpoint)
    s = sub.add_parser("name-proxy")
    s.add_argument("--target", required=True, help="the data plane's HOST:PORT")
    s.add_argument("--ready-file", required=True)
    s.set_defaults(fn=cmd_name_proxy)
    s = sub.add_parser("connection")
    s.add_argument("--url", required=True)
    s.add_argument("--client-id")
    s.set_defaults(fn=cmd_connection)
    s = sub.add_parser("count")
    s.add_argument("--url", required=True)
    s.add_argument("--account", required=True)
    s.add_argument("--operation", required=True)
    s.add_argument("--body-contains", default="")
    s.set_defaults(fn=cmd_count)
    s = sub.add_parser("state")
    s.add_argument("--url", required=True)
    s.add_argument("what")
    s.set_defaults(fn=cmd_state)
    s = sub.add_parser("ids")
    s.add_argument("files", nargs="*")
    s.set_defaults(fn=cmd_ids)
    a = p.parse_args()
    sys.exit(a.fn(a) or 0)


if __name__ == "__main__":
    main()
