# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: secret_problems
short_description: List the secrets that are empty, placeholders, well known or too short
version_added: 0.1.0
description:
  - The one refusal rule for secrets in this collection (passwords, tokens, webhook URLs).
    Roles call it in their preflight, before anything changes on a host, and stop with its
    messages. The C(tradpal.monitoring.weak_secret) test applies the same rule to one value.
  - Each message is the label, a colon and the reason. It names what is wrong and never contains
    the value or any part of it, so it is safe to show without C(no_log).
  - All comparisons ignore case. One reason per label, the most specific one, in this order.
  - Empty or null values, and values that are a list, a dict or a boolean rather than a string.
  - A leading or trailing blank or line break. A trailing line break is the usual slip of
    C(echo secret | ansible-vault encrypt_string), which encrypts the newline too; the service
    would then expect a password nobody types.
  - URLs (C(http://), C(https://)) count as webhook-like secrets. They have no minimum length,
    but a URL without a host, the example webhook of Slack's documentation (path segments of
    C(T000...), C(B000...) or C(XXX...)), a host in the domains reserved for documentation
    (C(example.com), C(example.net), C(example.org), C(.example), C(.invalid)) and the
    placeholder markers below are refused.
  - Placeholders, which samples and documents ship and someone forgot to replace -
    a value wrapped in angle brackets or holding a C(<word ...>) (C(<SMTP password>));
    C(your-...), C(your_...), C(your ...) or a C(YOUR) path segment;
    C(change-me), C(changeme), C(change_me); C(replace-me), C(replaceme); C(TODO), C(FIXME);
    C(placeholder); C(example); only x's (C(xxxx)); only asterisks (a masked copy, C(****));
    an unrendered template or variable reference (C({{), C({%), C(${NAME})).
  - Well-known passwords, compared with the whole value - service and vendor defaults and
    samples (C(admin), C(administrator), C(root), C(toor), C(guest), C(default), C(changeit),
    Redis's C(foobared)), the names of the services and of this platform (C(redis),
    C(prometheus), C(alertmanager), C(grafana), C(node_exporter), C(redis_exporter),
    C(monitoring), C(tradpal)), and the top of every leaked-password list (C(password),
    C(passw0rd), C(secret), C(test), C(letmein), C(qwerty), C(123456), C(admin123), ...).
    They are the first guesses of anyone who reaches the service.
  - Password-like values (everything but URLs) shorter than O(min_length) characters, which
    also covers a well-known word with a few digits or punctuation appended (C(admin2024!)).
options:
  _input:
    description:
      - Label to value. The label is what the message names, for example the variable name,
        C(prometheus_basic_auth_users.admin) or C(redis_acl_users[app].password).
      - A value that is a dict is checked per key, labelled C(<label>.<key>) (basic auth users).
      - With O(keys), the values are whole structures (a receivers list, a global section).
        They are walked, and only the text values under a key that O(keys) matches are checked,
        labelled by their path such as C(alertmanager_receivers[0].slack_configs[0].api_url).
    type: dict
    required: true
  keys:
    description:
      - A regular expression (matched against the whole key, ignoring case) that selects the
        secret fields of structures given verbatim in a service's own syntax.
    type: str
extends_documentation_fragment:
  - tradpal.monitoring.secrets
"""

EXAMPLES = r"""
- name: Refuse placeholder and weak secrets before changing anything
  ansible.builtin.assert:
    that: __problems | length == 0
    fail_msg: "alertmanager: {{ __problems | join('; ') }}. Set real secrets, from Ansible Vault."
    quiet: true
  vars:
    __problems: >-
      {{ {'alertmanager_basic_auth_users': alertmanager_basic_auth_users}
         | combine({'alertmanager_slack_api_url': alertmanager_slack_api_url} if alertmanager_slack_api_url else {})
         | tradpal.monitoring.secret_problems }}

- name: Placeholders in receivers given verbatim (only their secret fields)
  ansible.builtin.debug:
    msg: >-
      {{ {'alertmanager_receivers': alertmanager_receivers}
         | tradpal.monitoring.secret_problems(min_length=1, keys='(?!.*_file$).*(password|secret|token|key).*|.*url') }}

- name: The same with a longer minimum
  ansible.builtin.debug:
    msg: "{{ {'redis_requirepass': redis_requirepass} | tradpal.monitoring.secret_problems(min_length=16) }}"
"""

RETURN = r"""
_value:
  description:
    - >-
      Sorted messages C(<label>: <reason>), for example C(redis_requirepass: is a well-known password);
      empty when every value is acceptable.
  type: list
  elements: str
"""

import re

from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._secrets import DEFAULT_MIN_LENGTH, secret_problem
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._shapes import describe, is_list, is_mapping


def _fields(value, path, pattern, selected):
    """(label, value) of every text value under a key that pattern selects."""
    if is_mapping(value):
        for key, item in value.items():
            yield from _fields(item, "%s.%s" % (path, key), pattern, bool(pattern.fullmatch(str(key))))
    elif is_list(value):
        for index, item in enumerate(value):
            yield from _fields(item, "%s[%d]" % (path, index), pattern, selected)
    elif selected and isinstance(value, str):
        yield path, value


def _values(secrets, keys):
    for label, value in secrets.items():
        if keys is not None:
            yield from _fields(value, label, re.compile(keys, re.IGNORECASE), False)
        elif is_mapping(value):
            for key, item in value.items():
                yield "%s.%s" % (label, key), item
        else:
            yield label, value


def secret_problems(secrets, min_length=DEFAULT_MIN_LENGTH, keys=None):
    """Sorted '<label>: <reason>' messages for the unacceptable values of secrets."""
    if not is_mapping(secrets):
        raise AnsibleFilterError("secret_problems expects a dict of label to value, got %s" % describe(secrets))
    problems = []
    for label, value in _values(secrets, keys):
        reason = secret_problem(value, min_length)
        if reason:
            problems.append("%s: %s" % (label, reason))
    return sorted(problems)


class FilterModule:
    """The secret refusal rule, for many values at once."""

    def filters(self):
        return {"secret_problems": secret_problems}
