"""Real Alertmanager servers on loopback (run_module and run_playbook are in tests/integration/conftest.py).

Each server is Debian's /usr/bin/prometheus-alertmanager with its own free ports and a
temporary --storage.path; the fixtures wait for /-/ready and stop them at teardown.
Tests stay apart by using their own created_by (the ``creator`` fixture).
"""

import base64
import datetime
import ipaddress
import json
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import bcrypt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

REPO = Path(__file__).resolve().parents[3]
BINARY = Path(os.environ.get('ALERTMANAGER_BINARY', '/usr/bin/prometheus-alertmanager'))
USER, PASSWORD = 'ansible', 'correct horse battery staple'
CONFIG = 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Alertmanager:
    """One running server, with a small HTTP client that does not use the collection's code."""

    def __init__(self, workdir, name, *, auth=None, cluster_port=None, peers=(), tls=None):
        self.name = name
        self.auth = auth
        self.tls = tls
        self.port = free_port()
        self.cluster_port = cluster_port
        self.url = '%s://127.0.0.1:%d' % ('https' if tls else 'http', self.port)
        workdir.mkdir(parents=True)
        (workdir / 'alertmanager.yml').write_text(CONFIG)
        args = [
            str(BINARY),
            '--config.file=%s' % (workdir / 'alertmanager.yml'),
            '--storage.path=%s' % (workdir / 'data'),
            '--web.listen-address=127.0.0.1:%d' % self.port,
            '--cluster.listen-address=%s' % ('127.0.0.1:%d' % cluster_port if cluster_port else ''),
            '--log.level=debug',
        ]
        args += ['--cluster.peer=%s' % peer for peer in peers]
        if cluster_port:
            # Loopback gossip settles fast; the defaults are tuned for real networks.
            args += ['--cluster.gossip-interval=100ms', '--cluster.pushpull-interval=2s']
        web = []
        if auth:
            hashed = bcrypt.hashpw(auth[1].encode(), bcrypt.gensalt(rounds=4)).decode()
            web.append('basic_auth_users:\n  %s: %s' % (auth[0], hashed))
        if tls:
            web.append('tls_server_config:\n  cert_file: %(server_cert)s\n  key_file: %(server_key)s\n'
                       '  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: %(ca)s' % tls)
        if web:
            (workdir / 'web.yml').write_text('\n'.join(web) + '\n')
            args.append('--web.config.file=%s' % (workdir / 'web.yml'))
        self.log = workdir / 'alertmanager.log'
        with open(self.log, 'wb') as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                self.request('GET', '/-/ready')
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        self.stop()
        pytest.fail('Alertmanager %s did not become ready; its log:\n%s' % (self.name, self.log.read_text()[-3000:]))

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)  # noqa: S310 (loopback only)
        if data is not None:
            request.add_header('Content-Type', 'application/json')
        if self.auth:
            token = base64.b64encode(('%s:%s' % self.auth).encode()).decode()
            request.add_header('Authorization', 'Basic %s' % token)
        context = None
        if self.tls:
            context = ssl.create_default_context(cafile=self.tls['ca'])
            context.load_cert_chain(self.tls['client_cert'], self.tls['client_key'])
        with urllib.request.urlopen(request, timeout=5, context=context) as response:  # noqa: S310
            raw = response.read()
        return json.loads(raw) if raw.strip() and path.startswith('/api/') else raw

    def silences(self, created_by):
        return [s for s in self.request('GET', '/api/v2/silences') if s['createdBy'] == created_by]

    def live(self, created_by):
        return [s for s in self.silences(created_by) if s['status']['state'] != 'expired']

    def silence(self, silence_id):
        return self.request('GET', '/api/v2/silence/%s' % silence_id)

    def peers(self):
        return len(self.request('GET', '/api/v2/status')['cluster'].get('peers') or [])

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                # A cluster member waits for its gone peers before it exits; no need to.
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope='session')
def servers(tmp_path_factory):
    """Start servers on demand; stop them all at the end of the session."""
    if not os.access(BINARY, os.X_OK):
        pytest.fail('%s is missing: the integration tests need the real Alertmanager. Install it with '
                    'scripts/setup.sh (or apt-get install prometheus-alertmanager).' % BINARY)
    started = []

    def start(name, **kwargs):
        server = Alertmanager(tmp_path_factory.mktemp('am') / name, name, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope='session')
def alertmanager(servers):
    """A single server without authentication."""
    return servers('single')


@pytest.fixture(scope='session')
def auth_alertmanager(servers):
    """A single server that wants HTTP basic auth (bcrypt user in --web.config.file)."""
    return servers('auth', auth=(USER, PASSWORD))


def _issue(subject, key, issuer, issuer_key, *, ca=False, server=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
    if not ca:
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope='session')
def pki(tmp_path_factory):
    """A throw-away CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files."""
    folder = tmp_path_factory.mktemp('pki')
    paths = {}

    def write(name, cert, key):
        paths[name + '_cert' if name != 'ca' else 'ca'] = str(folder / ('%s.pem' % name))
        (folder / ('%s.pem' % name)).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        paths[name + '_key'] = str(folder / ('%s.key' % name))
        (folder / ('%s.key' % name)).write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'tradpal test CA')])
    write('ca', _issue(ca_name, ca_key, ca_name, ca_key, ca=True), ca_key)
    for name in ('server', 'client'):
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        write(name, _issue(subject, key, ca_name, ca_key, server=name == 'server'), key)
    return paths


@pytest.fixture(scope='session')
def tls_alertmanager(servers, pki):
    """A single server on HTTPS that requires a client certificate signed by the test CA."""
    return servers('tls', tls=pki)


@pytest.fixture(scope='session')
def cluster(servers):
    """Two servers gossiping with each other over loopback."""
    first_port, second_port = free_port(), free_port()
    first = servers('node1', cluster_port=first_port)
    second = servers('node2', cluster_port=second_port, peers=['127.0.0.1:%d' % first_port])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not (first.peers() == second.peers() == 2):
        time.sleep(0.1)
    assert first.peers() == second.peers() == 2, 'the two Alertmanagers did not form a cluster'
    return first, second


@pytest.fixture
def basic_auth():
    """(user, password) that auth_alertmanager accepts."""
    return USER, PASSWORD


@pytest.fixture
def unused_url():
    """A loopback URL where nothing listens."""
    return 'http://127.0.0.1:%d' % free_port()


@pytest.fixture
def creator(request):
    """A created_by value no other test uses, so tests never see each other's silences."""
    return 'it-%s-%s' % (request.node.name[:40], uuid.uuid4().hex[:8])
