"""Stage tags, --check, and the service step that never loses a restart or a reload.

The stack (node_exporter, redis, redis_exporter, alertmanager, prometheus) is converged on
tags-stack; every test runs converge.yml again the way an operator would and asserts on what
the daemons themselves report.
"""

import json
import re

import pytest

testinfra_hosts = ["tags-stack"]

ROLES = ["node_exporter", "redis", "redis_exporter", "alertmanager", "prometheus"]
STAGES = ["preflight", "install", "configure", "service"]
REDIS_AUTH = "molecule-tags-redis-3c9d"


def recap(result, host="tags-stack"):
    """The PLAY RECAP counters of one host, as a dict of ints."""
    match = re.search(rf"^{re.escape(host)}\s*:\s*(.*)$", result.stdout, re.M)
    assert match, result.stdout + result.stderr
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}


def succeeded(result):
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return recap(result)


def prometheus_config(host):
    reply = json.loads(host.check_output("curl -fsS http://127.0.0.1:9090/api/v1/status/config"))
    return reply["data"]["yaml"]


def alertmanager_config(host):
    return json.loads(host.check_output("curl -fsS http://127.0.0.1:9093/api/v2/status"))["config"]["original"]


def cmdline(host, unit):
    """The command line the unit's main process runs now."""
    return host.check_output(f"tr '\\0' ' ' < /proc/$(systemctl show -p MainPID --value {unit})/cmdline")


# The tests below change configuration only: the configure and service stages of every role
# take the stack back to the declared default, without the install stage's package checks.
# Whether a run has anything left to do is still asked of a whole run.
AFTER_INSTALL = [f"{role}_{stage}" for role in ROLES for stage in ("configure", "service")]


@pytest.fixture
def restore(run_playbook):
    """For tests that change the stack: converge it back to the declared default afterwards."""
    yield
    succeeded(run_playbook("converge.yml", tags=AFTER_INSTALL))


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_tag_runs_alone_and_in_check_mode_without_changes(run_playbook, stage):
    tags = [f"{role}_{stage}" for role in ROLES]
    assert succeeded(run_playbook("converge.yml", check=True, tags=tags))["changed"] == 0
    # The configure stage's real run is the next test, with changes; the preflight stage
    # changes nothing by design and runs for real at the start of every other run.
    if stage not in ("configure", "preflight"):
        assert succeeded(run_playbook("converge.yml", tags=tags))["changed"] == 0


def test_a_configure_tag_run_makes_its_changes_live(host, run_playbook, restore, main_pid):
    changes = {
        "prometheus_external_labels": {"stage": "configure"},
        "alertmanager_resolve_timeout": "7m",
        "node_exporter_enabled_collectors": ["processes"],
        "redis_maxmemory": "64mb",
        "redis_exporter_extra_flags": ["--include-system-metrics"],
    }
    prometheus_pid = main_pid(host, "prometheus")
    alertmanager_pid = main_pid(host, "prometheus-alertmanager")

    counts = succeeded(run_playbook("converge.yml", changes, tags=[f"{role}_configure" for role in ROLES]))

    assert counts["changed"] > 0
    assert "stage: configure" in prometheus_config(host)
    assert "resolve_timeout: 7m" in alertmanager_config(host)
    assert "--collector.processes" in cmdline(host, "prometheus-node-exporter")
    assert "--include-system-metrics" in cmdline(host, "prometheus-redis-exporter")
    redis = host.run(f"REDISCLI_AUTH={REDIS_AUTH} redis-cli --no-auth-warning CONFIG GET maxmemory")
    assert redis.stdout.split() == ["maxmemory", "67108864"]
    # Configuration changes are reloads: the same processes run on.
    assert main_pid(host, "prometheus") == prometheus_pid
    assert main_pid(host, "prometheus-alertmanager") == alertmanager_pid
    # Nothing left to do for the next run (a whole one: no stage left a change behind).
    assert succeeded(run_playbook("converge.yml", changes))["changed"] == 0


def test_lost_restarts_and_reloads_are_made_by_the_next_run(host, run_playbook, restore, main_pid):
    """Lost to an interrupted run: --check reports them, the next run makes them."""
    changes = {
        "prometheus_external_labels": {"stage": "lost"},
        "alertmanager_resolve_timeout": "8m",
        "node_exporter_disabled_collectors": ["arp"],
    }
    pids = (main_pid(host, "prometheus"), main_pid(host, "prometheus-alertmanager"))
    stages = ["prometheus", "alertmanager", "node_exporter"]

    # The files are written, then the run stops before the service step (as a failure would).
    succeeded(run_playbook("converge.yml", changes, tags=[f"{role}_configure" for role in stages],
                           skip_tags=[f"{role}_service" for role in stages]))
    assert "stage: lost" in host.file("/etc/prometheus/prometheus.yml").content_string
    assert "stage: lost" not in prometheus_config(host)
    assert "resolve_timeout: 8m" not in alertmanager_config(host)
    assert "--no-collector.arp" not in cmdline(host, "prometheus-node-exporter")

    # --check has nothing to write and still reports the two reloads and the restart due.
    assert succeeded(run_playbook("converge.yml", changes, check=True))["changed"] == 3
    assert "stage: lost" not in prometheus_config(host)

    # The next real run has nothing to write either, and makes them.
    assert succeeded(run_playbook("converge.yml", changes))["changed"] == 3
    assert "stage: lost" in prometheus_config(host)
    assert "resolve_timeout: 8m" in alertmanager_config(host)
    assert "--no-collector.arp" in cmdline(host, "prometheus-node-exporter")
    assert (main_pid(host, "prometheus"), main_pid(host, "prometheus-alertmanager")) == pids

    assert succeeded(run_playbook("converge.yml", changes))["changed"] == 0


def test_a_service_that_does_not_come_up_fails_the_run_with_its_own_log(host, run_playbook, restore):
    dropin = "/etc/systemd/system/prometheus-node-exporter.service.d/zz-molecule-broken.conf"
    host.run_expect([0], f"mkdir -p {dropin.rsplit('/', 1)[0]} && printf '[Service]\\nExecStart=\\n"
                         f"ExecStart=/usr/bin/prometheus-node-exporter --no-such-flag\\n' > {dropin}")
    try:
        result = run_playbook("converge.yml")
        # ansible-core prints the failure's message unquoted on stderr; blanks normalised.
        output = " ".join((result.stdout + result.stderr).split())
        assert result.returncode != 0
        assert "prometheus-node-exporter on tags-stack did not come up" in output
        # A drop-in the role does not manage is not rolled back: the last good files come back,
        # and the failure says the service does not stay up with them either.
        assert "but it does not stay up with them either" in output
        # The daemon's own complaint, read from its journal.
        assert "no-such-flag" in output.split("Its last log lines", 1)[1]
    finally:
        host.run_expect([0], f"rm -f {dropin}")


# One case per kind, each through a whole playbook run: a weak secret (masked in the
# refusal), a placeholder (masked), a wrong shape. Every other variable and rule of the
# shared check is covered, faster, by tests/unit/test_role_weak_secrets.py.
@pytest.mark.parametrize(
    ("role", "changes", "message", "secret"),
    [
        ("node_exporter", {"node_exporter_basic_auth_users": {"prometheus": "Admin"}},
         "node_exporter_basic_auth_users.prometheus: is a well-known password", "Admin"),
        ("alertmanager", {"alertmanager_smtp_smarthost": "mail.tradpal.test:587",
                          "alertmanager_smtp_auth_username": "ops",
                          "alertmanager_smtp_auth_password": "<SMTP password>"},
         "alertmanager_smtp_auth_password: is a placeholder", "SMTP password"),
        ("prometheus", {"prometheus_retention_time": ["30d"]}, "prometheus_retention_time must be a string, got a list",
         None),
    ],
)
def test_weak_secrets_and_wrong_shapes_are_refused_before_any_change(run_playbook, role, changes, message, secret):
    # The preflight runs under the configure tag alone too.
    result = run_playbook("converge.yml", changes, tags=[f"{role}_configure"])
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert message in output, output[-3000:]
    if secret:
        assert secret not in output
    assert recap(result)["changed"] == 0
