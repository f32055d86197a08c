"""Make the collection importable as ansible_collections.tradpal.monitoring for every test.

scripts/setup.sh links .build/collections/ansible_collections/tradpal/monitoring to this
checkout; a bare `pytest tests/...` on a fresh clone makes the link here.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COLLECTIONS = REPO / ".build" / "collections"
_LINK = COLLECTIONS / "ansible_collections" / "tradpal" / "monitoring"

if not _LINK.exists():
    _LINK.parent.mkdir(parents=True, exist_ok=True)
    _LINK.symlink_to(REPO)
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
