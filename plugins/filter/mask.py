# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: mask
short_description: Replace secret values in a text, keeping the rest readable
version_added: 0.1.0
description:
  - Replaces every occurrence of each secret (and of its URL-encoded form) with C(********),
    so that a validator's or a daemon's message can be shown without the secrets it echoes.
  - Longer secrets are replaced first, so a secret that contains another is masked whole.
options:
  _input:
    description: The text to show.
    type: str
    required: true
  secrets:
    description: The values to hide; empty ones are ignored.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Show why the service failed, without its password
  ansible.builtin.debug:
    msg: "{{ journal.stdout | tradpal.monitoring.mask([redis_requirepass]) }}"
"""

RETURN = r"""
_value:
  description: The text with every secret replaced.
  type: str
"""

from urllib.parse import quote

from ansible.module_utils.common.text.converters import to_text

MASK = '********'


def mask(text, secrets):
    """Return text with every non-empty secret (plain or URL-encoded) replaced by MASK."""
    text = to_text(text if text is not None else '')
    forms = set()
    for value in secrets or ():
        secret = to_text(value if value is not None else '')
        if secret.strip():
            forms.update((secret, secret.strip(), quote(secret, safe=''), quote(secret.strip(), safe='')))
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


class FilterModule:
    def filters(self):
        return {'mask': mask}
