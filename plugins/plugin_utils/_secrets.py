# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one refusal rule for secrets in tradpal.monitoring.

Used by the secret_problems filter and the weak_secret test. A reason names what is
wrong with a value and never repeats the value or any part of it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._shapes import describe, is_list, is_mapping

DEFAULT_MIN_LENGTH = 12

# Compared with the whole value, lowercased: vendors' defaults and samples (Redis's
# foobared), the services' own names, and the top of every leaked-password list.
WELL_KNOWN_PASSWORDS = frozenset(
    (
        "123456",
        "12345678",
        "123456789",
        "1234567890",
        "abc123",
        "admin",
        "admin123",
        "administrator",
        "alertmanager",
        "changeit",
        "changeme",
        "default",
        "foobared",
        "grafana",
        # Grafana's built-in [security] secret_key, published in its defaults.ini.
        "sw2ycwtib9zpoohopsmm",
        "guest",
        "letmein",
        "monitoring",
        "node-exporter",
        "node_exporter",
        "p@ssw0rd",
        "passw0rd",
        "password",
        "password1",
        "prometheus",
        "qwerty",
        "redis",
        "redis_exporter",
        "root",
        "secret",
        "test",
        "toor",
        "tradpal",
        "your-password",
    )
)

# Markers of a value nobody filled in, searched case-insensitively anywhere in the value.
# Each reason names the kind of marker, never what surrounds it.
PLACEHOLDERS = (
    (re.compile(r"^<.*>$|<[a-z][a-z0-9 _.-]*>", re.IGNORECASE | re.DOTALL), "in angle brackets"),
    (
        re.compile(r"(?<![a-z0-9])your(?![a-z0-9])|^your[a-z]*(?:pass|secret|token|key)", re.IGNORECASE),
        "your ...",
    ),
    (re.compile(r"change[-_ ]?me", re.IGNORECASE), "change me"),
    (re.compile(r"replace[-_ ]?me", re.IGNORECASE), "replace me"),
    (re.compile(r"(?<![a-z])(?:todo|fixme)(?![a-z])", re.IGNORECASE), "TODO or FIXME"),
    (re.compile(r"placeholder", re.IGNORECASE), "the word placeholder"),
    (re.compile(r"example", re.IGNORECASE), "example"),
    (re.compile(r"^(?:x[-_. ]*){3,}$", re.IGNORECASE), "only x's"),
    (re.compile(r"^\*{3,}$"), "only asterisks, a masked copy"),
    (re.compile(r"\{\{|\{%|\$\{[a-z_][a-z0-9_.:-]*\}", re.IGNORECASE), "an unrendered template or variable"),
)

# Slack's documentation webhook, https://hooks.slack.com/services/T00000000/B00000000/XXXX...:
# workspace, channel and token IDs zeroed or x'ed out.
_DOCUMENTATION_SEGMENT = re.compile(r"^(?:t0{3,}|b0{3,}|x{3,})$", re.IGNORECASE)
# Domains reserved for documentation and tests (RFC 2606).
_EXAMPLE_HOST = re.compile(r"(?:^|\.)(?:example\.(?:com|net|org)|example|invalid)\.?$")
_URL = re.compile(r"^https?://", re.IGNORECASE)

_VAULT_HINT = (
    "a common slip when it was encrypted with 'echo ... | ansible-vault encrypt_string' "
    "(use echo -n or printf); strip it"
)


def _text(value):
    """The value as text, or a reason why it is not one."""
    if value is None:
        return "", "is empty"
    if isinstance(value, bool) or is_mapping(value) or is_list(value):
        return "", "is %s, not a string" % describe(value)
    # Numbers from unquoted YAML, and ansible-core < 2.19's vault-encrypted strings, as text.
    text = value if isinstance(value, str) else to_text(value, errors="surrogate_or_strict")
    return text, "" if text else "is empty"


def _blank_problem(text):
    if not text.strip():
        return "is empty (only blanks or line breaks)"
    if text.endswith(("\n", "\r")):
        return "ends with a line break: " + _VAULT_HINT
    if text != text.rstrip():
        return "ends with a blank: " + _VAULT_HINT
    if text != text.lstrip():
        return "starts with a blank or line break; strip it"
    return ""


def _url_problem(text):
    try:
        parts = urlsplit(text)
    except ValueError:  # unbalanced IPv6 brackets
        return "is not a valid URL"
    host = (parts.hostname or "").lower()
    if not host:
        return "is not a complete URL (it has no host)"
    if any(_DOCUMENTATION_SEGMENT.match(segment) for segment in parts.path.split("/")):
        return "is the documentation's example webhook URL (zeroed or x'ed out IDs), not a real one"
    if _EXAMPLE_HOST.search(host):
        return "is a placeholder URL (its host is a domain reserved for documentation)"
    return ""


def _placeholder_problem(text):
    for pattern, kind in PLACEHOLDERS:
        if pattern.search(text):
            return "is a placeholder (%s), not a real secret" % kind
    return ""


def _well_known_problem(text):
    return "is a well-known password" if text.lower() in WELL_KNOWN_PASSWORDS else ""


def _checked_min_length(min_length):
    try:
        number = int(min_length)
    except (TypeError, ValueError):
        number = -1
    if isinstance(min_length, bool) or number < 0:
        raise AnsibleFilterError("min_length must be a whole number of at least 0")
    return number


def secret_problem(value, min_length=DEFAULT_MIN_LENGTH):
    """Why value is no acceptable secret, or '' when it is.

    URLs (http:// or https://) are webhook-like secrets: no minimum length, but no
    documentation or placeholder URL. Other values are password-like. The most specific
    reason wins: empty or not a string, blanks, placeholder, well known, too short.
    """
    min_length = _checked_min_length(min_length)
    text, problem = _text(value)
    if problem:
        return problem
    url = bool(_URL.match(text))
    checks = (
        (_blank_problem, _url_problem, _placeholder_problem)
        if url
        else (_blank_problem, _placeholder_problem, _well_known_problem)
    )
    for check in checks:
        problem = check(text)
        if problem:
            return problem
    if not url and len(text) < min_length:
        return "is shorter than %d characters" % min_length
    return ""
