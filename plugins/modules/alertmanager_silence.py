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
  - "Without O(key), a silence is identified by O(created_by), O(comment) and its set of O(matchers) (order does
    not matter); expired silences are ignored. A run finds the live silence with that identity and updates it in
    place (an extended or shortened silence keeps its id), creates it when it is missing, and changes nothing when
    it already matches. Editing the comment or the matchers therefore declares another silence: the old one stays
    live until it ends, is expired, or is pruned."
  - "With O(key), a silence is identified by O(created_by) and O(key) alone. Editing its comment, times or
    matchers changes that silence; new matchers make Alertmanager replace it (new id, predecessor expired in the
    same request), so there is never a second live silence."
  - O(id) targets one silence instead.
  - "All times are sent to Alertmanager in UTC. Timestamps must carry a zone (V(Z) or an offset such as
    V(+02:00)); a timestamp without one is an error, never read in the local zone."
  - O(silences) applies a whole list with one list request, and O(prune) expires the silences of the same
    creator that the list no longer declares.
  - Input is checked before any request; a bad matcher, a regular expression Alertmanager would refuse,
    an end in the past or before the start, or matchers that all match the empty string fail the task.
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
      - Target this one silence instead of finding it by identity. Mutually exclusive with O(key).
      - Options left out (O(matchers), O(comment), O(created_by), O(starts_at), the end) are kept from it.
      - Changing its matchers, or the start of an active silence, makes Alertmanager replace it with a new id
        and expire the old one; the result reports RV(silence.replaced) and RV(silence.previous_id).
      - With O(state=present) the silence must exist (expired silences are kept for some days and can be
        re-created this way).
    type: str
  key:
    description:
      - "A stable name for the silence, unique per O(created_by), such as V(db-patching) or V(CHG-1234/web).
        Up to 128 letters, digits and C(_ . : / @ -), starting with a letter or digit."
      - The silence is then identified by O(created_by) and O(key), not by its comment and matchers. Changing
        its matchers replaces it (RV(silence.replaced), RV(silence.previous_id)); the new silence starts when
        it is made, and a O(duration) counts from then. Other changes update it in place.
      - "Stored in the silence's C(createdBy) as C(<created_by> [key:<key>]): people edit the comment in the
        Alertmanager web UI or with C(amtool silence update), and neither touches C(createdBy). The modules return
        it split off, as RV(silence.key) and RV(silence.created_by)."
      - Adding a key to a declaration adopts the live silence the declaration made without one (same creator,
        comment and matchers) instead of creating a second silence. Removing a key does not; expire the keyed
        silence first (O(state=absent) with the O(key)).
      - With O(state=absent) the key alone names the silences to expire.
      - Mutually exclusive with O(id).
    type: str
  matchers:
    description:
      - The label matchers. Each is either an amtool-style string, V(alertname="HighRequestLatency"),
        V(job=~"api-.*"), V(severity!="info"), V(env!~"dev|test") (quotes optional, C(\\") and C(\\\\)
        escapes as in amtool), or a dict with the keys C(name), C(value), C(is_regex) (default V(false)) and
        C(is_equal) (default V(true)).
      - Regular expressions are RE2, anchored at both ends, as Alertmanager applies them.
      - At least one matcher must not match the empty string.
      - Required unless O(id) or O(silences) is set, or O(key) is set with O(state=absent).
    type: list
    elements: raw
  comment:
    description:
      - Why the silence exists. Part of the identity when no O(key) is set.
      - Required unless O(id) or O(silences) is set, or O(key) is set with O(state=absent).
    type: str
  created_by:
    description:
      - Who made the silence. Part of the identity, and the scope of O(prune).
      - Defaults to C(ansible/<user>), the user the module runs as (the controller user when the task runs on
        localhost). Set it explicitly when several people or CI jobs manage the same silences.
      - With O(silences), the default for items that set no O(silences[].created_by).
      - May not contain C([key:), the marker that stores O(key).
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
      - Mutually exclusive with O(id), O(key), O(matchers), O(comment), O(starts_at), O(ends_at) and O(duration).
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
      key:
        description: The silence's stable name, as O(key).
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
      - Also expire the live silences created by O(created_by) that no item of O(silences) reaches. With
        O(silences=[]) this expires all of them.
      - Needs O(silences) and an explicit O(created_by); otherwise the task fails before any request. The default
        creator, C(ansible/<user>), also owns the silences that other tasks made, such as the windows of the
        maintenance playbook, and pruning would end them too.
      - Silences of other creators are never pruned, including those of items that set their own
        O(silences[].created_by).
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

- name: A silence with a key; editing its matchers or comment later changes this silence, not a second one
  tradpal.monitoring.alertmanager_silence:
    url: http://alertmanager.example.com:9093
    key: payments-migration
    created_by: team-payments
    matchers:
      - job=~"payments-(api|worker)"
    comment: Payments migration, CHG-1234
    duration: 4h
  delegate_to: localhost

- name: End the keyed silence, whatever its matchers are by now
  tradpal.monitoring.alertmanager_silence:
    url: http://alertmanager.example.com:9093
    key: payments-migration
    created_by: team-payments
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
      - key: canaries
        matchers: ['job=~"canary-.*"']
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
    key:
      description: The silence's O(key); V(null) for a silence without one.
      type: str
      sample: payments-migration
    action:
      description: What the run did, or would do in check mode.
      type: str
      choices: [create, update, unchanged, expire, none]
      sample: update
    replaced:
      description:
        - Whether Alertmanager replaced the silence (new id, old one expired) instead of updating it in
          place. It does so when the matchers change (with O(id) or O(key)), when an active silence's start
          changes, or when a pending silence is made to start now. In check mode, the prediction.
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

from ansible_collections.tradpal.monitoring.plugins.module_utils._alertmanager import AlertmanagerModule
from ansible_collections.tradpal.monitoring.plugins.module_utils._silences import (
    SILENCE_OPTIONS,
    SilenceError,
    build_spec,
    build_specs,
    default_created_by,
    expired_view,
    plan,
    utcnow,
)

# Top-level options that are also the defaults of each `silences` item; the other silence
# options describe the single silence only.
ITEM_DEFAULTS = ('state', 'created_by')


def _diff(before, after):
    label = 'silence %s' % ((after or before).get('id') or ', '.join((after or before)['matchers']))
    return {'before': before or {}, 'after': after or {}, 'before_header': label, 'after_header': label}


class SilenceRun(object):
    """Applies the planned changes and collects what the module returns."""

    def __init__(self, client, now, check_mode):
        self.client = client
        self.now = now
        self.check_mode = check_mode
        self.entries = []
        self.expired_ids = []
        self.pruned_ids = []
        self.diffs = []
        self.wrote = False

    def apply(self, changes, pruned):
        # Create and update first, expire after: a silence that replaces another never leaves a gap.
        for change in changes:
            new_id = None
            if change.payload is not None and not self.check_mode:
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
        if not self.check_mode:
            self.client.expire_silence(silence.id)
            self.wrote = True
        self.expired_ids.append(silence.id)
        self.diffs.append(_diff(silence.describe(), expired_view(silence, self.now)))

    def result(self, single, diff_mode):
        result = dict(
            changed=bool(self.diffs),
            silences=self.entries,
            expired_ids=self.expired_ids,
            pruned_ids=self.pruned_ids,
        )
        if single and self.entries:
            result['silence'] = self.entries[0]
        if diff_mode:
            result['diff'] = self.diffs
        return result


class SilenceModule(AlertmanagerModule):
    def __init__(self):
        super().__init__(
            argument_spec=dict(
                SILENCE_OPTIONS,
                state=dict(SILENCE_OPTIONS['state'], default='present'),
                silences=dict(type='list', elements='dict', options=SILENCE_OPTIONS),
                prune=dict(type='bool', default=False),
            ),
            mutually_exclusive=[('silences', option) for option in SILENCE_OPTIONS if option not in ITEM_DEFAULTS],
            required_one_of=[('silences', 'matchers', 'id', 'key')],
        )
        self.silence_run = None

    def execute(self):
        params = self.params
        single = params['silences'] is None
        if params['prune'] and (single or not params['created_by']):
            raise SilenceError(
                'prune needs the silences list and an explicit created_by: it expires every live silence of that '
                'creator the list does not declare, and the default creator (%s) also owns silences made by '
                'other tasks and playbooks, such as maintenance windows' % default_created_by())
        now = utcnow()
        creator = params['created_by'] or default_created_by()
        if single:
            specs = [build_spec(params, now, default_creator=creator)]
        else:
            specs = build_specs(params['silences'], now, default_state=params['state'], default_creator=creator)

        self.silence_run = SilenceRun(self.client, now, self.check_mode)
        changes, pruned = plan(specs, self.client.list_silences(), now,
                               prune_creator=creator if params['prune'] else None)
        self.silence_run.apply(changes, pruned)
        return self.silence_run.result(single, self.diff_mode)

    def partial_result(self):
        if self.silence_run is None:
            return {}
        partial = self.silence_run.result(self.params['silences'] is None, self.diff_mode)
        partial['changed'] = self.silence_run.wrote
        return partial


def main():
    SilenceModule().run()


if __name__ == '__main__':
    main()
