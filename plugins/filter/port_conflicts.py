# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: port_conflicts
short_description: Problem messages for services configured on the same port of one host
version_added: 0.1.0
description:
  - Takes the ports the services of one host are configured to listen on, each under the name
    of the variable it comes from, and returns one message per pair that would bind the same
    port on the same address; the second service would fail to start.
  - A value is a Go-style listen address (C(HOST:PORT), C(:PORT), C([V6]:PORT)), or a port
    number, which stands for every address of the host (Alertmanager's gossip port, Redis's ports).
  - Two services collide when their ports are equal and one of them listens on every address
    (empty host, C(0.0.0.0), C(::), or a bare port), or both name the same address.
    C(localhost) counts as C(127.0.0.1) and C(::1). Different names, or a name and an address,
    are not resolved and do not collide.
  - A value of C(0), C('') or null (switched off) is left out, and so is an address that cannot be
    parsed (the role's own check of that variable reports it).
  - Messages name the variables and their values; pass listen addresses and ports only.
options:
  _input:
    description: Variable name to listen address or port, in the order messages should name them.
    type: dict
    required: true
  own:
    description:
      - Only report pairs where at least one of the two is one of these names (the calling role's
        own variables); the other pairs are left to their own roles. Default is every pair.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Refuse an Alertmanager whose gossip port is its web port
  ansible.builtin.assert:
    that: __problems | length == 0
    fail_msg: "{{ __problems | join('; ') }}"
  vars:
    __problems: >-
      {{ {'alertmanager_web_listen_address': alertmanager_web_listen_address,
          'alertmanager_cluster_port': alertmanager_cluster_port} | tradpal.monitoring.port_conflicts }}

- name: The role's ports against the other roles' ports defined for the same host
  ansible.builtin.debug:
    msg: >-
      {{ {'node_exporter_listen_address': node_exporter_listen_address,
          'prometheus_web_listen_address': hostvars[inventory_hostname]['prometheus_web_listen_address']}
         | tradpal.monitoring.port_conflicts(own=['node_exporter_listen_address']) }}
"""

RETURN = r"""
_value:
  description:
    - One message per colliding pair, for example
      C(alertmanager_web_listen_address (:9094) and alertmanager_cluster_port (9094) both use port 9094 on this host.);
      empty when there is none.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.filter.listen_address import listen_address
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._addresses import ip_address
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._shapes import describe, is_list, is_mapping

_LOOPBACK_NAMES = {"localhost": frozenset(["127.0.0.1", "::1"])}


def _endpoint(value):
    """(port, hosts) where value listens, hosts None for every address; None when it does not listen."""
    if value is None or isinstance(value, bool) or is_mapping(value) or is_list(value):
        return None
    if isinstance(value, int):
        port, hosts = value, None
    elif isinstance(value, str) and value.strip().isdigit():
        port, hosts = int(value.strip()), None
    elif isinstance(value, str) and value.strip():
        parsed = listen_address(value.strip())
        if not parsed["valid"]:
            return None
        port = parsed["port"]
        hosts = None if parsed["wildcard"] else _hosts(parsed["host"])
    else:
        return None
    if not 1 <= port <= 65535:
        return None
    return port, hosts


def _hosts(host):
    """The addresses a listen host stands for, normalised for comparison."""
    name = host.lower().rstrip(".")
    if name in _LOOPBACK_NAMES:
        return _LOOPBACK_NAMES[name]
    address = ip_address(name)
    return frozenset([str(address) if address is not None else name])


def port_conflicts(ports, own=None):
    """One message per pair of ports that would bind the same port on the same address."""
    if not is_mapping(ports):
        raise AnsibleFilterError("port_conflicts expects a dict of variable name to listen address or port, got %s"
                                 % describe(ports))
    if own is not None and not is_list(own):
        raise AnsibleFilterError("port_conflicts: own must be a list of variable names, got %s" % describe(own))
    own = None if own is None else set(own)
    endpoints = [(str(label), value, _endpoint(value)) for label, value in ports.items()]
    endpoints = [item for item in endpoints if item[2] is not None]
    problems = []
    for index, (label, value, (port, hosts)) in enumerate(endpoints):
        for other_label, other_value, (other_port, other_hosts) in endpoints[index + 1:]:
            if port != other_port or (own is not None and label not in own and other_label not in own):
                continue
            if hosts is None or other_hosts is None or hosts & other_hosts:
                problems.append("%s (%s) and %s (%s) both use port %d on this host."
                                % (label, value, other_label, other_value, port))
    return problems


class FilterModule:
    """Ports of the services of one host."""

    def filters(self):
        return {"port_conflicts": port_conflicts}
