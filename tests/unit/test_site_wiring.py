"""site.yml derives scrape jobs, alerting targets and Grafana's datasources from the serving hosts' variables.

The plays' own variables (taken from playbooks/site.yml as they are) are rendered on the
controller against an inventory with TLS, basic auth and opt-ins on some hosts, and the result
is what the prometheus and grafana roles would get.
"""

import json
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]

INVENTORY = {
    "all": {
        "vars": {"ansible_connection": "local"},
        "children": {
            "prometheus": {"hosts": {"mon1": {"ansible_host": "10.0.0.1"}}},
            "grafana": {"hosts": {"mon1": {}}},
            "alertmanager": {
                "hosts": {"am1": {"ansible_host": "10.0.0.2"}, "am2": {"ansible_host": "10.0.0.3"}},
                "vars": {
                    "alertmanager_web_listen_address": ":9093",
                    "alertmanager_basic_auth_users": {"prometheus": "Am-Login-Secret-7"},
                },
            },
            "node_exporter": {
                "hosts": {
                    "mon1": {},
                    "node1": {
                        "ansible_host": "10.0.0.4",
                        "node_exporter_listen_address": "10.0.0.4:9100",
                        "node_exporter_web_tls_cert_file": "/etc/ssl/node.pem",
                        "node_exporter_basic_auth_users": {"scraper": "Node-Login-Secret-7"},
                    },
                    "node2": {"node_exporter_listen_address": ":9100", "node_exporter_allow_unauthenticated": True},
                },
                "vars": {"tradpal_tls_ca_file": "/etc/ssl/stack-ca.pem"},
            },
            "redis_exporter": {"hosts": {"mon1": {}}},
            "tradpal_services": {"hosts": {"svc1": {"ansible_host": "10.0.0.9"}}},
        },
    }
}


def site_play(name):
    plays = yaml.safe_load((REPO / "playbooks" / "site.yml").read_text())
    return next(play for play in plays if play.get("hosts") == name)


def render(tmp_path, local_playbook, host_group, expressions, inventory=None, *, limit="mon1", extra=()):
    """Render expressions (name -> Jinja) with the vars of site.yml's play for host_group on host `limit`.

    inventory: a dict (written out), or the path of an inventory file of the repository (its
    group_vars come with it); extra: further ansible-playbook arguments (e.g. -e @vars).
    """
    play = site_play(host_group)
    variables = dict(play.get("vars", {}))
    variables.update(play["roles"][0].get("vars", {}))
    out = tmp_path / "out.json"
    playbook = [
        {
            "hosts": host_group,
            "gather_facts": False,
            "vars": variables,
            "tasks": [
                *play.get("pre_tasks", []),
                {
                    "name": "Write the rendered values",
                    "delegate_to": "localhost",
                    "ansible.builtin.copy": {"dest": str(out), "content": "{{ __rendered | to_json }}"},
                    "vars": {"__rendered": {key: "{{ %s }}" % value for key, value in expressions.items()}},
                },
            ],
        }
    ]
    if isinstance(inventory, Path):
        inventory_file = str(inventory)
    else:
        inventory_file = "inventory.yml"
        (tmp_path / inventory_file).write_text(yaml.safe_dump(inventory or INVENTORY))
    (tmp_path / "playbook.yml").write_text(yaml.safe_dump(playbook, sort_keys=False))
    done = local_playbook(tmp_path, "-i", inventory_file, "playbook.yml", "--limit", limit, *extra)
    return done, (json.loads(out.read_text()) if done.returncode == 0 else None)


def test_scrape_jobs_follow_each_hosts_settings(tmp_path, local_playbook):
    done, values = render(tmp_path, local_playbook, "prometheus", {"jobs": "prometheus_scrape_configs"})
    assert done.returncode == 0, done.stdout + done.stderr
    jobs = {job["job_name"]: job for job in values["jobs"]}
    assert jobs["node"]["static_configs"][0]["targets"] == ["127.0.0.1:9100", "node2:9100"]
    assert "tls_config" not in jobs["node"]
    assert jobs["node-2"]["scheme"] == "https"
    assert jobs["node-2"]["static_configs"] == [{"targets": ["10.0.0.4:9100"], "labels": {"job": "node"}}]
    assert jobs["node-2"]["basic_auth"] == {"username": "scraper", "password": "Node-Login-Secret-7"}
    assert jobs["node-2"]["tls_config"] == {"ca_file": "/etc/ssl/stack-ca.pem"}
    assert jobs["redis"]["static_configs"][0]["targets"] == ["127.0.0.1:9121"]
    assert jobs["alertmanager"]["basic_auth"]["username"] == "prometheus"
    assert jobs["alertmanager"]["static_configs"][0]["targets"] == ["10.0.0.2:9093", "10.0.0.3:9093"]
    assert jobs["trading-bot"]["static_configs"][0]["targets"] == ["10.0.0.9:8003"]
    assert all(job["metric_relabel_configs"] for name, job in jobs.items() if name.startswith(("node", "redis")))


def test_alerts_go_to_every_alertmanager_with_its_login(tmp_path, local_playbook):
    done, values = render(
        tmp_path,
        local_playbook,
        "prometheus",
        {"targets": "prometheus_alertmanager_targets", "options": "prometheus_alertmanager_options"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert values["targets"] == ["10.0.0.2:9093", "10.0.0.3:9093"]
    assert values["options"] == {
        "scheme": "http",
        "basic_auth": {"username": "prometheus", "password": "Am-Login-Secret-7"},
    }


def test_grafana_datasources_are_derived(tmp_path, local_playbook):
    done, values = render(
        tmp_path,
        local_playbook,
        "grafana",
        {
            "prometheus": "grafana_prometheus_url",
            "alertmanager": "grafana_alertmanager_url",
            "user": "grafana_alertmanager_username",
            "password": "grafana_alertmanager_password",
        },
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert values["prometheus"].startswith("http://127.0.0.1:")
    assert values == dict(values, alertmanager="http://10.0.0.2:9093", user="prometheus", password="Am-Login-Secret-7")  # noqa: S106


def test_an_unreachable_target_is_refused_before_any_change(tmp_path, local_playbook):
    inventory = json.loads(json.dumps(INVENTORY))
    inventory["all"]["children"]["node_exporter"]["hosts"]["node2"] = {"node_exporter_listen_address": "127.0.0.1:9100"}
    done, _values = render(tmp_path, local_playbook, "prometheus", {"jobs": "prometheus_scrape_configs"}, inventory)
    output = " ".join((done.stdout + done.stderr).split())
    assert done.returncode != 0
    assert (
        "node_exporter listens on loopback only (node_exporter_listen_address=127.0.0.1:9100), mon1 cannot reach it"
        in output
    )
    assert "Write the rendered values" not in output


PRODUCTION = REPO / "inventories" / "production"


def test_the_production_example_wires_every_target_with_its_login(tmp_path, local_playbook):
    """The shipped HA example as it stands (vault.yml.example's values): nothing refused, every
    target with the login its host declares, the two Prometheus told apart."""
    expressions = {
        "jobs": "prometheus_scrape_configs",
        "am": "prometheus_alertmanager_targets",
        "am_options": "prometheus_alertmanager_options",
        "labels": "prometheus_external_labels",
        "alert_relabel": "prometheus_alert_relabel_configs",
    }
    extra = ("-e", f"@{PRODUCTION / 'group_vars' / 'all' / 'vault.yml.example'}", "-c", "local")
    labels = []
    for prometheus in ("mon1.example.internal", "mon2.example.internal"):

        def targets(port, names, this=prometheus):
            """Each host at its name, the Prometheus host itself on loopback."""
            return sorted(
                f"127.0.0.1:{port}" if f"{name}.example.internal" == this else f"{name}.example.internal:{port}"
                for name in names
            )

        done, values = render(
            tmp_path, local_playbook, "prometheus", expressions, PRODUCTION / "hosts.yml", limit=prometheus, extra=extra
        )
        assert done.returncode == 0, done.stdout + done.stderr
        labels.append(values["labels"])
        jobs = {job["job_name"]: job for job in values["jobs"]}
        hosts = ["mon1", "mon2", "mon3", "redis1", "redis2", "redis3", "app1", "app2"]
        assert sorted(jobs["node"]["static_configs"][0]["targets"]) == targets(9100, hosts)
        assert jobs["node"]["basic_auth"] == {
            "username": "prometheus",
            "password": "<long random string, node_exporter's metrics>",
        }
        assert sorted(jobs["redis"]["static_configs"][0]["targets"]) == targets(9121, ["redis1", "redis2", "redis3"])
        assert jobs["alertmanager"]["basic_auth"]["username"] == "monitoring"
        assert sorted(values["am"]) == targets(9093, ["mon1", "mon2", "mon3"])
        assert values["am_options"]["basic_auth"]["username"] == "monitoring"
        assert jobs["trading-bot"]["static_configs"][0]["targets"] == ["app1.example.internal:8003"]
        # The pair's alerts reach Alertmanager without the replica label: identical, notified once.
        assert values["alert_relabel"] == [{"action": "labeldrop", "regex": "replica"}]
    # An HA pair: the same environment, one replica label each, so their series are told apart.
    assert labels[0]["environment"] == labels[1]["environment"] == "production"
    assert labels[0]["replica"] != labels[1]["replica"]
