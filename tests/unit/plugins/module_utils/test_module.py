"""The module base of module_utils/_module.py, with a made-up API (no network)."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.tradpal.monitoring.plugins.module_utils._http import HttpApiError
from ansible_collections.tradpal.monitoring.plugins.module_utils._module import (
    ApiModule,
    Connection,
    InputError,
    merge_module_kwargs,
)


class Client:
    def __init__(self, params):
        self.params = params
        self.request_count = 0

    def get(self, status=None):
        self.request_count += 1
        if status:
            raise HttpApiError('GET http://api/x failed: HTTP %d' % status, 'GET', 'http://api/x', status=status)
        return 'thing'


EXAMPLE = Connection(
    argument_spec=dict(url=dict(type='str', required=True), user=dict(type='str'), token=dict(type='str', no_log=True)),
    client=Client,
    mutually_exclusive=[('user', 'token')],
)


class ExampleModule(ApiModule):
    connection = EXAMPLE

    def __init__(self, work):
        super().__init__(
            argument_spec=dict(name=dict(type='str'), fail_with=dict(type='int'), bad=dict(type='bool')),
            mutually_exclusive=[('name', 'bad')],
        )
        self.work = work
        self.done = []

    def execute(self):
        return self.work(self)

    def partial_result(self):
        return dict(done=self.done) if self.done else {}


def run(work, capsys, **params):
    with patch_module_args(dict(params, url='http://api')), pytest.raises(SystemExit):
        ExampleModule(work).run()
    return json.loads(capsys.readouterr().out)


def test_merge_module_kwargs_joins_lists_and_dicts():
    merged = merge_module_kwargs(dict(mutually_exclusive=[('a', 'b')], required_by={'k': 'c'}),
                                 dict(mutually_exclusive=[('c', 'd')], required_by={'x': 'y'}, required_if=[]))
    assert merged == dict(mutually_exclusive=[('a', 'b'), ('c', 'd')], required_by={'k': 'c', 'x': 'y'},
                          required_if=[])


def test_the_result_carries_the_request_count(capsys):
    result = run(lambda m: dict(changed=True, value=m.client.get(), name=m.params['name']), capsys, name='n')
    assert result['changed'] is True
    assert (result['value'], result['name'], result['http_requests']) == ('thing', 'n', 1)


def test_an_api_error_fails_with_status_count_and_what_was_done(capsys):
    def work(module):
        module.client.get()
        module.done.append('first')
        module.client.get(status=module.params['fail_with'])

    result = run(work, capsys, fail_with=502)
    assert result['failed'] is True
    assert result['msg'] == 'GET http://api/x failed: HTTP 502'
    assert (result['status'], result['http_requests'], result['done']) == (502, 2, ['first'])


def test_input_refused_before_any_request_has_no_count(capsys):
    def work(module):
        raise InputError('bad input')

    result = run(work, capsys)
    assert (result['failed'], result['msg']) == (True, 'bad input')
    assert 'http_requests' not in result
    assert 'status' not in result


def test_connection_and_module_constraints_both_apply(capsys):
    both = {'user': 'someone', 'token': 'long-enough-not-to-be-masked-in-messages'}
    assert 'mutually exclusive: user|token' in run(dict, capsys, **both)['msg']
    assert 'mutually exclusive: name|bad' in run(dict, capsys, name='n', bad=True)['msg']


def test_a_module_may_not_redefine_a_connection_option():
    class Clash(ApiModule):
        connection = EXAMPLE

    with patch_module_args({'url': 'http://api'}), pytest.raises(ValueError, match='redefines connection option'):
        Clash(argument_spec=dict(url=dict(type='str')))


def test_a_password_in_the_url_is_masked_in_the_result(capsys):
    def fail(module):
        raise HttpApiError('refused', 'GET', module.params['url'])

    with patch_module_args(dict(url='http://ops:S3cr%40t@api/x')), pytest.raises(SystemExit):
        ExampleModule(fail).run()
    result = json.loads(capsys.readouterr().out)
    assert result['invocation']['module_args']['url'] == 'http://ops:********@api/x'
    assert 'S3cr' not in json.dumps(result)
