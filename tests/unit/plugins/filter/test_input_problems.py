"""input_problems: role inputs must have the shape meta/argument_specs.yml declares."""

from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.filter import input_problems as input_problems_plugin
from ansible_collections.tradpal.monitoring.plugins.filter.input_problems import input_problems

ROLES = Path(__file__).resolve().parents[4] / "roles"

SPEC = {
    "bind": {"type": "list", "elements": "str"},
    "ports": {"type": "list", "elements": "int"},
    "files": {"type": "list", "elements": "path"},
    "anything": {"type": "list"},
    "settings": {"type": "dict"},
    "password": {"type": "str", "no_log": True},
    "untyped": {},
    "port": {"type": "int"},
    "enabled": {"type": "bool"},
    "free": {"type": "raw"},
    "users": {
        "type": "list",
        "elements": "dict",
        "options": {
            "name": {"type": "str"},
            "groups": {"type": "list", "elements": "str"},
            "extra": {"type": "dict", "options": {"deep": {"type": "list"}}},
        },
    },
    "tls": {"type": "dict", "options": {"ca_files": {"type": "list", "elements": "path"}, "cert": {"type": "path"}}},
}


def test_right_shapes_pass():
    values = {
        "bind": ["127.0.0.1", "::1"],
        "ports": [1, "2"],
        "files": [],
        "anything": [[1], {"a": 1}, "x"],
        "settings": {"a": [1]},
        "password": "Kq7vXw2mBz9LpT4r",
        "untyped": "x",
        "port": "9090",
        "enabled": "yes",
        "free": [{"a": 1}],
        "users": [{"name": "app", "groups": ["a"], "extra": {"deep": "not checked, two levels down"}}],
        "tls": {"ca_files": ["/etc/ca.pem"], "cert": "/etc/cert.pem", "undeclared": [1]},
        "not_in_spec": "ignored",
    }
    assert input_problems(SPEC, values) == []


def test_names_missing_from_values_are_skipped():
    assert input_problems(SPEC, {}) == []


@pytest.mark.parametrize(
    ("values", "problems"),
    [
        ({"bind": "127.0.0.1"}, ["bind must be a list, got a string"]),
        ({"bind": {"127.0.0.1": True}}, ["bind must be a list, got a dict"]),
        ({"bind": None}, ["bind must be a list, got null"]),
        ({"bind": 6379}, ["bind must be a list, got an integer"]),
        ({"anything": "abc"}, ["anything must be a list, got a string"]),
        ({"settings": ["a=1"]}, ["settings must be a dict, got a list"]),
        ({"settings": "a=1"}, ["settings must be a dict, got a string"]),
        ({"password": ["Kq7vXw2mBz9LpT4r"]}, ["password must be a string, got a list"]),
        ({"untyped": {"a": 1}}, ["untyped must be a string, got a dict"]),
        ({"port": [9090]}, ["port must be an integer, got a list"]),
        ({"enabled": {}}, ["enabled must be a boolean, got a dict"]),
        (
            {"bind": ["127.0.0.1", ["::1"], {"a": 1}]},
            ["bind[1] must be a string, got a list", "bind[2] must be a string, got a dict"],
        ),
        ({"ports": [[9090]]}, ["ports[0] must be an integer, got a list"]),
        ({"files": [{"path": "/x"}]}, ["files[0] must be a path, got a dict"]),
        ({"users": "app"}, ["users must be a list, got a string"]),
        ({"users": {"name": "app"}}, ["users must be a list, got a dict"]),
        (
            {"users": ["app", {"name": "db"}, None]},
            ["users[0] must be a dict, got a string", "users[2] must be a dict, got null"],
        ),
        ({"users": [{"name": ["app"]}]}, ["users[0].name must be a string, got a list"]),
        ({"users": [{"groups": "admin"}]}, ["users[0].groups must be a list, got a string"]),
        ({"users": [{"groups": ["a", ["b"]]}]}, ["users[0].groups[1] must be a string, got a list"]),
        ({"users": [{"extra": "x"}]}, ["users[0].extra must be a dict, got a string"]),
        ({"tls": {"ca_files": "/etc/ca.pem"}}, ["tls.ca_files must be a list, got a string"]),
        ({"tls": {"cert": ["/a", "/b"]}}, ["tls.cert must be a path, got a list"]),
        ({"tls": "on"}, ["tls must be a dict, got a string"]),
    ],
)
def test_wrong_shapes(values, problems):
    assert input_problems(SPEC, values) == problems


def test_problems_follow_the_spec_order():
    values = {"tls": "on", "bind": "x", "settings": []}
    assert input_problems(SPEC, values) == [
        "bind must be a list, got a string",
        "settings must be a dict, got a list",
        "tls must be a dict, got a string",
    ]


def test_messages_never_show_the_value():
    value = "Kq7vXw2mBz9LpT4r"
    values = {"password": [value], "bind": value, "users": [value, {"name": {value: value}}]}
    problems = input_problems(SPEC, values)
    assert len(problems) == 4
    assert all(value not in problem for problem in problems)


def test_an_entry_point_without_options():
    assert input_problems(None, {"a": 1}) == []
    assert input_problems({}, {"a": 1}) == []


@pytest.mark.parametrize(
    ("spec", "values", "message"),
    [
        (["bind"], {}, "expects an argument spec's options, got a list"),
        (SPEC, ["bind"], "expects a dict of option name to value, got a list"),
        (SPEC, None, "expects a dict of option name to value, got null"),
    ],
)
def test_wrong_arguments(spec, values, message):
    with pytest.raises(AnsibleFilterError, match=message):
        input_problems(spec, values)


def load(path):
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream) or {}


ENTRY_POINTS = [
    (role.name, name, entry_point)
    for role in sorted(ROLES.iterdir())
    if (role / "meta" / "argument_specs.yml").is_file()
    for name, entry_point in load(role / "meta" / "argument_specs.yml")["argument_specs"].items()
]


def test_every_role_is_covered():
    assert {role for role, _name, _entry_point in ENTRY_POINTS} == {
        "alertmanager",
        "common",
        "grafana",
        "node_exporter",
        "prometheus",
        "redis",
        "redis_exporter",
    }


@pytest.mark.parametrize(
    ("role", "entry_point"),
    [(role, entry_point) for role, _name, entry_point in ENTRY_POINTS],
    ids=["%s:%s" % (role, name) for role, name, _entry_point in ENTRY_POINTS],
)
def test_role_defaults_have_their_declared_shape(role, entry_point):
    defaults = load(ROLES / role / "defaults" / "main.yml")
    options = entry_point.get("options") or {}
    assert input_problems(options, defaults) == []
    # Templated defaults ("{{ ... }}") stand only where a string is declared.
    templated = [name for name, value in defaults.items() if isinstance(value, str) and "{{" in value]
    assert [name for name in templated if options.get(name, {}).get("type") in ("list", "dict")] == []


@pytest.mark.parametrize(
    ("role", "entry_point"),
    [(role, entry_point) for role, _name, entry_point in ENTRY_POINTS],
    ids=["%s:%s" % (role, name) for role, name, _entry_point in ENTRY_POINTS],
)
def test_a_string_for_any_real_list_option_is_caught(role, entry_point):
    options = entry_point.get("options") or {}
    lists = [name for name, spec in options.items() if spec.get("type") == "list"]
    problems = input_problems(options, dict.fromkeys(lists, "oops"))
    assert problems == ["%s must be a list, got a string" % name for name in lists], role


def test_input_problems_is_registered():
    assert input_problems_plugin.FilterModule().filters()["input_problems"] is input_problems
