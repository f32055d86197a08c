# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: weak_secret
short_description: Whether a secret would be refused
version_added: 0.1.0
description:
  - True when the value is empty, has a leading or trailing blank or line break, is a placeholder
    or documentation example (URLs included), a well-known password, or a password-like value
    shorter than O(min_length).
  - The same rule as the C(tradpal.monitoring.secret_problems) filter, whose documentation lists
    what is refused and why; use the filter when the reason should be shown.
options:
  _input:
    description: The secret, a password-like string or a webhook-like URL.
    type: raw
    required: true
extends_documentation_fragment:
  - tradpal.monitoring.secrets
"""

EXAMPLES = r"""
- name: Name the basic auth users whose password would be refused
  ansible.builtin.debug:
    msg: "{{ prometheus_basic_auth_users | dict2items | selectattr('value', 'tradpal.monitoring.weak_secret')
             | map(attribute='key') | list }}"

- name: Only the placeholder rules, no minimum length
  ansible.builtin.assert:
    that: api_token is not tradpal.monitoring.weak_secret(min_length=0)
"""

RETURN = r"""
_value:
  description: Whether the value would be refused.
  type: bool
"""

from ansible_collections.tradpal.monitoring.plugins.plugin_utils._secrets import DEFAULT_MIN_LENGTH, secret_problem


def weak_secret(value, min_length=DEFAULT_MIN_LENGTH):
    """True when secret_problems would refuse value."""
    return bool(secret_problem(value, min_length))


class TestModule:
    """The secret refusal rule, for one value."""

    def tests(self):
        return {"weak_secret": weak_secret}
