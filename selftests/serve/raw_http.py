#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helper of smuggle.sh (not a test itself). For each FILE, in turn: send
# its bytes, exactly as they are, over a new TLS connection to
# 127.0.0.1:PORT, then read answers until the server closes the connection
# (or nothing arrives for LIMIT seconds, an upper bound, not a wait: a
# server that keeps the connection open is the failure being looked for).
# Writes FILE.out: one line per answer, split by its Content-Length,
#   STATUS CONNECTION BODY        (BODY with control bytes as \xNN)
# then "closed" or "open". Answers to HEAD are not supported. One process
# for every case: python starts slowly in an emulated guest.
#
#   raw_http.py PORT CAFILE LIMIT FILE...

import socket
import ssl
import sys

PORT, CA, LIMIT = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
ctx = ssl.create_default_context(cafile=CA)


def show(b):
    return "".join(chr(c) if 0x20 <= c < 0x7f else "\\x%02x" % c for c in b)


def exchange(request):
    """Send @request on a new connection; the bytes back and the end."""
    raw = socket.create_connection(("127.0.0.1", PORT), timeout=LIMIT)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    s.sendall(request)
    data = b""
    state = "closed"
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            state = "open"
            break
        except (ConnectionResetError, ssl.SSLError):
            break
        if not chunk:
            break
        data += chunk
    s.close()
    return data, state


def summary(data, state):
    lines = []
    while data:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            lines.append("partial " + show(data))
            break
        head = data[:end].decode("latin-1").split("\r\n")
        fields = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        n = int(fields.get("content-length", "0"))
        body = data[end + 4:end + 4 + n]
        data = data[end + 4 + n:]
        lines.append("%s %s %s" % (head[0].split(" ")[1],
                                   fields.get("connection", "-"), show(body)))
    lines.append(state)
    return "\n".join(lines) + "\n"


for name in sys.argv[4:]:
    with open(name, "rb") as f:
        out = summary(*exchange(f.read()))
    with open(name + ".out", "w") as f:
        f.write(out)
