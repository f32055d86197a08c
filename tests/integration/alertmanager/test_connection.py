"""Authentication, unreachable servers, clusters, and the RE2 check, against real Alertmanagers."""

import json
import time
import urllib.error
from datetime import datetime, timedelta, timezone

from ansible_collections.tradpal.monitoring.plugins.module_utils._re2 import RegexError, compile_regex


def test_basic_auth(auth_alertmanager, basic_auth, creator, run_module):
    user, password = basic_auth
    args = dict(url=auth_alertmanager.url, matchers=['job="auth"'], comment='c', created_by=creator, duration='1h')
    ok = run_module('alertmanager_silence', url_username=user, url_password=password, **args)
    assert ok['changed'] is True, ok
    assert [s['id'] for s in auth_alertmanager.live(creator)] == [ok['silence']['id']]

    wrong_password = password.upper()
    wrong = run_module('alertmanager_silence', url_username=user, url_password=wrong_password, **args)
    assert wrong['failed'] is True
    assert wrong['status'] == 401
    assert 'GET %s/api/v2/silences failed: HTTP 401 Unauthorized' % auth_alertmanager.url in wrong['msg']
    assert 'check url_username/url_password or token' in wrong['msg']
    assert wrong_password not in json.dumps(wrong)
    hidden = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert wrong['invocation']['module_args']['url_password'] == hidden

    missing = run_module('alertmanager_silence_info', url=auth_alertmanager.url)
    assert (missing['failed'], missing['status']) == (True, 401)


def test_credentials_from_the_environment(auth_alertmanager, basic_auth, creator, run_module):
    env = {'ALERTMANAGER_URL': auth_alertmanager.url, 'ALERTMANAGER_USERNAME': basic_auth[0],
           'ALERTMANAGER_PASSWORD': basic_auth[1]}
    made = run_module('alertmanager_silence', env=env, matchers=['job="env"'], comment='c', created_by=creator,
                      duration='1h')
    assert made['changed'] is True, made
    listed = run_module('alertmanager_silence_info', env=env, created_by=creator)
    assert [s['id'] for s in listed['silences']] == [made['silence']['id']]


def test_tls_with_ca_and_client_certificate(tls_alertmanager, pki, creator, run_module):
    args = dict(url=tls_alertmanager.url, matchers=['job="tls"'], comment='c', created_by=creator, duration='1h')
    made = run_module('alertmanager_silence', ca_path=pki['ca'], client_cert=pki['client_cert'],
                      client_key=pki['client_key'], **args)
    assert made['changed'] is True, made
    assert made['http_requests'] == 2
    assert [s['id'] for s in tls_alertmanager.live(creator)] == [made['silence']['id']]

    # The server's certificate is checked: without the CA it is refused, and not retried.
    unknown_ca = run_module('alertmanager_silence', client_cert=pki['client_cert'], client_key=pki['client_key'],
                            **args)
    assert unknown_ca['failed'] is True
    assert 'TLS error' in unknown_ca['msg']
    assert 'CERTIFICATE_VERIFY_FAILED' in unknown_ca['msg']
    assert unknown_ca['http_requests'] == 1
    unchecked = run_module('alertmanager_silence', validate_certs=False, client_cert=pki['client_cert'],
                           client_key=pki['client_key'], **args)
    assert unchecked['changed'] is False, unchecked

    # The server wants a client certificate.
    anonymous = run_module('alertmanager_silence_info', url=tls_alertmanager.url, ca_path=pki['ca'], retries=0)
    assert anonymous['failed'] is True
    assert 'TLS error' in anonymous['msg']
    assert 'CERTIFICATE' in anonymous['msg']


def test_server_down_is_a_clear_error(run_module, unused_url):
    url = unused_url
    started = time.monotonic()
    result = run_module('alertmanager_silence', url=url, retries=1, matchers=['job="x"'], comment='c',
                        duration='1h')
    assert result['failed'] is True
    assert result['msg'] == ('GET %s/api/v2/silences failed: connection refused (is the server running and the URL '
                             'right?) (after 2 attempts)' % url)
    assert time.monotonic() - started < 10
    info = run_module('alertmanager_silence_info', url=url, retries=0)
    assert 'connection refused' in info['msg']


def test_alertmanagers_own_error_text_reaches_the_user(alertmanager, creator, run_module):
    # RE2 caps nested repetition at 1000 copies in total; only the server checks that.
    result = run_module('alertmanager_silence', url=alertmanager.url, matchers=['job=~"(a{100}){100}"'],
                        comment='c', created_by=creator, duration='1h')
    assert result['failed'] is True
    assert result['status'] == 400
    assert result['msg'].startswith('POST %s/api/v2/silences failed: HTTP 400 Bad Request: silence invalid: '
                                    'invalid label matcher 0: invalid regular expression' % alertmanager.url)
    assert 'invalid repeat count' in result['msg']
    assert result['changed'] is False
    assert alertmanager.silences(creator) == []


def test_a_silence_made_on_one_member_is_seen_on_the_other(cluster, creator, run_module):
    first, second = cluster
    made = run_module('alertmanager_silence', url=first.url, matchers=['job="clustered"'], comment='c',
                      created_by=creator, duration='1h')
    assert made['changed'] is True
    deadline = time.monotonic() + 15
    seen = []
    while time.monotonic() < deadline and not seen:
        seen = run_module('alertmanager_silence_info', url=second.url, created_by=creator)['silences']
        if not seen:
            time.sleep(0.2)
    assert [s['id'] for s in seen] == [made['silence']['id']]
    assert seen[0]['state'] == 'active'
    # And it is the same silence for the module on the other member: nothing to do there.
    again = run_module('alertmanager_silence', url=second.url, matchers=['job="clustered"'], comment='c',
                       created_by=creator, duration='1h')
    assert (again['changed'], again['silence']['id']) == (False, made['silence']['id'])


# Patterns on both sides of the line; Alertmanager (Go's RE2) decides who is right.
PATTERNS = [
    r'api-.*', r'\pL+', r'\p{Greek}', r'[[:alpha:]]+', r'(?i)api', r'a(?i)b', r'(?s:a.b)', r'(?U)a+', r'\012',
    r'\x{41}', r'\Qa.b\E', r'end\z', r'a{2,3}', r'a{,3}', r'(?P<n>x)', r'[]a]+', r'a*?b', r'(?i-s:A.)', r'\d+\.\d+',
    r'(', r'[a-', r'*a', r'a**', r'a*+', r'a???', r'a{1001}', r'(?=a)b', r'(?!a)b', r'(?<=a)b', r'(?<!a)b',
    r'(a)\1', r'(?P<n>a)(?P=n)', r'(?>a)', r'(?x)a', r'(?i-)a', r'\Z', r'\e', r'\x{110000}', 'a\\',
    r'[[:alphabet:]]',
]


def test_regex_checks_agree_with_alertmanager(alertmanager):
    disagree = []
    end = (datetime.now(timezone.utc) + timedelta(minutes=5)).strftime('%Y-%m-%dT%H:%M:%SZ')
    for pattern in PATTERNS:
        try:
            compile_regex(pattern)
            ours = True
        except RegexError:
            ours = False
        body = {'matchers': [{'name': 'job', 'value': pattern, 'isRegex': True, 'isEqual': True},
                             {'name': 'check', 'value': 'regex', 'isRegex': False, 'isEqual': True}],
                'startsAt': '2000-01-01T00:00:00Z', 'endsAt': end, 'createdBy': 'regex-check', 'comment': 'c'}
        try:
            silence_id = alertmanager.request('POST', '/api/v2/silences', body)['silenceID']
            alertmanager.request('DELETE', '/api/v2/silence/%s' % silence_id)
            theirs = True
        except urllib.error.HTTPError as exc:
            assert exc.code == 400, exc.read()
            theirs = False
        if ours != theirs:
            disagree.append((pattern, ours, theirs))
    assert disagree == []
