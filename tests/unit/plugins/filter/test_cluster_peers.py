"""cluster_peers: each member's address:port, from ansible_host and gathered facts."""

from collections.abc import Mapping

import pytest
from ansible.errors import AnsibleFilterError
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager
from ansible_collections.tradpal.monitoring.plugins.filter import cluster_peers as cluster_peers_plugin
from ansible_collections.tradpal.monitoring.plugins.filter.cluster_peers import cluster_peers


def facts(address):
    return {"default_ipv4": {"address": address, "interface": "eth0"}, "hostname": "x"}


HOSTVARS = {
    "am1": {"ansible_host": "10.0.0.5", "ansible_facts": facts("192.168.1.5")},
    "am2": {"ansible_host": "am2.internal", "ansible_facts": facts("10.0.0.6")},
    "am3": {"ansible_host": "fd00::7", "ansible_facts": facts("10.0.0.7")},
    "am4": {"ansible_host": "am4.internal", "ansible_facts": {}},
    "am5": {"ansible_facts": {"default_ipv4": {}}},
    "am6": {},
}


def test_address_rules_in_member_order():
    members = ["am6", "am5", "am4", "am3", "am2", "am1"]
    assert cluster_peers(members, HOSTVARS, 9094) == [
        "am6:9094",  # nothing known: the inventory name
        "am5:9094",  # no default route in its facts, no ansible_host
        "am4.internal:9094",  # facts missing (--limit): ansible_host as a name
        "[fd00::7]:9094",  # an IPv6 ansible_host, in brackets
        "10.0.0.6:9094",  # a host name as ansible_host: the gathered address wins
        "10.0.0.5:9094",  # an IP address as ansible_host wins over facts
    ]


def test_exclude_one_or_several():
    members = ["am1", "am2", "am3"]
    assert cluster_peers(members, HOSTVARS, 9094, exclude="am2") == ["10.0.0.5:9094", "[fd00::7]:9094"]
    assert cluster_peers(members, HOSTVARS, 9094, exclude=["am1", "am3"]) == ["10.0.0.6:9094"]
    assert cluster_peers(members, HOSTVARS, 9094, exclude=None) == ["10.0.0.5:9094", "10.0.0.6:9094", "[fd00::7]:9094"]
    assert cluster_peers(["am1"], HOSTVARS, 9094, exclude="am1") == []


def test_a_members_own_advertise_address_wins():
    hostvars = {
        "am1": {"ansible_host": "10.0.0.5", "am_advertise": "192.0.2.9:19094"},
        "am2": {"ansible_host": "10.0.0.6", "am_advertise": ""},
        "am3": {"ansible_host": "10.0.0.7"},
    }
    members = ["am1", "am2", "am3"]
    assert cluster_peers(members, hostvars, 9094, override="am_advertise") == [
        "192.0.2.9:19094",  # set: as given, its own port too
        "10.0.0.6:9094",  # empty: by the rule
        "10.0.0.7:9094",  # not set: by the rule
    ]
    assert cluster_peers(members, hostvars, 9094, exclude="am2", override="") == ["10.0.0.5:9094", "10.0.0.7:9094"]


def test_this_hosts_own_address_by_the_same_rule():
    assert cluster_peers(["am2"], HOSTVARS, "9094") == ["10.0.0.6:9094"]


def test_members_missing_from_hostvars_and_empty_values():
    hostvars = {"a": {"ansible_host": "", "ansible_facts": {"default_ipv4": {"address": ""}}}, "b": None}
    assert cluster_peers(["a", "b", "c"], hostvars, 9094) == ["a:9094", "b:9094", "c:9094"]
    assert cluster_peers([], hostvars, 9094) == []


@pytest.mark.parametrize(
    ("ansible_host", "expected"),
    [
        ("10.0.0.5", "10.0.0.5:9094"),
        ("2001:db8::5", "[2001:db8::5]:9094"),
        ("::1", "[::1]:9094"),
        ("10.0.0.5.nip.io", "10.0.0.9:9094"),
        ("fd00::5.internal", "10.0.0.9:9094"),
        ("999.0.0.1", "10.0.0.9:9094"),
    ],
)
def test_only_real_ip_addresses_count_as_addresses(ansible_host, expected):
    hostvars = {"am": {"ansible_host": ansible_host, "ansible_facts": facts("10.0.0.9")}}
    assert cluster_peers(["am"], hostvars, 9094) == [expected]


class LazyVars(Mapping):
    """Like Ansible's HostVars/HostVarsVars: not a dict; values computed on access, recorded."""

    def __init__(self, data, reads):
        self.data = data
        self.reads = reads

    def __getitem__(self, key):
        self.reads.append(key)
        value = self.data[key]
        return LazyVars(value, self.reads) if isinstance(value, dict) else value

    def __iter__(self):
        raise AssertionError("a filter must not list every host or variable")

    def __len__(self):
        raise AssertionError("a filter must not count every host or variable")

    def __contains__(self, key):
        return key in self.data


def test_lazy_mappings_are_read_by_key_only():
    reads = []
    hostvars = LazyVars(HOSTVARS, reads)
    assert cluster_peers(["am1", "am2", "am4"], hostvars, 9094, exclude="am1") == ["10.0.0.6:9094", "am4.internal:9094"]
    assert "am1" not in reads  # excluded members are not even looked at
    assert "am6" not in reads


def test_real_hostvars(tmp_path):
    inventory_file = tmp_path / "inventory.yml"
    inventory_file.write_text(
        """
alertmanager:
  vars:
    site_prefix: "10.0.0"
  hosts:
    am1: {ansible_host: "{{ site_prefix }}.5"}
    am2: {ansible_host: am2.internal}
    am3: {}
""",
        encoding="utf-8",
    )
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[str(inventory_file)])
    variable_manager = VariableManager(loader=loader, inventory=inventory)
    variable_manager.set_host_facts("am2", {"default_ipv4": {"address": "10.0.0.6"}})
    hostvars = HostVars(inventory=inventory, variable_manager=variable_manager, loader=loader)
    members = ["am1", "am2", "am3"]
    assert cluster_peers(members, hostvars, 9094) == ["10.0.0.5:9094", "10.0.0.6:9094", "am3:9094"]


@pytest.mark.parametrize(
    ("members", "hostvars", "port", "message"),
    [
        ("am1", HOSTVARS, 9094, "members must be a list of inventory names, got a string"),
        (["am1"], ["am1"], 9094, "hostvars must be a dict \\(pass hostvars\\), got a list"),
        (["am1"], HOSTVARS, 0, "port must be a port number 1-65535, got 0"),
        (["am1"], HOSTVARS, 65536, "port must be a port number 1-65535, got 65536"),
        (["am1"], HOSTVARS, "gossip", "port must be a port number 1-65535, got gossip"),
        (["am1"], HOSTVARS, None, "port must be a port number 1-65535, got null"),
        (["am1"], HOSTVARS, True, "port must be a port number 1-65535, got True"),
    ],
)
def test_wrong_arguments(members, hostvars, port, message):
    with pytest.raises(AnsibleFilterError, match=message):
        cluster_peers(members, hostvars, port)


def test_cluster_peers_is_registered():
    assert cluster_peers_plugin.FilterModule().filters()["cluster_peers"] is cluster_peers
