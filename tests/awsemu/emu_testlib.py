"""Helpers for the emulator's tests: an emulator process, AWS clients, test certificates."""

import datetime
import hashlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
AWSEMU = os.path.join(HERE, "awsemu")
PYTHON = "/usr/bin/python3"
REGION = "us-east-1"

# Keep AWS's clients away from any configuration of this machine.
for _name in list(os.environ):
    if _name.startswith("AWS_"):
        del os.environ[_name]
os.environ.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                   "AWS_EC2_METADATA_DISABLED": "true"})

import boto3  # noqa: E402
import botocore.exceptions  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

CSP, CUSTOMER, OTHER, REJECTOR = "111111111111", "222222222222", "333333333333", "444444444444"
CSP_KEY = ("AKIACSP0000000000001", "csp/secret+key/0000000000000000000000001")
CUSTOMER_KEY = ("AKIACUSTOMER00000001", "customer/secret/000000000000000000000001")
OTHER_KEY = ("AKIAOTHER00000000001", "other/secret/00000000000000000000000001")
REJECTOR_KEY = ("AKIAREJECTOR00000001", "rejector/secret/000000000000000000000001")
EXTERNAL_ID = "iotreg-ext-0001"


def default_accounts():
    """Four accounts: the CSP, a customer with roles for the CSP, another customer, and a
    customer whose account rejects every transfer."""
    def user(key):
        return {"accessKeyId": key[0], "secretAccessKey": key[1]}
    return {"region": REGION, "accounts": [
        {"id": CSP, "name": "csp", "users": [dict(user(CSP_KEY), name="iotreg")]},
        {"id": CUSTOMER, "name": "customer", "users": [user(CUSTOMER_KEY)], "roles": [
            {"name": "iotreg", "trustedAccount": CSP, "externalId": EXTERNAL_ID},
            {"name": "unsafe", "trustedAccount": CSP},
            {"name": "readonly", "trustedAccount": CSP, "externalId": EXTERNAL_ID,
             "permissions": ["iot:Describe*", "iot:List*"]},
            {"name": "untrusting", "trustedAccount": OTHER, "externalId": EXTERNAL_ID}]},
        {"id": OTHER, "name": "other", "users": [user(OTHER_KEY)], "roles": [
            {"name": "iotreg", "trustedAccount": CSP, "externalId": "other-ext"}]},
        {"id": REJECTOR, "name": "rejector", "users": [user(REJECTOR_KEY)],
         "rejectTransfers": True},
    ]}


# ---------------------------------------------------------------- emulator process

class EmulatorProcess:
    """An awsemu process on a free port, in its own temporary directory."""

    def __init__(self, workdir, accounts=None, quotas="off", latency_ms=None, state_dir=None,
                 name="emu", data_plane=False, extra_args=()):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.accounts = accounts or default_accounts()
        self.args = ["--quotas", quotas]
        if latency_ms is not None:
            self.args += ["--latency-ms", str(latency_ms)]
        self.state_dir = state_dir
        if state_dir:
            self.args += ["--state-dir", state_dir]
        self.data_plane = data_plane
        self.args += list(extra_args)
        self.proc = None
        self.url = None
        self.data_address = None        # (host, port) of the data plane when data_plane
        self._clients = {}

    def start(self, timeout=20):
        accounts_file = os.path.join(self.dir, "accounts.json")
        with open(accounts_file, "w") as f:
            json.dump(self.accounts, f)
        ready = os.path.join(self.dir, "ready")
        data_ready = os.path.join(self.dir, "data-ready")
        for path in (ready, data_ready):
            if os.path.exists(path):
                os.unlink(path)
        data_args = ["--data-listen", "127.0.0.1:0", "--data-ready-file", data_ready] \
            if self.data_plane else []
        self.log_path = os.path.join(self.dir, "awsemu.log")
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [PYTHON, AWSEMU, "--listen", "127.0.0.1:0", "--accounts", accounts_file,
             "--ready-file", ready] + data_args + self.args, stdout=log, stderr=log)
        log.close()
        deadline = time.time() + timeout
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("awsemu did not start:\n" + self.log_tail())
            time.sleep(0.02)
        with open(ready) as f:
            self.url = f.read().strip()
        if self.data_plane:
            with open(data_ready) as f:
                host, _, port = f.read().strip().rpartition(":")
            self.data_address = (host, int(port))
        self._clients = {}
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def log_tail(self, n=30):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    # ------------------------------------------------------------ admin API

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + "/_emu/" + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def account(self, account_id):
        return self.admin("GET", "accounts/" + account_id)

    def faults(self, **settings):
        return self.admin("POST", "faults", settings)

    # ------------------------------------------------------------ AWS clients

    def client(self, service, key, token=None, validate=True):
        cache_key = (service, key, token, validate)
        if cache_key not in self._clients:
            config = Config(retries={"total_max_attempts": 1}, parameter_validation=validate,
                            connect_timeout=5, read_timeout=20)
            self._clients[cache_key] = boto3.client(
                service, endpoint_url=self.url, region_name=REGION, aws_access_key_id=key[0],
                aws_secret_access_key=key[1], aws_session_token=token, config=config)
        return self._clients[cache_key]

    def iot(self, key=CSP_KEY, validate=True):
        return self.client("iot", key, validate=validate)

    def sts(self, key=CSP_KEY):
        return self.client("sts", key)

    def assume(self, account=CUSTOMER, role="iotreg", external_id=EXTERNAL_ID, key=CSP_KEY):
        """(credentials, iot client) for an assumed role."""
        args = {"RoleArn": "arn:aws:iam::%s:role/%s" % (account, role),
                "RoleSessionName": "iotreg-test"}
        if external_id is not None:
            args["ExternalId"] = external_id
        creds = self.sts(key).assume_role(**args)["Credentials"]
        session_key = (creds["AccessKeyId"], creds["SecretAccessKey"])
        return creds, self.client("iot", session_key, creds["SessionToken"])


def cert_arn(account, cert_id):
    return "arn:aws:iot:%s:%s:cert/%s" % (REGION, account, cert_id)


def error_of(call, *args, **kwargs):
    """(code, HTTP status, response) of a call expected to fail."""
    try:
        call(*args, **kwargs)
    except botocore.exceptions.ClientError as e:
        return (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"],
                e.response)
    raise AssertionError("the call succeeded")


# ---------------------------------------------------------------- raw signed requests

def signed_request(url, method, path, creds, service="iot", region=REGION, body=b"",
                   headers=None, amz_date=None, token=None):
    """An AWSRequest signed with botocore for the given scope (and, optionally, date)."""
    request = AWSRequest(method=method, url=url + path, data=body, headers=headers or {})
    signer = SigV4Auth(Credentials(creds[0], creds[1], token), service, region)
    if amz_date is None:
        signer.add_auth(request)
        return request
    request.context["timestamp"] = amz_date
    request.headers["X-Amz-Date"] = amz_date
    if token:
        request.headers["X-Amz-Security-Token"] = token
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signer._inject_signature_to_request(request, signature)
    return request


def send(url, request):
    """Send an AWSRequest over a fresh connection: (status, headers, body)."""
    prepared = request.prepare()
    host = url.split("//", 1)[1]
    conn = http.client.HTTPConnection(host, timeout=10)
    target = prepared.url.split(host, 1)[1]
    conn.request(prepared.method, target, body=prepared.body, headers=dict(prepared.headers))
    resp = conn.getresponse()
    result = resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    conn.close()
    return result


def amz_date(offset_seconds=0):
    t = datetime.datetime.utcnow() + datetime.timedelta(seconds=offset_seconds)
    return t.strftime("%Y%m%dT%H%M%SZ")


# ---------------------------------------------------------------- certificates

_KEYS = {}


def new_key(kind="ec256", fresh=False):
    if kind in _KEYS and not fresh:
        return _KEYS[kind]
    if kind == "ec256":
        key = ec.generate_private_key(ec.SECP256R1())
    elif kind == "ec384":
        key = ec.generate_private_key(ec.SECP384R1())
    elif kind.startswith("rsa"):
        key = rsa.generate_private_key(65537, int(kind[3:]))
    else:
        raise ValueError(kind)
    if not fresh:
        _KEYS[kind] = key
    return key


class TestCert:
    def __init__(self, cert, key):
        self.cert = cert
        self.key = key
        self.pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        self.id = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()

    def key_pem(self):
        return self.key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()).decode()


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "iotreg tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(cn, issuer=None, kind="ec256", ca=False, fresh_key=None, digest=None,
              signing_key=None):
    """A certificate for cn signed by issuer (a TestCert) or self-signed."""
    key = new_key(kind, fresh=ca if fresh_key is None else fresh_key)
    now = datetime.datetime.utcnow()
    builder = (x509.CertificateBuilder()
               .subject_name(_name(cn))
               .issuer_name(issuer.cert.subject if issuer else _name(cn))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=365))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    signer = signing_key or (issuer.key if issuer else key)
    cert = builder.sign(signer, digest or hashes.SHA256())
    return TestCert(cert, key)


def make_ca(cn, kind="ec256", issuer=None):
    return make_cert(cn, issuer=issuer, kind=kind, ca=True)


def make_verification(ca, code, kind="ec256"):
    return make_cert(code, issuer=ca, kind=kind)


# ---------------------------------------------------------------- workdir

def finish(proxy=None, emu=None, work=None):
    """What a test module's tearDownModule does: close the proxy, stop the emulator, remove
    the work directory (each when there is one)."""
    if proxy:
        proxy.close()
    if emu:
        emu.stop()
    if work:
        work.cleanup()


class WorkDir:
    """A fresh temporary directory, removed at the end unless AWSEMU_KEEP_TMP is set."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="awsemu-test.")

    def cleanup(self):
        if os.environ.get("AWSEMU_KEEP_TMP"):
            sys.stdout.write("keeping %s\n" % self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)
