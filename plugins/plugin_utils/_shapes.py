# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What kind of value a plugin got, named without showing the value (it may be a secret)."""

from __future__ import annotations

from collections.abc import Mapping

# Concrete types only: a vault-encrypted string of ansible-core < 2.19 is a
# collections.abc.Sequence too, and must not count as a list.
LIST_TYPES = (list, tuple, set, frozenset)


def is_list(value):
    """True for a real list (Ansible's YAML and lazy lists subclass list), not a string."""
    return isinstance(value, LIST_TYPES)


def is_mapping(value):
    """True for a dict, Ansible's lazy dicts and HostVars."""
    return isinstance(value, Mapping)


def describe(value):
    """The kind of value, e.g. 'a string' or 'a dict', for messages."""
    for kinds, name in _KINDS:
        if isinstance(value, kinds):
            return name
    # str, bytes, and ansible-core < 2.19's vault-encrypted strings, which stand in for a str.
    return "a string"


# In this order: a bool is an int too.
_KINDS = (
    (type(None), "null"),
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a number"),
    (Mapping, "a dict"),
    (LIST_TYPES, "a list"),
)
