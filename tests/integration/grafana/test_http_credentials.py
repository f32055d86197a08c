"""Where the modules' HTTP client sends credentials, over real sockets.

A Grafana API double of this file's own answers (the tests need what only the double can do,
so they do not use the ``grafana`` fixture's target). Two RecordingProxy servers in front of it,
on different ports, are two origins: ``home`` (the url) and ``elsewhere``. They record the
headers of every request they receive and can answer with redirects.
"""

import ipaddress
import json
import socket
import time

import pytest
from ansible_collections.tradpal.monitoring.plugins.module_utils._http import HttpApiError, JsonHttpClient
from grafana_api_double import GrafanaApiDouble
from recording_proxy import RecordingProxy

USER, PASSWORD = 'admin', 'double-admin-password'
TOKEN = 'glsa_double_token'  # noqa: S105 (the double's)
# TEST-NET-1: documentation only. Nothing may be sent there; on some machines it is routed.
FOREIGN = 'http://192.0.2.1:3000'


def own_address():
    """An address of this machine that is not loopback, or None (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(('198.51.100.1', 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback else address


@pytest.fixture(scope='module')
def double():
    double = GrafanaApiDouble().start()
    yield double
    double.stop()


@pytest.fixture
def home(double):
    server = RecordingProxy(double.url)
    yield server
    server.stop()


@pytest.fixture
def elsewhere(double):
    server = RecordingProxy(double.url)
    yield server
    server.stop()


@pytest.fixture
def no_connections(monkeypatch):
    """Every connection this process attempts, refused; the list of their addresses."""
    attempts = []

    def connect(sock, address):
        attempts.append(address)
        raise ConnectionRefusedError(111, 'refused by the test')

    monkeypatch.setattr(socket.socket, 'connect', connect)
    return attempts


def authorizations(server):
    return [headers.get('Authorization') for _method, _path, headers in server.seen]


@pytest.mark.parametrize('credentials', [dict(username=USER, password=PASSWORD), dict(token=TOKEN)],
                         ids=['basic', 'bearer'])
def test_a_redirect_to_another_origin_gets_no_credentials(home, elsewhere, credentials):
    home.redirects = [('/api/', 302, elsewhere.url + '/api/')]
    api = JsonHttpClient(home.url, retries=0, **credentials)
    with pytest.raises(HttpApiError) as caught:
        api.request('GET', 'api/search')
    assert str(caught.value) == (
        'GET %s/api/search was redirected (HTTP 302) to %s/api/search, another origin than url; not followed, so '
        'that neither credentials nor data leave it. If the new address is right, set url to it'
        % (home.url, elsewhere.url))
    assert caught.value.status == 302
    assert [path for _method, path, _headers in home.seen] == ['/api/search']
    assert authorizations(home)[0].split()[0] in ('Basic', 'Bearer')
    assert elsewhere.seen == []


def test_a_redirect_within_the_origin_keeps_working(home):
    home.redirects = [('/old/', 301, '/'), ('/moved/', 307, home.url + '/')]
    api = JsonHttpClient(home.url + '/old', username=USER, password=PASSWORD, retries=0)
    assert api.request('GET', 'api/search', query={'query': 'nothing-here'}) == []
    # 307 keeps the method and the body: the folder is created.
    mover = JsonHttpClient(home.url + '/moved', token=TOKEN, retries=0)
    made = mover.request('POST', 'api/folders', body={'uid': 'redirected-folder', 'title': 'Redirected'})
    assert made['uid'] == 'redirected-folder'
    assert [(method, path) for method, path, _headers in home.seen] == [
        ('GET', '/old/api/search?query=nothing-here'), ('GET', '/api/search?query=nothing-here'),
        ('POST', '/moved/api/folders'), ('POST', '/api/folders')]
    assert all(authorizations(home))
    assert (api.request_count, mover.request_count) == (2, 2)


def test_credentials_over_plain_http_to_another_host_are_refused_unsent(no_connections):
    for credentials in (dict(username=USER, password=PASSWORD), dict(token=TOKEN)):
        api = JsonHttpClient(FOREIGN, retries=0, **credentials)
        started = time.monotonic()
        with pytest.raises(HttpApiError, match=r'refused before sending: .* would be sent unencrypted over http:// to '
                                               r'192\.0\.2\.1, which is not loopback; .*allow_insecure_credentials'):
            api.request('GET', 'api/search')
        assert time.monotonic() - started < 1
    assert no_connections == []
    # With the opt-in the client does try (the test refuses the connection, so nothing leaves).
    allowed = JsonHttpClient(FOREIGN, username=USER, password=PASSWORD, retries=0, allow_insecure_credentials=True)
    with pytest.raises(HttpApiError, match='connection refused'):
        allowed.request('GET', 'api/search')
    assert no_connections == [('192.0.2.1', 3000)]


def test_the_opt_in_reaches_a_server_on_a_non_loopback_address(double):
    address = own_address()
    if address is None:
        pytest.skip('this machine has no address besides loopback')
    server = RecordingProxy(double.url, host=address)
    try:
        refused = JsonHttpClient(server.url, username=USER, password=PASSWORD, retries=0)
        with pytest.raises(HttpApiError, match='allow_insecure_credentials'):
            refused.request('GET', 'api/search')
        assert server.seen == []
        allowed = JsonHttpClient(server.url, username=USER, password=PASSWORD, retries=0,
                                 allow_insecure_credentials=True)
        assert isinstance(allowed.request('GET', 'api/search'), list)
        assert authorizations(server)[0].startswith('Basic ')
    finally:
        server.stop()


# One real module, run as Ansible runs it


def test_the_module_sends_no_credentials_through_a_redirect_to_another_origin(home, elsewhere, run_module):
    home.redirects = [('/api/', 302, elsewhere.url + '/api/')]
    result = run_module('grafana_dashboard_info', url=home.url, url_username=USER, url_password=PASSWORD, retries=0)
    assert result['failed'] is True, result
    assert result['msg'].startswith('GET %s/api/search' % home.url)
    assert 'was redirected (HTTP 302) to %s/api/search' % elsewhere.url in result['msg']
    assert 'another origin than url' in result['msg']
    assert (result['status'], result['http_requests']) == (302, 1)
    assert authorizations(home)[0].startswith('Basic ')
    assert elsewhere.seen == []

    home.redirects = [('/old/', 302, '/')]
    same = run_module('grafana_dashboard_info', url=home.url + '/old', token=TOKEN)
    assert same.get('failed') is not True, same
    assert same['dashboards'] == []
    assert same['http_requests'] == 2
    assert [path for _method, path, _headers in home.seen[1:]] == [
        '/old/api/search?type=dash-db&limit=5000&page=1', '/api/search?type=dash-db&limit=5000&page=1']
    assert authorizations(home)[1:] == ['Bearer %s' % TOKEN] * 2


def test_the_module_refuses_and_masks_a_url_with_a_password(home, run_module):
    url = home.url.replace('http://', 'http://%s:%s@' % (USER, PASSWORD))
    result = run_module('grafana_dashboard_info', url=url)
    assert result['failed'] is True, result
    masked = home.url.replace('http://', 'http://%s:********@' % USER)
    assert result['msg'] == ('GET %s/api/search?type=dash-db&limit=5000&page=1 refused before sending: url must '
                             'not contain user information (user:password@); set url_username and url_password '
                             'instead' % masked)
    assert result['invocation']['module_args']['url'] == masked
    assert PASSWORD not in json.dumps(result)
    assert home.seen == []


def test_the_module_refuses_credentials_over_plain_http_fast(run_module):
    started = time.monotonic()
    result = run_module('grafana_dashboard_info', url=FOREIGN, url_username=USER, url_password=PASSWORD, timeout=30)
    assert time.monotonic() - started < 10
    assert result['failed'] is True
    assert 'refused before sending: url_password would be sent unencrypted over http:// to 192.0.2.1' in result['msg']
    assert 'set allow_insecure_credentials' in result['msg']
    assert result['http_requests'] == 0
    assert PASSWORD not in json.dumps(result)
