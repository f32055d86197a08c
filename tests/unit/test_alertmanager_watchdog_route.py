"""The Watchdog's route and receiver in the alertmanager.yml the role renders.

One ansible-playbook run renders the config of several input cases the way the role does
(its preflight, then its template, validated by ``amtool check-config``), on localhost;
``amtool config routes test`` then says where an alert goes. amtool comes from Debian's
``prometheus-alertmanager`` package (scripts/setup.sh installs it); set AMTOOL to use
another one. Without amtool these tests fail, they never skip.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEAD_MANS_SWITCH = "https://hc-ping.test/0f6c2d9e-unit-test-watchdog-uuid"

# One host per case, its inputs as host vars.
CASES = {
    # Nothing configured: the Watchdog goes to "watchdog", which has no integration.
    "unconfigured": {},
    "switch": {"alertmanager_watchdog_webhook_url": DEAD_MANS_SWITCH, "alertmanager_watchdog_repeat_interval": "2m"},
    # A route tree and receivers of the user's own: the Watchdog route still goes first.
    "own_tree": {
        "alertmanager_receivers": [{"name": "ops"}, {"name": "pager"}],
        "alertmanager_route": {
            "receiver": "ops",
            "group_interval": "5m",
            "routes": [{"matchers": ['alertname=~".+"'], "receiver": "pager"}],
        },
    },
    "tree_without_routes": {"alertmanager_receivers": [{"name": "ops"}], "alertmanager_route": {"receiver": "ops"}},
    "route_off": {"alertmanager_watchdog_route": False},
    # Refused by the preflight.
    "name_taken": {"alertmanager_receivers": [{"name": "ops"}, {"name": "watchdog"}]},
    "placeholder": {"alertmanager_watchdog_webhook_url": "https://hc-ping.example.com/your-check-uuid"},
}

PLAYBOOK = """
- name: Render alertmanager.yml as the role does, one host per case
  hosts: all
  gather_facts: false
  tasks:
    - name: The role's preflight, which also exposes its defaults and vars
      ansible.builtin.include_role:
        name: tradpal.monitoring.alertmanager
        tasks_from: preflight
        public: true

    - name: The role's template, checked like the role checks it
      ansible.builtin.template:
        src: "{{ repo }}/roles/alertmanager/templates/alertmanager.yml.j2"
        dest: "{{ out }}/{{ inventory_hostname }}.yml"
        mode: "0600"
        validate: "{{ amtool }} check-config %s"
      diff: false
"""


def _amtool():
    candidate = os.environ.get("AMTOOL") or shutil.which("amtool") or "/usr/bin/amtool"
    if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
        pytest.fail(
            f"amtool not found (tried $AMTOOL, PATH and /usr/bin/amtool; got {candidate!r}). "
            "Install Debian's prometheus-alertmanager package (scripts/setup.sh does).",
            pytrace=False,
        )
    return candidate


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, local_playbook):
    """(output of the run, case name to rendered config path) for every case."""
    amtool = _amtool()
    work = tmp_path_factory.mktemp("watchdog")
    out = work / "out"
    out.mkdir()
    inventory = {
        "all": {
            # No facts are gathered: the archive URL (which names the architecture) is not rendered here.
            "vars": {"alertmanager_archive_url": "file:///unused.tar.gz"},
            "hosts": {
                name: {**inputs, "ansible_connection": "local"} for name, inputs in CASES.items()
            },
        }
    }
    (work / "inventory.yml").write_text(yaml.safe_dump(inventory), encoding="utf-8")
    (work / "playbook.yml").write_text(PLAYBOOK, encoding="utf-8")
    done = local_playbook(work, "-i", "inventory.yml", "playbook.yml", "-e", f"repo={REPO} out={out} amtool={amtool}")
    return done.stdout + done.stderr, {name: out / f"{name}.yml" for name in CASES}


def route(amtool, config, *labels):
    """Receivers an alert with these labels goes to, by amtool."""
    result = subprocess.run(
        [amtool, "config", "routes", "test", f"--config.file={config}", *labels],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def receiver(config, name):
    return next(r for r in config["receivers"] if r["name"] == name)


@pytest.mark.parametrize("case", ["unconfigured", "switch", "own_tree", "tree_without_routes"])
def test_the_watchdog_goes_to_its_own_receiver_only(rendered, case):
    output, paths = rendered
    assert paths[case].is_file(), output
    amtool = _amtool()
    assert route(amtool, paths[case], "alertname=Watchdog", "severity=none") == "watchdog"
    # Ahead of every other route, whatever labels it carries.
    assert route(amtool, paths[case], "alertname=Watchdog", "severity=critical") == "watchdog"
    first = load(paths[case])["route"]["routes"][0]
    assert first["matchers"] == ['alertname="Watchdog"']
    assert (first["group_wait"], first["group_interval"], first["continue"]) == ("0s", "10s", False)


def test_other_alerts_keep_their_routes(rendered):
    _unused, paths = rendered
    amtool = _amtool()
    assert route(amtool, paths["unconfigured"], "alertname=Other", "severity=critical") == "critical-notifications"
    assert route(amtool, paths["unconfigured"], "alertname=Other", "severity=warning") == "email-notifications"
    assert route(amtool, paths["own_tree"], "alertname=Other") == "pager"
    assert route(amtool, paths["tree_without_routes"], "alertname=Other") == "ops"
    own = load(paths["own_tree"])["route"]
    assert own["group_interval"] == "5m"
    assert [r["receiver"] for r in own["routes"]] == ["watchdog", "pager"]


def test_without_a_switch_the_watchdog_is_dropped(rendered):
    config = load(rendered[1]["unconfigured"])
    assert receiver(config, "watchdog") == {"name": "watchdog", "webhook_configs": []}
    assert config["route"]["routes"][0]["repeat_interval"] == "1m"
    assert [r["name"] for r in config["receivers"]] == ["email-notifications", "critical-notifications", "watchdog"]


def test_the_switch_is_called_every_repeat_interval_and_never_resolved(rendered):
    config = load(rendered[1]["switch"])
    assert receiver(config, "watchdog")["webhook_configs"] == [{"url": DEAD_MANS_SWITCH, "send_resolved": False}]
    assert config["route"]["routes"][0]["repeat_interval"] == "2m"


def test_route_off_leaves_the_watchdog_to_the_users_tree(rendered):
    _unused, paths = rendered
    config = load(paths["route_off"])
    assert "watchdog" not in [r["name"] for r in config["receivers"]]
    assert route(_amtool(), paths["route_off"], "alertname=Watchdog", "severity=none") == "email-notifications"


def test_a_taken_name_and_a_placeholder_switch_are_refused(rendered):
    output, paths = rendered
    assert not paths["name_taken"].exists()
    assert not paths["placeholder"].exists()
    assert 'alertmanager_receivers: the receiver name "watchdog" belongs to the Watchdog route' in output, output
    assert "alertmanager_watchdog_webhook_url: is a placeholder" in output, output
    assert "your-check-uuid" not in output
    assert DEAD_MANS_SWITCH not in output
