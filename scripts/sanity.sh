#!/usr/bin/env bash
# ansible-test sanity, offline, with empty ignore files.
# ansible-test insists on running from .../ansible_collections/<ns>/<name> inside a git
# work tree, so the collection's files (tracked + new, not ignored) are copied into
# .build/sanity/ansible_collections/tradpal/monitoring and committed to a scratch repo.
# --venv: ansible-test builds its own venvs from PyPI (no container registry here);
# its pip bootstrap stand-in is installed by scripts/setup.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.build/sanity/ansible_collections/tradpal/monitoring"
PY="${SANITY_PYTHON:-$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')}"

rm -rf "$DEST"
mkdir -p "$DEST"
cd "$ROOT"
git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ "$DEST/"
cd "$DEST"
git init -q
git add -A
git -c user.name=sanity -c user.email=sanity@localhost commit -qm sanity
"$ROOT/.venv/bin/ansible-test" sanity --venv --python "$PY" --color no "$@"
