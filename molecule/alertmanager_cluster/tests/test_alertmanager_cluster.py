"""Three Alertmanagers from a verified release tarball form one gossip cluster: every
member sees all three, silences replicate within 15 s, two members carry on while the
third is stopped, and it rejoins (with what it missed) when started again."""

import json
import os
import re

import testinfra
import yaml
from testinfra.utils.ansible_runner import AnsibleRunner

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
MEMBERS = sorted(AnsibleRunner(INVENTORY).get_hosts("alertmanager"))
testinfra_hosts = MEMBERS

URL = "http://127.0.0.1:9093"
REPLICATION_SECONDS = 15


def members():
    return [testinfra.get_host(f"ansible://{name}", ansible_inventory=INVENTORY) for name in MEMBERS]


def address(member):
    return member.check_output("hostname -I").split()[0]


def status(member):
    return json.loads(member.check_output(f"curl -fsS {URL}/api/v2/status"))


def cluster_of(member, size):
    def settled():
        cluster = status(member)["cluster"]
        return cluster if cluster["status"] == "ready" and len(cluster["peers"]) == size else None

    return settled


def add_silence(member, alertname):
    return member.check_output(
        f"amtool --alertmanager.url={URL} silence add --duration=1h --author=molecule "
        f"--comment=replication alertname={alertname}"
    )


def has_silence(member, silence):
    return member.run(f"curl -fsS -o /dev/null {URL}/api/v2/silence/{silence}").rc == 0


def test_binaries_come_from_the_tarball(host):
    for binary in ["alertmanager", "amtool"]:
        installed = host.file(f"/usr/local/bin/{binary}")
        assert (installed.user, installed.mode) == ("root", 0o755)
    assert "alertmanager, version" in host.check_output("/usr/local/bin/alertmanager --version 2>&1")
    assert 'alertmanager.url: "http://127.0.0.1:9093"' in host.file("/etc/amtool/config.yml").content_string


def test_runs_hardened_as_the_dedicated_account(host, unit_properties, main_pid):
    service = host.service("alertmanager")
    assert service.is_running
    assert service.is_enabled
    assert host.check_output(f"ps -o user= -p {main_pid(host, 'alertmanager')}") == "alertmanager"
    props = unit_properties(host, "alertmanager", "ProtectSystem", "NoNewPrivileges", "ReadWritePaths")
    assert props == {"ProtectSystem": "strict", "NoNewPrivileges": "yes", "ReadWritePaths": "/var/lib/alertmanager"}


def test_flags_name_every_other_member(host, main_pid):
    pid = main_pid(host, "alertmanager")
    argv = host.check_output(f"tr '\\0' '\\n' < /proc/{pid}/cmdline").splitlines()
    own = address(host)
    others = {address(member) for member in members()} - {own}
    # Gossip on the member's own address, not on every address, and with mutual TLS.
    assert f"--cluster.listen-address={own}:9094" in argv
    assert "--cluster.tls-config=/etc/alertmanager/cluster_tls.yml" in argv
    assert f"--cluster.advertise-address={own}:9094" in argv
    assert {a.split("=", 1)[1] for a in argv if a.startswith("--cluster.peer=")} == {f"{ip}:9094" for ip in others}
    assert len(others) == 2
    assert "--cluster.reconnect-interval=5s" in argv


def test_every_member_is_ready_with_three_peers(host, wait_for):
    cluster = wait_for(cluster_of(host, 3), 60)
    assert cluster, status(host)["cluster"]
    assert len({peer["address"] for peer in cluster["peers"]}) == 3


def test_a_silence_reaches_every_member_within_15_seconds(wait_for):
    first, *others = members()
    silence = add_silence(first, "MoleculeReplication")
    try:
        for member in others:
            assert wait_for(lambda m=member: has_silence(m, silence), REPLICATION_SECONDS), address(member)
    finally:
        first.run(f"amtool --alertmanager.url={URL} silence expire {silence}")


def test_two_members_carry_on_without_the_third_which_rejoins(wait_for):
    one, two, three = members()
    three.run_expect([0], "systemctl stop alertmanager")
    try:
        assert wait_for(cluster_of(one, 2), 60), status(one)["cluster"]
        silence = add_silence(two, "MoleculeDegraded")
        assert wait_for(lambda: has_silence(one, silence), REPLICATION_SECONDS)
    finally:
        three.run_expect([0], "systemctl start alertmanager")
    for member in (one, two, three):
        assert wait_for(cluster_of(member, 3), 60), status(member)["cluster"]
    # The member that was away catches up with what it missed.
    assert wait_for(lambda: has_silence(three, silence), REPLICATION_SECONDS)
    two.run(f"amtool --alertmanager.url={URL} silence expire {silence}")


def test_a_bad_extra_flag_is_refused_before_the_unit_changes(run_playbook, main_pid):
    unit = "/etc/systemd/system/alertmanager.service"
    before = {m.check_output(f"sha256sum {unit}") for m in members()}
    pids = [main_pid(m, "alertmanager") for m in members()]
    result = run_playbook("converge.yml", {"alertmanager_extra_flags": ["--no-such-flag"]})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "alertmanager: error: unknown long flag" in output, output
    assert "--no-such-flag" in output
    assert {m.check_output(f"sha256sum {unit}") for m in members()} == before
    assert [main_pid(m, "alertmanager") for m in members()] == pids


def test_port_conflicts_are_refused_before_any_change(run_playbook, main_pid):
    unit = "/etc/systemd/system/alertmanager.service"
    before = {m.check_output(f"sha256sum {unit}") for m in members()}
    pids = [main_pid(m, "alertmanager") for m in members()]
    cases = [
        # Gossip on the web port: the second listener would fail, and the cluster with it.
        ({"alertmanager_cluster_port": 9093},
         "alertmanager_web_listen_address (127.0.0.1:9093) and alertmanager_cluster_port (9093) both use port 9093"),
        # Another service of the collection defined for the same hosts on the web port.
        ({"node_exporter_listen_address": "0.0.0.0:9093"},
         "alertmanager_web_listen_address (127.0.0.1:9093) and node_exporter_listen_address (0.0.0.0:9093) "
         "both use port 9093"),
    ]
    for extra_vars, message in cases:
        result = run_playbook("converge.yml", extra_vars)
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        assert message in output, output
        assert "Refuse wrong inputs and weak secrets before changing anything" in output
        assert re.findall(r"^alertmanager-cluster-\d\s*:.*\schanged=(\d+)\s", output, re.M) == ["0"] * 3, output
        assert {m.check_output(f"sha256sum {unit}") for m in members()} == before
        assert [main_pid(m, "alertmanager") for m in members()] == pids


def test_gossip_tls_config_is_mutual_and_not_world_readable(host):
    config = host.file("/etc/alertmanager/cluster_tls.yml")
    assert (config.user, config.group, config.mode) == ("root", "alertmanager", 0o640)
    parsed = yaml.safe_load(config.content_string)
    assert parsed["tls_server_config"]["client_auth_type"] == "RequireAndVerifyClientCert"
    assert parsed["tls_server_config"]["client_ca_file"] == "/etc/ssl/molecule-gossip/ca.pem"
    assert parsed["tls_client_config"]["server_name"] == "alertmanager-cluster"


def test_gossip_refuses_a_stranger_without_a_member_certificate(host):
    # Another machine of the network, here the next member, knocks without a certificate.
    stranger = next(member for member in members() if address(member) != address(host))
    reply = stranger.run(f"curl -sSk --max-time 10 -o /dev/null https://{address(host)}:9094/")
    assert reply.rc in (35, 56), (reply.rc, reply.stderr)  # TLS handshake refused: certificate required
    assert "certificate required" in reply.stderr or "alert" in reply.stderr, reply.stderr
    assert status(host)["cluster"]["status"] == "ready"


def test_missing_gossip_tls_files_are_refused_before_any_change(run_playbook, main_pid):
    unit = "/etc/systemd/system/alertmanager.service"
    before = {m.check_output(f"sha256sum {unit} /etc/alertmanager/cluster_tls.yml") for m in members()}
    pids = [main_pid(m, "alertmanager") for m in members()]
    missing = {"alertmanager_cluster_tls_key_file": "/etc/ssl/molecule-gossip/missing.pem"}
    result = run_playbook("converge.yml", missing)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert "the gossip TLS files must exist" in output, output
    assert "alertmanager_cluster_tls_key_file not found" in output, output
    assert {m.check_output(f"sha256sum {unit} /etc/alertmanager/cluster_tls.yml") for m in members()} == before
    assert [main_pid(m, "alertmanager") for m in members()] == pids


UNIT = "/etc/systemd/system/alertmanager.service"


def test_a_bad_flag_value_is_refused_before_any_member_changes(run_playbook, main_pid, wait_for):
    # A value only the running binary refuses (`alertmanager --cluster.reconnect-interval=soon
    # --version` succeeds): the trial start with the new flags fails, on every member, first.
    before = [m.check_output(f"sha256sum {UNIT}") for m in members()]
    pids = [main_pid(m, "alertmanager") for m in members()]

    result = run_playbook("converge.yml", {"alertmanager_extra_flags": ["--cluster.reconnect-interval=soon"]})

    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert 'invalid duration \\"soon\\"' in output or 'invalid duration "soon"' in output, output
    assert "does not start with the new flags" in output, output
    assert [m.check_output(f"sha256sum {UNIT}") for m in members()] == before
    assert [main_pid(m, "alertmanager") for m in members()] == pids
    for member in members():
        assert wait_for(cluster_of(member, 3), 30), status(member)["cluster"]


def test_members_restart_one_at_a_time_and_stop_at_the_first_failure(run_playbook, main_pid, wait_for, port_taken):
    # Flags every member accepts, but a gossip port another process holds: the first member's
    # restart fails and is rolled back; the others are not restarted at all.
    with port_taken(members(), 9199, "0.0.0.0"):  # noqa: S104 - where the gossip port listens
        before = [m.check_output(f"sha256sum {UNIT}") for m in members()]
        pids = {name: main_pid(m, "alertmanager") for name, m in zip(MEMBERS, members(), strict=True)}

        result = run_playbook("converge.yml", {"alertmanager_cluster_port": 9199})

        output = " ".join((result.stdout + result.stderr).split())
        assert result.returncode != 0
        # The failure is printed on stdout and stderr: one member, maybe twice.
        failed = sorted(set(re.findall(r"alertmanager on (alertmanager-cluster-\d) did not come up", output)))
        assert len(failed) == 1, output
        assert "address already in use" in output, output  # the daemon's own log line
        assert f"The last good files were put back (put back {UNIT}) and it runs again with them" in output
        others = [name for name in MEMBERS if name != failed[0]]
        for name in others:
            assert (f"alertmanager on {name} is not restarted: its members restart one at a time and stop at the "
                    f"first failure, and {failed[0]}") in output, output
        # Every unit is back to the last good one; only the failed member was restarted.
        assert [m.check_output(f"sha256sum {UNIT}") for m in members()] == before
        now = {name: main_pid(m, "alertmanager") for name, m in zip(MEMBERS, members(), strict=True)}
        assert [now[name] for name in others] == [pids[name] for name in others]
        assert now[failed[0]] not in (0, pids[failed[0]])
        for member in members():
            assert wait_for(cluster_of(member, 3), 60), status(member)["cluster"]
    # The members whose files were put back restart once more (their unit files are newer than
    # their processes), one at a time, and the cluster settles again.
    again = run_playbook("converge.yml")
    assert again.returncode == 0, again.stdout + again.stderr
    for member in members():
        assert wait_for(cluster_of(member, 3), 60), status(member)["cluster"]
