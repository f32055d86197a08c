# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Grafana's HTTP API (/api): its client, its connection options, folder paths, and the base of its modules.

Only ``folderUid`` is ever sent (Grafana 13 ignores the numeric ``folderId``), and the
organisation is chosen per request with the ``X-Grafana-Org-Id`` header, never by switching
the user's current organisation (``POST /api/user/using/<id>``) as a side effect.
"""

from __future__ import annotations

from urllib.parse import quote

from ansible.module_utils.basic import env_fallback
from ansible_collections.tradpal.monitoring.plugins.module_utils._http import (
    CONNECTION_MODULE_KWARGS,
    HttpApiError,
    JsonHttpClient,
    connection_argument_spec,
)
from ansible_collections.tradpal.monitoring.plugins.module_utils._module import ApiModule, Connection, InputError

# /api/search refuses a larger limit with 422 and wants `page` instead.
SEARCH_PAGE_SIZE = 5000
# /api/folders pages (its default limit is 1000).
FOLDER_PAGE_SIZE = 1000
# Statuses of a save refused because the stored dashboard or folder is not the version the
# save carries: 412 version-mismatch on Grafana up to 12, 409 on the newest (k8s-backed) API.
CONFLICT_STATUS = (409, 412)


def _uid_path(prefix, uid):
    return '%s/%s' % (prefix, quote(uid, safe=''))


def _paged_get(http, path, query, page_size):
    """Every item of a paged listing (``limit`` and 1-based ``page`` parameters).

    Stops at a short page, and also when a page brings nothing new: Grafana's k8s-backed
    folder handler ignores ``page`` and answers every page with the whole list.
    """
    seen = set()
    items = []
    page = 1
    while True:
        batch = http.request('GET', path, query=[*query, ('limit', page_size), ('page', page)]) or []
        fresh = [item for item in batch if item.get('uid') not in seen]
        seen.update(item.get('uid') for item in fresh)
        items.extend(fresh)
        if len(batch) < page_size or not fresh:
            return items
        page += 1


class GrafanaClient(object):
    """The Grafana /api calls the modules need, for one organisation."""

    def __init__(self, http):
        self.http = http

    @classmethod
    def from_params(cls, params):
        headers = None
        if params.get('org_id') is not None:
            headers = {'X-Grafana-Org-Id': str(params['org_id'])}
        return cls(JsonHttpClient.from_params(params, headers=headers))

    @property
    def request_count(self):
        return self.http.request_count

    def _get_or_none(self, path, query=None):
        try:
            return self.http.request('GET', path, query=query)
        except HttpApiError as exc:
            if exc.status == 404:
                return None
            raise

    # Dashboards

    def get_dashboard(self, uid):
        """``{"dashboard": ..., "meta": ...}``, or None when there is no dashboard with this uid."""
        return self._get_or_none(_uid_path('api/dashboards/uid', uid))

    def save_dashboard(self, dashboard, folder_uid, message=None, overwrite=False):
        body = {'dashboard': dashboard, 'folderUid': folder_uid or '', 'overwrite': bool(overwrite)}
        if message:
            body['message'] = message
        # Not idempotent: a retried save would bump the version twice, and a retry after a
        # lost answer could fail with a version mismatch against our own first save.
        return self.http.request('POST', 'api/dashboards/db', body=body)

    def _delete(self, path):
        """True when it was deleted, False when there was none."""
        try:
            self.http.request('DELETE', path)
        except HttpApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def delete_dashboard(self, uid):
        return self._delete(_uid_path('api/dashboards/uid', uid))

    def search(self, **filters):
        """Every hit of /api/search for these filters (``type``, ``tag``, ``folderUIDs``, ``dashboardUIDs``...)."""
        query = [(key, value) for key, value in filters.items() if value not in (None, [], '')]
        return _paged_get(self.http, 'api/search', query, SEARCH_PAGE_SIZE)

    # Folders

    def get_folder(self, uid):
        return self._get_or_none(_uid_path('api/folders', uid))

    def list_folders(self, parent_uid=None):
        """The folders directly below ``parent_uid`` (below the root when None)."""
        query = [('parentUid', parent_uid)] if parent_uid else []
        return _paged_get(self.http, 'api/folders', query, FOLDER_PAGE_SIZE)

    def create_folder(self, uid, title, parent_uid=None, description=None):
        body = {'uid': uid, 'title': title}
        if parent_uid:
            body['parentUid'] = parent_uid
        if description is not None:
            body['description'] = description
        return self.http.request('POST', 'api/folders', body=body)

    def update_folder(self, uid, version, title=None, description=None, overwrite=False):
        body = {'version': version, 'overwrite': bool(overwrite)}
        if title is not None:
            body['title'] = title
        if description is not None:
            body['description'] = description
        return self.http.request('PUT', _uid_path('api/folders', uid), body=body, idempotent=False)

    def move_folder(self, uid, parent_uid):
        return self.http.request('POST', _uid_path('api/folders', uid) + '/move', body={'parentUid': parent_uid or ''},
                                 idempotent=True)

    def delete_folder(self, uid):
        """True when it was deleted (with the dashboards and folders in it), False when there was none."""
        return self._delete(_uid_path('api/folders', uid))


ROOT_FOLDER_NAMES = ('', 'General', 'general')


class FolderResolver(object):
    """Finds folders by uid or by title path (``Team/Subteam``), listing each level once per run."""

    def __init__(self, client):
        self.client = client
        self._children = {}
        self._by_uid = {}

    def children(self, parent_uid):
        if parent_uid not in self._children:
            self._children[parent_uid] = self.client.list_folders(parent_uid or None)
        return self._children[parent_uid]

    def by_uid(self, uid):
        if uid not in self._by_uid:
            self._by_uid[uid] = self.client.get_folder(uid)
        return self._by_uid[uid]

    def resolve(self, folder):
        """The uid of ``folder`` ('' for the root); None when a folder of the path does not exist.

        A value without ``/`` is first tried as a uid, then as a title at the root. Titles are
        not unique in Grafana 11.3 and later, so a title that two folders of one level share fails.
        """
        if folder is None or folder in ROOT_FOLDER_NAMES:
            return ''
        if '/' not in folder and self.by_uid(folder) is not None:
            return folder
        parent = ''
        for title in split_folder_path(folder):
            matches = [f for f in self.children(parent) if f.get('title') == title]
            if not matches:
                return None
            if len(matches) > 1:
                raise InputError('folder path %r is ambiguous: %d folders titled %r (uids %s) in the same place; '
                                 'give the folder by uid instead' % (
                                     folder, len(matches), title, ', '.join(sorted(m['uid'] for m in matches))))
            parent = matches[0]['uid']
        return parent


def split_folder_path(path):
    """``'Team/Sub team/'`` → ``['Team', 'Sub team']``: the titles of a folder path, root first."""
    titles = [part.strip() for part in path.split('/')]
    if not all(titles[:-1]) or not any(titles):
        raise InputError('folder path %r has an empty title in it' % path)
    return [t for t in titles if t]


def grafana_argument_spec():
    spec = connection_argument_spec('GRAFANA')
    spec['org_id'] = dict(type='int', fallback=(env_fallback, ['GRAFANA_ORG_ID']))
    return spec


# The options are documented in the tradpal.monitoring._grafana doc fragment.
GRAFANA = Connection(
    argument_spec=grafana_argument_spec(),
    client=GrafanaClient.from_params,
    **CONNECTION_MODULE_KWARGS
)


class GrafanaModule(ApiModule):
    """Base of the Grafana modules: the GRAFANA_* connection options and a GrafanaClient."""

    connection = GRAFANA
