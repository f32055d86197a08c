"""Dashboard JSON without a server: normalisation, inputs of shared exports, change paths, folder paths."""

import json

import pytest
from ansible_collections.tradpal.monitoring.plugins.module_utils import _grafana_dashboards as dash
from ansible_collections.tradpal.monitoring.plugins.module_utils._grafana import FolderResolver, split_folder_path
from ansible_collections.tradpal.monitoring.plugins.module_utils._module import InputError

STORED = {'id': 42, 'uid': 'orders', 'version': 7, 'iteration': 1717171717, 'title': 'Orders', 'gnetId': None,
          'tags': ['trading', 'tradpal.monitoring'], 'panels': [{'id': 1, 'title': 'Rate'}]}


def test_normalise_leaves_out_what_grafana_owns_and_adds_the_tag():
    declared = {'uid': 'orders', 'title': 'Orders', 'tags': ['trading'], 'panels': [{'id': 1, 'title': 'Rate'}],
                '__inputs': [], '__requires': [{'id': 'grafana'}], 'id': None}
    assert dash.normalise(declared, 'tradpal.monitoring') == dash.normalise(STORED)
    assert 'version' not in dash.normalise(STORED) and 'gnetId' not in dash.normalise(STORED)


def test_normalise_does_not_touch_its_input_and_keeps_tag_order():
    declared = {'uid': 'u', 'title': 't', 'tags': ['tradpal.monitoring', 'a']}
    assert dash.normalise(declared, 'tradpal.monitoring')['tags'] == ['tradpal.monitoring', 'a']
    assert dash.normalise({'uid': 'u', 'title': 't'}, 'm')['tags'] == ['m']
    assert dash.normalise({'uid': 'u', 'title': 't'}, '') == {'uid': 'u', 'title': 't'}


def test_parse_unwraps_api_answers_and_refuses_non_objects():
    assert dash.parse_dashboard(json.dumps({'dashboard': {'uid': 'a'}, 'meta': {}}), 'x') == {'uid': 'a'}
    with pytest.raises(InputError, match='not valid JSON'):
        dash.parse_dashboard('{', 'file.json')
    with pytest.raises(InputError, match='JSON object is expected'):
        dash.parse_dashboard('[1]', 'file.json')


EXPORT = {
    '__inputs': [{'name': 'DS_PROM', 'label': 'Prometheus', 'type': 'datasource', 'pluginId': 'prometheus'},
                 {'name': 'VAR_ENV', 'type': 'constant', 'value': 'prod'}],
    'uid': 'node', 'title': 'Node ${VAR_ENV}',
    'panels': [{'datasource': {'uid': '${DS_PROM}'}, 'targets': [{'expr': 'up{instance="${instance}"}'}]}],
}


def test_inputs_are_resolved_and_variables_stay():
    resolved = dash.resolve_inputs(EXPORT, {'DS_PROM': 'prom-main'}, 'node.json')
    assert resolved['panels'][0]['datasource'] == {'uid': 'prom-main'}
    assert resolved['title'] == 'Node prod', 'constants use their default'
    assert resolved['panels'][0]['targets'][0]['expr'] == 'up{instance="${instance}"}'
    assert EXPORT['panels'][0]['datasource']['uid'] == '${DS_PROM}', 'input not modified'


def test_missing_input_is_named():
    with pytest.raises(InputError, match=r'missing: DS_PROM \(datasource prometheus'):
        dash.resolve_inputs(EXPORT, {}, 'node.json')


def test_given_inputs_without_declaration_are_replaced_too():
    assert dash.resolve_inputs({'a': '${X}-${Y}'}, {'X': 1}, 's') == {'a': '1-${Y}'}
    plain = {'a': '${X}'}
    assert dash.resolve_inputs(plain, None, 's') is plain


def test_changed_paths_name_what_differs():
    before = dash.normalise(STORED)
    after = dict(before, refresh='1m', panels=[{'id': 1, 'title': 'Rate/s'}])
    assert dash.changed_paths(before, after) == ['panels[0].title', 'refresh']
    assert dash.changed_paths(before, before) == []
    assert dash.changed_paths(before, dict(before, panels=[])) == ['panels']
    assert dash.changed_paths(1, 2) == ['(whole dashboard)']


def test_summary_is_capped():
    paths = ['p%d' % i for i in range(25)]
    assert dash.summarise_changes(paths)[-1] == '... and 5 more'
    assert len(dash.summarise_changes(paths)) == dash.CHANGES_SHOWN + 1


def test_diff_text_is_stable_and_readable():
    text = dash.diff_text('team', {'title': 'T', 'uid': 'u'})
    assert text.splitlines()[1:4] == ['  "dashboard": {', '    "title": "T",', '    "uid": "u"']
    assert '"folderUid": "team"' in text
    assert dash.diff_text('', None) == ''


class Folders:
    """Answers FolderResolver's two calls from a tree, counting them."""

    def __init__(self, *folders):
        self.folders = {f['uid']: f for f in folders}
        self.calls = []

    def get_folder(self, uid):
        self.calls.append(('get', uid))
        return self.folders.get(uid)

    def list_folders(self, parent_uid=None):
        self.calls.append(('list', parent_uid))
        return [f for f in self.folders.values() if (f.get('parentUid') or None) == parent_uid]


TREE = Folders({'uid': 'team', 'title': 'Team'}, {'uid': 'lat', 'title': 'Latency', 'parentUid': 'team'},
               {'uid': 'x1', 'title': 'Twin'}, {'uid': 'x2', 'title': 'Twin'})


def test_folder_by_uid_title_or_path():
    resolver = FolderResolver(TREE)
    assert resolver.resolve('team') == 'team'
    assert resolver.resolve('Team') == 'team'
    assert resolver.resolve('Team/Latency') == 'lat'
    assert resolver.resolve('Team/Nothing') is None
    assert resolver.resolve(None) == resolver.resolve('General') == ''


def test_folder_levels_are_listed_once_per_run():
    tree = Folders(*TREE.folders.values())
    resolver = FolderResolver(tree)
    resolver.resolve('Team/Latency')
    resolver.resolve('Team/Latency')
    assert tree.calls.count(('list', None)) == 1 and tree.calls.count(('list', 'team')) == 1


def test_ambiguous_title_fails():
    with pytest.raises(InputError, match=r'ambiguous.*x1, x2'):
        FolderResolver(TREE).resolve('Twin')


def test_folder_path_splitting():
    assert split_folder_path('Team/Sub team/') == ['Team', 'Sub team']
    with pytest.raises(InputError):
        split_folder_path('Team//Sub')
