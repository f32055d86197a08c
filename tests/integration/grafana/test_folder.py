"""grafana_folder against the double or a real Grafana: one folder through its life, and Grafana's refusals."""


def test_create_rerun_rename_move_absent(grafana, space, run_module):
    args = dict(grafana.auth_args, uid='%s-team' % space, title='Team', parent=space)
    preview = run_module('grafana_folder', check=True, diff=True, **args)
    assert preview['changed'] is True and preview['actions'] == ['created'], preview
    assert preview['diff']['after']['title'] == 'Team'
    assert grafana.proxy.take().keys() == {'GET'}, 'check mode only reads'
    assert grafana.folder('%s-team' % space) is None

    created = run_module('grafana_folder', **args)
    assert created['changed'] is True, created
    assert created['folder']['parent'] == space
    stored = grafana.folder('%s-team' % space)
    assert (stored['title'], stored['parentUid']) == ('Team', space)
    grafana.proxy.take()

    again = run_module('grafana_folder', **args)
    assert (again['changed'], again['actions'], again['http_requests']) == (False, [], 1), again
    assert grafana.proxy.take() == {'GET': 1}

    renamed = run_module('grafana_folder', diff=True, **dict(args, title='Team (renamed)'))
    assert renamed['changed'] is True and renamed['actions'] == ['renamed'], renamed
    assert renamed['diff']['before']['title'] == 'Team' and renamed['diff']['after']['title'] == 'Team (renamed)'
    assert grafana.folder('%s-team' % space)['title'] == 'Team (renamed)'

    # A second parent, then move there by uid.
    run_module('grafana_folder', **dict(args, uid='%s-other' % space, title='Other'))
    moved = run_module('grafana_folder', **dict(args, title='Team (renamed)', parent='%s-other' % space))
    assert moved['changed'] is True and moved['actions'] == ['moved'], moved
    assert grafana.folder('%s-team' % space)['parentUid'] == '%s-other' % space

    gone = run_module('grafana_folder', **dict(args, state='absent'))
    assert gone['changed'] is True and gone['folder'] is None, gone
    assert grafana.folder('%s-team' % space) is None
    again = run_module('grafana_folder', **dict(args, state='absent'))
    assert again['changed'] is False, 'deleting a folder that does not exist changes nothing'


def test_uid_taken_is_a_clear_error(grafana, space, run_module):
    args = dict(grafana.auth_args, uid='%s-clash' % space, title='Clash', parent=space)
    grafana.api('POST', '/api/dashboards/db', {'dashboard': {'uid': '%s-clash' % space, 'title': 'A dashboard'},
                                               'folderUid': space})
    failed = run_module('grafana_folder', **args)
    assert failed.get('failed') is True, failed
    assert 'already has this uid' in failed['msg'], failed['msg']


def test_nesting_too_deep_is_explained(grafana, space, run_module):
    grafana.require_double('the maximum depth is a server setting the test cannot read from a real Grafana')
    parent = space
    failed = None
    for level in range(1, 10):
        result = run_module('grafana_folder', **dict(grafana.auth_args, uid='%s-l%d' % (space, level),
                                                     title='Level %d' % level, parent=parent))
        if result.get('failed'):
            failed = result
            break
        parent = '%s-l%d' % (space, level)
    assert failed is not None, 'the double limits nesting depth'
    assert 'max_nested_folder_depth' in failed['msg'] and 'Maximum nested folder depth' in failed['msg'], failed


def test_rename_after_someone_else_renamed_reports_the_conflict(grafana, space, run_module):
    uid = '%s-busy' % space
    args = dict(grafana.auth_args, uid=uid, title='Busy', parent=space)
    run_module('grafana_folder', **args)
    # A colleague renames it between this run's read and its write.
    grafana.proxy.before_write = lambda: grafana.api('PUT', '/api/folders/%s' % uid, {'title': 'Theirs', 'version': 1})
    failed = run_module('grafana_folder', **dict(args, title='Mine'))
    assert failed.get('failed') is True, failed
    assert 'changed by someone else' in failed['msg'] and 'overwrite: true' in failed['msg'], failed['msg']
    assert grafana.folder(uid)['title'] == 'Theirs'
    forced = run_module('grafana_folder', **dict(args, title='Mine', overwrite=True))
    assert forced['changed'] is True
    assert grafana.folder(uid)['title'] == 'Mine'


def test_org_header_and_no_org_switch(grafana, space, run_module):
    double = grafana.require_double('reads the requests the server received')
    double.requests.clear()
    run_module('grafana_folder', **dict(grafana.auth_args, uid='%s-org' % space, title='Org', parent=space, org_id=1))
    assert double.requests and all(org == 1 for _m, _p, org, _s in double.requests)
    assert not [p for _m, p, _o, _s in double.requests if p.startswith('/api/user/using')]
