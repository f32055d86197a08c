"""The Grafana the integration tests talk to: the API double, or a real Grafana named by GRAFANA_URL.

With GRAFANA_URL unset, the double (grafana_api_double.py) is started in a thread on a free
loopback port. With GRAFANA_URL set, the same tests run against that Grafana, authenticated by
GRAFANA_USER and GRAFANA_PASSWORD or by GRAFANA_TOKEN (a service account token, role Admin);
GRAFANA_ORG_ID picks the organisation (default 1). Tests that need what only the double can do
(seeding provisioned or plugin dashboards, a second flavour of conflict answers) skip visibly
against a real Grafana, saying why. Every test works in its own uid namespace and folder.

Modules are run through a proxy (``grafana.proxy``) that counts requests by method, so "no
write" is checked the same way against both, and that can act just before a module's write
(``before_write``), the way a colleague saving in the web UI at the wrong moment would.
"""

import base64
import json
import os
import urllib.error
import urllib.request
import uuid

import pytest
from grafana_api_double import GrafanaApiDouble
from recording_proxy import RecordingProxy

REAL_URL = os.environ.get('GRAFANA_URL')
DOUBLE_USER = ('admin', 'double-admin-password')


class Grafana:
    """One Grafana (or the double) with a small client that does not use the collection's code."""

    def __init__(self, url, *, user=None, token=None, org_id=None, double=None):
        self.url = url.rstrip('/')
        self.user = user
        self.token = token
        self.org_id = org_id
        self.double = double
        self.proxy = RecordingProxy(self.url)

    @property
    def auth_args(self):
        """Connection options for a module run through the proxy."""
        args = dict(url=self.proxy.url)
        if self.token:
            args['token'] = self.token
        else:
            args.update(url_username=self.user[0], url_password=self.user[1])
        if self.org_id:
            args['org_id'] = self.org_id
        return args

    def headers(self):
        headers = {'Accept': 'application/json'}
        if self.token:
            headers['Authorization'] = 'Bearer %s' % self.token
        else:
            headers['Authorization'] = 'Basic %s' % base64.b64encode(('%s:%s' % self.user).encode()).decode()
        if self.org_id:
            headers['X-Grafana-Org-Id'] = str(self.org_id)
        return headers

    def api(self, method, path, body=None, expect=200):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,  # noqa: S310 (test target)
                                         headers=dict(self.headers(), **({'Content-Type': 'application/json'}
                                                                         if data else {})))
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        answer = json.loads(raw) if raw.strip() else None
        if expect is not None:
            assert status == expect, '%s %s: HTTP %d %r' % (method, path, status, answer)
        return answer

    def dashboard(self, uid):
        """``{"dashboard":..., "meta":...}`` or None."""
        try:
            return self.api('GET', '/api/dashboards/uid/%s' % uid)
        except AssertionError:
            return None

    def folder(self, uid):
        try:
            return self.api('GET', '/api/folders/%s' % uid)
        except AssertionError:
            return None

    def edit_dashboard(self, uid, **changes):
        """Save a change the way the web UI does: with the stored version."""
        stored = self.api('GET', '/api/dashboards/uid/%s' % uid)
        dashboard = dict(stored['dashboard'], **changes)
        return self.api('POST', '/api/dashboards/db', {'dashboard': dashboard, 'folderUid': stored['meta']['folderUid'],
                                                       'message': 'edited in the web UI'})

    def require_double(self, why):
        if self.double is None:
            pytest.skip('needs the API double, not a real Grafana: %s' % why)
        return self.double


@pytest.fixture(scope='session')
def grafana():
    if REAL_URL:
        token = os.environ.get('GRAFANA_TOKEN')
        user = None if token else (os.environ.get('GRAFANA_USER', 'admin'), os.environ.get('GRAFANA_PASSWORD', 'admin'))
        target = Grafana(REAL_URL, user=user, token=token, org_id=int(os.environ.get('GRAFANA_ORG_ID', '1')))
        target.api('GET', '/api/search?limit=1')  # fail early on a wrong URL or credentials
        yield target
        return
    double = GrafanaApiDouble().start()
    yield Grafana(double.url, user=DOUBLE_USER, double=double)
    double.stop()


@pytest.fixture
def space(grafana, request):
    """A uid prefix and a root folder of this test's own; the folder goes (with its content) at the end."""
    prefix = 'it-%s' % uuid.uuid4().hex[:10]
    grafana.api('POST', '/api/folders', {'uid': prefix, 'title': 'it %s %s' % (request.node.name[:60], prefix)})
    grafana.proxy.take()
    yield prefix
    grafana.proxy.before_write = None
    for hit in grafana.api('GET', '/api/search?type=dash-db&limit=5000&query=') or []:
        if hit['uid'].startswith(prefix):
            grafana.api('DELETE', '/api/dashboards/uid/%s' % hit['uid'], expect=None)
    grafana.api('DELETE', '/api/folders/%s' % prefix, expect=None)


@pytest.fixture
def dashboard_json(space):
    """dashboard_json(name, **fields): a small dashboard with a uid in this test's space."""
    def make(name='main', **fields):
        dashboard = {
            'uid': '%s-%s' % (space, name),
            'title': 'Orders %s %s' % (name, space),
            'tags': ['orders'],
            'timezone': 'utc',
            'schemaVersion': 39,
            'panels': [{'id': 1, 'type': 'timeseries', 'title': 'Orders per second',
                        'gridPos': {'h': 8, 'w': 12, 'x': 0, 'y': 0},
                        'targets': [{'refId': 'A', 'expr': 'sum(rate(orders_total[$__rate_interval]))'}]}],
        }
        dashboard.update(fields)
        return dashboard
    return make
