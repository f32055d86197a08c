"""A reverse proxy for tests and benchmarks: counts the requests it forwards by method, and can
run a hook just before the next write (a request other than GET) reaches the server.

It also records every request's method, path and headers (``seen``), and can answer paths
with a redirect instead of forwarding them (``redirects``), for the tests of where the
modules' HTTP client sends its credentials.

Used by the Grafana integration tests (no write on a no-op run; a colleague's edit between
a module's read and its write; credentials and redirects) and by the benchmarks in bench/.
"""

import threading
import urllib.error
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingProxy(ThreadingHTTPServer):
    """Forwards to Grafana, counts requests by method, and runs ``before_write`` once before the next write."""

    daemon_threads = True

    def __init__(self, upstream, host='127.0.0.1'):
        super().__init__((host, 0), _RecordingHandler)
        self.upstream = upstream
        self.counts = Counter()
        self.before_write = None
        # (method, path, {header: value}) of every request received, redirected ones included.
        self.seen = []
        # (path prefix, status, location prefix): a request below the prefix is answered with a
        # redirect to the location prefix plus the rest of its path.
        self.redirects = []
        self.lock = threading.Lock()
        self.url = 'http://%s:%d' % (host, self.server_address[1])
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self):
        self.shutdown()
        self.server_close()

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
            proxy.seen.append((self.command, self.path, dict(self.headers.items())))
            redirect = next(((status, target + self.path[len(prefix):]) for prefix, status, target in proxy.redirects
                             if self.path.startswith(prefix)), None)
        if redirect:
            self._answer(redirect[0], b'', None, location=redirect[1])
            return
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
        self._answer(status, data, kind)

    def _answer(self, status, data, kind, location=None):
        self.send_response(status)
        self.send_header('Content-Type', kind or 'application/json')
        self.send_header('Content-Length', str(len(data)))
        if location:
            self.send_header('Location', location)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _relay

    def log_message(self, *args):
        pass
