"""The emulator as a process: quotas, fault injection, latency, persistence, admin API,
keep-alive and throughput."""

import http.client
import json
import os
import signal
import stat
import subprocess
import threading
import time
import unittest
import urllib.error
import urllib.request

import emu_testlib as t
from emu_testlib import CSP, CSP_KEY, CUSTOMER, OTHER, OTHER_KEY, error_of

WORK = None
EMU = None          # quotas off: faults, stats, admin, keep-alive


def setUpModule():
    global WORK, EMU
    WORK = t.WorkDir()
    EMU = t.EmulatorProcess(WORK.path, quotas="off", name="ops").start()


def tearDownModule():
    if EMU:
        EMU.stop()
    if WORK:
        WORK.cleanup()


def register_ca(client, name="Quota CA"):
    ca = t.make_ca(name)
    code = client.get_registration_code()["registrationCode"]
    client.register_ca_certificate(caCertificate=ca.pem, setAsActive=True,
                                   verificationCertificate=t.make_verification(ca, code).pem)
    return ca


def burst_register(client, ca, n):
    """Register n certificates as fast as possible: (successes, throttle errors)."""
    certs = [t.make_cert("burst %d" % i, issuer=ca) for i in range(n)]
    ok, throttled = 0, []
    for cert in certs:
        try:
            client.register_certificate(certificatePem=cert.pem, caCertificatePem=ca.pem)
            ok += 1
        except t.botocore.exceptions.ClientError as e:
            throttled.append((e.response["Error"]["Code"],
                              e.response["ResponseMetadata"]["HTTPStatusCode"],
                              e.response["Error"]["Message"]))
    return ok, throttled


class Quotas(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        accounts = t.default_accounts()
        accounts["quotas"] = {"ListCACertificates": 3}
        accounts["accounts"][2]["quotas"] = {"ListCACertificates": None}
        cls.emu = t.EmulatorProcess(WORK.path, accounts=accounts, quotas="aws",
                                    name="quotas").start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def test_register_certificate_is_throttled_at_10_tps(self):
        client = self.emu.iot(CSP_KEY)
        ca = register_ca(client)
        time.sleep(1.1)
        self.emu.admin("POST", "reset-stats")
        started = time.monotonic()
        ok, throttled = burst_register(client, ca, 30)
        elapsed = time.monotonic() - started
        self.assertGreaterEqual(ok, 10)
        self.assertLessEqual(ok, 10 + 10 * elapsed + 1)     # burst 10, then 10 per second
        self.assertEqual(ok + len(throttled), 30)
        self.assertTrue(throttled)
        self.assertEqual(set(throttled), {("ThrottlingException", 400, "Rate exceeded")})
        stats = self.emu.admin("GET", "stats")
        self.assertEqual(stats["quotaThrottled"], len(throttled))
        self.assertEqual(stats["quotaThrottledByOperation"]["RegisterCertificate"], len(throttled))
        self.assertGreater(stats["maxObservedRate"]["%s/RegisterCertificate" % CSP], 10)
        registered = [c for c in self.emu.account(CSP)["certificates"] if c["caCertificateId"] == ca.id]
        self.assertEqual(len(registered), ok)
        time.sleep(1.1)     # the bucket refills
        self.assertEqual(burst_register(client, ca, 3), (3, []))

    def test_buckets_are_per_account(self):
        other = self.emu.iot(OTHER_KEY)
        ca = register_ca(other, "Other quota CA")
        time.sleep(1.1)
        ok, throttled = burst_register(other, ca, 10)
        self.assertEqual((ok, throttled), (10, []))

    def test_quota_overrides_from_the_accounts_file(self):
        csp, other = self.emu.iot(CSP_KEY), self.emu.iot(OTHER_KEY)
        codes = []
        for _ in range(6):
            try:
                csp.list_ca_certificates()
                codes.append("ok")
            except t.botocore.exceptions.ClientError as e:
                codes.append(e.response["Error"]["Code"])
        self.assertLessEqual(codes.count("ok"), 4)
        self.assertIn("ThrottlingException", codes)
        for _ in range(20):     # null: no limit for this account
            other.list_ca_certificates()


class QuotasOff(unittest.TestCase):
    def test_no_throttling_with_quotas_off(self):
        client = EMU.iot(OTHER_KEY)
        ca = register_ca(client, "No quota CA")
        self.assertEqual(burst_register(client, ca, 16), (16, []))


class Faults(unittest.TestCase):
    def tearDown(self):
        EMU.faults()

    def test_5xx_changes_nothing(self):
        client = EMU.iot(CSP_KEY)
        ca = register_ca(client, "Fault CA")
        cert = t.make_cert("faulted", issuer=ca)
        EMU.admin("POST", "reset-stats")
        EMU.faults(rate5xx=1, seed=7)
        seen = [error_of(client.register_certificate, certificatePem=cert.pem,
                         caCertificatePem=ca.pem)[:2] for _ in range(2)]
        self.assertEqual(seen, [("ServiceUnavailableException", 503), ("InternalFailureException", 500)])
        sts = EMU.sts()
        self.assertEqual(error_of(sts.get_caller_identity)[:2], ("ServiceUnavailable", 503))
        self.assertEqual(EMU.admin("GET", "stats")["injected"]["5xx"], 3)
        EMU.faults()
        self.assertEqual(error_of(client.describe_certificate, certificateId=cert.id)[:2],
                         ("ResourceNotFoundException", 404))
        self.assertNotIn(cert.id, [c["id"] for c in EMU.account(CSP)["certificates"]])

    def test_injected_throttling_alternates_400_and_429(self):
        EMU.faults(rateThrottle=1)
        client = EMU.iot(CSP_KEY)
        seen = [error_of(client.list_certificates)[:2] for _ in range(2)]
        self.assertEqual(seen, [("ThrottlingException", 400), ("ThrottlingException", 429)])

    def test_reset_drops_the_connection(self):
        EMU.faults(rateReset=1)
        request = t.signed_request(EMU.url, "GET", "/registrationcode", CSP_KEY)
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            t.send(EMU.url, request)
        client = EMU.iot(CSP_KEY)
        with self.assertRaises((t.botocore.exceptions.ConnectionError,
                                t.botocore.exceptions.HTTPClientError)):
            client.get_registration_code()
        self.assertGreaterEqual(EMU.admin("GET", "stats")["injected"]["reset"], 2)
        EMU.faults()
        client.get_registration_code()

    def test_latency(self):
        client = EMU.iot(CSP_KEY)
        EMU.faults(latencyMs=300)
        started = time.monotonic()
        client.get_registration_code()
        self.assertGreaterEqual(time.monotonic() - started, 0.3)
        EMU.faults()
        started = time.monotonic()
        client.get_registration_code()
        self.assertLess(time.monotonic() - started, 0.3)

    def test_fault_settings_are_checked(self):
        with self.assertRaises(urllib.error.HTTPError) as cm:
            EMU.faults(rate5xx=2)
        self.assertEqual(cm.exception.code, 400)
        with self.assertRaises(urllib.error.HTTPError):
            EMU.faults(bogus=1)

    def test_admin_is_not_faulted(self):
        EMU.faults(rate5xx=1, rateReset=0)
        self.assertEqual(EMU.admin("GET", "health"), {"ok": True})


class Admin(unittest.TestCase):
    def test_accounts_and_stats(self):
        listed = EMU.admin("GET", "accounts")
        self.assertEqual(len(listed["accounts"]), 4)
        EMU.admin("POST", "reset-stats")
        EMU.iot(CSP_KEY).list_certificates()
        error_of(EMU.iot(CSP_KEY).describe_certificate, certificateId="b" * 64)
        stats = EMU.admin("GET", "stats")
        self.assertEqual(stats["requests"], 2)
        self.assertEqual(stats["byOperation"], {"ListCertificates": 1, "DescribeCertificate": 1})
        self.assertEqual(stats["byStatus"], {"200": 1, "404": 1})
        with self.assertRaises(urllib.error.HTTPError) as cm:
            EMU.account("999999999999")
        self.assertEqual(cm.exception.code, 404)

    def test_expire_all_sessions(self):
        _, iot = EMU.assume()
        iot.list_certificates()
        self.assertGreaterEqual(EMU.admin("POST", "expire-sessions", {})["expired"], 1)
        self.assertEqual(error_of(iot.list_certificates)[:2], ("ExpiredTokenException", 403))

    def test_role_trust(self):
        arn = "arn:aws:iam::%s:role/other-role" % CUSTOMER
        with self.assertRaises(urllib.error.HTTPError) as cm:
            EMU.admin("POST", "role-trust", {"roleArn": arn, "externalId": None})
        self.assertEqual(cm.exception.code, 404)
        arn = "arn:aws:iam::%s:role/unsafe" % CUSTOMER
        with self.assertRaises(urllib.error.HTTPError) as cm:
            EMU.admin("POST", "role-trust", {"roleArn": arn})
        self.assertEqual(cm.exception.code, 400)
        EMU.assume(role="unsafe", external_id=None)
        try:
            trust = EMU.admin("POST", "role-trust", {"roleArn": arn, "externalId": "now-needed"})
            self.assertEqual(trust["externalId"], "now-needed")
            self.assertEqual(error_of(EMU.assume, role="unsafe", external_id=None)[:2],
                             ("AccessDenied", 403))
            EMU.assume(role="unsafe", external_id="now-needed")
        finally:
            EMU.admin("POST", "role-trust", {"roleArn": arn, "externalId": None})
        EMU.assume(role="unsafe", external_id=None)

    def test_save_needs_a_state_dir(self):
        with self.assertRaises(urllib.error.HTTPError) as cm:
            EMU.admin("POST", "save")
        self.assertEqual(cm.exception.code, 400)


class Transport(unittest.TestCase):
    def test_keep_alive(self):
        host = EMU.url.split("//", 1)[1]
        conn = http.client.HTTPConnection(host, timeout=10)
        sockets = set()
        for _ in range(3):
            prepared = t.signed_request(EMU.url, "GET", "/registrationcode", CSP_KEY).prepare()
            conn.request("GET", "/registrationcode", headers=dict(prepared.headers))
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            self.assertEqual(int(resp.getheader("Content-Length")), len(resp.read()))
            sockets.add(id(conn.sock))
        self.assertEqual(len(sockets), 1)
        conn.close()

    def test_throughput(self):
        clients = [t.boto3.client("iot", endpoint_url=EMU.url, region_name=t.REGION,
                                  aws_access_key_id=CSP_KEY[0], aws_secret_access_key=CSP_KEY[1],
                                  config=t.Config(retries={"total_max_attempts": 1}))
                   for _ in range(6)]
        for c in clients:
            c.get_registration_code()
        failures, per_thread = [], 60

        def worker(client):
            for _ in range(per_thread):
                try:
                    client.get_registration_code()
                except Exception as e:      # noqa: BLE001
                    failures.append(e)
        threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
        started = time.monotonic()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        rate = len(clients) * per_thread / (time.monotonic() - started)
        print("throughput: %.0f signed requests/s" % rate)
        self.assertEqual(failures, [])
        self.assertGreater(rate, 50)    # ~500/s on an idle 2-CPU machine

    def test_no_per_request_stall(self):
        """One keep-alive client: no 40 ms Nagle/delayed-ACK stall per response."""
        client = EMU.iot(CSP_KEY)
        client.get_registration_code()
        times = []
        for _ in range(25):
            started = time.monotonic()
            client.get_registration_code()
            times.append(time.monotonic() - started)
        self.assertLess(sorted(times)[len(times) // 2], 0.035)


class Process(unittest.TestCase):
    def test_cli_latency(self):
        emu = t.EmulatorProcess(WORK.path, latency_ms=250, name="latency").start()
        try:
            started = time.monotonic()
            emu.iot(CSP_KEY).get_registration_code()
            self.assertGreaterEqual(time.monotonic() - started, 0.25)
        finally:
            self.assertEqual(emu.stop(signal.SIGINT), 0)

    def test_bad_accounts_file(self):
        bad = os.path.join(WORK.path, "bad-accounts.json")
        with open(bad, "w") as f:
            json.dump({"accounts": [{"id": "12"}]}, f)
        proc = subprocess.run([t.PYTHON, t.AWSEMU, "--listen", "127.0.0.1:0", "--accounts", bad],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("12 digits", proc.stderr)


class CertificateIdSalt(unittest.TestCase):
    """certificateIdSalt: device certificate ids (and ARNs) that are not the DER's SHA-256,
    for clients that must take them from AWS's answers."""

    @classmethod
    def setUpClass(cls):
        accounts = t.default_accounts()
        accounts["certificateIdSalt"] = "salt-1"
        cls.emu = t.EmulatorProcess(WORK.path, accounts=accounts, name="salt").start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def test_ids_and_arns_come_from_the_salt(self):
        import hashlib
        from cryptography.hazmat.primitives import serialization
        client = self.emu.iot(CSP_KEY)
        ca = register_ca(client, "Salt CA")
        cert = t.make_cert("salted", issuer=ca)
        der = cert.cert.public_bytes(serialization.Encoding.DER)
        salted = hashlib.sha256(b"salt-1" + der).hexdigest()
        out = client.register_certificate(certificatePem=cert.pem, caCertificatePem=ca.pem)
        self.assertEqual(out["certificateId"], salted)
        self.assertNotEqual(out["certificateId"], cert.id)
        self.assertEqual(out["certificateArn"], t.cert_arn(CSP, salted))
        d = client.describe_certificate(certificateId=salted)["certificateDescription"]
        self.assertEqual(d["certificateArn"], t.cert_arn(CSP, salted))
        code, _, _ = error_of(client.describe_certificate, certificateId=cert.id)
        self.assertEqual(code, "ResourceNotFoundException")
        code, status, response = error_of(client.register_certificate, certificatePem=cert.pem,
                                          caCertificatePem=ca.pem)
        self.assertEqual((code, status, response["resourceId"]),
                         ("ResourceAlreadyExistsException", 409, salted))
        # The CA's id is not salted.
        self.assertEqual(d["caCertificateId"], ca.id)

    def test_bad_salt(self):
        bad = os.path.join(WORK.path, "bad-salt.json")
        accounts = t.default_accounts()
        accounts["certificateIdSalt"] = 7
        with open(bad, "w") as f:
            json.dump(accounts, f)
        proc = subprocess.run([t.PYTHON, t.AWSEMU, "--listen", "127.0.0.1:0", "--accounts", bad],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("certificateIdSalt", proc.stderr)


class Persistence(unittest.TestCase):
    def snapshot(self, emu):
        return {a: emu.account(a) for a in (CSP, CUSTOMER, OTHER, t.REJECTOR)}

    def test_sigterm_saves_and_restart_loads(self):
        state = os.path.join(WORK.path, "state")
        emu = t.EmulatorProcess(WORK.path, state_dir=state, name="persist").start()
        csp = emu.iot(CSP_KEY)
        ca = register_ca(csp, "Persistent CA")
        accepted, pending = (t.make_cert(n, issuer=ca) for n in ("accepted", "pending"))
        for cert in (accepted, pending):
            csp.register_certificate(certificatePem=cert.pem, caCertificatePem=ca.pem)
            csp.transfer_certificate(certificateId=cert.id, targetAwsAccount=CUSTOMER)
        creds, customer = emu.assume()
        customer.accept_certificate_transfer(certificateId=accepted.id, setAsActive=True)
        customer.create_policy(policyName="kept", policyDocument=json.dumps({"Statement": []}))
        arn = t.cert_arn(CUSTOMER, accepted.id)
        customer.attach_policy(policyName="kept", target=arn)
        customer.create_thing(thingName="kept-thing")
        customer.attach_thing_principal(thingName="kept-thing", principal=arn)
        self.assertEqual(emu.admin("POST", "save")["ok"], True)
        before = self.snapshot(emu)
        self.assertEqual(emu.stop(), 0)
        for name in (CSP + ".json", CUSTOMER + ".json", "_global.json"):
            path = os.path.join(state, name)
            self.assertTrue(os.path.isfile(path), name)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        emu = t.EmulatorProcess(WORK.path, state_dir=state, name="persist").start()
        try:
            self.assertEqual(self.snapshot(emu), before)
            session = (creds["AccessKeyId"], creds["SecretAccessKey"])
            customer = emu.client("iot", session, creds["SessionToken"])
            customer.accept_certificate_transfer(certificateId=pending.id)
            d = customer.describe_certificate(certificateId=accepted.id)["certificateDescription"]
            self.assertEqual((d["status"], d["previousOwnedBy"]), ("ACTIVE", CSP))
            csp = emu.iot(CSP_KEY)
            again = t.make_cert("after restart", issuer=ca)
            csp.register_certificate(certificatePem=again.pem, caCertificatePem=ca.pem)
            ids = [c["certificateId"] for c in csp.list_certificates()["certificates"]]
            self.assertEqual(ids[0], again.id)
        finally:
            emu.stop()


if __name__ == "__main__":
    unittest.main()
