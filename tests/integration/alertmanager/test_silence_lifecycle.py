"""alertmanager_silence against a real Alertmanager: one silence through its whole life."""

from datetime import datetime, timedelta, timezone

import pytest
from ansible_collections.tradpal.monitoring.plugins.module_utils._silences import parse_time

UTC = timezone.utc


def ends(silence):
    return parse_time(silence['endsAt'])


@pytest.fixture
def silence_args(alertmanager, creator):
    def args(**options):
        base = dict(url=alertmanager.url, created_by=creator, comment='deploy window',
                    matchers=['alertname="HighRequestLatency"', 'job=~"api-.*"', 'severity!="info"'])
        base.update(options)
        return base
    return args


def test_create_rerun_extend_change_matchers_absent(alertmanager, creator, run_module, silence_args):
    created = run_module('alertmanager_silence', **silence_args(duration='1h'))
    assert created['changed'] is True, created
    first_id = created['silence']['id']
    (live,) = alertmanager.live(creator)
    assert live['id'] == first_id
    assert live['status']['state'] == 'active'
    assert abs(ends(live) - datetime.now(UTC) - timedelta(hours=1)) < timedelta(seconds=30)

    # The same declaration, matchers in another order: nothing to do, one request.
    again = run_module('alertmanager_silence', **silence_args(
        duration='1h', matchers=['severity!="info"', 'alertname="HighRequestLatency"', 'job=~"api-.*"']))
    assert again['changed'] is False, again
    assert again['silence']['id'] == first_id
    assert again['silence']['action'] == 'unchanged'
    assert again['http_requests'] == 1

    # Extend: same id, later end, updated in place.
    extended = run_module('alertmanager_silence', **silence_args(duration='3h'))
    assert extended['changed'] is True
    assert extended['silence']['id'] == first_id
    assert extended['silence']['replaced'] is False
    (live,) = alertmanager.live(creator)
    assert live['id'] == first_id
    assert abs(ends(live) - parse_time(live['startsAt']) - timedelta(hours=3)) < timedelta(seconds=1)
    assert run_module('alertmanager_silence', **silence_args(duration='3h'))['changed'] is False

    # Shorten it, still the same silence.
    shortened = run_module('alertmanager_silence', **silence_args(duration='2h'))
    assert (shortened['changed'], shortened['silence']['id']) == (True, first_id)
    (live,) = alertmanager.live(creator)
    assert abs(ends(live) - parse_time(live['startsAt']) - timedelta(hours=2)) < timedelta(seconds=1)

    # New matchers for this silence (by id): Alertmanager replaces it; the old one is expired.
    moved = run_module('alertmanager_silence', url=alertmanager.url, id=first_id, matchers=['job="payments"'])
    assert moved['changed'] is True, moved
    second_id = moved['silence']['id']
    assert second_id != first_id
    assert (moved['silence']['replaced'], moved['silence']['previous_id']) == (True, first_id)
    assert alertmanager.silence(first_id)['status']['state'] == 'expired'
    new = alertmanager.silence(second_id)
    assert [m['name'] for m in new['matchers']] == ['job']
    assert (new['comment'], new['createdBy']) == ('deploy window', creator)
    assert ends(new) == ends(live)  # kept from the old silence

    # Absent: expired, and a second run has nothing left to do.
    gone = run_module('alertmanager_silence', **silence_args(matchers=['job="payments"'], state='absent'))
    assert (gone['changed'], gone['expired_ids']) == (True, [second_id])
    assert alertmanager.live(creator) == []
    assert alertmanager.silence(second_id)['status']['state'] == 'expired'
    assert run_module('alertmanager_silence', **silence_args(matchers=['job="payments"'],
                                                             state='absent'))['changed'] is False


def test_check_mode_writes_nothing(alertmanager, creator, run_module, silence_args):
    planned = run_module('alertmanager_silence', check=True, diff=True, **silence_args(duration='1h'))
    assert (planned['changed'], planned['silence']['id'], planned['http_requests']) == (True, None, 1)
    assert planned['diff'][0]['after']['comment'] == 'deploy window'
    assert alertmanager.silences(creator) == []

    real = run_module('alertmanager_silence', **silence_args(duration='1h'))
    before = alertmanager.silence(real['silence']['id'])

    extend = run_module('alertmanager_silence', check=True, diff=True, **silence_args(duration='5h'))
    assert extend['changed'] is True
    assert extend['silence']['id'] == real['silence']['id']
    (diff,) = extend['diff']
    assert diff['before']['ends_at'] != diff['after']['ends_at']
    end = run_module('alertmanager_silence', check=True, **silence_args(state='absent'))
    assert end['expired_ids'] == [real['silence']['id']]
    assert alertmanager.silence(real['silence']['id']) == before


def test_pending_silences(alertmanager, creator, run_module, silence_args):
    start = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    # Written in a +05:30 zone: Alertmanager must get the same instant in UTC.
    local = start.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat()
    created = run_module('alertmanager_silence', **silence_args(starts_at=local, duration='1h'))
    assert created['silence']['state'] == 'pending'
    silence = alertmanager.silence(created['silence']['id'])
    assert silence['status']['state'] == 'pending'
    assert silence['startsAt'] == start.strftime('%Y-%m-%dT%H:%M:%S.000Z')
    assert run_module('alertmanager_silence', **silence_args(starts_at=local, duration='1h'))['changed'] is False

    later = (start + timedelta(minutes=30)).isoformat()
    moved = run_module('alertmanager_silence', **silence_args(starts_at=later, duration='1h'))
    assert (moved['changed'], moved['silence']['replaced']) == (True, False)
    assert moved['silence']['id'] == created['silence']['id']

    # Starting a pending silence now: Alertmanager replaces it, as the module predicted.
    planned = run_module('alertmanager_silence', check=True, **silence_args(duration='1h'))
    now = run_module('alertmanager_silence', **silence_args(duration='1h'))
    assert planned['silence']['replaced'] is now['silence']['replaced'] is True
    assert now['silence']['previous_id'] == created['silence']['id']
    assert alertmanager.silence(now['silence']['id'])['status']['state'] == 'active'
    assert alertmanager.silence(created['silence']['id'])['status']['state'] == 'expired'


def test_duplicates_left_by_other_tools_are_folded_into_one(alertmanager, creator, run_module, silence_args):
    body = {'matchers': [{'name': 'job', 'value': 'db', 'isRegex': False, 'isEqual': True}],
            'createdBy': creator, 'comment': 'deploy window',
            'startsAt': datetime.now(UTC).isoformat(), 'endsAt': (datetime.now(UTC) + timedelta(hours=1)).isoformat()}
    ids = [alertmanager.request('POST', '/api/v2/silences', body)['silenceID'] for _unused in range(3)]
    result = run_module('alertmanager_silence', **silence_args(matchers=['job="db"'], duration='1h'))
    assert result['changed'] is True
    assert result['silence']['id'] in ids
    assert sorted(result['expired_ids'] + [result['silence']['id']]) == sorted(ids)
    assert [s['id'] for s in alertmanager.live(creator)] == [result['silence']['id']]


def test_times_do_not_shift_on_a_host_far_from_utc(alertmanager, creator, run_module, silence_args):
    ends_at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    result = run_module('alertmanager_silence', env={'TZ': 'XYZ-14'},
                        **silence_args(ends_at=ends_at.strftime('%Y-%m-%dT%H:%M:%SZ')))
    assert ends(alertmanager.silence(result['silence']['id'])) == ends_at
    naive = run_module('alertmanager_silence', env={'TZ': 'XYZ-14'},
                       **silence_args(ends_at=ends_at.strftime('%Y-%m-%dT%H:%M:%S')))
    assert naive['failed'] is True
    assert 'has no time zone' in naive['msg']


@pytest.mark.parametrize(
    ('options', 'message'),
    [
        ({'matchers': ['job=api"x']}, 'unescaped double quote'),
        ({'matchers': ['job=~"(?=lookahead)"']}, 'lookahead'),
        ({'matchers': ['job=~".*"', 'env!="prod"']}, 'matches the empty string'),
        ({'ends_at': '2001-01-01T00:00:00Z'}, 'in the past'),
        ({'starts_at': '2999-01-02T00:00:00Z', 'ends_at': '2999-01-01T00:00:00Z'}, 'not after starts_at'),
    ],
)
def test_bad_input_is_refused_before_any_request(alertmanager, run_module, silence_args, options, message):
    args = silence_args(**options)
    result = run_module('alertmanager_silence', **args)
    assert result['failed'] is True
    assert message in result['msg']
    assert 'http_requests' not in result
    assert alertmanager.silences(args['created_by']) == []
