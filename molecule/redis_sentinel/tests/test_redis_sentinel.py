"""Redis primary + 2 replicas, a Sentinel on each: replication, failover, and re-runs that
neither undo the failover nor disturb Sentinel's state."""

import os
import re
import time
from functools import partial

import pytest
import testinfra

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
NAMES = ["redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3"]
AUTH = "molecule-sentinel-redis-5b1d"
SENTINEL_AUTH = "molecule-sentinel-own-8c4e"
MASTER = "tradpal"
SENTINEL_SET_TASK = "Send the SENTINEL commands that make it match the inventory"

# Each test drives all three hosts itself, so it runs once.
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


def role(host):
    return re.search(r"^role:(\w+)", redis(host, "INFO replication"), re.M).group(1)


def in_sync(host):
    return "master_link_status:up" in redis(host, "INFO replication")


def has_value(host, key, value):
    return redis(host, f"GET {key}") == value


def current_master(host):
    return sentinel(host, f"SENTINEL get-master-addr-by-name {MASTER}").split()[0]


def sentinel_field(host, field):
    reply = sentinel(host, f"SENTINEL master {MASTER}").splitlines()
    return dict(zip(reply[::2], reply[1::2], strict=True))[field]


def wait_for(check, timeout, message):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except (AttributeError, IndexError, KeyError, ValueError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(message)
        time.sleep(1)


def changed_tasks(output):
    """Names of the tasks that reported a change in an ansible-playbook run."""
    return sorted({block.split("]")[0] for block in output.split("\nTASK [")[1:] if "\nchanged: [" in block})


def test_one_primary_two_replicas(hosts):
    assert role(hosts[NAMES[0]]) == "master"
    for name in NAMES[1:]:
        wait_for(partial(in_sync, hosts[name]), 30, f"{name} not in sync")
        assert role(hosts[name]) == "slave"
        assert "READONLY" in redis(hosts[name], "SET molecule:on-replica nope")


def test_writes_reach_both_replicas(hosts):
    assert redis(hosts[NAMES[0]], "SET molecule:replicated before-failover") == "OK"
    for name in NAMES[1:]:
        wait_for(partial(has_value, hosts[name], "molecule:replicated", "before-failover"), 10, f"{name} lacks the key")


def test_sentinels_agree_and_know_each_other(hosts, addresses):
    for name in NAMES:
        host = hosts[name]
        assert current_master(host) in (NAMES[0], addresses[NAMES[0]])
        wait_for(lambda h=host: sentinel_field(h, "num-other-sentinels") == "2", 30, f"{name}: Sentinels did not meet")
        wait_for(lambda h=host: sentinel_field(h, "num-slaves") == "2", 30, f"{name}: replicas not found")
        assert sentinel_field(host, "quorum") == "2"
    assert "NOAUTH" in hosts[NAMES[0]].run("redis-cli -p 26379 PING").stdout


def test_failover_sticks_across_a_rerun(hosts, addresses, run_playbook):
    old = NAMES[0]
    ids_before = {name: hosts[name].check_output("grep '^sentinel myid' /etc/redis/sentinel.conf") for name in NAMES}

    hosts[old].run_expect([0], "systemctl stop redis-server")
    started = time.monotonic()
    wait_for(lambda: current_master(hosts[NAMES[1]]) != addresses[old]
             and current_master(hosts[NAMES[1]]) != old, 30, "Sentinel did not fail over within 30 s")
    new_address = current_master(hosts[NAMES[1]])
    new = next(name for name, address in addresses.items() if address == new_address)
    wait_for(lambda: role(hosts[new]) == "master", 30 - (time.monotonic() - started), f"{new} not promoted in 30 s")

    # The old primary comes back and Sentinel turns it into a replica of the new one.
    hosts[old].run_expect([0], "systemctl start redis-server")
    wait_for(lambda: role(hosts[old]) == "slave", 30, f"{old} was not turned into a replica")

    result = run_playbook("converge.yml")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert changed_tasks(output) == [], output
    assert len(re.findall(r"^redis-sentinel-\d\s*:\s*ok=\d+\s+changed=0\s", output, re.M)) == 3, output

    for name in NAMES:
        assert current_master(hosts[name]) == new_address
        assert hosts[name].check_output("grep '^sentinel myid' /etc/redis/sentinel.conf") == ids_before[name]
        state = hosts[name].file("/etc/redis/sentinel.conf").content_string
        assert re.search(rf"^sentinel config-epoch {MASTER} [1-9]", state, re.M)
    assert role(hosts[new]) == "master"
    assert role(hosts[old]) == "slave"
    assert redis(hosts[new], "GET molecule:replicated") == "before-failover"


def test_declared_change_goes_through_sentinel_set(hosts, run_playbook):
    new_address = current_master(hosts[NAMES[0]])
    result = run_playbook("converge.yml", {"redis_sentinel_down_after_milliseconds": 4000})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert changed_tasks(output) == [f"tradpal.monitoring.redis : {SENTINEL_SET_TASK}"]
    for name in NAMES:
        assert sentinel_field(hosts[name], "down-after-milliseconds") == "4000"
        assert re.search(rf"^sentinel down-after-milliseconds {MASTER} 4000$",
                         hosts[name].file("/etc/redis/sentinel.conf").content_string, re.M)
        assert current_master(hosts[name]) == new_address
    assert "molecule-sentinel-redis-5b1d" not in output
