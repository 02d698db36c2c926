"""TLS for the data plane: the emulator's root CA, its server certificate, the server context.

The root CA plays Amazon Root CA 1 (RSA 2048, SHA-256): clients trust it with --cafile.
Its key and certificate live in the state directory (data-root-ca.key, mode 0600, and
data-root-ca.pem) so a restarted emulator, or one started from a demo's saved state,
presents a server certificate the clients' saved CA file still verifies. Without a state
directory the root is made at start and kept in memory (and written to --data-root-ca).
The server certificate (EC P-256, SAN *.iot.REGION.DOMAIN, as AWS's ATS endpoints have)
is issued afresh at every start.

Client certificates: AWS IoT accepts any client certificate in the handshake and decides
afterwards (the CA of a certificate registered without CA is unknown to it; SDKs report a
deactivated or unknown certificate as a connection closed after the handshake). Python's
ssl module has no verify callback, so install_accept_any_client_cert() sets one with
ctypes on the context's SSL_CTX (CERT_REQUIRED semantics: a certificate must be sent;
whether it is trusted is emu_dataplane's decision). When that cannot be done safely the
context falls back to trusting every certificate registered in any account (see
TrustStoreFallback); unregistered certificates then fail in the handshake.
"""

import ctypes
import datetime
import os
import shutil
import ssl
import _ssl
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from emu_util import write_text_atomic

ROOT_CA_FILE = "data-root-ca.pem"
ROOT_KEY_FILE = "data-root-ca.key"
ALPN = ["x-amzn-mqtt-ca", "mqtt"]
_SSL_VERIFY_PEER_REQUIRED = 0x01 | 0x02   # SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
_X509_V_FLAG_NO_CHECK_TIME = 0x200000


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "awsemu"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def _new_root():
    key = rsa.generate_private_key(65537, 2048)
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(_name("awsemu Data Root CA 1"))
            .issuer_name(_name("awsemu Data Root CA 1")).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256()))
    return cert, key


class RootCa:
    def __init__(self, cert, key):
        self.cert = cert
        self.key = key
        self.pem = _pem(cert)


def load_or_create_root(state_dir, extra_file=None):
    """The root CA from state_dir (made and saved there on first use); also written to
    extra_file when given."""
    cert = key = None
    if state_dir:
        cert_path = os.path.join(state_dir, ROOT_CA_FILE)
        key_path = os.path.join(state_dir, ROOT_KEY_FILE)
        if os.path.isfile(cert_path) and os.path.isfile(key_path):
            with open(cert_path, "rb") as f:
                cert = x509.load_pem_x509_certificate(f.read())
            with open(key_path, "rb") as f:
                key = serialization.load_pem_private_key(f.read(), None)
    if cert is None:
        cert, key = _new_root()
        if state_dir:
            os.makedirs(state_dir, exist_ok=True)
            _write_private(os.path.join(state_dir, ROOT_KEY_FILE), _key_pem(key))
            write_text_atomic(os.path.join(state_dir, ROOT_CA_FILE), _pem(cert))
    root = RootCa(cert, key)
    if extra_file:
        write_text_atomic(extra_file, root.pem)
    return root


def _write_private(path, text):
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def server_certificate(root, host_names):
    """(certificate, key) for the data endpoints, issued by root."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(_name(host_names[0]))
            .issuer_name(root.cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in host_names]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .sign(root.key, hashes.SHA256()))
    return cert, key


# ---------------------------------------------------------------- client certificates

_VERIFY_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p)


@_VERIFY_CB
def _accept_any(preverify_ok, store_ctx):
    return 1


def _ssl_ctx_pointer(context):
    """The SSL_CTX* of a CPython SSLContext: the first field after PyObject_HEAD."""
    return ctypes.c_void_p.from_address(id(context) + 2 * ctypes.sizeof(ctypes.c_void_p)).value


def install_accept_any_client_cert(context):
    """Request a client certificate and accept any in the handshake; False if the running
    Python/OpenSSL does not look like what this was written for (CPython, OpenSSL 3)."""
    if not ssl.OPENSSL_VERSION.startswith("OpenSSL 3."):
        return False
    try:
        # Resolve through the _ssl module itself: dlsym searches its dependencies, so these
        # are the functions of the very libssl Python's ssl module uses.
        libssl = ctypes.CDLL(getattr(_ssl, "__file__", None))
        libssl.SSL_CTX_get_verify_mode.argtypes = [ctypes.c_void_p]
        libssl.SSL_CTX_get_verify_mode.restype = ctypes.c_int
        libssl.SSL_CTX_set_verify.argtypes = [ctypes.c_void_p, ctypes.c_int, _VERIFY_CB]
        libssl.SSL_CTX_set_verify.restype = None
    except (OSError, AttributeError):
        return False
    pointer = _ssl_ctx_pointer(context)
    # Check that pointer is this context's SSL_CTX: the verify mode read through it follows
    # what Python sets.
    context.verify_mode = ssl.CERT_OPTIONAL
    if not pointer or libssl.SSL_CTX_get_verify_mode(pointer) != 0x01:
        return False
    context.verify_mode = ssl.CERT_REQUIRED
    if libssl.SSL_CTX_get_verify_mode(pointer) != _SSL_VERIFY_PEER_REQUIRED:
        return False
    libssl.SSL_CTX_set_verify(pointer, _SSL_VERIFY_PEER_REQUIRED, _accept_any)
    return True


class TrustStoreFallback:
    """Without the verify callback: trust, as partial-chain anchors, every CA certificate
    and device certificate registered in any account, added before each handshake.
    Certificates are never removed (the handshake only needs to let registered ones
    through; emu_dataplane decides). Time is checked by emu_dataplane, not OpenSSL."""

    def __init__(self, context):
        self.context = context
        self.added = set()
        context.verify_mode = ssl.CERT_REQUIRED
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
        context.verify_flags |= _X509_V_FLAG_NO_CHECK_TIME

    def refresh(self, pems):
        for cert_id, pem in pems:
            if cert_id not in self.added:
                try:
                    self.context.load_verify_locations(cadata=pem)
                except (ssl.SSLError, ValueError):
                    pass
                self.added.add(cert_id)


def server_context(root, host_names, trust_store=False):
    """(SSLContext, TrustStoreFallback or None): TLS 1.2 and 1.3, client certificate
    required, ALPN x-amzn-mqtt-ca (AWS's port-443 protocol) or mqtt. trust_store forces
    the fallback (--client-cert-check trust-store)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_3
    cert, key = server_certificate(root, host_names)
    tmp = tempfile.mkdtemp(prefix="awsemu-tls.")
    try:
        chain, key_path = os.path.join(tmp, "server.pem"), os.path.join(tmp, "server.key")
        with open(chain, "w") as f:
            f.write(_pem(cert))
        _write_private(key_path, _key_pem(key))
        context.load_cert_chain(chain, key_path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    context.set_alpn_protocols(ALPN)
    fallback = None
    if trust_store or not install_accept_any_client_cert(context):
        fallback = TrustStoreFallback(context)
    return context, fallback
