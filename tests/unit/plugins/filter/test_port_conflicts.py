"""port_conflicts: services of one host configured on the same port."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.filter import port_conflicts as port_conflicts_plugin
from ansible_collections.tradpal.monitoring.plugins.filter.port_conflicts import port_conflicts


def test_no_conflict_on_distinct_ports():
    ports = {
        "prometheus_web_listen_address": "0.0.0.0:9090",
        "alertmanager_web_listen_address": ":9093",
        "alertmanager_cluster_port": 9094,
        "node_exporter_listen_address": ":9100",
    }
    assert port_conflicts(ports) == []


def test_gossip_port_equal_to_web_port():
    ports = {"alertmanager_web_listen_address": ":9094", "alertmanager_cluster_port": 9094}
    assert port_conflicts(ports) == [
        "alertmanager_web_listen_address (:9094) and alertmanager_cluster_port (9094) both use port 9094 on this host."
    ]


def test_bare_ports_collide_and_digit_strings_are_ports():
    assert port_conflicts({"redis_port": 26379, "redis_sentinel_port": "26379"}) == [
        "redis_port (26379) and redis_sentinel_port (26379) both use port 26379 on this host."
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (":9100", "10.0.0.5:9100"),  # every address includes that one
        ("0.0.0.0:9100", "127.0.0.1:9100"),
        ("[::]:9100", "[::1]:9100"),
        ("10.0.0.5:9100", "10.0.0.5:9100"),
        ("[fd00::1]:9100", "[fd00:0::1]:9100"),  # the same address, written differently
        ("localhost:9100", "127.0.0.1:9100"),
        ("LocalHost.:9100", "[::1]:9100"),
        ("host.example:9100", "HOST.example:9100"),
        ("10.0.0.5:9100", 9100),  # a bare port listens on every address
    ],
)
def test_same_port_on_overlapping_addresses_collides(first, second):
    assert len(port_conflicts({"a": first, "b": second})) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("10.0.0.5:9100", "10.0.0.6:9100"),
        ("127.0.0.1:9100", "[::1]:9100"),
        ("127.0.0.2:9100", "localhost:9100"),
        ("host.example:9100", "10.0.0.5:9100"),  # names are not resolved
        (":9100", ":9101"),
    ],
)
def test_same_port_on_distinct_addresses_does_not_collide(first, second):
    assert port_conflicts({"a": first, "b": second}) == []


@pytest.mark.parametrize(
    "off", [0, "0", "", None, "  ", "not an address", ":99999", "[::1:9100", True, [9100], {"p": 9100}]
)
def test_switched_off_and_unparsable_values_are_left_out(off):
    # Unparsable addresses are reported by the role's own check of that variable.
    assert port_conflicts({"redis_tls_port": off, "redis_port": 9100, "other": ":9101"}) == []
    assert port_conflicts({"redis_tls_port": off, "redis_port": 0}) == []


def test_every_pair_is_reported_in_input_order():
    ports = {"a": ":9100", "b": 9100, "c": "127.0.0.1:9100", "d": ":9200"}
    assert port_conflicts(ports) == [
        "a (:9100) and b (9100) both use port 9100 on this host.",
        "a (:9100) and c (127.0.0.1:9100) both use port 9100 on this host.",
        "b (9100) and c (127.0.0.1:9100) both use port 9100 on this host.",
    ]


def test_own_limits_the_report_to_pairs_with_the_callers_variables():
    ports = {
        "node_exporter_listen_address": ":9100",
        "prometheus_web_listen_address": ":9100",
        "grafana_listen_address": "127.0.0.1:9121",
        "redis_exporter_listen_address": ":9121",
    }
    assert port_conflicts(ports, own=["node_exporter_listen_address"]) == [
        "node_exporter_listen_address (:9100) and prometheus_web_listen_address (:9100)"
        " both use port 9100 on this host."
    ]
    assert port_conflicts(ports, own=[]) == []
    assert len(port_conflicts(ports)) == 2


@pytest.mark.parametrize("bad", [None, [":9100"], ":9100"])
def test_input_must_be_a_dict(bad):
    with pytest.raises(AnsibleFilterError, match="expects a dict"):
        port_conflicts(bad)


def test_own_must_be_a_list():
    with pytest.raises(AnsibleFilterError, match="own must be a list"):
        port_conflicts({"a": ":9100"}, own="a")


def test_registered():
    assert port_conflicts_plugin.FilterModule().filters() == {"port_conflicts": port_conflicts}
