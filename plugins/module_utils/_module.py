# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The base of every module that talks to an HTTP API: options, client, errors, result.

A module passes its own options to the constructor and implements ``execute()``; this
base builds the ``AnsibleModule`` from the API's shared connection options merged with the
module's, creates the API client on first use, and turns errors into ``fail_json`` with
the request count and HTTP status attached in one place.

The API is a ``Connection``: each API (Alertmanager today) defines one, with its own
connection options and client, and a subclass of ``ApiModule`` that points at it.
"""

from __future__ import annotations

import copy
from urllib.parse import unquote, urlsplit

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.tradpal.monitoring.plugins.module_utils._http import HttpApiError


class InputError(ValueError):
    """Input the module cannot act on. ``ApiModule.run()`` fails the task with its message."""


class Connection(object):
    """How the modules of one API connect to it.

    ``argument_spec``: the connection options every module of the API takes (URL,
    credentials, TLS, ...). ``client``: a callable that builds the API client from the
    module's params; the client has a ``request_count``. ``module_kwargs``: the
    AnsibleModule constraints between the connection options (``mutually_exclusive``,
    ``required_together``, ``required_by``, ...).
    """

    def __init__(self, argument_spec, client, **module_kwargs):
        self.argument_spec = argument_spec
        self.client = client
        self.module_kwargs = module_kwargs


def merge_module_kwargs(*kwargs_list):
    """AnsibleModule keyword arguments combined: lists are concatenated, dicts merged, the rest replaced."""
    merged = {}
    for kwargs in kwargs_list:
        for key, value in kwargs.items():
            if isinstance(value, (list, tuple)):
                merged[key] = list(merged.get(key, [])) + list(value)
            elif isinstance(value, dict):
                merged[key] = dict(merged.get(key, {}), **value)
            else:
                merged[key] = value
    return merged


class ApiModule(object):
    """A module of one API. Subclass it per API (set ``connection``), then per module.

    ``argument_spec`` holds the module's own options, ``module_kwargs`` their AnsibleModule
    constraints (``mutually_exclusive``, ``required_if``, ...). A module implements
    ``execute()``, returning the result dict, and calls ``run()``. ``partial_result()``
    may report what a run that fails halfway already did.
    """

    connection = None

    def __init__(self, argument_spec, supports_check_mode=True, **module_kwargs):
        clash = sorted(set(argument_spec) & set(self.connection.argument_spec))
        if clash:
            raise ValueError('%s redefines connection option(s) %s' % (type(self).__name__, ', '.join(clash)))
        spec = copy.deepcopy(self.connection.argument_spec)
        spec.update(copy.deepcopy(argument_spec))
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode,
                                    **merge_module_kwargs(self.connection.module_kwargs, module_kwargs))
        self.params = self.module.params
        self._hide_url_password()
        self.check_mode = self.module.check_mode
        self.diff_mode = self.module._diff
        self._client = None

    def _hide_url_password(self):
        # The client refuses a url with user:password@, but url is not no_log: without this the
        # password would show in the result's invocation.
        try:
            password = urlsplit(self.params.get('url') or '').password
        except ValueError:
            return
        if password:
            self.module.no_log_values.update({password, unquote(password)})

    @property
    def client(self):
        """The API client, built from the connection options on first use."""
        if self._client is None:
            self._client = self.connection.client(self.params)
        return self._client

    def execute(self):
        """The module's work; returns the result dict (``changed`` and the module's return values)."""
        raise NotImplementedError

    def partial_result(self):
        """Return values for a run that failed after it started changing things."""
        return {}

    def run(self):
        try:
            result = self.execute()
        except HttpApiError as exc:
            self.fail(str(exc), status=exc.status, **self.partial_result())
        except InputError as exc:
            self.fail(str(exc), **self.partial_result())
        self.module.exit_json(**self._with_request_count(result))

    def fail(self, msg, **result):
        self.module.fail_json(msg=msg, **self._with_request_count(result))

    def _with_request_count(self, result):
        # Only once a client exists: input refused before any request has no count to report.
        if self._client is not None:
            result = dict(result, http_requests=self._client.request_count)
        return result
