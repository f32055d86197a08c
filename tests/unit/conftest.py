"""Make the collection importable as ansible_collections.tradpal.monitoring for unit tests."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / '.build' / 'collections'
_LINK = COLLECTIONS / 'ansible_collections' / 'tradpal' / 'monitoring'

if not _LINK.exists():
    # scripts/setup.sh makes this link; a bare `pytest tests/unit` on a fresh clone makes it here.
    _LINK.parent.mkdir(parents=True, exist_ok=True)
    _LINK.symlink_to(REPO)
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
