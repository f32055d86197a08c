"""Redis primary + 2 replicas, a Sentinel on each: replication, failover, and re-runs that
neither undo the failover nor disturb Sentinel's state."""

import os
import re
import time

import pytest
import testinfra

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
NAMES = ["redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3"]
AUTH = "molecule-sentinel-redis-5b1d"
SENTINEL_AUTH = "molecule-sentinel-own-8c4e"
MASTER = "tradpal"

# Each test drives all three hosts itself, so it runs once. No test relies on another's
# state: each finds the current primary itself (a failover may already have happened).
testinfra_hosts = [f"ansible://{NAMES[0]}?ansible_inventory={INVENTORY}"]


@pytest.fixture(scope="module")
def hosts():
    return {name: testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}") for name in NAMES}


@pytest.fixture(scope="module")
def addresses(hosts):
    first = hosts[NAMES[0]]
    return {name: first.check_output(f"getent hosts {name}").split()[0] for name in NAMES}


def redis(host, command):
    return host.run(f"REDISCLI_AUTH={AUTH} redis-cli --no-auth-warning {command}").stdout.strip()


def sentinel(host, command):
    return host.run(f"REDISCLI_AUTH={SENTINEL_AUTH} redis-cli --no-auth-warning -p 26379 {command}").stdout.strip()


# The probes below answer None (never raise) while a server is down or still deciding, so
# that the shared wait_for fixture can poll them.
def role(host):
    found = re.search(r"^role:(\w+)", redis(host, "INFO replication"), re.M)
    return found.group(1) if found else None


def in_sync(host):
    return "master_link_status:up" in redis(host, "INFO replication")


def current_master(host):
    """The primary's address as this Sentinel knows it (an IP address or a host name)."""
    reply = sentinel(host, f"SENTINEL get-master-addr-by-name {MASTER}").split()
    return reply[0] if reply else None


def sentinel_field(host, field):
    reply = sentinel(host, f"SENTINEL master {MASTER}").splitlines()
    return dict(zip(reply[::2], reply[1::2], strict=False)).get(field)


@pytest.fixture
def name_of(addresses):
    """name_of(address): the member Sentinel means by an address (or name)."""
    return lambda address: next((name for name, ip in addresses.items() if address in (name, ip)), None)


@pytest.fixture
def primary(hosts, name_of, wait_for):
    """The member that is primary now, as the first Sentinel and Redis itself agree."""
    name = wait_for(lambda: name_of(current_master(hosts[NAMES[0]])), 30)
    assert name, sentinel(hosts[NAMES[0]], f"SENTINEL master {MASTER}")
    assert wait_for(lambda: role(hosts[name]) == "master", 30), f"{name} is not a primary"
    return name


def changed_tasks(output):
    """Names of the tasks that reported a change in an ansible-playbook run."""
    return sorted({block.split("]")[0] for block in output.split("\nTASK [")[1:] if "\nchanged: [" in block})


def recap_changed(output):
    """changed=N of every host in the PLAY RECAP of an ansible-playbook run."""
    recap = re.findall(r"^(redis-sentinel-\d)\s*:\s*ok=\d+\s+changed=(\d+)\s", output, re.M)
    return {name: int(changed) for name, changed in recap}


def test_one_primary_two_replicas(hosts, primary, wait_for):
    # Until Sentinel's first failover (config-epoch 0) the primary is the one the inventory names.
    if sentinel_field(hosts[NAMES[0]], "config-epoch") == "0":
        assert primary == NAMES[0]
    for name in NAMES:
        if name != primary:
            assert wait_for(lambda h=hosts[name]: in_sync(h), 30), f"{name} not in sync"
            assert role(hosts[name]) == "slave"
            assert "READONLY" in redis(hosts[name], "SET molecule:on-replica nope")


def test_writes_reach_both_replicas(hosts, primary, wait_for):
    assert redis(hosts[primary], "SET molecule:replicated replicated") == "OK"
    for name in NAMES:
        if name != primary:
            assert wait_for(lambda h=hosts[name]: redis(h, "GET molecule:replicated") == "replicated", 10), name


def test_sentinels_agree_and_know_each_other(hosts, primary, name_of, wait_for):
    for name in NAMES:
        host = hosts[name]
        assert name_of(current_master(host)) == primary
        assert wait_for(lambda h=host: sentinel_field(h, "num-other-sentinels") == "2", 30), f"{name}: no peers"
        assert wait_for(lambda h=host: sentinel_field(h, "num-slaves") == "2", 30), f"{name}: replicas not found"
        assert sentinel_field(host, "quorum") == "2"
    assert "NOAUTH" in hosts[NAMES[0]].run("redis-cli -p 26379 PING").stdout


def test_failover_sticks_across_a_rerun(hosts, primary, name_of, run_playbook, wait_for):
    old = primary
    ids_before = {name: hosts[name].check_output("grep '^sentinel myid' /etc/redis/sentinel.conf") for name in NAMES}
    assert redis(hosts[old], "SET molecule:failover before-failover") == "OK"
    for name in NAMES:
        if name != old:
            assert wait_for(lambda h=hosts[name]: redis(h, "GET molecule:failover") == "before-failover", 10), name
    watcher = hosts[next(name for name in NAMES if name != old)]

    hosts[old].run_expect([0], "systemctl stop redis-server")
    started = time.monotonic()
    assert wait_for(lambda: name_of(current_master(watcher)) not in (None, old), 30), (
        "Sentinel did not fail over within 30 s"
    )
    new_address = current_master(watcher)
    new = name_of(new_address)
    assert wait_for(lambda: role(hosts[new]) == "master", 30 - (time.monotonic() - started)), (
        f"{new} not promoted in 30 s"
    )

    # The old primary comes back and Sentinel turns it into a replica of the new one.
    hosts[old].run_expect([0], "systemctl start redis-server")
    assert wait_for(lambda: role(hosts[old]) == "slave", 30), f"{old} was not turned into a replica"

    result = run_playbook("converge.yml")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert changed_tasks(output) == [], output
    assert recap_changed(output) == dict.fromkeys(NAMES, 0), output

    for name in NAMES:
        assert current_master(hosts[name]) == new_address
        assert hosts[name].check_output("grep '^sentinel myid' /etc/redis/sentinel.conf") == ids_before[name]
        state = hosts[name].file("/etc/redis/sentinel.conf").content_string
        assert re.search(rf"^sentinel config-epoch {MASTER} [1-9]", state, re.M)
    assert role(hosts[new]) == "master"
    assert role(hosts[old]) == "slave"
    assert redis(hosts[new], "GET molecule:failover") == "before-failover"


def test_declared_change_goes_through_sentinel_set(hosts, primary, name_of, run_playbook, main_pid):
    pids = {name: (main_pid(hosts[name], "redis-sentinel"), main_pid(hosts[name], "redis-server")) for name in NAMES}
    try:
        result = run_playbook("converge.yml", {"redis_sentinel_down_after_milliseconds": 4000})
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        # One change per host, applied to the running Sentinels: none of them (nor Redis)
        # restarted, yet each runs with the new setting and has written it to its own file.
        assert len(changed_tasks(output)) == 1, output
        assert recap_changed(output) == dict.fromkeys(NAMES, 1), output
        for name in NAMES:
            assert (main_pid(hosts[name], "redis-sentinel"), main_pid(hosts[name], "redis-server")) == pids[name]
            assert sentinel_field(hosts[name], "down-after-milliseconds") == "4000"
            assert re.search(rf"^sentinel down-after-milliseconds {MASTER} 4000$",
                             hosts[name].file("/etc/redis/sentinel.conf").content_string, re.M)
            assert name_of(current_master(hosts[name])) == primary
        assert AUTH not in output
    finally:
        restored = run_playbook("converge.yml")
        assert restored.returncode == 0, restored.stdout + restored.stderr
    for name in NAMES:
        assert sentinel_field(hosts[name], "down-after-milliseconds") == "3000"


@pytest.mark.parametrize("check", [True, False])
def test_the_sentinel_tag_runs_alone(hosts, run_playbook, check):
    # Its stage finds its own state (nothing registered by the configure stage).
    result = run_playbook("converge.yml", check=check, tags=["redis_sentinel"])
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert recap_changed(output) == dict.fromkeys(NAMES, 0), output


def test_a_declared_change_under_the_sentinel_tag_is_applied(hosts, run_playbook):
    try:
        result = run_playbook("converge.yml", {"redis_sentinel_parallel_syncs": 2}, tags=["redis_sentinel"])
        assert result.returncode == 0, result.stdout + result.stderr
        for name in NAMES:
            assert sentinel_field(hosts[name], "parallel-syncs") == "2"
    finally:
        restored = run_playbook("converge.yml")
        assert restored.returncode == 0, restored.stdout + restored.stderr
    for name in NAMES:
        assert sentinel_field(hosts[name], "parallel-syncs") == "1"


def test_a_new_sentinel_password_is_applied_and_sentinel_keeps_monitoring(hosts, primary, name_of, run_playbook,
                                                                          wait_for):
    """Sentinel's own password, changed after the first deploy: every Sentinel accepts only the new one,
    knows its peers with it, and still follows the same primary."""
    new_auth = "molecule-sentinel-rotated-3e7a"

    def ping(host, auth):
        return host.run(f"REDISCLI_AUTH={auth} redis-cli --no-auth-warning -p 26379 PING").stdout.strip()

    def field(host, name, auth):
        reply = host.run(f"REDISCLI_AUTH={auth} redis-cli --no-auth-warning -p 26379 SENTINEL master {MASTER}")
        lines = reply.stdout.strip().splitlines()
        return dict(zip(lines[::2], lines[1::2], strict=False)).get(name)

    try:
        result = run_playbook("converge.yml", {"redis_sentinel_password": new_auth})
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert new_auth not in output and SENTINEL_AUTH not in output
        for name in NAMES:
            host = hosts[name]
            assert ping(host, new_auth) == "PONG"
            # The old password is refused (redis-cli reports WRONGPASS on stderr, PING then gets NOAUTH).
            old = host.run(f"REDISCLI_AUTH={SENTINEL_AUTH} redis-cli --no-auth-warning -p 26379 PING")
            assert "PONG" not in old.stdout, old.stdout
            assert "WRONGPASS" in old.stdout + old.stderr or "NOAUTH" in old.stdout, old.stdout + old.stderr
            assert wait_for(lambda h=host: field(h, "num-other-sentinels", new_auth) == "2", 30), name
            assert wait_for(lambda h=host: field(h, "flags", new_auth) == "master", 30), name
            reply = host.run(f"REDISCLI_AUTH={new_auth} redis-cli --no-auth-warning -p 26379 "
                             f"SENTINEL get-master-addr-by-name {MASTER}").stdout.split()
            assert reply and name_of(reply[0]) == primary
            assert SENTINEL_AUTH not in host.file("/etc/redis/sentinel.conf").content_string
        # Applied once: the next run changes nothing.
        again = run_playbook("converge.yml", {"redis_sentinel_password": new_auth})
        assert again.returncode == 0, again.stdout + again.stderr
        assert recap_changed(again.stdout + again.stderr) == dict.fromkeys(NAMES, 0), again.stdout
    finally:
        restored = run_playbook("converge.yml")
        assert restored.returncode == 0, restored.stdout + restored.stderr
    for name in NAMES:
        assert ping(hosts[name], SENTINEL_AUTH) == "PONG"
        assert wait_for(lambda h=hosts[name]: sentinel_field(h, "num-other-sentinels") == "2", 30), name
