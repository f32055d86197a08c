# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: sentinel_commands
short_description: The SENTINEL commands that make a running Redis Sentinel match the declared monitors
version_added: 0.1.0
description:
  - Sentinel owns its C(sentinel.conf) after the first start and keeps it current (replicas,
    other Sentinels, epochs, the current primary). This filter compares that file with the
    declared monitors and returns the commands that change only the difference, at runtime.
  - Monitors in the file that are not declared are removed (C(SENTINEL REMOVE)); declared ones
    missing from it are added (C(SENTINEL MONITOR name host port quorum)).
  - For every declared monitor, C(quorum), C(down-after-milliseconds), C(failover-timeout),
    C(parallel-syncs) and C(auth-pass) are set (C(SENTINEL SET)) when they differ. Sentinel leaves
    settings at their defaults (30000, 180000 and 1) out when it rewrites the file, so a missing
    line means the default; C(auth-pass) may be quoted.
  - A monitor's host and port are only used when it is created. After a failover the file names
    the new primary, and that is left alone, never changed back to the declared initial one.
  - The commands carry C(auth-pass) values; send them with C(no_log). Values must hold no blanks or
    quotes (redis-cli splits on them), which the redis role's preflight ensures.
options:
  _input:
    description: The current C(sentinel.conf), as Sentinel rewrote it.
    type: str
    required: true
  monitors:
    description:
      - The declared monitors, each a dict with C(name) and C(host) and optionally C(port), C(quorum),
        C(auth_pass), C(down_after_milliseconds), C(failover_timeout) and C(parallel_syncs).
    type: list
    elements: dict
    required: true
  defaults:
    description: Values for the keys a monitor leaves out (or sets to null), with the same names.
    type: dict
    default: {}
positional: monitors, defaults
"""

EXAMPLES = r"""
- name: Send the SENTINEL commands that make it match the inventory
  ansible.builtin.command:
    argv: [redis-cli, -e, -h, "{{ __redis_sentinel_local_host }}", -p, "{{ redis_sentinel_port }}"]
    stdin: "{{ __redis_sentinel_commands | join('\n') }}"
  vars:
    __redis_sentinel_commands: >-
      {{ __redis_sentinel_conf.content | b64decode
         | tradpal.monitoring.sentinel_commands(__redis_sentinel_monitors, __redis_sentinel_monitor_defaults) }}
  when: __redis_sentinel_commands | length > 0
  changed_when: true
  no_log: true
"""

RETURN = r"""
_value:
  description:
    - Command lines for redis-cli, first the removals, then per declared monitor in the declared order, for example
      C(SENTINEL SET tradpal down-after-milliseconds 5000); empty when Sentinel already matches.
  type: list
  elements: str
"""

import re

from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._shapes import describe, is_list, is_mapping

# Sentinel's own defaults: it leaves these settings out of the file when it rewrites it.
SENTINEL_DEFAULTS = (
    ("down-after-milliseconds", 30000),
    ("failover-timeout", 180000),
    ("parallel-syncs", 1),
)
_MONITOR_KEYS = ("port", "quorum", "auth_pass", "down_after_milliseconds", "failover_timeout", "parallel_syncs")
_MONITOR_NAMES = re.compile(r"^sentinel monitor (\S+) ", re.MULTILINE)


def _monitor(declared, defaults):
    """A declared monitor with its missing keys from defaults; errors never show auth_pass."""
    if not is_mapping(declared):
        raise AnsibleFilterError("sentinel_commands: every monitor must be a dict, got %s" % describe(declared))
    monitor = dict(defaults)
    monitor.update((key, value) for key, value in declared.items() if value is not None)
    if monitor.get("name") is None:
        raise AnsibleFilterError("sentinel_commands: a monitor has no name")
    for key in ("host", *_MONITOR_KEYS):
        if monitor.get(key) is None:
            raise AnsibleFilterError(
                "sentinel_commands: monitor %s has no %s and there is no default for it" % (monitor["name"], key)
            )
    for key in ("port", "quorum", "down_after_milliseconds", "failover_timeout", "parallel_syncs"):
        try:
            monitor[key] = int(monitor[key])
        except (TypeError, ValueError):
            raise AnsibleFilterError(
                "sentinel_commands: %s of monitor %s must be a whole number, got %s"
                % (key, monitor["name"], describe(monitor[key]))
            ) from None
    for key in ("name", "host", "auth_pass"):
        monitor[key] = str(monitor[key])
    return monitor


def _current(config, pattern):
    """The first group of pattern in config, or None."""
    match = re.search(pattern, config, re.MULTILINE)
    return match.group(1) if match else None


def _monitor_commands(config, monitor):
    name = monitor["name"]
    name_re = re.escape(name)
    commands = []
    quorum = _current(config, r"^sentinel monitor %s \S+ \d+ (\d+)\s*$" % name_re)
    if quorum is None:
        commands.append("SENTINEL MONITOR %s %s %d %d" % (name, monitor["host"], monitor["port"], monitor["quorum"]))
    elif int(quorum) != monitor["quorum"]:
        commands.append("SENTINEL SET %s quorum %d" % (name, monitor["quorum"]))
    for key, default in SENTINEL_DEFAULTS:
        wanted = monitor[key.replace("-", "_")]
        current = _current(config, r"^sentinel %s %s (\d+)\s*$" % (key, name_re))
        if (default if current is None else int(current)) != wanted:
            commands.append("SENTINEL SET %s %s %d" % (name, key, wanted))
    auth_pass = _current(config, r'^sentinel auth-pass %s "?([^"\s]*)"?\s*$' % name_re) or ""
    if auth_pass != monitor["auth_pass"]:
        commands.append("SENTINEL SET %s auth-pass %s" % (name, monitor["auth_pass"] or '""'))
    return commands


def sentinel_commands(config, monitors, defaults=None):
    """SENTINEL command lines that bring the Sentinel running with config in line with monitors."""
    if not is_list(monitors):
        raise AnsibleFilterError("sentinel_commands: monitors must be a list, got %s" % describe(monitors))
    if defaults is not None and not is_mapping(defaults):
        raise AnsibleFilterError("sentinel_commands: defaults must be a dict, got %s" % describe(defaults))
    config = "" if config is None else str(config)
    declared = [_monitor(monitor, defaults or {}) for monitor in monitors]
    names = {monitor["name"] for monitor in declared}
    commands = []
    for name in _MONITOR_NAMES.findall(config):
        if name not in names and "SENTINEL REMOVE %s" % name not in commands:
            commands.append("SENTINEL REMOVE %s" % name)
    for monitor in declared:
        commands.extend(_monitor_commands(config, monitor))
    return commands


class FilterModule:
    """Runtime changes of Redis Sentinel."""

    def filters(self):
        return {"sentinel_commands": sentinel_commands}
