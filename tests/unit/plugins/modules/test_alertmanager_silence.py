"""alertmanager_silence end to end in-process: validation, requests made, check and diff mode, bulk, prune."""

from datetime import timedelta

import pytest
from ansible_collections.tradpal.monitoring.plugins.module_utils import _silences as am
from ansible_collections.tradpal.monitoring.plugins.modules import alertmanager_silence
from ansible_collections.tradpal.monitoring.plugins.modules.alertmanager_silence import main

URL = 'http://alertmanager.invalid:9093'
API_MATCHERS = [{'name': 'job', 'value': 'api', 'isRegex': False, 'isEqual': True}]


def args(**options):
    options.setdefault('url', URL)
    options.setdefault('created_by', 'ops')
    return options


def single(**options):
    options.setdefault('matchers', ['job="api"'])
    options.setdefault('comment', 'window')
    options.setdefault('duration', '2h')
    return args(**options)


@pytest.mark.parametrize(
    ('options', 'message'),
    [
        ({'matchers': ['job=api"']}, 'unescaped double quote'),
        ({'matchers': ['job=~"("']}, 'does not compile'),
        ({'matchers': ['job=~".*"']}, 'matches the empty string'),
        ({'duration': None, 'ends_at': '2031-01-01T00:00:00'}, 'has no time zone'),
        ({'duration': None, 'ends_at': '2001-01-01T00:00:00Z'}, 'in the past'),
        ({'duration': None, 'starts_at': '2998-01-01T00:00:00Z', 'ends_at': '2997-01-01T00:00:00Z'},
         'not after starts_at'),
        ({'comment': None}, 'comment is required'),
    ],
)
def test_bad_input_fails_before_any_request(api, run, options, message):
    result = run(main, single(**options))
    assert result['failed'] is True
    assert message in result['msg']
    assert api.requests == []


def test_silences_and_single_options_do_not_mix(api, run):
    result = run(main, args(matchers=['a="1"'], silences=[]))
    assert result['failed'] is True
    assert 'mutually exclusive' in result['msg']
    assert api.requests == []


def test_create_then_rerun_makes_one_request_and_no_change(api, run):
    first = run(main, single())
    assert first['changed'] is True
    assert api.writes() == [('POST', 'api/v2/silences')]
    silence = first['silence']
    assert silence['id'] in api.silences
    assert (silence['action'], silence['state'], silence['created_by']) == ('create', 'active', 'ops')
    assert first['silences'] == [silence]
    assert first['http_requests'] == 2

    api.requests.clear()
    second = run(main, single())
    assert second['changed'] is False
    assert second['silence']['id'] == silence['id']
    assert second['silence']['action'] == 'unchanged'
    assert second['http_requests'] == 1
    assert [r[0] for r in api.requests] == ['GET']


def test_check_mode_sends_only_the_list_request(api, run):
    api.add('old', API_MATCHERS, comment='old')
    result = run(main, single(), check=True, diff=True)
    assert result['changed'] is True
    assert result['silence']['id'] is None
    assert result['silence']['action'] == 'create'
    assert api.writes() == []
    assert result['diff'][0]['before'] == {}
    assert result['diff'][0]['after']['matchers'] == ['job="api"']

    result = run(main, args(matchers=['job="api"'], comment='old', state='absent'), check=True)
    assert (result['changed'], result['expired_ids']) == (True, ['old'])
    assert api.silences['old']['status']['state'] == 'active'
    assert api.writes() == []


def test_diff_shows_before_and_after_of_an_extension(api, run):
    api.add('s1', API_MATCHERS, ends_at='2999-01-01T00:00:00.000Z')
    result = run(main, single(ends_at='2999-06-01T00:00:00Z', duration=None), diff=True)
    assert result['silence']['id'] == 's1'
    assert result['silence']['action'] == 'update'
    (diff,) = result['diff']
    assert diff['before']['ends_at'] == '2999-01-01T00:00:00.000Z'
    assert diff['after']['ends_at'] == '2999-06-01T00:00:00.000Z'
    assert diff['before_header'] == 'silence s1'
    assert api.requests[-1][3]['id'] == 's1'


def test_absent_expires_matches(api, run):
    api.add('s1', API_MATCHERS)
    api.add('s2', API_MATCHERS, state='pending')
    api.add('s3', API_MATCHERS, comment='another')
    result = run(main, args(matchers=['job="api"'], comment='window', state='absent'), diff=True)
    assert result['changed'] is True
    assert sorted(result['expired_ids']) == ['s1', 's2']
    assert sorted(api.writes()) == [('DELETE', 'api/v2/silence/s1'), ('DELETE', 'api/v2/silence/s2')]
    assert {d['after']['state'] for d in result['diff']} == {'expired'}
    again = run(main, args(matchers=['job="api"'], comment='window', state='absent'))
    assert (again['changed'], again['silence']['action']) == (False, 'none')


def bulk(count, **options):
    items = [{'matchers': ['job="api"', 'instance="host%d"' % i], 'comment': 'window', 'duration': '1h'}
             for i in range(count)]
    return args(silences=items, **options)


def test_bulk_uses_one_list_request_and_is_idempotent(api, run):
    first = run(main, bulk(5))
    assert first['changed'] is True
    assert 'silence' not in first
    assert [s['action'] for s in first['silences']] == ['create'] * 5
    assert [r[0] for r in api.requests] == ['GET'] + ['POST'] * 5
    assert first['http_requests'] == 6

    api.requests.clear()
    second = run(main, bulk(5))
    assert second['changed'] is False
    assert [s['action'] for s in second['silences']] == ['unchanged'] * 5
    assert len(api.requests) == second['http_requests'] == 1


def test_a_slow_bulk_apply_is_still_idempotent(api, run, monkeypatch):
    """Writing hundreds of silences takes a while; a duration counts from each one's own start."""
    clock = [am.utcnow()]

    def controller_now():  # each look from the module comes 3 s after the previous one
        clock[0] += timedelta(seconds=3)
        return clock[0]

    monkeypatch.setattr(alertmanager_silence, 'utcnow', controller_now)
    monkeypatch.setattr(am, 'utcnow', lambda: clock[0])  # the server's clock, the same time
    assert run(main, bulk(5))['changed'] is True
    ends = sorted(s['endsAt'] for s in api.silences.values())
    assert ends[0] != ends[-1]
    again = run(main, bulk(5))
    assert again['changed'] is False, again['silences']


def test_prune_expires_undeclared_silences_of_the_same_creator_only(api, run):
    run(main, bulk(3))
    api.add('foreign', API_MATCHERS, comment='theirs', created_by='someone-else')
    result = run(main, bulk(2, prune=True), diff=True)
    dropped = [sid for sid, s in api.silences.items() if s['status']['state'] == 'expired']
    assert result['pruned_ids'] == result['expired_ids'] == dropped
    assert len(dropped) == 1
    assert api.silences[dropped[0]]['matchers'][1]['value'] == 'host2'
    assert api.silences['foreign']['status']['state'] == 'active'
    assert result['changed'] is True
    assert len(result['diff']) == 1

    everything = run(main, args(silences=[], prune=True))
    assert len(everything['pruned_ids']) == 2
    assert api.silences['foreign']['status']['state'] == 'active'


def test_bulk_items_inherit_state_and_creator(api, run):
    api.add('s1', API_MATCHERS, created_by='team')
    result = run(main, args(created_by='team', state='absent',
                            silences=[{'matchers': ['job="api"'], 'comment': 'window'}]))
    assert result['expired_ids'] == ['s1']


def test_a_failing_write_reports_what_was_done(api, run):
    api.fail_on = 'DELETE'
    api.add('s1', API_MATCHERS, comment='old')
    result = run(main, args(silences=[{'matchers': ['job="api"'], 'comment': 'new', 'duration': '1h'},
                                      {'matchers': ['job="api"'], 'comment': 'old', 'state': 'absent'}]))
    assert result['failed'] is True
    assert 'HTTP 500: boom' in result['msg']
    assert result['status'] == 500
    assert result['changed'] is True  # the POST went through
    assert [s['action'] for s in result['silences']] == ['create', 'expire']


def test_an_unknown_id_is_an_error(api, run):
    result = run(main, args(id='nope', duration='1h'))
    assert result['failed'] is True
    assert 'no silence with id nope' in result['msg']
    assert api.writes() == []


@pytest.mark.parametrize(
    'options',
    [
        single(prune=True),  # the single-silence form
        args(silences=[], prune=True, created_by=None),  # the default creator, ansible/<user>
    ],
)
def test_prune_needs_the_list_and_an_explicit_creator(api, run, options):
    api.add('window', API_MATCHERS, created_by=am.default_created_by())
    result = run(main, {k: v for k, v in options.items() if v is not None})
    assert result['failed'] is True
    assert 'prune needs the silences list and an explicit created_by' in result['msg']
    assert 'http_requests' not in result
    assert api.requests == []


def test_keyed_silences_in_a_list(api, run):
    items = [{'key': 'db', 'matchers': ['job="db"'], 'comment': 'patching', 'duration': '1h'}]
    first = run(main, args(silences=items))
    (entry,) = first['silences']
    assert (entry['action'], entry['key'], entry['created_by']) == ('create', 'db', 'ops')
    assert api.silences[entry['id']]['createdBy'] == 'ops [key:db]'
    items[0]['comment'] = 'patching, CHG-7'
    second = run(main, args(silences=items))
    assert (second['silences'][0]['action'], second['silences'][0]['id']) == ('update', entry['id'])
    gone = run(main, args(key='db', state='absent'))
    assert (gone['changed'], gone['expired_ids']) == (True, [entry['id']])


def test_key_and_id_do_not_mix(api, run):
    result = run(main, args(key='db', id='s1', state='absent'))
    assert result['failed'] is True
    assert 'set id or key, not both' in result['msg']
    assert api.requests == []
