"""node_exporter from the distribution package: it runs as its own account, answers, and
honours its flags; bad collectors never go live, and a restart that fails is rolled back."""

import re

import pytest

METRICS = "http://127.0.0.1:9100/metrics"


def test_service_is_enabled_and_running(host):
    service = host.service("prometheus-node-exporter")
    assert service.is_running
    assert service.is_enabled


def test_runs_as_its_own_account_not_the_distributions_prometheus(host, unit_properties):
    # Debian's unit says User=prometheus, an account that can read prometheus.yml's secrets.
    users = host.check_output("ps -o user= -C prometheus-node").split()
    assert users == ["node-exporter"]
    assert "prometheus" not in host.user("node-exporter").groups
    props = unit_properties(host, "prometheus-node-exporter", "User", "Group", "ProtectHome", "PrivateTmp")
    assert props == {"User": "node-exporter", "Group": "node-exporter", "ProtectHome": "read-only", "PrivateTmp": "no"}


def test_metrics_answer_with_node_metrics(host):
    body = host.check_output(f"curl -fsS {METRICS}")
    assert re.search(r"^node_cpu_seconds_total\{", body, re.M)
    assert re.search(r"^node_memory_MemAvailable_bytes ", body, re.M)


def test_enabled_and_disabled_collectors_take_effect(host):
    body = host.check_output(f"curl -fsS {METRICS}")
    assert 'node_scrape_collector_success{collector="processes"} 1' in body
    assert 'collector="arp"' not in body


def test_collector_options_reach_the_collector(host):
    body = host.check_output(f"curl -fsS {METRICS}")
    mounts = set(re.findall(r'^node_filesystem_size_bytes\{[^}]*mountpoint="([^"]+)"', body, re.M))
    assert mounts, "the filesystem collector reports no mount at all"
    assert not any(re.match(r"^/(dev|proc|sys|run)($|/)", m) for m in mounts)


def test_textfile_collector_reads_its_directory(host):
    path = "/var/lib/prometheus/node-exporter/molecule_probe.prom"
    host.run_expect([0], f"printf 'tradpal_molecule_probe 42\\n' > {path}")
    try:
        body = host.check_output(f"curl -fsS {METRICS}")
        assert re.search(r"^tradpal_molecule_probe 42$", body, re.M)
    finally:
        host.run(f"rm -f {path}")


def test_wrong_input_fails_before_any_change(host, run_playbook, main_pid):
    pid_before = main_pid(host, "prometheus-node-exporter")
    result = run_playbook(
        "converge.yml", {"node_exporter_install_method": "tarball", "node_exporter_listen_address": ":9999"}
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "node_exporter_install_method must be one of: package, archive" in output, output
    assert "changed=0" in output
    assert main_pid(host, "prometheus-node-exporter") == pid_before
    assert "--web.listen-address=127.0.0.1:9100" in host.file("/etc/default/prometheus-node-exporter").content_string


def own_address(host):
    """The container's address on the scenario network (not loopback)."""
    return host.check_output("hostname -I").split()[0]


def test_listens_on_loopback_only_by_default(host):
    # Another machine of the network reaches the container's address: nothing answers there.
    reply = host.run(f"curl -sS -o /dev/null http://{own_address(host)}:9100/metrics")
    assert reply.rc == 7, reply.stdout + reply.stderr  # curl: connection refused
    assert host.run(f"curl -fsS -o /dev/null {METRICS}").rc == 0


@pytest.mark.parametrize("address", ["0.0.0.0:9100", ":9100", "[::]:9100"])
def test_an_open_listener_without_auth_is_refused_before_any_change(host, run_playbook, main_pid, address):
    pid_before = main_pid(host, "prometheus-node-exporter")
    flags_before = host.file("/etc/default/prometheus-node-exporter").content_string

    result = run_playbook("converge.yml", {"node_exporter_listen_address": address})

    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert f"node_exporter_listen_address ({address}) listens on every address without authentication" in output, output
    assert "node_exporter_allow_unauthenticated: true" in output
    assert "changed=0" in output
    assert host.file("/etc/default/prometheus-node-exporter").content_string == flags_before
    assert main_pid(host, "prometheus-node-exporter") == pid_before
    assert host.run(f"curl -fsS -o /dev/null {METRICS}").rc == 0


def test_the_explicit_opt_in_opens_the_listener(host, run_playbook):
    try:
        opt_in = {"node_exporter_listen_address": "0.0.0.0:9100", "node_exporter_allow_unauthenticated": True}
        result = run_playbook("converge.yml", opt_in)
        assert result.returncode == 0, result.stdout + result.stderr
        assert host.run(f"curl -fsS -o /dev/null http://{own_address(host)}:9100/metrics").rc == 0
    finally:
        restored = run_playbook("converge.yml")
        assert restored.returncode == 0, restored.stdout + restored.stderr
    assert host.run(f"curl -sS -o /dev/null http://{own_address(host)}:9100/metrics").rc == 7


FLAGS_FILE = "/etc/default/prometheus-node-exporter"


def live_files(host):
    return host.check_output(f"sha256sum {FLAGS_FILE} /etc/systemd/system/prometheus-node-exporter.service.d/*")


@pytest.mark.parametrize(
    "extra_vars, said",
    [
        # kingpin refuses a collector it does not have.
        ({"node_exporter_enabled_collectors": ["processes", "teleport"]}, "unknown long flag '--collector.teleport'"),
        # The collector itself refuses its option when it starts; --version would not notice.
        ({"node_exporter_collector_options": {"filesystem.mount-points-exclude": "^/(dev|proc"}},
         "missing closing )"),
    ],
    ids=["unknown-collector", "broken-collector-option"],
)
def test_a_bad_collector_is_refused_with_the_binarys_message(host, run_playbook, main_pid, extra_vars, said):
    before, pid = live_files(host), main_pid(host, "prometheus-node-exporter")
    result = run_playbook("converge.yml", extra_vars)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert "the installed /usr/bin/prometheus-node-exporter does not start with the new flags" in output, output
    assert said in output, output
    assert live_files(host) == before
    assert main_pid(host, "prometheus-node-exporter") == pid
    assert re.search(r"^node_cpu_seconds_total\{", host.check_output(f"curl -fsS {METRICS}"), re.M)


def test_a_restart_that_fails_after_going_live_is_rolled_back(host, run_playbook, main_pid, wait_for, port_taken):
    # The flags are fine (the trial runs on a throwaway address), but the port is taken.
    with port_taken([host], 9199):
        before, pid = live_files(host), main_pid(host, "prometheus-node-exporter")

        result = run_playbook("converge.yml", {"node_exporter_listen_address": "127.0.0.1:9199"})

        output = " ".join((result.stdout + result.stderr).split())
        assert result.returncode != 0
        assert "prometheus-node-exporter on node-exporter did not come up" in output, output
        assert "address already in use" in output, output  # the daemon's own log line
        assert f"The last good files were put back (put back {FLAGS_FILE}) and it runs again with them" in output
        assert live_files(host) == before
        assert main_pid(host, "prometheus-node-exporter") not in (0, pid)
        assert wait_for(lambda: host.run(f"curl -fsS {METRICS}").rc == 0, 30)
    again = run_playbook("converge.yml")
    assert again.returncode == 0, again.stdout + again.stderr
    assert re.search(r"node-exporter\s+: ok=\d+\s+changed=0\s", again.stdout), again.stdout
