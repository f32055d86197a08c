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
  - A secret is also found as a validator quotes it (C(\\n), C(\\a) ... escapes, as Go's C(%q) and JSON
    write control characters), and each of its parts between blanks or control characters of at least
    six characters is masked too, whatever surrounds them.
  - Without being told, it also masks what has the shape of a credential, since a validator may echo one
    nobody listed (a header of a scrape config, a line of free-form extra config) - the password (and user)
    of a URL's user information, every query value of a URL, the path of a webhook URL whose path is its
    token (Slack, Discord, Microsoft Teams, Telegram), the value after C(Bearer) or C(Basic), and the value
    of a C(password), C(token), C(secret), C(credentials), C(api_key), C(authorization), C(requirepass),
    C(masterauth) ... field (C(key=value), a YAML or JSON field, a Redis directive line).
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
  shapes:
    description: Also mask what has the shape of a credential (see above).
    type: bool
    default: true
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

import json
import re
from urllib.parse import quote

from ansible.module_utils.common.text.converters import to_text

MASK = '********'

# A part of a secret shorter than this is not masked on its own: it would mask common words.
MIN_PART = 6

_GO_ESCAPES = {'\a': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v'}
_SEPARATORS = re.compile(r'[\s\x00-\x1f\x7f]+')

# Credential shapes, masked in this order. Values end at a blank, a quote, or a separator of
# YAML, JSON or Go's printing of a struct.
_VALUE = r'[^\s"\'`,;}\])]+'
_CREDENTIAL_KEY = (
    r'(?:[a-z0-9_-]*(?:password|passwd|passphrase|secret|token|credentials?|api[_-]?key|access[_-]?key|'
    r'private[_-]?key|authorization|requirepass|masterauth|auth-pass|sentinel-pass)[a-z0-9_-]*|auth|pass)'
)
_SHAPES = (
    # scheme://user:password@ and scheme://token@
    (re.compile(r'(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s"\'`]+@'), r'\1' + MASK + '@'),
    # the whole path of a webhook whose path is its token
    (
        re.compile(
            r'(?i)(\bhttps?://(?:hooks\.slack\.com|(?:[a-z0-9-]+\.)?discord(?:app)?\.com/api/webhooks|'
            r'[a-z0-9.-]*webhook\.office\.com|outlook\.office\.com/webhook|api\.telegram\.org))/' + _VALUE
        ),
        r'\1/' + MASK,
    ),
    # every query value of a URL
    (re.compile(r'(?i)(\bhttps?://[^\s"\'`?]*\?(?:[^\s"\'`=&#]*=[^\s"\'`&#]*&)*[^\s"\'`=&#]*=)[^\s"\'`&#]+'), None),
    (re.compile(r'(?i)\b(bearer|basic)(\s+)' + _VALUE), r'\1\2' + MASK),
    # key: value, key=value, "key": "value"
    (
        re.compile(r'(?i)\b(' + _CREDENTIAL_KEY + r')(["\']?[ \t]*[:=][ \t]*["\']?)(?!' + re.escape(MASK) + ')'
                   + r'(?!bearer\b|basic\b)' + _VALUE),
        r'\1\2' + MASK,
    ),
    # a directive line as Redis and Sentinel echo it ('masterauth a b c'): the rest of the line
    (
        re.compile(
            r'(?im)((?:^|[\'"])[ \t]*(?:sentinel[ \t]+)?(?:requirepass|masterauth|masteruser|auth-pass|'
            r'sentinel-pass|sentinel-user|tls-key-file-pass|tls-client-key-file-pass)[ \t]+(?:\S+[ \t]+)??)'
            r'(?!' + re.escape(MASK) + r')[^\'"\r\n]+'
        ),
        r'\1' + MASK,
    ),
    # an ACL rule's password (>secret) and password hash (#<sha256>)
    (re.compile(r'(?<![\w>=-])>(?!>)[^\s\'"]+'), '>' + MASK),
    (re.compile(r'(?i)#[0-9a-f]{64}\b'), '#' + MASK),
)


def _query_masked(match):
    """Mask each value of the query, keeping the parameter names."""
    return re.sub(r'=[^&]+', '=' + MASK, match.group(0))


def _forms(secret):
    """Every way a validator or a URL may quote secret."""
    forms = set()
    for value in (secret, secret.strip()):
        go = ''.join(_GO_ESCAPES.get(c, '\\x%02x' % ord(c) if ord(c) < 32 or ord(c) == 127 else c) for c in value)
        forms.update((value, quote(value, safe=''), json.dumps(value)[1:-1], go, repr(value)[1:-1]))
    forms.update(part for part in _SEPARATORS.split(secret) if len(part) >= MIN_PART)
    return {form for form in forms if form.strip()}


def mask(text, secrets, shapes=True):
    """Return text with every non-empty secret (in every quoted form) replaced by MASK, and,
    with shapes, every credential-shaped value too."""
    text = to_text(text if text is not None else '')
    forms = set()
    for value in secrets or ():
        secret = to_text(value if value is not None else '')
        if secret.strip():
            forms.update(_forms(secret))
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    if shapes:
        for pattern, replacement in _SHAPES:
            text = pattern.sub(replacement if replacement is not None else _query_masked, text)
    return text


class FilterModule:
    def filters(self):
        return {'mask': mask}
