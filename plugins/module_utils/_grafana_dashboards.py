# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Dashboard JSON without a server: reading sources, resolving exported inputs, normalising, comparing.

A dashboard is compared with the stored one after ``normalise()`` on both sides, so what
Grafana owns (``id``, ``version``), what the web UI adds (``iteration``), what only exports
carry (``__inputs``, ``__requires``, ``__elements``) and ``null`` top-level fields (the JSON
model's ``"id": null``, ``"gnetId": null``) never count as a change.
"""

from __future__ import annotations

import copy
import json
import re

from ansible.module_utils.common.text.converters import to_text
from ansible_collections.tradpal.monitoring.plugins.module_utils._module import InputError

# Set by Grafana on every save, or by the web UI: never part of what is declared.
OWNED_KEYS = ('id', 'version', 'iteration')
# Only in dashboards exported "for sharing externally".
EXPORT_KEYS = ('__inputs', '__requires', '__elements')
DEFAULT_MANAGEMENT_TAG = 'tradpal.monitoring'
_PLACEHOLDER = re.compile(r'\$\{([A-Za-z0-9_]+)\}')
CHANGES_SHOWN = 20


def parse_dashboard(data, source):
    """The dashboard in ``data`` (a dict or JSON text), unwrapped from ``{"dashboard": ..., "meta": ...}``."""
    if isinstance(data, (bytes, str)):
        try:
            data = json.loads(to_text(data, errors='surrogate_or_strict'))
        except ValueError as exc:
            raise InputError('%s is not valid JSON: %s' % (source, exc)) from None
    if not isinstance(data, dict):
        raise InputError('%s is not a dashboard: a JSON object is expected, got %s' % (source, type(data).__name__))
    if isinstance(data.get('dashboard'), dict):
        data = data['dashboard']
    return copy.deepcopy(data)


def read_dashboard_file(path):
    try:
        with open(path, 'rb') as stream:
            raw = stream.read()
    except (IOError, OSError) as exc:
        raise InputError('cannot read dashboard file %s: %s' % (path, exc)) from None
    return parse_dashboard(raw, path)


def resolve_inputs(dashboard, inputs, source):
    """The dashboard with its ``${NAME}`` input placeholders replaced from ``inputs`` (name → value).

    Only the names the export declares in ``__inputs`` (and those given in ``inputs``) are
    replaced, so dashboard variables such as ``${instance}`` stay. A declared input without a
    value (constants have a default) fails, naming what is missing.
    """
    inputs = dict(inputs or {})
    values = {}
    missing = []
    for declared in dashboard.get('__inputs') or []:
        name = declared.get('name')
        if not name:
            continue
        if name in inputs:
            values[name] = inputs[name]
        elif declared.get('value') not in (None, ''):
            values[name] = declared['value']
        else:
            missing.append('%s (%s %s, %r)' % (name, declared.get('type', 'input'), declared.get('pluginId', ''),
                                               declared.get('label', name)))
    if missing:
        raise InputError('%s is an export for sharing and needs a value for each of its inputs; missing: %s. Give them '
                         'in the inputs option, for example inputs: {%s: <datasource uid>}'
                         % (source, ', '.join(missing), missing[0].split(' ')[0]))
    values.update((k, v) for k, v in inputs.items() if k not in values)
    if not values:
        return dashboard

    def replace(value):
        if isinstance(value, dict):
            return {k: replace(v) for k, v in value.items()}
        if isinstance(value, list):
            return [replace(v) for v in value]
        if isinstance(value, str):
            return _PLACEHOLDER.sub(lambda m: to_text(values[m.group(1)]) if m.group(1) in values else m.group(0),
                                    value)
        return value
    return replace(dashboard)


def normalise(dashboard, management_tag=None):
    """The dashboard as declared: without what Grafana owns and exports add, with the management tag."""
    result = {k: copy.deepcopy(v) for k, v in dashboard.items()
              if k not in OWNED_KEYS and k not in EXPORT_KEYS and v is not None}
    if management_tag:
        tags = list(result.get('tags') or [])
        if management_tag not in tags:
            tags.append(management_tag)
        result['tags'] = tags
    return result


def changed_paths(before, after, path=''):
    """The JSON paths where ``after`` differs from ``before``, such as ``panels[0].title``."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(set(before) | set(after), key=str):
            child = '%s.%s' % (path, key) if path else str(key)
            if key not in before or key not in after:
                found.append(child)
            else:
                found.extend(changed_paths(before[key], after[key], child))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        found = []
        for index, old in enumerate(before):
            found.extend(changed_paths(old, after[index], '%s[%d]' % (path, index)))
        return found
    return [] if before == after else [path or '(whole dashboard)']


def summarise_changes(paths):
    if len(paths) <= CHANGES_SHOWN:
        return list(paths)
    return [*paths[:CHANGES_SHOWN], '... and %d more' % (len(paths) - CHANGES_SHOWN)]


def diff_text(folder_uid, dashboard):
    """What the diff shows of one dashboard: its folder and its JSON, keys sorted, one value per line."""
    if dashboard is None:
        return ''
    return json.dumps({'folderUid': folder_uid, 'dashboard': dashboard}, indent=2, sort_keys=True) + '\n'


def export_text(dashboard):
    """The file grafana_dashboard_info writes: the normalised dashboard, stable across runs."""
    return json.dumps(dashboard, indent=2, sort_keys=True) + '\n'
