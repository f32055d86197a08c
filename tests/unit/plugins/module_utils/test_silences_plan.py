"""Declared silences, identity, and the plan of module_utils/_silences.py (no network)."""

import re
from datetime import datetime, timedelta, timezone

import pytest
from ansible_collections.tradpal.monitoring.plugins.module_utils._silences import (
    NOW,
    ExistingSilence,
    Matcher,
    SilenceError,
    build_spec,
    build_specs,
    default_created_by,
    format_time,
    identity,
    parse_matcher,
    plan,
    split_creator,
    stored_creator,
)

UTC = timezone.utc
T0 = datetime(2030, 5, 1, 12, 0, 0, tzinfo=UTC)  # "now" in these tests
HOUR = timedelta(hours=1)


def spec(now=T0, **options):
    options.setdefault('matchers', ['alertname="Deploy"', 'job="api"'])
    options.setdefault('comment', 'deploy window')
    options.setdefault('created_by', 'ops')
    if options.get('state', 'present') == 'present' and not options.get('id'):
        if 'ends_at' not in options:
            options.setdefault('duration', '2h')
    return build_spec(options, now)


def existing(silence_id='s1', *, state='active', matchers=('alertname="Deploy"', 'job="api"'), comment='deploy window',
             created_by='ops', starts_at=T0 - HOUR, ends_at=T0 + HOUR, starts_at_text=None):
    """A silence as Alertmanager's list returns it."""
    data = {
        'id': silence_id,
        'status': {'state': state},
        'matchers': [parse_matcher(m).to_api() for m in matchers],
        'comment': comment,
        'createdBy': created_by,
        'startsAt': starts_at_text or format_time(starts_at),
        'endsAt': format_time(ends_at),
        'updatedAt': format_time(starts_at),
    }
    return ExistingSilence.from_api(data)


# ----------------------------------------------------------------------------- specs

def test_created_by_defaults_to_ansible_and_the_user(monkeypatch):
    monkeypatch.setenv('LOGNAME', 'alice')
    assert default_created_by() == 'ansible/alice'
    assert build_spec({'matchers': ['a="1"'], 'comment': 'c', 'duration': '1h'}, T0).created_by == 'ansible/alice'
    assert build_spec({'matchers': ['a="1"'], 'comment': 'c', 'duration': '1h'}, T0,
                      default_creator='team').created_by == 'team'


@pytest.mark.parametrize(
    ('options', 'message'),
    [
        ({'matchers': None}, 'at least one matcher'),
        ({'comment': ''}, 'comment is required'),
        ({'duration': None}, 'set ends_at or duration'),
        ({'ends_at': '2030-05-01T14:00:00Z', 'duration': '1h'}, 'not both'),
        ({'ends_at': '2030-05-01T11:00:00Z', 'duration': None}, 'in the past'),
        ({'ends_at': '2030-05-01T14:00:00', 'duration': None}, 'has no time zone'),
        ({'starts_at': '2030-05-01T15:00:00Z', 'ends_at': '2030-05-01T14:00:00Z', 'duration': None},
         'not after starts_at'),
        ({'starts_at': '2030-05-01 15:00'}, 'has no time zone'),
        ({'duration': '2 hours'}, 'number with a unit'),
        ({'matchers': ['job=~"api-("']}, 'does not compile'),
        ({'matchers': ['job=~".*"']}, 'matches the empty string'),
    ],
)
def test_bad_declarations_fail_before_any_request(options, message):
    with pytest.raises(SilenceError, match=message):
        spec(**options)


def test_a_past_start_counts_as_now_and_a_future_one_is_kept():
    assert spec(starts_at='2020-01-01T00:00:00Z').starts_at == NOW
    assert spec(starts_at='now').starts_at == NOW
    assert spec(starts_at='2030-05-01T14:00:00+02:00').starts_at == NOW  # 12:00 UTC is not after now
    assert spec(starts_at='2030-05-01T15:00:00Z').starts_at == datetime(2030, 5, 1, 15, tzinfo=UTC)


def test_absent_needs_the_identity_but_no_times():
    absent = spec(state='absent', duration=None, ends_at='not even a time')
    assert (absent.state, absent.ends_at, absent.duration) == ('absent', None, None)
    with pytest.raises(SilenceError, match='comment is required'):
        spec(state='absent', comment=None)


def test_an_id_alone_is_enough():
    only_id = build_spec({'id': 's1', 'duration': '3h'}, T0)
    assert (only_id.matchers, only_id.comment, only_id.created_by) == (None, None, None)


def test_identity_ignores_matcher_order():
    assert spec(matchers=['job="api"', 'alertname="Deploy"']).identity() == spec().identity() == existing().identity()
    assert spec(comment='other').identity() != spec().identity()
    assert spec(created_by='someone').identity() != spec().identity()
    assert spec(matchers=['job="api"']).identity() != spec().identity()
    assert identity('ops', None, 'c', [Matcher('a', '1', False, True)]) \
        != identity('ops', None, 'c', [Matcher('a', '1', True, True)])


def test_a_list_may_not_declare_the_same_silence_twice():
    items = [
        {'matchers': ['a="1"', 'b="2"'], 'comment': 'c', 'duration': '1h'},
        {'matchers': ['b="2"', 'a="1"'], 'comment': 'c', 'ends_at': '2031-01-01T00:00:00Z'},
    ]
    with pytest.raises(SilenceError, match=r'silences\[1\] declares the same silence as silences\[0\]'):
        build_specs(items, T0, default_creator='ops')
    with pytest.raises(SilenceError, match=r'silences\[1\] declares the same silence'):
        build_specs([{'id': 'x', 'duration': '1h'}, {'id': 'x', 'state': 'absent'}], T0)


def test_list_items_take_defaults_and_say_where_they_are_wrong():
    specs = build_specs([{'matchers': ['a="1"'], 'comment': 'c', 'duration': '1h'},
                         {'matchers': ['a="2"'], 'comment': 'c', 'created_by': 'me', 'state': 'present',
                          'duration': '1h'}], T0, default_state='absent', default_creator='team')
    assert [(s.state, s.created_by) for s in specs] == [('absent', 'team'), ('present', 'me')]
    with pytest.raises(SilenceError, match=r'^silences\[1\]: matchers\[0\]: cannot parse'):
        build_specs([{'matchers': ['a="1"'], 'comment': 'c', 'duration': '1h'},
                     {'matchers': ['a'], 'comment': 'c', 'duration': '1h'}], T0)


# ------------------------------------------------------------------------------ plan

def one(specs, silences, **kwargs):
    changes, pruned = plan(specs if isinstance(specs, list) else [specs], silences, T0, **kwargs)
    return changes[0], pruned


def test_missing_silence_is_created_starting_now_and_ending_after_the_duration():
    change, _unused = one(spec(), [existing(state='expired'), existing('s2', comment='other')])
    assert change.action == 'create'
    assert change.payload == {
        'matchers': [{'name': 'alertname', 'value': 'Deploy', 'isRegex': False, 'isEqual': True},
                     {'name': 'job', 'value': 'api', 'isRegex': False, 'isEqual': True}],
        # A minute early, so Alertmanager starts it at its own now even if our clock runs ahead.
        'startsAt': '2030-05-01T11:59:00.000Z',
        'endsAt': '2030-05-01T14:00:00.000Z',
        'createdBy': 'ops',
        'comment': 'deploy window',
    }
    assert change.after['starts_at'] == '2030-05-01T12:00:00.000Z'
    assert change.result() == dict(change.after, action='create', replaced=False, previous_id=None, expired_ids=[])
    assert change.after['id'] is None
    assert change.result('new-id')['id'] == 'new-id'


def test_stamp_moves_now_to_the_moment_of_sending():
    change, _unused = one(spec(duration='2h'), [])
    change.stamp(T0 + timedelta(seconds=42))
    assert (change.payload['startsAt'], change.payload['endsAt']) == ('2030-05-01T11:59:42.000Z',
                                                                      '2030-05-01T14:00:42.000Z')
    assert (change.after['starts_at'], change.after['ends_at']) == ('2030-05-01T12:00:42.000Z',
                                                                    '2030-05-01T14:00:42.000Z')
    fixed_end, _unused = one(spec(ends_at='2030-05-01T15:00:00Z', duration=None), [])
    fixed_end.stamp(T0 + timedelta(seconds=42))
    assert fixed_end.payload['endsAt'] == '2030-05-01T15:00:00.000Z'
    future, _unused = one(spec(starts_at='2030-05-01T13:00:00Z'), [])
    future.stamp(T0 + timedelta(seconds=42))
    assert future.payload['startsAt'] == '2030-05-01T13:00:00.000Z'
    extended, _unused = one(spec(duration='4h'), [existing()])
    extended.stamp(T0 + timedelta(seconds=42))
    assert extended.payload['startsAt'] == '2030-05-01T11:00:00.000Z'


def test_a_future_start_creates_a_pending_silence():
    change, _unused = one(spec(starts_at='2030-05-02T00:00:00+02:00', duration='1h'), [])
    assert change.payload['startsAt'] == '2030-05-01T22:00:00.000Z'
    assert change.payload['endsAt'] == '2030-05-01T23:00:00.000Z'
    assert change.after['state'] == 'pending'


def test_rerun_with_the_same_duration_changes_nothing():
    # Created an hour ago with duration 2h; the server started it a few milliseconds late.
    active = existing(starts_at=T0 - HOUR + timedelta(milliseconds=300), ends_at=T0 + HOUR)
    change, _unused = one(spec(matchers=['job="api"', 'alertname="Deploy"']), [active])
    assert change.action == 'unchanged'
    assert change.payload is None
    assert not change.changed
    assert change.before == change.after == active.describe()


def test_end_times_compare_to_the_second():
    active = existing(ends_at=datetime(2030, 5, 1, 14, 0, 0, 400000, tzinfo=UTC))
    assert one(spec(ends_at='2030-05-01T14:00:00Z', duration=None), [active])[0].action == 'unchanged'
    assert one(spec(ends_at='2030-05-01T14:00:01Z', duration=None), [active])[0].action == 'unchanged'
    assert one(spec(ends_at='2030-05-01T14:00:01.400Z', duration=None), [active])[0].action == 'update'


def test_a_past_start_on_an_active_silence_is_no_change():
    declared = spec(starts_at='2030-05-01T11:59:00Z', ends_at='2030-05-01T13:00:00Z', duration=None)
    change, _unused = one(declared, [existing()])
    assert change.action == 'unchanged'


def test_extending_updates_in_place_with_the_stored_start_and_matcher_order():
    active = existing(matchers=('job="api"', 'alertname="Deploy"'), starts_at_text='2030-05-01T11:00:00.123456Z')
    change, _unused = one(spec(duration='4h'), [active])
    assert change.action == 'update'
    assert change.differences == ['ends_at']
    assert change.replace is False
    assert change.payload['id'] == 's1'
    assert change.payload['startsAt'] == '2030-05-01T11:00:00.123456Z'  # verbatim, or Alertmanager replaces it
    assert [m['name'] for m in change.payload['matchers']] == ['job', 'alertname']
    assert change.payload['endsAt'] == '2030-05-01T15:00:00.123Z'
    assert change.before['ends_at'] == '2030-05-01T13:00:00.000Z'
    assert change.after == dict(change.before, ends_at='2030-05-01T15:00:00.123Z')
    assert change.result('s1')['replaced'] is False
    replaced = change.result('s9')
    assert (replaced['id'], replaced['replaced'], replaced['previous_id']) == ('s9', True, 's1')


def test_shortening_is_an_update_too():
    change, _unused = one(spec(ends_at='2030-05-01T12:30:00Z', duration=None), [existing()])
    assert (change.action, change.replace, change.payload['endsAt']) == ('update', False, '2030-05-01T12:30:00.000Z')


def test_a_duration_that_already_ran_out_is_an_error():
    with pytest.raises(SilenceError, match='in the past'):
        one(spec(duration='30m'), [existing()])


def test_expired_silences_do_not_count():
    change, _unused = one(spec(), [existing(state='expired', ends_at=T0 - timedelta(minutes=1))])
    assert change.action == 'create'


def test_a_pending_silence_made_to_start_now_is_replaced():
    pending = existing(state='pending', starts_at=T0 + HOUR, ends_at=T0 + 3 * HOUR)
    change, _unused = one(spec(ends_at='2030-05-01T15:00:00Z', duration=None), [pending])
    assert change.action == 'update'
    assert change.differences == ['starts_at']
    assert change.replace is True
    assert change.after['id'] is None
    assert change.after['state'] == 'active'
    assert change.result()['previous_id'] == 's1'


def test_a_pending_silence_moved_later_is_updated_in_place():
    pending = existing(state='pending', starts_at=T0 + HOUR, ends_at=T0 + 3 * HOUR)
    change, _unused = one(spec(starts_at='2030-05-01T14:00:00Z', duration='1h'), [pending])
    assert (change.action, change.replace) == ('update', False)
    assert change.payload['startsAt'] == '2030-05-01T14:00:00.000Z'
    assert change.after['state'] == 'pending'


def test_moving_the_start_of_an_active_silence_into_the_future_replaces_it():
    change, _unused = one(spec(starts_at='2030-05-01T13:00:00Z', duration='1h'), [existing()])
    assert change.replace is True


def test_by_id_options_left_out_are_kept():
    active = existing(starts_at_text='2030-05-01T11:00:00.5Z')
    change, _unused = one(build_spec({'id': 's1', 'duration': '3h'}, T0), [active])
    assert change.action == 'update'
    assert change.payload['comment'] == 'deploy window'
    assert change.payload['createdBy'] == 'ops'
    assert change.payload['startsAt'] == '2030-05-01T11:00:00.5Z'
    assert change.payload['endsAt'] == '2030-05-01T14:00:00.500Z'
    assert one(build_spec({'id': 's1'}, T0), [active])[0].action == 'unchanged'


def test_by_id_new_matchers_replace_the_silence():
    change, _unused = one(build_spec({'id': 's1', 'matchers': ['job="web"']}, T0), [existing()])
    # The new silence starts when Alertmanager makes it; the end is kept.
    assert change.differences == ['matchers', 'starts_at']
    assert change.replace is True
    assert change.payload['id'] == 's1'
    assert (change.payload['startsAt'], change.payload['endsAt']) == ('2030-05-01T11:59:00.000Z',
                                                                      '2030-05-01T13:00:00.000Z')
    assert change.payload['matchers'] == [{'name': 'job', 'value': 'web', 'isRegex': False, 'isEqual': True}]


def test_by_id_an_expired_silence_is_created_again():
    gone = existing(state='expired', ends_at=T0 - HOUR)
    change, _unused = one(build_spec({'id': 's1', 'duration': '1h'}, T0), [gone])
    assert 'id' not in change.payload
    assert change.replace is True
    assert change.payload['startsAt'] == '2030-05-01T11:59:00.000Z'


def test_by_id_an_unknown_silence_is_an_error_for_present_and_nothing_for_absent():
    with pytest.raises(SilenceError, match='no silence with id nope'):
        one(build_spec({'id': 'nope', 'duration': '1h'}, T0), [existing()])
    change, _unused = one(build_spec({'id': 'nope', 'state': 'absent'}, T0), [existing()])
    assert (change.action, change.changed, change.result()['state']) == ('none', False, None)


def test_absent_expires_every_live_match_and_only_those():
    silences = [existing('a'), existing('b', state='pending', starts_at=T0 + HOUR, ends_at=T0 + 2 * HOUR),
                existing('c', state='expired'), existing('d', comment='other')]
    change, _unused = one(spec(state='absent'), silences)
    assert change.action == 'expire'
    assert [s.id for s in change.expire] == ['a', 'b']
    result = change.result()
    assert (result['state'], result['expired_ids'], result['replaced']) == ('expired', ['a', 'b'], False)


def test_absent_when_already_expired_changes_nothing():
    change, _unused = one(spec(state='absent'), [existing(state='expired')])
    assert (change.action, change.changed) == ('none', False)


def test_duplicates_are_expired_keeping_the_active_one_that_ends_last():
    silences = [existing('short', ends_at=T0 + HOUR), existing('long', ends_at=T0 + 3 * HOUR),
                existing('pend', state='pending', starts_at=T0 + HOUR, ends_at=T0 + 5 * HOUR)]
    change, _unused = one(spec(duration='4h'), silences)
    assert change.target.id == 'long'
    assert sorted(s.id for s in change.expire) == ['pend', 'short']
    assert change.changed


def test_prune_expires_only_undeclared_live_silences_of_the_same_creators():
    silences = [existing('kept'), existing('old', comment='old window'), existing('mine-expired', state='expired'),
                existing('theirs', comment='x', created_by='someone-else')]
    changes, pruned = plan([spec()], silences, T0, prune_creator='ops')
    assert changes[0].action == 'unchanged'
    assert [s.id for s in pruned] == ['old']
    assert plan([spec()], silences, T0)[1] == []


def test_two_declarations_may_not_reach_the_same_silence():
    with pytest.raises(SilenceError, match='both reach silence s1'):
        plan([spec(), build_spec({'id': 's1', 'state': 'absent'}, T0)], [existing()], T0)


# ------------------------------------------------------------------------------ keys

def keyed(silence_id='s1', key='deploy', created_by='ops', **options):
    """A silence the module made with a key: the key rides in createdBy."""
    return existing(silence_id, created_by=stored_creator(created_by, key), **options)


def test_the_key_is_stored_in_created_by_and_split_off_when_read():
    assert stored_creator('ops', 'deploy') == 'ops [key:deploy]'
    assert stored_creator('ops', None) == 'ops'
    assert split_creator('ops [key:CHG-1/web.1]') == ('ops', 'CHG-1/web.1')
    assert split_creator('ansible/alice') == ('ansible/alice', None)
    assert split_creator('ops [key:two words]') == ('ops [key:two words]', None)
    silence = keyed()
    assert (silence.created_by, silence.key) == ('ops', 'deploy')
    assert silence.describe()['created_by'] == 'ops'
    assert silence.describe()['key'] == 'deploy'


@pytest.mark.parametrize(
    ('options', 'message'),
    [
        ({'key': 'two words'}, "key 'two words': use up to 128"),
        ({'key': '-x'}, 'starting with a letter or digit'),
        ({'key': 'x' * 129}, 'up to 128'),
        ({'key': 'k', 'id': 's1'}, 'set id or key, not both'),
        ({'created_by': 'ops [key:k]'}, 'may not contain'),
        ({'key': 'k', 'comment': None}, 'comment is required'),
        ({'key': 'k', 'matchers': None}, 'at least one matcher'),
    ],
)
def test_bad_keys_are_refused(options, message):
    with pytest.raises(SilenceError, match=re.escape(message)):
        spec(**options)


def test_a_key_alone_names_a_silence_to_expire():
    absent = spec(key='deploy', state='absent', matchers=None, comment=None)
    assert (absent.key, absent.matchers, absent.comment) == ('deploy', None, None)
    change, _unused = one(absent, [keyed('a'), keyed('b', key='other'), keyed('c', created_by='else')])
    assert [s.id for s in change.expire] == ['a']
    assert change.result()['key'] == 'deploy'


def test_a_list_may_not_declare_the_same_key_twice():
    items = [{'key': 'k', 'matchers': ['a="1"'], 'comment': 'c', 'duration': '1h'},
             {'key': 'k', 'matchers': ['b="2"'], 'comment': 'd', 'duration': '1h'}]
    with pytest.raises(SilenceError, match=r'silences\[1\] declares the same silence as silences\[0\]'):
        build_specs(items, T0, default_creator='ops')
    items[1]['created_by'] = 'someone-else'
    assert len(build_specs(items, T0, default_creator='ops')) == 2


def test_a_keyed_silence_is_created_with_its_key():
    change, _unused = one(spec(key='deploy'), [])
    assert change.action == 'create'
    assert change.payload['createdBy'] == 'ops [key:deploy]'
    assert (change.after['created_by'], change.after['key']) == ('ops', 'deploy')


def test_a_keyed_silence_rerun_changes_nothing():
    change, _unused = one(spec(key='deploy'), [keyed()])
    assert change.action == 'unchanged'


def test_new_matchers_for_a_key_replace_its_silence_in_one_request():
    change, _unused = one(spec(key='deploy', matchers=['job="web"']), [keyed()])
    assert change.action == 'update'
    assert change.differences == ['matchers', 'starts_at', 'ends_at']
    assert change.replace is True
    # The new silence starts now, so its duration counts from now: a re-run finds nothing to change.
    assert (change.payload['startsAt'], change.payload['endsAt']) == ('2030-05-01T11:59:00.000Z',
                                                                      '2030-05-01T14:00:00.000Z')
    # Sent with the old id: Alertmanager expires it and creates the new one in the same request.
    assert change.payload['id'] == 's1'
    assert change.payload['createdBy'] == 'ops [key:deploy]'
    assert change.expire == []
    assert change.result('s2')['previous_id'] == 's1'


def test_a_new_comment_for_a_key_updates_its_silence_in_place():
    change, _unused = one(spec(key='deploy', comment='deploy window, extended'), [keyed()])
    assert (change.action, change.differences, change.replace) == ('update', ['comment'], False)
    assert change.payload['id'] == 's1'


def test_a_comment_edited_by_hand_does_not_lose_the_silence():
    edited = keyed(comment='deploy window -- ask Bob before removing')
    change, _unused = one(spec(key='deploy'), [edited])
    assert (change.action, change.target.id, change.differences) == ('update', 's1', ['comment'])


def test_duplicates_of_a_key_are_folded():
    silences = [keyed('short', ends_at=T0 + HOUR), keyed('long', matchers=('job="web"',), ends_at=T0 + 3 * HOUR)]
    change, _unused = one(spec(key='deploy'), silences)
    assert change.target.id == 'long'
    assert [s.id for s in change.expire] == ['short']


def test_keys_belong_to_their_creator():
    change, _unused = one(spec(key='deploy'), [keyed(created_by='someone-else')])
    assert change.action == 'create'


def test_without_a_key_a_keyed_silence_is_not_matched():
    change, _unused = one(spec(), [keyed()])
    assert change.action == 'create'
    assert change.payload['createdBy'] == 'ops'


def test_adding_a_key_adopts_the_silence_made_without_one():
    change, _unused = one(spec(key='deploy'), [existing()])
    assert (change.action, change.differences, change.replace) == ('update', ['key'], False)
    assert change.payload['id'] == 's1'
    assert change.payload['createdBy'] == 'ops [key:deploy]'
    assert change.before['key'] is None
    assert change.after['key'] == 'deploy'


def test_a_silence_declared_without_a_key_in_the_same_run_is_not_adopted():
    changes, _unused = plan([spec(key='deploy'), spec()], [existing()], T0)
    assert [c.action for c in changes] == ['create', 'unchanged']


def test_prune_reaches_keyed_silences_of_the_creator():
    silences = [keyed('declared'), keyed('dropped', key='old'), keyed('theirs', key='old', created_by='else')]
    _unused, pruned = plan([spec(key='deploy')], silences, T0, prune_creator='ops')
    assert [s.id for s in pruned] == ['dropped']
