# SPDX-License-Identifier: GPL-2.0-or-later
#
# Small helpers the bench scripts share: sizes with suffixes,
# /proc/net/tls_stat snapshots and deltas, and what machine we run on
# (kernel, CPU model, and whether the CPU is emulated, which decides how
# the numbers may be read).

import os
import platform
import re
import subprocess


def parse_size(s):
	"""'64M' -> 67108864; K, M, G are powers of 1024."""
	m = re.fullmatch(r'(\d+)([KMG]?)', s.strip().upper())
	if not m:
		raise ValueError('bad size %r (use e.g. 512K, 64M, 1G)' % s)
	return int(m.group(1)) << {'': 0, 'K': 10, 'M': 20, 'G': 30}[m.group(2)]


def ktls_available():
	try:
		with open('/proc/sys/net/ipv4/tcp_available_ulp') as f:
			if 'tls' in f.read().split():
				return True
	except OSError:
		return False
	subprocess.run(['modprobe', '-q', 'tls'], stderr=subprocess.DEVNULL)
	with open('/proc/sys/net/ipv4/tcp_available_ulp') as f:
		return 'tls' in f.read().split()


def tls_stat():
	"""/proc/net/tls_stat as a dict (empty when the tls module is out)."""
	st = {}
	try:
		with open('/proc/net/tls_stat') as f:
			for line in f:
				k, v = line.split()
				st[k] = int(v)
	except OSError:
		pass
	return st


def delta(a, b):
	"""Counter increases from snapshot a to b; gauges (TlsCurr*) left out,
	they say what is open, not what ran."""
	return {k: b[k] - a.get(k, 0) for k in b if not k.startswith('TlsCurr')}


def _cpu_model():
	try:
		with open('/proc/cpuinfo') as f:
			text = f.read()
	except OSError:
		return '', set()
	m = re.search(r'^model name\s*:\s*(.*)$', text, re.M)
	fl = re.search(r'^flags\s*:\s*(.*)$', text, re.M)
	return (m.group(1).strip() if m else platform.processor(),
		set(fl.group(1).split()) if fl else set())


def _dmesg():
	try:
		return subprocess.run(['dmesg'], capture_output=True, text=True,
				      timeout=10).stdout
	except (OSError, subprocess.TimeoutExpired):
		return ''


def emulation(model, flags, dmesg):
	"""(emulated, note). A CPU without the hypervisor flag is real. Under
	qemu's TCG the model name (or the boot log) says "QEMU TCG"; a guest
	under KVM shows the host's model and a "Hypervisor detected: KVM"
	line, and runs instructions natively, so only its I/O is virtual."""
	if 'hypervisor' not in flags:
		return False, None
	if 'TCG' in model or re.search(r'QEMU TCG|TCGTCGTCG', dmesg):
		return True, ('CPU model "%s": qemu software emulation (TCG); '
			      'timings compare paths run here, they do not '
			      'predict native speed' % model)
	m = re.search(r'Hypervisor detected: (\S+)', dmesg)
	if m and m.group(1) in ('KVM', 'Microsoft', 'VMware', 'Xen'):
		return False, ('virtual machine (%s): instructions run '
			       'natively, devices are virtual' % m.group(1))
	return True, ('hypervisor flag set and no hardware virtualization '
		      'found in the boot log: assuming emulation')


def host_info():
	model, flags = _cpu_model()
	emulated, note = emulation(model, flags, _dmesg())
	h = {'kernel': platform.release(), 'cpu': model,
	     'cpus': os.cpu_count(), 'emulated': emulated}
	if note:
		h['note'] = note
	return h
