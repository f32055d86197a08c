# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: sentinel_settings
short_description: Sentinel's own port, bind addresses and password, applied to the sentinel.conf Sentinel owns
version_added: 0.1.0
description:
  - Sentinel rewrites its C(sentinel.conf) at runtime, so the redis role seeds it once and changes monitors with
    SENTINEL commands
    (R(tradpal.monitoring.sentinel_commands,ansible_collections.tradpal.monitoring.sentinel_commands_filter)).
    Its own C(port), C(bind) and password (C(requirepass), and C(sentinel-pass) for the other Sentinels) cannot be
    changed that way, so the role stops Sentinel, writes them into the file, and starts it again.
  - This filter answers the file with those settings applied, or the same text when Sentinel already has them.
    Everything else Sentinel wrote (replicas, other Sentinels, epochs, the current primary) is kept.
  - Sentinel records its password in a rewrite as a C(user default) line with the password's SHA-256, next to the
    seeded C(requirepass); the last of them is the one Sentinel uses, and both are compared by their SHA-256.
  - Passwords must hold no blanks or quotes, which the redis role's preflight ensures.
options:
  _input:
    description: The current C(sentinel.conf).
    type: str
    required: true
  port:
    description: The port Sentinel must listen on.
    type: int
    required: true
  bind:
    description: The addresses it must listen on.
    type: list
    elements: str
    required: true
  password:
    description: Its password (C(requirepass) and C(sentinel-pass)); empty for none.
    type: str
    default: ''
positional: port, bind, password
"""

EXAMPLES = r"""
- name: Sentinel's file with the declared port, bind and password
  ansible.builtin.set_fact:
    __wanted: >-
      {{ __conf.content | b64decode
         | tradpal.monitoring.sentinel_settings(redis_sentinel_port, redis_sentinel_bind, redis_sentinel_password) }}
  no_log: true
"""

RETURN = r"""
_value:
  description: The file's text with the settings applied; the input itself when nothing differs.
  type: str
"""

import hashlib
import re

from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._shapes import describe, is_list

# Lines of the settings this filter owns, wherever Sentinel left them.
_OWNED = re.compile(r"^(port|bind|requirepass|user\s+default|sentinel\s+sentinel-pass)(\s|$)", re.IGNORECASE)


def _unquote(value):
    value = value.strip()
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _sha256(password):
    return hashlib.sha256(password.encode("utf-8")).hexdigest() if password else None


def _user_default_hash(rules):
    """The password hash a "user default ..." line leaves, None for nopass or none."""
    found = None
    for rule in rules.split():
        if rule.lower() in ("nopass", "resetpass"):
            found = None
        elif rule.startswith("#"):
            found = rule[1:].lower()
        elif rule.startswith(">"):
            found = _sha256(rule[1:])
    return found


def _current(config):
    """Sentinel's own settings as the file sets them: the last line of each wins."""
    port, bind, password_hash, sentinel_pass = None, None, None, ""
    for line in config.splitlines():
        words = line.split(None, 1)
        if not words:
            continue
        key, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
        if key == "port":
            port = _unquote(rest)
        elif key == "bind":
            bind = [_unquote(word) for word in rest.split()]
        elif key == "requirepass":
            password_hash = _sha256(_unquote(rest))
        elif key == "user" and rest.split(None, 1)[:1] == ["default"]:
            password_hash = _user_default_hash(rest.split(None, 1)[1] if " " in rest.strip() else "")
        elif key == "sentinel" and rest.split(None, 1)[:1] == ["sentinel-pass"]:
            sentinel_pass = _unquote(rest.split(None, 1)[1] if " " in rest.strip() else "")
    return port, bind, password_hash, sentinel_pass


def sentinel_settings(config, port, bind, password=""):
    """config with Sentinel's own port, bind and password set (config itself when they already are)."""
    if not is_list(bind) or not bind:
        raise AnsibleFilterError("sentinel_settings: bind must be a non-empty list, got %s" % describe(bind))
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise AnsibleFilterError("sentinel_settings: port must be a whole number, got %s" % describe(port)) from None
    config = "" if config is None else str(config)
    password = "" if password is None else str(password)
    bind = [str(address) for address in bind]
    wanted = (str(port), bind, _sha256(password), password)
    if _current(config) == wanted:
        return config

    lines = config.splitlines()
    kept = [line for line in lines if not _OWNED.match(line)]
    # The owned settings go where the seed had them: after the file's leading comments.
    at = next((index for index, line in enumerate(kept) if line.strip() and not line.startswith("#")), len(kept))
    owned = ["port %d" % port, "bind %s" % " ".join(bind)]
    if password:
        owned += ["requirepass %s" % password, "sentinel sentinel-pass %s" % password]
    return "\n".join(kept[:at] + owned + kept[at:]) + "\n"


class FilterModule:
    """Sentinel's own settings."""

    def filters(self):
        return {"sentinel_settings": sentinel_settings}
