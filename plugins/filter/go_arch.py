# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: go_arch
short_description: Map a machine architecture to the name Go release archives use
version_added: 0.1.0
description:
  - Prometheus, Alertmanager and the exporters publish tarballs named after Go's
    architecture names (C(amd64), C(arm64), ...); Ansible facts use the kernel's
    (C(x86_64), C(aarch64), ...). This filter translates one into the other.
  - Unknown names are returned unchanged.
options:
  _input:
    description: An architecture as in C(ansible_facts['architecture']).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Build an upstream release URL for this host
  ansible.builtin.debug:
    msg: "node_exporter-1.9.1.linux-{{ ansible_facts['architecture'] | tradpal.monitoring.go_arch }}.tar.gz"
"""

RETURN = r"""
_value:
  description: The Go architecture name, for example C(amd64) for C(x86_64).
  type: str
"""

_GO_ARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv7l": "armv7",
    "armv6l": "armv6",
    "i386": "386",
    "i686": "386",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}


def go_arch(architecture):
    """Return the Go architecture name for a kernel/Ansible architecture name."""
    return _GO_ARCH.get(str(architecture), str(architecture))


class FilterModule:
    """Filters of tradpal.monitoring."""

    def filters(self):
        return {"go_arch": go_arch}
