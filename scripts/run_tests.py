"""Run the test stages of tradpal.monitoring in order, stop at the first failure, and
print how long every stage (and every molecule scenario) took.

Usage: run_tests.py [STAGE ...]   (default: all stages, in this order)
Stages: lint sanity unit integration molecule
Environment:
  MOLECULE_JOBS      scenarios run at the same time (default 2)
  SCENARIOS          space-separated subset of molecule scenarios (default: all)
  TRADPAL_DISTRO     12 (default) or 13: the base image molecule uses
  TRADPAL_GRAFANA_PACKAGE  a real Grafana .deb or release .tar.gz: the grafana scenario
                     installs it and verifies the running Grafana too (see README)
"""

import concurrent.futures
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
LOGS = ROOT / ".build" / "logs"


def environment():
    env = os.environ.copy()
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env['PATH']}"
    env["VIRTUAL_ENV"] = str(ROOT / ".venv")
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".build" / "collections"))
    # A supplied Grafana: the grafana scenario skips nothing (its default skips the tasks
    # that need Grafana itself, which cannot be obtained on the project's machines).
    if env.get("TRADPAL_GRAFANA_PACKAGE"):
        env.setdefault("TRADPAL_GRAFANA_SKIP_TAGS", "")
    # Plain output in logs and CI.
    env.update({"NO_COLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_NOCOLOR": "1", "PY_COLORS": "0"})
    return env


def run(command, log=None):
    """Run a command from the repo root; return its exit code. Output goes to log or the console."""
    print(f"$ {' '.join(command)}", flush=True)
    if log is None:
        return subprocess.run(command, cwd=ROOT, env=environment(), check=False).returncode
    with log.open("w", encoding="utf-8") as stream:
        return subprocess.run(
            command, cwd=ROOT, env=environment(), stdout=stream, stderr=subprocess.STDOUT, check=False
        ).returncode


def run_all(*commands):
    for command in commands:
        code = run(command)
        if code:
            return code
    return 0


def stage_lint():
    return run_all(
        ["yamllint", "--strict", "."],
        ["ansible-lint", "--nocolor", "-f", "pep8"],
        ["ruff", "check", "plugins", "tests", "molecule", "scripts", "bench", "demo"],
    )


def stage_sanity():
    return run(["bash", "scripts/sanity.sh"])


def stage_unit():
    return run(["pytest", "-p", "no:cacheprovider", "tests/unit"])


def stage_integration():
    return run(["pytest", "-p", "no:cacheprovider", "tests/integration"])


# Seconds each scenario took in the last full run on 2 cores (2 at a time). Scenarios start
# longest first so that no long one is left to run alone at the end; one not listed here
# counts as the longest. Update after a full run (the stage prints every scenario's time).
LAST_SECONDS = {
    "stage_tags": 2000,
    "redis_sentinel": 800,
    "prometheus": 800,
    "grafana": 720,
    "alertmanager_cluster": 600,
    "prometheus_archive": 480,
    "alertmanager": 470,
    "redis": 330,
    "node_exporter": 320,
    "node_exporter_archive": 180,
}


def scenarios():
    wanted = os.environ.get("SCENARIOS", "").split()
    found = sorted(
        p.parent.name for p in (ROOT / "molecule").glob("*/molecule.yml") if not p.parent.name.startswith("_")
    )
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        sys.exit(f"unknown molecule scenario(s): {' '.join(unknown)}; known: {' '.join(found)}")
    chosen = [s for s in found if s in wanted] if wanted else found
    return sorted(chosen, key=lambda name: -LAST_SECONDS.get(name, float("inf")))


def one_scenario(name):
    started = time.monotonic()
    log = LOGS / f"molecule-{name}.log"
    code = run(["molecule", "test", "-s", name], log=log)
    return name, code, time.monotonic() - started, log


def stage_molecule():
    LOGS.mkdir(parents=True, exist_ok=True)
    names = scenarios()
    jobs = int(os.environ.get("MOLECULE_JOBS", "2"))
    print(f"molecule: {len(names)} scenario(s), {jobs} at a time, logs in {LOGS.relative_to(ROOT)}/", flush=True)
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        runs = [pool.submit(one_scenario, name) for name in names]
        for done in concurrent.futures.as_completed(runs):
            name, code, seconds, log = done.result()
            print(f"  scenario {name:<28} {'ok' if code == 0 else 'FAILED':<7} {seconds:7.1f} s", flush=True)
            if code:
                failed.append((name, log))
    for name, log in failed:
        print(f"\n===== last lines of {log.relative_to(ROOT)} ({name}) =====")
        print("\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-80:]))
    return 1 if failed else 0


STAGES = {
    "lint": stage_lint,
    "sanity": stage_sanity,
    "unit": stage_unit,
    "integration": stage_integration,
    "molecule": stage_molecule,
}


def main(argv):
    selected = argv or list(STAGES)
    unknown = [s for s in selected if s not in STAGES]
    if unknown:
        sys.exit(f"unknown stage(s): {' '.join(unknown)}; stages: {' '.join(STAGES)}")
    durations = []
    status = 0
    for name in selected:
        print(f"\n========== stage {name} ==========", flush=True)
        started = time.monotonic()
        status = STAGES[name]()
        durations.append((name, time.monotonic() - started, status))
        if status:
            break
    print("\n========== stage durations ==========")
    for name, seconds, code in durations:
        print(f"  {name:<12} {'ok' if code == 0 else 'FAILED':<7} {seconds:7.1f} s")
    print(f"  {'total':<12} {'ok' if status == 0 else 'FAILED':<7} {sum(d[1] for d in durations):7.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
