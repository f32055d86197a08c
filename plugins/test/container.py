# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: container
short_description: Whether Ansible's facts describe an unprivileged container
version_added: 0.1.0
description:
  - True when the host is a guest of a container runtime (Docker, Podman, LXC,
    systemd-nspawn, containerd), as C(ansible_facts) report it.
  - Such hosts have no user namespaces for systemd's C(PrivateUsers=) and read-only
    kernel settings, so roles adapt there (see the C(common) role's C(package) entry point).
options:
  _input:
    description: The host's C(ansible_facts).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Skip kernel settings inside containers
  ansible.builtin.debug:
    msg: kernel settings are read-only here
  when: ansible_facts is tradpal.monitoring.container
"""

RETURN = r"""
_value:
  description: Whether the host is a container guest.
  type: bool
"""

CONTAINER_TYPES = frozenset(("docker", "podman", "lxc", "container", "containerd", "systemd-nspawn"))


def container(facts):
    """True when the facts describe a container guest."""
    facts = facts or {}
    return facts.get("virtualization_role") == "guest" and facts.get("virtualization_type") in CONTAINER_TYPES


class TestModule:
    """Tests of tradpal.monitoring."""

    def tests(self):
        return {"container": container}
