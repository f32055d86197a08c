"""Many dashboards in one task, prune, the info module's export round trip, and a real ansible-playbook run."""

import json
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

PLAYBOOK = """
- name: URL and credentials once, through the action group
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/tradpal.monitoring.grafana: "{{ grafana_connection }}"
  tasks:
    - name: Folder
      tradpal.monitoring.grafana_folder:
        uid: "{{ space }}-pb"
        title: Playbook
        parent: "{{ space }}"
    - name: Dashboards
      tradpal.monitoring.grafana_dashboard:
        directory: "{{ source_dir }}"
        folder: "{{ space }}-pb"
      register: first
    - name: Again
      tradpal.monitoring.grafana_dashboard:
        directory: "{{ source_dir }}"
        folder: "{{ space }}-pb"
      register: again
    - name: List
      tradpal.monitoring.grafana_dashboard_info:
        folder: "{{ space }}-pb"
      register: listed
    - name: Check
      ansible.builtin.assert:
        that:
          - first is changed
          - again is not changed
          - listed.dashboards | map(attribute='uid') | sort == [space ~ '-a', space ~ '-b']
"""


def write_sources(folder, dashboard_json, names, **fields):
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / ('%s.json' % name)).write_text(json.dumps(dashboard_json(name, **fields)))


def test_bulk_apply_noop_and_prune(grafana, space, dashboard_json, run_module, tmp_path):
    names = ['d%02d' % i for i in range(12)]
    items = [{'content': dashboard_json(name)} for name in names]
    tag = 'it-managed-%s' % space  # a tag of this test's own: prune never reaches other dashboards
    args = dict(grafana.auth_args, dashboards=items, folder=space, management_tag=tag, prune=True)
    created = run_module('grafana_dashboard', **args)
    assert created['changed'] is True, created
    assert [d['action'] for d in created['dashboards']] == ['created'] * 12
    grafana.proxy.take()

    again = run_module('grafana_dashboard', **args)
    assert again['changed'] is False, again
    counts = grafana.proxy.take()
    assert counts.keys() == {'GET'}, counts
    # One search page, one read per existing dashboard, one for the folder lookup.
    assert counts['GET'] == again['http_requests'] <= 12 + 2, counts

    # Drop two from the declaration, change one, and add an unmanaged dashboard prune must not touch.
    grafana.api('POST', '/api/dashboards/db', {'dashboard': dashboard_json('hand'), 'folderUid': space})
    kept = items[2:]
    kept[0] = {'content': dashboard_json(names[2], refresh='1m')}
    pruned = run_module('grafana_dashboard', check=True, **dict(args, dashboards=kept))
    assert sorted(d['uid'] for d in pruned['dashboards'] if d['action'] == 'pruned') == [
        '%s-%s' % (space, n) for n in names[:2]]
    assert grafana.proxy.take().keys() == {'GET'}
    done = run_module('grafana_dashboard', **dict(args, dashboards=kept))
    assert sorted((d['uid'], d['action']) for d in done['dashboards'] if d['action'] != 'unchanged') == [
        ('%s-%s' % (space, names[0]), 'pruned'), ('%s-%s' % (space, names[1]), 'pruned'),
        ('%s-%s' % (space, names[2]), 'updated')]
    assert grafana.dashboard('%s-%s' % (space, names[0])) is None
    assert grafana.dashboard('%s-hand' % space) is not None, 'dashboards without the tag stay'


def test_export_applies_back_unchanged(grafana, space, dashboard_json, run_module, tmp_path):
    source = tmp_path / 'src'
    write_sources(source, dashboard_json, ['x', 'y'])
    run_module('grafana_dashboard', **dict(grafana.auth_args, directory=str(source), folder=space))
    # A hand-made one in the same folder, as the web UI saves it.
    grafana.api('POST', '/api/dashboards/db', {'dashboard': dict(dashboard_json('ui'), iteration=1717171717,
                                                                 id=None), 'folderUid': space})
    export = tmp_path / 'export'
    listed = run_module('grafana_dashboard_info', **dict(grafana.auth_args, folder=space, export_dir=str(export)))
    assert listed['changed'] is True, listed
    by_uid = {d['uid']: d for d in listed['dashboards']}
    assert set(by_uid) == {'%s-%s' % (space, n) for n in ('x', 'y', 'ui')}
    assert by_uid['%s-x' % space]['version'] == 1 and by_uid['%s-x' % space]['provisioned'] is False
    assert by_uid['%s-x' % space]['folder_uid'] == space
    exported = json.loads((export / ('%s-x.json' % space)).read_text())
    assert 'id' not in exported and 'version' not in exported

    again = run_module('grafana_dashboard_info', **dict(grafana.auth_args, folder=space, export_dir=str(export)))
    assert again['changed'] is False, 'same content, files left alone'
    grafana.proxy.take()
    back = tmp_path / 'back'
    back.mkdir()
    for path in export.iterdir():
        if not path.name.endswith('-ui.json'):
            path.rename(back / path.name)
    applied = run_module('grafana_dashboard', **dict(grafana.auth_args, directory=str(back), folder=space))
    assert not applied.get('failed') and applied['changed'] is False, applied
    assert [d['action'] for d in applied['dashboards']] == ['unchanged', 'unchanged']
    assert grafana.proxy.take().keys() == {'GET'}
    by_tag = run_module('grafana_dashboard_info', **dict(grafana.auth_args, tags=['tradpal.monitoring'],
                                                         uids=['%s-x' % space, '%s-ui' % space]))
    assert [d['uid'] for d in by_tag['dashboards']] == ['%s-x' % space]


def test_module_defaults_group_in_a_playbook(grafana, space, dashboard_json, run_playbook, tmp_path):
    source = tmp_path / 'src'
    write_sources(source, dashboard_json, ['a', 'b'])
    playbook = tmp_path / 'grafana.yml'
    playbook.write_text(PLAYBOOK)
    done = run_playbook(playbook, {'grafana_connection': grafana.auth_args, 'space': space,
                                   'source_dir': str(source)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert grafana.dashboard('%s-a' % space)['meta']['folderUid'] == '%s-pb' % space


def test_search_pages_beyond_the_limit(grafana, space):
    grafana.require_double('creating thousands of dashboards in a real Grafana is too slow for CI')
    double = grafana.double
    for index in range(5003):
        double.seed_dashboard({'uid': '%s-p%05d' % (space, index), 'title': 'page %05d' % index})
    first = grafana.api('GET', '/api/search?type=dash-db&limit=5000&page=1')
    second = grafana.api('GET', '/api/search?type=dash-db&limit=5000&page=2')
    assert len(first) == 5000 and len(second) >= 3
    assert not {h['uid'] for h in first} & {h['uid'] for h in second}
    with double.lock:  # faster than 5003 DELETE requests at teardown
        for uid in [u for u in double.orgs[1].dashboards if u.startswith('%s-p' % space)]:
            del double.orgs[1].dashboards[uid]


def test_health_needs_no_credentials(grafana):
    with urllib.request.urlopen(grafana.url + '/api/health', timeout=5) as answer:  # noqa: S310
        body = json.loads(answer.read())
    assert body['database'] == 'ok'


def test_prune_refuses_an_empty_declaration(grafana, space, run_module, tmp_path):
    empty = tmp_path / 'empty'
    empty.mkdir()
    result = run_module('grafana_dashboard', **dict(grafana.auth_args, directory=str(empty), prune=True,
                                                    management_tag='it-managed-%s' % space))
    assert result.get('failed') is True, result
    assert 'prune with no dashboard declared present' in result['msg']
    assert grafana.proxy.take().keys() <= {'GET'}


def test_the_shipped_tradpal_dashboards_push_on_their_own(grafana, space, run_module):
    """The grafana role's five dashboards also serve a Grafana the role does not manage."""
    shipped = REPO / 'roles' / 'grafana' / 'files' / 'dashboards'
    uids = sorted(json.loads(path.read_text())['uid'] for path in shipped.glob('*.json'))
    try:
        pushed = run_module('grafana_dashboard', **dict(grafana.auth_args, directory=str(shipped), folder=space))
        assert not pushed.get('failed') and pushed['changed'] is True, pushed
        assert sorted((d['uid'], d['action']) for d in pushed['dashboards']) == [(uid, 'created') for uid in uids]
        for uid in uids:
            stored = grafana.dashboard(uid)
            assert stored['meta']['folderUid'] == space
            variable = [v for v in stored['dashboard']['templating']['list'] if v['name'] == 'datasource']
            assert variable and variable[0]['type'] == 'datasource', uid
        again = run_module('grafana_dashboard', **dict(grafana.auth_args, directory=str(shipped), folder=space))
        assert again['changed'] is False, again
    finally:
        for uid in uids:
            grafana.api('DELETE', '/api/dashboards/uid/%s' % uid, expect=None)
