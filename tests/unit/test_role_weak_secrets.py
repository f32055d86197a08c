"""Weak secrets and wrong shapes, on every role, refused by the role's own preflight.

The secret inputs of each service role are read from its meta/argument_specs.yml (every
option with ``no_log``, at any depth), so a new secret variable is covered without touching
this file; its list inputs likewise. One ansible-playbook run on the controller gives each
case its own host: the role's preflight runs there with the case's inputs, and what it
answered (its failure message, or that it accepted) is written to a file per host.

Every case asserts: refused, the message names the variable and the reason, and the weak
value appears nowhere in the run's output. A baseline host per role, with strong values for
all of them, must be accepted, so a refusal is the weak value's doing.
"""

import json
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SERVICE_ROLES = ("prometheus", "alertmanager", "grafana", "node_exporter", "redis", "redis_exporter")

STRONG = "Kx9-vT4q-Lm2w-Rz7p"
STRONG_URL = "https://hooks.slack.com/services/T1A2B3C4/B5D6E7F8/aB3dE5gH7jK9mN1pQ3rS5tU7"
# Kinds of weakness: (value, words of the refusal) for a password and for a webhook URL.
# Each value is distinctive enough to be searched for in the output.
DOCS_WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
URL_WITH_LINE_BREAK = "https://hooks.slack.com/services/T9Z8Y7/B6X5W4/Sup3rT0kenValue\n"
WEAK = {
    "well_known": (("letmein", "well-known"), (DOCS_WEBHOOK, "example")),
    "short": (("Xq7#zr!", "shorter than"), (URL_WITH_LINE_BREAK, "line break")),
    "line_break": (("Tr0ub4dor-horse-battery\n", "line break"), (URL_WITH_LINE_BREAK, "line break")),
    "placeholder": (("<your secret>", "placeholder"), (DOCS_WEBHOOK, "example")),
    # Only checked for a required secret: an optional one left empty is not used.
    "empty": (("", "empty"), ("", "empty")),
}
# What a role needs before it checks a secret at all (a password is only checked with its
# user name; a Redis password only when set); kept on every host of the role.
CONTEXT = {
    "alertmanager": {"alertmanager_smtp_auth_username": "alerts@tradpal.test"},
    "grafana": {
        "grafana_metrics_username": "metrics",
        "grafana_prometheus_username": "grafana",
        "grafana_alertmanager_username": "grafana",
    },
}
# Secrets inside free-form dicts (no suboptions in the spec): path, and the dict around it.
FREE_FORM = {
    "grafana": {
        "grafana_database.password": {"type": "postgres", "host": "db.tradpal.test:5432", "user": "grafana"},
        "grafana_smtp.password": {"host": "smtp.tradpal.test:587", "user": "grafana", "from_address": "g@tradpal.test"},
    },
}
# A list given as one string: the mistake argument validation lets through.
LIST_AS_STRING = "10.0.0.5"


def _specs(role):
    spec = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    return spec["argument_specs"]["main"]["options"]


def _secret_paths(options, prefix=()):
    """(path, option spec, spec of the list around it or None) of every no_log option."""
    for name, option in options.items():
        path = (*prefix, name)
        if option.get("no_log"):
            yield path, option
        if option.get("options"):
            yield from _secret_paths(option["options"], path)


def _sample(options):
    """A value for every required suboption of a list-of-dicts element."""
    return {name: STRONG if o.get("no_log") else "s-" + name for name, o in options.items() if o.get("required")}


def _inputs(role, path, value):
    """The host vars that set the secret at path to value, with strong siblings."""
    options = _specs(role)
    top = options[path[0]]
    if len(path) == 1:
        return {path[0]: {"ops": value} if top["type"] == "dict" else value}
    element = _sample(top["options"]) | {path[1]: value}
    return {path[0]: [element]}


def _strong(role):
    """Every secret of the role set to a strong value."""
    inputs = dict(CONTEXT.get(role, {}))
    for path, _option in _secret_paths(_specs(role)):
        inputs |= _inputs(role, path, STRONG_URL if path[-1].endswith("_url") else STRONG)
    for path, around in FREE_FORM.get(role, {}).items():
        inputs[path.split(".")[0]] = around | {path.split(".")[1]: STRONG}
    if role == "redis":
        inputs["redis_sentinel_monitors"][0]["host"] = "127.0.0.1"
    return inputs


def _secrets(role):
    """(label, path, kind of value) of every secret of the role; label as the refusal names it."""
    options = _specs(role)
    found = []
    for path, option in _secret_paths(options):
        required = option.get("required") or (len(path) == 1 and options[path[0]].get("required"))
        kind = "url" if path[-1].endswith("_url") else "password"
        label = path[0] + (".ops" if options[path[0]]["type"] == "dict" else "")
        found.append((label, path, kind, required))
    for path in FREE_FORM.get(role, {}):
        found.append((path, tuple(path.split(".")), "free_form", False))
    return found


def _weak_inputs(role, value, url_value):
    """Every secret of the role set to the weak value (URLs to url_value)."""
    inputs = _strong(role)
    for _label, path, kind, _required in _secrets(role):
        if kind == "free_form":
            inputs[path[0]] = FREE_FORM[role][".".join(path)] | {path[1]: value}
        elif kind == "url":
            inputs |= _inputs(role, path, url_value)
        else:
            inputs |= _inputs(role, path, value)
    return inputs


def _cases():
    """One host per role and kind of weakness: host name -> (role, host vars).

    The preflight names every problem in one message, so one host checks all the role's
    secrets at once (or all its lists)."""
    cases = {}
    for role in SERVICE_ROLES:
        cases[f"{role}__baseline"] = (role, _strong(role))
        for kind, ((value, _reason), (url_value, _url_reason)) in WEAK.items():
            cases[f"{role}__{kind}"] = (role, _weak_inputs(role, value, url_value))
        lists = [name for name, option in _specs(role).items() if option.get("type") == "list"]
        cases[f"{role}__lists_as_strings"] = (role, _strong(role) | dict.fromkeys(lists, LIST_AS_STRING))
    return cases


def _checks():
    """(host, label, reason words, value that must not show) of every refusal expected."""
    checks = []
    for role in SERVICE_ROLES:
        for label, _path, kind, required in _secrets(role):
            for weak_kind, (password, url) in WEAK.items():
                if weak_kind != "empty" or required:
                    value, reason = url if kind == "url" else password
                    checks.append((f"{role}__{weak_kind}", label, reason, value))
        for name, option in _specs(role).items():
            if option.get("type") == "list":
                checks.append((f"{role}__lists_as_strings", name, "must be a list, got a string", None))
    return checks


CASES = _cases()
CHECKS = _checks()

PLAYBOOK = """
- name: Each role's preflight, one host per case
  hosts: all
  gather_facts: false
  tasks:
    - name: The role's preflight with the case's inputs
      block:
        - name: Facts (OS family, architecture) the roles' rules use
          ansible.builtin.setup:
            gather_subset: [min]
        - name: Preflight
          ansible.builtin.include_role:
            name: "tradpal.monitoring.{{ case_role }}"
            tasks_from: preflight
        - name: Accepted
          ansible.builtin.copy:
            content: ACCEPTED
            dest: "{{ out }}/{{ inventory_hostname }}"
            mode: "0600"
      rescue:
        - name: Refused
          ansible.builtin.copy:
            content: "REFUSED {{ ansible_failed_result.msg }}"
            dest: "{{ out }}/{{ inventory_hostname }}"
            mode: "0600"
"""


@pytest.fixture(scope="module")
def answers(tmp_path_factory, local_playbook):
    work = tmp_path_factory.mktemp("weak_secrets")
    out = work / "out"
    out.mkdir()
    hosts = {name: {**inputs, "case_role": role, "ansible_connection": "local"}
             for name, (role, inputs) in CASES.items()}
    (work / "inventory.yml").write_text(json.dumps({"all": {"hosts": hosts}}), encoding="utf-8")
    (work / "playbook.yml").write_text(PLAYBOOK, encoding="utf-8")
    done = local_playbook(work, "-i", "inventory.yml", "playbook.yml", "-f", "4", "-e", f"out={out}")
    output = done.stdout + done.stderr
    return output, {name: (out / name).read_text(encoding="utf-8") if (out / name).exists() else None for name in CASES}


def test_every_secret_variable_is_discovered():
    """Inputs named like secrets carry no_log in their spec, so the table finds them."""
    secretish = re.compile(r"password|secret_key|_token$|basic_auth_users|webhook_url|api_url|auth_pass")
    for role in SERVICE_ROLES:
        found = {path[-1] for path, _option in _secret_paths(_specs(role))}
        named = {n for n, o in _specs(role).items() if secretish.search(n) and o.get("type") in ("str", "dict")}
        assert named <= found, f"{role}: {sorted(named - found)} need no_log in meta/argument_specs.yml"


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_strong_secrets_are_accepted(answers, role):
    output, answer = answers
    assert answer[f"{role}__baseline"] == "ACCEPTED", answer[f"{role}__baseline"] or output[-3000:]


@pytest.mark.parametrize(("host", "label", "reason", "value"), CHECKS, ids=[f"{c[0]}:{c[1]}" for c in CHECKS])
def test_weak_secret_or_wrong_shape_is_refused_without_showing_it(answers, host, label, reason, value):
    output, answer = answers
    got = answer[host]
    assert got is not None, output[-3000:]
    assert got.startswith("REFUSED "), f"{host}: {got}"
    # The message lists every problem: "<role>: <label>: <reason>; <label>: <reason> ...",
    # or "<role>: <label> must be a list, got a string; ..."
    message = " ".join(got.split())
    named = re.compile(r"(^|\s)" + re.escape(label) + r"[.:\s]")
    assert any(named.search(part) and reason in part for part in message.split("; ")), message
    if value and value.strip():
        for shown in (value, value.strip()):
            assert shown not in output and shown not in got, f"{host}: the value of {label} is in the output"
