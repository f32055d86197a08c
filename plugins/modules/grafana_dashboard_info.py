#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: grafana_dashboard_info
short_description: List Grafana dashboards, and export them as files grafana_dashboard applies back unchanged
version_added: 0.2.0
description:
  - Lists dashboards (filtered by folder, tags or uids) with their uid, title, folder, version and whether they
    are provisioned.
  - With O(export_dir), writes each one as C(<uid>.json), normalised the way M(tradpal.monitoring.grafana_dashboard)
    compares (without C(id), C(version), C(iteration)), so applying the files back with the returned folder changes
    nothing. A backup, or the way to move dashboards to another Grafana or into a repository.
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
      - Reads Grafana; with O(export_dir) reports which files it would write without writing them.
  diff_mode:
    support: none
  platform:
    platforms: all
options:
  folder:
    description:
      - Only dashboards directly in this folder, by uid or title path such as V(Team/Latency). V(General) or V('')
        is the root level.
    type: str
  tags:
    description:
      - Only dashboards that carry all of these tags.
    type: list
    elements: str
  uids:
    description:
      - Only these dashboards.
    type: list
    elements: str
  export_dir:
    description:
      - Write every listed dashboard to C(<export_dir>/<uid>.json); the directory is created when missing.
      - A file that already holds the same content is left alone.
    type: path
seealso:
  - module: tradpal.monitoring.grafana_dashboard
"""

EXAMPLES = r"""
- name: Back up the trading dashboards into the repository
  tradpal.monitoring.grafana_dashboard_info:
    url: https://grafana.example.com
    token: "{{ vault_grafana_token }}"
    folder: Trading
    export_dir: "{{ playbook_dir }}/dashboards/trading"
  delegate_to: localhost
  register: trading

- name: Apply them to another Grafana, into the same folder
  tradpal.monitoring.grafana_dashboard:
    url: https://grafana-dr.example.com
    token: "{{ vault_grafana_dr_token }}"
    directory: "{{ playbook_dir }}/dashboards/trading"
    folder: Trading
  delegate_to: localhost
"""

RETURN = r"""
dashboards:
  description: The dashboards, sorted by folder title, then title.
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
      sample: trading
    folder_title:
      description: The folder's title; V(General) at the root.
      type: str
      sample: Trading
    version:
      description: Grafana's version of the dashboard.
      type: int
      sample: 12
    provisioned:
      description: Whether the dashboard comes from a provisioning file (the API cannot save it).
      type: bool
      sample: false
    tags:
      description: The tags.
      type: list
      elements: str
      sample: [trading, tradpal.monitoring]
    url:
      description: The dashboard's path in Grafana's web UI.
      type: str
      sample: /d/orders-overview/orders-overview
    path:
      description: The file it was exported to; only with O(export_dir).
      type: str
      sample: /srv/dashboards/trading/orders-overview.json
http_requests:
  description: How many HTTP requests the run sent to Grafana, retries included.
  returned: always
  type: int
  sample: 3
"""

import os

from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.tradpal.monitoring.plugins.module_utils import _grafana_dashboards as dash
from ansible_collections.tradpal.monitoring.plugins.module_utils._grafana import FolderResolver, GrafanaModule
from ansible_collections.tradpal.monitoring.plugins.module_utils._module import InputError


class DashboardInfoModule(GrafanaModule):
    def __init__(self):
        super().__init__(
            argument_spec=dict(
                folder=dict(type='str'),
                tags=dict(type='list', elements='str'),
                uids=dict(type='list', elements='str'),
                export_dir=dict(type='path'),
            ),
        )

    def execute(self):
        params = self.params
        folder_uids = None
        if params['folder'] is not None:
            folder_uid = FolderResolver(self.client).resolve(params['folder'])
            if folder_uid is None:
                raise InputError('folder %r does not exist' % params['folder'])
            folder_uids = [folder_uid]
        hits = self.client.search(type='dash-db', tag=params['tags'], dashboardUIDs=params['uids'],
                                  folderUIDs=folder_uids)
        changed = False
        listed = []
        for hit in hits:
            stored = self.client.get_dashboard(hit['uid'])
            if stored is None:  # deleted since the search
                continue
            meta = stored['meta']
            entry = dict(uid=hit['uid'], title=stored['dashboard'].get('title'), folder_uid=meta.get('folderUid') or '',
                         folder_title=meta.get('folderTitle') or 'General', version=meta.get('version'),
                         provisioned=bool(meta.get('provisioned')), tags=list(stored['dashboard'].get('tags') or []),
                         url=meta.get('url'))
            if params['export_dir']:
                entry['path'] = os.path.join(params['export_dir'], '%s.json' % hit['uid'])
                changed = self.export(entry['path'], dash.normalise(stored['dashboard'])) or changed
            listed.append(entry)
        listed.sort(key=lambda e: (e['folder_title'].lower(), (e['title'] or '').lower(), e['uid']))
        return dict(changed=changed, dashboards=listed)

    def export(self, path, dashboard):
        """Write the file unless it already holds this content; True when it was (or would be) written."""
        content = to_bytes(dash.export_text(dashboard))
        try:
            with open(path, 'rb') as stream:
                if stream.read() == content:
                    return False
        except (IOError, OSError):
            pass
        if not self.check_mode:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path + '.tmp', 'wb') as stream:
                stream.write(content)
            os.replace(path + '.tmp', path)
        return True


def main():
    DashboardInfoModule().run()


if __name__ == '__main__':
    main()
