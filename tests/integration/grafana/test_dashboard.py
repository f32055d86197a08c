"""grafana_dashboard against the double or a real Grafana: one dashboard through its life, and the refusals."""

import json


def version(grafana, uid):
    return grafana.dashboard(uid)['dashboard']['version']


def test_lifecycle_create_noop_edit_move_conflict_absent(grafana, space, dashboard_json, run_module, tmp_path):
    grafana.api('POST', '/api/folders', {'uid': '%s-sub' % space, 'title': 'Latency', 'parentUid': space})
    source = tmp_path / 'orders.json'
    source.write_text(json.dumps(dashboard_json()))
    uid = '%s-main' % space
    args = dict(grafana.auth_args, path=str(source), folder=space, commit_message='from the tests')

    preview = run_module('grafana_dashboard', check=True, diff=True, **args)
    assert preview['changed'] is True and preview['dashboards'][0]['action'] == 'created', preview
    assert grafana.proxy.take().keys() == {'GET'}, 'check mode only reads'
    assert grafana.dashboard(uid) is None

    created = run_module('grafana_dashboard', **args)
    assert created['changed'] is True, created
    stored = grafana.dashboard(uid)
    assert stored['meta']['folderUid'] == space, 'placed by folderUid'
    assert 'tradpal.monitoring' in stored['dashboard']['tags']
    first_version = stored['dashboard']['version']
    grafana.proxy.take()

    again = run_module('grafana_dashboard', **args)
    assert again['changed'] is False and again['dashboards'][0]['action'] == 'unchanged', again
    assert grafana.proxy.take().keys() == {'GET'}, 'no write when nothing differs'
    assert version(grafana, uid) == first_version

    source.write_text(json.dumps(dashboard_json(refresh='1m', panels=[dict(dashboard_json()['panels'][0],
                                                                           title='Orders/s')])))
    edited = run_module('grafana_dashboard', diff=True, **args)
    assert edited['changed'] is True, edited
    assert edited['dashboards'][0]['changes'] == ['panels[0].title', 'refresh']
    (diff,) = edited['diff']
    assert '"title": "Orders per second"' in diff['before'] and '"title": "Orders/s"' in diff['after']
    assert version(grafana, uid) == first_version + 1

    moved = run_module('grafana_dashboard', **dict(args, folder='%s/Latency' % grafana.folder(space)['title']))
    assert moved['dashboards'][0]['action'] == 'moved', moved
    assert grafana.dashboard(uid)['meta']['folderUid'] == '%s-sub' % space

    # A colleague saves in the web UI between this run's read and its write.
    source.write_text(json.dumps(dashboard_json(refresh='5m')))
    grafana.proxy.before_write = lambda: grafana.edit_dashboard(uid, description='edited by hand')
    conflict = run_module('grafana_dashboard', **dict(args, folder='%s-sub' % space))
    assert conflict.get('failed') is True, conflict
    msg = conflict['msg']
    assert 'changed by someone else' in msg and 'overwrite: true' in msg and 'nothing was overwritten' in msg, msg
    assert grafana.dashboard(uid)['dashboard']['description'] == 'edited by hand'
    forced = run_module('grafana_dashboard', **dict(args, folder='%s-sub' % space, overwrite=True))
    assert forced['changed'] is True, forced
    assert 'description' not in grafana.dashboard(uid)['dashboard']

    check_absent = run_module('grafana_dashboard', check=True, **dict(grafana.auth_args, uid=uid, state='absent'))
    assert check_absent['changed'] is True and grafana.dashboard(uid) is not None
    gone = run_module('grafana_dashboard', **dict(grafana.auth_args, uid=uid, state='absent'))
    assert gone['changed'] is True and grafana.dashboard(uid) is None
    again = run_module('grafana_dashboard', **dict(grafana.auth_args, uid=uid, state='absent'))
    assert again['changed'] is False


def test_no_uid_is_refused_with_the_reason(grafana, dashboard_json, run_module):
    dashboard = dashboard_json()
    del dashboard['uid']
    failed = run_module('grafana_dashboard', **dict(grafana.auth_args, content=dashboard))
    assert failed.get('failed') is True
    assert 'titles are not unique' in failed['msg'] and 'Grafana 11.3' in failed['msg'], failed['msg']


def test_export_for_sharing_with_inputs(grafana, space, dashboard_json, run_module):
    shared = dashboard_json(__inputs=[{'name': 'DS_PROM', 'label': 'Prometheus', 'type': 'datasource',
                                       'pluginId': 'prometheus'}],
                            __requires=[{'type': 'grafana', 'id': 'grafana', 'version': '11.0.0'}])
    shared['panels'][0]['datasource'] = {'type': 'prometheus', 'uid': '${DS_PROM}'}
    shared['panels'][0]['targets'][0]['expr'] = 'up{instance="${instance}"}'
    args = dict(grafana.auth_args, content=json.dumps(shared), folder=space)
    missing = run_module('grafana_dashboard', **args)
    assert missing.get('failed') is True and 'DS_PROM' in missing['msg'], missing
    created = run_module('grafana_dashboard', **dict(args, inputs={'DS_PROM': 'prom-main'}))
    assert created['changed'] is True, created
    panel = grafana.dashboard(shared['uid'])['dashboard']['panels'][0]
    assert panel['datasource']['uid'] == 'prom-main'
    assert panel['targets'][0]['expr'] == 'up{instance="${instance}"}', 'dashboard variables stay'
    assert '__inputs' not in grafana.dashboard(shared['uid'])['dashboard']
    assert run_module('grafana_dashboard', **dict(args, inputs={'DS_PROM': 'prom-main'}))['changed'] is False


def test_missing_folder_fails_before_writing(grafana, space, dashboard_json, run_module):
    failed = run_module('grafana_dashboard', **dict(grafana.auth_args, content=dashboard_json(),
                                                    folder='%s-nowhere' % space))
    assert failed.get('failed') is True and 'does not exist' in failed['msg'], failed
    assert 'POST' not in grafana.proxy.take()
    # The API itself: an unknown folderUid is a 400, not a dashboard in the root.
    answer = grafana.api('POST', '/api/dashboards/db', {'dashboard': dashboard_json('x'), 'folderUid': 'no-such-f'},
                         expect=400)
    assert 'folder not found' in answer['message'].lower()


def test_folder_id_is_ignored_as_grafana_13_does(grafana, space, dashboard_json):
    double = grafana.require_double('Grafana before 13 still honours folderId')
    folder_id = grafana.folder(space)['id']
    grafana.api('POST', '/api/dashboards/db', {'dashboard': dashboard_json('legacy'), 'folderId': folder_id})
    assert grafana.dashboard('%s-legacy' % space)['meta']['folderUid'] == ''
    assert double.version


def test_provisioned_dashboard_is_reported(grafana, space, dashboard_json, run_module):
    double = grafana.require_double('provisioned dashboards come from files on the Grafana server')
    double.seed_dashboard(dashboard_json('prov'), folder_uid=space, provisioned=True)
    failed = run_module('grafana_dashboard', **dict(grafana.auth_args, content=dashboard_json('prov', refresh='1m'),
                                                    folder=space))
    assert failed.get('failed') is True and 'Cannot save provisioned dashboard' in failed['msg'], failed
    assert 'POST' not in grafana.proxy.take()
    answer = grafana.api('POST', '/api/dashboards/db', {'dashboard': dashboard_json('prov'), 'overwrite': True},
                         expect=400)
    assert answer['message'] == 'Cannot save provisioned dashboard'


def test_plugin_dashboard_needs_overwrite(grafana, space, dashboard_json, run_module):
    double = grafana.require_double('plugin dashboards are installed by plugins')
    double.seed_dashboard(dashboard_json('plugin'), folder_uid=space, plugin_id='grafana-piechart-panel')
    args = dict(grafana.auth_args, content=dashboard_json('plugin', refresh='1m'), folder=space)
    stored = grafana.dashboard('%s-plugin' % space)['dashboard']
    answer = grafana.api('POST', '/api/dashboards/db', {'dashboard': stored, 'folderUid': space}, expect=412)
    assert answer['status'] == 'plugin-dashboard'
    failed = run_module('grafana_dashboard', **args)
    assert failed.get('failed') is True and 'belongs to plugin' in failed['msg'], failed
    assert run_module('grafana_dashboard', **dict(args, overwrite=True))['changed'] is True


def test_api_rules_the_module_relies_on(grafana, space, dashboard_json):
    """Every save bumps the version, even an identical one; a stale version is refused."""
    saved = grafana.api('POST', '/api/dashboards/db', {'dashboard': dashboard_json('rules'), 'folderUid': space})
    assert saved['version'] == 1 and saved['status'] == 'success'
    stored = grafana.dashboard(saved['uid'])['dashboard']
    again = grafana.api('POST', '/api/dashboards/db', {'dashboard': stored, 'folderUid': space})
    assert again['version'] == 2
    # `stored` carries version 1, Grafana has 2: refused (412 up to Grafana 12, 409 on the newest).
    stale = grafana.api('POST', '/api/dashboards/db', {'dashboard': stored, 'folderUid': space}, expect=None)
    assert stale.get('status') == 'version-mismatch' or 'overwrite' in stale['message'], stale
    empty = grafana.api('POST', '/api/dashboards/db', {'dashboard': dict(stored, title='')}, expect=400)
    assert 'title' in empty['message'].lower()
    assert grafana.api('GET', '/api/dashboards/uid/%s-nothing' % space, expect=404)['message']
    too_many = grafana.api('GET', '/api/search?limit=5001', expect=422)
    assert 'use page parameter' in too_many['message']


def test_newest_conflict_answer_409_is_handled(grafana, space, dashboard_json, run_module):
    double = grafana.require_double('switches the double to the newest (k8s-backed) answer')
    double.conflict_status = 409
    try:
        uid = '%s-c409' % space
        run_module('grafana_dashboard', **dict(grafana.auth_args, content=dashboard_json('c409'), folder=space))
        grafana.proxy.before_write = lambda: grafana.edit_dashboard(uid, description='theirs')
        failed = run_module('grafana_dashboard', **dict(grafana.auth_args, content=dashboard_json('c409', refresh='1m'),
                                                        folder=space))
        assert failed.get('failed') is True and 'HTTP 409' in failed['msg'] and 'admin changed it' in failed['msg'], \
            failed
    finally:
        double.conflict_status = 412


def test_bearer_token_and_org_header(grafana, space, dashboard_json, run_module):
    double = grafana.require_double('uses the double\'s service account token and reads its request log')
    double.requests.clear()
    (token,) = double.tokens
    args = dict(url=grafana.proxy.url, token=token, org_id=1, content=dashboard_json('tok'),
                folder=space)
    assert run_module('grafana_dashboard', **args)['changed'] is True
    assert {(org, scheme) for _m, _p, org, scheme in double.requests} == {(1, 'bearer')}
    wrong = run_module('grafana_dashboard', **dict(args, org_id=2))
    assert wrong.get('failed') is True and wrong['status'] == 401, wrong
    assert double.current_org['admin'] == 1, 'no org switch'
