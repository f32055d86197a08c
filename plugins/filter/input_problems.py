# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: input_problems
short_description: List role inputs whose shape differs from their argument spec
version_added: 0.1.0
description:
  - Ansible validates a role's inputs against C(meta/argument_specs.yml) but does not convert
    them - the role goes on with the value as given. What the check can convert passes it - a
    string or a number given for a list (the check splits a string on commas), a list or a dict
    given for a string - and the role then iterates the string letter by letter, or renders the
    list's Python text into a config file.
  - This filter checks the shape the spec declares. A C(type=list) option must be a list (not a
    string, not a dict, not null); its C(elements=dict) elements must be mappings, other elements
    (C(str), C(int), C(path), ...) single values rather than lists or dicts. A C(type=dict)
    option must be a mapping. A single-value option (C(str), C(int), C(bool), C(path), ...) must
    not be a list or a dict.
  - The C(options) of a dict option, or of the dict elements of a list option, are checked the
    same way, one level deep.
  - Messages name the option and the kind of value it got (C(a string), C(a dict)), never the
    value, which may be a secret.
options:
  _input:
    description: The C(options) of one entry point of C(meta/argument_specs.yml).
    type: dict
    required: true
  values:
    description: Option name to the value the role got; options missing here are skipped.
    type: dict
    required: true
positional: values
"""

EXAMPLES = r"""
- name: Refuse inputs of the wrong shape before changing anything
  ansible.builtin.assert:
    that: __problems | length == 0
    fail_msg: "redis: {{ __problems | join('; ') }}."
    quiet: true
  vars:
    __options: >-
      {{ (lookup('ansible.builtin.file', role_path ~ '/meta/argument_specs.yml') | from_yaml)
         .argument_specs.main.options }}
    __names: "{{ __options.keys() | list }}"
    __problems: >-
      {{ __options | tradpal.monitoring.input_problems(dict(__names | zip(query('ansible.builtin.vars', *__names)))) }}
"""

RETURN = r"""
_value:
  description:
    - One message a problem, in the order of the spec, for example C(redis_bind must be a list, got a string)
      or C(redis_acl_users[1] must be a dict, got a string); empty when every value has its declared shape.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._shapes import describe, is_list, is_mapping

# What each spec type must look like. Types not named here (raw, json, jsonarg) take anything.
_SINGLE_VALUES = {
    "str": "a string",
    "path": "a path",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "bytes": "a size",
    "bits": "a size",
}


def _shape_problem(label, wanted, value):
    """'<label> must be ..., got ...' when value lacks the shape wanted, else ''."""
    if wanted == "list":
        fits, name = is_list(value), "a list"
    elif wanted == "dict":
        fits, name = is_mapping(value), "a dict"
    elif wanted in _SINGLE_VALUES:
        # None stands for "not set" here; the role's own checks decide about it.
        fits, name = not (is_list(value) or is_mapping(value)), _SINGLE_VALUES[wanted]
    else:
        return ""
    return "" if fits else "%s must be %s, got %s" % (label, name, describe(value))


def _option_problems(label, spec, value, suboptions):
    """Problems of one option's value, and of its suboptions' when suboptions is True."""
    wanted = spec.get("type", "str")
    problem = _shape_problem(label, wanted, value)
    if problem:
        return [problem]
    problems = []
    elements = spec.get("elements")
    if wanted == "list" and elements:
        for index, element in enumerate(value):
            element_label = "%s[%d]" % (label, index)
            element_problem = _shape_problem(element_label, elements, element)
            if element_problem:
                problems.append(element_problem)
            elif elements == "dict" and suboptions:
                problems.extend(_suboption_problems(element_label, spec, element))
    elif wanted == "dict" and suboptions:
        problems.extend(_suboption_problems(label, spec, value))
    return problems


def _suboption_problems(label, spec, value):
    problems = []
    for name, subspec in (spec.get("options") or {}).items():
        if name in value:
            problems.extend(_option_problems("%s.%s" % (label, name), subspec or {}, value[name], False))
    return problems


def input_problems(spec_options, values):
    """Messages for the values whose shape differs from what spec_options declares."""
    if spec_options is None:
        return []
    if not is_mapping(spec_options):
        raise AnsibleFilterError("input_problems expects an argument spec's options, got %s" % describe(spec_options))
    if not is_mapping(values):
        raise AnsibleFilterError("input_problems expects a dict of option name to value, got %s" % describe(values))
    problems = []
    for name, spec in spec_options.items():
        if name in values:
            problems.extend(_option_problems(name, spec or {}, values[name], True))
    return problems


class FilterModule:
    """Shape checks of role inputs."""

    def filters(self):
        return {"input_problems": input_problems}
