"""Prometheus from the distribution package: it serves its API, scrapes itself and a
node_exporter, loads every shipped alert, alerts to every Alertmanager of the group;
invalid rules or configs never go live; changes are reloaded without a restart."""

import json
import os
import re
from pathlib import Path

import pytest
import testinfra
import yaml
from testinfra.utils.ansible_runner import AnsibleRunner

testinfra_hosts = AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"]).get_hosts("prometheus")

API = "http://127.0.0.1:9090"
SCENARIO = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"])
SHIPPED_RULES = Path(os.environ["MOLECULE_PROJECT_DIRECTORY"]) / "roles" / "prometheus" / "files" / "rules"
NODE_HOST = "prometheus-pkg-node"


def api(host, path):
    return json.loads(host.check_output(f"curl -fsS '{API}{path}'"))["data"]


def shipped_alerts(disabled=()):
    alerts = set()
    for rule_file in SHIPPED_RULES.glob("*.rules.yml"):
        for group in yaml.safe_load(rule_file.read_text())["groups"]:
            if group["name"] not in disabled:
                alerts.update(rule["alert"] for rule in group["rules"] if "alert" in rule)
    return alerts


def loaded_alerts(host):
    return {rule["name"] for group in api(host, "/api/v1/rules")["groups"] for rule in group["rules"]}


def live_files(host):
    return host.check_output("find /etc/prometheus -type f -newermt 2000-01-01 | sort | xargs sha256sum")


def metric(host, name):
    """A value of Prometheus' own /metrics, as a float."""
    match = re.search(rf"^{name} (\S+)$", host.check_output(f"curl -fsS {API}/metrics"), re.M)
    assert match, f"{name} missing from {API}/metrics"
    return float(match.group(1))


def test_service_runs_as_the_distribution_account(host):
    service = host.service("prometheus")
    assert service.is_running
    assert service.is_enabled
    assert host.check_output("ps -o user= -C prometheus").split() == ["prometheus"]


def test_stop_timeout_gives_the_tsdb_time_to_close(host, unit_properties):
    # Debian's unit waits 20s; the role's drop-in gives Prometheus prometheus_stop_timeout.
    dropin = "/etc/systemd/system/prometheus.service.d/tradpal-monitoring.conf"
    assert host.file(dropin).content_string.splitlines()[-2:] == ["[Service]", "TimeoutStopSec=10min"]
    props = unit_properties(host, "prometheus", "TimeoutStopUSec", "DropInPaths")
    assert props["TimeoutStopUSec"] == "10min"
    assert dropin in props["DropInPaths"].split()


def test_ready(host):
    assert host.check_output(f"curl -s -o /dev/null -w '%{{http_code}}' {API}/-/ready") == "200"


def test_flags_from_variables_are_in_effect(host):
    flags = api(host, "/api/v1/status/flags")
    assert flags["storage.tsdb.retention.time"] == "8d8h"  # 200h, as Prometheus prints it
    assert flags["storage.tsdb.path"] == "/var/lib/prometheus/metrics2"
    assert flags["web.enable-lifecycle"] == "false"
    assert flags["config.file"] == "/etc/prometheus/prometheus.yml"


def test_config_and_rule_files_are_not_world_readable(host):
    for path in ["/etc/prometheus/prometheus.yml", "/etc/prometheus/rules.d/node.rules.yml"]:
        f = host.file(path)
        assert (f.user, f.group, f.mode) == ("root", "prometheus", 0o640), path


def test_self_and_node_exporter_targets_are_up(host, wait_for):
    def targets():
        active = api(host, "/api/v1/targets")["activeTargets"]
        healthy = {t["labels"]["job"]: t for t in active if t["health"] == "up"}
        return healthy if {"prometheus", "node"} <= healthy.keys() else None

    healthy = wait_for(targets)
    assert healthy, api(host, "/api/v1/targets")
    assert healthy["node"]["labels"]["instance"] == f"{NODE_HOST}:9100"
    assert healthy["node"]["labels"]["source"] == "file_sd"  # label from the file_sd target file
    assert healthy["prometheus"]["labels"]["instance"] == "prometheus-pkg:9090"


def test_relabelling_drops_go_metrics_of_the_node_job(host, wait_for):
    def node_cpu():
        return api(host, "/api/v1/query?query=count(node_cpu_seconds_total)")["result"]

    assert wait_for(node_cpu)
    assert api(host, "/api/v1/query?query=count(go_goroutines%7Bjob%3D%22node%22%7D)")["result"] == []
    # The self-scrape has no such rule: its Go metrics stay.
    assert api(host, "/api/v1/query?query=go_goroutines%7Bjob%3D%22prometheus%22%7D")["result"]


def test_external_labels_are_set(host):
    config = yaml.safe_load(api(host, "/api/v1/status/config")["yaml"])
    assert config["global"]["external_labels"] == {"environment": "molecule"}


def test_every_shipped_alert_and_the_users_rules_are_loaded(host):
    assert loaded_alerts(host) == shipped_alerts() | {"MoleculeProbe"}


def test_alerts_go_to_every_alertmanager_of_the_group(host):
    urls = {a["url"] for a in api(host, "/api/v1/alertmanagers")["activeAlertmanagers"]}
    assert urls == {
        "http://prometheus-pkg:9093/api/v2/alerts",
        f"http://{NODE_HOST}:9093/api/v2/alerts",
    }


def test_check_mode_reports_changes_and_changes_nothing(host, run_playbook):
    before = live_files(host)
    result = run_playbook("prometheus.yml", {"molecule_node_scrape_interval": "45s"}, check=True, diff=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"prometheus-pkg\s+: ok=\d+\s+changed=[1-9]", result.stdout), result.stdout
    # Reported as a change, but prometheus.yml is never shown in --diff (any part of it may
    # hold a credential).
    assert re.search(r"changed: \[prometheus-pkg\]", result.stdout), result.stdout
    assert "scrape_interval: 45s" not in result.stdout
    assert live_files(host) == before


def test_remote_write_credentials_never_show_under_check_diff_or_a_refusal(host, run_playbook, main_pid):
    before, pid = live_files(host), main_pid(host, "prometheus")
    remote = [
        {
            "url": "https://molecule-user:molecule-remote-secret@remote.test/api/v1/write",
            "headers": {"X-Scope-Token": "molecule-header-secret"},
            "authorization": {"credentials": "molecule-bearer-secret"},
        }
    ]
    secrets = ["molecule-remote-secret", "molecule-header-secret", "molecule-bearer-secret"]
    result = run_playbook("prometheus.yml", {"prometheus_remote_write": remote}, check=True, diff=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"changed: \[prometheus-pkg\]", output), output
    for secret in secrets:
        assert secret not in output
    assert live_files(host) == before

    # promtool rejects the URL (a control character) and prints it: shown, masked.
    remote[0]["url"] = "https://molecule-user:molecule-remote-secret@remote.test/api/v1/write\u0007"
    result = run_playbook("prometheus.yml", {"prometheus_remote_write": remote})
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert "prometheus.yml was refused by its check" in output and "invalid control character in URL" in output, output
    for secret in secrets:
        assert secret not in output
    assert live_files(host) == before
    assert main_pid(host, "prometheus") == pid
    assert host.run(f"curl -fsS {API}/-/ready").rc == 0


def test_invalid_rule_fails_with_promtool_message_and_nothing_changes(host, run_playbook, main_pid):
    before_files, before_alerts, pid = live_files(host), loaded_alerts(host), main_pid(host, "prometheus")
    rules = [str(SCENARIO / "files" / "molecule.rules.yml"), str(SCENARIO / "files" / "invalid.rules.yml")]

    result = run_playbook("prometheus.yml", {"molecule_rule_files": rules})

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "unclosed left parenthesis" in output, output  # promtool's own message
    assert not host.file("/etc/prometheus/rules.d/invalid.rules.yml").exists
    assert live_files(host) == before_files
    assert loaded_alerts(host) == before_alerts
    assert "NeverLoaded" not in loaded_alerts(host)
    assert main_pid(host, "prometheus") == pid


def test_invalid_config_fails_with_promtool_message_and_nothing_changes(host, run_playbook, main_pid):
    before_files, pid = live_files(host), main_pid(host, "prometheus")

    result = run_playbook("prometheus.yml", {"prometheus_global": {"scrape_interval": "fortnightly"}})

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(r'not a valid duration string: \\*"fortnightly', output), output  # promtool's message
    assert live_files(host) == before_files
    assert main_pid(host, "prometheus") == pid


def test_changes_are_reloaded_without_restart_and_stale_files_removed(host, run_playbook, main_pid):
    pid = main_pid(host, "prometheus")
    started = metric(host, "process_start_time_seconds")
    loaded = metric(host, "prometheus_config_last_reload_success_timestamp_seconds")
    node_file_sd = [{"targets": [f"{NODE_HOST}:9100"], "labels": {"source": "file_sd"}}]

    try:
        result = run_playbook(
            "prometheus.yml",
            {
                "molecule_node_scrape_interval": "30s",
                "prometheus_shipped_rule_groups_disabled": ["redis"],
                "prometheus_file_sd_targets": {"node": node_file_sd},
            },
        )

        assert result.returncode == 0, result.stdout + result.stderr
        config = yaml.safe_load(api(host, "/api/v1/status/config")["yaml"])
        node_job = next(job for job in config["scrape_configs"] if job["job_name"] == "node")
        assert node_job["scrape_interval"] == "30s"
        assert loaded_alerts(host) == shipped_alerts(disabled={"redis"}) | {"MoleculeProbe"}
        assert not host.file("/etc/prometheus/rules.d/redis.rules.yml").exists
        assert not host.file("/etc/prometheus/file_sd/spare.yml").exists
        assert host.file("/etc/prometheus/file_sd/node.yml").exists
        # Reloaded (Prometheus' own record of a successful load moved on), not restarted.
        assert metric(host, "prometheus_config_last_reload_successful") == 1
        assert metric(host, "prometheus_config_last_reload_success_timestamp_seconds") > loaded
        assert main_pid(host, "prometheus") == pid
        assert metric(host, "process_start_time_seconds") == started
    finally:
        restored = run_playbook("prometheus.yml")
        assert restored.returncode == 0, restored.stdout + restored.stderr
    assert loaded_alerts(host) == shipped_alerts() | {"MoleculeProbe"}


# Exposure: what another machine of the network can do to Prometheus.
WEB_PASSWORD = "molecule-prom-web-5d1c"  # noqa: S105 (a test value)
WITH_AUTH = {
    "prometheus_web_listen_address": "0.0.0.0:9090",
    "prometheus_web_enable_lifecycle": True,
    "prometheus_basic_auth_users": {"operator": WEB_PASSWORD},
}


def neighbour():
    """The other container of the scenario network."""
    return testinfra.get_host(f"ansible://{NODE_HOST}", ansible_inventory=os.environ["MOLECULE_INVENTORY_FILE"])


def post_from_neighbour(path):
    """HTTP status of an unauthenticated POST from the other container, or curl's exit code."""
    reply = neighbour().run(f"curl -sS -o /dev/null -w '%{{http_code}}' -X POST http://prometheus-pkg:9090{path}")
    return reply.stdout if reply.rc == 0 else f"curl exit {reply.rc}"


def test_quit_from_another_container_finds_nothing_listening(host, main_pid):
    pid = main_pid(host, "prometheus")
    assert post_from_neighbour("/-/quit") == "curl exit 7"  # connection refused: loopback only
    assert host.check_output(f"curl -s -o /dev/null -w '%{{http_code}}' {API}/-/ready") == "200"
    assert main_pid(host, "prometheus") == pid


@pytest.mark.parametrize(
    ("extra_vars", "expected"),
    [
        ({"prometheus_web_listen_address": "0.0.0.0:9090"},
         "prometheus_web_listen_address (0.0.0.0:9090) listens on every address without authentication: "
         "set prometheus_basic_auth_users, or set prometheus_web_allow_unauthenticated: true"),
        ({"prometheus_web_enable_lifecycle": True},
         "--web.enable-lifecycle without authentication would let anyone stop Prometheus"),
        ({"prometheus_extra_flags": ["--web.enable-admin-api"]},
         "--web.enable-admin-api without authentication would let anyone stop Prometheus or delete its data"),
    ],
    ids=["open-listener", "lifecycle", "admin-api"],
)
def test_exposure_without_auth_is_refused_before_any_change(host, run_playbook, main_pid, extra_vars, expected):
    before_files, pid = live_files(host), main_pid(host, "prometheus")
    flags_before = host.file("/etc/default/prometheus").content_string

    result = run_playbook("prometheus.yml", extra_vars)

    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert expected in output, output
    assert re.search(r"prometheus-pkg\s*: ok=\d+\s+changed=0", output), output
    assert live_files(host) == before_files
    assert host.file("/etc/default/prometheus").content_string == flags_before
    assert main_pid(host, "prometheus") == pid


def test_with_auth_the_lifecycle_api_refuses_strangers_and_the_role_still_reloads(host, run_playbook, main_pid):
    authed = f"curl -fsS -u operator:{WEB_PASSWORD} {API}"
    try:
        opened = run_playbook("prometheus.yml", WITH_AUTH)
        assert opened.returncode == 0, opened.stdout + opened.stderr
        assert WEB_PASSWORD not in opened.stdout + opened.stderr
        pid = main_pid(host, "prometheus")

        # A stranger on the network: 401 for /-/quit and a silence of the API alike.
        assert post_from_neighbour("/-/quit") == "401"
        assert post_from_neighbour("/-/reload") == "401"
        assert main_pid(host, "prometheus") == pid
        assert host.check_output(f"{authed}/-/ready")

        # The role's own reload goes through /-/reload with its credentials.
        loaded = float(re.search(r"^prometheus_config_last_reload_success_timestamp_seconds (\S+)$",
                                 host.check_output(f"{authed}/metrics"), re.M).group(1))
        changed = run_playbook("prometheus.yml", {**WITH_AUTH, "molecule_node_scrape_interval": "20s"})
        assert changed.returncode == 0, changed.stdout + changed.stderr
        reloaded = re.search(r"TASK \[[^\]]*reload over HTTP[^\]]*\]\s*\**\s*changed:", changed.stdout)
        assert reloaded, changed.stdout
        assert main_pid(host, "prometheus") == pid
        metrics = host.check_output(f"{authed}/metrics")
        assert re.search(r"^prometheus_config_last_reload_successful 1$", metrics, re.M)
        assert float(re.search(r"^prometheus_config_last_reload_success_timestamp_seconds (\S+)$",
                               metrics, re.M).group(1)) > loaded
    finally:
        restored = run_playbook("prometheus.yml")
        assert restored.returncode == 0, restored.stdout + restored.stderr
    assert post_from_neighbour("/-/quit") == "curl exit 7"
    assert host.check_output(f"curl -s -o /dev/null -w '%{{http_code}}' {API}/-/ready") == "200"


FLAGS_FILE = "/etc/default/prometheus"


def test_a_bad_flag_value_is_refused_by_the_installed_binary_before_it_goes_live(host, run_playbook, main_pid):
    # --version or --help would not notice: kingpin runs them before it checks values.
    before_files, flags, pid = live_files(host), host.file(FLAGS_FILE).content_string, main_pid(host, "prometheus")

    result = run_playbook("prometheus.yml", {"prometheus_extra_flags": ["--query.timeout=fortnightly"]})

    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert "the installed /usr/bin/prometheus does not start with the new flags" in output, output
    assert "not a valid duration string" in output and "fortnightly" in output, output  # the binary's own words
    assert host.file(FLAGS_FILE).content_string == flags
    assert live_files(host) == before_files
    assert main_pid(host, "prometheus") == pid
    assert metric(host, "prometheus_ready") == 1


def test_a_restart_that_fails_after_going_live_is_rolled_back(host, run_playbook, main_pid, wait_for, port_taken):
    # The flags are fine (the trial runs on a throwaway address), but the port is taken.
    with port_taken([host], 9199):
        flags, pid = host.file(FLAGS_FILE).content_string, main_pid(host, "prometheus")

        result = run_playbook("prometheus.yml", {"prometheus_web_listen_address": "127.0.0.1:9199"})

        output = " ".join((result.stdout + result.stderr).split())
        assert result.returncode != 0
        assert "prometheus on prometheus-pkg did not come up" in output, output
        assert "address already in use" in output, output  # the daemon's own log line
        assert f"The last good files were put back (put back {FLAGS_FILE}) and it runs again with them" in output
        assert host.file(FLAGS_FILE).content_string == flags
        assert "--web.listen-address=127.0.0.1:9090" in host.file(FLAGS_FILE).content_string
        assert main_pid(host, "prometheus") not in (0, pid)
        assert wait_for(lambda: host.run(f"curl -fsS {API}/-/ready").rc == 0, 60)
    restored = run_playbook("prometheus.yml")
    assert restored.returncode == 0, restored.stdout + restored.stderr
