"""The CSP flow driven by AWS's own CLI (Debian's awscli) against the emulator.

Certificates are made with the openssl command line; the CLI talks to the
emulator for both IoT and STS through --endpoint-url."""

import hashlib
import json
import os
import shutil
import subprocess
import unittest

import emu_testlib as t
from emu_testlib import CSP, CSP_KEY, CUSTOMER, EXTERNAL_ID

AWS = "/usr/bin/aws"
WORK = None
EMU = None


def setUpModule():
    global WORK, EMU
    if not os.access(AWS, os.X_OK) or not shutil.which("openssl"):
        raise unittest.SkipTest("needs %s (Debian's awscli) and openssl" % AWS)
    WORK = t.WorkDir()
    EMU = t.EmulatorProcess(WORK.path, quotas="aws", name="awscli").start()


def tearDownModule():
    if EMU:
        EMU.stop()
    if WORK:
        WORK.cleanup()


def openssl(*args):
    subprocess.run(("openssl",) + args, check=True, capture_output=True, cwd=Flow.dir)


def aws(*args, key=CSP_KEY, token=None):
    """Run the CLI with only the given credentials; returns its JSON output."""
    env = {"PATH": "/usr/bin:/bin", "HOME": Flow.dir, "LC_ALL": "C.UTF-8",
           "AWS_ACCESS_KEY_ID": key[0], "AWS_SECRET_ACCESS_KEY": key[1],
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"}
    if token:
        env["AWS_SESSION_TOKEN"] = token
    proc = subprocess.run([AWS, "--endpoint-url", EMU.url, "--region", t.REGION,
                           "--no-cli-pager", "--output", "json"] + list(args),
                          capture_output=True, text=True, env=env, cwd=Flow.dir, timeout=60)
    if proc.returncode != 0:
        raise AssertionError("aws %s failed (%d): %s" % (" ".join(args[:2]), proc.returncode,
                                                          proc.stderr.strip()))
    return json.loads(proc.stdout) if proc.stdout.strip() else {}


class Flow(unittest.TestCase):
    """One certificate from the CSP's account to the customer's, step by step."""

    dir = None
    state = {}

    @classmethod
    def setUpClass(cls):
        cls.dir = os.path.join(WORK.path, "cli")
        os.makedirs(cls.dir)

    def test_1_register_ca(self):
        code = aws("iot", "get-registration-code")["registrationCode"]
        self.assertRegex(code, "^[0-9a-f]{64}$")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
                "-subj", "/O=iotreg/CN=CLI SubCA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", "verification.key", "-out", "verification.csr",
                "-subj", "/CN=" + code)
        openssl("x509", "-req", "-in", "verification.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-set_serial", "1", "-days", "1", "-sha256", "-out", "verification.pem")
        out = aws("iot", "register-ca-certificate", "--ca-certificate", "file://ca.pem",
                  "--verification-certificate", "file://verification.pem", "--set-as-active",
                  "--certificate-mode", "DEFAULT")
        self.assertTrue(out["certificateArn"].startswith("arn:aws:iot:us-east-1:%s:cacert/" % CSP))
        Flow.state["ca_id"] = out["certificateId"]

    def test_2_register_device_certificate(self):
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", "device.key", "-out", "device.csr", "-subj", "/CN=device-1")
        openssl("x509", "-req", "-in", "device.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-set_serial", "2", "-days", "30", "-sha256", "-out", "device.pem")
        der = subprocess.run(["openssl", "x509", "-in", "device.pem", "-outform", "DER"],
                             check=True, capture_output=True, cwd=self.dir).stdout
        out = aws("iot", "register-certificate", "--certificate-pem", "file://device.pem",
                  "--ca-certificate-pem", "file://ca.pem", "--status", "INACTIVE")
        self.assertEqual(out["certificateId"], hashlib.sha256(der).hexdigest())
        Flow.state["cert_id"] = out["certificateId"]

    def test_3_transfer(self):
        out = aws("iot", "transfer-certificate", "--certificate-id", Flow.state["cert_id"],
                  "--target-aws-account", CUSTOMER, "--transfer-message", "order 1")
        self.assertIn(Flow.state["cert_id"], out["transferredCertificateArn"])

    def test_4_assume_role_and_accept(self):
        creds = aws("sts", "assume-role", "--role-arn",
                    "arn:aws:iam::%s:role/iotreg" % CUSTOMER, "--role-session-name", "iotreg",
                    "--external-id", EXTERNAL_ID)["Credentials"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"))
        Flow.state["creds"] = creds
        key, token = (creds["AccessKeyId"], creds["SecretAccessKey"]), creds["SessionToken"]
        me = aws("sts", "get-caller-identity", key=key, token=token)
        self.assertEqual(me["Account"], CUSTOMER)
        aws("iot", "accept-certificate-transfer", "--certificate-id", Flow.state["cert_id"],
            "--set-as-active", key=key, token=token)

    def test_5_policy(self):
        creds = Flow.state["creds"]
        key, token = (creds["AccessKeyId"], creds["SecretAccessKey"]), creds["SessionToken"]
        doc = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]})
        aws("iot", "create-policy", "--policy-name", "customer-devices", "--policy-document", doc,
            key=key, token=token)
        arn = t.cert_arn(CUSTOMER, Flow.state["cert_id"])
        aws("iot", "attach-policy", "--policy-name", "customer-devices", "--target", arn,
            key=key, token=token)
        d = aws("iot", "describe-certificate", "--certificate-id", Flow.state["cert_id"],
                key=key, token=token)["certificateDescription"]
        self.assertEqual((d["status"], d["ownedBy"], d["previousOwnedBy"]),
                         ("ACTIVE", CUSTOMER, CSP))
        self.assertEqual(d["caCertificateId"], Flow.state["ca_id"])

    def test_6_admin_view(self):
        cert_id = Flow.state["cert_id"]
        customer, csp = EMU.account(CUSTOMER), EMU.account(CSP)
        cert = [c for c in customer["certificates"] if c["id"] == cert_id][0]
        self.assertEqual((cert["status"], cert["ownedBy"], cert["previousOwnedBy"], cert["policies"]),
                         ("ACTIVE", CUSTOMER, CSP, ["customer-devices"]))
        self.assertEqual(customer["caCertificates"], [])
        self.assertNotIn(cert_id, [c["id"] for c in csp["certificates"]])
        self.assertEqual([c["id"] for c in csp["caCertificates"]], [Flow.state["ca_id"]])
        with open(os.path.join(self.dir, "verification.pem")) as f:
            verification = f.read().split("\n")[1]
        self.assertTrue(any(verification in e["body"] for e in csp["requestLog"]))
        self.assertFalse(any(verification in e["body"] for e in customer["requestLog"]))
        signing = {e["operation"]: e["principalArn"] for e in customer["requestLog"]}
        self.assertEqual(signing["AcceptCertificateTransfer"],
                         "arn:aws:sts::%s:assumed-role/iotreg/iotreg" % CUSTOMER)


if __name__ == "__main__":
    unittest.main()
