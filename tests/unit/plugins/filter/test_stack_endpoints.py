"""stack_endpoints and endpoint_configs: scrape jobs and alerting targets derived from the serving hosts' variables."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.filter.endpoint_configs import endpoint_configs
from ansible_collections.tradpal.monitoring.plugins.filter.stack_endpoints import stack_endpoints
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._endpoints import ENDPOINTS, role_defaults

OPEN = {"node_exporter_listen_address": "0.0.0.0:9100", "node_exporter_allow_unauthenticated": True}


def one(hostvars, component, name="web1", consumer="mon1"):
    return stack_endpoints([name], hostvars, component=component, consumer=consumer)[0]


@pytest.mark.parametrize("component", sorted(ENDPOINTS))
def test_every_variable_of_the_table_is_an_input_of_its_role(component):
    spec = ENDPOINTS[component]
    names = [spec[key] for key in ("listen", "tls_cert", "ca", "users", "client_user", "client_ca", "path")]
    defaults = role_defaults(spec["role"])
    for name in filter(None, names):
        assert name in defaults, "%s is not an input of the %s role" % (name, spec["role"])


def test_the_role_default_applies_when_the_host_sets_nothing():
    endpoint = one({"web1": {}, "mon1": {}}, "node_exporter", consumer="web1")
    port = int(str(role_defaults("node_exporter")["node_exporter_listen_address"]).rsplit(":", 1)[1])
    assert endpoint["target"] == "127.0.0.1:%d" % port
    assert endpoint["problem"] == ""


def test_a_wildcard_listener_is_reached_at_ansible_host_else_the_inventory_name():
    assert one({"web1": dict(OPEN, ansible_host="10.1.2.3"), "mon1": {}}, "node_exporter")["target"] == "10.1.2.3:9100"
    assert one({"web1": dict(OPEN), "mon1": {}}, "node_exporter")["target"] == "web1:9100"


def test_a_single_listen_address_is_the_one_reached():
    hostvars = {"web1": {"node_exporter_listen_address": "10.9.9.9:9200", "ansible_host": "10.1.2.3"}, "mon1": {}}
    endpoint = one(hostvars, "node_exporter")
    assert endpoint["target"] == "10.9.9.9:9200"
    assert endpoint["url"] == "http://10.9.9.9:9200"


def test_ipv6_addresses_are_bracketed():
    endpoint = one({"web1": {"node_exporter_listen_address": "[fd00::5]:9100"}, "mon1": {}}, "node_exporter")
    assert endpoint["target"] == "[fd00::5]:9100"


def test_loopback_of_another_host_is_a_problem_naming_the_variable():
    endpoint = one({"web1": {"node_exporter_listen_address": "127.0.0.1:9100"}, "mon1": {}}, "node_exporter")
    assert "listens on loopback only (node_exporter_listen_address=127.0.0.1:9100)" in endpoint["problem"]
    assert "mon1 cannot reach it" in endpoint["problem"]


def test_the_consumers_own_host_is_reached_over_loopback():
    endpoint = one(
        {"mon1": {"node_exporter_listen_address": "127.0.0.1:9100", "ansible_host": "10.1.2.3"}},
        "node_exporter",
        name="mon1",
    )
    assert (endpoint["target"], endpoint["problem"]) == ("127.0.0.1:9100", "")


def test_tls_makes_https_and_the_ca_comes_from_the_role_or_the_consumer():
    served = {
        "prometheus_web_listen_address": ":9090",
        "prometheus_web_tls_cert_file": "/etc/ssl/p.pem",
        "prometheus_web_tls_ca_file": "/etc/ssl/ca.pem",
    }
    endpoint = one({"web1": served, "mon1": {}}, "prometheus")
    assert endpoint["url"] == "https://web1:9090"
    assert endpoint["ca_file"] == "/etc/ssl/ca.pem"
    node = one(
        {"web1": dict(OPEN, node_exporter_web_tls_cert_file="/c.pem"), "mon1": {"tradpal_tls_ca_file": "/ca.pem"}},
        "node_exporter",
    )
    assert (node["scheme"], node["ca_file"]) == ("https", "/ca.pem")


def test_the_login_is_the_named_client_user_else_the_first_by_name():
    users = {"zed": "Zed-Secret-1", "anna": "Anna-Secret-1"}
    served = {"alertmanager_web_listen_address": ":9093", "alertmanager_basic_auth_users": users}
    assert one({"web1": served, "mon1": {}}, "alertmanager")["basic_auth"] == {
        "username": "anna",
        "password": "Anna-Secret-1",
    }
    served["alertmanager_web_client_user"] = "zed"
    assert one({"web1": served, "mon1": {}}, "alertmanager")["basic_auth"]["username"] == "zed"
    served["alertmanager_web_client_user"] = "nobody"
    assert "nobody is not one of the basic auth users" in one({"web1": served, "mon1": {}}, "alertmanager")["problem"]


def test_the_route_prefix_of_the_external_url_is_kept():
    served = {"alertmanager_web_listen_address": ":9093", "alertmanager_web_external_url": "https://am.example/am/"}
    endpoint = one({"web1": served, "mon1": {}}, "alertmanager")
    assert (endpoint["path"], endpoint["url"]) == ("/am", "http://web1:9093/am")


def test_an_invalid_listen_address_is_a_problem_not_an_error():
    endpoint = one({"web1": {"node_exporter_listen_address": "nonsense"}, "mon1": {}}, "node_exporter")
    assert endpoint["problem"].startswith("node_exporter_listen_address: listen address 'nonsense'")


def test_client_certificates_cannot_be_sent_by_the_stack():
    served = {
        "redis_exporter_listen_address": ":9121",
        "redis_exporter_tls_cert_file": "/c.pem",
        "redis_exporter_tls_client_ca_file": "/ca.pem",
    }
    assert "requires TLS client certificates" in one({"web1": served, "mon1": {}}, "redis_exporter")["problem"]


@pytest.mark.parametrize("service, port", [("api-gateway", 8000), ("trading-bot", 8003), ("backtesting-service", 8004)])
def test_tradpal_services_have_their_fixed_ports(service, port):
    assert one({"web1": {"ansible_host": "10.0.0.8"}, "mon1": {}}, service)["url"] == "http://10.0.0.8:%d" % port


def test_bad_input_is_an_error():
    with pytest.raises(AnsibleFilterError, match="list of host names"):
        stack_endpoints("web1", {}, component="node_exporter", consumer="mon1")
    with pytest.raises(AnsibleFilterError, match="unknown component 'grafanaa'"):
        stack_endpoints([], {}, component="grafanaa", consumer="mon1")


def test_endpoints_that_connect_alike_share_one_job():
    hostvars = {"a": dict(OPEN), "b": dict(OPEN), "mon1": {}}
    configs = endpoint_configs(
        {"node": stack_endpoints(["a", "b"], hostvars, component="node_exporter", consumer="mon1")},
        options={"scrape_interval": "30s"},
    )
    assert configs == [
        {
            "job_name": "node",
            "scheme": "http",
            "metrics_path": "/metrics",
            "static_configs": [{"targets": ["a:9100", "b:9100"]}],
            "scrape_interval": "30s",
        }
    ]


def test_endpoints_that_differ_get_further_configs_in_the_same_job():
    hostvars = {
        "a": dict(OPEN),
        "b": {
            "node_exporter_listen_address": ":9100",
            "node_exporter_basic_auth_users": {"prometheus": "Long-Secret-1"},
        },
        "mon1": {},
    }
    configs = endpoint_configs(
        {"node": stack_endpoints(["a", "b"], hostvars, component="node_exporter", consumer="mon1")}
    )
    assert [config["job_name"] for config in configs] == ["node", "node-2"]
    assert configs[1]["static_configs"] == [{"targets": ["b:9100"], "labels": {"job": "node"}}]
    assert configs[1]["basic_auth"] == {"username": "prometheus", "password": "Long-Secret-1"}
    assert "basic_auth" not in configs[0]


def test_jobs_keep_their_order_and_empty_ones_get_no_config():
    hostvars = {"a": dict(OPEN), "mon1": {}}
    endpoints = stack_endpoints(["a"], hostvars, component="node_exporter", consumer="mon1")
    configs = endpoint_configs({"zeta": endpoints, "empty": [], "alpha": endpoints}, metrics_path="")
    assert [(config["job_name"], config["metrics_path"]) for config in configs] == [("zeta", ""), ("alpha", "")]


def test_bad_input_to_endpoint_configs_is_an_error():
    with pytest.raises(AnsibleFilterError, match="job names to lists of stack_endpoints"):
        endpoint_configs(["x"])
    with pytest.raises(AnsibleFilterError, match="endpoints of job node must be dicts"):
        endpoint_configs({"node": ["a:9100"]})
    with pytest.raises(AnsibleFilterError, match="options must be a dict"):
        endpoint_configs({}, options="x")
