# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Alertmanager v2 API: its client, its connection options, and the base of its modules."""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.tradpal.monitoring.plugins.module_utils._http import (
    CONNECTION_MODULE_KWARGS,
    HttpApiError,
    JsonHttpClient,
    connection_argument_spec,
)
from ansible_collections.tradpal.monitoring.plugins.module_utils._module import ApiModule, Connection
from ansible_collections.tradpal.monitoring.plugins.module_utils._silences import ExistingSilence


class AlertmanagerClient(object):
    """The few Alertmanager v2 API calls the modules need."""

    def __init__(self, http):
        self.http = http

    @classmethod
    def from_params(cls, params):
        return cls(JsonHttpClient.from_params(params))

    @property
    def request_count(self):
        return self.http.request_count

    def list_silences(self, filters=None):
        """All silences (active, pending, expired); ``filters`` are Matchers the server filters on."""
        query = [('filter', str(m)) for m in filters or ()]
        data = self.http.request('GET', 'api/v2/silences', query=query or None)
        return [ExistingSilence.from_api(item) for item in data or []]

    def get_silence(self, silence_id):
        try:
            data = self.http.request('GET', 'api/v2/silence/%s' % quote(silence_id, safe=''))
        except HttpApiError as exc:
            if exc.status in (404, 422):
                # 422: not a UUID, so there can be no such silence either.
                return None
            raise
        return ExistingSilence.from_api(data)

    def post_silence(self, payload, idempotent=False):
        """Create or update a silence; returns the id Alertmanager answered with."""
        data = self.http.request('POST', 'api/v2/silences', body=payload, idempotent=idempotent)
        if not isinstance(data, dict) or not data.get('silenceID'):
            raise HttpApiError('POST api/v2/silences answered without a silenceID: %r' % (data,), 'POST',
                               self.http.url_for('api/v2/silences'))
        return data['silenceID']

    def expire_silence(self, silence_id):
        try:
            self.http.request('DELETE', 'api/v2/silence/%s' % quote(silence_id, safe=''))
        except HttpApiError as exc:
            if exc.status != 404:
                raise
            # Already gone: Alertmanager forgets expired silences after their retention time.


# The options are documented in the tradpal.monitoring._alertmanager doc fragment.
ALERTMANAGER = Connection(
    argument_spec=connection_argument_spec('ALERTMANAGER'),
    client=AlertmanagerClient.from_params,
    **CONNECTION_MODULE_KWARGS
)


class AlertmanagerModule(ApiModule):
    """Base of the Alertmanager modules: the ALERTMANAGER_* connection options and an AlertmanagerClient."""

    connection = ALERTMANAGER
