"""Every optional role input lives in defaults/main.yml AND meta/argument_specs.yml, identically.

The argument spec is what validates users' input before a role changes anything, and
the defaults file is what actually applies; if the two drift apart, either a variable
escapes validation or the documented default is not the real one.
"""

from pathlib import Path

import pytest
import yaml

ROLES = sorted(p for p in (Path(__file__).resolve().parents[2] / "roles").iterdir() if (p / "defaults").is_dir())


def _load(path):
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream) or {}


def _spec_options(role):
    specs = _load(role / "meta" / "argument_specs.yml")["argument_specs"]
    options = {}
    for entry_point in specs.values():
        options.update(entry_point.get("options", {}))
    return options


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_defaults_and_argument_specs_name_the_same_inputs(role):
    defaults = _load(role / "defaults" / "main.yml")
    options = _spec_options(role)
    assert sorted(set(defaults) - set(options)) == [], "in defaults/main.yml but not in meta/argument_specs.yml"
    optional = {name for name, spec in options.items() if not spec.get("required")}
    assert sorted(optional - set(defaults)) == [], "optional in meta/argument_specs.yml but not in defaults/main.yml"
    required = set(options) - optional
    assert sorted(required & set(defaults)) == [], "required inputs must not have a default (it would defeat the check)"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_documented_defaults_are_the_real_defaults(role):
    defaults = _load(role / "defaults" / "main.yml")
    options = _spec_options(role)
    wrong = {
        name: (spec["default"], defaults[name])
        for name, spec in options.items()
        if "default" in spec and name in defaults and spec["default"] != defaults[name]
    }
    assert wrong == {}, "argument spec default differs from defaults/main.yml (spec, defaults)"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_every_option_is_typed_and_described(role):
    untyped = [
        name for name, spec in _spec_options(role).items() if "type" not in spec or not spec.get("description")
    ]
    assert untyped == []
