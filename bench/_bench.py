"""What the benchmarks share: loading test helpers by path, timed ansible-playbook runs, the machine's description."""

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COLLECTIONS = REPO / '.build' / 'collections'
BIN = Path(sys.executable).parent


def load(name, path):
    """A module of the repository by its path (the tests' helpers are not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def require_setup():
    if not (COLLECTIONS / 'ansible_collections' / 'tradpal' / 'monitoring').exists():
        sys.exit('run scripts/setup.sh first: %s is missing' % COLLECTIONS)


def one_task_play(task):
    """A play on localhost with the one task ``task`` (YAML indented for a task list item's keys), registered."""
    return ('- name: Benchmark\n  hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: Apply\n%s'
            '      register: applied\n' % task)


def playbook(workdir, name, play, variables, collections_path=None):
    """A callable that runs the one-task ``play`` with ``variables`` and returns seconds and the task's results."""
    path = workdir / ('%s.yml' % name)
    path.write_text(play)
    extra = workdir / ('%s-vars.json' % name)
    extra.write_text(json.dumps(variables))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path or str(COLLECTIONS),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_STDOUT_CALLBACK='ansible.builtin.json',
               ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_PIPELINING='true')

    def run():
        started = time.monotonic()
        done = subprocess.run([str(BIN / 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', '-e',
                               '@%s' % extra, str(path)], capture_output=True, text=True, env=env, cwd=workdir,
                              check=False)
        seconds = time.monotonic() - started
        if done.returncode != 0:
            sys.exit('%s failed:\n%s\n%s' % (name, done.stdout[-3000:], done.stderr[-3000:]))
        (task,) = json.loads(done.stdout)['plays'][0]['tasks']
        result = task['hosts']['localhost']
        per_call = result.get('results', [result])
        return {'seconds': seconds, 'changed': result['changed'], 'calls': len(per_call), 'per_call': per_call}
    return run


def machine():
    """CPU count and model, RAM, ansible-core and Python versions, load average now."""
    cpu = next((line.split(':', 1)[1].strip() for line in Path('/proc/cpuinfo').read_text().splitlines()
                if line.startswith('model name')), platform.processor())
    mem_kib = int(next(line.split()[1] for line in Path('/proc/meminfo').read_text().splitlines()
                       if line.startswith('MemTotal')))
    core = subprocess.run([str(BIN / 'ansible'), '--version'], capture_output=True, text=True, check=True)
    return {
        'nproc': os.cpu_count(),
        'cpu': cpu,
        'ram': '%.1f GiB' % (mem_kib / 1024 / 1024),
        'ansible': core.stdout.splitlines()[0],
        'python': platform.python_version(),
        'load': '%.2f %.2f %.2f' % os.getloadavg(),
    }


def publish(report, results, write):
    """Print the report; with ``write``, also record it in the results file."""
    print(report)
    if write:
        results.write_text(report)
        print('written to %s' % results.relative_to(REPO))


def options(doc, count, what, results):
    """The command line every benchmark takes: --count and --write; checks the setup first."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument('--count', type=int, default=count, help='%s (default %d)' % (what, count))
    parser.add_argument('--write', action='store_true', help='record the results in %s' % results.name)
    parsed = parser.parse_args()
    require_setup()
    return parsed
