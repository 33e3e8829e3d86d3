#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A TLS peer (Python's ssl module, so OpenSSL) that half-closes the TCP
# connection together with its last handshake flight: the flight and the
# FIN leave in one segment (MSG_MORE, then shutdown(SHUT_WR)), so the FIN
# is always there before the other side can attach kernel TLS. What an
# on-path attacker gets with one injected FIN, made deterministic.
#
#   halfclose_peer.py client HOST PORT --ca CA --name NAME --tls 1.2|1.3
#                     [--data TEXT]
#   halfclose_peer.py server PORT --cert CHAIN --key KEY --tls 1.2|1.3
#
# The handshake runs over memory BIOs so the script sees each flight. After
# it, every byte that still arrives is counted (raw, not decrypted) until
# the other side closes. Lines on stdout: "listening" (server), "flight N
# sent with FIN", "handshake done", "after N bytes".
import argparse
import socket
import ssl
import sys

# Which of our outgoing flights is the last one of the handshake:
# client: ClientHello, then Finished (1.3) or ClientKeyExchange..Finished
# (1.2); server 1.3: ServerHello..Finished; server 1.2: ServerHello..Done,
# then ChangeCipherSpec, Finished.
LAST_FLIGHT = {("client", "1.2"): 2, ("client", "1.3"): 2,
               ("server", "1.2"): 2, ("server", "1.3"): 1}


def context(a):
    if a.role == "client":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(a.ca)
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
    v = ssl.TLSVersion.TLSv1_2 if a.tls == "1.2" else ssl.TLSVersion.TLSv1_3
    ctx.minimum_version = v
    ctx.maximum_version = v
    return ctx


def handshake(a, sock, tls, inc, out):
    flights = 0
    fin_after = LAST_FLIGHT[(a.role, a.tls)]
    done = False
    while not done:
        try:
            tls.do_handshake()
            done = True
        except ssl.SSLWantReadError:
            pass
        data = out.read()
        if data and flights >= fin_after:
            # our side is closed: what follows (a TLS 1.3 server's
            # tickets) cannot be sent, and the handshake needs none of it
            pass
        elif data:
            flights += 1
            if flights == fin_after and done and a.data:
                # a TLS 1.3 client may send data right behind Finished
                tls.write(a.data.encode().decode("unicode_escape").encode())
                data += out.read()
            if flights == fin_after:
                sock.send(data, socket.MSG_MORE)
                sock.shutdown(socket.SHUT_WR)
                print("flight %d sent with FIN" % flights, flush=True)
            else:
                sock.sendall(data)
        if done:
            break
        chunk = sock.recv(65536)
        if not chunk:
            print("peer closed during the handshake", flush=True)
            return False
        inc.write(chunk)
    print("handshake done %s" % tls.version(), flush=True)
    return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["client", "server"])
    p.add_argument("where", nargs="+")
    p.add_argument("--ca")
    p.add_argument("--name")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--tls", choices=["1.2", "1.3"], required=True)
    p.add_argument("--data", help="client, TLS 1.3: application data "
                   "(backslash escapes allowed) sent with Finished and FIN")
    p.add_argument("--timeout", type=float, default=120)
    a = p.parse_args()

    ctx = context(a)
    if a.role == "client":
        sock = socket.create_connection((a.where[0], int(a.where[1])),
                                        timeout=a.timeout)
    else:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", int(a.where[0])))
        ls.listen(1)
        print("listening", flush=True)
        ls.settimeout(a.timeout)
        sock, _ = ls.accept()
        sock.settimeout(a.timeout)
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out, server_side=(a.role == "server"),
                       server_hostname=a.name)
    try:
        ok = handshake(a, sock, tls, inc, out)
    except (ssl.SSLError, OSError) as e:
        print("handshake error %s" % e, flush=True)
        ok = False
    n = 0
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            n += len(chunk)
    except OSError:
        pass
    print("after %d bytes" % n, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
