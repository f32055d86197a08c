"""Converge benchmark: playbooks/site.yml on a fresh demo host, then again (the no-op run).

Records wall time, tasks executed (ok, which includes changed), tasks changed and
skipped for both runs, and appends them, with a description of the machine, to
bench/RESULTS-converge.md. It never touches the demo itself: the inventory of
inventories/local is copied with its host renamed to a throw-away container.

Run: make bench   (or: .venv/bin/python bench/converge.py [--keep])
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS-converge.md"
BENCH_HOST = "tradpal-bench"
RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)",
    re.M,
)


def bench_inventory(workdir):
    """inventories/local with every host renamed to the benchmark container."""
    target = workdir / "inventory"
    shutil.copytree(ROOT / "inventories" / "local", target)
    hosts = target / "hosts.yml"
    text = hosts.read_text(encoding="utf-8")
    names = set(re.findall(r"^\s+(tradpal-[\w-]+):\s*$", text, re.M))
    if len(names) != 1:
        sys.exit(f"bench expects one demo host in inventories/local, found {sorted(names)}")
    hosts.write_text(text.replace(names.pop(), BENCH_HOST), encoding="utf-8")
    return target


def env():
    result = os.environ.copy()
    result["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{result['PATH']}"
    result["ANSIBLE_COLLECTIONS_PATH"] = str(ROOT / ".build" / "collections")
    result["ANSIBLE_NOCOLOR"] = "1"
    return result


def playbook(inventory, path, log):
    started = time.monotonic()
    proc = subprocess.run(
        ["ansible-playbook", "-i", str(inventory), str(ROOT / path)],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode:
        sys.exit(f"{path} failed (rc={proc.returncode}); see {log}")
    recap = {
        m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"} for m in RECAP.finditer(proc.stdout)
    }
    return seconds, recap[BENCH_HOST]


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    core = subprocess.run(
        ["ansible", "--version"], env=env(), capture_output=True, text=True, check=True
    ).stdout.splitlines()[0]
    docker = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), {mem_kb // 1024 // 1024} GiB RAM, {core}, Docker {docker}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="leave the benchmark container running")
    args = parser.parse_args()
    image = os.environ.get("TRADPAL_IMAGE", "tradpal-molecule/debian:12")
    with tempfile.TemporaryDirectory(prefix="tradpal-bench-") as tmp:
        work = Path(tmp)
        inventory = bench_inventory(work)
        subprocess.run(["docker", "rm", "-f", BENCH_HOST], capture_output=True, check=False)
        try:
            playbook(inventory, "scripts/demo_up.yml", work / "up.log")
            first_s, first = playbook(inventory, "playbooks/site.yml", work / "first.log")
            noop_s, noop = playbook(inventory, "playbooks/site.yml", work / "noop.log")
        finally:
            if not args.keep:
                subprocess.run(["docker", "rm", "-f", BENCH_HOST], capture_output=True, check=False)
        groups = sorted(yaml.safe_load((inventory / "hosts.yml").read_text())["all"]["children"])

    rows = [("first converge (fresh host)", first_s, first), ("no-op re-run", noop_s, noop)]
    stamp = f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC"
    lines = [
        f"\n## {stamp} — site.yml, roles: {', '.join(groups)}",
        "",
        f"Machine: {machine()}; image {image}.",
        "",
        "| run | wall time | tasks executed (ok) | changed | skipped |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {name} | {s:.1f} s | {r['ok']} | {r['changed']} | {r['skipped']} |" for name, s, r in rows]
    verdict = "PASS" if noop["changed"] == 0 and noop["ok"] <= 60 else "FAIL"
    lines += ["", f"No-op target (≤ 60 tasks executed, changed=0): {verdict}.", ""]
    text = "\n".join(lines)
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Converge benchmark\n\nWritten by `make bench` (bench/converge.py): playbooks/site.yml applied to a "
            "fresh demo container, then again. Newest results last.\n",
            encoding="utf-8",
        )
    with RESULTS.open("a", encoding="utf-8") as stream:
        stream.write(text)
    print(text)
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
