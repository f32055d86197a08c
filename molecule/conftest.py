"""Helpers shared by the testinfra suites of every molecule scenario.

pytest loads this file for any test below molecule/, so scenarios import nothing.
"""

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
    """wait_for(check, timeout=60): poll until check() is truthy (replication, targets, ...)."""
    return _poll
