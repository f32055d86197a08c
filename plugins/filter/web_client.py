# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: web_client
short_description: Pick the basic auth user a role's own checks log in as
version_added: 0.1.0
description:
  - Given a web endpoint's basic auth users (name to clear-text password), returns the one the
    role's own checks, self-scrape or CLI tool log in as - the named one, else the first by name -
    and its problem when the named user does not exist.
options:
  _input:
    description: Basic auth users, name to clear-text password.
    type: dict
    required: true
  preferred:
    description: The user to pick; empty for the first by name.
    type: str
    default: ""
  variable:
    description: The name of the variable that holds O(preferred), for the problem message.
    type: str
    default: web_client_user
"""

EXAMPLES = r"""
- name: How the role's checks log in
  ansible.builtin.debug:
    msg: "{{ (prometheus_basic_auth_users | tradpal.monitoring.web_client(prometheus_web_client_user)).username }}"
"""

RETURN = r"""
_value:
  description:
    - C(username) and C(password) (both empty when there are no users), and C(problem),
      empty unless O(preferred) names no user.
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._shapes import describe, is_mapping


def web_client(users, preferred='', variable='web_client_user'):
    if not is_mapping(users):
        raise AnsibleFilterError('web_client expects a dict of user to password, got %s' % describe(users))
    if preferred and preferred not in users:
        problem = '%s %s is not one of the basic auth users.' % (variable, preferred)
        return {'username': '', 'password': '', 'problem': problem}
    username = preferred or (sorted(users)[0] if users else '')
    return {'username': username, 'password': users[username] if username else '', 'problem': ''}


class FilterModule:
    def filters(self):
        return {'web_client': web_client}
