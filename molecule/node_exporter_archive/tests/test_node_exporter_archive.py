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
    props = unit_properties(
        host, "node_exporter", "ProtectSystem", "NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices"
    )
    # /home and /tmp stay visible (read-only) to the exporter, so it reports the host's filesystems there.
    assert props == {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "ProtectHome": "read-only",
        "PrivateTmp": "no",
        "PrivateDevices": "yes",
    }
    unit = host.file("/etc/systemd/system/node_exporter.service").content_string
    keys = [line.split("=", 1)[0] for line in unit.splitlines() if "=" in line and not line.startswith("#")]
    assert sorted(key for key in set(keys) if keys.count(key) > 1) == [], unit


def filesystem_metric(host, name, mountpoint):
    """The exporter's value of name for the filesystem on mountpoint; None while it does not answer."""
    body = host.run(f"curl -fsS -u {CREDENTIALS} {METRICS}").stdout
    match = re.search(rf'^{name}{{[^}}]*mountpoint="{mountpoint}"[^}}]*}} (\S+)$', body, re.M)
    return float(match.group(1)) if match else None


def test_filesystem_metrics_are_the_hosts_home_and_tmp(host, wait_for):
    # ProtectHome=yes would hide a filesystem mounted on /home behind an empty stand-in, and
    # PrivateTmp=yes give the exporter its own /tmp: it must see the host's.
    host.run_expect([0], "mountpoint -q /home || mount -t tmpfs -o size=7m molecule-home /home")
    try:
        host.run_expect([0], "systemctl restart node_exporter")
        assert wait_for(lambda: filesystem_metric(host, "node_filesystem_size_bytes", "/home"), 30) == 7 * 1024 * 1024
        assert filesystem_metric(host, "node_filesystem_device_error", "/home") == 0
        tmp = "/tmp"  # noqa: S108 (the host's /tmp is what is measured, nothing is written there)
        tmp_size = int(host.check_output(f"df -B1 --output=size {tmp} | tail -1"))
        assert filesystem_metric(host, "node_filesystem_size_bytes", tmp) == tmp_size
        assert filesystem_metric(host, "node_filesystem_device_error", tmp) == 0
    finally:
        host.run("umount /home")


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


def test_plain_http_download_is_refused_without_the_opt_in(host, run_playbook, main_pid, tmp_path):
    before = host.check_output("sha256sum /usr/local/bin/node_exporter")
    pid_before = main_pid(host, "node_exporter")

    result = run_playbook(
        "tampered.yml", {"tampered_cache_dir": str(tmp_path), "node_exporter_archive_allow_http": False}
    )

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "node_exporter_archive_url, node_exporter_checksums_url download over plain http://" in output, output
    assert "set node_exporter_archive_allow_http: true" in output
    # Refused in the preflight: nothing was fetched, nothing on the host changed.
    assert list(tmp_path.iterdir()) == []
    assert host.check_output("sha256sum /usr/local/bin/node_exporter") == before
    assert main_pid(host, "node_exporter") == pid_before
