"""Integration tests: every test here talks to a real service the fixtures start."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Ansible (ANSIBLE_COLLECTIONS_PATH) and Python (sys.path) find the collection below here.
COLLECTIONS = REPO / '.build' / 'collections'

_link = COLLECTIONS / 'ansible_collections' / 'tradpal' / 'monitoring'
if not _link.exists():
    _link.parent.mkdir(parents=True, exist_ok=True)
    _link.symlink_to(REPO)
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.integration)
