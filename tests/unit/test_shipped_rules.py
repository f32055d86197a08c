"""Checks of the alert rules shipped by the prometheus role.

* ``promtool check rules`` on every file of roles/prometheus/files/rules;
* ``promtool test rules`` on every tests/rules/*.test.yml;
* every shipped alert has a firing and a not-firing promtool test case, so an
  alert added without tests fails the suite (the one exception: the always-firing
  alerts of ALWAYS_FIRING, whose expression is constant);
* conventions of the shipped files (header, one group per file, severity,
  annotations, documentation in docs/alert_rules.md).

promtool comes from Debian's ``prometheus`` package (/usr/bin/promtool); set
PROMTOOL to use another one. Without promtool these tests fail, they never skip.
"""

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "roles" / "prometheus" / "files" / "rules"
RULE_TESTS_DIR = REPO / "tests" / "rules"
ALERT_DOC = REPO / "docs" / "alert_rules.md"

RULE_FILES = sorted(p for p in RULES_DIR.iterdir() if p.is_file()) if RULES_DIR.is_dir() else []
TEST_FILES = sorted(RULE_TESTS_DIR.glob("*.test.yml"))

SEVERITIES = {"critical", "warning", "info"}
# Alerts that fire all the time, on purpose (a dead man's switch), by name and their exact
# expression. A constant expression cannot be tested not firing, so only these are exempt
# from the not-firing case, and only they carry severity "none" (the usual label of a
# Watchdog: no one is to be paged for it, and the default inhibit and severity routes
# never match it). The expression is pinned here, so an alert that can stop firing
# cannot hide behind the exemption, and nothing else can claim it without editing this.
ALWAYS_FIRING = {"Watchdog": "vector(1)"}
ALWAYS_FIRING_SEVERITY = "none"
PROMTOOL_TIMEOUT = 300


def _ids(paths):
    return [p.name for p in paths]


def _load(path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _alerting_rules(rule_file):
    """(group name, rule) for every alerting rule of a rule file."""
    return [
        (group["name"], rule)
        for group in _load(rule_file).get("groups") or []
        for rule in group.get("rules") or []
        if "alert" in rule
    ]


def _loaded_rule_files(test_file, test_doc):
    """Rule files a promtool test file loads: paths relative to the test file, globs allowed."""
    loaded = set()
    for pattern in test_doc.get("rule_files") or []:
        full = pattern if os.path.isabs(pattern) else str(test_file.parent / pattern)
        loaded.update(Path(p).resolve() for p in glob.glob(full))
    return loaded


def _alert_cases(test_file):
    """Yield (loaded rule files, alertname, exp_alerts) for every alert_rule_test of a test file."""
    doc = _load(test_file)
    loaded = _loaded_rule_files(test_file, doc)
    for test_group in doc.get("tests") or []:
        for case in test_group.get("alert_rule_test") or []:
            yield loaded, case.get("alertname"), case.get("exp_alerts") or []


def _severities(alertname):
    """Severities an alert may have: "none" for the always-firing ones and only for them."""
    return {ALWAYS_FIRING_SEVERITY} if alertname in ALWAYS_FIRING else SEVERITIES


def _run_promtool(promtool, *args, cwd=REPO):
    result = subprocess.run(
        [promtool, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=PROMTOOL_TIMEOUT,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def _promtool():
    """Path of promtool; a missing promtool fails the calling test, it is never skipped."""
    candidate = os.environ.get("PROMTOOL") or shutil.which("promtool") or "/usr/bin/promtool"
    if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
        pytest.fail(
            f"promtool not found (tried $PROMTOOL, PATH and /usr/bin/promtool; got {candidate!r}). "
            "Install Debian's prometheus package: apt-get install -y prometheus, "
            "then systemctl disable --now prometheus if it started.",
            pytrace=False,
        )
    return candidate


def test_rule_and_test_files_exist():
    assert RULE_FILES, f"no rule files in {RULES_DIR}"
    assert TEST_FILES, f"no promtool test files (*.test.yml) in {RULE_TESTS_DIR}"


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=_ids(RULE_FILES))
def test_promtool_check_rules(rule_file):
    returncode, output = _run_promtool(_promtool(), "check", "rules", str(rule_file))
    assert returncode == 0, output
    rule_count = sum(len(group.get("rules") or []) for group in _load(rule_file).get("groups") or [])
    assert f"SUCCESS: {rule_count} rules found" in output, output


@pytest.mark.parametrize("test_file", TEST_FILES, ids=_ids(TEST_FILES))
def test_promtool_test_rules(test_file):
    returncode, output = _run_promtool(_promtool(), "test", "rules", test_file.name, cwd=RULE_TESTS_DIR)
    assert returncode == 0, output
    assert "SUCCESS" in output, output


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=_ids(RULE_FILES))
def test_every_alert_has_firing_and_not_firing_case(rule_file):
    alerts = {rule["alert"] for _unused, rule in _alerting_rules(rule_file)}
    firing, not_firing = set(), set()
    for test_file in TEST_FILES:
        for loaded, alertname, exp_alerts in _alert_cases(test_file):
            if rule_file.resolve() not in loaded or alertname not in alerts:
                continue
            (firing if exp_alerts else not_firing).add(alertname)
    assert not alerts - firing, f"alerts without a firing test case in tests/rules: {sorted(alerts - firing)}"
    needs_not_firing = alerts - ALWAYS_FIRING.keys()
    assert not needs_not_firing - not_firing, (
        f"alerts without a not-firing test case in tests/rules: {sorted(needs_not_firing - not_firing)}"
    )
    # A not-firing case of an always-firing alert would be a test that cannot pass.
    assert not (alerts & ALWAYS_FIRING.keys()) & not_firing


def test_always_firing_alerts_are_shipped_and_constant():
    """The exemption list names shipped alerts only, each with its constant expression."""
    shipped = {rule["alert"]: rule for rule_file in RULE_FILES for _unused, rule in _alerting_rules(rule_file)}
    for name, expr in ALWAYS_FIRING.items():
        assert name in shipped, f"ALWAYS_FIRING names {name!r}, which no shipped rule file defines"
        rule = shipped[name]
        assert rule["expr"].strip() == expr, f"{name}: expression must stay {expr!r} to be exempt"
        assert rule["for"] in ("0m", "0s"), f"{name}: an always-firing alert fires at once (for: 0m)"
        assert rule["labels"]["severity"] == ALWAYS_FIRING_SEVERITY
    none_severity = {name for name, rule in shipped.items() if rule.get("labels", {}).get("severity") == "none"}
    assert none_severity <= ALWAYS_FIRING.keys(), f"severity none outside ALWAYS_FIRING: {sorted(none_severity)}"


@pytest.mark.parametrize("test_file", TEST_FILES, ids=_ids(TEST_FILES))
def test_test_cases_name_loaded_alerts_and_check_annotations(test_file):
    """A typo in alertname would make an empty exp_alerts pass for nothing."""
    doc = _load(test_file)
    loaded = _loaded_rule_files(test_file, doc)
    assert loaded, f"{test_file.name}: rule_files match no file"
    defined = {rule["alert"] for rule_file in loaded for _unused, rule in _alerting_rules(rule_file)}
    for _unused, alertname, exp_alerts in _alert_cases(test_file):
        assert alertname in defined, f"{test_file.name}: alert {alertname!r} is not defined in its rule_files"
        for expected in exp_alerts:
            labels = expected.get("exp_labels") or {}
            annotations = expected.get("exp_annotations") or {}
            assert labels.get("severity") in _severities(alertname), (
                f"{test_file.name}: {alertname}: exp_labels lacks severity"
            )
            assert {"summary", "description"} <= annotations.keys(), (
                f"{test_file.name}: {alertname}: exp_annotations must check summary and description"
            )


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=_ids(RULE_FILES))
def test_rule_file_conventions(rule_file):
    assert rule_file.name.endswith(".rules.yml"), "shipped rule files are named <group>.rules.yml"
    text = rule_file.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "---", "rule files start with ---"
    header = []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        header.append(line)
    assert any("tradpal.monitoring" in line for line in header), (
        "header comment must say the file is managed by tradpal.monitoring"
    )

    groups = _load(rule_file)["groups"]
    assert len(groups) == 1, "one rule group per file"
    assert groups[0]["name"] == rule_file.name.removesuffix(".rules.yml"), "file is named after its group"

    for _unused, rule in _alerting_rules(rule_file):
        name = rule["alert"]
        assert "for" in rule, f"{name}: set for: explicitly"
        assert rule.get("labels", {}).get("severity") in _severities(name), (
            f"{name}: severity must be one of {sorted(_severities(name))}"
        )
        annotations = rule.get("annotations") or {}
        assert annotations.get("summary", "").strip(), f"{name}: summary annotation missing"
        assert annotations.get("description", "").strip(), f"{name}: description annotation missing"
        assert "runbook_url" not in annotations, f"{name}: no runbook_url: there is no runbook to link to"


def test_group_and_alert_names_unique_and_documented():
    doc = ALERT_DOC.read_text(encoding="utf-8")
    groups, alerts = [], []
    for rule_file in RULE_FILES:
        groups.extend(group["name"] for group in _load(rule_file)["groups"])
        alerts.extend(rule["alert"] for _unused, rule in _alerting_rules(rule_file))
    assert len(groups) == len(set(groups)), f"duplicate group names: {groups}"
    assert len(alerts) == len(set(alerts)), f"duplicate alert names: {alerts}"
    undocumented = [name for name in groups + alerts if f"`{name}`" not in doc]
    assert not undocumented, f"not documented in {ALERT_DOC.relative_to(REPO)}: {undocumented}"
