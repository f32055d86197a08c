"""Integration tests: every test here talks to a service the fixtures start (or names, see grafana/).

The modules run as Ansible runs them: run_module executes a module file in its own Python
process, run_playbook runs ansible-playbook.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / '.build' / 'collections'  # made by tests/conftest.py when missing
MODULES = REPO / 'plugins' / 'modules'
BIN = Path(sys.executable).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.integration)


def module_env(**extra):
    env = dict(os.environ, PYTHONPATH=str(COLLECTIONS), ANSIBLE_NOCOLOR='1')
    # The modules' environment fallbacks must not pick up the caller's settings.
    for api in ('ALERTMANAGER', 'GRAFANA'):
        for name in ('URL', 'USERNAME', 'PASSWORD', 'TOKEN', 'ORG_ID'):
            env.pop('%s_%s' % (api, name), None)
    env.update(extra)
    return env


@pytest.fixture
def run_module(tmp_path):
    """run_module(name, check=False, diff=False, env=None, **args): execute the module file, return its result.

    The module runs as Ansible runs it on a target: a separate Python process reading an
    ANSIBLE_MODULE_ARGS file, with the collection importable from .build/collections.
    """
    def run(name, check=False, diff=False, env=None, **args):
        args_file = tmp_path / ('args-%s.json' % uuid.uuid4().hex)
        args_file.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': dict(
            args, _ansible_check_mode=check, _ansible_diff=diff)}))
        done = subprocess.run([sys.executable, str(MODULES / ('%s.py' % name)), str(args_file)],
                              capture_output=True, text=True, env=module_env(**(env or {})), timeout=60,
                              check=False)
        try:
            return json.loads(done.stdout)
        except ValueError:
            pytest.fail('%s printed no JSON result (rc=%d):\n%s\n%s' % (
                name, done.returncode, done.stdout, done.stderr))
    return run


@pytest.fixture
def run_playbook(tmp_path):
    """run_playbook(playbook, extra_vars, env=None, inventory='localhost,'): returns the CompletedProcess.

    Every inventory host is reached with the local connection.
    """
    playbook_bin = BIN / 'ansible-playbook'
    if not playbook_bin.exists():
        pytest.fail('%s is missing; create the venv with scripts/setup.sh' % playbook_bin)

    def run(playbook, extra_vars=None, env=None, inventory='localhost,'):
        extra = tmp_path / ('vars-%s.json' % uuid.uuid4().hex)
        extra.write_text(json.dumps(extra_vars or {}))
        environment = module_env(
            ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_LOCALHOST_WARNING='false',
            ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
            ANSIBLE_RETRY_FILES_ENABLED='false',
            ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-tmp'),
            **(env or {}))
        environment.pop('PYTHONPATH')
        return subprocess.run([str(playbook_bin), '-i', inventory, '-c', 'local', '-e', '@%s' % extra,
                               str(playbook)], capture_output=True, text=True, cwd=tmp_path, env=environment,
                              timeout=120, check=False)
    return run
