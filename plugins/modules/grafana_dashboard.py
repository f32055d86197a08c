#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: grafana_dashboard
short_description: Dashboards as code in Grafana, idempotent, one or many at a time
version_added: 0.2.0
description:
  - Creates, updates, moves and deletes Grafana dashboards from JSON, identified by their uid.
  - "Idempotent: the declared dashboard is compared with the stored one after leaving out what Grafana owns
    (C(id), C(version)), what the web UI adds (C(iteration)), what exports add (C(__inputs), C(__requires),
    C(__elements)) and top-level C(null) fields. When nothing differs nothing is written: every save bumps
    Grafana's version of the dashboard, which users see in its history."
  - "Safe: a save carries the version this run read. When someone changed the dashboard in between, Grafana refuses
    (412 C(version-mismatch), 409 on the newest versions) and the task fails, naming who changed it and when;
    O(overwrite=true) replaces their change. Provisioned dashboards (Grafana answers C(Cannot save provisioned
    dashboard)) are reported before any write."
  - The folder is always sent as C(folderUid); the deprecated numeric C(folderId) that Grafana 13 ignores is never
    used. A dashboard in another folder than declared is moved.
  - Every dashboard saved gets the O(management_tag); O(prune) deletes the dashboards that carry it and are no
    longer declared.
  - O(dashboards) or O(directory) apply many dashboards in one task, reading the existing ones with one paged
    search and one read per existing declared dashboard.
author:
  - TradPal platform team (@tradpal)
extends_documentation_fragment:
  - tradpal.monitoring._grafana
  - tradpal.monitoring._http
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads only, and returns what it would create, update, move and delete.
  diff_mode:
    support: full
    details:
      - One before/after pair per dashboard that changes, as indented JSON with sorted keys, its folder included.
  platform:
    platforms: all
options:
  path:
    description:
      - A dashboard JSON file on the host that runs the module.
      - The JSON is the dashboard model, or an API answer C({"dashboard":..., "meta":...}).
      - One of O(path), O(content), O(dashboard_url), O(dashboards), O(directory); with O(state=absent) O(uid) alone
        is enough.
    type: path
  content:
    description:
      - The dashboard itself, as a dict or JSON text (for example C("{{ lookup('file', 'orders.json') }}")).
    type: raw
  dashboard_url:
    description:
      - An HTTP(S) URL to download the dashboard JSON from, without credentials (such as a grafana.com
        revision download).
    type: str
  uid:
    description:
      - The dashboard's uid; overrides the uid in the JSON.
      - "A uid is required, in the JSON or here: since Grafana 11.3 titles are not unique, so a dashboard without
        a uid cannot be found again on the next run."
    type: str
  folder:
    description:
      - The folder, by uid or by title path such as V(Team/Latency) (nested folders). Not set, V(''), or
        V(General) is the root level.
      - A value without C(/) is first looked up as a uid, then as a title at the root.
      - The folder must exist (create it with M(tradpal.monitoring.grafana_folder)).
      - With O(dashboards) or O(directory), the default for items that set no folder.
    type: str
  state:
    description:
      - V(present) creates, updates or moves the dashboard; V(absent) deletes it.
      - With O(dashboards), the default for items that set no state.
    type: str
    choices: [present, absent]
    default: present
  commit_message:
    description:
      - The commit message stored in the dashboard's version history (at most 500 characters).
    type: str
  overwrite:
    description:
      - Save even when someone changed the dashboard after this run read it, or the dashboard belongs to a plugin.
        Their change is lost.
    type: bool
    default: false
  inputs:
    description:
      - "Values of the inputs of a dashboard exported for sharing (its C(__inputs), used as C(${DS_PROMETHEUS})
        placeholders), by input name, such as C({DS_PROMETHEUS: prometheus-main}). Inputs are resolved before
        the dashboard is compared and saved."
      - With O(dashboards) or O(directory), the default for items that set none.
    type: dict
  dashboards:
    description:
      - Many dashboards in one task. Each item takes O(dashboards[].path), O(dashboards[].content) or
        O(dashboards[].dashboard_url), and optionally its own uid, folder, state and inputs.
      - Mutually exclusive with the single dashboard options and O(directory).
    type: list
    elements: dict
    suboptions:
      path:
        description: A dashboard JSON file.
        type: path
      content:
        description: The dashboard, as a dict or JSON text.
        type: raw
      dashboard_url:
        description: An HTTP(S) URL to download the dashboard from.
        type: str
      uid:
        description: The uid, overriding the JSON's.
        type: str
      folder:
        description: The folder, by uid or title path; default O(folder).
        type: str
      state:
        description: V(present) or V(absent); default O(state).
        type: str
        choices: [present, absent]
      inputs:
        description: Input values for an export; default O(inputs).
        type: dict
  directory:
    description:
      - Apply every C(*.json) file of this directory (not its subdirectories), all into O(folder).
      - Mutually exclusive with O(dashboards) and the single dashboard options.
    type: path
  prune:
    description:
      - With O(dashboards) or O(directory), delete the dashboards that carry O(management_tag) and are not declared.
    type: bool
    default: false
  management_tag:
    description:
      - The tag added to every dashboard this module saves, which O(prune) looks for. Give teams that manage
        dashboards from separate repositories separate tags, so one's prune never deletes the other's dashboards.
      - V('') adds no tag; O(prune) then cannot be used.
    type: str
    default: tradpal.monitoring
seealso:
  - module: tradpal.monitoring.grafana_folder
  - module: tradpal.monitoring.grafana_dashboard_info
"""

EXAMPLES = r"""
- name: One dashboard from the repository, into a nested folder
  tradpal.monitoring.grafana_dashboard:
    url: https://grafana.example.com
    token: "{{ vault_grafana_token }}"
    path: dashboards/orders.json
    folder: Trading/Latency
    commit_message: "Deployed by Ansible from {{ lookup('pipe', 'git rev-parse --short HEAD') }}"
  delegate_to: localhost

- name: A dashboard exported for sharing, with its data source input
  tradpal.monitoring.grafana_dashboard:
    url: https://grafana.example.com
    token: "{{ vault_grafana_token }}"
    dashboard_url: https://grafana.com/api/dashboards/1860/revisions/37/download
    uid: node-exporter-full
    inputs:
      DS_PROMETHEUS: prometheus-main
  delegate_to: localhost

- name: The whole directory in one task; dashboards removed from it are deleted
  tradpal.monitoring.grafana_dashboard:
    url: https://grafana.example.com
    token: "{{ vault_grafana_token }}"
    directory: dashboards/trading
    folder: trading
    prune: true
  delegate_to: localhost

- name: Gone
  tradpal.monitoring.grafana_dashboard:
    url: https://grafana.example.com
    token: "{{ vault_grafana_token }}"
    uid: old-orders
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
dashboards:
  description: One entry per declared dashboard, in order, then one per pruned dashboard.
  returned: always
  type: list
  elements: dict
  contains:
    uid:
      description: The uid.
      type: str
      sample: orders-overview
    title:
      description: The title.
      type: str
      sample: Orders overview
    folder_uid:
      description: The folder's uid; V('') at the root.
      type: str
      sample: trading-latency
    action:
      description: V(created), V(updated), V(moved), V(updated and moved), V(unchanged), V(deleted), V(absent)
        (nothing to delete) or V(pruned).
      type: str
      sample: updated
    changes:
      description: The JSON paths that differ from the stored dashboard (at most 20 are listed).
      type: list
      elements: str
      sample: ['panels[0].title', 'refresh']
    version:
      description: Grafana's version of the dashboard after the run; V(null) when there is none or in check mode.
      type: int
      sample: 7
    url:
      description: The dashboard's path in Grafana's web UI.
      type: str
      sample: /d/orders-overview/orders-overview
http_requests:
  description: How many HTTP requests the run sent to Grafana, retries included.
  returned: always
  type: int
  sample: 2
"""

import glob
import os

from ansible_collections.tradpal.monitoring.plugins.module_utils import _grafana_dashboards as dash
from ansible_collections.tradpal.monitoring.plugins.module_utils._grafana import (
    CONFLICT_STATUS,
    FolderResolver,
    GrafanaModule,
)
from ansible_collections.tradpal.monitoring.plugins.module_utils._http import HttpApiError, JsonHttpClient
from ansible_collections.tradpal.monitoring.plugins.module_utils._module import InputError

SOURCE_OPTIONS = ('path', 'content', 'dashboard_url')


class Declared(object):
    """One dashboard as the task declares it."""

    def __init__(self, uid, dashboard, folder, state, source):
        self.uid = uid
        self.dashboard = dashboard
        self.folder = folder
        self.state = state
        self.source = source


def item_options():
    """The options of one dashboard, at the top level and per item of ``dashboards``."""
    return dict(
        path=dict(type='path'),
        content=dict(type='raw'),
        dashboard_url=dict(type='str'),
        uid=dict(type='str'),
        folder=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent']),
        inputs=dict(type='dict'),
    )


class DashboardModule(GrafanaModule):
    def __init__(self):
        spec = item_options()
        spec['state']['default'] = 'present'
        spec.update(
            commit_message=dict(type='str'),
            overwrite=dict(type='bool', default=False),
            dashboards=dict(type='list', elements='dict', options=item_options()),
            directory=dict(type='path'),
            prune=dict(type='bool', default=False),
            management_tag=dict(type='str', default=dash.DEFAULT_MANAGEMENT_TAG),
        )
        super().__init__(
            argument_spec=spec,
            mutually_exclusive=[('path', 'content', 'dashboard_url', 'dashboards', 'directory'),
                                ('uid', 'dashboards'), ('uid', 'directory')],
            required_one_of=[('path', 'content', 'dashboard_url', 'dashboards', 'directory', 'uid')],
        )
        self.done = []

    # Reading the declaration

    def items(self):
        params = self.params
        if params['dashboards'] is not None:
            return params['dashboards']
        if params['directory'] is not None:
            files = sorted(glob.glob(os.path.join(params['directory'], '*.json')))
            if not os.path.isdir(params['directory']):
                raise InputError('directory %s does not exist' % params['directory'])
            return [dict(path=f) for f in files]
        return [{k: params[k] for k in (*SOURCE_OPTIONS, 'uid')}]

    def declared(self):
        params = self.params
        bulk = params['dashboards'] is not None or params['directory'] is not None
        if params['prune'] and not bulk:
            raise InputError('prune needs the list of dashboards to keep: use it with dashboards or directory')
        if params['prune'] and not params['management_tag']:
            raise InputError('prune deletes the dashboards that carry management_tag, which is empty')
        result = []
        for index, item in enumerate(self.items()):
            state = item.get('state') or params['state']
            sources = [k for k in SOURCE_OPTIONS if item.get(k) not in (None, '')]
            label = 'dashboards[%d]' % index if bulk else 'the dashboard'
            if len(sources) > 1:
                raise InputError('%s: %s are mutually exclusive' % (label, ', '.join(sources)))
            if not sources and not (state == 'absent' and item.get('uid')):
                raise InputError('%s: give one of path, content or dashboard_url (or only uid with state=absent)'
                                 % label)
            dashboard = self.load(item, sources[0]) if sources else {}
            source = '%s (%s)' % (label, item[sources[0]] if sources and sources[0] != 'content' else 'content')
            inputs = item.get('inputs') if item.get('inputs') is not None else params['inputs']
            dashboard = dash.resolve_inputs(dashboard, inputs, source)
            uid = item.get('uid') or dashboard.get('uid')
            if not uid:
                raise InputError('%s (title %r) has no uid. Since Grafana 11.3 titles are not unique, so a dashboard '
                                 'without a uid cannot be found again on the next run: set "uid" in the JSON or the '
                                 'uid option.' % (source, dashboard.get('title')))
            dashboard['uid'] = uid
            folder = item.get('folder') if item.get('folder') is not None else params['folder']
            result.append(Declared(uid, dash.normalise(dashboard, params['management_tag']), folder, state, source))
        if params['prune'] and not any(item.state == 'present' for item in result):
            # An empty directory or list would otherwise delete every dashboard with the tag.
            raise InputError('prune with no dashboard declared present would delete every dashboard tagged %r; '
                             'declare the dashboards to keep' % params['management_tag'])
        seen = set()
        for declared in result:
            if declared.uid in seen:
                raise InputError('uid %r is declared more than once' % declared.uid)
            seen.add(declared.uid)
        return result

    def load(self, item, source):
        if source == 'path':
            return dash.read_dashboard_file(item['path'])
        if source == 'content':
            return dash.parse_dashboard(item['content'], 'content')
        download = JsonHttpClient(item['dashboard_url'], validate_certs=self.params['validate_certs'],
                                  timeout=self.params['timeout'], retries=self.params['retries'])
        return dash.parse_dashboard(download.request('GET', ''), item['dashboard_url'])

    # Doing it

    def execute(self):
        declared = self.declared()
        bulk = self.params['dashboards'] is not None or self.params['directory'] is not None
        folders = FolderResolver(self.client)
        hits = None
        if bulk:
            # One paged search tells which declared dashboards exist (and what prune may delete);
            # only those are read.
            hits = {hit['uid']: hit for hit in self.client.search(type='dash-db')}
        diffs = []
        for item in declared:
            stored = None
            if hits is None or item.uid in hits:
                stored = self.client.get_dashboard(item.uid)
            if item.state == 'absent':
                self.absent(item.uid, stored, 'deleted', diffs)
            else:
                self.present(item, stored, folders, diffs)
        if self.params['prune']:
            keep = {item.uid for item in declared}
            for uid, hit in sorted(hits.items()):
                if uid not in keep and self.params['management_tag'] in (hit.get('tags') or []):
                    self.absent(uid, self.client.get_dashboard(uid), 'pruned', diffs)
        result = dict(changed=any(d['action'] not in ('unchanged', 'absent') for d in self.done),
                      dashboards=self.done)
        if self.diff_mode:
            result['diff'] = diffs
        return result

    def partial_result(self):
        return dict(changed=any(d['action'] not in ('unchanged', 'absent') for d in self.done), dashboards=self.done)

    def present(self, item, stored, folders, diffs):
        folder_uid = folders.resolve(item.folder)
        if folder_uid is None:
            if not self.check_mode:
                raise InputError('%s: folder %r does not exist; create it first (tradpal.monitoring.grafana_folder)'
                                 % (item.source, item.folder))
            self.module.warn('folder %r does not exist (yet); a real run fails unless it is created first'
                             % item.folder)
        before = dash.normalise(stored['dashboard']) if stored else None
        stored_folder = stored['meta'].get('folderUid') or '' if stored else None
        paths = dash.changed_paths(before, item.dashboard) if stored else []
        moved = stored is not None and stored_folder != folder_uid
        if stored is None:
            action = 'created'
        elif paths and moved:
            action = 'updated and moved'
        elif paths or moved:
            action = 'updated' if paths else 'moved'
        else:
            action = 'unchanged'
        entry = dict(uid=item.uid, title=item.dashboard.get('title'), folder_uid=folder_uid, action=action,
                     changes=dash.summarise_changes(paths), version=stored['meta'].get('version') if stored else None,
                     url=stored['meta'].get('url') if stored else None)
        if action != 'unchanged':
            if stored and stored['meta'].get('provisioned'):
                raise InputError(self.provisioned_message(item.uid, stored))
            read = ' (version %s)' % entry['version'] if stored else ''
            diffs.append(dict(before=dash.diff_text(stored_folder, before),
                              after=dash.diff_text(folder_uid, item.dashboard),
                              before_header='dashboard %s%s' % (item.uid, read),
                              after_header='dashboard %s' % item.uid))
            entry['version'] = None
            if not self.check_mode:
                saved = self.save(item, stored, folder_uid)
                entry.update(version=saved.get('version'), url=saved.get('url'))
        self.done.append(entry)

    def save(self, item, stored, folder_uid):
        dashboard = dict(item.dashboard, version=stored['dashboard'].get('version', 0) if stored else 0)
        try:
            return self.client.save_dashboard(dashboard, folder_uid, self.params['commit_message'],
                                              self.params['overwrite'])
        except HttpApiError as exc:
            message = self.explain_refusal(item, stored, exc)
            if message is None:
                raise
            raise InputError(message) from None

    def explain_refusal(self, item, stored, exc):
        body = exc.body or {}
        said = exc.server_text or ''
        if exc.status in CONFLICT_STATUS and body.get('status') == 'plugin-dashboard':
            return ('dashboard %r: %s Set overwrite: true to replace it; the plugin may restore its version when it '
                    'is updated.' % (item.uid, said))
        if exc.status in CONFLICT_STATUS:
            now = self.client.get_dashboard(item.uid)
            meta = (now or {}).get('meta', {})
            read = 'this run read version %s' % stored['meta'].get('version') if stored else 'it did not exist then'
            who = 'it was changed'
            if now:
                who = '%s changed it at %s, now version %s' % (meta.get('updatedBy'), meta.get('updated'),
                                                               meta.get('version'))
            return ('dashboard %r (%s) was changed by someone else while this task ran: %s; %s. Grafana refused the '
                    'save (HTTP %d: %s), nothing was overwritten. Run again to compare with their version, or set '
                    'overwrite: true to replace their change.'
                    % (item.uid, item.dashboard.get('title'), who, read, exc.status, said))
        if exc.status == 400 and 'provisioned' in said.lower():
            return self.provisioned_message(item.uid, stored)
        if exc.status == 400 and 'folder not found' in said.lower():
            return 'dashboard %r: Grafana does not know folder %r (%s)' % (item.uid, item.folder, said)
        return None

    @staticmethod
    def provisioned_message(uid, stored):
        meta = (stored or {}).get('meta', {})
        return ('dashboard %r is provisioned from a file on the Grafana server (%s) and Grafana refuses to save it '
                'through the API ("Cannot save provisioned dashboard"). Change the provisioned file instead, or '
                'remove it from provisioning first.' % (uid, meta.get('provisionedExternalId') or 'provisioned'))

    def absent(self, uid, stored, action, diffs):
        if stored is None:
            self.done.append(dict(uid=uid, title=None, folder_uid=None, action='absent', changes=[], version=None,
                                  url=None))
            return
        meta = stored['meta']
        if meta.get('provisioned'):
            raise InputError(self.provisioned_message(uid, stored).replace('save it', 'delete it'))
        before = dash.normalise(stored['dashboard'])
        diffs.append(dict(before=dash.diff_text(meta.get('folderUid') or '', before), after='',
                          before_header='dashboard %s (version %s)' % (uid, meta.get('version')),
                          after_header='dashboard %s (deleted)' % uid))
        if not self.check_mode:
            self.client.delete_dashboard(uid)
        self.done.append(dict(uid=uid, title=before.get('title'), folder_uid=meta.get('folderUid') or '',
                              action=action, changes=[], version=None, url=None))


def main():
    DashboardModule().run()


if __name__ == '__main__':
    main()
