"""The collection builds into an artifact that installs offline and works from there."""

import os
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
    leaked = sorted(t for t in tops if t in {"tests", "molecule", ".venv", ".build", "bench", "scripts", ".git", ".ci"})
    assert leaked == []


def test_artifact_installs_offline_and_its_content_resolves(artifact, tmp_path):
    collections = tmp_path / "collections"
    # Only the throw-away path: the checkout (on ANSIBLE_COLLECTIONS_PATH in the test
    # runner) would otherwise count as "already installed".
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(collections)}
    _run(
        "ansible-galaxy", "collection", "install", "--offline", "-p", str(collections), str(artifact),
        cwd=tmp_path, env=env,
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
