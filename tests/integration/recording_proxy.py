"""A reverse proxy for tests and benchmarks: counts the requests it forwards by method, and can
run a hook just before the next write (a request other than GET) reaches the server.

Used by the Grafana integration tests (no write on a no-op run; a colleague's edit between
a module's read and its write) and by the benchmarks in bench/.
"""

import threading
import urllib.error
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingProxy(ThreadingHTTPServer):
    """Forwards to Grafana, counts requests by method, and runs ``before_write`` once before the next write."""

    daemon_threads = True

    def __init__(self, upstream):
        super().__init__(('127.0.0.1', 0), _RecordingHandler)
        self.upstream = upstream
        self.counts = Counter()
        self.before_write = None
        self.lock = threading.Lock()
        self.url = 'http://127.0.0.1:%d' % self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def take(self):
        """Requests by method since the last call."""
        with self.lock:
            counts, self.counts = self.counts, Counter()
        return counts


class _RecordingHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def _relay(self):
        size = int(self.headers.get('Content-Length') or 0)
        payload = self.rfile.read(size) if size else None
        proxy = self.server
        with proxy.lock:
            proxy.counts[self.command] += 1
            hook = proxy.before_write if self.command != 'GET' else None
            if hook:
                proxy.before_write = None
        if hook:
            hook()
        keep = {k: v for k, v in self.headers.items() if k.lower() not in ('host', 'connection', 'content-length')}
        upstream = urllib.request.Request(proxy.upstream + self.path, data=payload, method=self.command,  # noqa: S310
                                          headers=keep)
        try:
            with urllib.request.urlopen(upstream, timeout=30) as answer:  # noqa: S310
                status, data, kind = answer.status, answer.read(), answer.headers.get('Content-Type')
        except urllib.error.HTTPError as exc:
            status, data, kind = exc.code, exc.read(), exc.headers.get('Content-Type')
        self.send_response(status)
        self.send_header('Content-Type', kind or 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _relay

    def log_message(self, *args):
        pass
