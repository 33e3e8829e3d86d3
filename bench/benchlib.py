# SPDX-License-Identifier: GPL-2.0-or-later
#
# Small helpers the bench scripts share: sizes with suffixes,
# /proc/net/tls_stat snapshots and deltas, what machine we run on (kernel,
# CPU model, and whether the CPU is emulated, which decides how the numbers
# may be read), the servers under test (nginx from nginx.conf.in,
# ktls-serve in-process or with ktlsd), the CPU time of their processes,
# and curl fetches.

import hashlib
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
HZ = os.sysconf('SC_CLK_TCK')
GIB = 1 << 30

SUITES = {
	('1.3', 'aes128gcm'): 'TLS_AES_128_GCM_SHA256',
	('1.3', 'aes256gcm'): 'TLS_AES_256_GCM_SHA384',
	('1.3', 'chacha20'): 'TLS_CHACHA20_POLY1305_SHA256',
	('1.2', 'aes128gcm'): 'ECDHE-ECDSA-AES128-GCM-SHA256',
	('1.2', 'aes256gcm'): 'ECDHE-ECDSA-AES256-GCM-SHA384',
	('1.2', 'chacha20'): 'ECDHE-ECDSA-CHACHA20-POLY1305',
}
# the kernel's per-connection totals in /proc/net/tls_stat
TOTALS = ('TlsTxSw', 'TlsRxSw', 'TlsTxDevice', 'TlsRxDevice')


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


def counters_match(expect, delta, conns):
	"""Whether tls_stat deltas fit a path: expect names the counters that
	must rise once per connection, None means none of TOTALS may move."""
	if expect is None:
		return all(delta.get(k, 0) == 0 for k in TOTALS)
	return all(delta.get(k, 0) == conns for k in expect)


def free_port():
	"""A port below the ephemeral range nobody has bound (the kernel picks
	clients' ports above 32768, which could collide on a busy box)."""
	for p in range(21000, 32000, 7):
		s = socket.socket()
		try:
			s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
			s.bind(('127.0.0.1', p))
			# nginx takes two ports: the next one must be free too
			t = socket.socket()
			try:
				t.bind(('127.0.0.1', p + 1))
			finally:
				t.close()
			return p
		except OSError:
			continue
		finally:
			s.close()
	raise RuntimeError('no free port')


def wait_ready(what, proc, limit=60):
	"""Until a TCP port (int) accepts or a Unix socket (path) exists, or
	proc ends: whether it became ready."""
	end = time.time() + limit
	while time.time() < end:
		if proc.poll() is not None:
			return False
		if isinstance(what, str):
			if os.path.exists(what):
				return True
		else:
			try:
				socket.create_connection(('127.0.0.1', what),
							 1).close()
				return True
			except OSError:
				pass
		time.sleep(0.2)
	return False


def descendants(pid):
	"""pid and every process below it (nginx: master and workers)."""
	parent = {}
	for d in os.listdir('/proc'):
		if not d.isdigit():
			continue
		try:
			with open('/proc/%s/stat' % d) as f:
				parent[int(d)] = int(f.read().rsplit(')', 1)[1]
						     .split()[1])
		except (OSError, IndexError, ValueError):
			continue
	out, todo = [], [pid]
	while todo:
		p = todo.pop()
		out.append(p)
		todo += [c for c, pp in parent.items() if pp == p]
	return out


def _tasks(pids):
	for pid in pids:
		try:
			tids = os.listdir('/proc/%d/task' % pid)
		except OSError:
			continue
		for t in tids:
			yield '/proc/%d/task/%s/' % (pid, t)


def proc_cpu(pids):
	"""User plus system seconds of these processes (all their threads),
	in clock ticks' resolution."""
	t = 0
	for pid in pids:
		try:
			with open('/proc/%d/stat' % pid) as f:
				fields = f.read().rsplit(')', 1)[1].split()
		except OSError:
			continue
		t += int(fields[11]) + int(fields[12])
	return t / HZ


def task_ns(pids):
	"""Nanoseconds these processes' threads ran (schedstat's first field,
	exact): under qemu -icount, the instructions they executed."""
	ns = 0
	for t in _tasks(pids):
		try:
			with open(t + 'schedstat') as f:
				ns += int(f.read().split()[0])
		except (OSError, IndexError, ValueError):
			continue
	return ns


def task_ticks(pids):
	"""(user, system) clock ticks of these processes' threads: the kernel
	scales them to the exact run time, but splits it by 10 ms samples."""
	u = s = 0
	for t in _tasks(pids):
		try:
			with open(t + 'stat') as f:
				fields = f.read().rsplit(')', 1)[1].split()
		except OSError:
			continue
		u += int(fields[11])
		s += int(fields[12])
	return u, s


def system_busy():
	"""Seconds every CPU spent not idle (idle and iowait excluded)."""
	with open('/proc/stat') as f:
		v = [int(x) for x in f.readline().split()[1:]]
	return (sum(v[:8]) - v[3] - v[4]) / HZ


def spread(vals):
	"""median, min, max of a list (None when empty)."""
	if not vals:
		return None
	return {'median': statistics.median(vals), 'min': min(vals),
		'max': max(vals)}


def run_client(argv):
	"""Run a client to its end: (exit status, stdout, stderr, rusage)."""
	p = subprocess.Popen(argv, stdout=subprocess.PIPE,
			     stderr=subprocess.PIPE)
	out_b, err_b = p.stdout.read(), p.stderr.read()
	_, status, ru = os.wait4(p.pid, 0)
	p.returncode = os.waitstatus_to_exitcode(status)
	return (p.returncode, out_b.decode(errors='replace'),
		err_b.decode(errors='replace'), ru)


def fetch(url, ca, tls, cipher, out='/dev/null', stats=False):
	"""One curl fetch: (bytes, seconds, client CPU seconds), and with
	stats the client's rusage as well."""
	argv = ['curl', '-sS', '--fail', '--cacert', ca, '-o', out,
		'-w', '%{size_download} %{time_total}']
	suite = SUITES[(tls, cipher)]
	if tls == '1.3':
		argv += ['--tlsv1.3', '--tls13-ciphers', suite]
	else:
		argv += ['--tlsv1.2', '--tls-max', '1.2', '--ciphers', suite]
	rc, out_s, err_s, ru = run_client(argv + [url])
	if rc != 0:
		raise RuntimeError('curl %s: exit %d: %s' %
				   (url, rc, err_s.strip()))
	size, secs = out_s.split()
	res = (int(size), float(secs), ru.ru_utime + ru.ru_stime)
	return res + (ru,) if stats else res


class Server:
	"""One server under test: started, ready (a port or a Unix socket),
	its pids, stopped."""

	def __init__(self, name, argv, ready, logfile):
		self.name = name
		self.port = ready
		self.logfile = logfile
		self.log = open(logfile, 'w')
		self.proc = subprocess.Popen(argv, stdout=self.log,
					     stderr=subprocess.STDOUT,
					     start_new_session=True)
		if not wait_ready(ready, self.proc):
			self.stop()
			raise RuntimeError('%s did not start (see %s)' %
					   (name, logfile))
		time.sleep(0.5)		# let nginx's workers come up
		self.pids = descendants(self.proc.pid)

	def tail(self, n=3):
		"""The last lines it logged, for an error message."""
		try:
			with open(self.logfile, errors='replace') as f:
				return ' | '.join(f.read().splitlines()[-n:])
		except OSError:
			return ''

	def stop(self):
		if self.proc.poll() is None:
			self.proc.send_signal(signal.SIGTERM)
			try:
				self.proc.wait(20)
			except subprocess.TimeoutExpired:
				self.proc.kill()
				self.proc.wait()
		self.log.close()


def make_root(work, files):
	"""A development PKI (work/pki) and a document root (work/root) with
	random files {name: size}: (pki, root, {name: sha256})."""
	pki, root = os.path.join(work, 'pki'), os.path.join(work, 'root')
	os.makedirs(root)
	subprocess.run([os.path.join(REPO, 'tools', 'pki', 'mkpki'), '--dev',
			pki], check=True, stdout=subprocess.DEVNULL)
	sums = {}
	for name, size in files.items():
		h = hashlib.sha256()
		with open(os.path.join(root, name), 'wb') as f:
			left = size
			while left:
				b = os.urandom(min(left, 1 << 20))
				h.update(b)
				f.write(b)
				left -= len(b)
		sums[name] = h.hexdigest()
	return pki, root, sums


def file_sha256(path):
	with open(path, 'rb') as f:
		if hasattr(hashlib, 'file_digest'):
			return hashlib.file_digest(f, 'sha256').hexdigest()
		return hashlib.sha256(f.read()).hexdigest()


def start_nginx(work, pki, root, workers, tickets=False):
	"""nginx from nginx.conf.in: (server, user-space port, kTLS port).
	tickets: resumption as a tuned nginx does it (session tickets on and
	a shared session cache, as nginx's documentation recommends: with its
	default cache "none" curl's TLS 1.2 sessions were never resumed), or
	none at all."""
	nd = os.path.join(work, 'nginx')
	os.makedirs(nd)
	pu = free_port()
	pk = pu + 1
	with open(os.path.join(HERE, 'nginx.conf.in')) as f:
		conf = f.read()
	for k, v in (('DIR', nd), ('WORKERS', str(workers)),
		     ('LOGLEVEL', 'info'),
		     ('CERT', os.path.join(pki, 'localhost.crt')),
		     ('KEY', os.path.join(pki, 'localhost.key')),
		     ('PORT_USER', str(pu)), ('PORT_KTLS', str(pk)),
		     ('TICKETS', 'on' if tickets else 'off'),
		     ('SESSION_CACHE', 'shared:bench:1m' if tickets else 'off'),
		     ('ROOT', root)):
		conf = conf.replace('@%s@' % k, v)
	cf = os.path.join(nd, 'nginx.conf')
	with open(cf, 'w') as f:
		f.write(conf)
	s = Server('nginx', ['nginx', '-p', nd, '-c', cf], pu,
		   os.path.join(work, 'nginx.out'))
	return s, pu, pk


def start_serve(name, binary, extra, work, pki, root, workers):
	"""ktls-serve (binary) in-process with the development key, with the
	options extra: (server, port)."""
	p = free_port()
	argv = [binary, '--cert', os.path.join(pki, 'localhost.crt'),
		'--key', os.path.join(pki, 'localhost.key'), '--listen',
		'127.0.0.1:%d' % p, '--workers', str(workers), '-q',
		'--access-log', 'none'] + extra + ['serve', root]
	return Server(name, argv, p, os.path.join(work, name + '.out')), p


def start_ktlsd(work, pki, workers):
	"""ktlsd (beside ktls-serve in build/bin) with a server profile "web"
	on the development key, as selftests/serve/serve.bash starts it:
	(server, socket path)."""
	d = os.path.join(work, 'ktlsd')
	os.makedirs(d)
	sock = os.path.join(d, 'ktlsd.sock')
	conf = os.path.join(d, 'ktlsd.conf')
	with open(conf, 'w') as f:
		f.write('[global]\nsocket = %s\nsocket_mode = 0666\n'
			'lock_memory = no\nworkers = %d\n\n'
			'[profile web]\nrole = server\ncert = %s\nkey = %s\n'
			'allow_uid = 0\n' % (
				sock, workers,
				os.path.join(pki, 'localhost.crt'),
				os.path.join(pki, 'localhost.key')))
	binary = os.path.join(REPO, 'build', 'bin', 'ktlsd')
	return Server('ktlsd', [binary, '-f', '-c', conf], sock,
		      os.path.join(work, 'ktlsd.out')), sock


def start_daemon_serve(name, binary, sock, work, root, workers, extra=()):
	"""ktls-serve whose handshakes ktlsd (start_ktlsd) runs: (server,
	port)."""
	p = free_port()
	argv = [binary, '--ktlsd=' + sock, '--profile', 'web', '--listen',
		'127.0.0.1:%d' % p, '--workers', str(workers), '-q',
		'--access-log', 'none'] + list(extra) + ['serve', root]
	return Server(name, argv, p, os.path.join(work, name + '.out')), p
