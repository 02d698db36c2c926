"""X.509 parsing and verification for the IoT certificate operations (python3-cryptography)."""

import hashlib

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID, SignatureAlgorithmOID

from emu_errors import ApiError

PSS_HASHES = (hashes.SHA256, hashes.SHA384, hashes.SHA512)


def parse_pem(pem, what="certificate"):
    """One PEM certificate, or CertificateValidationException."""
    try:
        return x509.load_pem_x509_certificate(pem.encode("utf-8"))
    except (ValueError, TypeError, UnicodeEncodeError):
        raise ApiError("CertificateValidationException",
                       "The %s is not a valid PEM-encoded X.509 certificate" % what)


def certificate_id(cert, salt=""):
    """AWS's certificateId: lower-case hex SHA-256 of the DER encoding; with a salt (the
    accounts file's certificateIdSalt, for device certificates), of the salt and the DER."""
    return hashlib.sha256(salt.encode("utf-8") +
                          cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def canonical_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def common_name(cert):
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return names[0].value if names else None


def is_ca(cert):
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def validity(cert):
    return {"notBefore": cert.not_valid_before.timestamp(),
            "notAfter": cert.not_valid_after.timestamp()}


def _verify_rsa(key, cert):
    if cert.signature_algorithm_oid != SignatureAlgorithmOID.RSASSA_PSS:
        key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(),
                   cert.signature_hash_algorithm)
        return
    # cryptography 38 does not expose the PSS parameters: try the usual hashes.
    for digest in PSS_HASHES:
        for mgf_digest in PSS_HASHES:
            try:
                key.verify(cert.signature, cert.tbs_certificate_bytes,
                           padding.PSS(padding.MGF1(mgf_digest()), padding.PSS.AUTO), digest())
                return
            except InvalidSignature:
                continue
    raise InvalidSignature()


def signature_valid(cert, issuer_key):
    """True if cert's signature verifies with issuer_key (EC or RSA, PKCS#1 v1.5 or PSS)."""
    try:
        if isinstance(issuer_key, ec.EllipticCurvePublicKey):
            issuer_key.verify(cert.signature, cert.tbs_certificate_bytes,
                              ec.ECDSA(cert.signature_hash_algorithm))
        elif isinstance(issuer_key, rsa.RSAPublicKey):
            _verify_rsa(issuer_key, cert)
        else:
            return False
        return True
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False


def issued_by(cert, issuer):
    """True if issuer's name is cert's issuer and issuer's key signed cert."""
    return cert.issuer == issuer.subject and signature_valid(cert, issuer.public_key())


def check_ca_certificate(cert):
    """A CA certificate AWS accepts: basicConstraints CA:TRUE; self-signed ones verify."""
    if not is_ca(cert):
        raise ApiError("CertificateValidationException",
                       "CA certificate does not have the basicConstraints extension as true")
    if cert.issuer == cert.subject and not signature_valid(cert, cert.public_key()):
        raise ApiError("CertificateValidationException",
                       "The self-signed CA certificate's signature does not verify")
