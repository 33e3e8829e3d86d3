# SPDX-License-Identifier: GPL-2.0-or-later
"""A handshake agent that never finishes: how kernel consumers fare with
an agent that hangs or dies.

    python3 stall_agent.py listen   # join the "tlshd" group, accept nothing
    python3 stall_agent.py accept   # take each request (ACCEPT), never DONE

It prints "joined" once it listens, then one line per READY and, in accept
mode, the ACCEPT reply's attributes (the socket it was given is held open
until the process ends: killing it is an agent dying mid-handshake).
"""

import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
NLM_F_REQUEST = 1
NLMSG_ERROR = 2
HANDSHAKE_CMD_READY = 1
HANDSHAKE_CMD_ACCEPT = 2
ACCEPT_NAMES = {1: "sockfd", 2: "handler_class", 3: "message_type",
                4: "timeout", 5: "auth_mode", 6: "peer_identity",
                7: "certificate", 8: "peername", 9: "keyring"}


def attrs(buf):
    """(type, payload) of each netlink attribute in buf"""
    out = []
    while len(buf) >= 4:
        alen, atype = struct.unpack_from("=HH", buf)
        if alen < 4:
            break
        out.append((atype & 0x3fff, buf[4:alen]))
        buf = buf[(alen + 3) & ~3:]
    return out


def attr(atype, payload):
    pad = b"\0" * (-len(payload) % 4)
    return struct.pack("=HH", 4 + len(payload), atype) + payload + pad


def request(sock, family, cmd, payload=b"", version=1):
    msg = struct.pack("=BBH", cmd, version, 0) + payload
    sock.send(struct.pack("=IHHII", 16 + len(msg), family, NLM_F_REQUEST,
                          1, 0) + msg)


def messages(data):
    """(type, genl command, attributes) of each message in a datagram"""
    out = []
    while len(data) >= 16:
        mlen, mtype = struct.unpack_from("=IH", data)
        body = data[16:mlen]
        if mtype == NLMSG_ERROR:
            err = struct.unpack_from("=i", body)[0]
            if err:
                sys.exit("netlink error %d" % err)
        else:
            out.append((mtype, body[0], attrs(body[4:])))
        data = data[(mlen + 3) & ~3:]
    return out


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "listen"
    ctl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    ctl.bind((0, 0))
    request(ctl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
            attr(CTRL_ATTR_FAMILY_NAME, b"handshake\0"))
    family = group = None
    for _, _, found in messages(ctl.recv(65536)):
        for atype, val in found:
            if atype == CTRL_ATTR_FAMILY_ID:
                family = struct.unpack("=H", val[:2])[0]
            elif atype == CTRL_ATTR_MCAST_GROUPS:
                for _, grp in attrs(val):
                    g = dict(attrs(grp))
                    if g.get(1, b"").rstrip(b"\0") == b"tlshd":
                        group = struct.unpack("=I", g[2])[0]
    if family is None or group is None:
        sys.exit("no handshake family or tlshd group")
    mc = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    mc.bind((0, 0))
    mc.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)
    print("joined family %d group %d" % (family, group), flush=True)
    held = []
    while True:
        for _, cmd, _ in messages(mc.recv(65536)):
            if cmd != HANDSHAKE_CMD_READY:
                continue
            print("READY", flush=True)
            if mode != "accept":
                continue
            request(ctl, family, HANDSHAKE_CMD_ACCEPT,
                    attr(2, struct.pack("=I", 1)))
            for _, _, got in messages(ctl.recv(65536)):
                shown = []
                for atype, val in got:
                    name = ACCEPT_NAMES.get(atype, str(atype))
                    if name == "peername":
                        shown.append("peername=%s" %
                                     val.rstrip(b"\0").decode(errors="replace"))
                    elif len(val) == 4:
                        shown.append("%s=%d" % (name,
                                                struct.unpack("=I", val)[0]))
                    else:
                        shown.append("%s=<%d bytes>" % (name, len(val)))
                    if name == "sockfd":
                        held.append(struct.unpack("=I", val)[0])
                print("ACCEPT " + " ".join(shown), flush=True)


if __name__ == "__main__":
    main()
