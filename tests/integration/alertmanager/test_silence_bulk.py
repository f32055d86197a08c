"""Declarative lists of silences and the info module, against a real Alertmanager."""


def declared(hosts, duration='1h'):
    return [{'matchers': ['alertname="NodeDown"', 'instance="%s:9100"' % host], 'comment': 'rack 4 rewiring',
             'duration': duration} for host in hosts]


def test_bulk_apply_reapply_and_prune(alertmanager, creator, run_module):
    args = dict(url=alertmanager.url, created_by=creator)
    # Another team's silence that prune must never touch.
    theirs = run_module('alertmanager_silence', url=alertmanager.url, created_by=creator + '-other',
                        matchers=['alertname="NodeDown"'], comment='theirs', duration='1h')['silence']['id']

    first = run_module('alertmanager_silence', silences=declared(['a', 'b', 'c', 'd']), prune=True, **args)
    assert first['changed'] is True
    assert first['http_requests'] == 1 + 4
    ids = {s['matchers'][1]: s['id'] for s in first['silences']}
    assert sorted(s['id'] for s in alertmanager.live(creator)) == sorted(ids.values())

    again = run_module('alertmanager_silence', silences=declared(['a', 'b', 'c', 'd']), prune=True, **args)
    assert again['changed'] is False
    assert again['http_requests'] == 1
    assert {s['action'] for s in again['silences']} == {'unchanged'}

    # Drop c and d, add e, extend a: one list, one create, one update, two prunes.
    items = declared(['a', 'b', 'e'])
    items[0]['duration'] = '2h'
    changed = run_module('alertmanager_silence', silences=items, prune=True, diff=True, **args)
    assert [s['action'] for s in changed['silences']] == ['update', 'unchanged', 'create']
    assert changed['silences'][0]['id'] == ids['instance="a:9100"']
    assert sorted(changed['pruned_ids']) == sorted([ids['instance="c:9100"'], ids['instance="d:9100"']])
    assert changed['http_requests'] == 1 + 2 + 2
    assert len(changed['diff']) == 4
    live = {s['matchers'][1]['value'] for s in alertmanager.live(creator)}
    assert live == {'a:9100', 'b:9100', 'e:9100'}
    assert alertmanager.silence(theirs)['status']['state'] == 'active'

    # Without prune, undeclared silences stay.
    kept = run_module('alertmanager_silence', silences=declared(['b']), **args)
    assert (kept['changed'], kept['pruned_ids']) == (False, [])
    everything = run_module('alertmanager_silence', silences=[], prune=True, **args)
    assert len(everything['pruned_ids']) == 3
    assert alertmanager.live(creator) == []
    assert alertmanager.silence(theirs)['status']['state'] == 'active'


def test_bulk_check_mode_writes_nothing(alertmanager, creator, run_module):
    result = run_module('alertmanager_silence', check=True, url=alertmanager.url, created_by=creator,
                        silences=declared(['x', 'y']))
    assert (result['changed'], result['http_requests']) == (True, 1)
    assert [s['id'] for s in result['silences']] == [None, None]
    assert alertmanager.silences(creator) == []


def test_info_filters(alertmanager, creator, run_module):
    args = dict(url=alertmanager.url, created_by=creator)
    later = {'matchers': ['job="batch"'], 'comment': 'later', 'starts_at': '2999-01-01T00:00:00Z', 'duration': '1h'}
    made = run_module('alertmanager_silence', silences=[*declared(['p', 'q']), later], **args)
    ids = [s['id'] for s in made['silences']]
    run_module('alertmanager_silence', url=alertmanager.url, id=ids[1], state='absent')

    def listed(**options):
        result = run_module('alertmanager_silence_info', url=alertmanager.url, created_by=creator, **options)
        assert result['changed'] is False
        return sorted(s['id'] for s in result['silences'])

    assert listed() == sorted(ids)
    assert listed(state=['active']) == [ids[0]]
    assert listed(state=['pending']) == [ids[2]]
    assert listed(state=['expired']) == [ids[1]]
    assert listed(matchers=['instance="p:9100"']) == [ids[0]]
    assert listed(matchers=['alertname="NodeDown"'], state=['active', 'expired']) == sorted(ids[:2])
    assert listed(id=ids[2]) == [ids[2]]
    (entry,) = run_module('alertmanager_silence_info', url=alertmanager.url, id=ids[0])['silences']
    assert entry['matchers'] == ['alertname="NodeDown"', 'instance="p:9100"']
    assert entry['created_by'] == creator
    assert entry['state'] == 'active'
    assert run_module('alertmanager_silence_info', url=alertmanager.url,
                      id='00000000-0000-0000-0000-000000000000')['silences'] == []


def test_prune_refuses_the_default_creator(alertmanager, run_module):
    """A maintenance window made with the default creator must survive a prune that forgot created_by."""
    window = run_module('alertmanager_silence', url=alertmanager.url, matchers=['instance="db1:9100"'],
                        comment='maintenance window, prune test', duration='1h')['silence']
    refused = run_module('alertmanager_silence', url=alertmanager.url, silences=[], prune=True)
    assert refused['failed'] is True
    assert 'explicit created_by' in refused['msg']
    assert alertmanager.silence(window['id'])['status']['state'] == 'active'
    run_module('alertmanager_silence', url=alertmanager.url, id=window['id'], state='absent')
