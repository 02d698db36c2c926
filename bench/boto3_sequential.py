#!/usr/bin/python3
"""The delivery baseline for bench/deliver-throughput.sh: what a plain,
sequential boto3 script does for each certificate, one call after another.

For each DER certificate (customers taken in turn, one certificate each):
RegisterCertificate in the CSP account (caCertificatePem, INACTIVE),
TransferCertificate to the customer's account, AcceptCertificateTransfer
(setAsActive) with the customer's role credentials (AssumeRole with the
ExternalId once per customer, cached), AttachPolicy (the policy is created
once per customer, before its first attachment), CreateThing named after the
certificate's subject CN, AttachThingPrincipal.

The clock runs from just before the first client is made to the last call's
answer. Prints one line: "certificates=N seconds=S rate=R".

Run it with Debian's /usr/bin/python3 and without OPENSSL_MODULES or
OPENSSL_CONF in the environment (botocore's awscrt aborts otherwise)."""

import argparse
import glob
import os
import sys
import time

import boto3
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

TRANSFER_MESSAGE = "Device certificate from csp, delivered by boto3_sequential"


class Customer:
    """One --customer ACCOUNT:EXTERNAL_ID:POLICY_NAME:DIR argument."""

    def __init__(self, spec):
        try:
            self.account, self.external_id, self.policy, self.dir = spec.split(":", 3)
        except ValueError:
            sys.exit("--customer takes ACCOUNT:EXTERNAL_ID:POLICY_NAME:DIR, not %r" % spec)
        self.certs = []
        for path in sorted(glob.glob(os.path.join(self.dir, "*.der"))):
            with open(path, "rb") as f:
                cert = x509.load_der_x509_certificate(f.read())
            cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
            self.certs.append((cert.public_bytes(serialization.Encoding.PEM).decode(), cn))
        self.iot = None
        self.policy_ready = False


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True, help="endpoint of the emulator (or AWS)")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--csp-key-id", required=True)
    p.add_argument("--csp-secret-file", required=True)
    p.add_argument("--ca-cert", required=True, help="the SubCA certificate (PEM)")
    p.add_argument("--role-name", default="iotreg-delivery",
                   help="the customers' delegation role (default: %(default)s)")
    p.add_argument("--policy-document", required=True, help="JSON policy document")
    p.add_argument("--customer", action="append", required=True,
                   metavar="ACCOUNT:EXTERNAL_ID:POLICY_NAME:DIR",
                   help="a customer and the directory of its *.der certificates")
    return p.parse_args()


def in_turn(customers):
    """(customer, pem, cn) taking one certificate of each customer in turn."""
    longest = max(len(c.certs) for c in customers)
    for i in range(longest):
        for c in customers:
            if i < len(c.certs):
                yield c, c.certs[i][0], c.certs[i][1]


def customer_client(a, session, c):
    if c.iot is None:
        sts = session.client("sts", endpoint_url=a.url, region_name=a.region,
                             aws_access_key_id=a.csp_key_id, aws_secret_access_key=a.secret)
        creds = sts.assume_role(RoleArn="arn:aws:iam::%s:role/%s" % (c.account, a.role_name),
                                RoleSessionName="boto3-sequential",
                                ExternalId=c.external_id)["Credentials"]
        c.iot = session.client("iot", endpoint_url=a.url, region_name=a.region,
                               aws_access_key_id=creds["AccessKeyId"],
                               aws_secret_access_key=creds["SecretAccessKey"],
                               aws_session_token=creds["SessionToken"])
    return c.iot


def attach_policy(iot, c, document, arn):
    if not c.policy_ready:
        try:
            iot.create_policy(policyName=c.policy, policyDocument=document)
        except iot.exceptions.ResourceAlreadyExistsException:
            pass
        c.policy_ready = True
    iot.attach_policy(policyName=c.policy, target=arn)


def deliver(a, session, csp, ca_pem, document, c, pem, cn):
    cid = csp.register_certificate(certificatePem=pem, caCertificatePem=ca_pem,
                                   status="INACTIVE")["certificateId"]
    csp.transfer_certificate(certificateId=cid, targetAwsAccount=c.account,
                             transferMessage=TRANSFER_MESSAGE)
    iot = customer_client(a, session, c)
    iot.accept_certificate_transfer(certificateId=cid, setAsActive=True)
    arn = "arn:aws:iot:%s:%s:cert/%s" % (a.region, c.account, cid)
    attach_policy(iot, c, document, arn)
    iot.create_thing(thingName=cn)
    iot.attach_thing_principal(thingName=cn, principal=arn)


def main():
    a = parse_args()
    with open(a.csp_secret_file) as f:
        a.secret = f.read().strip()
    with open(a.ca_cert) as f:
        ca_pem = f.read()
    with open(a.policy_document) as f:
        document = f.read()
    customers = [Customer(s) for s in a.customer]
    n = 0
    start = time.monotonic()
    session = boto3.session.Session()
    csp = session.client("iot", endpoint_url=a.url, region_name=a.region,
                         aws_access_key_id=a.csp_key_id, aws_secret_access_key=a.secret)
    for c, pem, cn in in_turn(customers):
        deliver(a, session, csp, ca_pem, document, c, pem, cn)
        n += 1
    seconds = time.monotonic() - start
    print("certificates=%d seconds=%.3f rate=%.3f" % (n, seconds, n / seconds if seconds else 0))


if __name__ == "__main__":
    main()
