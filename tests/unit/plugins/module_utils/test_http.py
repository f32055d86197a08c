"""The generic JSON client of module_utils/_http.py, with the transport replaced (no network)."""

import io
import json
import socket
import ssl
from urllib.error import HTTPError, URLError

import pytest
from ansible.module_utils.basic import env_fallback
from ansible_collections.tradpal.monitoring.plugins.module_utils import _http as http_module
from ansible_collections.tradpal.monitoring.plugins.module_utils._http import (
    HttpApiError,
    JsonHttpClient,
    connection_argument_spec,
    is_loopback,
    redact_url,
    server_error_text,
)


class Response:
    def __init__(self, body):
        self._body = body

    def read(self):
        return self._body


def http_error(code, body=b'', reason='Error', headers=None):
    return HTTPError('http://am/x', code, reason, headers or {}, io.BytesIO(body))


def redirect(location, code=302):
    return http_error(code, b'moved', 'Found', {'Location': location})


class Transport:
    """Stands in for ansible.module_utils.urls.Request.open: answers from a script, records calls."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = []

    def __call__(self, method, url, data=None, headers=None):
        self.calls.append({'method': method, 'url': url, 'data': data, 'headers': headers})
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return Response(outcome)


def client(*outcomes, base_url='http://am:9093/prefix/', **kwargs):
    sleeps = []
    kwargs.setdefault('retries', 3)
    api = JsonHttpClient(base_url, sleep=sleeps.append, **kwargs)
    api._request.open = Transport(*outcomes)
    return api, api._request.open, sleeps


def test_json_in_and_out():
    api, transport, _unused = client(b'{"silenceID": "x"}')
    assert api.request('POST', 'api/v2/silences', body={'a': 1}) == {'silenceID': 'x'}
    call = transport.calls[0]
    assert call['url'] == 'http://am:9093/prefix/api/v2/silences'
    assert json.loads(call['data']) == {'a': 1}
    assert call['headers'] == {'Content-Type': 'application/json'}


def test_query_parameters_repeat():
    api, transport, _unused = client(b'[]')
    assert api.request('GET', '/api/v2/silences', query=[('filter', 'a="1"'), ('filter', 'b=~"x.*"')]) == []
    assert transport.calls[0]['url'] == \
        'http://am:9093/prefix/api/v2/silences?filter=a%3D%221%22&filter=b%3D~%22x.%2A%22'


def test_an_empty_body_is_none():
    api, _unused, _unused = client(b'')
    assert api.request('DELETE', 'api/v2/silence/x') is None


def test_a_body_that_is_not_json_is_an_error():
    api, _unused, _unused = client(b'<html>proxy login</html>')
    with pytest.raises(HttpApiError, match='not JSON'):
        api.request('GET', 'x')


def test_5xx_is_retried_with_backoff_and_counted():
    api, transport, sleeps = client(http_error(500), http_error(503), http_error(502), b'[]')
    assert api.request('GET', 'api/v2/silences') == []
    assert len(transport.calls) == 4
    assert api.request_count == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_retries_run_out_with_the_server_text_in_the_message():
    broken = [http_error(500, b'"storage is broken"', 'Internal Server Error') for _unused in range(2)]
    api, transport, _unused = client(*broken, retries=1)
    with pytest.raises(HttpApiError) as caught:
        api.request('GET', 'api/v2/silences')
    assert str(caught.value) == ('GET http://am:9093/prefix/api/v2/silences failed: HTTP 500 Internal Server Error: '
                                 'storage is broken (after 2 attempts)')
    assert (caught.value.status, caught.value.attempts, len(transport.calls)) == (500, 2, 2)


@pytest.mark.parametrize('code', [400, 401, 403, 404, 422])
def test_4xx_is_never_retried(code):
    api, transport, sleeps = client(http_error(code, b'"no"'), b'[]')
    with pytest.raises(HttpApiError) as caught:
        api.request('GET', 'x')
    assert caught.value.status == code
    assert caught.value.server_text == 'no'
    assert (len(transport.calls), sleeps) == (1, [])


def test_credentials_problems_say_so():
    api, _unused, _unused = client(http_error(401, b'Unauthorized\n', 'Unauthorized'))
    with pytest.raises(HttpApiError, match='HTTP 401 Unauthorized: Unauthorized; check url_username/url_password'):
        api.request('GET', 'x')


def test_connection_errors_are_retried():
    refused = URLError(ConnectionRefusedError(111, 'Connection refused'))
    api, transport, _unused = client(refused, socket.timeout('timed out'), ConnectionResetError(), b'{}')
    assert api.request('GET', 'x') == {}
    assert len(transport.calls) == 4


def test_a_server_that_is_down_gives_a_clear_message():
    refused = URLError(ConnectionRefusedError(111, 'Connection refused'))
    api, _unused, _unused = client(refused, refused, retries=1)
    with pytest.raises(HttpApiError, match=r'^GET http://am:9093/prefix/x failed: connection refused \(is the server '
                                           r'running and the URL right\?\) \(after 2 attempts\)$') as caught:
        api.request('GET', 'x')
    assert caught.value.status is None


def test_tls_and_local_errors_are_not_retried():
    cert = URLError(ssl.SSLCertVerificationError(1, 'certificate verify failed'))
    api, transport, _unused = client(cert)
    with pytest.raises(HttpApiError, match='TLS error'):
        api.request('GET', 'x')
    assert len(transport.calls) == 1
    bare = ssl.SSLError(1, '[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate')
    api, transport, _unused = client(bare)
    with pytest.raises(HttpApiError, match=r'TLS error: .*BAD_CERTIFICATE'):
        api.request('GET', 'x')
    assert len(transport.calls) == 1
    api, transport, _unused = client(FileNotFoundError(2, 'No such file', '/etc/client.pem'))
    with pytest.raises(HttpApiError, match='No such file'):
        api.request('GET', 'x')
    assert len(transport.calls) == 1


def test_a_create_is_retried_only_when_it_surely_did_not_arrive():
    api, transport, _unused = client(http_error(500), b'{}')
    with pytest.raises(HttpApiError):
        api.request('POST', 'api/v2/silences', body={})
    assert len(transport.calls) == 1
    api, transport, _unused = client(socket.timeout('timed out'), b'{}')
    with pytest.raises(HttpApiError, match='timed out'):
        api.request('POST', 'api/v2/silences', body={})
    api, transport, _unused = client(http_error(503), URLError(ConnectionRefusedError(111, 'refused')), b'{"ok": 1}')
    assert api.request('POST', 'api/v2/silences', body={}) == {'ok': 1}
    api, transport, _unused = client(http_error(500), b'{"ok": 1}')
    assert api.request('POST', 'api/v2/silences', body={}, idempotent=True) == {'ok': 1}


def test_the_tls_context_is_built_once(monkeypatch):
    built = []

    def make_context(**options):
        built.append(options)
        return 'context-%d' % len(built)

    monkeypatch.setattr(http_module, 'make_context', make_context)
    api, _unused, _unused = client(b"[]", b"[]", b"[]", ca_path='/ca.pem', validate_certs=False)
    for _unused in range(3):
        api.request('GET', 'x')
    assert built == [{'cafile': '/ca.pem', 'validate_certs': False, 'client_cert': None, 'client_key': None}]
    assert api._request.context == 'context-1'


def test_an_unreadable_client_certificate_is_an_error_not_a_traceback(tmp_path):
    api, transport, _unused = client(b'[]', client_cert=str(tmp_path / 'missing.pem'))
    with pytest.raises(HttpApiError, match='No such file'):
        api.request('GET', 'x')
    assert transport.calls == []


def test_retries_zero_sends_once():
    api, transport, sleeps = client(http_error(503), retries=0)
    with pytest.raises(HttpApiError):
        api.request('GET', 'x')
    assert (len(transport.calls), sleeps) == (1, [])


def test_auth_and_tls_options_reach_the_transport():
    api = JsonHttpClient('https://am', username='u', password='p', client_cert='/c.pem', client_key='/k.pem',  # noqa: S106
                         ca_path='/ca.pem', validate_certs=False, timeout=3)
    request = api._request
    assert (request.url_username, request.url_password, request.force_basic_auth) == ('u', 'p', True)
    assert (request.client_cert, request.client_key, request.ca_path) == ('/c.pem', '/k.pem', '/ca.pem')
    assert (request.validate_certs, request.timeout) == (False, 3)
    assert 'Authorization' not in request.headers
    bearer = JsonHttpClient('https://am', token='s3cret')._request  # noqa: S106
    assert bearer.headers['Authorization'] == 'Bearer s3cret'
    assert bearer.force_basic_auth is False


def test_from_params_maps_the_option_names():
    params = {'url': 'http://am', 'url_username': 'u', 'url_password': 'p', 'token': None, 'client_cert': None,
              'client_key': None, 'ca_path': None, 'validate_certs': True, 'timeout': 7, 'retries': 0,
              'allow_insecure_credentials': True, 'matchers': ['ignored']}
    api = JsonHttpClient.from_params(params)
    assert (api.base_url, api.retries, api._request.timeout, api._request.url_username) == ('http://am', 0, 7, 'u')
    assert api._refusal is None
    params['allow_insecure_credentials'] = False
    assert 'allow_insecure_credentials' in JsonHttpClient.from_params(params)._refusal


def test_argument_spec_reads_the_environment_and_hides_secrets():
    spec = connection_argument_spec('ALERTMANAGER')
    assert spec['url']['fallback'] == (env_fallback, ['ALERTMANAGER_URL'])
    assert spec['token']['fallback'] == (env_fallback, ['ALERTMANAGER_TOKEN'])
    assert spec['url_password']['no_log'] is True
    assert spec['token']['no_log'] is True
    assert spec['client_key']['no_log'] is False
    assert spec['allow_insecure_credentials'] == {'type': 'bool', 'default': False}
    assert connection_argument_spec('GRAFANA')['url']['fallback'] == (env_fallback, ['GRAFANA_URL'])


@pytest.mark.parametrize(
    ('body', 'text'),
    [
        (b'"silence not found"', 'silence not found'),
        (b'{"code":602,"message":"endsAt in body is required"}', 'endsAt in body is required'),
        (b'{"error":"bad"}', 'bad'),
        (b'Unauthorized\n', 'Unauthorized'),
        (b'', ''),
        (b'[1, 2]', '[1, 2]'),
    ],
)
def test_server_error_text(body, text):
    assert server_error_text(body) == text


def test_redact_url_masks_the_password():
    assert redact_url('http://u:p@am:9093/x?y=1') == 'http://u:********@am:9093/x?y=1'
    assert redact_url('https://u:p%40ss:w@[::1]:8443/x') == 'https://u:********@[::1]:8443/x'
    assert redact_url('https://u@am/x') == 'https://u@am/x'
    assert redact_url('http://am/x') == 'http://am/x'


# Credentials over plain http, user information in the URL, redirects


@pytest.mark.parametrize(('host', 'loopback'), [
    ('localhost', True), ('LOCALHOST.', True), ('127.0.0.1', True), ('127.8.9.10', True), ('::1', True),
    ('192.0.2.1', False), ('10.0.0.1', False), ('::', False), ('localhost.example.com', False),
    ('am', False), ('', False), (None, False),
])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(('base_url', 'credentials', 'named'), [
    ('http://192.0.2.1:9093', {'username': 'u', 'password': 'S3cret'}, 'url_password'),
    ('http://am.example.com', {'token': 'S3cret'}, 'token'),
    ('http://[2001:db8::1]:3000', {'token': 'S3cret'}, 'token'),
])
def test_credentials_over_plain_http_to_another_host_are_refused_unsent(base_url, credentials, named):
    api, transport, _unused = client(b'[]', base_url=base_url, **credentials)
    with pytest.raises(HttpApiError) as caught:
        api.request('GET', 'api/x')
    message = str(caught.value)
    assert message.startswith('GET %s/api/x refused before sending: %s would be sent unencrypted over http://'
                              % (base_url, named))
    assert 'allow_insecure_credentials' in message
    assert 'S3cret' not in message
    assert (transport.calls, api.request_count, caught.value.attempts, caught.value.status) == ([], 0, 0, None)


@pytest.mark.parametrize(('base_url', 'kwargs'), [
    ('http://192.0.2.1:9093', {'username': 'u', 'password': 'p', 'allow_insecure_credentials': True}),
    ('https://am.example.com', {'token': 't'}),
    ('http://127.0.0.1:9093', {'username': 'u', 'password': 'p'}),
    ('http://localhost:3000', {'token': 't'}),
    ('http://[::1]:3000', {'token': 't'}),
    ('http://am.example.com', {}),
])
def test_credentials_go_where_they_are_safe_or_allowed(base_url, kwargs):
    api, transport, _unused = client(b'[]', base_url=base_url, **kwargs)
    assert api.request('GET', 'x') == []
    assert len(transport.calls) == 1


@pytest.mark.parametrize('base_url', ['https://ops:S3cret@am.example.com', 'http://ops:S3cret@127.0.0.1:9093',
                                      'https://ops@am.example.com'])
def test_a_url_with_user_information_is_refused_and_masked(base_url):
    api, transport, _unused = client(b'[]', base_url=base_url)
    with pytest.raises(HttpApiError) as caught:
        api.request('GET', 'x')
    message = str(caught.value)
    assert 'url must not contain user information (user:password@); set url_username and url_password' in message
    assert 'S3cret' not in message and 'S3cret' not in caught.value.url
    assert transport.calls == []


def test_the_transport_never_follows_redirects_itself():
    assert JsonHttpClient('https://am')._request.follow_redirects == 'none'


def test_a_redirect_within_the_origin_is_followed_with_the_credentials():
    api, transport, _unused = client(redirect('/other/api/x?y=1'), redirect('http://AM:9093/third/', 301), b'[1]',
                                     base_url='http://am:9093', token='t', allow_insecure_credentials=True)  # noqa: S106
    assert api.request('GET', 'api/x') == [1]
    assert [call['url'] for call in transport.calls] == [
        'http://am:9093/api/x', 'http://am:9093/other/api/x?y=1', 'http://AM:9093/third/']
    assert api.request_count == 3
    assert api._request.headers['Authorization'] == 'Bearer t'


def test_a_default_port_is_the_same_origin():
    api, transport, _unused = client(redirect('https://am.example.com:443/b'), b'{}', base_url='https://am.example.com/a')
    assert api.request('GET', 'x') == {}
    assert transport.calls[1]['url'] == 'https://am.example.com:443/b'


@pytest.mark.parametrize('location', [
    'https://am:9093/x',  # scheme
    'http://evil.example.com:9093/x',  # host
    'http://am:9094/x',  # port
    '//evil.example.com/x',  # host, scheme-relative
    'http://ops:S3cret@am:9093/x',  # user information
])
def test_a_redirect_to_another_origin_is_not_followed(location):
    api, transport, sleeps = client(redirect(location), b'[]', token='t', allow_insecure_credentials=True)  # noqa: S106
    with pytest.raises(HttpApiError) as caught:
        api.request('GET', 'x')
    message = str(caught.value)
    assert message.startswith('GET http://am:9093/prefix/x was redirected (HTTP 302) to ')
    assert 'another origin than url; not followed' in message
    assert 'set url to it' in message
    assert 'S3cret' not in message
    assert caught.value.status == 302
    assert (len(transport.calls), api.request_count, sleeps) == (1, 1, [])


def test_a_write_is_followed_only_where_it_keeps_its_method_and_body():
    api, transport, _unused = client(redirect('/prefix/y', 307), b'{"ok": 1}')
    assert api.request('POST', 'x', body={'a': 1}) == {'ok': 1}
    second = transport.calls[1]
    assert (second['method'], second['url']) == ('POST', 'http://am:9093/prefix/y')
    assert json.loads(second['data']) == {'a': 1}
    for code in (301, 302, 303):
        api, transport, _unused = client(redirect('/prefix/y', code), b'{}')
        with pytest.raises(HttpApiError, match=r'^POST .* \(HTTP %d\) to http://am:9093/prefix/y, not followed, as '
                                               r'that would resend the POST as a GET' % code):
            api.request('POST', 'x', body={'a': 1})
        assert len(transport.calls) == 1


def test_redirects_are_limited():
    api, transport, _unused = client(*[redirect('/prefix/x') for _unused in range(7)])
    with pytest.raises(HttpApiError, match=r'^GET http://am:9093/prefix/x failed: more than 5 redirects$'):
        api.request('GET', 'x')
    assert len(transport.calls) == 6


def test_a_redirect_without_location_is_an_error():
    api, transport, _unused = client(http_error(302, reason='Found'))
    with pytest.raises(HttpApiError, match='HTTP 302 Found'):
        api.request('GET', 'x')
    assert len(transport.calls) == 1
