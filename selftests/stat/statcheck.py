#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Checks of ktls-stat's machine output for the stat tests. Several checks
# go in one call, separated by "--" (Python starts slowly under emulation):
#
#   statcheck.py prom FILE [SAMPLES_OUT]
#       FILE is strict Prometheus text exposition format: only HELP, TYPE
#       and sample lines, TYPE before a family's samples, one TYPE per
#       family, counters named *_total, no sample twice; promtool (when
#       installed) must agree. Writes the samples, "name{labels} value",
#       to SAMPLES_OUT.
#   statcheck.py conn FILE LOCAL_PORT PEER_PORT KEY=VALUE...
#       FILE is ktls-stat --json; the connection with these ports exists
#       and each KEY has VALUE (text for a string field, else a JSON
#       literal; a VALUE starting with ~ is a substring the field must
#       contain).
#   statcheck.py count FILE N [KEY=VALUE...]
#       exactly N connections match every KEY=VALUE.
#   statcheck.py counters FILE
#       the "counters" object equals /proc/net/tls_stat read right after
#       for every TlsCurr* gauge, and no counter is above it.
#   statcheck.py watch FILE COUNTER MIN
#       --watch --json lines: each delta is value minus the previous value,
#       per_second is delta / interval, and COUNTER grew by MIN or more.
#   statcheck.py ends FILE KEYS_OUT...
#       every "ok VERSION CIPHER CPORT SPORT NOPAD" line of ktls-keys shows
#       in FILE from both ends, as set: tls, version, cipher, sw both
#       ways, no zero-copy, rx_no_pad as NOPAD.
#   statcheck.py parts FILE conns|counters|both
#       FILE holds the parts -c/-g asked for and not the others.
#   statcheck.py unpriv FILE
#       FILE comes from a run without CAP_NET_ADMIN: a note says that
#       the kernel may hide ULP state (6.1 and 6.12 do, 7.x does not).

import json
import re
import shutil
import subprocess
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
VALUE = r'(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|Inf)|NaN)'
SAMPLE = re.compile(r'^(%s)(\{(?:%s(?:,%s)*)?\})? (%s)(?: -?[0-9]+)?$' %
                    (NAME, LABEL, LABEL, VALUE))
HELP = re.compile(r'^# HELP (%s) (.*)$' % NAME)
TYPE = re.compile(r'^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$'
                  % NAME)


def die(msg):
    print('FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def check_prom(path, out=None):
    text = open(path).read()
    if not text.endswith('\n'):
        die('%s: the last line has no newline' % path)
    types, helps, seen, done = {}, set(), set(), set()
    current = None
    samples = []
    for n, line in enumerate(text.splitlines(), 1):
        m = HELP.match(line)
        if m:
            if m.group(1) in helps:
                die('line %d: second HELP for %s' % (n, m.group(1)))
            helps.add(m.group(1))
            continue
        m = TYPE.match(line)
        if m:
            name = m.group(1)
            if name in types:
                die('line %d: second TYPE for %s' % (n, name))
            if current:
                done.add(current)
            types[name] = m.group(2)
            current = name
            if m.group(2) == 'counter' and not name.endswith('_total'):
                die('line %d: counter %s does not end in _total' % (n, name))
            continue
        m = SAMPLE.match(line)
        if not m:
            die('line %d is not exposition format: %r' % (n, line))
        name = m.group(1)
        if name not in types:
            die('line %d: sample of %s before its TYPE' % (n, name))
        if name != current or name in done:
            die('line %d: %s samples are not together' % (n, name))
        key = name + (m.group(2) or '')
        if key in seen:
            die('line %d: sample %s twice' % (n, key))
        seen.add(key)
        samples.append('%s %s\n' % (key, m.group(3)))
    if shutil.which('promtool'):
        r = subprocess.run(['promtool', 'check', 'metrics'],
                           input=text, text=True, capture_output=True)
        if r.returncode:
            die('promtool check metrics: ' + r.stdout + r.stderr)
        print('ok: promtool check metrics agrees on %s' % path)
    if out:
        with open(out, 'w') as f:
            f.writelines(samples)
    print('ok: %s is exposition format, %d samples' % (path, len(samples)))


def value_of(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def matches(conn, pairs):
    for pair in pairs:
        key, _, want = pair.partition('=')
        if key not in conn:
            die('no field %s in %s' % (key, conn))
        got = conn[key]
        if want.startswith('~'):
            if not isinstance(got, str) or want[1:] not in got:
                return False
        elif isinstance(got, str):
            if got != want:
                return False
        elif got != value_of(want):
            return False
    return True


def load(path):
    with open(path) as f:
        return json.loads(f.read())


def check_conn(path, lport, pport, pairs):
    doc = load(path)
    conns = [c for c in doc['connections']
             if c['local_port'] == int(lport) and c['peer_port'] == int(pport)]
    if len(conns) != 1:
        die('%d connections %s -> %s in %s' % (len(conns), lport, pport, path))
    if not matches(conns[0], pairs):
        die('connection %s -> %s: want %s, have %s' %
            (lport, pport, ' '.join(pairs), json.dumps(conns[0])))


def check_count(path, n, pairs):
    doc = load(path)
    have = [c for c in doc['connections'] if matches(c, pairs)]
    if len(have) != int(n):
        die('%d connections match %s, not %s: %s' %
            (len(have), ' '.join(pairs), n, json.dumps(doc['connections'])))


def check_counters(path):
    doc = load(path)
    proc = {}
    for line in open('/proc/net/tls_stat'):
        name, value = line.split()
        proc[name] = int(value)
    got = doc['counters']
    if set(got) != set(proc):
        die('counter names differ: %s vs %s' % (sorted(got), sorted(proc)))
    for name, value in got.items():
        if name.startswith('TlsCurr') and value != proc[name]:
            die('%s is %d, /proc says %d' % (name, value, proc[name]))
        if value > proc[name]:
            die('%s is %d, above /proc (%d)' % (name, value, proc[name]))


def check_watch(path, counter, least):
    lines = [json.loads(l) for l in open(path) if l.strip()]
    if len(lines) < 2:
        die('%d samples in %s' % (len(lines), path))
    for prev, cur in zip(lines, lines[1:]):
        for name, c in cur['counters'].items():
            p = prev['counters'][name]['value']
            if name.startswith('TlsCurr'):
                if c['change'] != c['value'] - p:
                    die('%s: change %d, values %d -> %d' %
                        (name, c['change'], p, c['value']))
                continue
            if c['delta'] != c['value'] - p:
                die('%s: delta %d, values %d -> %d' %
                    (name, c['delta'], p, c['value']))
            if abs(c['per_second'] - c['delta'] / cur['interval']) > 0.01:
                die('%s: %.3f/s for %d in %.3f s' %
                    (name, c['per_second'], c['delta'], cur['interval']))
    grew = sum(l['counters'][counter]['delta'] for l in lines[1:])
    grew += lines[0]['counters'][counter]['delta']
    if grew < int(least):
        die('%s grew by %d in the samples, want %s or more' %
            (counter, grew, least))
    print('%s grew by %d over %d samples' % (counter, grew, len(lines)))


def check_ends(path, outs):
    n = 0
    for out in outs:
        for line in open(out):
            w = line.split()
            if not w or w[0] != 'ok':
                continue
            ver, cipher, cport, sport, nopad = w[1:6]
            for a, b in ((cport, sport), (sport, cport)):
                check_conn(path, a, b, [
                    'ulp=tls', 'tls_version=' + ver, 'cipher=' + cipher,
                    'tx=sw', 'rx=sw', 'zerocopy_sendfile=false',
                    'state=ESTAB', 'uid=0',
                    'rx_no_pad=' + ('true' if nopad == '1' else 'false')])
                n += 1
    print('ok: %d connection ends as ktls-keys set them' % n)


def check_parts(path, which):
    doc = load(path)
    if ('connections' in doc) != (which in ('conns', 'both')):
        die('%s: connections present: %s' % (path, 'connections' in doc))
    if ('counters' in doc) != (which in ('counters', 'both')):
        die('%s: counters present: %s' % (path, 'counters' in doc))


def check_unpriv(path):
    doc = load(path)
    if doc['net_admin'] is not False:
        die('%s: net_admin is %s' % (path, doc['net_admin']))
    # Debian's 6.1 and 6.12 hide ULP state from sock_diag without
    # CAP_NET_ADMIN; sid's 7.x kernel shows it. Either way the note must
    # be there to explain an empty table.
    if [c for c in doc['connections'] if c['ulp']]:
        print('# %s: this kernel shows ULP state without CAP_NET_ADMIN'
              % path)
    if not any('CAP_NET_ADMIN' in n for n in doc['notes']):
        die('%s: no note about CAP_NET_ADMIN: %s' % (path, doc['notes']))


def run(a):
    if a[:1] == ['prom'] and len(a) in (2, 3):
        check_prom(*a[1:])
    elif a[:1] == ['ends'] and len(a) >= 3:
        check_ends(a[1], a[2:])
    elif a[:1] == ['parts'] and len(a) == 3:
        check_parts(a[1], a[2])
    elif a[:1] == ['unpriv'] and len(a) == 2:
        check_unpriv(a[1])
    elif a[:1] == ['conn'] and len(a) >= 4:
        check_conn(a[1], a[2], a[3], a[4:])
    elif a[:1] == ['count'] and len(a) >= 3:
        check_count(a[1], a[2], a[3:])
    elif a[:1] == ['counters'] and len(a) == 2:
        check_counters(a[1])
    elif a[:1] == ['watch'] and len(a) == 4:
        check_watch(a[1], a[2], a[3])
    else:
        die('usage: see the top of ' + sys.argv[0])


def main():
    cmd = []
    for word in sys.argv[1:] + ['--']:
        if word != '--':
            cmd.append(word)
            continue
        if cmd:
            run(cmd)
            if cmd[0] not in ('prom', 'ends', 'watch'):
                print('ok: ' + ' '.join(cmd))
        cmd = []


main()
