#!/bin/sh
# Regenerates the fuzzers' seed corpus (tests/fuzz/corpus/<harness>/):
# certificates, a CSR, a CRL and an OCSP response made with openssl, split or
# framed the way each harness reads its input; AWS responses written as AWS
# (and tests/awsemu) send them; configurations from conf/ and small ones
# written here. Usage: tests/fuzz/make-seeds.sh [OUTDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$here/corpus}
PYTHON3=${PYTHON3:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/iotreg-seeds-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
export OPENSSL_CONF=/dev/null

mkdir -p "$out"
for h in tap cert_input spool config sts_xml iot_json aws_error template crl attribution; do
    rm -rf "${out:?}/$h"
    mkdir -p "$out/$h"
done

# --- a SubCA, leaf certificates, a CSR, a CRL, an OCSP response ------------
cd "$work"
ossl() { openssl "$@" 2>openssl.err || { cat openssl.err >&2; return 1; }; }
ossl ecparam -name prime256v1 -genkey -noout -out ca.key
ossl req -new -x509 -key ca.key -subj "/O=Example CSP/CN=Fuzz SubCA" -days 3650 \
    -addext basicConstraints=critical,CA:true -addext keyUsage=keyCertSign,cRLSign -out ca.pem
ossl ecparam -name prime256v1 -genkey -noout -out leaf.key
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key
printf 'subjectAltName=DNS:dev-1.example.com,IP:192.0.2.7,email:ops@example.com\n' >san.ext
leaf() { # serial subject key out
    ossl req -new -key "$3" -subj "$2" -out "$4.csr"
    ossl x509 -req -in "$4.csr" -CA ca.pem -CAkey ca.key -set_serial "$1" -days 365 \
        -extfile san.ext -outform DER -out "$4.der"
}
leaf 1 "/O=Acme/OU=Plant-7/CN=dev-1" leaf.key leaf1
leaf 2 "/C=DE/O=Globex/CN=gx-42" leaf.key leaf2
leaf 3 "/CN=rsa device with spaces & symbols" rsa.key leaf3
ossl req -new -key leaf.key -subj "/CN=a request" -outform DER -out req.der
ossl x509 -in ca.pem -outform DER -out ca.der
for n in 1 2 3; do ossl x509 -inform DER -in "leaf$n.der" -out "leaf$n.pem"; done
mkdir -p db
: >db/index.txt
printf '01\n' >db/crlnumber
cat >ca.cnf <<CNF
[ca]
default_ca = sub
[sub]
database = $work/db/index.txt
crlnumber = $work/db/crlnumber
default_md = sha256
default_crl_days = 30
crl_extensions = crl_ext
[crl_ext]
authorityKeyIdentifier = keyid:always
CNF
ossl ca -config ca.cnf -cert ca.pem -keyfile ca.key -gencrl -out crl-empty.pem
ossl crl -in crl-empty.pem -outform DER -out crl-empty.der
ossl ca -config ca.cnf -cert ca.pem -keyfile ca.key -revoke leaf1.pem -crl_reason keyCompromise
ossl ca -config ca.cnf -cert ca.pem -keyfile ca.key -revoke leaf2.pem -crl_reason superseded
ossl ca -config ca.cnf -cert ca.pem -keyfile ca.key -gencrl -out crl.pem
ossl crl -in crl.pem -outform DER -out crl.der
ossl ocsp -issuer ca.pem -serial 1 -no_nonce -reqout ocspreq.der
ossl ocsp -index db/index.txt -rsigner ca.pem -rkey ca.key -CA ca.pem -reqin ocspreq.der \
    -respout ocsp.der
ossl ec -in leaf.key -out leafkey.pem

# --- split, framed and wrapped as each harness reads it ---------------------
"$PYTHON3" - "$out" "$top" <<'PY'
import hashlib, os, struct, sys

out, top = sys.argv[1], sys.argv[2]

def rd(name):
    with open(name, "rb") as f:
        return f.read()

def wr(harness, name, data):
    with open(os.path.join(out, harness, name), "wb") as f:
        f.write(data)

def tlv(b, i):
    """(tag, header length, content length) of the DER element at b[i:]."""
    n = b[i + 1]
    if n < 0x80:
        return b[i], 2, n
    k = n & 0x7F
    return b[i], 2 + k, int.from_bytes(b[i + 2:i + 2 + k], "big")

def children(b):
    """The elements inside the SEQUENCE b."""
    _, h, n = tlv(b, 0)
    i, end, items = h, h + n, []
    while i < end:
        _, hh, nn = tlv(b, i)
        items.append(b[i:i + hh + nn])
        i += hh + nn
    return items

def content(b):
    _, h, n = tlv(b, 0)
    return b[h:h + n]

def tap_seed(signed):
    tbs, algid, bits = children(signed)[:3]
    sig = content(bits)[1:]
    return struct.pack(">HB", len(tbs), len(algid)) + tbs + algid + sig

# tap: certificates (kept), a CRL, a CSR, an OCSP response (told apart, ignored)
ocsp = rd("ocsp.der")
basic = content(children(content(children(ocsp)[1]))[1])  # responseBytes.response
for name, der in [("leaf-ec", rd("leaf1.der")), ("leaf-rsa", rd("leaf3.der")),
                  ("subca", rd("ca.der")), ("crl", rd("crl.der")), ("csr", rd("req.der")),
                  ("ocsp", basic)]:
    wr("tap", name, tap_seed(der))

# cert_input: DER, PEM, a bundle with text around it, things that are refused
pem = [rd("leaf%d.pem" % n) for n in (1, 2, 3)]
wr("cert_input", "leaf.der", rd("leaf1.der"))
wr("cert_input", "leaf.pem", pem[0])
wr("cert_input", "bundle.pem", b"subject=/CN=dev-1\n" + pem[0] + b"\nissuer\n" + pem[1] + pem[2])
wr("cert_input", "key-and-cert.pem", rd("leafkey.pem") + pem[0])
wr("cert_input", "crl.pem", rd("crl.pem"))
wr("cert_input", "trailing.der", rd("leaf2.der") + b"\x00\x00")

# spool: records as the tap appends them (spool_record.c's format)
def record_payload(der, subca, customer, reason, end_entity, profile, source=0,
                   ms=1764800000123):
    p = bytes([source]) + struct.pack("<Q", ms)
    for field in (der, subca, customer, reason, end_entity, profile):
        if field is None:
            p += struct.pack("<I", 0xFFFFFFFF)
        else:
            if isinstance(field, str):
                field = field.encode() + b"\0"
            p += struct.pack("<I", len(field)) + field
    return p

def record(payload):
    return b"IRS1" + struct.pack("<I", len(payload)) + hashlib.sha256(payload).digest()[:8] + payload

p1 = record_payload(rd("leaf1.der"), "devices-eu", "acme", None, "dev-1", "device")
p2 = record_payload(rd("leaf2.der"), "devices-eu", None, "no rule matches", None, None, 3)
wr("spool", "records", b"\0" + record(p1) + record(p2))
wr("spool", "damaged", b"\0" + record(p1)[:40] + b"junk" + record(p2) + record(p1)[:30])
wr("spool", "payload", b"\1" + p1)
wr("spool", "payload-unattributed", b"\1" + p2)

# config: the sample, a minimal one, one with every kind of rule
wr("config", "sample.xml", rd(os.path.join(top, "conf", "iotreg.xml")))
wr("config", "minimal.xml", b"""<iotreg xmlns='urn:iotreg:config:1' version='1'>
  <keystore><pin-file>/nonexistent/iotreg/pin</pin-file></keystore>
  <journal><sqlite path='/nonexistent/iotreg/journal.db'/></journal>
</iotreg>
""")
wr("config", "rules.xml", b"""<?xml version="1.0" encoding="UTF-8"?>
<iotreg xmlns="urn:iotreg:config:1" version="1">
  <keystore><pin-file>/nonexistent/pin</pin-file></keystore>
  <journal><sqlite path="/nonexistent/journal.db"/></journal>
  <csp-accounts>
    <csp-account name="csp"><account-id>111122223333</account-id><region>eu-central-1</region>
      <credentials><environment/></credentials></csp-account>
  </csp-accounts>
  <subcas><subca name="sub"><csp-account>csp</csp-account><tap>true</tap></subca></subcas>
  <customers>
    <customer id="acme"><account-id>444455556666</account-id><region>eu-central-1</region>
      <role arn="arn:aws:iam::444455556666:role/iotreg" external-id="ext-acme-0001"/>
      <policy name="acme-policy"/>
      <thing name-template="acme-${subject.CN}-${certid8}" group="fleet"/></customer>
  </customers>
  <attribution>
    <rule customer="acme"><subca>sub</subca>
      <subject attribute="O">Acme</subject>
      <subject attribute="CN" match="regex">^dev-[0-9]+$</subject>
      <san type="dns" match="prefix">dev-</san>
      <extension oid="1.3.6.1.4.1.99999.1">acme</extension></rule>
  </attribution>
  <quotas><quota api="RegisterCertificate" tps="2.5"/></quotas>
</iotreg>
""")
# regression: a single problem longer than the joined message's limit (the
# enumeration of every API) came back as an error without text
wr("config", "regress-long-message.xml", b"""<iotreg xmlns='urn:iotreg:config:1' version='1'>
  <keystore><pin-file>/nonexistent/iotreg/pin</pin-file></keystore>
  <journal><sqlite path='/nonexistent/iotreg/journal.db'/></journal>
  <quotas><quota api="RegisterCervificate" tps="20"/></quotas>
</iotreg>
""")
wr("config", "doctype.xml", b"""<?xml version="1.0"?>
<!DOCTYPE iotreg [<!ENTITY x "y">]>
<iotreg xmlns="urn:iotreg:config:1" version="1">&x;</iotreg>
""")

# sts_xml: mode byte 0 AssumeRole, 1 GetCallerIdentity, 2 a time
ns = b'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"'
wr("sts_xml", "assume-role", b"\0<AssumeRoleResponse " + ns + b"""><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAEXAMPLE123456789</AccessKeyId>
<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</SecretAccessKey>
<SessionToken>FwoGZXIvYXdzEXAMPLETOKEN</SessionToken>
<Expiration>2026-12-04T22:15:30Z</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:iotreg</AssumedRoleId>
<Arn>arn:aws:sts::444455556666:assumed-role/iotreg/iotreg</Arn></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ResponseMetadata></AssumeRoleResponse>
""")
wr("sts_xml", "caller-identity", b"\1<GetCallerIdentityResponse " + ns + b""">
<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/iotreg</Arn>
<UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account></GetCallerIdentityResult>
</GetCallerIdentityResponse>
""")
wr("sts_xml", "entity", b"\0<AssumeRoleResponse><AssumeRoleResult><Credentials>"
   b"<AccessKeyId>&amp;x</AccessKeyId></Credentials></AssumeRoleResult></AssumeRoleResponse>")
wr("sts_xml", "time-fraction", b"\x022026-12-04T22:15:30.123+01:30")
wr("sts_xml", "time", b"\x022026-02-28T23:59:59Z")

# iot_json: the parser's index (fuzz_iot_json.c) then a body
cert_arn = b"arn:aws:iot:eu-central-1:111122223333:cert/" + b"a" * 64
bodies = [
    (0, "empty", b"{}"),
    (1, "registration-code", b'{"registrationCode":"4c9e2f1a0b7d3e5f6a8b9c0d1e2f3a4b5c6d7e8f"}'),
    (2, "transfer", b'{"transferredCertificateArn":"' + cert_arn + b'"}'),
    (3, "already-exists", b'{"message":"exists","resourceId":"' + b"a" * 64 +
     b'","resourceArn":"' + cert_arn + b'"}'),
    (4, "register-ca", b'{"certificateArn":"' + cert_arn + b'","certificateId":"' + b"b" * 64 + b'"}'),
    (5, "describe-ca", b'{"certificateDescription":{"certificateArn":"' + cert_arn +
     b'","certificateId":"' + b"b" * 64 + b'","status":"ACTIVE","certificatePem":"-----BEGIN",'
     b'"ownedBy":"111122223333","creationDate":1.764800000123E9,"autoRegistrationStatus":'
     b'"DISABLE","lastModifiedDate":1764800000,"generationId":"g1","certificateMode":"DEFAULT"}}'),
    (8, "describe-cert", b'{"certificateDescription":{"certificateArn":"' + cert_arn +
     b'","certificateId":"' + b"a" * 64 + b'","caCertificateId":"' + b"b" * 64 +
     b'","status":"PENDING_TRANSFER","ownedBy":"111122223333","previousOwnedBy":"444455556666",'
     b'"creationDate":1764800000.5,"transferData":{"transferMessage":"order 42","rejectReason":'
     b'"no","transferDate":1764800001,"acceptDate":1764800002,"rejectDate":1764800003}}}'),
    (9, "create-policy", b'{"policyName":"acme","policyArn":"arn:aws:iot:eu-central-1:1:policy/acme",'
     b'"policyDocument":"{\\"Version\\":\\"2012-10-17\\"}","policyVersionId":"1"}'),
    (10, "get-policy", b'{"policyName":"acme","policyArn":"arn:p","policyDocument":"{}",'
     b'"defaultVersionId":"1","creationDate":1764800000,"generationId":"x"}'),
    (11, "create-thing", b'{"thingName":"dev-1","thingArn":"arn:t","thingId":"id-1"}'),
    (12, "describe-thing", b'{"thingName":"dev-1","thingId":"id","thingArn":"arn:t","version":3,'
     b'"attributes":{"serial":"01","site":"plant-7"},"defaultClientId":"dev-1"}'),
    (13, "list-ca", b'{"certificates":[{"certificateArn":"arn:c","certificateId":"' + b"b" * 64 +
     b'","status":"ACTIVE","creationDate":1764800000}],"nextMarker":"m2"}'),
    (14, "list-certs", b'{"certificates":[{"certificateArn":"arn:c","certificateId":"' + b"a" * 64 +
     b'","status":"INACTIVE","certificateMode":"DEFAULT","creationDate":1764800000},'
     b'{"certificateId":"c","status":"WEIRD"}],"nextMarker":null}'),
    (15, "list-outgoing", b'{"outgoingCertificates":[{"certificateArn":"arn:c","certificateId":"' +
     b"a" * 64 + b'","transferredTo":"444455556666","transferDate":1764800000,'
     b'"transferMessage":"m","creationDate":1764800000}],"nextMarker":"n"}'),
    (16, "list-attached", b'{"policies":[{"policyName":"acme","policyArn":"arn:p"}],'
     b'"nextMarker":"n"}'),
]
for index, name, body in bodies:
    wr("iot_json", name, bytes([index]) + body)

# aws_error: status byte (400 + b), x-amzn-ErrorType line, body
wr("aws_error", "throttling", b"\x1dThrottlingException:http://internal.amazon.com/\n"
   b'{"message":"Rate exceeded"}')
wr("aws_error", "rest-json", b"\x09\n" + b'{"__type":"com.amazonaws.iot#ResourceAlreadyExistsException",'
   b'"message":"exists","resourceId":"' + b"a" * 64 + b'","resourceArn":"' + cert_arn + b'"}')
wr("aws_error", "sts-xml", b"\x03\n<ErrorResponse " + ns + b"><Error><Type>Sender</Type>"
   b"<Code>AccessDenied</Code><Message>User: arn:aws:iam::1:user/x is not authorized</Message>"
   b"</Error><RequestId>r-1</RequestId></ErrorResponse>\n")
wr("aws_error", "html", b"\x64\n<html><body>502 Bad Gateway</body></html>")
# regression: a body starting with a NUL left the message empty
wr("aws_error", "regress-nul-body", b"\x00\x00\x7f\xfc\x13binary")
wr("aws_error", "text", b"\x64\nupstream connect error \x01\xff")

# template: a mask byte saying which fields are present (bit 0 CN, 1 O, 2 OU,
# 3 serial, 4 DNS SAN, 5 a second CN), then NUL-separated: the template and
# the fields, as a certificate's would be read (the leaves' subjects above)
def tmpl_seed(tmpl, cn=None, o=None, ou=None, serial=None, san=None, cn2=None):
    fields = [cn, o, ou, serial, san, cn2]
    mask = sum(1 << i for i, v in enumerate(fields) if v is not None)
    return bytes([mask]) + b"\0".join([tmpl] + [v if v is not None else b"" for v in fields])

leaf_fields = [dict(cn=b"dev-1", o=b"Acme", ou=b"Plant-7", serial=b"01", san=b"dev-1.example.com"),
               dict(cn=b"gx-42", o=b"Globex", serial=b"02", san=b"dev-1.example.com"),
               dict(cn=b"rsa device with spaces & symbols", serial=b"03", san=b"dev-1.example.com")]
for n, tmpl in [(1, b"acme-${subject.CN}-${certid8}"), (2, b"${subject.O}:${subject.OU}_${serial}"),
                (3, b"${customer}-${san.dns}-${certid}"), (1, b"dev ${subject.CN} ${unknown}"),
                (3, b"${subject.CN")]:
    data = tmpl_seed(tmpl, **leaf_fields[n - 1])
    wr("template", "t%d-%s" % (n, hashlib.sha256(tmpl).hexdigest()[:8]), data)
# names that must differ: CNs that one escape could merge (issue 9)
wr("template", "distinct-cns", tmpl_seed(b"${subject.CN}", cn=b"sensor.42", cn2=b"sensor:2E42"))
wr("template", "distinct-twice", tmpl_seed(b"x${subject.CN}_${subject.CN}", cn=b"a_", cn2=b"a"))

# attribution: certificates' DER
for n in (1, 2, 3):
    wr("attribution", "leaf%d.der" % n, rd("leaf%d.der" % n))

# crl: mode byte 0 the file as it is, 1 re-signed by the harness's SubCA
wr("crl", "crl.der", b"\0" + rd("crl.der"))
wr("crl", "crl.pem", b"\0" + rd("crl.pem"))
wr("crl", "resign.der", b"\1" + rd("crl.der"))
# regression: a CRL that revokes nothing (no revokedCertificates) counted -1
wr("crl", "regress-empty.der", b"\1" + rd("crl-empty.der"))
PY
echo "seeds written to $out"
