#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: grafana_folder
short_description: Create, rename, move and delete Grafana folders, nested folders included
version_added: 0.2.0
description:
  - Manages one Grafana folder by its O(uid), idempotently, through Grafana's HTTP API.
  - A folder whose title differs is renamed (C(PUT /api/folders/<uid>) with the version this run read, so a
    change someone made in between is reported, not overwritten); a folder below another parent is moved
    (C(POST /api/folders/<uid>/move)). Folder titles are not unique in Grafana 11.3 and later, so the folder
    is always found by its uid.
  - O(state=absent) on a folder that does not exist changes nothing.
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
      - Reads the folder and returns what it would change.
  diff_mode:
    support: full
    details:
      - Returns the folder's uid, title, parent and description before and after.
  platform:
    platforms: all
options:
  uid:
    description:
      - The folder's uid; up to 40 letters, digits, C(-) and C(_).
    type: str
    required: true
  title:
    description:
      - The folder's title. Required with O(state=present).
    type: str
  parent:
    description:
      - The uid of the folder this one is nested in (Grafana 11 and later, nested folders).
      - Not set or empty means the root level; an existing folder elsewhere is moved there.
      - Grafana limits the nesting depth (C([folder] max_nested_folder_depth)); a folder too deep fails with
        that explanation.
    type: str
  description:
    description:
      - The folder's description. Left as it is when not set.
    type: str
  state:
    description:
      - V(present) creates, renames or moves the folder as needed; V(absent) deletes it.
      - Deleting a folder deletes the dashboards, alert rules and folders in it.
    type: str
    choices: [present, absent]
    default: present
  overwrite:
    description:
      - Rename even when someone changed the folder between this run's read and its write.
    type: bool
    default: false
seealso:
  - module: tradpal.monitoring.grafana_dashboard
"""

EXAMPLES = r"""
- name: The team folder, and one nested in it
  delegate_to: localhost
  module_defaults:
    group/tradpal.monitoring.grafana:
      url: https://grafana.example.com
      token: "{{ vault_grafana_token }}"
  block:
    - name: Team folder
      tradpal.monitoring.grafana_folder:
        uid: trading
        title: Trading
    - name: Nested folder
      tradpal.monitoring.grafana_folder:
        uid: trading-latency
        title: Latency
        parent: trading

- name: Gone
  tradpal.monitoring.grafana_folder:
    url: https://grafana.example.com
    token: "{{ vault_grafana_token }}"
    uid: old-stuff
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
folder:
  description: The folder after the run; V(null) after O(state=absent).
  returned: always
  type: dict
  contains:
    uid:
      description: The uid.
      type: str
      sample: trading-latency
    title:
      description: The title.
      type: str
      sample: Latency
    parent:
      description: The parent's uid; V('') at the root.
      type: str
      sample: trading
    version:
      description: Grafana's version of the folder; V(null) in check mode for a folder not created yet.
      type: int
      sample: 2
    description:
      description: The description; V(null) when it has none.
      type: str
      sample: Order latency
    url:
      description: The folder's path in Grafana's web UI.
      type: str
      sample: /dashboards/f/trading-latency/latency
actions:
  description: What the run did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [renamed, moved]
http_requests:
  description: How many HTTP requests the run sent to Grafana, retries included.
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.tradpal.monitoring.plugins.module_utils._grafana import CONFLICT_STATUS, GrafanaModule
from ansible_collections.tradpal.monitoring.plugins.module_utils._http import HttpApiError
from ansible_collections.tradpal.monitoring.plugins.module_utils._module import InputError


def describe(folder):
    if folder is None:
        return None
    return dict(uid=folder['uid'], title=folder['title'], parent=folder.get('parentUid') or '',
                description=folder.get('description'), version=folder.get('version'), url=folder.get('url'))


class FolderModule(GrafanaModule):
    def __init__(self):
        super().__init__(
            argument_spec=dict(
                uid=dict(type='str', required=True),
                title=dict(type='str'),
                parent=dict(type='str'),
                description=dict(type='str'),
                state=dict(type='str', choices=['present', 'absent'], default='present'),
                overwrite=dict(type='bool', default=False),
            ),
            required_if=[('state', 'present', ['title'])],
        )

    def execute(self):
        uid = self.params['uid']
        before = describe(self.client.get_folder(uid))
        if self.params['state'] == 'absent':
            return self.absent(before)
        return self.present(before)

    def absent(self, before):
        if before is None:
            return dict(changed=False, folder=None, actions=[])
        if not self.check_mode:
            self.client.delete_folder(before['uid'])
        return self.result(before, None, ['deleted'])

    def present(self, before):
        params = self.params
        parent = params['parent'] or ''
        if before is None:
            after = dict(uid=params['uid'], title=params['title'], parent=parent, description=params['description'],
                         version=None, url=None)
            if not self.check_mode:
                after = describe(self.guarded(self.client.create_folder, params['uid'], params['title'], parent,
                                              params['description'], doing='create'))
            return self.result(before, after, ['created'])

        actions = []
        after = dict(before)
        wanted_description = params['description'] if params['description'] is not None else before['description']
        if (params['title'], wanted_description) != (before['title'], before['description']):
            actions.append('renamed' if params['title'] != before['title'] else 'updated')
            after.update(title=params['title'], description=wanted_description)
            if not self.check_mode:
                after = describe(self.guarded(self.client.update_folder, before['uid'], before['version'],
                                              params['title'], params['description'], params['overwrite'],
                                              doing='update'))
        if parent != before['parent']:
            actions.append('moved')
            after['parent'] = parent
            if not self.check_mode:
                after = describe(self.guarded(self.client.move_folder, before['uid'], parent, doing='move'))
        return self.result(before, after, actions)

    def guarded(self, call, *args, doing):
        """The call's answer; Grafana's refusals turned into messages that say what to do."""
        try:
            return call(*args)
        except HttpApiError as exc:
            message = self.explain(exc, doing)
            if message is None:
                raise
            raise InputError(message) from None

    def explain(self, exc, doing):
        uid, parent = self.params['uid'], self.params['parent']
        said = exc.server_text or ''
        if 'maximum-depth' in ((exc.body or {}).get('messageId') or '') or 'depth' in said.lower():
            return ('Grafana refuses to nest folder %r below %r: %s. Grafana limits how deep folders nest '
                    '([folder] max_nested_folder_depth); choose a parent higher up.' % (uid, parent, said))
        if exc.status in CONFLICT_STATUS and doing == 'create':
            return ('Grafana refuses to create folder %r: %s (HTTP %d). Another folder or a dashboard already has '
                    'this uid, or someone created it during this run; choose another uid or run again.'
                    % (uid, said, exc.status))
        if exc.status in CONFLICT_STATUS:
            return ('folder %r was changed by someone else after this run read it (%s, HTTP %d); nothing was '
                    'overwritten. Run again, or set overwrite: true to replace their change.' % (uid, said, exc.status))
        if exc.status in (400, 404) and parent and doing in ('create', 'move'):
            return ('Grafana cannot %s folder %r below %r: %s (HTTP %d). Does the parent folder exist, and are '
                    'nested folders on?' % (doing, uid, parent, said, exc.status))
        return None

    def result(self, before, after, actions):
        result = dict(changed=bool(actions), folder=after, actions=actions)
        if self.diff_mode and actions:
            def shown(folder):
                return {k: v for k, v in (folder or {}).items() if k in ('uid', 'title', 'parent', 'description')}
            result['diff'] = dict(before=shown(before), after=shown(after),
                                  before_header='folder %s' % self.params['uid'],
                                  after_header='folder %s' % self.params['uid'])
        return result


def main():
    FolderModule().run()


if __name__ == '__main__':
    main()
