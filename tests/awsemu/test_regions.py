"""Several regions at once: state, transfers, quotas, endpoints, the admin view and the state
directory per account and region; boto3 and AWS's CLI against every region; the region
checks (credential scope, endpoint host, the regions an account serves)."""

import json
import os
import re
import subprocess
import threading
import time
import unittest

import emu_devices as d
import emu_testlib as t
from emu_testlib import CSP, CSP_KEY, CUSTOMER, CUSTOMER_KEY, EXTERNAL_ID, OTHER, OTHER_KEY

US, EU, AP = "us-east-1", "eu-west-1", "ap-southeast-2"
AWS = "/usr/bin/aws"
EMU = WORK = PROXY = None
CAFILE = None


def accounts():
    """The CSP serves three regions (the top level's), the customer two, the other account
    one (the old "region" form)."""
    def user(key):
        return {"accessKeyId": key[0], "secretAccessKey": key[1]}
    return {"regions": [US, EU, AP], "accounts": [
        {"id": CSP, "name": "csp", "users": [dict(user(CSP_KEY), name="iotreg")]},
        {"id": CUSTOMER, "name": "customer", "regions": [US, EU],
         "users": [user(CUSTOMER_KEY)],
         "roles": [{"name": "iotreg", "trustedAccount": CSP, "externalId": EXTERNAL_ID}]},
        {"id": OTHER, "name": "other", "region": US, "users": [user(OTHER_KEY)]}]}


def setUpModule():
    global EMU, WORK, PROXY, CAFILE
    WORK = t.WorkDir()
    state = os.path.join(WORK.path, "state")
    plane = d.have_mosquitto()
    EMU = t.EmulatorProcess(WORK.path, accounts=accounts(), data_plane=plane,
                            state_dir=state).start()
    if plane:
        PROXY = d.NameProxy(EMU.data_address)
        CAFILE = os.path.join(state, "data-root-ca.pem")


def tearDownModule():
    t.finish(PROXY, EMU, WORK)


_clients = {}


def client(emu, region, key=CSP_KEY, token=None, service="iot"):
    """A boto3 client for region (one attempt: a throttled call is seen as such)."""
    cache = (id(emu), emu.url, region, key, token, service)
    if cache not in _clients:
        config = t.Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=20)
        _clients[cache] = t.boto3.client(
            service, endpoint_url=emu.url, region_name=region, aws_access_key_id=key[0],
            aws_secret_access_key=key[1], aws_session_token=token, config=config)
    return _clients[cache]


def assume(emu, sts_region, account=CUSTOMER):
    """Credentials for the customer's role, asked of STS with a sts_region scope."""
    creds = client(emu, sts_region, service="sts").assume_role(
        RoleArn="arn:aws:iam::%s:role/iotreg" % account, RoleSessionName="regions",
        ExternalId=EXTERNAL_ID)["Credentials"]
    return (creds["AccessKeyId"], creds["SecretAccessKey"]), creds["SessionToken"]


def register_ca(iot, ca):
    code = iot.get_registration_code()["registrationCode"]
    iot.register_ca_certificate(caCertificate=ca.pem, setAsActive=True,
                                verificationCertificate=t.make_verification(ca, code).pem)
    return code


def register_under_new_ca(iot, ca, cn):
    """Registers ca in iot's account and region, then a certificate cn it issues."""
    register_ca(iot, ca)
    cert = t.make_cert(cn, issuer=ca)
    iot.register_certificate(certificatePem=cert.pem, caCertificatePem=ca.pem)
    return cert


class Base(unittest.TestCase):
    """The CSP's SubCA registered in all three regions."""

    @classmethod
    def setUpClass(cls):
        cls.ca = t.make_ca("Regions CA " + cls.__name__)
        cls.codes = {r: register_ca(client(EMU, r), cls.ca) for r in (US, EU, AP)}

    def register(self, region, cn="device", status="INACTIVE", key=CSP_KEY):
        cert = t.make_cert(cn, issuer=self.ca)
        arn = client(EMU, region, key).register_certificate(
            certificatePem=cert.pem, caCertificatePem=self.ca.pem,
            status=status)["certificateArn"]
        return cert, arn

    def assertError(self, code, status, call, *args, **kwargs):
        got = t.error_of(call, *args, **kwargs)
        self.assertEqual((got[0], got[1]), (code, status), got[2].get("Error"))
        return got[2]


class RegionState(Base):
    def test_registration_code_is_per_region(self):
        self.assertEqual(len(set(self.codes.values())), 3)
        self.assertEqual(client(EMU, EU).get_registration_code()["registrationCode"],
                         self.codes[EU])

    def test_certificate_is_found_in_its_region_only(self):
        cert, arn = self.register(EU)
        self.assertTrue(arn.startswith("arn:aws:iot:%s:%s:cert/" % (EU, CSP)), arn)
        described = client(EMU, EU).describe_certificate(certificateId=cert.id)
        self.assertEqual(described["certificateDescription"]["certificateArn"], arn)
        for region in (US, AP):
            self.assertError("ResourceNotFoundException", 404,
                             client(EMU, region).describe_certificate, certificateId=cert.id)
            ids = [c["certificateId"] for c in
                   client(EMU, region).list_certificates(pageSize=250)["certificates"]]
            self.assertNotIn(cert.id, ids)

    def test_default_mode_uniqueness_is_per_region(self):
        cert, _ = self.register(US, cn="twice")
        arn = client(EMU, AP).register_certificate(
            certificatePem=cert.pem, caCertificatePem=self.ca.pem)["certificateArn"]
        self.assertIn(":%s:" % AP, arn)
        self.assertError("ResourceAlreadyExistsException", 409,
                         client(EMU, US).register_certificate, certificatePem=cert.pem,
                         caCertificatePem=self.ca.pem)

    def test_ca_is_per_region(self):
        cas = {r: [c["certificateId"] for c in client(EMU, r).list_ca_certificates()
                   ["certificates"]] for r in (US, EU)}
        ca = t.make_ca("US only CA")
        register_ca(client(EMU, US), ca)
        stranger = t.make_cert("under a CA of another region", issuer=ca)
        self.assertError("CertificateValidationException", 400,
                         client(EMU, EU).register_certificate, certificatePem=stranger.pem,
                         caCertificatePem=ca.pem)
        after = [c["certificateId"] for c in client(EMU, EU).list_ca_certificates()
                 ["certificates"]]
        self.assertEqual(after, cas[EU])

    def test_policies_and_things_are_per_region(self):
        document = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]})
        client(EMU, EU).create_policy(policyName="eu-policy", policyDocument=document)
        client(EMU, EU).create_thing(thingName="eu-thing")
        self.assertError("ResourceNotFoundException", 404, client(EMU, US).get_policy,
                         policyName="eu-policy")
        self.assertError("ResourceNotFoundException", 404, client(EMU, US).describe_thing,
                         thingName="eu-thing")
        client(EMU, US).create_policy(policyName="eu-policy", policyDocument=document)

    def test_describe_endpoint_per_region(self):
        names = {}
        for region in (US, EU, AP):
            names[region] = client(EMU, region).describe_endpoint(
                endpointType="iot:Data-ATS")["endpointAddress"]
            self.assertRegex(names[region], r"^[a-z][a-z0-9]{13}-ats\.iot\.%s\.amazonaws\.com$"
                             % re.escape(region))
        self.assertEqual(len(set(n.split("-ats.")[0] for n in names.values())), 3)
        creds, token = assume(EMU, US)
        customer_eu = client(EMU, EU, creds, token).describe_endpoint(
            endpointType="iot:Data-ATS")["endpointAddress"]
        self.assertTrue(customer_eu.endswith(".iot.%s.amazonaws.com" % EU))
        self.assertNotIn(customer_eu, names.values())


class RegionChecks(Base):
    def test_unlisted_region_is_refused(self):
        # the customer serves us-east-1 and eu-west-1 only; the CSP serves ap-southeast-2
        response = self.assertError("UnrecognizedClientException", 403,
                                    client(EMU, AP, CUSTOMER_KEY).list_certificates)
        self.assertEqual(response["Error"]["Message"],
                         "The security token included in the request is invalid.")
        self.assertError("UnrecognizedClientException", 403,
                         client(EMU, EU, OTHER_KEY).get_registration_code)
        creds, token = assume(EMU, AP)      # STS is global: the CSP asks from ap-southeast-2
        self.assertError("UnrecognizedClientException", 403,
                         client(EMU, AP, creds, token).list_certificates)
        client(EMU, EU, creds, token).list_certificates()
        client(EMU, US, OTHER_KEY).get_registration_code()

    def test_region_no_account_serves(self):
        response = self.assertError("InvalidSignatureException", 403,
                                    client(EMU, "sa-east-1").list_certificates)
        self.assertIn("Credential should be scoped to a valid region",
                      response["Error"]["Message"])
        self.assertError("SignatureDoesNotMatch", 403,
                         client(EMU, "sa-east-1", service="sts").get_caller_identity)

    def test_sts_from_every_region(self):
        for region in (US, EU, AP):
            who = client(EMU, region, OTHER_KEY, service="sts").get_caller_identity()
            self.assertEqual(who["Account"], OTHER)

    def test_endpoint_host_names_the_region(self):
        def call(host, scope):
            request = t.signed_request(EMU.url, "GET", "/registrationcode", CSP_KEY,
                                       region=scope, headers={"Host": host})
            return t.send(EMU.url, request)
        status, _, body = call("iot.%s.amazonaws.com" % EU, US)
        self.assertEqual(status, 403, body)
        self.assertIn(b"Credential should be scoped to a valid region", body)
        status, _, body = call("iot.%s.amazonaws.com" % EU, EU)
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["registrationCode"], self.codes[EU])
        status, _, body = call("iot.%s.amazonaws.com:443" % AP, AP)
        self.assertEqual(status, 200, body)
        status, _, body = call("localhost.localdomain:4567", EU)     # only the scope decides
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["registrationCode"], self.codes[EU])


class RegionTransfers(Base):
    def test_transfer_stays_in_its_region(self):
        cert, _ = self.register(US, cn="transferred")
        client(EMU, US).transfer_certificate(certificateId=cert.id, targetAwsAccount=CUSTOMER)
        creds, token = assume(EMU, EU)
        cust_us, cust_eu = client(EMU, US, creds, token), client(EMU, EU, creds, token)
        self.assertEqual(cust_us.describe_certificate(certificateId=cert.id)
                         ["certificateDescription"]["status"], "PENDING_TRANSFER")
        self.assertError("ResourceNotFoundException", 404, cust_eu.describe_certificate,
                         certificateId=cert.id)
        self.assertError("ResourceNotFoundException", 404, cust_eu.accept_certificate_transfer,
                         certificateId=cert.id)
        self.assertError("ResourceNotFoundException", 404, cust_eu.reject_certificate_transfer,
                         certificateId=cert.id)
        self.assertError("ResourceNotFoundException", 404,
                         client(EMU, EU).cancel_certificate_transfer, certificateId=cert.id)
        self.assertNotIn(cert.id, [c["certificateId"] for c in client(EMU, EU)
                                   .list_outgoing_certificates()["outgoingCertificates"]])
        cust_us.accept_certificate_transfer(certificateId=cert.id, setAsActive=True)
        described = cust_us.describe_certificate(certificateId=cert.id)["certificateDescription"]
        self.assertEqual(described["certificateArn"],
                         "arn:aws:iot:%s:%s:cert/%s" % (US, CUSTOMER, cert.id))
        for c in (cust_eu, client(EMU, EU), client(EMU, AP)):
            self.assertError("ResourceNotFoundException", 404, c.describe_certificate,
                             certificateId=cert.id)
        self.assertNotIn(cert.id, [c["id"] for c in
                                   EMU.admin("GET", "accounts/%s?region=%s" % (CUSTOMER, EU))
                                   ["certificates"]])

    def test_reject_and_cancel_in_the_region(self):
        cert, _ = self.register(EU, cn="rejected")
        client(EMU, EU).transfer_certificate(certificateId=cert.id, targetAwsAccount=CUSTOMER)
        self.assertEqual([c["certificateId"] for c in client(EMU, EU)
                          .list_outgoing_certificates()["outgoingCertificates"]], [cert.id])
        self.assertEqual(client(EMU, US).list_outgoing_certificates()["outgoingCertificates"],
                         [])
        creds, token = assume(EMU, US)
        self.assertError("ResourceNotFoundException", 404,
                         client(EMU, US, creds, token).reject_certificate_transfer,
                         certificateId=cert.id)
        client(EMU, EU, creds, token).reject_certificate_transfer(certificateId=cert.id)
        self.assertEqual(client(EMU, EU).describe_certificate(certificateId=cert.id)
                         ["certificateDescription"]["status"], "INACTIVE")
        other, _ = self.register(EU, cn="cancelled")
        client(EMU, EU).transfer_certificate(certificateId=other.id, targetAwsAccount=CUSTOMER)
        self.assertError("ResourceNotFoundException", 404,
                         client(EMU, US).cancel_certificate_transfer, certificateId=other.id)
        client(EMU, EU).cancel_certificate_transfer(certificateId=other.id)

    def test_target_must_serve_the_region(self):
        cert, _ = self.register(EU, cn="to other")
        self.assertError("InvalidRequestException", 400, client(EMU, EU).transfer_certificate,
                         certificateId=cert.id, targetAwsAccount=OTHER)


class RegionAdmin(Base):
    def test_accounts_and_regions(self):
        view = EMU.admin("GET", "accounts")
        self.assertEqual((view["region"], view["regions"]), (US, [US, EU, AP]))
        by_id = {a["id"]: a for a in view["accounts"]}
        self.assertEqual(by_id[CUSTOMER]["regions"], [US, EU])
        self.assertEqual(by_id[OTHER]["regions"], [US])
        self.assertEqual(by_id[CSP]["defaultRegion"], US)

    def test_account_view_per_region(self):
        cert, _ = self.register(AP, cn="admin view")
        default = EMU.account(CSP)
        self.assertEqual(default["region"], US)
        self.assertNotIn(cert.id, [c["id"] for c in default["certificates"]])
        for path in ("accounts/%s?region=%s" % (CSP, AP), "accounts/%s/regions/%s" % (CSP, AP)):
            view = EMU.admin("GET", path)
            self.assertEqual(view["region"], AP)
            self.assertIn(cert.id, [c["id"] for c in view["certificates"]])
            self.assertEqual(view["registrationCode"], self.codes[AP])
        self.assertEqual(EMU.admin("GET", "accounts/%s?region=%s" % (CSP, US))["certificates"],
                         default["certificates"])
        with self.assertRaises(t.urllib.request.HTTPError) as e:
            EMU.admin("GET", "accounts/%s/regions/%s" % (OTHER, EU))
        self.assertEqual(e.exception.code, 404)

    def test_request_log_per_region(self):
        client(EMU, AP).list_outgoing_certificates()
        log = EMU.admin("GET", "accounts/%s?region=%s" % (CSP, AP))["requestLog"]
        self.assertEqual(log[-1]["operation"], "ListOutgoingCertificates")
        self.assertNotIn("ListOutgoingCertificates",
                         [e["operation"] for e in EMU.account(CSP)["requestLog"]])


class RegionQuotas(unittest.TestCase):
    """AWS's RegisterCertificate quota (10/s) holds per account and region."""

    @classmethod
    def setUpClass(cls):
        cls.emu = t.EmulatorProcess(WORK.path, accounts=accounts(), quotas="aws",
                                    name="quotas").start()
        cls.ca = t.make_ca("Quota CA")
        for region in (US, EU, AP):
            register_ca(client(cls.emu, region), cls.ca)

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def burst(self, regions, n, workers=4):
        """RegisterCertificate n times in each of regions, all at once (workers threads per
        region, each with its own client): ([(region, "ok" or error code)], seconds)."""
        jobs = []
        for region in regions:
            certs = [t.make_cert("quota %s %d" % (region, i), issuer=self.ca) for i in range(n)]
            for w in range(workers):
                config = t.Config(retries={"total_max_attempts": 1})
                iot = t.boto3.client("iot", endpoint_url=self.emu.url, region_name=region,
                                     aws_access_key_id=CSP_KEY[0],
                                     aws_secret_access_key=CSP_KEY[1], config=config)
                iot.meta.events     # created here, not in the timed part
                jobs.append((region, iot, certs[w::workers]))
        results = []

        def run(region, iot, certs):
            for cert in certs:
                try:
                    iot.register_certificate(certificatePem=cert.pem,
                                             caCertificatePem=self.ca.pem)
                    results.append((region, "ok"))
                except t.botocore.exceptions.ClientError as e:
                    results.append((region, e.response["Error"]["Code"]))
        threads = [threading.Thread(target=run, args=job) for job in jobs]
        started = time.monotonic()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return results, time.monotonic() - started

    def test_ten_a_second_in_each_of_two_regions(self):
        results, _ = self.burst((US, EU), 10)
        self.assertEqual(sorted(results), sorted([(US, "ok")] * 10 + [(EU, "ok")] * 10))

    def test_twenty_a_second_in_one_region_is_throttled(self):
        results, span = self.burst((AP,), 20)
        ok = [r for r in results if r[1] == "ok"]
        self.assertIn((AP, "ThrottlingException"), results)
        self.assertLessEqual(len(ok), 10 + int(span * 10) + 1)
        self.assertLess(span, 1.5)      # else the burst did not test the quota
        stats = self.emu.admin("GET", "stats")
        self.assertGreaterEqual(stats["quotaThrottled"], 20 - len(ok))
        self.assertIn("%s@%s/RegisterCertificate" % (CSP, AP), stats["maxObservedRate"])


class RegionPersistence(unittest.TestCase):
    """The state directory per region, and a directory written by a one-region emulator."""

    def test_restart_keeps_each_region(self):
        state = os.path.join(WORK.path, "persist-state")
        one = {"region": US, "accounts": accounts()["accounts"]}
        for a in one["accounts"]:
            a.pop("regions", None)
            a.pop("region", None)
        emu = t.EmulatorProcess(WORK.path, accounts=one, state_dir=state, name="persist")
        emu.start()
        ca = t.make_ca("Persist CA")
        try:
            old = register_under_new_ca(client(emu, US), ca, "old")
        finally:
            self.assertEqual(emu.stop(), 0)
        # what a one-region emulator wrote before regions (the account files were alike)
        with open(os.path.join(state, "_global.json")) as f:
            saved = json.load(f)
        with open(os.path.join(state, "_global.json"), "w") as f:
            json.dump({"version": 1, "region": US, "seq": saved["seq"],
                       "sessions": saved["sessions"]}, f)
        emu.accounts = accounts()
        emu.start()
        try:
            client(emu, US).describe_certificate(certificateId=old.id)
            self.assertEqual(t.error_of(client(emu, EU).describe_certificate,
                                        certificateId=old.id)[0], "ResourceNotFoundException")
            new = register_under_new_ca(client(emu, EU), ca, "new")
        finally:
            self.assertEqual(emu.stop(), 0)
        self.assertTrue(os.path.isfile(os.path.join(state, EU, CSP + ".json")))
        self.assertTrue(os.path.isfile(os.path.join(state, EU, CUSTOMER + ".json")))
        self.assertFalse(os.path.exists(os.path.join(state, EU, OTHER + ".json")))
        with open(os.path.join(state, CSP + ".json")) as f:
            self.assertEqual(json.load(f)["region"], US)
        emu.start()
        try:
            client(emu, US).describe_certificate(certificateId=old.id)
            client(emu, EU).describe_certificate(certificateId=new.id)
            for region, cert in ((US, new), (EU, old), (AP, new)):
                self.assertEqual(t.error_of(client(emu, region).describe_certificate,
                                            certificateId=cert.id)[0],
                                 "ResourceNotFoundException")
        finally:
            emu.stop()


class RegionConfig(unittest.TestCase):
    def start_fails(self, accounts_obj, message):
        emu = t.EmulatorProcess(WORK.path, accounts=accounts_obj, name="bad")
        with self.assertRaises(RuntimeError) as e:
            emu.start(timeout=10)
        self.assertEqual(emu.proc.wait(10), 2)
        self.assertIn(message, str(e.exception))

    def test_bad_region_lists(self):
        base = accounts()
        self.start_fails(dict(base, regions=[]), "regions must be a non-empty list")
        self.start_fails(dict(base, regions=[US, "Mars"]), "must look like us-east-1")
        self.start_fails(dict(base, regions=[US, US]), "listed twice")
        self.start_fails(dict(base, region=AP, regions=[US]), '"region" must be one of')

    def test_region_with_regions_picks_the_default(self):
        emu = t.EmulatorProcess(WORK.path, accounts=dict(accounts(), region=EU), name="dflt")
        emu.start()
        try:
            view = emu.admin("GET", "accounts")
            self.assertEqual((view["region"], view["regions"]), (EU, [EU, US, AP]))
            self.assertEqual({a["id"]: a["defaultRegion"] for a in view["accounts"]},
                             {CSP: EU, CUSTOMER: EU, OTHER: US})
            self.assertEqual(emu.account(OTHER)["region"], US)
        finally:
            emu.stop()


class RegionCli(Base):
    """AWS's CLI (Debian's awscli) with --region against the emulator."""

    def aws(self, region, *args, key=CSP_KEY, ok=True):
        env = {"PATH": "/usr/bin:/bin", "HOME": WORK.path, "LC_ALL": "C.UTF-8",
               "AWS_ACCESS_KEY_ID": key[0], "AWS_SECRET_ACCESS_KEY": key[1],
               "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
               "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"}
        proc = subprocess.run([AWS, "--region", region, "--endpoint-url", EMU.url,
                               "--no-cli-pager", "--output", "json"] + list(args),
                              capture_output=True, text=True, env=env, timeout=60)
        if ok:
            self.assertEqual(proc.returncode, 0, proc.stderr)
            return json.loads(proc.stdout) if proc.stdout.strip() else {}
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        return proc.stderr

    def setUp(self):
        if not os.access(AWS, os.X_OK):
            self.skipTest("needs %s (Debian's awscli)" % AWS)

    def test_cli_in_three_regions(self):
        for region in (US, EU, AP):
            self.assertEqual(self.aws(region, "iot", "get-registration-code")
                             ["registrationCode"], self.codes[region])
            address = self.aws(region, "iot", "describe-endpoint", "--endpoint-type",
                               "iot:Data-ATS")["endpointAddress"]
            self.assertTrue(address.endswith("-ats.iot.%s.amazonaws.com" % region), address)
            self.assertEqual(self.aws(region, "sts", "get-caller-identity")["Account"], CSP)
        cert, arn = self.register(EU, cn="cli")
        described = self.aws(EU, "iot", "describe-certificate", "--certificate-id", cert.id)
        self.assertEqual(described["certificateDescription"]["certificateArn"], arn)
        err = self.aws(US, "iot", "describe-certificate", "--certificate-id", cert.id, ok=False)
        self.assertIn("ResourceNotFoundException", err)
        err = self.aws(AP, "iot", "list-certificates", key=CUSTOMER_KEY, ok=False)
        self.assertIn("UnrecognizedClientException", err)


class RegionDataPlane(Base):
    """A device registered in one region connects to that region's endpoint only."""

    def setUp(self):
        if PROXY is None or not d.have_paho():
            self.skipTest("needs mosquitto-clients and python3-paho-mqtt")

    def record(self, cert_id, region):
        def find():
            matches = [c for c in EMU.admin("GET", "connections")["connections"]
                       if c["certificateId"] == cert_id and c["region"] == region
                       and c["state"] == "closed"]
            return matches[-1] if matches else None
        found = d.wait_for(find, 10)
        self.assertIsNotNone(found)
        return found

    def test_device_connects_in_its_region(self):
        settings = EMU.admin("GET", "dataplane")
        self.assertEqual(settings["serverCertificateNames"],
                         ["*.iot.%s.amazonaws.com" % r for r in (US, EU, AP)])
        cert, arn = self.register(EU, cn="eu device", status="ACTIVE")
        eu = client(EMU, EU)
        eu.create_policy(policyName="dp-all", policyDocument=json.dumps(
            {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}))
        eu.attach_policy(policyName="dp-all", target=arn)
        device = d.DeviceFiles(WORK.path, "eu-device", cert)
        hosts = {r: client(EMU, r).describe_endpoint(endpointType="iot:Data-ATS")
                 ["endpointAddress"] for r in (US, EU)}
        result = d.mosquitto_pub(PROXY, hosts[EU], CAFILE, device, "eu-client", "t/eu", "hi")
        self.assertIn("received CONNACK (0)", result.stdout + result.stderr)
        record = self.record(cert.id, EU)
        self.assertEqual((record["outcome"], record["account"], record["region"]),
                         ("connected", CSP, EU))
        d.mosquitto_pub(PROXY, hosts[US], CAFILE, device, "us-client", "t/us", "hi")
        record = self.record(cert.id, US)
        self.assertEqual((record["outcome"], record["region"]), ("refused", US))
        self.assertIn("not registered in account", record["reason"])


if __name__ == "__main__":
    unittest.main()
