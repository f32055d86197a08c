# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: bcrypt_hash
short_description: Hash a password with bcrypt, the same way on every run
version_added: 0.1.0
description:
  - Returns a C($2b$) bcrypt hash as the Prometheus exporter-toolkit web config
    (C(basic_auth_users)) expects it.
  - The salt is derived from O(salt_seed) (for example host and user name), never from the
    password, so an unchanged password renders an unchanged hash and a role that templates
    it reports no change on re-runs, while different hosts or users still get different salts.
  - Needs the C(bcrypt) Python package on the controller (it does not use passlib).
options:
  _input:
    description: The clear-text password (at most 72 bytes, bcrypt's limit).
    type: str
    required: true
  salt_seed:
    description: Any text that identifies where the hash is used; it picks the salt.
    type: str
    required: true
  rounds:
    description: bcrypt's cost factor (log2 of the rounds).
    type: int
    default: 10
"""

EXAMPLES = r"""
- name: Render a basic-auth user for a web config
  ansible.builtin.debug:
    msg: "{{ vault_password | tradpal.monitoring.bcrypt_hash(salt_seed=inventory_hostname ~ ':prometheus') }}"
"""

RETURN = r"""
_value:
  description: The bcrypt hash, C($2b$<rounds>$<salt><digest>).
  type: str
"""

import hashlib

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_bytes, to_text

try:
    import bcrypt
except ImportError:
    bcrypt = None

# bcrypt's own base64 alphabet (not the standard one).
_BCRYPT_B64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _bcrypt_b64(data):
    """Encode bytes with bcrypt's base64 alphabet, without padding."""
    bits = int.from_bytes(data, "big")
    length = len(data) * 8
    pad = (6 - length % 6) % 6
    bits <<= pad
    return "".join(_BCRYPT_B64[(bits >> shift) & 0x3F] for shift in range(length + pad - 6, -1, -6))


def bcrypt_salt(salt_seed, rounds=10):
    """The bcrypt salt string for a seed: 16 bytes of sha256(seed), 22 characters."""
    digest = hashlib.sha256(to_bytes(salt_seed, errors="surrogate_or_strict")).digest()[:16]
    # 16 bytes are 128 bits; bcrypt keeps 22 characters (132 bits) whose last 4 bits are zero.
    return "$2b$%02d$%s" % (rounds, _bcrypt_b64(digest)[:22])


def bcrypt_hash(password, salt_seed, rounds=10):
    """Return a reproducible bcrypt hash of password for salt_seed."""
    if bcrypt is None:
        raise AnsibleFilterError("bcrypt_hash needs the 'bcrypt' Python package on the controller")
    if not 4 <= int(rounds) <= 31:
        raise AnsibleFilterError("bcrypt_hash: rounds must be between 4 and 31, got %s" % rounds)
    secret = to_bytes(password, errors="surrogate_or_strict")
    if len(secret) > 72:
        raise AnsibleFilterError(
            "bcrypt_hash: bcrypt uses at most 72 bytes of a password; this one has %d" % len(secret)
        )
    return to_text(bcrypt.hashpw(secret, to_bytes(bcrypt_salt(salt_seed, int(rounds)))))


class FilterModule:
    """bcrypt hashing for web configs."""

    def filters(self):
        return {"bcrypt_hash": bcrypt_hash}
