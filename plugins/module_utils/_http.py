# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one JSON-over-HTTP base every module of this collection talks through.

It knows nothing about any particular API: a thin client per service (Alertmanager,
Grafana, ...) builds on it. It owns the connection options, authentication, TLS,
retries, JSON in and out, error text, and a count of the requests it sent.
"""

from __future__ import annotations

from http.client import HTTPException
import json
import socket
import ssl
import time
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit, urlunsplit

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
    )


# AnsibleModule keyword arguments that belong with connection_argument_spec().
CONNECTION_MODULE_KWARGS = dict(
    mutually_exclusive=[('url_username', 'token'), ('url_password', 'token')],
    required_together=[('url_username', 'url_password')],
    required_by={'client_key': 'client_cert'},
)


def redact_url(url):
    """The URL without any user:password@ part, for messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ''
    if parts.port:
        netloc = '%s:%d' % (netloc, parts.port)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


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
                 user_agent='ansible-tradpal-monitoring', headers=None, sleep=time.sleep):
        if not base_url:
            raise ValueError('a base URL is required')
        self.base_url = base_url.rstrip('/')
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
        """
        if idempotent is None:
            idempotent = method.upper() not in ('POST', 'PATCH')
        url = self.url_for(path, query)
        shown_url = redact_url(url)
        headers = {}
        data = None
        if body is not None:
            data = to_bytes(json.dumps(body))
            headers['Content-Type'] = 'application/json'
        attempt = 0
        while True:
            attempt += 1
            self.request_count += 1
            try:
                self._prepare_tls()
                response = self._request.open(method, url, data=data, headers=headers)
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
