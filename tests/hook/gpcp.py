#!/usr/bin/python3
"""Runs a command the way EJBCA's General Purpose Custom Publisher (GPCP,
org.ejbca.core.model.ca.publisher.GeneralPurposeCustomPublisher, with
org.cesecore.util.ExternalProcessTools.launchExternalCommand) does.

usage: gpcp.py cert|revoke TMPDIR COMMAND DERFILE [REASON]

- the certificate's bytes go to a new file TMPDIR/GeneralPurposeCustomPublisher-
  <millis>-<random>.tmp (Java's File.createTempFile(prefix + '-' + millis + '-',
  null) in java.io.tmpdir);
- COMMAND (cert.application or revoke.application) is split as Java's
  cmd.split("\\s") does: on every single whitespace character, empty pieces
  kept except trailing ones; no shell;
- the arguments are the file's path, then "certType subjectDN issuerDN
  serialHex" (cert) or "reasonCode subjectDN issuerDN serialHex" (revoke);
- standard input is a pipe closed at once; standard output is read to its end
  and dropped; then the exit status and standard error are looked at;
- the file is deleted afterwards;
- the publish failed on a non-zero exit (failOnErrorCode=true) or on anything
  on standard error (failOnStandardError=true).

Prints "file NAME" (the temporary file's name), "stdout LINE" for each line
the command printed, and last "published" or "failed: ..." (exit 1). Exit 3:
the emulation itself went wrong (the file was left behind, ...).
"""
import os
import re
import secrets
import subprocess
import sys
import time


def java_split_ws(cmd):
    parts = re.split(r"\s", cmd)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def describe(der):
    """certType subjectDN issuerDN serialHex as GPCP passes them (CertTools:
    the DNs comma-separated, the serial BigInteger.toString(16).toUpperCase())."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSSL_") and k != "LD_PRELOAD"}
    p = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-nameopt", "RFC2253",
                        "-subject", "-issuer", "-serial"], input=der, capture_output=True, env=env)
    if p.returncode != 0:  # not a certificate: GPCP would not get this far; keep going
        return ["CN=unknown", "CN=unknown", "0"]
    f = dict(line.split("=", 1) for line in p.stdout.decode().splitlines())
    serial = f["serial"].lstrip("0") or "0"
    return [f["subject"], f["issuer"], serial.upper()]


def main(argv):
    if len(argv) not in (5, 6) or argv[1] not in ("cert", "revoke"):
        print(__doc__, file=sys.stderr)
        return 3
    mode, tmpdir, command, derfile = argv[1:5]
    with open(derfile, "rb") as f:
        der = f.read()
    first = "1" if mode == "cert" else argv[5]  # CERTTYPE_ENDENTITY, or the reason
    args = [first] + describe(der)

    name = "GeneralPurposeCustomPublisher-%d-%d.tmp" % (int(time.time() * 1000),
                                                        secrets.randbits(63))
    path = os.path.join(os.path.realpath(tmpdir), name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(der)
    try:
        proc = subprocess.Popen(java_split_ws(command) + [path] + args, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdin.close()
        out = proc.stdout.read()
        status = proc.wait()
        err = proc.stderr.read()
    finally:
        os.unlink(path)
    print("file " + name)
    for line in out.decode(errors="replace").splitlines():
        print("stdout " + line)
    if os.listdir(tmpdir):
        print("temporary files left: %s" % os.listdir(tmpdir))
        return 3
    if status != 0 or err:
        print("failed: exit %d, stderr: %s" % (status, err.decode(errors="replace").strip()))
        return 1
    print("published")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
