#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helper of idle.sh (not a test itself): open N TLS connections to a
# server, send one keep-alive request on each and read its answer, then
# hold them all open and idle. Prints "ready N" when every connection is
# idle, then waits for a line on stdin: "probe K" sends one more request
# on K of the idle connections and prints "probed K_OK"; "quit" closes all.
# A bounded number of handshakes run at once, so a slow (emulated) server
# is never given more than it can finish within its handshake timeout.

import selectors
import socket
import ssl
import sys

HOST, PORT, N, CA = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
INFLIGHT = 64
REQ = b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"

ctx = ssl.create_default_context(cafile=CA)
sel = selectors.DefaultSelector()


class Conn:
    def __init__(self):
        self.raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.raw.setblocking(False)
        self.raw.connect_ex((HOST, PORT))
        self.state = "tcp"
        self.buf = b""
        sel.register(self.raw, selectors.EVENT_WRITE, self)

    def step(self):
        """Advance; return True when idle after a full answer."""
        try:
            if self.state == "tcp":
                # wrap only a connected socket: ssl peeks at it
                err = self.raw.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    raise ConnectionError("connect: %d" % err)
                sel.unregister(self.raw)
                self.s = ctx.wrap_socket(self.raw, server_hostname="localhost",
                                         do_handshake_on_connect=False)
                sel.register(self.s, selectors.EVENT_WRITE, self)
                self.state = "hs"
            if self.state == "hs":
                self.s.do_handshake()
                self.state = "send"
            if self.state == "send":
                self.s.send(REQ)
                self.state = "recv"
                sel.modify(self.s, selectors.EVENT_READ, self)
            if self.state == "recv":
                while True:
                    d = self.s.recv(65536)
                    if not d:
                        raise ConnectionError("closed")
                    self.buf += d
                    if b"\r\n\r\n" in self.buf and \
                            self.buf.endswith(b"ktls-serve\n"):
                        break
                if not self.buf.startswith(b"HTTP/1.1 200"):
                    raise ConnectionError("status")
                self.buf = b""
                self.state = "idle"
                sel.unregister(self.s)
                return True
        except ssl.SSLWantReadError:
            sel.modify(self.s, selectors.EVENT_READ, self)
        except ssl.SSLWantWriteError:
            sel.modify(self.s, selectors.EVENT_WRITE, self)
        except BlockingIOError:
            pass
        return False


idle = []
started = 0
shown = 0
while len(idle) < N:
    while started < N and started - len(idle) < INFLIGHT:
        Conn()
        started += 1
    for key, _ in sel.select(timeout=30):
        c = key.data
        try:
            if c.step():
                idle.append(c)
        except (OSError, ConnectionError, ssl.SSLError) as e:
            print("error", e, flush=True)
            sys.exit(1)
    if len(idle) >= shown + 1000:
        shown = len(idle) - len(idle) % 1000
        print("idle", shown, flush=True)
print("ready", len(idle), flush=True)

for line in sys.stdin:
    words = line.split()
    if words and words[0] == "probe":
        k = int(words[1])
        step = max(1, len(idle) // k)
        sample = idle[::step][:k]
        for c in sample:
            c.state = "send"
            sel.register(c.s, selectors.EVENT_WRITE, c)
        done = []
        while len(done) < len(sample):
            for key, _ in sel.select(timeout=60):
                c = key.data
                try:
                    if c.step():
                        done.append(c)
                except (OSError, ConnectionError, ssl.SSLError) as e:
                    print("error", e, flush=True)
                    sys.exit(1)
        print("probed", len(done), flush=True)
    elif words and words[0] == "quit":
        break
for c in idle:
    c.s.close()
print("closed", flush=True)
