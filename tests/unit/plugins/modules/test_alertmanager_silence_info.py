"""alertmanager_silence_info in-process, and the documentation of both modules against their argument specs."""

import importlib

import pytest
import yaml
from ansible.module_utils.testing import patch_module_args
from ansible_collections.tradpal.monitoring.plugins.doc_fragments._alertmanager import ModuleDocFragment
from ansible_collections.tradpal.monitoring.plugins.doc_fragments._http import ModuleDocFragment as HttpDocFragment
from ansible_collections.tradpal.monitoring.plugins.modules.alertmanager_silence_info import main

URL = 'http://alertmanager.invalid:9093'


def matchers(*pairs):
    return [{'name': n, 'value': v, 'isRegex': False, 'isEqual': True} for n, v in pairs]


@pytest.fixture
def filled(api):
    api.add('a', matchers(('job', 'api')), created_by='ops')
    api.add('p', matchers(('job', 'api'), ('env', 'prod')), created_by='ops', state='pending')
    api.add('e', matchers(('job', 'web')), created_by='ci', state='expired')
    return api


def ids(result):
    return [s['id'] for s in result['silences']]


def test_lists_everything_by_default(filled, run):
    result = run(main, {'url': URL})
    assert result['changed'] is False
    assert ids(result) == ['a', 'p', 'e']
    first = result['silences'][0]
    assert first == {'id': 'a', 'state': 'active', 'key': None, 'matchers': ['job="api"'], 'comment': 'window',
                     'created_by': 'ops', 'starts_at': '2000-01-01T00:00:00.000Z',
                     'ends_at': '2999-01-01T00:00:00.000Z', 'updated_at': '2000-01-01T00:00:00.000Z'}


def test_filters_by_state_and_creator(filled, run):
    assert ids(run(main, {'url': URL, 'state': ['active', 'pending']})) == ['a', 'p']
    assert ids(run(main, {'url': URL, 'state': ['expired']})) == ['e']
    assert ids(run(main, {'url': URL, 'created_by': 'ops', 'state': ['pending']})) == ['p']
    assert ids(run(main, {'url': URL, 'created_by': 'nobody'})) == []


def test_matchers_become_server_side_filters(filled, run):
    run(main, {'url': URL, 'matchers': ['job="api"', {'name': 'env', 'value': 'prod|test', 'is_regex': True}]})
    assert filled.requests[-1][2] == [('filter', 'job="api"'), ('filter', 'env=~"prod|test"')]


def test_a_bad_filter_fails_before_any_request(filled, run):
    result = run(main, {'url': URL, 'matchers': ['job']})
    assert result['failed'] is True
    assert 'cannot parse matcher' in result['msg']
    assert filled.requests == []


def test_by_id(filled, run):
    assert ids(run(main, {'url': URL, 'id': 'p'})) == ['p']
    assert ids(run(main, {'url': URL, 'id': 'p', 'state': ['active']})) == []
    assert ids(run(main, {'url': URL, 'id': 'missing'})) == []


def test_url_comes_from_the_environment(filled, run, monkeypatch):
    monkeypatch.setenv('ALERTMANAGER_URL', URL)
    assert ids(run(main, {})) == ['a', 'p', 'e']
    monkeypatch.delenv('ALERTMANAGER_URL')
    result = run(main, {})
    assert result['failed'] is True
    assert 'url' in result['msg']


def _documented(options):
    return {name: (spec.get('type', 'str'), spec.get('default'), spec.get('choices'), spec.get('elements'),
                   _documented(spec.get('suboptions', {})))
            for name, spec in options.items()}


def _specified(spec):
    return {name: (opt.get('type', 'str'), opt.get('default'), opt.get('choices'), opt.get('elements'),
                   _specified(opt.get('options') or {}))
            for name, opt in spec.items()}


@pytest.mark.parametrize(
    ('name', 'class_name'),
    [('alertmanager_silence', 'SilenceModule'), ('alertmanager_silence_info', 'SilenceInfoModule')],
)
def test_documentation_matches_the_argument_spec(name, class_name):
    module = importlib.import_module('ansible_collections.tradpal.monitoring.plugins.modules.%s' % name)
    with patch_module_args({'url': URL, 'silences': []} if name == 'alertmanager_silence' else {'url': URL}):
        argument_spec = getattr(module, class_name)().module.argument_spec
    docs = yaml.safe_load(module.DOCUMENTATION)
    fragments = docs['extends_documentation_fragment']
    assert fragments[:2] == ['tradpal.monitoring._alertmanager', 'tradpal.monitoring._http']
    options = dict(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'],
                   **yaml.safe_load(HttpDocFragment.DOCUMENTATION)['options'], **docs['options'])
    assert _documented(options) == _specified(argument_spec)
    assert docs['attributes']['check_mode']['support'] == 'full'
    assert yaml.safe_load(module.EXAMPLES)
    assert yaml.safe_load(module.RETURN)
