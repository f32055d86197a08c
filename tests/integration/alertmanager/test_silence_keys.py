"""Silences with a key, against a real Alertmanager: edits change the one silence, never add a second."""

import shutil
import subprocess
import time
from datetime import timedelta

import pytest
from ansible_collections.tradpal.monitoring.plugins.module_utils._silences import parse_time

AMTOOL = shutil.which('amtool') or '/usr/bin/amtool'


def live_keyed(alertmanager, creator, key):
    return alertmanager.live('%s [key:%s]' % (creator, key))


@pytest.fixture
def keyed_args(alertmanager, creator):
    def args(**options):
        base = dict(url=alertmanager.url, created_by=creator, key='deploy', comment='deploy window',
                    matchers=['job="payments"'], duration='1h')
        base.update(options)
        return base
    return args


def test_a_keyed_silence_through_edits(alertmanager, creator, run_module, keyed_args):
    created = run_module('alertmanager_silence', **keyed_args())
    assert created['changed'] is True, created
    first_id = created['silence']['id']
    assert (created['silence']['key'], created['silence']['created_by']) == ('deploy', creator)
    assert alertmanager.silence(first_id)['createdBy'] == '%s [key:deploy]' % creator
    assert run_module('alertmanager_silence', **keyed_args())['changed'] is False

    # Someone rewrites the comment with amtool: the key lives in createdBy, which amtool leaves alone.
    subprocess.run([AMTOOL, '--alertmanager.url=%s' % alertmanager.url, 'silence', 'update', '-q',
                    '--comment=deploy window -- ask the payments team', first_id],
                   check=True, capture_output=True, timeout=30)
    (edited,) = live_keyed(alertmanager, creator, 'deploy')
    assert (edited['id'], edited['comment']) == (first_id, 'deploy window -- ask the payments team')
    assert edited['createdBy'] == '%s [key:deploy]' % creator
    restored = run_module('alertmanager_silence', **keyed_args())
    assert (restored['changed'], restored['silence']['action']) == (True, 'update')
    (live,) = live_keyed(alertmanager, creator, 'deploy')
    assert (live['id'], live['comment']) == (edited['id'], 'deploy window')

    # New matchers: predicted in check mode, then Alertmanager replaces the silence in one request.
    # The new silence starts when it is made, well after the old one (the pause makes sure of it),
    # and its duration counts from then.
    time.sleep(1.5)
    matchers = ['job="payments"', 'env="prod"']
    planned = run_module('alertmanager_silence', check=True, **keyed_args(matchers=matchers))
    assert (planned['silence']['replaced'], planned['http_requests']) == (True, 1)
    moved = run_module('alertmanager_silence', **keyed_args(matchers=matchers))
    assert moved['changed'] is True, moved
    assert (moved['silence']['replaced'], moved['silence']['previous_id']) == (True, live['id'])
    assert moved['http_requests'] == 2
    (now_live,) = live_keyed(alertmanager, creator, 'deploy')
    assert now_live['id'] == moved['silence']['id'] != live['id']
    assert sorted(m['name'] for m in now_live['matchers']) == ['env', 'job']
    length = parse_time(now_live['endsAt']) - parse_time(now_live['startsAt'])
    assert abs(length - timedelta(hours=1)) < timedelta(seconds=1)
    assert alertmanager.silence(live['id'])['status']['state'] == 'expired'
    assert run_module('alertmanager_silence', **keyed_args(matchers=matchers))['changed'] is False

    # The key alone ends it.
    gone = run_module('alertmanager_silence', url=alertmanager.url, created_by=creator, key='deploy', state='absent')
    assert (gone['changed'], gone['expired_ids']) == (True, [now_live['id']])
    assert live_keyed(alertmanager, creator, 'deploy') == []
    again = run_module('alertmanager_silence', url=alertmanager.url, created_by=creator, key='deploy', state='absent')
    assert again['changed'] is False


def test_without_a_key_new_matchers_declare_a_second_silence(alertmanager, creator, run_module, keyed_args):
    run_module('alertmanager_silence', **keyed_args(key=None))
    run_module('alertmanager_silence', **keyed_args(key=None, matchers=['job="payments"', 'env="prod"']))
    assert len(alertmanager.live(creator)) == 2


def test_adding_a_key_adopts_the_silence(alertmanager, creator, run_module, keyed_args):
    plain = run_module('alertmanager_silence', **keyed_args(key=None))
    adopted = run_module('alertmanager_silence', **keyed_args())
    assert (adopted['silence']['action'], adopted['silence']['id']) == ('update', plain['silence']['id'])
    assert alertmanager.live(creator) == []
    assert [s['id'] for s in live_keyed(alertmanager, creator, 'deploy')] == [plain['silence']['id']]


def test_duplicates_of_a_key_are_folded(alertmanager, creator, run_module, keyed_args):
    """What a retried POST leaves behind when a proxy answered 502 after Alertmanager created the silence."""
    made = run_module('alertmanager_silence', **keyed_args())['silence']
    body = dict(alertmanager.silence(made['id']))
    for name in ('id', 'status', 'updatedAt'):
        body.pop(name)
    twin = alertmanager.request('POST', '/api/v2/silences', body)['silenceID']
    assert len(live_keyed(alertmanager, creator, 'deploy')) == 2
    folded = run_module('alertmanager_silence', **keyed_args())
    assert folded['changed'] is True
    assert sorted([folded['silence']['id']] + folded['silence']['expired_ids']) == sorted([made['id'], twin])
    assert len(live_keyed(alertmanager, creator, 'deploy')) == 1


def test_a_keyed_list_with_prune(alertmanager, creator, run_module):
    def items(*keys):
        return [{'key': key, 'matchers': ['instance="%s:9100"' % key], 'comment': 'rack 4', 'duration': '1h'}
                for key in keys]

    first = run_module('alertmanager_silence', url=alertmanager.url, created_by=creator, prune=True,
                       silences=items('a', 'b', 'c'))
    ids = dict((s['key'], s['id']) for s in first['silences'])
    changed = items('a', 'b')
    changed[0]['matchers'] = ['instance="a:9100"', 'job="node"']
    second = run_module('alertmanager_silence', url=alertmanager.url, created_by=creator, prune=True,
                        silences=changed)
    assert [s['action'] for s in second['silences']] == ['update', 'unchanged']
    assert second['silences'][0]['previous_id'] == ids['a']
    assert second['pruned_ids'] == [ids['c']]
    live = [s for s in alertmanager.request('GET', '/api/v2/silences')
            if s['createdBy'].startswith(creator + ' ') and s['status']['state'] != 'expired']
    assert sorted(s['createdBy'] for s in live) == ['%s [key:a]' % creator, '%s [key:b]' % creator]
