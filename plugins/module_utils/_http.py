# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one JSON-over-HTTP base every module of this collection talks through.

It knows nothing about any particular API: a thin client per service (Alertmanager,
Grafana, ...) builds on it. It owns the connection options, authentication, TLS,
retries, redirects, JSON in and out, error text, and a count of the requests it sent.

Credentials stay with the origin (scheme, host, port) of the base URL: redirects are
followed here, not by urllib, and only within that origin; credentials go over plain
http:// only to loopback unless the user allows it; a URL with user:password@ is refused,
and shown masked.
"""

from __future__ import annotations

from http.client import HTTPException
import ipaddress
import json
import socket
import ssl
import time
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError, Request, make_context

# Waits between attempts grow 0.5 s, 1 s, 2 s, ... up to this many seconds.
BACKOFF_BASE = 0.5
BACKOFF_MAX = 10.0
# Status codes that usually mean "the server did not process the request", so they are
# retried even for a request that must not run twice. Not always: a reverse proxy may
# answer 502 after the upstream processed it. The silence planner folds such duplicates
# on the next run.
NOT_PROCESSED_STATUS = (502, 503)
ERROR_TEXT_MAX = 2000
# Redirects followed for one request, all within the base URL's origin.
MAX_REDIRECTS = 5
REDIRECT_STATUS = (301, 302, 303, 307, 308)
# Answers a method other than GET or HEAD follows: they keep the method and the body.
METHOD_KEEPING_REDIRECTS = (307, 308)
MASK = '********'

# Option name → constructor keyword for the options shared by every HTTP module.
_OPTION_TO_KWARG = {
    'url': 'base_url',
    'url_username': 'username',
    'url_password': 'password',
    'token': 'token',
    'client_cert': 'client_cert',
    'client_key': 'client_key',
    'ca_path': 'ca_path',
    'validate_certs': 'validate_certs',
    'timeout': 'timeout',
    'retries': 'retries',
    'allow_insecure_credentials': 'allow_insecure_credentials',
}


def connection_argument_spec(env_prefix):
    """Argument spec of the connection options, with ``<env_prefix>_URL`` style fallbacks.

    The matching documentation lives in each API's doc fragment; module_utils/_module.py
    merges the spec into every module's.
    """
    def env(name):
        return (env_fallback, ['%s_%s' % (env_prefix, name)])

    return dict(
        url=dict(type='str', required=True, fallback=env('URL')),
        url_username=dict(type='str', fallback=env('USERNAME')),
        url_password=dict(type='str', no_log=True, fallback=env('PASSWORD')),
        token=dict(type='str', no_log=True, fallback=env('TOKEN')),
        client_cert=dict(type='path'),
        client_key=dict(type='path', no_log=False),
        ca_path=dict(type='path'),
        validate_certs=dict(type='bool', default=True),
        timeout=dict(type='int', default=10),
        retries=dict(type='int', default=3),
        allow_insecure_credentials=dict(type='bool', default=False),
    )


# AnsibleModule keyword arguments that belong with connection_argument_spec().
CONNECTION_MODULE_KWARGS = dict(
    mutually_exclusive=[('url_username', 'token'), ('url_password', 'token')],
    required_together=[('url_username', 'url_password')],
    required_by={'client_key': 'client_cert'},
)


def redact_url(url):
    """The URL with the password of any user:password@ part masked, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, hostport = parts.netloc.rsplit('@', 1)
    user = userinfo.split(':', 1)[0]
    return urlunsplit((parts.scheme, '%s:%s@%s' % (user, MASK, hostport), parts.path, parts.query, parts.fragment))


def origin(url):
    """(scheme, host, port) of a URL, with the scheme's default port filled in."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = {'http': 80, 'https': 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or '').rstrip('.'), port


def is_loopback(host):
    """Whether a host name or address is this machine: localhost, 127.0.0.0/8 or ::1."""
    host = (host or '').rstrip('.').lower()
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def credentials_refusal(url, credentials, allow_insecure_credentials=False):
    """Why the client must not send anything to ``url``, or None.

    ``credentials`` names the options that hold a password or token, such as ``url_password``.
    """
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        # The url option is not no_log; a password belongs in url_password, which is.
        return ('url must not contain user information (user:password@); set url_username and '
                'url_password instead')
    if not credentials or parts.scheme == 'https' or allow_insecure_credentials or is_loopback(parts.hostname):
        return None
    return ('%s would be sent unencrypted over %s:// to %s, which is not loopback; use https://, or set '
            'allow_insecure_credentials to send it anyway' % ('/'.join(credentials), parts.scheme, parts.hostname))


def server_error_text(body):
    """The server's own explanation from an error response body (bytes or text)."""
    text = to_text(body or b'', errors='surrogate_or_replace').strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:ERROR_TEXT_MAX]
    if isinstance(data, str):
        return data[:ERROR_TEXT_MAX]
    if isinstance(data, dict):
        for key in ('message', 'error', 'msg', 'detail'):
            if data.get(key):
                return to_text(data[key])[:ERROR_TEXT_MAX]
    return text[:ERROR_TEXT_MAX]


class HttpApiError(Exception):
    """A request that did not succeed.

    ``status`` is the HTTP status (None when no response arrived), ``server_text`` what
    the server said about it, ``body`` the error body when it was a JSON object (else None),
    for APIs that say more than a message (Grafana's ``{"status": "version-mismatch", ...}``),
    ``attempts`` how many times the request was sent.
    """

    def __init__(self, message, method, url, *, status=None, server_text=None, body=None, attempts=1):
        self.method = method
        self.url = url
        self.status = status
        self.server_text = server_text
        self.body = body
        self.attempts = attempts
        super().__init__(message)


def _reason(exc):
    # URLError wraps the real error; ssl.SSLError also has a .reason, but it is only a string.
    return exc.reason if isinstance(exc, URLError) else exc


def _describe_connection_error(exc):
    reason = _reason(exc)
    if isinstance(reason, ConnectionRefusedError):
        return 'connection refused (is the server running and the URL right?)'
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return 'timed out'
    if isinstance(reason, socket.gaierror):
        return 'host name could not be resolved (%s)' % reason
    if isinstance(reason, ssl.SSLError):
        return 'TLS error: %s' % reason
    return to_text(reason)


def _is_retryable_connection_error(exc, idempotent):
    reason = _reason(exc)
    if isinstance(reason, ssl.SSLError):
        # A certificate problem does not go away by asking again.
        return False
    if not idempotent:
        # Only errors that prove the request never reached the server.
        return isinstance(reason, (ConnectionRefusedError, socket.gaierror))
    # Network trouble, not local mistakes such as a missing client certificate file.
    return isinstance(reason, (ConnectionError, socket.timeout, TimeoutError, socket.gaierror,
                               HTTPException))


class JsonHttpClient:
    """Sends JSON requests below one base URL.

    Counts every request it sends in ``request_count`` (retries included).
    """

    def __init__(self, base_url, *, username=None, password=None, token=None, client_cert=None,
                 client_key=None, ca_path=None, validate_certs=True, timeout=10, retries=3,
                 allow_insecure_credentials=False, user_agent='ansible-tradpal-monitoring', headers=None,
                 sleep=time.sleep):
        if not base_url:
            raise ValueError('a base URL is required')
        self.base_url = base_url.rstrip('/')
        self._origin = origin(self.base_url)
        credentials = [name for name, value in (('url_password', password), ('token', token)) if value]
        # Checked here, raised by request(): the module turns an HttpApiError into a clear failure.
        self._refusal = credentials_refusal(self.base_url, credentials, allow_insecure_credentials)
        self.retries = max(0, int(retries))
        self.request_count = 0
        self._sleep = sleep
        default_headers = {'Accept': 'application/json'}
        # Headers the API wants on every request, such as Grafana's X-Grafana-Org-Id.
        default_headers.update(headers or {})
        if token:
            default_headers['Authorization'] = 'Bearer %s' % token
        self._request = Request(
            headers=default_headers,
            timeout=timeout,
            validate_certs=validate_certs,
            url_username=username,
            url_password=password,
            force_basic_auth=username is not None,
            # _open() follows redirects itself, within the base URL's origin only: urllib would
            # send the Authorization header to wherever the server points.
            follow_redirects='none',
            http_agent=user_agent,
            client_cert=client_cert,
            client_key=client_key,
            ca_path=ca_path,
        )
        self._tls = dict(cafile=ca_path, validate_certs=validate_certs, client_cert=client_cert, client_key=client_key)
        self._tls_ready = False

    @classmethod
    def from_params(cls, params, **kwargs):
        """Build a client from module parameters that follow connection_argument_spec()."""
        for option, kwarg in _OPTION_TO_KWARG.items():
            if params.get(option) is not None:
                kwargs.setdefault(kwarg, params[option])
        return cls(**kwargs)

    def url_for(self, path, query=None):
        url = self.base_url + '/' + path.lstrip('/')
        if query:
            url += '?' + urlencode(query, doseq=True)
        return url

    def request(self, method, path, query=None, body=None, idempotent=None):
        """Send one request and return the decoded JSON body (None when it is empty).

        Connection errors and 5xx answers are retried with exponential backoff; 4xx never.
        A request that is not idempotent (by default: POST and PATCH) is retried only after
        connection refused, a host name that does not resolve, or NOT_PROCESSED_STATUS.
        Nothing is sent when the credentials would be exposed (see credentials_refusal()).
        """
        if idempotent is None:
            idempotent = method.upper() not in ('POST', 'PATCH')
        url = self.url_for(path, query)
        shown_url = redact_url(url)
        if self._refusal:
            raise HttpApiError('%s %s refused before sending: %s' % (method, shown_url, self._refusal),
                               method, shown_url, attempts=0)
        headers = {}
        data = None
        if body is not None:
            data = to_bytes(json.dumps(body))
            headers['Content-Type'] = 'application/json'
        attempt = 0
        while True:
            attempt += 1
            try:
                self._prepare_tls()
                response = self._open(method, url, data, headers, attempt)
                return self._decode(response.read(), method, shown_url, attempt)
            except HTTPError as exc:
                raw = _read_error_body(exc)
                text = server_error_text(raw)
                retry = exc.code >= 500 and (idempotent or exc.code in NOT_PROCESSED_STATUS)
                if not retry or attempt > self.retries:
                    message = '%s %s failed: HTTP %d %s' % (method, shown_url, exc.code, exc.reason)
                    if text:
                        message += ': %s' % text
                    if exc.code in (401, 403):
                        message += '; check url_username/url_password or token'
                    if attempt > 1:
                        message += ' (after %d attempts)' % attempt
                    raise HttpApiError(message, method, shown_url, status=exc.code, server_text=text,
                                       body=_json_object(raw), attempts=attempt) from None
            except (URLError, OSError, HTTPException, UrlsConnectionError) as exc:
                if not _is_retryable_connection_error(exc, idempotent) or attempt > self.retries:
                    message = '%s %s failed: %s' % (method, shown_url, _describe_connection_error(exc))
                    if attempt > 1:
                        message += ' (after %d attempts)' % attempt
                    raise HttpApiError(message, method, shown_url, attempts=attempt) from None
            self._sleep(min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (attempt - 1)))

    def _open(self, method, url, data, headers, attempt):
        """Request.open, following redirects, but only within the base URL's origin.

        The credentials are the base URL's: a redirect to another scheme, host or port is an
        error (the user may set url to the new address), not a request that carries them
        there. A redirect that would turn a POST, PUT, PATCH or DELETE into a GET (301, 302,
        303) is an error too: the body would be lost.
        """
        shown_url = redact_url(url)
        for _hop in range(MAX_REDIRECTS + 1):
            self.request_count += 1
            try:
                return self._request.open(method, url, data=data, headers=headers)
            except HTTPError as exc:
                location = exc.headers.get('Location') if exc.headers else None
                if exc.code not in REDIRECT_STATUS or not location:
                    raise
                _read_error_body(exc)
                code, target = exc.code, urljoin(url, location)
            refusal = None
            parts = urlsplit(target)
            if origin(target) != self._origin or parts.username is not None or parts.password is not None:
                refusal = ('another origin than url; not followed, so that neither credentials nor data '
                           'leave it. If the new address is right, set url to it')
            elif method.upper() not in ('GET', 'HEAD') and code not in METHOD_KEEPING_REDIRECTS:
                refusal = 'not followed, as that would resend the %s as a GET; set url to the new address' % method
            if refusal:
                raise HttpApiError('%s %s was redirected (HTTP %d) to %s, %s' % (
                    method, shown_url, code, redact_url(target), refusal),
                    method, shown_url, status=code, attempts=attempt)
            url = target
        raise HttpApiError('%s %s failed: more than %d redirects' % (method, shown_url, MAX_REDIRECTS),
                           method, shown_url, status=code, attempts=attempt)

    def _prepare_tls(self):
        """Build the TLS context once, as Request would.

        Without one, Request builds a context, loading every CA certificate, for each
        request: about 40 ms, which dominates a run that writes hundreds of silences.
        """
        if self._tls_ready:
            return
        if hasattr(self._request, 'context'):
            try:
                self._request.context = make_context(**self._tls)
            except TypeError:
                # An ansible-core whose make_context lacks these options: Request builds its own.
                pass
        self._tls_ready = True

    @staticmethod
    def _decode(raw, method, shown_url, attempt):
        if not raw or not raw.strip():
            return None
        try:
            return json.loads(to_text(raw, errors='surrogate_or_strict'))
        except ValueError:
            snippet = to_text(raw, errors='surrogate_or_replace')[:200]
            raise HttpApiError('%s %s answered with something that is not JSON: %r' % (method, shown_url, snippet),
                               method, shown_url, attempts=attempt) from None


def _json_object(raw):
    try:
        data = json.loads(to_text(raw or b'', errors='surrogate_or_replace'))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _read_error_body(exc):
    try:
        return exc.read()
    except Exception:  # pylint: disable=broad-except
        # The connection may already be gone; the status line is then all we have.
        return b''
