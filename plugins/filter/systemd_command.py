# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: systemd_command
short_description: Render an argument list as a systemd ExecStart= command line
version_added: 0.1.0
description:
  - Quotes each argument for systemd's command-line syntax and escapes what systemd would
    otherwise expand, C(%) specifiers (as C(%%)) and C($) variables (as C($$)), so a flag value
    such as a regular expression reaches the program unchanged.
options:
  _input:
    description: The program and its arguments.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: A unit line whose flag holds a regular expression
  ansible.builtin.debug:
    msg: "ExecStart={{ [binary, flag] | tradpal.monitoring.systemd_command }}"
  vars:
    binary: /usr/local/bin/node_exporter
    flag: --collector.systemd.unit-include=(ssh|cron)\\.service
"""

RETURN = r"""
_value:
  description: The command line for C(ExecStart=).
  type: str
"""

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

_PLAIN = re.compile(r'^[A-Za-z0-9_@%+=:,./$-]+$')


def _quote(argument):
    argument = to_text(argument).replace('%', '%%').replace('$', '$$')
    if _PLAIN.match(argument):
        return argument
    # systemd understands C-style escapes inside double quotes.
    return '"' + argument.replace('\\', '\\\\').replace('"', '\\"') + '"'


def systemd_command(argv):
    if isinstance(argv, (str, bytes)) or not argv:
        raise AnsibleFilterError('systemd_command expects a non-empty list of arguments, got %r' % type(argv).__name__)
    for argument in argv:
        if any(char in to_text(argument) for char in '\n\r'):
            raise AnsibleFilterError('systemd_command: an argument holds a line break, which ExecStart= cannot carry')
    return ' '.join(_quote(argument) for argument in argv)


class FilterModule:
    def filters(self):
        return {'systemd_command': systemd_command}
