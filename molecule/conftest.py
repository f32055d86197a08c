"""Helpers shared by the testinfra suites of every molecule scenario.

pytest loads this file for any test below molecule/, so scenarios import nothing: every
helper is a fixture (``run_playbook``, ``wait_for``, ``unit_properties``, ``main_pid``,
``port_taken``).
"""

import contextlib
import json
import os
import subprocess
import time
from pathlib import Path

import pytest


class PlaybookRun:
    """Run a playbook of the scenario against the scenario's own inventory."""

    def __init__(self, scenario_dir):
        self.scenario_dir = Path(scenario_dir)

    def __call__(self, playbook, extra_vars=None, *, check=False, diff=False, tags=(), skip_tags=()):
        command = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], str(self.scenario_dir / playbook)]
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if tags:
            command += ["--tags", ",".join(tags)]
        if skip_tags:
            command += ["--skip-tags", ",".join(skip_tags)]
        # The verifier's environment carries molecule's ANSIBLE_CONFIG and collections path.
        return subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ.copy())


@pytest.fixture(scope="module")
def run_playbook():
    """Run another playbook of this scenario (negative tests, re-converges with changes)."""
    return PlaybookRun(os.environ["MOLECULE_SCENARIO_DIRECTORY"])


def _poll(check, timeout=60, interval=1):
    """Call check() until it returns something truthy or timeout seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@pytest.fixture
def wait_for():
    """wait_for(check, timeout=60, interval=1): poll until check() is truthy and return that value
    (or the last falsy one when time runs out, for the assertion message). check() should answer
    falsy, not raise, while the awaited state is not there yet."""
    return _poll


def _unit_properties(host, unit, *names):
    """systemd's view of a unit as a dict: the named properties, or all of them."""
    selected = "".join(f" -p {name}" for name in names)
    shown = host.check_output(f"systemctl show {unit}{selected}")
    return dict(line.split("=", 1) for line in shown.splitlines() if "=" in line)


def _main_pid(host, unit):
    """The unit's main PID as systemd knows it (0 when it is not running)."""
    return int(_unit_properties(host, unit, "MainPID")["MainPID"])


@pytest.fixture(scope="session")
def unit_properties():
    """unit_properties(host, unit, *names): `systemctl show` as a dict, e.g. hardening settings."""
    return _unit_properties


@pytest.fixture(scope="session")
def main_pid():
    """main_pid(host, unit): the unit's main PID; the same PID after a run means no restart."""
    return _main_pid


@contextlib.contextmanager
def _port_taken(hosts, port, address="127.0.0.1"):
    """Another process (a plain HTTP server) holds address:port on every host while the block runs."""
    for host in hosts:
        host.run_expect([0], f"systemd-run --unit tradpal-squatter python3 -m http.server {port} --bind {address}")
    try:
        for host in hosts:
            assert _poll(lambda h=host: h.socket(f"tcp://{address}:{port}").is_listening, 15), host.backend.hostname
        yield
    finally:
        for host in hosts:
            host.run("systemctl stop tradpal-squatter")


@pytest.fixture(scope="session")
def port_taken():
    """with port_taken(hosts, port, address="127.0.0.1"): a port another process holds, e.g. for a
    restart that passes every check before it goes live and still fails."""
    return _port_taken
