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
  - tradpal.monitoring.alertmanager
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
      - Return only silences with exactly this creator.
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
      description: The creator.
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
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.tradpal.monitoring.plugins.module_utils.alertmanager import (
    SILENCE_STATES,
    AlertmanagerClient,
    HttpApiError,
    SilenceError,
    alertmanager_argument_spec,
    alertmanager_module_kwargs,
    parse_matchers,
)


def main():
    module = AnsibleModule(
        argument_spec=alertmanager_argument_spec(
            id=dict(type='str'),
            matchers=dict(type='list', elements='raw'),
            state=dict(type='list', elements='str', choices=list(SILENCE_STATES)),
            created_by=dict(type='str'),
        ),
        supports_check_mode=True,
        **alertmanager_module_kwargs(mutually_exclusive=[('id', 'matchers')])
    )
    params = module.params
    filters = None
    if params['matchers']:
        try:
            # A filter may match the empty string; only a silence may not.
            filters = parse_matchers(params['matchers'], require_non_empty_match=False)
        except SilenceError as exc:
            module.fail_json(msg=str(exc))

    client = AlertmanagerClient.from_params(params)
    try:
        if params['id']:
            found = client.get_silence(params['id'])
            silences = [found] if found is not None else []
        else:
            silences = client.list_silences(filters)
    except HttpApiError as exc:
        module.fail_json(msg=str(exc), status=exc.status)

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
    module.exit_json(changed=False, silences=result)


if __name__ == '__main__':
    main()
