#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_json.py FILE [--paths LIST] [--tls LIST] [--ciphers LIST]
#               [--flows N] [--reps N] [--ends N] [--expect-error TEXT]
#               [--may-be-unsupported PATHS] [--remote-server]
#
# Checks a "ktls-bench --json" throughput document: every field the
# contract names, one result per requested case, numbers where numbers
# belong, and /proc/net/tls_stat deltas that match each path, recomputed
# here rather than taken from the tool's own path_verified. --ends is how
# many kTLS ends the deltas cover (2 when both ends share a namespace or
# both namespaces are counted). With --expect-error every result must
# carry an error containing TEXT instead. A result of a path in
# --may-be-unsupported may say "unsupported" (with its reason) instead.
# --remote-server: client mode, the server's CPU time must be null.
import argparse
import json
import sys

USERSPACE = {"tcp", "wolfssl", "openssl"}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def spread(v, where, samples=None):
    if not isinstance(v, dict):
        fail(f"{where}: not an object: {v!r}")
    for k in ("median", "min", "max"):
        if not isinstance(v.get(k), (int, float)) or v[k] < 0:
            fail(f"{where}.{k}: {v.get(k)!r}")
    if not v["min"] <= v["median"] <= v["max"]:
        fail(f"{where}: min <= median <= max broken: {v}")
    if samples is not None:
        s = v.get("samples")
        if not isinstance(s, list) or len(s) != samples:
            fail(f"{where}.samples: want {samples}, got {s!r}")


def check_deltas(r, ends, where):
    d = r["tls_stat_delta"]
    if not isinstance(d, dict):
        fail(f"{where}: tls_stat_delta is not an object")
    conns = r["flows"] * r["reps"]
    g = lambda k: d.get(k, 0)
    txs, rxs, txd, rxd = g("TlsTxSw"), g("TlsRxSw"), g("TlsTxDevice"), g("TlsRxDevice")
    p = r["path"]
    if p in USERSPACE:
        ok = txs == rxs == txd == rxd == 0
    elif p == "device-tx":
        ok = txd >= conns
    elif p == "device-rx":
        ok = rxd >= conns
    else:
        ok = txs >= conns * ends and rxs >= conns * ends and txd == rxd == 0
    if not ok:
        fail(f"{where}: tls_stat deltas do not match the path: {d}")
    if g("TlsDecryptError"):
        fail(f"{where}: TlsDecryptError rose: {d}")
    if r["path_verified"] is not True:
        fail(f"{where}: path_verified is {r['path_verified']!r}")


def p_ok(path, a):
    return path in a.may_be_unsupported.split(",")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--paths", default="")
    ap.add_argument("--tls", default="1.3")
    ap.add_argument("--ciphers", default="aes128gcm")
    ap.add_argument("--flows", type=int, default=1)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--ends", type=int, default=2)
    ap.add_argument("--expect-error", default=None)
    ap.add_argument("--may-be-unsupported", default="")
    ap.add_argument("--remote-server", action="store_true")
    a = ap.parse_args()

    with open(a.file) as f:
        doc = json.load(f)
    if doc.get("tool") != "ktls-bench" or doc.get("mode") != "throughput":
        fail(f"tool/mode: {doc.get('tool')!r}/{doc.get('mode')!r}")
    if not isinstance(doc.get("version"), str):
        fail("version missing")
    h = doc.get("host")
    if not isinstance(h, dict):
        fail("host missing")
    for k, t in (("kernel", str), ("cpu", str), ("cpus", int), ("emulated", bool)):
        if not isinstance(h.get(k), t):
            fail(f"host.{k}: {h.get(k)!r}")
    if h["emulated"] and not h.get("note"):
        fail("emulated without a note")

    want = set()
    for p in a.paths.split(","):
        if p == "tcp":
            want.add((p, None, None))
            continue
        for c in a.ciphers.split(","):
            for v in a.tls.split(","):
                want.add((p, c, v))
    got = set()
    for r in doc.get("results", []):
        key = (r.get("path"), r.get("cipher"), r.get("tls"))
        where = "/".join(str(k) for k in key)
        got.add(key)
        for k in ("size", "bytes", "flows", "reps", "bytes_per_sec",
                  "cpu_sec_per_gib", "tls_stat_delta", "path_verified",
                  "error"):
            if k not in r:
                fail(f"{where}: no {k}")
        if a.expect_error is not None:
            if not r["error"] or a.expect_error not in r["error"]:
                fail(f"{where}: want an error with {a.expect_error!r}, got {r['error']!r}")
            continue
        if r.get("unsupported") is True and p_ok(r["path"], a):
            if not r["error"]:
                fail(f"{where}: unsupported without a reason")
            print(f"# {where}: unsupported here: {r['error']}")
            continue
        if r["error"] is not None or r.get("unsupported") is not False:
            fail(f"{where}: error: {r['error']}")
        if r["flows"] != a.flows or r["reps"] != a.reps:
            fail(f"{where}: flows/reps {r['flows']}/{r['reps']}")
        spread(r["bytes_per_sec"], where + ".bytes_per_sec", a.reps)
        if r["bytes_per_sec"]["min"] <= 0:
            fail(f"{where}: zero throughput")
        for side in ("server", "client", "system"):
            if side == "server" and a.remote_server:
                if r["cpu_sec_per_gib"].get(side, 0) is not None:
                    fail(f"{where}: a remote server's CPU cannot be known")
                continue
            spread(r["cpu_sec_per_gib"].get(side), f"{where}.cpu.{side}")
        check_deltas(r, a.ends, where)
    if got != want:
        fail(f"results: missing {sorted(map(str, want - got))}, extra {sorted(map(str, got - want))}")
    print(f"ok {len(got)} results: fields, numbers and tls_stat deltas match")


main()
