"""A throwaway PKI and a real PKCS#11 token (SoftHSM2) for the signing tests.

:func:`make_token` initialises a SoftHSM2 token in a private folder (``SOFTHSM2_CONF`` points to a
config of our own), generates the officer's RSA key ON the token (not exportable, as on a USB token),
has a test CA made with ``cryptography`` certify it (CN with Vietnamese diacritics) and stores the
certificate on the token under the same label and id. A missing SoftHSM2 FAILS (setup.sh installs it).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

SOFTHSM_CANDIDATES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                      "/usr/local/lib/softhsm/libsofthsm2.so", "/usr/lib64/pkcs11/libsofthsm2.so")
TOKEN_LABEL = "MOTCUA-TEST"
USER_PIN = "246810"
SO_PIN = "13579135"
KEY_LABEL = "can-bo-1"
KEY_ID = b"\x01\x02"
OFFICER_CN = "Nguyễn Thị Hương"
AGENCY = "UBND phường Bến Nghé"
CA_CN = "CA Thử nghiệm MotCua"


def softhsm_module() -> Path:
    for candidate in SOFTHSM_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise RuntimeError("SoftHSM2 is not installed (libsofthsm2.so not found): run ./scripts/setup.sh, "
                       "which installs the Debian packages softhsm2 and opensc")


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"))
    return x509.Name(attrs)


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


@dataclass
class TestCa:
    __test__ = False  # not a test class
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @classmethod
    def create(cls, cn: str = CA_CN) -> TestCa:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = dt.datetime.now(dt.UTC)
        name = _name(cn)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(_usage(ca=True), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        return cls(key, cert)

    def issue(self, public_key: rsa.RSAPublicKey, cn: str, org: str = AGENCY, *,
              days: int = 365) -> x509.Certificate:
        now = dt.datetime.now(dt.UTC)
        return (x509.CertificateBuilder().subject_name(_name(cn, org)).issuer_name(self.cert.subject)
                .public_key(public_key).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(_usage(ca=False), critical=True)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                               critical=False)
                .sign(self.key, hashes.SHA256()))

    def write_pem(self, folder: Path, name: str = "ca.pem") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path


@dataclass
class Token:
    module: Path
    conf: Path
    label: str
    pin: str
    key_label: str
    key_id: bytes
    ca: TestCa
    cert: x509.Certificate


def make_token(folder: Path, ca: TestCa, *, cn: str = OFFICER_CN) -> Token:
    """A fresh SoftHSM2 token in ``folder`` with the officer's key (made on the token) and certificate.
    Sets ``SOFTHSM2_CONF`` in this process (children inherit it)."""
    import pkcs11
    from asn1crypto import keys
    from pkcs11 import Attribute, KeyType
    from pkcs11.util.rsa import encode_rsa_public_key
    from pkcs11.util.x509 import decode_x509_certificate

    module = softhsm_module()
    if shutil.which("softhsm2-util") is None:
        raise RuntimeError("softhsm2-util missing: run ./scripts/setup.sh (Debian package softhsm2)")
    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n",
                    encoding="utf-8")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL, "--pin", USER_PIN,
                    "--so-pin", SO_PIN], check=True, capture_output=True, text=True)
    token = pkcs11.lib(str(module)).get_token(token_label=TOKEN_LABEL)
    with token.open(user_pin=USER_PIN, rw=True) as session:
        public, _private = session.generate_keypair(KeyType.RSA, 2048, label=KEY_LABEL, id=KEY_ID, store=True)
        info = keys.PublicKeyInfo.wrap(keys.RSAPublicKey.load(encode_rsa_public_key(public)), "rsa")
        officer_public = serialization.load_der_public_key(info.dump())
        assert isinstance(officer_public, rsa.RSAPublicKey)
        cert = ca.issue(officer_public, cn)
        attrs = decode_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
        attrs.update({Attribute.LABEL: KEY_LABEL, Attribute.ID: KEY_ID, Attribute.TOKEN: True})
        session.create_object(attrs)
        ca_attrs = decode_x509_certificate(ca.cert.public_bytes(serialization.Encoding.DER))
        ca_attrs.update({Attribute.LABEL: "ca", Attribute.TOKEN: True})
        session.create_object(ca_attrs)
    return Token(module, conf, TOKEN_LABEL, USER_PIN, KEY_LABEL, KEY_ID, ca, cert)


def make_pkcs12(path: Path, ca: TestCa, passphrase: str, *, cn: str = "Trần Văn Bình",
                days: int = 365) -> x509.Certificate:
    """A software key + certificate issued by ``ca`` in a PKCS#12 file."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = ca.issue(key.public_key(), cn, days=days)
    data = pkcs12.serialize_key_and_certificates(
        b"officer", key, cert, [ca.cert], serialization.BestAvailableEncryption(passphrase.encode("utf-8")))
    path.write_bytes(data)
    return cert
