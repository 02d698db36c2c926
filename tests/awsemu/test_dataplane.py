"""The emulator's data plane: DescribeEndpoint names, TLS, routing by SNI and by CA,
authentication, MQTT 3.1.1/5 and IoT policy authorization.

Devices are Debian's mosquitto_pub/mosquitto_sub and python3-paho-mqtt, connecting to the
endpoint names DescribeEndpoint returns (through emu_devices.NameProxy, so the name is the
SNI and the name the server certificate is checked against)."""

import json
import os
import socket
import ssl
import time
import unittest

import emu_devices as d
import emu_policy
import emu_testlib as t
from emu_testlib import CSP, CUSTOMER, CUSTOMER_KEY, OTHER, OTHER_KEY

EMU = WORK = PROXY = None
CAFILE = None


def setUpModule():
    global EMU, WORK, PROXY, CAFILE
    if not d.have_mosquitto() or not d.have_paho():
        raise unittest.SkipTest("needs mosquitto-clients and python3-paho-mqtt")
    WORK = t.WorkDir()
    state = os.path.join(WORK.path, "state")
    EMU = t.EmulatorProcess(WORK.path, data_plane=True, state_dir=state).start()
    PROXY = d.NameProxy(EMU.data_address)
    CAFILE = os.path.join(state, "data-root-ca.pem")


def tearDownModule():
    t.finish(PROXY, EMU, WORK)


ALLOW_ALL = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
_counter = [0]


def unique(prefix):
    _counter[0] += 1
    return "%s-%d" % (prefix, _counter[0])


class Base(unittest.TestCase):
    """A CSP with a SubCA in DEFAULT mode and an allow-everything policy; helpers to make
    devices, run clients and read the connection records."""

    @classmethod
    def setUpClass(cls):
        cls.csp = EMU.iot()
        cls.customer = EMU.iot(CUSTOMER_KEY)
        cls.ca = t.make_ca("DP CA " + cls.__name__)
        code = cls.csp.get_registration_code()["registrationCode"]
        cls.csp.register_ca_certificate(caCertificate=cls.ca.pem, setAsActive=True,
                                        verificationCertificate=t.make_verification(cls.ca,
                                                                                    code).pem)
        cls.csp_host = cls.endpoint(cls.csp)
        cls.customer_host = cls.endpoint(cls.customer)

    @staticmethod
    def endpoint(client):
        return client.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]

    @staticmethod
    def policy(client, document):
        name = unique("policy")
        client.create_policy(policyName=name, policyDocument=json.dumps(document))
        return name

    def device(self, cn=None, status="ACTIVE", policies=(ALLOW_ALL,), client=None,
               without_ca=False, ca=None):
        """A registered device: (DeviceFiles, certificate ARN)."""
        client = client or self.csp
        cert = t.make_cert(cn or unique("device"), issuer=ca or self.ca)
        if without_ca:
            arn = client.register_certificate_without_ca(certificatePem=cert.pem,
                                                         status=status)["certificateArn"]
        else:
            arn = client.register_certificate(certificatePem=cert.pem,
                                              caCertificatePem=(ca or self.ca).pem,
                                              status=status)["certificateArn"]
        for document in policies:
            client.attach_policy(policyName=self.policy(client, document), target=arn)
        return d.DeviceFiles(WORK.path, cert.id[:16], cert), arn

    def unregistered(self, cn="stranger"):
        return d.DeviceFiles(WORK.path, unique(cn), t.make_cert(cn, issuer=self.ca))

    def pub(self, device, client_id, topic="t/x", message="m", qos=0, host=None,
            version=None):
        return d.mosquitto_pub(PROXY, host or self.csp_host, CAFILE, device, client_id, topic,
                               message, qos=qos, version=version)

    def record(self, client_id=None, cert_id=None, wait_closed=True):
        """The latest connection record for client_id / certificate id."""
        def find():
            matches = [c for c in EMU.admin("GET", "connections")["connections"]
                       if (client_id is None or c["clientId"] == client_id)
                       and (cert_id is None or c["certificateId"] == cert_id)]
            if matches and (not wait_closed or matches[-1]["state"] == "closed"):
                return matches[-1]
            return None
        found = d.wait_for(find, 10)
        self.assertIsNotNone(found, "no connection record for %s %s" % (client_id, cert_id))
        return found

    def assertConnected(self, result):
        self.assertIn("received CONNACK (0)", result.stdout + result.stderr)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def assertRefused(self, result, device, stage, reason_part, client_id=None):
        """No CONNACK reached the client, and the record says why."""
        out = result.stdout + result.stderr
        self.assertNotIn("received CONNACK", out)
        self.assertNotEqual(result.returncode, 0, out)
        rec = self.record(client_id, device.test_cert.id)
        self.assertEqual((rec["outcome"], rec["stage"]), ("refused", stage), rec)
        self.assertIn(reason_part, rec["reason"])
        return rec

    def paho(self, device, client_id, host=None, sni=True, version=None, context=None):
        client = d.paho_client(EMU.data_address, host or self.csp_host, CAFILE, device,
                               client_id, version=version, sni=sni, context=context)
        self.addCleanup(lambda: (client.disconnect(), client.loop_stop()))
        return client


class RoundTrip(Base):
    def test_mosquitto_subscribe_publish_qos1(self):
        device, _ = self.device()
        topic = unique("sensors") + "/temp"
        sub_id = unique("sub")
        sub = d.mosquitto_sub(PROXY, self.csp_host, CAFILE, device, sub_id,
                              topic.split("/")[0] + "/#", qos=1)
        self.addCleanup(sub.kill)
        self.assertTrue(d.wait_for(lambda: self.record(sub_id, wait_closed=False)
                                   ["subscriptions"]))
        result = self.pub(device, unique("pub"), topic, "21.5", qos=1)
        self.assertConnected(result)
        self.assertIn("received PUBACK", result.stdout + result.stderr)
        out, err = sub.communicate(timeout=15)
        self.assertEqual(sub.returncode, 0, err)
        lines = [line for line in out.splitlines() if line.startswith(topic)]
        self.assertEqual(lines, ["%s 21.5" % topic])
        self.assertIn("received PUBLISH (d0, q1", out)      # delivered with QoS 1
        self.assertEqual(PROXY.names[-1], self.csp_host)
        self.assertRegex(self.csp_host, r"^[a-z][a-z0-9]{13}-ats\.iot\.us-east-1\.amazonaws\.com$")

    def test_paho_round_trip_and_qos(self):
        device, _ = self.device()
        client = self.paho(device, unique("paho"))
        self.assertTrue(d.paho_run(client))
        client.subscribe("paho/+/x", qos=1)
        d.wait_for(lambda: any(e[0] == "suback" for e in client.emu_events))
        self.assertIn(("suback", [1]), client.emu_events)
        info = client.publish("paho/a/x", b"one", qos=1)
        info.wait_for_publish(5)
        client.publish("paho/b/x", b"two", qos=0)
        client.publish("paho/a/y", b"not matched", qos=0)
        self.assertTrue(d.wait_for(lambda: len(client.emu_messages) >= 2))
        time.sleep(0.2)
        self.assertEqual(sorted(m[:2] for m in client.emu_messages),
                         [("paho/a/x", b"one"), ("paho/b/x", b"two")])
        self.assertEqual({m[1]: m[2] for m in client.emu_messages}, {b"one": 1, b"two": 0})
        self.assertIn(("puback", info.mid), client.emu_events)
        rec = self.record(client._client_id.decode(), wait_closed=False)
        self.assertEqual((rec["outcome"], rec["routing"], rec["account"]),
                         ("connected", "sni", CSP))
        self.assertIn(rec["tlsVersion"], ("TLSv1.2", "TLSv1.3"))

    def test_tls12_and_mqtt5(self):
        device, _ = self.device()
        ctx = ssl.create_default_context(cafile=CAFILE)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_alpn_protocols(["x-amzn-mqtt-ca"])
        ctx.load_cert_chain(device.cert, device.key)
        client = self.paho(device, unique("tls12"), context=ctx)
        self.assertTrue(d.paho_run(client))
        rec = self.record(client._client_id.decode(), wait_closed=False)
        self.assertEqual((rec["tlsVersion"], rec["alpn"]), ("TLSv1.2", "x-amzn-mqtt-ca"))
        result = self.pub(device, unique("v5"), "v5/t", "five", qos=1, version="mqttv5")
        self.assertConnected(result)
        self.assertIn("received PUBACK", result.stdout + result.stderr)
        self.assertEqual(self.record(cert_id=device.test_cert.id)["mqttVersion"], "5")


class Authorization(Base):
    def test_explicit_deny_wins(self):
        deny = {"Statement": [
            {"Sid": "nosecret", "Effect": "Deny", "Action": ["iot:Publish", "iot:Subscribe"],
             "Resource": ["arn:aws:iot:us-east-1:%s:topic/secret/*" % CSP,
                          "arn:aws:iot:us-east-1:%s:topicfilter/secret/*" % CSP]}]}
        device, _ = self.device(policies=(ALLOW_ALL, deny))
        ok = self.pub(device, unique("c"), "open/x", qos=1)
        self.assertIn("received PUBACK", ok.stdout + ok.stderr)
        client_id = unique("denied")
        denied = self.pub(device, client_id, "secret/x", qos=1)
        self.assertNotIn("received PUBACK", denied.stdout + denied.stderr)
        rec = self.record(client_id)
        self.assertIn("iot:Publish denied: explicit Deny (statement nosecret)", rec["reason"])
        client = self.paho(device, unique("subdeny"))
        self.assertTrue(d.paho_run(client))
        client.subscribe([("secret/#", 1), ("open/#", 1)])
        self.assertTrue(d.wait_for(lambda: [e for e in client.emu_events if e[0] == "suback"]))
        self.assertIn(("suback", [0x80, 1]), client.emu_events)

    def test_nothing_allows_connect(self):
        publish_only = {"Statement": [{"Effect": "Allow", "Action": "iot:Publish",
                                       "Resource": "*"}]}
        device, _ = self.device(policies=(publish_only,))
        self.assertRefused(self.pub(device, "lonely"), device, "connect",
                           "iot:Connect denied: no policy allows iot:Connect on "
                           "arn:aws:iot:us-east-1:%s:client/lonely" % CSP)
        nopolicy, _ = self.device(policies=())
        self.assertRefused(self.pub(nopolicy, "bare"), nopolicy, "connect", "iot:Connect")

    def test_thing_name_pinning(self):
        region_account = "arn:aws:iot:us-east-1:%s:" % CSP
        pinned = {"Statement": [
            {"Effect": "Allow", "Action": "iot:Connect",
             "Resource": region_account + "client/${iot:Connection.Thing.ThingName}",
             "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}}},
            {"Effect": "Allow", "Action": "iot:Publish",
             "Resource": region_account + "topic/things/${iot:ClientId}/*"},
            {"Effect": "Allow", "Action": "iot:Subscribe",
             "Resource": region_account +
             "topicfilter/cn/${iot:Certificate.Subject.CommonName}/*"}]}
        a, arn_a = self.device(cn="device-a", policies=(pinned,))
        b, arn_b = self.device(cn="device-b", policies=(pinned,))
        thing_a, thing_b = unique("thing-a"), unique("thing-b")
        for thing, arn in ((thing_a, arn_a), (thing_b, arn_b)):
            self.csp.create_thing(thingName=thing)
            self.csp.attach_thing_principal(thingName=thing, principal=arn)
        # a's certificate with b's thing name as client id: b's thing is not attached to it
        self.assertRefused(self.pub(a, thing_b), a, "connect", "iot:Connect denied",
                           client_id=thing_b)
        self.assertRefused(self.pub(a, "no-such-thing"), a, "connect", "iot:Connect denied",
                           client_id="no-such-thing")
        good = self.pub(a, thing_a, "things/%s/state" % thing_a, qos=1)
        self.assertIn("received PUBACK", good.stdout + good.stderr)
        self.assertEqual(self.record(thing_a)["thingName"], thing_a)
        other = self.pub(a, thing_a, "things/%s/state" % thing_b, qos=1)
        self.assertNotIn("received PUBACK", other.stdout + other.stderr)
        self.assertIn("no policy allows iot:Publish", self.record(thing_a)["reason"])
        client = self.paho(a, thing_a)
        self.assertTrue(d.paho_run(client))
        client.subscribe([("cn/device-a/#", 0), ("cn/device-b/#", 0)])
        self.assertTrue(d.wait_for(lambda: [e for e in client.emu_events if e[0] == "suback"]))
        self.assertIn(("suback", [0, 0x80]), client.emu_events)

    def test_receive_is_checked(self):
        no_receive = {"Statement": [ALLOW_ALL["Statement"][0],
                                    {"Effect": "Deny", "Action": "iot:Receive",
                                     "Resource": "*"}]}
        listener, _ = self.device(policies=(no_receive,))
        talker, _ = self.device()
        client = self.paho(listener, unique("deaf"))
        self.assertTrue(d.paho_run(client))
        client.subscribe("rx/#", 0)
        self.assertTrue(d.wait_for(lambda: [e for e in client.emu_events if e[0] == "suback"]))
        self.pub(talker, unique("talker"), "rx/1", "hello", qos=1)
        time.sleep(0.3)
        self.assertEqual(client.emu_messages, [])
        rec = self.record(client._client_id.decode(), wait_closed=False)
        self.assertTrue(any("not delivered rx/1" in e for e in rec["events"]), rec["events"])


class Routing(Base):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.create_policy(policyName="dp-all", policyDocument=json.dumps(ALLOW_ALL))

    def multi_account_device(self):
        device, arn = self.device(client=self.customer, without_ca=True, policies=())
        self.customer.attach_policy(policyName="dp-all", target=arn)
        return device

    def test_multi_account_certificate_needs_sni(self):
        device = self.multi_account_device()
        self.assertConnected(self.pub(device, unique("multi"), host=self.customer_host))
        rec = self.record(cert_id=device.test_cert.id)
        self.assertEqual((rec["account"], rec["routing"], rec["sni"]),
                         (CUSTOMER, "sni", self.customer_host))
        # without SNI: its issuer's DEFAULT-mode CA is the CSP's, where it is not registered
        client = self.paho(device, unique("nosni"), sni=False)
        self.assertFalse(d.paho_run(client))
        rec = self.record(cert_id=device.test_cert.id)
        self.assertEqual((rec["outcome"], rec["account"], rec["sni"]), ("refused", CSP, None))
        self.assertIn("not registered in account %s" % CSP, rec["reason"])
        # the CSP's endpoint by SNI: not registered there either
        self.assertRefused(self.pub(device, unique("wrong"), host=self.csp_host), device,
                           "authenticate", "not registered in account %s" % CSP)

    def test_sni_only_ca_without_sni_is_refused(self):
        ca = t.make_ca("DP SNI-only CA")
        other = EMU.iot(OTHER_KEY)
        other.register_ca_certificate(caCertificate=ca.pem, certificateMode="SNI_ONLY",
                                      setAsActive=True)
        device, _ = self.device(client=other, ca=ca)
        self.assertConnected(self.pub(device, unique("snionly"), host=self.endpoint(other)))
        self.assertEqual(self.record(cert_id=device.test_cert.id)["account"], OTHER)
        client = self.paho(device, unique("snionly-nosni"), sni=False)
        self.assertFalse(d.paho_run(client))
        rec = self.record(cert_id=device.test_cert.id)
        self.assertEqual((rec["outcome"], rec["stage"]), ("refused", "route"))
        self.assertIn("multi-account certificates need SNI", rec["reason"])

    def test_default_mode_certificate_without_sni(self):
        device, _ = self.device()
        client = self.paho(device, unique("ca-routed"), sni=False)
        self.assertTrue(d.paho_run(client))
        rec = self.record(cert_id=device.test_cert.id, wait_closed=False)
        self.assertEqual((rec["account"], rec["routing"], rec["sni"]), (CSP, "ca-default", None))

    def test_unknown_sni_fails_the_handshake(self):
        device, _ = self.device()
        host = "zzzzzzzzzzzzzz-ats.iot.us-east-1.amazonaws.com"
        result = self.pub(device, unique("lost"), host=host)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("unrecognized name", result.stdout + result.stderr)
        self.assertNotIn("received CONNACK", result.stdout + result.stderr)
        rec = self.record(cert_id=None, client_id=None)
        self.assertEqual((rec["stage"], rec["sni"]), ("tls", host))
        self.assertIn("unknown SNI", rec["reason"])

    def test_legacy_data_endpoint_name_routes_too(self):
        device, _ = self.device()
        legacy = self.csp.describe_endpoint(endpointType="iot:Data")["endpointAddress"]
        self.assertConnected(self.pub(device, unique("legacy"), host=legacy))


class Authentication(Base):
    def test_refused_statuses(self):
        for status in ("INACTIVE", "REVOKED"):
            device, _ = self.device(status=status)
            self.assertRefused(self.pub(device, unique(status)), device, "authenticate",
                               "the certificate is %s in account %s" % (status, CSP))
        pending, arn = self.device(status="INACTIVE", policies=())
        self.csp.transfer_certificate(certificateId=pending.test_cert.id,
                                      targetAwsAccount=CUSTOMER)
        self.assertRefused(self.pub(pending, unique("pending")), pending, "authenticate",
                           "PENDING_TRANSFER")
        self.assertRefused(self.pub(pending, unique("pending"), host=self.customer_host),
                           pending, "authenticate", "pending transfer to account " + CUSTOMER)
        stranger = self.unregistered()
        self.assertRefused(self.pub(stranger, unique("stranger")), stranger, "authenticate",
                           "not registered in account " + CSP)

    def test_revoked_with_paho_sees_a_close_without_connack(self):
        device, _ = self.device(status="REVOKED")
        client = self.paho(device, unique("revoked"))
        self.assertFalse(d.paho_run(client))
        self.assertTrue(client.emu_closed.wait(5))
        self.assertNotIn("connack", [e[0] for e in client.emu_events])

    def test_deactivated_ca(self):
        ca = t.make_ca("DP CA to deactivate")
        code = self.csp.get_registration_code()["registrationCode"]
        self.csp.register_ca_certificate(caCertificate=ca.pem, setAsActive=True,
                                         verificationCertificate=t.make_verification(ca,
                                                                                     code).pem)
        device, _ = self.device(ca=ca)
        self.assertConnected(self.pub(device, unique("ca-on")))
        self.csp.update_ca_certificate(certificateId=ca.id, newStatus="INACTIVE")
        self.assertRefused(self.pub(device, unique("ca-off")), device, "authenticate",
                           "CA %s is INACTIVE" % ca.id)

    def test_expired_certificate(self):
        import datetime
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        key = t.new_key()
        now = datetime.datetime.utcnow()
        cert = (x509.CertificateBuilder().subject_name(t._name("expired"))
                .issuer_name(self.ca.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=10))
                .not_valid_after(now - datetime.timedelta(days=1))
                .sign(self.ca.key, hashes.SHA256()))
        expired = t.TestCert(cert, key)
        self.csp.register_certificate(certificatePem=expired.pem, caCertificatePem=self.ca.pem,
                                      status="ACTIVE")
        device = d.DeviceFiles(WORK.path, "expired", expired)
        self.assertRefused(self.pub(device, unique("expired")), device, "authenticate",
                           "outside its validity period")


class Transfers(Base):
    def setUp(self):
        self.addCleanup(EMU.admin, "POST", "dataplane", {"transferRouting": "owner"})

    def transferred(self):
        device, _ = self.device(status="INACTIVE", policies=())
        self.csp.transfer_certificate(certificateId=device.test_cert.id,
                                      targetAwsAccount=CUSTOMER)
        self.customer.accept_certificate_transfer(certificateId=device.test_cert.id,
                                                  setAsActive=True)
        arn = t.cert_arn(CUSTOMER, device.test_cert.id)
        name = self.policy(self.customer, ALLOW_ALL)
        self.customer.attach_policy(policyName=name, target=arn)
        return device

    def test_owner_rule_default(self):
        self.assertEqual(EMU.admin("GET", "dataplane")["transferRouting"], "owner")
        device = self.transferred()
        self.assertConnected(self.pub(device, unique("owner"), host=self.customer_host))
        self.assertEqual(self.record(cert_id=device.test_cert.id)["account"], CUSTOMER)
        client = self.paho(device, unique("owner-nosni"), sni=False)
        self.assertFalse(d.paho_run(client))
        rec = self.record(cert_id=device.test_cert.id)
        self.assertEqual((rec["outcome"], rec["account"]), ("refused", CSP))
        self.assertIn("not registered in account " + CSP, rec["reason"])

    def test_follow_rule(self):
        EMU.admin("POST", "dataplane", {"transferRouting": "follow"})
        device = self.transferred()
        client = self.paho(device, unique("follow"), sni=False)
        self.assertTrue(d.paho_run(client))
        rec = self.record(cert_id=device.test_cert.id, wait_closed=False)
        self.assertEqual((rec["account"], rec["routing"]),
                         (CUSTOMER, "ca-default, followed the transfer"))

    def test_refuse_rule(self):
        EMU.admin("POST", "dataplane", {"transferRouting": "refuse"})
        device = self.transferred()
        self.assertRefused(self.pub(device, unique("refuse"), host=self.customer_host), device,
                           "authenticate", "registered only in the account it was "
                           "transferred from (%s)" % CSP)

    def test_bad_rule_is_rejected(self):
        with self.assertRaises(Exception):
            EMU.admin("POST", "dataplane", {"transferRouting": "sideways"})


class Sessions(Base):
    def test_same_client_id_disconnects_the_first(self):
        device, _ = self.device()
        first = self.paho(device, "twin")
        self.assertTrue(d.paho_run(first))
        first_id = self.record("twin", wait_closed=False)["id"]
        second = self.paho(device, "twin")
        second.reconnect_delay_set(60, 120)
        first.reconnect_delay_set(60, 120)
        self.assertTrue(d.paho_run(second))
        self.assertTrue(first.emu_closed.wait(5))
        rec = [c for c in EMU.admin("GET", "connections")["connections"]
               if c["id"] == first_id][0]
        self.assertIn("same client id", rec["reason"])
        self.assertEqual(self.record("twin", wait_closed=False)["state"], "connected")
        # the same client id in another account is another client
        customer_device, arn = self.device(client=self.customer, without_ca=True, policies=())
        self.customer.attach_policy(policyName=self.policy(self.customer, ALLOW_ALL), target=arn)
        self.assertConnected(self.pub(customer_device, "twin", host=self.customer_host))
        self.assertFalse(second.emu_closed.is_set())

    def test_mqtt5_subscribe_reason_codes(self):
        deny = {"Statement": [{"Effect": "Deny", "Action": "iot:Subscribe",
                               "Resource": "arn:aws:iot:us-east-1:%s:topicfilter/no/*" % CSP}]}
        device, _ = self.device(policies=(ALLOW_ALL, deny))
        client = self.paho(device, unique("v5"), version="mqttv5")
        self.assertTrue(d.paho_run(client))
        self.assertIn(("connack", 0), client.emu_events)
        client.subscribe([("no/way", 0), ("yes/#", 1)])
        self.assertTrue(d.wait_for(lambda: [e for e in client.emu_events if e[0] == "suback"]))
        self.assertIn(("suback", [0x87, 1]), client.emu_events)
        self.assertEqual(self.record(client._client_id.decode(), wait_closed=False)
                         ["mqttVersion"], "5")

    def test_bad_input_does_not_hurt(self):
        device, _ = self.device()
        plain = socket.create_connection(EMU.data_address, timeout=5)
        plain.sendall(b"GET / HTTP/1.0\r\n\r\n" * 10)
        plain.close()
        ctx = ssl.create_default_context(cafile=CAFILE)
        ctx.load_cert_chain(device.cert, device.key)
        for junk in (b"\x10\xff\xff\xff\xff\x01", b"\x10\xff\xff\xff\x7f",
                     b"\x30\x05\x00\x09abc", b"\x10\x03\x00\x01\x41"):
            raw = socket.create_connection(EMU.data_address, timeout=5)
            tls = ctx.wrap_socket(raw, server_hostname=self.csp_host)
            tls.sendall(junk)
            try:
                self.assertEqual(tls.recv(10), b"")      # closed, no CONNACK
            except (ConnectionResetError, ssl.SSLError):
                pass
            tls.close()
        recs = EMU.admin("GET", "connections")["connections"][-4:]
        self.assertTrue(all(r["outcome"] == "refused" for r in recs), recs)
        self.assertTrue(any("exceeds" in r["reason"] or "malformed" in r["reason"]
                            for r in recs), recs)
        self.assertConnected(self.pub(device, unique("after-junk")))

    def raw(self, device, client_id, level=4, flags=0x02, will=None):
        """A TLS connection that has sent CONNECT (will: (topic, message))."""
        ctx = ssl.create_default_context(cafile=CAFILE)
        ctx.load_cert_chain(device.cert, device.key)
        tls = ctx.wrap_socket(socket.create_connection(EMU.data_address, timeout=5),
                              server_hostname=self.csp_host)
        self.addCleanup(tls.close)

        def s(b):
            return bytes([0, len(b)]) + b
        payload = s(client_id.encode())
        if will:
            flags |= 0x04
            payload += s(will[0].encode()) + s(will[1].encode())
        body = s(b"MQTT") + bytes([level, flags, 0, 60]) + payload
        tls.sendall(bytes([0x10, len(body)]) + body)
        return tls

    def test_connack_codes_unsubscribe_qos2_and_will(self):
        device, _ = self.device()
        self.assertEqual(self.raw(device, unique("v3"), level=3).recv(4), b"\x20\x02\x00\x01")
        self.assertEqual(self.raw(device, "").recv(4), b"\x20\x02\x00\x02")
        listener = self.paho(device, unique("listener"))
        self.assertTrue(d.paho_run(listener))
        listener.subscribe([("will/#", 0), ("gone/#", 0)])
        self.assertTrue(d.wait_for(lambda: [e for e in listener.emu_events if e[0] == "suback"]))
        listener.unsubscribe("gone/#")
        time.sleep(0.2)
        dropper = self.raw(device, unique("dropper"), will=("will/last", "bye"))
        self.assertEqual(dropper.recv(4), b"\x20\x02\x00\x00")
        dropper.sendall(b"\x30\x08\x00\x06gone/x")        # QoS 0 to an unsubscribed filter
        dropper.sendall(b"\x34\x09\x00\x05x/qos\x00\x01")  # QoS 2: AWS closes the connection
        self.assertEqual(dropper.recv(10), b"")
        self.assertTrue(d.wait_for(lambda: listener.emu_messages))
        time.sleep(0.2)
        self.assertEqual([m[:2] for m in listener.emu_messages], [("will/last", b"bye")])

    def test_raw_mqtt_ping_and_disconnect(self):
        device, _ = self.device()
        client_id = unique("raw")
        tls = self.raw(device, client_id, will=("will/never", "not sent"))
        self.assertEqual(tls.recv(4), b"\x20\x02\x00\x00")
        tls.sendall(b"\xc0\x00")                                    # PINGREQ
        self.assertEqual(tls.recv(2), b"\xd0\x00")                  # PINGRESP
        tls.sendall(b"\xe0\x00")                                    # DISCONNECT
        self.assertEqual(tls.recv(10), b"")
        tls.close()
        rec = self.record(client_id)
        self.assertEqual((rec["outcome"], rec["reason"]),
                         ("connected", "the client sent DISCONNECT"))
        self.assertEqual(rec["events"], [])     # a clean DISCONNECT publishes no will

    def test_connections_view_has_no_key_material(self):
        device, _ = self.device()
        self.pub(device, unique("look"), "look/x", "payload-text")
        view = json.dumps(EMU.admin("GET", "connections"))
        self.assertNotIn("PRIVATE KEY", view)
        self.assertNotIn("BEGIN", view)
        self.assertNotIn(device.test_cert.key_pem().splitlines()[1], view)
        self.assertNotIn("payload-text", view)
        for key in (t.CSP_KEY, CUSTOMER_KEY):
            self.assertNotIn(key[1], view)
        settings = EMU.admin("GET", "dataplane")
        self.assertEqual(settings["clientCertificateCheck"], "verify-callback")
        self.assertNotIn("PRIVATE KEY", json.dumps(settings))
        with open(CAFILE) as f:
            self.assertEqual(settings["rootCaPem"], f.read())


class Restart(unittest.TestCase):
    def test_saved_state_dir_serves_again(self):
        work = os.path.join(WORK.path, "restart")
        state = os.path.join(work, "state")
        emu = t.EmulatorProcess(work, data_plane=True, state_dir=state, name="first").start()
        try:
            csp = emu.iot()
            ca = t.make_ca("DP restart CA")
            code = csp.get_registration_code()["registrationCode"]
            csp.register_ca_certificate(caCertificate=ca.pem, setAsActive=True,
                                        verificationCertificate=t.make_verification(ca,
                                                                                    code).pem)
            cert = t.make_cert("restart-device", issuer=ca)
            arn = csp.register_certificate(certificatePem=cert.pem, caCertificatePem=ca.pem,
                                           status="ACTIVE")["certificateArn"]
            csp.create_policy(policyName="all", policyDocument=json.dumps(ALLOW_ALL))
            csp.attach_policy(policyName="all", target=arn)
            host = csp.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
        finally:
            self.assertEqual(emu.stop(), 0)
        cafile = os.path.join(work, "saved-root.pem")
        with open(os.path.join(state, "data-root-ca.pem")) as f, open(cafile, "w") as g:
            g.write(f.read())
        self.assertEqual(os.stat(os.path.join(state, "data-root-ca.key")).st_mode & 0o077, 0)
        again = t.EmulatorProcess(work, data_plane=True, state_dir=state, name="second").start()
        proxy = d.NameProxy(again.data_address)
        try:
            self.assertEqual(again.iot().describe_endpoint(
                endpointType="iot:Data-ATS")["endpointAddress"], host)
            device = d.DeviceFiles(work, "restart-device", cert)
            result = d.mosquitto_pub(proxy, host, cafile, device, "after-restart", "r/x", "m",
                                     qos=1)
            self.assertIn("received PUBACK", result.stdout + result.stderr, result.stderr)
        finally:
            proxy.close()
            again.stop()


class TrustStoreFallback(unittest.TestCase):
    """--client-cert-check trust-store: registered certificates pass the handshake (and are
    then judged as usual), unregistered ones fail in it."""

    def test_trust_store_mode(self):
        work = os.path.join(WORK.path, "truststore")
        root_copy = os.path.join(work, "root-copy.pem")
        emu = t.EmulatorProcess(work, data_plane=True, state_dir=os.path.join(work, "state"),
                                extra_args=["--client-cert-check", "trust-store",
                                            "--data-root-ca", root_copy]).start()
        proxy = d.NameProxy(emu.data_address)
        try:
            self.assertEqual(emu.admin("GET", "dataplane")["clientCertificateCheck"],
                             "trust-store")
            csp = emu.iot()
            ca = t.make_ca("DP trust-store CA")
            code = csp.get_registration_code()["registrationCode"]
            csp.register_ca_certificate(caCertificate=ca.pem, setAsActive=True,
                                        verificationCertificate=t.make_verification(ca,
                                                                                    code).pem)
            csp.create_policy(policyName="all", policyDocument=json.dumps(ALLOW_ALL))
            host = csp.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
            cafile = root_copy      # --data-root-ca: the same root as the state directory's
            with open(root_copy) as f, open(os.path.join(work, "state", "data-root-ca.pem")) as g:
                self.assertEqual(f.read(), g.read())
            devices = {}
            for status in ("ACTIVE", "INACTIVE"):
                cert = t.make_cert("ts-" + status, issuer=ca)
                arn = csp.register_certificate(certificatePem=cert.pem, caCertificatePem=ca.pem,
                                               status=status)["certificateArn"]
                csp.attach_policy(policyName="all", target=arn)
                devices[status] = d.DeviceFiles(work, status, cert)
            # without CA: a self-signed device certificate, its own trust anchor
            own = t.make_cert("ts-self", fresh_key=True)
            arn = csp.register_certificate_without_ca(certificatePem=own.pem,
                                                      status="ACTIVE")["certificateArn"]
            csp.attach_policy(policyName="all", target=arn)
            devices["self"] = d.DeviceFiles(work, "self", own)
            devices["stranger"] = d.DeviceFiles(work, "stranger",
                                                t.make_cert("ts-stranger", fresh_key=True))

            def run(name):
                r = d.mosquitto_pub(proxy, host, cafile, devices[name], "ts-" + name, "t", "m",
                                    qos=1)
                return r.stdout + r.stderr
            self.assertIn("received PUBACK", run("ACTIVE"))
            self.assertIn("received PUBACK", run("self"))
            self.assertNotIn("CONNACK", run("INACTIVE"))
            self.assertNotIn("CONNACK", run("stranger"))
            recs = {c["certificateId"]: c for c in emu.admin("GET", "connections")
                    ["connections"] if c["certificateId"]}
            self.assertIn("INACTIVE", recs[devices["INACTIVE"].test_cert.id]["reason"])
            self.assertNotIn(devices["stranger"].test_cert.id, recs)    # failed in TLS
            last = emu.admin("GET", "connections")["connections"][-1]
            self.assertEqual((last["outcome"], last["stage"]), ("refused", "tls"))
        finally:
            proxy.close()
            emu.stop()


class PolicyEvaluation(unittest.TestCase):
    """emu_policy directly: the cases the MQTT tests do not reach."""

    def decide(self, statements, action, resource, context=None):
        return emu_policy.evaluate([json.dumps({"Statement": statements})], action, resource,
                                   context or {})[0]

    def test_wildcards_and_case(self):
        allow = [{"Effect": "Allow", "Action": "IOT:Pub*", "Resource": "arn:*:topic/a/?/c"}]
        self.assertEqual(self.decide(allow, "iot:Publish", "arn:x:topic/a/b/c"), "Allow")
        self.assertEqual(self.decide(allow, "iot:Publish", "arn:x:topic/a/bb/c"), "NoMatch")
        self.assertEqual(self.decide(allow, "iot:Publish", "arn:x:topic/A/b/c"), "NoMatch")
        self.assertEqual(self.decide(allow, "iot:Subscribe", "arn:x:topic/a/b/c"), "NoMatch")
        plus = [{"Effect": "Allow", "Action": "*", "Resource": "arn:x:topicfilter/a/+"}]
        self.assertEqual(self.decide(plus, "iot:Subscribe", "arn:x:topicfilter/a/+"), "Allow")
        self.assertEqual(self.decide(plus, "iot:Subscribe", "arn:x:topicfilter/a/b"), "NoMatch")

    def test_not_action_not_resource_and_conditions(self):
        s = [{"Effect": "Allow", "NotAction": "iot:Connect", "NotResource": "arn:x:topic/no"}]
        self.assertEqual(self.decide(s, "iot:Publish", "arn:x:topic/yes"), "Allow")
        self.assertEqual(self.decide(s, "iot:Publish", "arn:x:topic/no"), "NoMatch")
        self.assertEqual(self.decide(s, "iot:Connect", "arn:x:client/c"), "NoMatch")
        cond = [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*",
                 "Condition": {"StringLike": {"iot:ClientId": "dev-*"},
                               "StringNotEquals": {"iot:ClientId": "dev-x"}}}]
        self.assertEqual(self.decide(cond, "iot:Connect", "r", {"iot:ClientId": "dev-1"}),
                         "Allow")
        self.assertEqual(self.decide(cond, "iot:Connect", "r", {"iot:ClientId": "dev-x"}),
                         "NoMatch")
        self.assertEqual(self.decide(cond, "iot:Connect", "r", {"iot:ClientId": "other"}),
                         "NoMatch")

    def test_unresolved_variable_matches_nothing(self):
        deny = [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "*",
                 "Resource": "arn:x:client/${iot:Connection.Thing.ThingName}"}]
        self.assertEqual(self.decide(deny, "iot:Connect", "arn:x:client/c"), "Allow")
        self.assertEqual(self.decide(deny, "iot:Connect", "arn:x:client/c",
                                     {"iot:Connection.Thing.ThingName": "c"}), "Deny")
        self.assertEqual(emu_policy.evaluate(["not json", "[]"], "iot:Connect", "r", {}),
                         ("NoMatch", None))


if __name__ == "__main__":
    unittest.main()
