#!/usr/bin/env bash
# One-command, idempotent set-up of everything the demo and the tests need on a
# fresh Debian machine without internet (PyPI and Debian's packages reachable):
#   1. Debian packages for host-side tests (promtool, amtool, alertmanager, debootstrap)
#   2. a Docker engine (reuse a running one, else Debian's docker.io + dockerd)
#   3. a pinned Python venv (.venv) from requirements-dev.txt
#   4. ansible-test's pip bootstrap stand-in (its download site is unreachable)
#   5. local systemd base images for Debian 12 and 13 (debootstrap + docker import)
#   6. the collection made visible at .build/collections/ansible_collections/tradpal/monitoring
# A second run only checks stamps and takes seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"
IMAGE_REPO="${TRADPAL_IMAGE_REPO:-tradpal-molecule/debian}"
# Debian release codename per image tag; the molecule base and the demo use these tags.
declare -A RELEASES=([12]=bookworm [13]=trixie)
IMAGES="${TRADPAL_IMAGES:-12 13}"

log() { printf '[setup] %s\n' "$*"; }
have_pkgs() { dpkg-query -W -f='${Status}\n' "$@" 2>/dev/null | grep -c '^install ok installed$' | grep -qx "$#"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  if have_pkgs "$@"; then return 0; fi
  log "installing Debian packages: $*"
  as_root apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

# 1. Host tools. promtool (prometheus) runs the rule and dashboard unit tests, prometheus-alertmanager
#    is the real server the module integration tests talk to, the exporters and redis-server
#    are the binaries tests/integration/test_dashboard_metrics.py starts, debootstrap builds images.
apt_install prometheus prometheus-alertmanager prometheus-node-exporter prometheus-redis-exporter redis-server debootstrap git make rsync shellcheck
# The Debian packages start their services; the tests start their own instances on
# other ports, so the host copies are stopped to keep 9090/9093 free for nothing surprising.
for unit in prometheus prometheus-alertmanager prometheus-node-exporter prometheus-redis-exporter redis-server; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$unit" 2>/dev/null; then
    as_root systemctl disable --now "$unit" >/dev/null 2>&1 || true
  fi
done

# 2. Docker engine.
docker_up() { docker info >/dev/null 2>&1; }
if ! docker_up; then
  if ! command -v dockerd >/dev/null; then
    apt_install docker.io
  fi
  if ! docker_up; then
    log "starting dockerd"
    as_root sh -c 'nohup dockerd >/var/log/tradpal-dockerd.log 2>&1 &'
    for _ in $(seq 1 60); do docker_up && break; sleep 1; done
    docker_up || { log "dockerd did not answer within 60 s; see /var/log/tradpal-dockerd.log"; exit 1; }
  fi
fi
log "docker engine: $(docker version --format '{{.Server.Version}}')"

# 3. Python venv, rebuilt only when requirements-dev.txt changes.
stamp="$VENV/.requirements.sha256"
want="$(sha256sum requirements-dev.txt | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "creating venv $VENV"
  python3 -m venv "$VENV"
  # pip warns about every index location this machine lists but lacks; keep real errors.
  "$VENV/bin/pip" install -q -r requirements-dev.txt 2> >(grep -v '^WARNING: Location' >&2)
  echo "$want" >"$stamp"
fi
# The whole output first: `| head -1` closes the pipe early and ansible prints a traceback.
ansible_version=$("$VENV/bin/ansible" --version)
log "venv: ${ansible_version%%$'\n'*}"

# 4. ansible-test downloads a get-pip script into its cache before creating sanity venvs.
#    The stand-in bootstraps pip with ensurepip in a subprocess (ensurepip blanks pip's
#    configuration for its own process) and then installs what ansible-test asked for.
pip_ver="$("$VENV/bin/python" - <<'PY'
import pathlib, re, ansible_test
src = pathlib.Path(ansible_test.__file__).parent / '_internal' / 'python_requirements.py'
print(re.search(r"pip='([0-9.]+)'", src.read_text()).group(1))
PY
)"
getpip="$HOME/.ansible/test/cache/get_pip_${pip_ver//./_}.py"
if [ ! -f "$getpip" ] || ! cmp -s scripts/get_pip_standin.py "$getpip"; then
  mkdir -p "$(dirname "$getpip")"
  cp scripts/get_pip_standin.py "$getpip"
  log "ansible-test pip bootstrap stand-in: $getpip"
fi

# 5. Base images: systemd as PID 1, python3 for Ansible, ss/ps/curl for testinfra.
build_image() {
  local tag="$1" suite="${RELEASES[$1]}" dir
  if docker image inspect "$IMAGE_REPO:$tag" >/dev/null 2>&1; then return 0; fi
  dir="$(mktemp -d /var/tmp/tradpal-rootfs.XXXXXX)"
  log "building $IMAGE_REPO:$tag from Debian $suite with debootstrap"
  # No mirror argument: debootstrap's own default mirror is used.
  as_root debootstrap --variant=minbase \
    --include=python3,python3-apt,systemd,systemd-sysv,iproute2,procps,curl,ca-certificates \
    "$suite" "$dir" >"$dir.log" 2>&1 || { tail -20 "$dir.log"; exit 1; }
  as_root rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  # No package lists in the image, and a lists directory that looks old, so apt's
  # cache_valid_time logic fetches them on first use, as on a fresh cloud image.
  as_root touch -d 2000-01-01 "$dir/var/lib/apt/lists"
  : | as_root tee "$dir/etc/machine-id" >/dev/null
  as_root tar -C "$dir" -c . | docker import \
    -c 'ENV container=docker' -c 'CMD ["/lib/systemd/systemd"]' \
    - "$IMAGE_REPO:$tag" >/dev/null
  as_root rm -rf "$dir" "$dir.log"
}
pids=()
for tag in $IMAGES; do build_image "$tag" & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid"; done
for tag in $IMAGES; do docker image inspect "$IMAGE_REPO:$tag" >/dev/null; done
log "base images: $(for t in $IMAGES; do printf '%s:%s ' "$IMAGE_REPO" "$t"; done)"

# 6. The collection as Ansible finds it (molecule, the demo and the integration tests
#    put .build/collections on ANSIBLE_COLLECTIONS_PATH).
link=".build/collections/ansible_collections/tradpal/monitoring"
if [ "$(readlink "$link" 2>/dev/null)" != "$ROOT" ]; then
  mkdir -p "$(dirname "$link")"
  ln -sfn "$ROOT" "$link"
fi
log "ready"
