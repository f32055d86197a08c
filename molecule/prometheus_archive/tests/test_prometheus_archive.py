"""Prometheus from a verified release tarball: own hardened unit, TLS and basic auth on
every endpoint (the self-scrape logs in), a route prefix, retention by time and size,
some shipped groups off, no Alertmanager, and changes reloaded by SIGHUP."""

import hashlib
import json
import os
import platform
import re
import tarfile
from pathlib import Path

import yaml
from testinfra.utils.ansible_runner import AnsibleRunner

testinfra_hosts = AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"]).get_hosts("prometheus")

BASE = "https://127.0.0.1:9090/prom"
CURL = "curl -sS --cacert /etc/ssl/prometheus-molecule/cert.pem"
CREDENTIALS = "grafana:molecule-grafana-password"
SHIPPED_RULES = Path(os.environ["MOLECULE_PROJECT_DIRECTORY"]) / "roles" / "prometheus" / "files" / "rules"


def api(host, path):
    return json.loads(host.check_output(f"{CURL} -f -u {CREDENTIALS} '{BASE}{path}'"))["data"]


def status(host, url, options=""):
    return host.check_output(f"{CURL} {options} -o /dev/null -w '%{{http_code}}' '{url}'")


def metric(host, name):
    """A value of Prometheus' own /metrics (behind TLS and basic auth, like every endpoint), as a float."""
    body = host.check_output(f"{CURL} -f -u {CREDENTIALS} '{BASE}/metrics'")
    match = re.search(rf"^{name} (\S+)$", body, re.M)
    assert match, f"{name} missing from {BASE}/metrics"
    return float(match.group(1))


def live_files(host):
    return host.check_output("find /etc/prometheus -type f | sort | xargs sha256sum")


def test_binaries_come_from_the_tarball_without_console_files(host):
    for name in ["prometheus", "promtool"]:
        binary = host.file(f"/usr/local/bin/{name}")
        assert (binary.user, binary.mode) == ("root", 0o755), name
    assert "prometheus, version" in host.check_output("/usr/local/bin/prometheus --version 2>&1")
    assert not host.package("prometheus").is_installed
    assert not host.file("/etc/prometheus/consoles").exists


def test_runs_as_its_account_under_a_hardened_unit(host, unit_properties):
    assert host.service("prometheus").is_enabled
    assert host.check_output("ps -o user= -C prometheus").split() == ["prometheus"]
    props = unit_properties(
        host, "prometheus", "FragmentPath", "ProtectSystem", "NoNewPrivileges", "PrivateTmp", "ProtectHome",
        "ReadWritePaths", "TimeoutStopUSec", "LimitNOFILE",
    )
    assert props == {
        "FragmentPath": "/etc/systemd/system/prometheus.service",
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "ReadWritePaths": "/var/lib/prometheus/metrics2",
        # Time to write the head block and close the TSDB (prometheus_stop_timeout), not 20s.
        "TimeoutStopUSec": "10min",
        "LimitNOFILE": "65536",
    }
    # The package method's drop-in would apply to this unit too: there is none.
    assert "tradpal-monitoring.conf" not in unit_properties(host, "prometheus", "DropInPaths")["DropInPaths"]
    unit = host.file("/etc/systemd/system/prometheus.service").content_string
    keys = [line.split("=", 1)[0] for line in unit.splitlines() if "=" in line and not line.startswith("#")]
    assert sorted(key for key in set(keys) if keys.count(key) > 1) == [], unit
    # Only the data directory is writable, and the TSDB is there.
    assert host.file("/var/lib/prometheus/metrics2/wal").is_directory
    assert host.file("/var/lib/prometheus/metrics2").user == "prometheus"


def test_every_endpoint_needs_the_password_and_tls(host):
    assert status(host, f"{BASE}/-/ready") == "401"
    assert status(host, f"{BASE}/api/v1/query?query=up", "-u grafana:wrong") == "401"
    assert status(host, f"{BASE}/-/ready", f"-u {CREDENTIALS}") == "200"
    assert status(host, f"{BASE}/-/ready", "-u ansible:molecule-ansible-password") == "200"
    # Plain HTTP, even with the right password, gets a TLS-level refusal (Go answers 400), never the API.
    assert status(host, "http://127.0.0.1:9090/prom/-/ready", f"-u {CREDENTIALS}") == "400"


def test_web_config_holds_hashes_not_passwords(host):
    web = host.file("/etc/prometheus/web.yml")
    assert (web.user, web.group, web.mode) == ("root", "prometheus", 0o640)
    assert "molecule-" not in web.content_string
    assert re.search(r'^  "grafana": "\$2[aby]\$', web.content_string, re.M)


def test_flags_from_variables_are_in_effect(host):
    flags = api(host, "/api/v1/status/flags")
    assert flags["storage.tsdb.retention.time"] == "12h"
    assert flags["storage.tsdb.retention.size"] == "1GiB"
    assert flags["web.external-url"] == "https://prometheus-archive:9090/prom/"
    assert flags["web.enable-lifecycle"] == "false"
    assert flags["query.max-concurrency"] == "7"


def test_self_scrape_logs_in_and_node_exporter_is_up(host, wait_for):
    def targets():
        active = api(host, "/api/v1/targets")["activeTargets"]
        healthy = {t["labels"]["job"]: t for t in active if t["health"] == "up"}
        return healthy if {"prometheus", "node"} <= healthy.keys() else None

    healthy = wait_for(targets, 60)
    assert healthy, api(host, "/api/v1/targets")
    assert healthy["prometheus"]["scrapeUrl"] == "https://127.0.0.1:9090/prom/metrics"


def test_disabled_groups_are_left_out(host):
    groups = {group["name"] for group in api(host, "/api/v1/rules")["groups"]}
    assert groups == {"alertmanager", "node", "prometheus", "tradpal_services", "watchdog"}
    shipped = {path.name.removesuffix(".rules.yml") for path in SHIPPED_RULES.glob("*.rules.yml")}
    assert shipped - groups == {"redis", "tradpal_trading"}
    assert sorted(host.file("/etc/prometheus/rules.d").listdir()) == sorted(f"{g}.rules.yml" for g in groups)


def test_no_alertmanager_group_means_no_alerting_section(host):
    config = yaml.safe_load(api(host, "/api/v1/status/config")["yaml"])
    assert not config.get("alerting", {}).get("alertmanagers")
    assert api(host, "/api/v1/alertmanagers")["activeAlertmanagers"] == []


def test_check_mode_diff_shows_no_credentials_and_changes_nothing(host, run_playbook):
    before = live_files(host)
    result = run_playbook("prometheus.yml", {"molecule_node_scrape_interval": "45s"}, check=True, diff=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The changed scrape interval is reported as a change...
    assert re.search(r"prometheus-archive\s+: ok=\d+\s+changed=[1-9]", result.stdout), result.stdout
    # ...without showing any credential, and nothing on the host changed.
    assert "molecule-ansible-password" not in output
    assert "molecule-grafana-password" not in output
    assert live_files(host) == before


def test_changes_are_reloaded_by_signal_without_restart(host, run_playbook, main_pid):
    pid = main_pid(host, "prometheus")
    loaded = metric(host, "prometheus_config_last_reload_success_timestamp_seconds")

    try:
        result = run_playbook("prometheus.yml", {"molecule_node_scrape_interval": "30s"})

        assert result.returncode == 0, result.stdout + result.stderr
        config = yaml.safe_load(api(host, "/api/v1/status/config")["yaml"])
        assert next(j for j in config["scrape_configs"] if j["job_name"] == "node")["scrape_interval"] == "30s"
        # The lifecycle API is off, so only the signal can have made it load the file; reloaded, not restarted.
        assert metric(host, "prometheus_config_last_reload_successful") == 1
        assert metric(host, "prometheus_config_last_reload_success_timestamp_seconds") > loaded
        assert main_pid(host, "prometheus") == pid
    finally:
        restored = run_playbook("prometheus.yml")
        assert restored.returncode == 0, restored.stdout + restored.stderr


def test_a_release_that_rejects_the_live_config_is_not_installed(host, run_playbook, main_pid, tmp_path):
    # A stand-in for a future release whose promtool refuses today's prometheus.yml, echoing
    # secrets the way promtool echoes URLs: pre-seeded in the controller's cache with a pinned
    # sha256, so nothing is downloaded.
    version = "9.9.9"
    arch = {"x86_64": "amd64", "aarch64": "arm64"}[platform.machine()]
    name = f"prometheus-{version}.linux-{arch}"
    tree = tmp_path / "tree" / name
    tree.mkdir(parents=True)
    (tree / "prometheus").write_text("#!/bin/sh\necho 'prometheus, version 9.9.9'\n")
    (tree / "promtool").write_text(
        "#!/bin/sh\necho \"FAILED: $4: remote_write url https://ansible:molecule-ansible-password@rw.example/w"
        " is unsupported by this release (molecule-grafana-password)\" >&2\nexit 1\n"
    )
    for binary in tree.iterdir():
        binary.chmod(0o755)
    cache = tmp_path / "cache"
    (cache / name).mkdir(parents=True)
    tarball = cache / name / f"{name}.tar.gz"
    with tarfile.open(tarball, "w:gz") as archive:
        archive.add(tree, arcname=name)
    before = host.check_output("sha256sum /usr/local/bin/prometheus /usr/local/bin/promtool")
    pid = main_pid(host, "prometheus")

    result = run_playbook(
        "prometheus.yml",
        {
            "prometheus_version": version,
            "prometheus_archive_url": f"http://127.0.0.1:9/{name}.tar.gz",
            "prometheus_archive_sha256": hashlib.sha256(tarball.read_bytes()).hexdigest(),
            "prometheus_archive_cache_dir": str(cache),
        },
    )

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"prometheus {version} refuses the live configuration /etc/prometheus/prometheus.yml" in output, output
    assert "is unsupported by this release" in output
    assert "https://********@rw.example/w" in output  # user and password both masked
    assert "molecule-ansible-password" not in output
    assert "molecule-grafana-password" not in output
    # The running release stays, nothing new is left beside it, and Prometheus never restarted.
    assert host.check_output("sha256sum /usr/local/bin/prometheus /usr/local/bin/promtool") == before
    assert host.run("ls -a /usr/local/bin | grep -c tradpal-new").stdout.strip() == "0"
    assert main_pid(host, "prometheus") == pid
    assert status(host, f"{BASE}/-/ready", f"-u {CREDENTIALS}") == "200"
