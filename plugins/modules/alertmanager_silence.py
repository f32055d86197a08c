#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: alertmanager_silence
short_description: Create, extend and expire Alertmanager silences, one or many at a time
version_added: 0.1.0
description:
  - Manages silences through the Alertmanager v2 API, idempotently.
  - "A silence is identified by O(created_by), O(comment) and its set of O(matchers) (order does not matter);
    expired silences are ignored. A run finds the live silence with that identity and updates it in place
    (an extended or shortened silence keeps its id), creates it when it is missing, and changes nothing when
    it already matches. O(id) targets one silence instead."
  - "All times are sent to Alertmanager in UTC. Timestamps must carry a zone (V(Z) or an offset such as
    V(+02:00)); a timestamp without one is an error, never read in the local zone."
  - O(silences) applies a whole list with one list request, and O(prune) expires the silences of the same
    creator that the list no longer declares.
  - Input is checked before any request; a bad matcher, a regular expression Alertmanager would refuse,
    an end in the past or before the start, or matchers that all match the empty string fail the task.
author:
  - TradPal platform team (@tradpal)
extends_documentation_fragment:
  - tradpal.monitoring.alertmanager
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Sends only the one list request; returns the changes it would make, with C(id=null) for silences it
        would create.
  diff_mode:
    support: full
    details:
      - Returns one before/after pair per silence created, updated or expired.
  platform:
    platforms: all
options:
  state:
    description:
      - V(present) makes sure the silence exists with the given times.
      - V(absent) expires every active or pending silence with the identity (or the O(id)). Times are ignored.
      - With O(silences), the default for items that set no O(silences[].state).
    type: str
    choices: [present, absent]
    default: present
  id:
    description:
      - Target this one silence instead of finding it by identity.
      - Options left out (O(matchers), O(comment), O(created_by), O(starts_at), the end) are kept from it.
      - Changing its matchers, or the start of an active silence, makes Alertmanager replace it with a new id
        and expire the old one; the result reports RV(silence.replaced) and RV(silence.previous_id).
      - With O(state=present) the silence must exist (expired silences are kept for some days and can be
        re-created this way).
    type: str
  matchers:
    description:
      - The label matchers. Each is either an amtool-style string, V(alertname="HighRequestLatency"),
        V(job=~"api-.*"), V(severity!="info"), V(env!~"dev|test") (quotes optional, C(\\") and C(\\\\)
        escapes as in amtool), or a dict with the keys C(name), C(value), C(is_regex) (default V(false)) and
        C(is_equal) (default V(true)).
      - Regular expressions are RE2, anchored at both ends, as Alertmanager applies them.
      - At least one matcher must not match the empty string.
      - Required unless O(id) or O(silences) is set.
    type: list
    elements: raw
  comment:
    description:
      - Why the silence exists. Part of the identity.
      - Required unless O(id) or O(silences) is set.
    type: str
  created_by:
    description:
      - Who made the silence. Part of the identity, and the scope of O(prune).
      - Defaults to C(ansible/<user>), the user the module runs as (the controller user when the task runs on
        localhost). Set it explicitly when several people or CI jobs manage the same silences.
      - With O(silences), the default for items that set no O(silences[].created_by).
    type: str
  starts_at:
    description:
      - When the silence starts, an ISO-8601 timestamp with a zone, or V(now).
      - A time in the past counts as V(now); an active silence then keeps its start.
      - Defaults to V(now), or with O(id) to the silence's current start.
    type: str
  ends_at:
    description:
      - When the silence ends, an ISO-8601 timestamp with a zone. Compared to the second.
      - Mutually exclusive with O(duration); one of them is required unless O(id) is set.
    type: str
  duration:
    description:
      - How long the silence lasts, counted from its start, such as V(30m), V(2h), V(1d), V(1w) or V(1h30m).
      - For a silence that is already active the start is its real start, so re-running the task does not
        move the end; a longer duration extends it, keeping its id.
      - Mutually exclusive with O(ends_at).
    type: str
  silences:
    description:
      - A list of silences to apply in one task, with one list request. Each item takes the same options as
        the module's single-silence form.
      - Mutually exclusive with O(id), O(matchers), O(comment), O(starts_at), O(ends_at) and O(duration).
    type: list
    elements: dict
    suboptions:
      state:
        description: V(present) or V(absent); defaults to the module's O(state).
        type: str
        choices: [present, absent]
      id:
        description: Target this silence by id, as O(id).
        type: str
      matchers:
        description: As O(matchers).
        type: list
        elements: raw
      comment:
        description: As O(comment).
        type: str
      created_by:
        description: As O(created_by); defaults to the module's O(created_by).
        type: str
      starts_at:
        description: As O(starts_at).
        type: str
      ends_at:
        description: As O(ends_at).
        type: str
      duration:
        description: As O(duration).
        type: str
  prune:
    description:
      - Also expire the live silences created by O(created_by) (and by the creators of the declared silences)
        that no declared silence reaches. With O(silences=[]) this expires all of them.
    type: bool
    default: false
seealso:
  - module: tradpal.monitoring.alertmanager_silence_info
"""

EXAMPLES = r"""
- name: Silence a service for two hours
  tradpal.monitoring.alertmanager_silence:
    url: http://alertmanager.example.com:9093
    matchers:
      - job="payments-api"
      - severity!="info"
    comment: Payments API migration, CHG-1234
    duration: 2h
  delegate_to: localhost
  register: payments_silence

- name: Extend it to four hours (same identity, so the same silence and the same id)
  tradpal.monitoring.alertmanager_silence:
    url: http://alertmanager.example.com:9093
    matchers:
      - severity!="info"
      - job="payments-api"
    comment: Payments API migration, CHG-1234
    duration: 4h
  delegate_to: localhost

- name: End it now
  tradpal.monitoring.alertmanager_silence:
    url: http://alertmanager.example.com:9093
    id: "{{ payments_silence.silence.id }}"
    state: absent
  delegate_to: localhost

- name: A scheduled window; set URL and credentials once for every Alertmanager module
  module_defaults:
    group/tradpal.monitoring.alertmanager:
      url: https://alertmanager.example.com
      url_username: ansible
      url_password: "{{ vault_alertmanager_password }}"
  block:
    - name: Silence the database hosts during Sunday's patch window
      tradpal.monitoring.alertmanager_silence:
        matchers:
          - name: instance
            value: "db[0-9]+\\.example\\.com:9100"
            is_regex: true
        comment: Sunday patching
        created_by: ops-scheduler
        starts_at: "2030-06-02T01:00:00+02:00"
        ends_at: "2030-06-02T05:00:00+02:00"
      delegate_to: localhost

- name: Declare all team silences at once and expire those no longer listed
  tradpal.monitoring.alertmanager_silence:
    url: http://alertmanager.example.com:9093
    created_by: team-platform
    prune: true
    silences:
      - matchers: ['alertname="DiskWillFillIn4Hours"', 'instance="backup1:9100"']
        comment: Backup volume is meant to run full, INFRA-77
        ends_at: "2030-01-01T00:00:00Z"
      - matchers: ['job=~"canary-.*"']
        comment: Canaries are noisy by design
        duration: 1w
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
silence:
  description: The silence of the single-silence form (not returned with O(silences)).
  returned: when O(silences) is not set
  type: dict
  contains: &silence_fields
    id:
      description:
        - The silence's id after the run; V(null) in check mode for a silence that would be created or
          replaced, and for an absent silence that was not found.
      type: str
      sample: 0fbd3dc5-6c2a-4c4d-a3e5-1e0d5e7e4c43
    state:
      description:
        - V(active), V(pending) (starts in the future) or V(expired); V(null) for an absent silence that
          was not found.
      type: str
      sample: active
    action:
      description: What the run did, or would do in check mode.
      type: str
      choices: [create, update, unchanged, expire, none]
      sample: update
    replaced:
      description:
        - Whether Alertmanager replaced the silence (new id, old one expired) instead of updating it in
          place. It does so when the matchers change, when an active silence's start changes, or when a
          pending silence is made to start now. In check mode, the prediction.
      type: bool
      sample: false
    previous_id:
      description: The id of the replaced silence when RV(silence.replaced) is true, else V(null).
      type: str
      sample: null
    expired_ids:
      description:
        - Silences expired for this declaration, for O(state=absent) the matches, for O(state=present) the
          duplicates with the same identity (the active one that ends last is kept).
      type: list
      elements: str
      sample: []
    matchers:
      description: The matchers, amtool style, in Alertmanager's order.
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
silences:
  description: One entry per declared silence, in order; for the single-silence form the same entry as RV(silence).
  returned: always
  type: list
  elements: dict
  contains: *silence_fields
expired_ids:
  description: Every silence this run expired (or would expire in check mode), including RV(pruned_ids).
  returned: always
  type: list
  elements: str
  sample: ["5e8d6f1b-2f0c-4a75-9a36-6c1f8d3c2b10"]
pruned_ids:
  description: The silences expired by O(prune).
  returned: always
  type: list
  elements: str
  sample: []
http_requests:
  description: How many HTTP requests the run sent to Alertmanager, retries included.
  returned: always
  type: int
  sample: 1
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.tradpal.monitoring.plugins.module_utils.alertmanager import (
    AlertmanagerClient,
    HttpApiError,
    SilenceError,
    alertmanager_argument_spec,
    alertmanager_module_kwargs,
    build_spec,
    build_specs,
    default_created_by,
    expired_view,
    plan,
    utcnow,
)

# The options that describe one silence, at the top level and in each `silences` item.
SILENCE_OPTIONS = ('id', 'matchers', 'comment', 'starts_at', 'ends_at', 'duration')


def argument_spec():
    item = dict(
        state=dict(type='str', choices=['present', 'absent']),
        id=dict(type='str'),
        matchers=dict(type='list', elements='raw'),
        comment=dict(type='str'),
        created_by=dict(type='str'),
        starts_at=dict(type='str'),
        ends_at=dict(type='str'),
        duration=dict(type='str'),
    )
    top = dict(item)
    top.update(
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        silences=dict(type='list', elements='dict', options=item),
        prune=dict(type='bool', default=False),
    )
    return alertmanager_argument_spec(**top)


def _diff(before, after):
    label = 'silence %s' % ((after or before).get('id') or ', '.join((after or before)['matchers']))
    return {'before': before or {}, 'after': after or {}, 'before_header': label, 'after_header': label}


class SilenceRun(object):
    """Applies the planned changes and collects what the module returns."""

    def __init__(self, module, client, now):
        self.module = module
        self.client = client
        self.now = now
        self.entries = []
        self.expired_ids = []
        self.pruned_ids = []
        self.diffs = []
        self.wrote = False

    def apply(self, changes, pruned):
        # Create and update first, expire after: a silence that replaces another never leaves a gap.
        for change in changes:
            new_id = None
            if change.payload is not None and not self.module.check_mode:
                change.stamp(utcnow())
                in_place = bool(change.payload.get('id')) and not change.replace
                new_id = self.client.post_silence(change.payload, idempotent=in_place)
                self.wrote = True
            entry = change.result(new_id)
            self.entries.append(entry)
            if change.payload is not None:
                after = dict(change.after, id=entry['id'])
                self.diffs.append(_diff(change.before, after))
        for change in changes:
            for silence in change.expire:
                self._expire(silence)
        for silence in pruned:
            self._expire(silence)
            self.pruned_ids.append(silence.id)

    def _expire(self, silence):
        if not self.module.check_mode:
            self.client.expire_silence(silence.id)
            self.wrote = True
        self.expired_ids.append(silence.id)
        self.diffs.append(_diff(silence.describe(), expired_view(silence, self.now)))

    def result(self, single):
        result = dict(
            changed=bool(self.diffs),
            silences=self.entries,
            expired_ids=self.expired_ids,
            pruned_ids=self.pruned_ids,
            http_requests=self.client.request_count,
        )
        if single and self.entries:
            result['silence'] = self.entries[0]
        if self.module._diff:
            result['diff'] = self.diffs
        return result


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        **alertmanager_module_kwargs(
            mutually_exclusive=[('silences', option) for option in SILENCE_OPTIONS],
            required_one_of=[('silences', 'matchers', 'id')],
        )
    )
    params = module.params
    now = utcnow()
    creator = params['created_by'] or default_created_by()
    single = params['silences'] is None
    try:
        if single:
            specs = [build_spec(params, now, default_creator=creator)]
        else:
            specs = build_specs(params['silences'], now, default_state=params['state'], default_creator=creator)
    except SilenceError as exc:
        module.fail_json(msg=str(exc))

    client = AlertmanagerClient.from_params(params)
    run = SilenceRun(module, client, now)
    try:
        silences = client.list_silences()
        creators = set([creator] + [spec.created_by for spec in specs if spec.created_by])
        changes, pruned = plan(specs, silences, now, prune=params['prune'], prune_creators=creators)
        run.apply(changes, pruned)
    except SilenceError as exc:
        module.fail_json(msg=str(exc), http_requests=client.request_count)
    except HttpApiError as exc:
        partial = run.result(single)
        partial['changed'] = run.wrote
        module.fail_json(msg=str(exc), status=exc.status, **partial)
    module.exit_json(**run.result(single))


if __name__ == '__main__':
    main()
