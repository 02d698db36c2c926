"""The emulator's AWS rules, exercised with boto3 (AWS's own client).

IoT certificate, transfer, policy and thing rules; STS AssumeRole; SigV4
verification; request shape validation; role permissions; rejectTransfers."""

import json
import os
import shutil
import subprocess
import unittest

import emu_testlib as t
from emu_testlib import CSP, CSP_KEY, CUSTOMER, CUSTOMER_KEY, OTHER, OTHER_KEY, REJECTOR, error_of

EMU = None
WORK = None


def setUpModule():
    global EMU, WORK
    WORK = t.WorkDir()
    EMU = t.EmulatorProcess(WORK.path, quotas="off").start()


def tearDownModule():
    if EMU:
        EMU.stop()
    if WORK:
        WORK.cleanup()


class Base(unittest.TestCase):
    """A CSP with a SubCA registered in DEFAULT mode (once per class)."""

    @classmethod
    def setUpClass(cls):
        cls.csp = EMU.iot(CSP_KEY)
        cls.root = t.make_ca("Test Root " + cls.__name__)
        cls.subca = t.make_ca("Test SubCA " + cls.__name__, issuer=cls.root)
        code = cls.csp.get_registration_code()["registrationCode"]
        cls.csp.register_ca_certificate(
            caCertificate=cls.subca.pem,
            verificationCertificate=t.make_verification(cls.subca, code).pem,
            setAsActive=True, certificateMode="DEFAULT")

    def device(self, cn="device", kind="ec256"):
        return t.make_cert(cn, issuer=self.subca, kind=kind)

    def register(self, cert=None, status="INACTIVE", client=None):
        cert = cert or self.device()
        (client or self.csp).register_certificate(
            certificatePem=cert.pem, caCertificatePem=self.subca.pem, status=status)
        return cert

    def transfer(self, cert, target=CUSTOMER, message="for you"):
        return self.csp.transfer_certificate(certificateId=cert.id, targetAwsAccount=target,
                                             transferMessage=message)

    def customer(self):
        return EMU.assume()[1]

    def assertError(self, expected_code, expected_status, call, *args, **kwargs):
        code, status, response = error_of(call, *args, **kwargs)
        self.assertEqual((code, status), (expected_code, expected_status),
                         response["Error"].get("Message"))
        return response


class CaCertificateRules(Base):
    def test_registration_code_is_stable_and_per_account(self):
        a = self.csp.get_registration_code()["registrationCode"]
        b = self.csp.get_registration_code()["registrationCode"]
        c = EMU.iot(OTHER_KEY).get_registration_code()["registrationCode"]
        self.assertEqual(a, b)
        self.assertRegex(a, "^[0-9a-f]{64}$")
        self.assertNotEqual(a, c)
        self.assertEqual(EMU.account(CSP)["registrationCode"], a)

    def test_register_and_describe_ca(self):
        d = self.csp.describe_ca_certificate(certificateId=self.subca.id)["certificateDescription"]
        self.assertEqual(d["certificateId"], self.subca.id)
        self.assertEqual(d["certificateArn"], "arn:aws:iot:us-east-1:%s:cacert/%s" % (CSP, self.subca.id))
        self.assertEqual((d["status"], d["certificateMode"], d["ownedBy"]), ("ACTIVE", "DEFAULT", CSP))
        ids = [c["certificateId"] for c in self.csp.list_ca_certificates(pageSize=250)["certificates"]]
        self.assertIn(self.subca.id, ids)

    def test_verification_cn_must_be_the_registration_code(self):
        ca = t.make_ca("wrong-cn CA")
        self.assertError("RegistrationCodeValidationException", 400,
                         self.csp.register_ca_certificate, caCertificate=ca.pem,
                         verificationCertificate=t.make_verification(ca, "0" * 64).pem)

    def test_verification_must_be_signed_by_the_ca_key(self):
        ca, impostor = t.make_ca("victim CA"), t.make_ca("impostor CA")
        code = self.csp.get_registration_code()["registrationCode"]
        forged = t.make_cert(code, issuer=ca, signing_key=impostor.key)
        self.assertError("CertificateValidationException", 400,
                         self.csp.register_ca_certificate, caCertificate=ca.pem,
                         verificationCertificate=forged.pem)

    def test_ca_must_have_basic_constraints_ca(self):
        not_ca = t.make_cert("not a CA", fresh_key=True)
        code = self.csp.get_registration_code()["registrationCode"]
        self.assertError("CertificateValidationException", 400,
                         self.csp.register_ca_certificate, caCertificate=not_ca.pem,
                         verificationCertificate=t.make_verification(not_ca, code).pem)

    def test_default_ca_registered_by_another_account(self):
        other = EMU.iot(OTHER_KEY)
        code = other.get_registration_code()["registrationCode"]
        response = self.assertError(
            "ResourceAlreadyExistsException", 409, other.register_ca_certificate,
            caCertificate=self.subca.pem,
            verificationCertificate=t.make_verification(self.subca, code).pem)
        self.assertEqual(response["resourceId"], self.subca.id)
        self.assertEqual(EMU.account(OTHER)["caCertificates"], [])

    def test_same_account_registers_ca_twice(self):
        code = self.csp.get_registration_code()["registrationCode"]
        response = self.assertError(
            "ResourceAlreadyExistsException", 409, self.csp.register_ca_certificate,
            caCertificate=self.subca.pem,
            verificationCertificate=t.make_verification(self.subca, code).pem)
        self.assertEqual(response["resourceId"], self.subca.id)

    def test_sni_only_mode(self):
        ca = t.make_ca("SNI CA")
        code = self.csp.get_registration_code()["registrationCode"]
        self.assertError("InvalidRequestException", 400, self.csp.register_ca_certificate,
                         caCertificate=ca.pem, certificateMode="SNI_ONLY",
                         verificationCertificate=t.make_verification(ca, code).pem)
        self.assertError("InvalidRequestException", 400, self.csp.register_ca_certificate,
                         caCertificate=ca.pem)   # DEFAULT without verification certificate
        for client in (self.csp, EMU.iot(OTHER_KEY)):   # SNI_ONLY: any number of accounts
            client.register_ca_certificate(caCertificate=ca.pem, certificateMode="SNI_ONLY")
        d = self.csp.describe_ca_certificate(certificateId=ca.id)["certificateDescription"]
        self.assertEqual(d["certificateMode"], "SNI_ONLY")

    def test_update_and_delete_ca(self):
        ca = t.make_ca("deletable CA")
        code = self.csp.get_registration_code()["registrationCode"]
        self.csp.register_ca_certificate(caCertificate=ca.pem, setAsActive=True,
                                         verificationCertificate=t.make_verification(ca, code).pem)
        cert = t.make_cert("d1", issuer=ca)
        self.csp.register_certificate(certificatePem=cert.pem, caCertificatePem=ca.pem)
        self.assertError("CertificateStateException", 406, self.csp.delete_ca_certificate,
                         certificateId=ca.id)
        self.csp.update_ca_certificate(certificateId=ca.id, newStatus="INACTIVE")
        self.assertError("CertificateStateException", 406, self.csp.delete_ca_certificate,
                         certificateId=ca.id)
        self.csp.delete_certificate(certificateId=cert.id)
        self.csp.delete_ca_certificate(certificateId=ca.id)
        self.assertError("ResourceNotFoundException", 404, self.csp.describe_ca_certificate,
                         certificateId=ca.id)


class CertificateRules(Base):
    def test_register_and_describe(self):
        cert = self.register()
        r = self.csp.describe_certificate(certificateId=cert.id)["certificateDescription"]
        self.assertEqual(r["certificateId"], cert.id)
        self.assertEqual(r["certificateArn"], t.cert_arn(CSP, cert.id))
        self.assertEqual((r["status"], r["ownedBy"], r["caCertificateId"], r["certificateMode"]),
                         ("INACTIVE", CSP, self.subca.id, "DEFAULT"))
        self.assertEqual(r["certificatePem"], cert.pem)
        self.assertIn("notAfter", r["validity"])

    def test_certificate_id_is_sha256_of_der(self):
        cert = self.device("id check")
        out = self.csp.register_certificate(certificatePem=cert.pem, caCertificatePem=self.subca.pem)
        self.assertEqual(out["certificateId"], cert.id)

    def test_register_finds_the_ca_by_issuer(self):
        cert = self.device("found by issuer")
        out = self.csp.register_certificate(certificatePem=cert.pem)
        self.assertEqual(out["certificateId"], cert.id)

    def test_register_with_unregistered_ca(self):
        stranger = t.make_ca("Unregistered CA")
        cert = t.make_cert("orphan", issuer=stranger)
        self.assertError("CertificateValidationException", 400, self.csp.register_certificate,
                         certificatePem=cert.pem, caCertificatePem=stranger.pem)
        self.assertError("CertificateValidationException", 400, self.csp.register_certificate,
                         certificatePem=cert.pem)

    def test_register_with_a_ca_that_did_not_sign_it(self):
        stranger = t.make_ca("Other issuer")
        cert = t.make_cert("mismatch", issuer=stranger)
        self.assertError("CertificateValidationException", 400, self.csp.register_certificate,
                         certificatePem=cert.pem, caCertificatePem=self.subca.pem)

    def test_ca_registered_in_another_account_does_not_count(self):
        cert = self.device("csp only")
        self.assertError("CertificateValidationException", 400, EMU.iot(OTHER_KEY).register_certificate,
                         certificatePem=cert.pem, caCertificatePem=self.subca.pem)

    def test_duplicate_registration(self):
        cert = self.register()
        response = self.assertError("ResourceAlreadyExistsException", 409,
                                    self.csp.register_certificate, certificatePem=cert.pem,
                                    caCertificatePem=self.subca.pem)
        self.assertEqual(response["resourceId"], cert.id)
        self.assertEqual(response["resourceArn"], t.cert_arn(CSP, cert.id))

    def test_rsa_and_ec_chains(self):
        for ca_kind, dev_kind in (("rsa2048", "rsa2048"), ("ec384", "ec256"), ("rsa3072", "ec384")):
            ca = t.make_ca("%s CA" % ca_kind, kind=ca_kind)
            code = self.csp.get_registration_code()["registrationCode"]
            self.csp.register_ca_certificate(
                caCertificate=ca.pem, setAsActive=True,
                verificationCertificate=t.make_verification(ca, code, kind=dev_kind).pem)
            cert = t.make_cert("dev " + dev_kind, issuer=ca, kind=dev_kind)
            out = self.csp.register_certificate(certificatePem=cert.pem, caCertificatePem=ca.pem,
                                                status="ACTIVE")
            self.assertEqual(out["certificateId"], cert.id)

    @unittest.skipUnless(shutil.which("openssl"), "openssl command not found")
    def test_rsa_pss_signed_certificate(self):
        ca = t.make_ca("PSS CA", kind="rsa2048")
        d = os.path.join(WORK.path, "pss")
        os.makedirs(d, exist_ok=True)
        files = {n: os.path.join(d, n) for n in ("ca.pem", "ca.key", "dev.key", "dev.csr", "dev.pem")}
        open(files["ca.pem"], "w").write(ca.pem)
        open(files["ca.key"], "w").write(ca.key_pem())
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)
        run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
            "-out", files["dev.key"])
        run("openssl", "req", "-new", "-key", files["dev.key"], "-subj", "/CN=pss device",
            "-out", files["dev.csr"])
        run("openssl", "x509", "-req", "-in", files["dev.csr"], "-CA", files["ca.pem"],
            "-CAkey", files["ca.key"], "-set_serial", "7", "-days", "30", "-sha256",
            "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
            "-out", files["dev.pem"])
        code = self.csp.get_registration_code()["registrationCode"]
        self.csp.register_ca_certificate(caCertificate=ca.pem,
                                         verificationCertificate=t.make_verification(ca, code).pem)
        pem = open(files["dev.pem"]).read()
        out = self.csp.register_certificate(certificatePem=pem, caCertificatePem=ca.pem)
        self.assertRegex(out["certificateId"], "^[0-9a-f]{64}$")

    def test_register_without_ca_is_multi_account(self):
        cert = t.make_cert("sni device", issuer=t.make_ca("never registered"))
        for client in (self.csp, EMU.iot(OTHER_KEY)):
            out = client.register_certificate_without_ca(certificatePem=cert.pem, status="ACTIVE")
            self.assertEqual(out["certificateId"], cert.id)
        d = EMU.iot(OTHER_KEY).describe_certificate(certificateId=cert.id)["certificateDescription"]
        self.assertEqual((d["certificateMode"], d["ownedBy"]), ("SNI_ONLY", OTHER))
        self.assertNotIn("caCertificateId", d)

    def test_default_certificate_is_unique_in_the_region(self):
        cert = t.make_cert("unique", issuer=self.subca)
        EMU.iot(OTHER_KEY).register_certificate_without_ca(certificatePem=cert.pem)
        self.assertError("ResourceAlreadyExistsException", 409, self.csp.register_certificate,
                         certificatePem=cert.pem, caCertificatePem=self.subca.pem)

    def test_update_certificate_rules(self):
        cert = self.register()
        for status in ("PENDING_TRANSFER", "PENDING_ACTIVATION"):
            self.assertError("InvalidRequestException", 400, self.csp.update_certificate,
                             certificateId=cert.id, newStatus=status)
        self.csp.update_certificate(certificateId=cert.id, newStatus="ACTIVE")
        self.csp.update_certificate(certificateId=cert.id, newStatus="INACTIVE")
        self.transfer(cert)
        self.assertError("CertificateStateException", 406, self.csp.update_certificate,
                         certificateId=cert.id, newStatus="ACTIVE")
        self.csp.cancel_certificate_transfer(certificateId=cert.id)
        self.csp.update_certificate(certificateId=cert.id, newStatus="REVOKED")
        self.assertError("CertificateStateException", 406, self.csp.update_certificate,
                         certificateId=cert.id, newStatus="ACTIVE")
        self.assertError("ResourceNotFoundException", 404, self.csp.update_certificate,
                         certificateId="f" * 64, newStatus="ACTIVE")

    def test_delete_certificate_rules(self):
        cert = self.register(status="ACTIVE")
        self.assertError("CertificateStateException", 406, self.csp.delete_certificate,
                         certificateId=cert.id)
        self.csp.update_certificate(certificateId=cert.id, newStatus="INACTIVE")
        self.csp.create_policy(policyName="delete-rules", policyDocument=POLICY)
        arn = t.cert_arn(CSP, cert.id)
        self.csp.attach_policy(policyName="delete-rules", target=arn)
        self.assertError("DeleteConflictException", 409, self.csp.delete_certificate,
                         certificateId=cert.id)
        self.csp.delete_certificate(certificateId=cert.id, forceDelete=True)
        self.assertError("ResourceNotFoundException", 404, self.csp.describe_certificate,
                         certificateId=cert.id)

    def test_pagination(self):
        client = EMU.iot(t.REJECTOR_KEY)
        ca = t.make_ca("paging CA")
        ids = []
        for i in range(7):
            cert = t.make_cert("page %d" % i, issuer=ca)
            client.register_certificate_without_ca(certificatePem=cert.pem)
            ids.append(cert.id)
        seen, marker, pages = [], None, 0
        while True:
            kwargs = {"pageSize": 3, "ascendingOrder": True}
            if marker:
                kwargs["marker"] = marker
            out = client.list_certificates(**kwargs)
            seen += [c["certificateId"] for c in out["certificates"]]
            pages += 1
            marker = out.get("nextMarker")
            if not marker:
                break
        self.assertEqual(seen, ids)
        self.assertEqual(pages, 3)
        newest_first = client.list_certificates(pageSize=2)["certificates"]
        self.assertEqual([c["certificateId"] for c in newest_first], ids[::-1][:2])
        self.assertError("InvalidRequestException", 400, client.list_certificates, marker="!!")


POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]})


class TransferRules(Base):
    def test_transfer_accept_flow(self):
        cert = self.register()
        out = self.transfer(cert, message="order 42")
        self.assertEqual(out["transferredCertificateArn"],
                         t.cert_arn(CSP, cert.id))
        d = self.csp.describe_certificate(certificateId=cert.id)["certificateDescription"]
        self.assertEqual(d["status"], "PENDING_TRANSFER")
        self.assertEqual(d["transferData"]["transferMessage"], "order 42")
        outgoing = self.csp.list_outgoing_certificates()["outgoingCertificates"]
        self.assertIn((cert.id, CUSTOMER), [(o["certificateId"], o["transferredTo"]) for o in outgoing])
        customer = self.customer()
        seen = customer.describe_certificate(certificateId=cert.id)["certificateDescription"]
        self.assertEqual((seen["status"], seen["ownedBy"]), ("PENDING_TRANSFER", CSP))
        self.assertIn(cert.id, [c["id"] for c in EMU.account(CUSTOMER)["incomingTransfers"]])
        customer.accept_certificate_transfer(certificateId=cert.id, setAsActive=True)
        d = customer.describe_certificate(certificateId=cert.id)["certificateDescription"]
        self.assertEqual((d["status"], d["ownedBy"], d["previousOwnedBy"]), ("ACTIVE", CUSTOMER, CSP))
        self.assertEqual(d["certificateArn"], t.cert_arn(CUSTOMER, cert.id))
        self.assertIn("acceptDate", d["transferData"])
        self.assertError("ResourceNotFoundException", 404, self.csp.describe_certificate,
                         certificateId=cert.id)
        self.assertNotIn(cert.id, [c["certificateId"] for c in
                                   self.csp.list_certificates(pageSize=250)["certificates"]])
        customer.create_policy(policyName="device-policy", policyDocument=POLICY)
        customer.attach_policy(policyName="device-policy", target=d["certificateArn"])
        dump = EMU.account(CUSTOMER)
        mine = [c for c in dump["certificates"] if c["id"] == cert.id][0]
        self.assertEqual((mine["ownedBy"], mine["previousOwnedBy"], mine["policies"]),
                         (CUSTOMER, CSP, ["device-policy"]))
        self.assertEqual(dump["caCertificates"], [])

    def test_accept_without_activation_leaves_inactive(self):
        cert = self.register()
        self.transfer(cert)
        customer = self.customer()
        customer.accept_certificate_transfer(certificateId=cert.id)
        d = customer.describe_certificate(certificateId=cert.id)["certificateDescription"]
        self.assertEqual(d["status"], "INACTIVE")

    def test_transfer_of_active_certificate(self):
        cert = self.register(status="ACTIVE")
        self.assertError("CertificateStateException", 406, self.transfer, cert)

    def test_transfer_with_policy_attached(self):
        cert = self.register()
        self.csp.create_policy(policyName="csp-policy", policyDocument=POLICY)
        arn = t.cert_arn(CSP, cert.id)
        self.csp.attach_policy(policyName="csp-policy", target=arn)
        self.assertError("TransferConflictException", 409, self.transfer, cert)
        self.csp.detach_policy(policyName="csp-policy", target=arn)
        self.transfer(cert)

    def test_transfer_with_thing_attached(self):
        cert = self.register()
        self.csp.create_thing(thingName="csp-thing")
        arn = t.cert_arn(CSP, cert.id)
        self.csp.attach_thing_principal(thingName="csp-thing", principal=arn)
        self.assertError("TransferConflictException", 409, self.transfer, cert)

    def test_transfer_twice(self):
        cert = self.register()
        self.transfer(cert)
        self.assertError("TransferConflictException", 409, self.transfer, cert, OTHER)

    def test_transfer_target_checks(self):
        cert = self.register()
        self.assertError("InvalidRequestException", 400, self.transfer, cert, CSP)
        self.assertError("InvalidRequestException", 400, self.transfer, cert, "999999999999")
        self.assertError("ResourceNotFoundException", 404, EMU.iot(OTHER_KEY).transfer_certificate,
                         certificateId=cert.id, targetAwsAccount=CUSTOMER)

    def test_accept_from_wrong_account(self):
        cert = self.register()
        self.transfer(cert)
        other = EMU.assume(OTHER, external_id="other-ext")[1]
        self.assertError("ResourceNotFoundException", 404, other.accept_certificate_transfer,
                         certificateId=cert.id)
        self.assertError("ResourceNotFoundException", 404, other.describe_certificate,
                         certificateId=cert.id)
        self.assertError("ResourceNotFoundException", 404, self.csp.accept_certificate_transfer,
                         certificateId=cert.id)
        self.assertEqual(self.csp.describe_certificate(certificateId=cert.id)
                         ["certificateDescription"]["status"], "PENDING_TRANSFER")

    def test_transfer_already_completed(self):
        cert = self.register()
        self.transfer(cert)
        customer = self.customer()
        customer.accept_certificate_transfer(certificateId=cert.id, setAsActive=True)
        self.assertError("TransferAlreadyCompletedException", 410,
                         customer.accept_certificate_transfer, certificateId=cert.id)
        self.assertError("TransferAlreadyCompletedException", 410,
                         customer.reject_certificate_transfer, certificateId=cert.id)
        self.assertError("TransferAlreadyCompletedException", 410,
                         self.csp.cancel_certificate_transfer, certificateId=cert.id)

    def test_reject_flow(self):
        cert = self.register()
        self.transfer(cert)
        customer = self.customer()
        customer.reject_certificate_transfer(certificateId=cert.id, rejectReason="not ours")
        d = self.csp.describe_certificate(certificateId=cert.id)["certificateDescription"]
        self.assertEqual((d["status"], d["ownedBy"]), ("INACTIVE", CSP))
        self.assertEqual(d["transferData"]["rejectReason"], "not ours")
        self.assertIn("rejectDate", d["transferData"])
        outgoing = self.csp.list_outgoing_certificates()["outgoingCertificates"]
        self.assertIn(cert.id, [o["certificateId"] for o in outgoing])
        self.assertError("TransferAlreadyCompletedException", 410,
                         customer.accept_certificate_transfer, certificateId=cert.id)
        self.transfer(cert)     # the source may try again

    def test_cancel_flow(self):
        cert = self.register()
        self.transfer(cert)
        customer = self.customer()
        self.assertError("ResourceNotFoundException", 404, customer.cancel_certificate_transfer,
                         certificateId=cert.id)
        self.csp.cancel_certificate_transfer(certificateId=cert.id)
        d = self.csp.describe_certificate(certificateId=cert.id)["certificateDescription"]
        self.assertEqual(d["status"], "INACTIVE")
        self.assertError("TransferAlreadyCompletedException", 410,
                         customer.accept_certificate_transfer, certificateId=cert.id)
        self.assertNotIn(cert.id, [o["certificateId"] for o in
                                   self.csp.list_outgoing_certificates()["outgoingCertificates"]])

    def test_reject_transfers_account(self):
        cert = self.register()
        self.transfer(cert, REJECTOR)
        d = self.csp.describe_certificate(certificateId=cert.id)["certificateDescription"]
        self.assertEqual(d["status"], "INACTIVE")
        self.assertIn("rejectReason", d["transferData"])
        rejector = EMU.iot(t.REJECTOR_KEY)
        self.assertError("TransferAlreadyCompletedException", 410,
                         rejector.accept_certificate_transfer, certificateId=cert.id)


class PolicyAndThingRules(Base):
    def test_policy_rules(self):
        self.csp.create_policy(policyName="p1", policyDocument=POLICY)
        response = self.assertError("ResourceAlreadyExistsException", 409, self.csp.create_policy,
                                    policyName="p1", policyDocument=POLICY)
        self.assertEqual(response["resourceId"], "p1")
        self.assertError("MalformedPolicyException", 400, self.csp.create_policy,
                         policyName="p2", policyDocument="not json")
        got = self.csp.get_policy(policyName="p1")
        self.assertEqual((got["policyDocument"], got["defaultVersionId"]), (POLICY, "1"))
        cert = self.register()
        arn = t.cert_arn(CSP, cert.id)
        self.assertError("ResourceNotFoundException", 404, self.csp.attach_policy,
                         policyName="missing", target=arn)
        foreign = t.cert_arn(OTHER, cert.id)
        self.assertError("ResourceNotFoundException", 404, self.csp.attach_policy,
                         policyName="p1", target=foreign)
        self.csp.attach_policy(policyName="p1", target=arn)
        names = [p["policyName"] for p in self.csp.list_attached_policies(target=arn)["policies"]]
        self.assertEqual(names, ["p1"])
        self.assertEqual(self.csp.list_targets_for_policy(policyName="p1")["targets"], [arn])
        self.assertError("DeleteConflictException", 409, self.csp.delete_policy, policyName="p1")
        self.csp.detach_policy(policyName="p1", target=arn)
        self.csp.delete_policy(policyName="p1")
        self.assertError("ResourceNotFoundException", 404, self.csp.get_policy, policyName="p1")

    def test_thing_rules(self):
        attrs = {"attributes": {"serial": "42"}}
        first = self.csp.create_thing(thingName="thing-1", attributePayload=attrs)
        again = self.csp.create_thing(thingName="thing-1", attributePayload=attrs)
        self.assertEqual(first["thingId"], again["thingId"])
        self.assertError("ResourceAlreadyExistsException", 409, self.csp.create_thing,
                         thingName="thing-1", attributePayload={"attributes": {"serial": "43"}})
        cert = self.register()
        arn = t.cert_arn(CSP, cert.id)
        self.assertError("ResourceNotFoundException", 404, self.csp.attach_thing_principal,
                         thingName="no-such-thing", principal=arn)
        self.csp.attach_thing_principal(thingName="thing-1", principal=arn)
        self.assertEqual(self.csp.list_thing_principals(thingName="thing-1")["principals"], [arn])
        self.assertEqual(self.csp.list_principal_things(principal=arn)["things"], ["thing-1"])
        self.assertError("InvalidRequestException", 400, self.csp.delete_thing, thingName="thing-1")
        self.csp.create_thing_group(thingGroupName="fleet")
        self.csp.add_thing_to_thing_group(thingGroupName="fleet", thingName="thing-1")
        g = self.csp.describe_thing_group(thingGroupName="fleet")
        self.assertEqual(g["thingGroupArn"], "arn:aws:iot:us-east-1:%s:thinggroup/fleet" % CSP)
        d = self.csp.describe_thing(thingName="thing-1")
        self.assertEqual((d["attributes"], d["defaultClientId"]), ({"serial": "42"}, "thing-1"))
        dump = [x for x in EMU.account(CSP)["things"] if x["name"] == "thing-1"][0]
        self.assertEqual((dump["principals"], dump["groups"]), ([arn], ["fleet"]))
        self.csp.detach_thing_principal(thingName="thing-1", principal=arn)
        self.csp.delete_thing(thingName="thing-1")
        self.assertError("ResourceNotFoundException", 404, self.csp.describe_thing,
                         thingName="thing-1")

    def test_thing_principals_paged_by_next_token(self):
        self.csp.create_thing(thingName="shared:2E1")
        arns = [t.cert_arn(CSP, self.register().id) for _ in range(3)]
        for arn in arns:
            self.csp.attach_thing_principal(thingName="shared:2E1", principal=arn)
        first = self.csp.list_thing_principals(thingName="shared:2E1", maxResults=2)
        self.assertEqual(first["principals"], arns[:2])
        rest = self.csp.list_thing_principals(thingName="shared:2E1", maxResults=2,
                                              nextToken=first["nextToken"])
        self.assertEqual(rest["principals"], arns[2:])
        self.assertNotIn("nextToken", rest)
        self.csp.detach_thing_principal(thingName="shared:2E1", principal=arns[1])
        self.assertEqual(self.csp.list_thing_principals(thingName="shared:2E1")["principals"],
                         [arns[0], arns[2]])
        self.assertError("ResourceNotFoundException", 404, self.csp.list_thing_principals,
                         thingName="no-such-thing")
        for arn in (arns[0], arns[2]):
            self.csp.detach_thing_principal(thingName="shared:2E1", principal=arn)
        self.csp.delete_thing(thingName="shared:2E1")


class StsRules(unittest.TestCase):
    def role(self, name, account=CUSTOMER):
        return "arn:aws:iam::%s:role/%s" % (account, name)

    def assertDenied(self, **kwargs):
        code, status, response = error_of(EMU.sts().assume_role, RoleSessionName="ss", **kwargs)
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertIn("is not authorized to perform: sts:AssumeRole", response["Error"]["Message"])

    def test_assume_role_with_external_id(self):
        creds = EMU.sts().assume_role(RoleArn=self.role("iotreg"), RoleSessionName="s1",
                                      ExternalId=t.EXTERNAL_ID, DurationSeconds=900)["Credentials"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"))
        self.assertGreater(len(creds["SessionToken"]), 100)
        sts = EMU.client("sts", (creds["AccessKeyId"], creds["SecretAccessKey"]), creds["SessionToken"])
        me = sts.get_caller_identity()
        self.assertEqual(me["Account"], CUSTOMER)
        self.assertEqual(me["Arn"], "arn:aws:sts::%s:assumed-role/iotreg/s1" % CUSTOMER)

    def test_assume_role_without_or_with_wrong_external_id(self):
        self.assertDenied(RoleArn=self.role("iotreg"))
        self.assertDenied(RoleArn=self.role("iotreg"), ExternalId="wrong-external-id")

    def test_untrusted_or_unknown_role(self):
        self.assertDenied(RoleArn=self.role("untrusting"), ExternalId=t.EXTERNAL_ID)
        self.assertDenied(RoleArn=self.role("no-such-role"), ExternalId=t.EXTERNAL_ID)
        self.assertDenied(RoleArn=self.role("iotreg", "999999999999"), ExternalId=t.EXTERNAL_ID)

    def test_unsafe_role_is_assumable_without_external_id(self):
        creds = EMU.sts().assume_role(RoleArn=self.role("unsafe"), RoleSessionName="probe")
        self.assertIn("Credentials", creds)

    def test_duration_validation(self):
        for duration in (899, 43201):
            code, status, response = error_of(EMU.client("sts", CSP_KEY, validate=False).assume_role,
                                              RoleArn=self.role("iotreg"), RoleSessionName="ss",
                                              ExternalId=t.EXTERNAL_ID, DurationSeconds=duration)
            self.assertEqual((code, status), ("ValidationError", 400))
            self.assertIn("durationSeconds", response["Error"]["Message"])

    def test_role_permissions_deny(self):
        _, iot = EMU.assume(role="readonly")
        iot.list_certificates()
        code, status, response = error_of(iot.accept_certificate_transfer, certificateId="a" * 64)
        self.assertEqual((code, status), ("AccessDeniedException", 403))
        self.assertIn("is not authorized to perform: iot:AcceptCertificateTransfer",
                      response["Error"]["Message"])


class SignatureRules(Base):
    def tampered(self, client):
        def flip(request, **_):
            auth = request.headers["Authorization"]
            if isinstance(auth, bytes):
                auth = auth.decode()
            request.headers["Authorization"] = auth[:-1] + ("0" if auth[-1] != "0" else "1")
        client.meta.events.register("before-send", flip)
        return client

    def test_tampered_signature_iot(self):
        client = self.tampered(EMU.client("iot", CSP_KEY, validate=False))
        code, status, response = error_of(client.list_certificates)
        self.assertEqual((code, status), ("InvalidSignatureException", 403))
        self.assertIn("does not match the signature you provided", response["Error"]["Message"])

    def test_tampered_signature_sts(self):
        client = self.tampered(t.boto3.client(
            "sts", endpoint_url=EMU.url, region_name=t.REGION, aws_access_key_id=CSP_KEY[0],
            aws_secret_access_key=CSP_KEY[1], config=t.Config(retries={"total_max_attempts": 1})))
        self.assertEqual(error_of(client.get_caller_identity)[:2], ("SignatureDoesNotMatch", 403))

    def test_tampered_body(self):
        client = t.boto3.client("iot", endpoint_url=EMU.url, region_name=t.REGION,
                                aws_access_key_id=CUSTOMER_KEY[0],
                                aws_secret_access_key=CUSTOMER_KEY[1],
                                config=t.Config(retries={"total_max_attempts": 1}))
        def swap(request, **_):
            request.body = request.body.replace(b"original", b"tampered")
        client.meta.events.register("before-send", swap)
        self.assertEqual(error_of(client.create_thing, thingName="tampered-body",
                                  attributePayload={"attributes": {"a": "original"}})[:2],
                         ("InvalidSignatureException", 403))

    def test_wrong_secret_and_unknown_key(self):
        self.assertEqual(error_of(EMU.client("iot", (CSP_KEY[0], "not the secret")).list_certificates)[:2],
                         ("InvalidSignatureException", 403))
        unknown = ("AKIAUNKNOWN000000001", "whatever")
        self.assertEqual(error_of(EMU.client("iot", unknown).list_certificates)[:2],
                         ("UnrecognizedClientException", 403))
        self.assertEqual(error_of(EMU.client("sts", unknown).get_caller_identity)[:2],
                         ("InvalidClientTokenId", 403))

    def test_expired_session(self):
        creds, iot = EMU.assume()
        iot.list_certificates()
        out = EMU.admin("POST", "expire-sessions", {"accessKeyId": creds["AccessKeyId"]})
        self.assertEqual(out["expired"], 1)
        self.assertEqual(error_of(iot.list_certificates)[:2], ("ExpiredTokenException", 403))
        sts = EMU.client("sts", (creds["AccessKeyId"], creds["SecretAccessKey"]), creds["SessionToken"])
        self.assertEqual(error_of(sts.get_caller_identity)[:2], ("ExpiredToken", 403))

    def test_session_token_must_match(self):
        creds, _ = EMU.assume()
        key = (creds["AccessKeyId"], creds["SecretAccessKey"])
        wrong = EMU.client("iot", key, creds["SessionToken"][:-4] + "AAAA")
        self.assertEqual(error_of(wrong.list_certificates)[:2], ("UnrecognizedClientException", 403))
        missing = EMU.client("iot", key, None)
        self.assertEqual(error_of(missing.list_certificates)[:2], ("UnrecognizedClientException", 403))

    def test_both_iot_signing_names_verify(self):
        for service in ("iot", "execute-api"):
            status, _, body = t.send(EMU.url, t.signed_request(EMU.url, "GET", "/certificates?pageSize=1",
                                                               CSP_KEY, service=service))
            self.assertEqual(status, 200, body)

    def test_query_string_is_canonicalised(self):
        path = "/certificates?isAscendingOrder=true&pageSize=2"
        status, _, body = t.send(EMU.url, t.signed_request(EMU.url, "GET", path, CSP_KEY))
        self.assertEqual(status, 200, body)

    def test_signature_date_skew(self):
        for offset in (-20 * 60, 20 * 60):
            request = t.signed_request(EMU.url, "GET", "/registrationcode", CSP_KEY,
                                       amz_date=t.amz_date(offset))
            status, headers, body = t.send(EMU.url, request)
            self.assertEqual(status, 403)
            self.assertTrue(headers["x-amzn-errortype"].startswith("InvalidSignatureException"))
            self.assertIn(b"Signature", body)
        request = t.signed_request(EMU.url, "GET", "/registrationcode", CSP_KEY,
                                   amz_date=t.amz_date(-5 * 60))
        self.assertEqual(t.send(EMU.url, request)[0], 200)

    def test_wrong_region(self):
        request = t.signed_request(EMU.url, "GET", "/registrationcode", CSP_KEY, region="eu-west-1")
        status, headers, body = t.send(EMU.url, request)
        self.assertEqual(status, 403)
        self.assertIn(b"Credential should be scoped to a valid region", body)

    def test_missing_authentication(self):
        import urllib.request, urllib.error
        try:
            urllib.request.urlopen(EMU.url + "/registrationcode", timeout=5)
            self.fail("unsigned request accepted")
        except urllib.error.HTTPError as e:
            self.assertEqual(e.code, 403)
            self.assertTrue(e.headers["x-amzn-ErrorType"].startswith("MissingAuthenticationToken"))

    def test_unknown_path(self):
        status, headers, _ = t.send(EMU.url, t.signed_request(EMU.url, "GET", "/no/such/api", CSP_KEY))
        self.assertEqual(status, 404)
        self.assertTrue(headers["x-amzn-errortype"].startswith("UnknownOperationException"))


class ShapeValidation(Base):
    def test_missing_required_member(self):
        client = EMU.iot(CSP_KEY, validate=False)
        code, status, response = error_of(client.register_certificate, certificatePem="")
        self.assertEqual((code, status), ("InvalidRequestException", 400))
        status, headers, body = t.send(EMU.url, t.signed_request(
            EMU.url, "POST", "/certificate/register", CSP_KEY, body=b"{}"))
        self.assertEqual(status, 400)
        self.assertIn(b"certificatePem", body)
        self.assertIn(b"must not be null", body)

    def test_transfer_message_too_long(self):
        cert = self.register()
        client = EMU.iot(CSP_KEY, validate=False)
        code, status, response = error_of(client.transfer_certificate, certificateId=cert.id,
                                          targetAwsAccount=CUSTOMER, transferMessage="x" * 129)
        self.assertEqual((code, status), ("InvalidRequestException", 400))
        self.assertIn("transferMessage", response["Error"]["Message"])
        self.assertEqual(self.csp.describe_certificate(certificateId=cert.id)
                         ["certificateDescription"]["status"], "INACTIVE")

    def test_enum_range_and_pattern(self):
        client = EMU.iot(CSP_KEY, validate=False)
        cert = self.register()
        self.assertIn("newStatus", error_of(client.update_certificate, certificateId=cert.id,
                                            newStatus="BOGUS")[2]["Error"]["Message"])
        self.assertIn("pageSize", error_of(client.list_certificates, pageSize=0)[2]["Error"]["Message"])
        self.assertIn("certificateId", error_of(client.describe_certificate,
                                                certificateId="xyz")[2]["Error"]["Message"])
        self.assertIn("targetAwsAccount", error_of(client.transfer_certificate, certificateId=cert.id,
                                                   targetAwsAccount="12")[2]["Error"]["Message"])

    def test_wrong_json_type(self):
        body = json.dumps({"certificatePem": 5}).encode()
        status, _, text = t.send(EMU.url, t.signed_request(EMU.url, "POST", "/certificate/register",
                                                           CSP_KEY, body=body))
        self.assertEqual(status, 400)
        self.assertIn(b"certificatePem", text)


class RequestLog(Base):
    def test_request_log_records_bodies_and_callers(self):
        log = EMU.account(CSP)["requestLog"]
        ca_calls = [e for e in log if e["operation"] == "RegisterCACertificate" and e["status"] == 200]
        self.assertTrue(ca_calls)
        self.assertIn("verificationCertificate", ca_calls[-1]["body"])
        self.assertEqual(ca_calls[-1]["principalArn"], "arn:aws:iam::%s:user/iotreg" % CSP)
        for account in (CUSTOMER, OTHER):
            for entry in EMU.account(account)["requestLog"]:
                self.assertNotIn(self.subca.pem.split("\n")[1], entry["body"])
        sts_calls = [e for e in log if e["service"] == "sts"]
        self.assertTrue(all("SecretAccessKey" not in json.dumps(e) for e in sts_calls))


class EndpointRules(unittest.TestCase):
    def test_describe_endpoint_per_account_and_type(self):
        csp, customer = EMU.iot(CSP_KEY), EMU.assume()[1]
        ats = csp.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
        self.assertRegex(ats, r"^[a-z][a-z0-9]{13}-ats\.iot\.us-east-1\.amazonaws\.com$")
        prefix = ats.split("-ats.", 1)[0]
        self.assertEqual(csp.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"], ats)
        self.assertEqual(csp.describe_endpoint(endpointType="iot:Data")["endpointAddress"],
                         prefix + ".iot.us-east-1.amazonaws.com")
        self.assertEqual(csp.describe_endpoint()["endpointAddress"],
                         prefix + ".iot.us-east-1.amazonaws.com")     # AWS's default: iot:Data
        self.assertRegex(csp.describe_endpoint(endpointType="iot:CredentialProvider")
                         ["endpointAddress"], r"^[a-z0-9]{14}\.credentials\.iot\.us-east-1\.")
        self.assertRegex(csp.describe_endpoint(endpointType="iot:Jobs")["endpointAddress"],
                         r"^[a-z0-9]{14}\.jobs\.iot\.us-east-1\.amazonaws\.com$")
        # assumed-role (customer) credentials get the customer's endpoint, a different one
        theirs = customer.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
        self.assertNotEqual(theirs, ats)
        self.assertEqual(theirs, EMU.iot(CUSTOMER_KEY).describe_endpoint(
            endpointType="iot:Data-ATS")["endpointAddress"])
        self.assertEqual(EMU.account(CSP)["endpointPrefixes"]["data"], prefix)

    def test_unknown_endpoint_type(self):
        code, status, _ = error_of(EMU.iot(CSP_KEY).describe_endpoint, endpointType="iot:Nope")
        self.assertEqual((code, status), ("InvalidRequestException", 400))


if __name__ == "__main__":
    unittest.main()
