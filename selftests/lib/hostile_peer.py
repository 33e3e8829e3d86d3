#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hostile TLS peer: it completes a real handshake (Python's ssl module,
# so OpenSSL, over memory BIOs), takes the traffic keys from OpenSSL's key
# log, and from then on makes and reads records itself (Debian's
# python3-cryptography for the AEADs), so that it can send what no TLS
# stack would: altered tags and ciphertext, oversized records, records of
# unknown types, unprotected alerts, forbidden handshake messages.
#
#   hostile_peer.py client HOST PORT --tls 1.2|1.3 --case CASE[,CASE...]
#                   [--app APP] [--ca CA --name NAME] [--step]
#   hostile_peer.py server PORT --tls 1.2|1.3 --case CASE[,CASE...]
#                   --cert C --key K
#
# APP is what the endpoint runs on top of TLS:
#   http  (ktls-serve): "before" is a GET answered in full, "after" a GET
#         whose answer must not come;
#   raw   (ktls-cat, openssl s_server/s_client): "before" and "after" are
#         lines with canaries the test looks for in the endpoint's output.
# Each case runs on a connection of its own, all in one process (python
# starts slowly under emulation). It sends "before" as a valid record,
# then its crafted record(s) and "after" in one write, then reads until
# the endpoint closes. One line on stdout sums up what came back:
#   result case=C alert=LEVEL:NAME|none before=ok|- after=delivered|none|-
#          closed=yes|no
# (alert: the first fatal one, else the first; before and after are only
# known for APP http, "-" for raw). Earlier lines say what happened
# ("handshake done 1.3 TLS_AES_128_GCM_SHA256").
import argparse
import hashlib
import hmac
import os
import socket
import ssl
import struct
import sys
import tempfile

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import (AESCCM, AESGCM,
                                                         ChaCha20Poly1305)
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

CT_CCS, CT_ALERT, CT_HANDSHAKE, CT_DATA = 20, 21, 22, 23
MAX_PLAIN = 1 << 14
TAG = 16

ALERTS = {0: "close_notify", 10: "unexpected_message",
          20: "bad_record_mac", 22: "record_overflow",
          40: "handshake_failure", 47: "illegal_parameter",
          50: "decode_error", 51: "decrypt_error", 70: "protocol_version",
          80: "internal_error", 90: "user_canceled"}

# OpenSSL's suite name: AEAD, key length, fixed IV length in TLS 1.2, hash
SUITES = {
    "TLS_AES_128_GCM_SHA256": (AESGCM, 16, 4, hashes.SHA256),
    "TLS_AES_256_GCM_SHA384": (AESGCM, 32, 4, hashes.SHA384),
    "TLS_CHACHA20_POLY1305_SHA256": (ChaCha20Poly1305, 32, 12,
                                     hashes.SHA256),
    "TLS_AES_128_CCM_SHA256": (AESCCM, 16, 4, hashes.SHA256),
}
for kx in ("ECDHE-ECDSA", "ECDHE-RSA", "DHE-RSA"):
    SUITES[kx + "-AES128-GCM-SHA256"] = (AESGCM, 16, 4, hashes.SHA256)
    SUITES[kx + "-AES256-GCM-SHA384"] = (AESGCM, 32, 4, hashes.SHA384)
    SUITES[kx + "-CHACHA20-POLY1305"] = (ChaCha20Poly1305, 32, 12,
                                         hashes.SHA256)
SUITES["ECDHE-ECDSA-AES128-CCM"] = (AESCCM, 16, 4, hashes.SHA256)


class Direction:
    """One direction's record protection: keys, nonce and sequence."""

    def __init__(self, version, aead, key, iv, seq=0):
        self.v13 = version == "1.3"
        self.aead = aead(key)
        self.iv = iv
        self.seq = seq

    def _nonce(self):
        if len(self.iv) == 12:
            s = self.seq.to_bytes(12, "big")
            return bytes(a ^ b for a, b in zip(self.iv, s))
        # TLS 1.2 GCM/CCM: fixed part, then the explicit part (the seq)
        return self.iv + self.seq.to_bytes(8, "big")

    def seal(self, ctype, payload, pad=0, inner=None):
        nonce = self._nonce()
        if self.v13:
            inner_type = ctype if inner is None else inner
            plain = payload + bytes([inner_type]) + bytes(pad)
            hdr = struct.pack("!BHH", CT_DATA, 0x0303, len(plain) + TAG)
            body = self.aead.encrypt(nonce, plain, hdr)
        else:
            aad = self.seq.to_bytes(8, "big") + struct.pack(
                "!BHH", ctype, 0x0303, len(payload))
            body = self.aead.encrypt(nonce, payload, aad)
            if len(self.iv) == 4:
                body = nonce[4:] + body
            hdr = struct.pack("!BHH", ctype, 0x0303, len(body))
        self.seq += 1
        return hdr + body

    def open(self, ctype, body):
        nonce = self._nonce()
        hdr = struct.pack("!BHH", ctype, 0x0303, len(body))
        if self.v13:
            plain = self.aead.decrypt(nonce, body, hdr).rstrip(b"\0")
            self.seq += 1
            return plain[-1], plain[:-1]
        if len(self.iv) == 4:
            nonce = self.iv + body[:8]
            body = body[8:]
        aad = self.seq.to_bytes(8, "big") + struct.pack(
            "!BHH", ctype, 0x0303, len(body) - TAG)
        self.seq += 1
        return ctype, self.aead.decrypt(nonce, body, aad)


def hkdf_label(h, secret, label, length):
    full = b"tls13 " + label
    info = struct.pack("!HB", length, len(full)) + full + b"\0"
    return HKDFExpand(h(), length, info).derive(secret)


def prf(h, secret, label, seed, length):
    """TLS 1.2 PRF (RFC 5246 5): P_hash over label + seed."""
    name = h.name
    seed = label + seed
    out, a = b"", seed
    while len(out) < length:
        a = hmac.new(secret, a, name).digest()
        out += hmac.new(secret, a + seed, name).digest()
    return out[:length]


def keylog(path):
    lines = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 3:
                lines[p[0]] = bytes.fromhex(p[2])
    return lines


def read_record(sock, buf):
    """One whole record from buf (filled from sock): (record, rest)."""
    while True:
        if len(buf) >= 5:
            n = struct.unpack("!H", buf[3:5])[0]
            if len(buf) >= 5 + n:
                return buf[:5 + n], buf[5 + n:]
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("peer closed during the handshake")
        buf += chunk


class Peer:
    def __init__(self, a, sock):
        self.a = a
        self.sock = sock
        self.randoms = {}

    def note_hello(self, data):
        """Remember ClientHello's and ServerHello's randoms (TLS 1.2)."""
        off = 0
        while off + 5 <= len(data):
            t, _, n = struct.unpack("!BHH", data[off:off + 5])
            m = data[off + 5:off + 5 + n]
            if t == CT_HANDSHAKE and len(m) >= 38 and m[0] in (1, 2):
                self.randoms.setdefault(m[0], m[6:38])
            off += 5 + n

    def handshake(self, ctx):
        inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
        server = self.a.role == "server"
        tls = ctx.wrap_bio(inc, out, server_side=server,
                           server_hostname=None if server else self.a.name)
        buf = b""
        types = []          # of the records the other side sent
        while True:
            try:
                tls.do_handshake()
                done = True
            except ssl.SSLWantReadError:
                done = False
            data = out.read()
            if data:
                self.note_hello(data)
                self.sock.sendall(data)
            if done:
                break
            # one record at a time: what follows the handshake stays ours
            rec, buf = read_record(self.sock, buf)
            types.append(str(rec[0]))
            self.note_hello(rec)
            inc.write(rec)
        self.rest = buf
        self.version = "1.3" if tls.version() == "TLSv1.3" else "1.2"
        self.suite = tls.cipher()[0]
        print("handshake done %s %s" % (self.version, self.suite),
              flush=True)
        # OpenSSL offers a legacy_session_id: a TLS 1.3 server answers
        # 22 (ServerHello), 20 (the dummy change_cipher_spec), 23...
        print("handshake records %s" % ",".join(types), flush=True)

    def derive(self, log):
        aead, klen, ivlen, h = SUITES[self.suite]
        k = keylog(log)
        if self.version == "1.3":
            keys = {}
            for side in ("CLIENT", "SERVER"):
                s = k[side + "_TRAFFIC_SECRET_0"]
                keys[side] = (hkdf_label(h, s, b"key", klen),
                              hkdf_label(h, s, b"iv", 12))
            seq = 0
        else:
            block = prf(h, k["CLIENT_RANDOM"], b"key expansion",
                        self.randoms[2] + self.randoms[1],
                        2 * klen + 2 * ivlen)
            keys = {"CLIENT": (block[:klen], block[2 * klen:2 * klen + ivlen]),
                    "SERVER": (block[klen:2 * klen],
                               block[2 * klen + ivlen:])}
            seq = 1     # Finished was record 0 under these keys
        mine, theirs = (("SERVER", "CLIENT") if self.a.role == "server"
                        else ("CLIENT", "SERVER"))
        self.tx = Direction(self.version, aead, *keys[mine], seq)
        self.rx = Direction(self.version, aead, *keys[theirs], seq)

    def read_all(self, timeout):
        """Records until the endpoint closes: (alert, data, closed)."""
        alert, data, buf = None, b"", self.rest
        self.sock.settimeout(timeout)
        closed = "no"
        while True:
            while len(buf) >= 5:
                t, _, n = struct.unpack("!BHH", buf[:5])
                if len(buf) < 5 + n:
                    break
                body, buf = buf[5:5 + n], buf[5 + n:]
                try:
                    t, plain = self.rx.open(t, body)
                except Exception:
                    return "undecryptable", data, "yes"
                # the first fatal alert, else the first (close_notify)
                if t == CT_ALERT and (alert is None or
                                      (plain[:1] == b"\x02" and
                                       alert[:1] != b"\x02")):
                    alert = plain
                elif t == CT_DATA:
                    data += plain
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            except OSError:
                closed = "yes"
                break
            if not chunk:
                closed = "yes"
                break
            buf += chunk
        return alert, data, closed


def http_get(path):
    return ("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path).encode()


def http_answer(peer):
    """Read one HTTP answer (Content-Length) through our RX keys."""
    data = b""
    raw = peer.rest
    while True:
        if b"\r\n\r\n" in data:
            head, body = data.split(b"\r\n\r\n", 1)
            n = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    n = int(line.split(b":")[1])
            if len(body) >= n:
                peer.rest = raw
                return head.split(b"\r\n")[0], body[:n]
        while len(raw) < 5 or len(raw) < 5 + struct.unpack(
                "!H", raw[3:5])[0]:
            chunk = peer.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before the answer")
            raw += chunk
        t, _, n = struct.unpack("!BHH", raw[:5])
        t, plain = peer.rx.open(t, raw[5:5 + n])
        raw = raw[5 + n:]
        if t == CT_DATA:
            data += plain


def flip(rec, pos):
    """rec with one bit changed at pos (negative: from the end)."""
    b = bytearray(rec)
    b[pos] ^= 0x01
    return bytes(b)


def handshake_msg(mtype, body):
    return bytes([mtype]) + len(body).to_bytes(3, "big") + body


def case_records(p, case, after):
    """The crafted record(s) of a case, with 'after' where it belongs."""
    tx, v13 = p.tx, p.version == "1.3"
    if case == "valid":
        return tx.seal(CT_DATA, after)
    if case == "zero-length":
        return tx.seal(CT_DATA, b"") + tx.seal(CT_DATA, after)
    if case == "max-size":
        # a full record: 2^14 plaintext bytes (TLS 1.3: padding fills it)
        if v13:
            return tx.seal(CT_DATA, after, pad=MAX_PLAIN - len(after))
        return tx.seal(CT_DATA, after + b"x" * (MAX_PLAIN - len(after)))
    if case in ("tag-first", "tag-last", "ct-first", "ct-mid"):
        rec = tx.seal(CT_DATA, b"bad " + after)
        explicit = 0 if v13 or len(tx.iv) == 12 else 8
        pos = {"tag-first": -TAG, "tag-last": -1, "ct-first": 5 + explicit,
               "ct-mid": 5 + explicit + (len(rec) - 5 - explicit - TAG) // 2
               }[case]
        return flip(rec, pos) + tx.seal(CT_DATA, after)
    if case == "header-type":
        # the record header is authenticated too (AAD)
        rec = bytearray(tx.seal(CT_DATA, b"bad " + after))
        rec[0] = CT_HANDSHAKE
        return bytes(rec) + tx.seal(CT_DATA, after)
    if case == "oversize":
        # more ciphertext than any version allows (2^14 + 2048 in 1.2)
        n = MAX_PLAIN + 2048 + 1
        return struct.pack("!BHH", CT_DATA, 0x0303, n) + bytes(n)
    if case == "plain-overflow":
        # valid protection, 2^14 + 1 bytes of plaintext (1.3: + type)
        return tx.seal(CT_DATA, after + bytes(MAX_PLAIN + 1 - len(after)))
    if case == "padding-only":
        # TLS 1.2 has no padding: a record of type 0 instead
        rec = tx.seal(0, b"", pad=8, inner=0) if v13 else tx.seal(0, b"x")
        return rec + tx.seal(CT_DATA, after)
    if case == "unknown-type":
        if v13:
            rec = tx.seal(CT_DATA, b"x", inner=99)
        else:
            rec = tx.seal(99, b"x")
        return rec + tx.seal(CT_DATA, after)
    if case == "plain-alert":
        return struct.pack("!BHHBB", CT_ALERT, 0x0303, 2, 2, 40) + \
            tx.seal(CT_DATA, after)
    if case == "plain-ccs":
        return struct.pack("!BHHB", CT_CCS, 0x0303, 1, 1) + \
            tx.seal(CT_DATA, after)
    if case == "after-close-notify":
        return tx.seal(CT_ALERT, b"\x01\x00") + tx.seal(CT_DATA, after)
    if case == "hello-request":
        return tx.seal(CT_HANDSHAKE, handshake_msg(0, b"")) + \
            tx.seal(CT_DATA, after)
    if case == "second-finished":
        return tx.seal(CT_HANDSHAKE, handshake_msg(20, bytes(32))) + \
            tx.seal(CT_DATA, after)
    if case == "ticket-to-server":
        nst = struct.pack("!IIB", 7200, 1, 1) + b"n" + \
            struct.pack("!H", 4) + b"tick" + b"\0\0"
        return tx.seal(CT_HANDSHAKE, handshake_msg(4, nst)) + \
            tx.seal(CT_DATA, after)
    if case == "keyupdate-bad":
        return tx.seal(CT_HANDSHAKE, handshake_msg(24, b"\x02")) + \
            tx.seal(CT_DATA, after)
    if case == "keyupdate-split":
        ku = handshake_msg(24, b"\x00")
        return tx.seal(CT_HANDSHAKE, ku[:2]) + tx.seal(CT_DATA, b"x") + \
            tx.seal(CT_HANDSHAKE, ku[2:]) + tx.seal(CT_DATA, after)
    raise SystemExit("unknown case %s" % case)


def context(a, log):
    server = a.role == "server"
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server
                         else ssl.PROTOCOL_TLS_CLIENT)
    if server:
        ctx.load_cert_chain(a.cert, a.key)
        ctx.num_tickets = 0             # our TX starts at record 0
        ctx.options |= ssl.OP_NO_TICKET
    elif a.ca:
        ctx.load_verify_locations(a.ca)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    v = ssl.TLSVersion.TLSv1_2 if a.tls == "1.2" else ssl.TLSVersion.TLSv1_3
    ctx.minimum_version = ctx.maximum_version = v
    if a.cipher:
        ctx.set_ciphers(a.cipher)
    ctx.keylog_filename = log
    return ctx


def listener(a):
    if a.role == "client":
        return None
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", int(a.where[0])))
    ls.listen(1)
    ls.settimeout(a.timeout)
    print("listening", flush=True)
    return ls


def connect(a, ls):
    if not ls:
        if a.step and not sys.stdin.readline():
            raise ConnectionError("no go-ahead on stdin")
        return socket.create_connection((a.where[0], int(a.where[1])),
                                        timeout=a.timeout)
    sock, _ = ls.accept()
    sock.settimeout(a.timeout)
    return sock


def run(a, case, sock, log):
    a.case = case
    p = Peer(a, sock)
    p.handshake(context(a, log))
    p.derive(log)
    canary = os.urandom(6).hex()
    before = "ok" if a.app == "http" else "-"
    if a.app == "http":
        p.sock.sendall(p.tx.seal(CT_DATA, http_get("/hello.txt")))
        status, body = http_answer(p)
        if not status.startswith(b"HTTP/1.1 200") or \
                hashlib.sha256(body).hexdigest() != a.before_sha256:
            before = "bad"
        after = http_get("/after-" + canary)
    else:
        p.sock.sendall(p.tx.seal(CT_DATA, ("before-%s\n" % canary).encode()))
        after = ("after-%s\n" % canary).encode()
    print("canary %s %s" % (case, canary), flush=True)
    try:
        p.sock.sendall(case_records(p, a.case, after))
    except OSError as e:
        print("send failed: %s" % e, flush=True)
    answered = b""
    # a TLS 1.2 client may ignore a HelloRequest (RFC 5246 7.4.1.1)
    ignored = a.case == "hello-request" and a.role == "server" and \
        p.version == "1.2"
    if a.case in ("valid", "zero-length", "max-size") or ignored:
        # nothing wrong was sent: take the answer, then end the stream
        # (a TLS 1.2 server may drop answers once close_notify is in)
        if a.app == "http":
            answered = http_answer(p)[0]
        p.sock.sendall(p.tx.seal(CT_ALERT, b"\x01\x00"))
    alert, data, closed = p.read_all(a.timeout)
    data = answered + data
    if alert is None:
        text = "none"
    elif isinstance(alert, str):
        text = alert
    else:
        text = "%s:%s" % ({1: "warning", 2: "fatal"}.get(alert[0], "?"),
                          ALERTS.get(alert[1], str(alert[1])))
    got_after = b"after-" + canary.encode() in data or \
        (a.app == "http" and data.startswith(b"HTTP/1.1"))
    if a.app == "raw":
        got_after = "-"         # the endpoint's output tells
    else:
        got_after = "delivered" if got_after else "none"
    print("result case=%s alert=%s before=%s after=%s closed=%s" %
          (a.case, text, before, got_after, closed), flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["client", "server"])
    ap.add_argument("where", nargs="+")
    ap.add_argument("--tls", choices=["1.2", "1.3"], required=True)
    ap.add_argument("--case", required=True,
                    help="comma-separated cases, one connection each")
    ap.add_argument("--app", choices=["http", "raw"], default="raw")
    ap.add_argument("--before-sha256", help="http: SHA-256 of /hello.txt")
    ap.add_argument("--cipher", help="TLS 1.2 suites, OpenSSL names")
    ap.add_argument("--ca")
    ap.add_argument("--name")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--step", action="store_true",
                    help="client: connect once per line read from stdin "
                    "(the test starts a fresh endpoint for each case)")
    ap.add_argument("--timeout", type=float, default=30)
    a = ap.parse_args()
    ls = listener(a)
    rc = 0
    for case in a.case.split(","):
        with tempfile.TemporaryDirectory() as d:
            try:
                with connect(a, ls) as sock:
                    run(a, case, sock, os.path.join(d, "keylog"))
            except (ssl.SSLError, OSError, ConnectionError, KeyError) as e:
                print("result case=%s error %s: %s" %
                      (case, type(e).__name__, e), flush=True)
                rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
