# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cluster_peers
short_description: The address:port of each member of a cluster, from inventory and facts
version_added: 0.1.0
description:
  - For each inventory name, the address the other members reach it at, with a port -
    for example Alertmanager's C(--cluster.peer) and C(--cluster.advertise-address).
  - The address is the member's C(ansible_host) when that is an IP address (IPv4 or IPv6);
    else the address of its default IPv4 route from its gathered facts
    (C(ansible_facts.default_ipv4.address)); else, when its facts were not gathered (for
    example with C(--limit)), its C(ansible_host) as a name, and last the inventory name.
  - IPv6 addresses are written in brackets (C([fd00::5]:9094)).
  - Works with C(hostvars) as Ansible passes it (it reads hosts' variables on access).
options:
  _input:
    description: Inventory names of the members, for example C(groups['alertmanager']).
    type: list
    elements: str
    required: true
  hostvars:
    description: Inventory name to that host's variables; pass C(hostvars).
    type: dict
    required: true
  port:
    description: The port to add to each address.
    type: int
    required: true
  exclude:
    description: An inventory name, or a list of them, to leave out (usually C(inventory_hostname)).
    type: raw
  override:
    description:
      - Name of a host variable that, when a member sets it (non-empty, in its inventory variables),
        is that member's C(address:port) as given, in place of the rule above - for example
        C(alertmanager_cluster_advertise_address).
    type: str
    default: ''
positional: hostvars, port
"""

EXAMPLES = r"""
- name: Alertmanager's cluster flags
  ansible.builtin.debug:
    msg: >-
      {{ ['--cluster.advertise-address=' ~ __self]
         + (__peers | map('regex_replace', '^', '--cluster.peer=') | list) }}
  vars:
    __self: "{{ [inventory_hostname] | tradpal.monitoring.cluster_peers(hostvars, alertmanager_cluster_port) | first }}"
    __peers: >-
      {{ groups['alertmanager']
         | tradpal.monitoring.cluster_peers(hostvars, alertmanager_cluster_port, exclude=inventory_hostname) }}
"""

RETURN = r"""
_value:
  description: C(address:port) of each member not excluded, in the members' order.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._addresses import host_port, ip_address
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._shapes import describe, is_list, is_mapping


def _get(mapping, key):
    """mapping[key], or None when mapping is no mapping or lacks key (mapping access only: HostVars)."""
    if not is_mapping(mapping) or key not in mapping:
        return None
    return mapping[key]


def _member_address(name, host_vars):
    """The address other members reach the inventory host name at (see DOCUMENTATION)."""
    ansible_host = _get(host_vars, "ansible_host")
    ansible_host = str(ansible_host) if ansible_host not in (None, "") else ""
    if ansible_host and ip_address(ansible_host) is not None:
        return ansible_host
    default_ipv4 = _get(_get(host_vars, "ansible_facts"), "default_ipv4")
    gathered = _get(default_ipv4, "address")
    if gathered:
        return str(gathered)
    return ansible_host or str(name)


def _member(name, host_vars, port, override):
    """'address:port' of one member: its override variable when set, else by the rule."""
    given = _get(host_vars, override) if override else None
    if given not in (None, ""):
        return str(given)
    return host_port(_member_address(name, host_vars), port)


def cluster_peers(members, hostvars, port, exclude=None, override=""):
    """'address:port' of each member not in exclude, in the order of members."""
    if not is_list(members):
        raise AnsibleFilterError("cluster_peers: members must be a list of inventory names, got %s" % describe(members))
    if not is_mapping(hostvars):
        raise AnsibleFilterError("cluster_peers: hostvars must be a dict (pass hostvars), got %s" % describe(hostvars))
    try:
        number = int(port)
    except (TypeError, ValueError):
        number = 0
    if isinstance(port, bool) or not 1 <= number <= 65535:
        shown = port if isinstance(port, (int, str)) else describe(port)
        raise AnsibleFilterError("cluster_peers: port must be a port number 1-65535, got %s" % shown)
    excluded = set(exclude) if is_list(exclude) else {exclude}
    return [
        _member(member, _get(hostvars, member), number, override)
        for member in members
        if member not in excluded
    ]


class FilterModule:
    """Cluster membership addresses."""

    def filters(self):
        return {"cluster_peers": cluster_peers}
