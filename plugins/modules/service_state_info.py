#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: service_state_info
short_description: Tell whether a running systemd service is older than the files that define it
version_added: 0.1.0
description:
  - Reads a systemd service's state and the start time of its main process, and compares that
    time with the change time (ctime) of the files the process was started from (its binary,
    flag or environment files, and the unit file with its drop-ins, which are always included).
  - A file changed after the process started means the process runs outdated code or flags
    and needs a restart. Unlike a handler, this answer survives a failed run, so a restart that
    was lost is still made on the next one.
  - For daemons that reload their configuration, it also returns when the configuration files
    last changed, to compare with the time the daemon reports for its last successful load.
  - The roles of this collection call it from the shared C(service) step of their internal
    C(common) role; it is usable on its own.
author:
  - TradPal platform team (@tradpal)
extends_documentation_fragment:
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
    platforms: posix
options:
  name:
    description:
      - The systemd unit, with or without C(.service).
    type: str
    required: true
  restart_files:
    description:
      - Files whose change after the main process started means it must be restarted, such as
        its binary or an environment or flags file. Files that do not exist are ignored.
      - The unit's own file and drop-ins are always compared too.
    type: list
    elements: path
    default: []
  reload_files:
    description:
      - Configuration files (or directories, whose entries are included) the daemon reads on
        reload. RV(reload_files_changed_at) is the newest change time among them.
    type: list
    elements: path
    default: []
  command_line:
    description:
      - A command line (program and arguments) to compare with the running main process's own;
        RV(runs_command_line) tells whether they are the same, for example whether a daemon already
        runs with the flags a role is about to write.
    type: list
    elements: str
    default: []
notes:
  - Change times are compared with the process start on the same host, so clocks of the
    controller and the host never meet.
"""

EXAMPLES = r"""
- name: Is prometheus older than its binary or flags?
  tradpal.monitoring.service_state_info:
    name: prometheus
    restart_files: [/usr/bin/prometheus, /etc/default/prometheus]
    reload_files: [/etc/prometheus/prometheus.yml, /etc/prometheus/rules.d]
  register: prometheus_state

- name: Restart it when it is
  ansible.builtin.systemd_service:
    name: prometheus
    state: restarted
  when: prometheus_state.restart_due
"""

RETURN = r"""
exists:
  description: Whether systemd knows the unit (it is installed).
  returned: always
  type: bool
active:
  description: Whether the unit is active (running) now.
  returned: always
  type: bool
active_state:
  description: systemd's C(ActiveState), for example C(active), C(activating), C(failed).
  returned: always
  type: str
sub_state:
  description: systemd's C(SubState), for example C(running) or C(auto-restart).
  returned: always
  type: str
main_pid:
  description: PID of the main process, 0 when none runs.
  returned: always
  type: int
started_at:
  description: When the main process started (seconds since the epoch), null when none runs.
  returned: always
  type: float
restarts:
  description: How often systemd restarted the unit automatically (C(NRestarts)).
  returned: always
  type: int
need_daemon_reload:
  description: Whether the unit file changed on disk since systemd loaded it.
  returned: always
  type: bool
changed_since_start:
  description: The restart files, unit file and drop-ins changed after the main process started.
  returned: always
  type: list
  elements: str
restart_due:
  description: The unit is active and runs outdated code, flags or unit settings.
  returned: always
  type: bool
reload_files_changed_at:
  description: The newest change time (seconds since the epoch) of the reload files, 0 when none exists.
  returned: always
  type: float
runs_command_line:
  description: The main process runs exactly O(command_line); false when none runs or none was given.
  returned: always
  type: bool
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule

# Where systemd looks for a unit's drop-ins. A drop-in written since systemd last loaded
# the unit is not in its DropInPaths yet (and a new drop-in directory does not even make
# it report NeedDaemonReload), so they are found on disk too.
DROPIN_DIRS = ('/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system',
               '/usr/lib/systemd/system', '/lib/systemd/system')

_PROPERTIES = ('LoadState', 'ActiveState', 'SubState', 'MainPID', 'NRestarts', 'NeedDaemonReload',
               'FragmentPath', 'DropInPaths')


def parse_show(text):
    """`systemctl show` output (KEY=VALUE lines) as a dict."""
    return dict(line.split('=', 1) for line in text.splitlines() if '=' in line)


def process_start(stat_text, now_real, now_boot, ticks):
    """Start time (epoch seconds) of a process from its /proc/<pid>/stat text.

    Field 22 counts clock ticks since boot; the command name (field 2) may contain blanks and
    parentheses, so fields are counted after its closing parenthesis.
    """
    fields = stat_text.rsplit(')', 1)[1].split()
    since_boot = int(fields[19]) / float(ticks)
    return now_real - (now_boot - since_boot)


def ctime(path):
    try:
        return os.stat(path).st_ctime
    except OSError:
        return None


def process_command_line(pid):
    """The arguments a process was started with (its /proc/<pid>/cmdline), [] when it is gone."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as stream:
            raw = stream.read()
    except OSError:
        return []
    return [arg.decode('utf-8', 'surrogateescape') for arg in raw.split(b'\0')[:-1]]


def newest_ctime(paths):
    """Newest change time among the paths; a directory counts with its entries."""
    newest = 0.0
    for path in paths:
        candidates = [path]
        if os.path.isdir(path):
            candidates += [os.path.join(path, entry) for entry in os.listdir(path)]
        for candidate in candidates:
            changed = ctime(candidate)
            if changed is not None and changed > newest:
                newest = changed
    return newest


def dropins_on_disk(unit, roots=DROPIN_DIRS):
    """The *.conf drop-ins of unit that systemd would load, whatever it has loaded so far.

    Like systemd: per file name the first directory in roots wins (/etc shadows /usr/lib),
    and a drop-in linked to /dev/null masks that name.
    """
    chosen = {}
    for root in roots:
        directory = os.path.join(root, unit + '.d')
        if os.path.isdir(directory):
            for name in os.listdir(directory):
                if name.endswith('.conf') and name not in chosen:
                    chosen[name] = os.path.join(directory, name)
    return sorted(path for path in chosen.values() if os.path.realpath(path) != os.devnull)


def changed_after(paths, started_at):
    return [path for path in paths if (ctime(path) or 0) > started_at]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            restart_files=dict(type='list', elements='path', default=[]),
            reload_files=dict(type='list', elements='path', default=[]),
            command_line=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    unit = module.params['name']
    if not unit.endswith('.service'):
        unit += '.service'
    systemctl = module.get_bin_path('systemctl', required=True)
    rc, out, err = module.run_command([systemctl, 'show', '--property=' + ','.join(_PROPERTIES), unit])
    if rc != 0:
        module.fail_json(msg='systemctl show %s failed: %s' % (unit, err.strip() or out.strip()))
    props = parse_show(out)

    main_pid = int(props.get('MainPID') or 0)
    started_at = None
    if main_pid > 0:
        try:
            with open('/proc/%d/stat' % main_pid) as stream:
                stat_text = stream.read()
            started_at = process_start(stat_text, time.time(), time.clock_gettime(time.CLOCK_BOOTTIME),
                                       os.sysconf('SC_CLK_TCK'))
        except (OSError, IndexError, ValueError):
            # The process ended between the two reads: it is not running.
            main_pid = 0

    loaded_dropins = props.get('DropInPaths', '').split()
    # Compared by real path: /lib may be a link to /usr/lib.
    unknown_dropins = set(map(os.path.realpath, dropins_on_disk(unit))) - set(map(os.path.realpath, loaded_dropins))
    unit_files = [props.get('FragmentPath', ''), *loaded_dropins, *sorted(unknown_dropins)]
    watched = [path for path in module.params['restart_files'] + unit_files if path]
    changed = changed_after(watched, started_at) if started_at is not None else []
    active = props.get('ActiveState') == 'active'
    need_daemon_reload = props.get('NeedDaemonReload') == 'yes' or bool(unknown_dropins)

    module.exit_json(
        changed=False,
        exists=props.get('LoadState') == 'loaded',
        active=active,
        active_state=props.get('ActiveState', ''),
        sub_state=props.get('SubState', ''),
        main_pid=main_pid,
        started_at=started_at,
        restarts=int(props.get('NRestarts') or 0),
        need_daemon_reload=need_daemon_reload,
        changed_since_start=changed,
        restart_due=active and bool(changed or need_daemon_reload),
        reload_files_changed_at=newest_ctime(module.params['reload_files']),
        runs_command_line=bool(main_pid > 0 and module.params['command_line']
                               and process_command_line(main_pid) == module.params['command_line']),
    )


if __name__ == '__main__':
    main()
