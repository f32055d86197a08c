"""Make the collection importable as ansible_collections.tradpal.monitoring for every test.

scripts/setup.sh links .build/collections/ansible_collections/tradpal/monitoring to this
checkout; a bare `pytest tests/...` on a fresh clone makes the link here.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COLLECTIONS = REPO / ".build" / "collections"
_LINK = COLLECTIONS / "ansible_collections" / "tradpal" / "monitoring"

if not _LINK.exists():
    _LINK.parent.mkdir(parents=True, exist_ok=True)
    _LINK.symlink_to(REPO)
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))


@pytest.fixture(scope="session")
def local_playbook():
    """local_playbook(workdir, *args): run ansible-playbook (the one next to this Python) in
    workdir with args, on the controller: this checkout as the collection, no ansible.cfg of
    the caller's (workdir/none.cfg does not exist), no colours. Returns the finished process."""

    def run(workdir, *args):
        env = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
            ANSIBLE_CONFIG=str(Path(workdir) / "none.cfg"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCALHOST_WARNING="0",
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        )
        return subprocess.run(
            [str(Path(sys.executable).parent / "ansible-playbook"), *args],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    return run
