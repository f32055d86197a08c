"""node_exporter from a verified release tarball: hardened, own user, basic auth; a
tampered tarball is refused and leaves the running exporter alone."""

import os
import re

from testinfra.utils.ansible_runner import AnsibleRunner

testinfra_hosts = AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"]).get_hosts("node_exporter")

METRICS = "http://127.0.0.1:9100/metrics"
CREDENTIALS = "prometheus:molecule-node-exporter-password"


def test_binary_installed_from_the_tarball(host):
    binary = host.file("/usr/local/bin/node_exporter")
    assert binary.is_file
    assert binary.user == "root"
    assert binary.mode == 0o755
    assert "node_exporter, version" in host.check_output("/usr/local/bin/node_exporter --version 2>&1")


def test_service_runs_as_its_own_system_user(host):
    service = host.service("node_exporter")
    assert service.is_running
    assert service.is_enabled
    assert host.check_output("ps -o user= -C node_exporter").split() == ["node-exporter"]
    account = host.user("node-exporter")
    assert account.shell == "/usr/sbin/nologin"
    assert account.uid < 1000


def test_unit_hardening_is_in_effect(host, unit_properties):
    props = unit_properties(host, "node_exporter", "ProtectSystem", "NoNewPrivileges", "ProtectHome", "PrivateTmp")
    assert props == {"ProtectSystem": "strict", "NoNewPrivileges": "yes", "ProtectHome": "yes", "PrivateTmp": "yes"}


def test_metrics_need_the_password(host):
    anonymous = host.run(f"curl -s -o /dev/null -w '%{{http_code}}' {METRICS}")
    wrong = host.run(f"curl -s -o /dev/null -w '%{{http_code}}' -u prometheus:wrong {METRICS}")
    assert anonymous.stdout == "401"
    assert wrong.stdout == "401"
    body = host.check_output(f"curl -fsS -u {CREDENTIALS} {METRICS}")
    assert re.search(r"^node_cpu_seconds_total\{", body, re.M)


def test_web_config_holds_a_hash_not_the_password(host):
    web = host.file("/etc/node_exporter/web.yml")
    assert web.user == "root"
    assert web.group == "node-exporter"
    assert web.mode == 0o640
    assert "molecule-node-exporter-password" not in web.content_string
    assert re.search(r'^  "prometheus": "\$2b\$', web.content_string, re.M)


def test_tampered_tarball_is_refused_and_nothing_changes(host, run_playbook, main_pid, tmp_path):
    before = host.check_output("sha256sum /usr/local/bin/node_exporter")
    pid_before = main_pid(host, "node_exporter")

    result = run_playbook("tampered.yml", {"tampered_cache_dir": str(tmp_path)})

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "its sha256 does not match" in output, output
    assert "corrupt or tampered download" in output
    assert host.check_output("sha256sum /usr/local/bin/node_exporter") == before
    assert main_pid(host, "node_exporter") == pid_before
