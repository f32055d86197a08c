"""The collection builds into an artifact that installs offline and works from there."""

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# The ansible-galaxy/ansible-doc of the Python running the tests, not whatever PATH finds.
BIN = Path(sys.executable).parent
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))


def _run(tool, *args, cwd, env=None):
    command = [str(BIN / tool), *args]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    _run("ansible-galaxy", "collection", "build", "--output-path", str(out), str(ROOT), cwd=ROOT)
    path = out / f"{GALAXY['namespace']}-{GALAXY['name']}-{GALAXY['version']}.tar.gz"
    assert path.is_file()
    return path


def test_artifact_holds_the_content_and_nothing_of_the_workbench(artifact):
    with tarfile.open(artifact) as tar:
        names = tar.getnames()
    tops = {name.split("/", 1)[0] for name in names}
    assert {"roles", "plugins", "playbooks", "meta", "README.md"} <= tops
    assert "MANIFEST.json" in names
    assert "roles/node_exporter/tasks/main.yml" in names
    assert "roles/common/tasks/archive.yml" in names
    leaked = sorted(
        t for t in tops if t in {"tests", "molecule", ".venv", ".build", "bench", "scripts", "demo", ".git", ".ci"}
    )
    assert leaked == []


def test_artifact_installs_offline_and_its_content_resolves(artifact, tmp_path):
    collections = tmp_path / "collections"
    # Only the throw-away path: the checkout (on ANSIBLE_COLLECTIONS_PATH in the test
    # runner) would otherwise count as "already installed".
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(collections)}
    _run(
        "ansible-galaxy",
        "collection",
        "install",
        "--offline",
        "-p",
        str(collections),
        str(artifact),
        cwd=tmp_path,
        env=env,
    )
    installed = collections / "ansible_collections" / "tradpal" / "monitoring"
    assert (installed / "MANIFEST.json").is_file()

    listing = _run("ansible-galaxy", "collection", "list", "-p", str(collections), cwd=tmp_path, env=env)
    assert f"tradpal.monitoring {GALAXY['version']}" in " ".join(listing.split())
    # The installed copy (not this checkout) answers for the collection's plugins and roles.
    doc = _run("ansible-doc", "-t", "filter", "tradpal.monitoring.go_arch", cwd=tmp_path, env=env)
    assert "go_arch" in doc
    role_doc = _run("ansible-doc", "-t", "role", "tradpal.monitoring.node_exporter", cwd=tmp_path, env=env)
    assert "node_exporter_install_method" in role_doc


CONTAINER = "tradpal-galaxy-user"
IMAGE = os.environ.get("TRADPAL_IMAGE", "tradpal-molecule/debian:12")
# What systemd as PID 1 needs instead of --privileged (molecule/_shared/tasks/systemd_containers.yml).
SYSTEMD_RUN = [
    "--cgroupns", "host", "--cap-add", "SYS_ADMIN",
    "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
    "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp",  # noqa: S108 (the container's own /tmp)
    "--stop-signal", "SIGRTMIN+3",
]  # fmt: skip

USER_INVENTORY = f"""
all:
  vars:
    ansible_connection: community.docker.docker
    ansible_python_interpreter: /usr/bin/python3
    ansible_become: false
  children:
    node_exporter:
      hosts: {{{CONTAINER}: }}
    alertmanager:
      hosts: {{{CONTAINER}: }}
"""

# A user's own playbook: nothing but FQCN content of the installed collection.
USER_PLAYBOOK = """
- name: Package lists of the fresh machine
  hosts: all
  gather_facts: false
  tasks:
    - name: Refresh the package lists
      ansible.builtin.apt:
        update_cache: true
        cache_valid_time: 3600

- name: The TradPal monitoring stack
  ansible.builtin.import_playbook: tradpal.monitoring.site

- name: A maintenance silence with the collection's module
  hosts: alertmanager
  gather_facts: false
  tasks:
    - name: Silence the galaxy test's alerts
      tradpal.monitoring.alertmanager_silence:
        url: http://127.0.0.1:9093
        key: galaxy-user-project
        created_by: galaxy-test
        matchers: ['alertname="GalaxyUserProject"']
        comment: set from a project that installed the collection artifact
        ends_at: "2099-01-01T00:00:00Z"

    - name: Read it back
      tradpal.monitoring.alertmanager_silence_info:
        url: http://127.0.0.1:9093
        matchers: ['alertname="GalaxyUserProject"']
      register: found

    - name: Show what was found
      ansible.builtin.debug:
        msg: >-
          silences found: {{ found.silences | selectattr('state', 'equalto', 'active')
          | selectattr('key', 'equalto', 'galaxy-user-project') | list | length }}
"""


def _docker(*args, check=True):
    result = subprocess.run(["docker", *args], capture_output=True, text=True, check=False)
    assert not check or result.returncode == 0, f"docker {' '.join(args)}: {result.stderr}"
    return result


@pytest.fixture
def user_machine():
    """A fresh Debian container with systemd, reached with the docker connection."""
    _docker("rm", "-f", CONTAINER, check=False)
    _docker("run", "-d", "--name", CONTAINER, "--hostname", CONTAINER, *SYSTEMD_RUN, IMAGE, "/lib/systemd/systemd")
    try:
        state = ""
        for _attempt in range(30):
            state = _docker("exec", CONTAINER, "systemctl", "is-system-running", "--wait", check=False).stdout.strip()
            if state in {"running", "degraded"}:
                break
        assert state in {"running", "degraded"}, state
        yield CONTAINER
    finally:
        _docker("rm", "-f", CONTAINER, check=False)


def test_a_users_project_runs_the_installed_collection(artifact, tmp_path, user_machine):
    project = tmp_path / "project"
    collections = project / "collections"
    project.mkdir()
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(collections), "ANSIBLE_NOCOLOR": "1"}
    env.pop("ANSIBLE_ROLES_PATH", None)
    _run(
        "ansible-galaxy",
        "collection",
        "install",
        "--offline",
        "-p",
        str(collections),
        str(artifact),
        cwd=project,
        env=env,
    )
    (project / "inventory.yml").write_text(USER_INVENTORY)
    (project / "playbook.yml").write_text(USER_PLAYBOOK)

    first = _run("ansible-playbook", "-i", "inventory.yml", "playbook.yml", cwd=project, env=env)
    second = _run("ansible-playbook", "-i", "inventory.yml", "playbook.yml", cwd=project, env=env)

    # The installed copy is the only tradpal.monitoring this project can see, never this checkout.
    found = json.loads(
        _run("ansible-galaxy", "collection", "list", "tradpal.monitoring", "--format", "json", cwd=project, env=env)
    )
    assert list(found) == [str(collections / "ansible_collections")], found
    assert re.search(rf"{CONTAINER}\s+: ok=\d+\s+changed=[1-9]", first), first
    assert "silences found: 1" in second, second
    assert re.search(rf"{CONTAINER}\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0", second), second
    metrics = _docker("exec", user_machine, "curl", "-fsS", "http://127.0.0.1:9100/metrics").stdout
    assert re.search(r"^node_cpu_seconds_total\{", metrics, re.M)
    ready = _docker(
        "exec", user_machine, "curl", "-fsS", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:9093/-/ready"
    )
    assert ready.stdout == "200"
