#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: alertmanager_silence_info
short_description: List Alertmanager silences
version_added: 0.1.0
description:
  - Lists silences through the Alertmanager v2 API, filtered by matchers, state and creator.
  - The result's entries have the shape the M(tradpal.monitoring.alertmanager_silence) module takes and returns.
author:
  - TradPal platform team (@tradpal)
extends_documentation_fragment:
  - tradpal.monitoring._alertmanager
  - tradpal.monitoring._http
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - This module only reads.
  diff_mode:
    support: N/A
    details:
      - This module only reads.
  platform:
    platforms: all
options:
  id:
    description:
      - Return only this silence (an empty list when there is none).
      - Mutually exclusive with O(matchers).
    type: str
  matchers:
    description:
      - Return only silences that have all of these matchers (same name, operator and value), the way
        C(amtool silence query) filters. Other matchers of the silence do not matter.
      - Each matcher is an amtool-style string such as V(job=~"api-.*") or a dict with C(name), C(value),
        C(is_regex) and C(is_equal), as in M(tradpal.monitoring.alertmanager_silence).
    type: list
    elements: raw
  state:
    description:
      - Return only silences in these states. All states when not set.
    type: list
    elements: str
    choices: [active, pending, expired]
  created_by:
    description:
      - Return only silences with exactly this creator (the key of a keyed silence is not part of it).
    type: str
seealso:
  - module: tradpal.monitoring.alertmanager_silence
"""

EXAMPLES = r"""
- name: Active and pending silences of the payments API
  tradpal.monitoring.alertmanager_silence_info:
    url: http://alertmanager.example.com:9093
    matchers:
      - job="payments-api"
    state: [active, pending]
  delegate_to: localhost
  register: payments_silences

- name: Show when they end
  ansible.builtin.debug:
    msg: "{{ payments_silences.silences | map(attribute='ends_at') | list }}"

- name: Everything the scheduler created, expired ones included
  tradpal.monitoring.alertmanager_silence_info:
    url: http://alertmanager.example.com:9093
    created_by: ops-scheduler
  delegate_to: localhost
"""

RETURN = r"""
silences:
  description: The silences, in Alertmanager's order (active ones by end, then pending by start, then expired).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The silence's id.
      type: str
      sample: 0fbd3dc5-6c2a-4c4d-a3e5-1e0d5e7e4c43
    state:
      description: V(active), V(pending) or V(expired).
      type: str
      sample: active
    key:
      description:
        - The silence's O(tradpal.monitoring.alertmanager_silence#module:key); V(null) for a silence
          without one.
      type: str
      sample: payments-migration
    matchers:
      description: The matchers, amtool style.
      type: list
      elements: str
      sample: ['job="payments-api"', 'severity!="info"']
    comment:
      description: The comment.
      type: str
      sample: Payments API migration, CHG-1234
    created_by:
      description: The creator, without the key.
      type: str
      sample: ansible/alice
    starts_at:
      description: Start, UTC, ISO-8601 with milliseconds.
      type: str
      sample: "2030-05-01T20:00:00.000Z"
    ends_at:
      description: End, UTC, ISO-8601 with milliseconds.
      type: str
      sample: "2030-05-01T22:00:00.000Z"
    updated_at:
      description: When the silence was last changed, UTC.
      type: str
      sample: "2030-05-01T20:00:00.125Z"
http_requests:
  description: How many HTTP requests the run sent to Alertmanager, retries included.
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.tradpal.monitoring.plugins.module_utils._alertmanager import AlertmanagerModule
from ansible_collections.tradpal.monitoring.plugins.module_utils._silences import SILENCE_STATES, parse_matchers


class SilenceInfoModule(AlertmanagerModule):
    def __init__(self):
        super().__init__(
            argument_spec=dict(
                id=dict(type='str'),
                matchers=dict(type='list', elements='raw'),
                state=dict(type='list', elements='str', choices=list(SILENCE_STATES)),
                created_by=dict(type='str'),
            ),
            mutually_exclusive=[('id', 'matchers')],
        )

    def execute(self):
        params = self.params
        filters = None
        if params['matchers']:
            # A filter may match the empty string; only a silence may not.
            filters = parse_matchers(params['matchers'], require_non_empty_match=False)
        if params['id']:
            found = self.client.get_silence(params['id'])
            silences = [found] if found is not None else []
        else:
            silences = self.client.list_silences(filters)

        states = set(params['state'] or SILENCE_STATES)
        result = []
        for silence in silences:
            if silence.state not in states:
                continue
            if params['created_by'] is not None and silence.created_by != params['created_by']:
                continue
            entry = silence.describe()
            entry['updated_at'] = silence.updated_at
            result.append(entry)
        return dict(changed=False, silences=result)


def main():
    SilenceInfoModule().run()


if __name__ == '__main__':
    main()
