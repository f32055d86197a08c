"""The Grafana client's requests: org header, auth, paging, 404s (transport replaced, no network)."""

from ansible_collections.tradpal.monitoring.plugins.module_utils._grafana import GrafanaClient, _paged_get
from ansible_collections.tradpal.monitoring.plugins.module_utils._http import HttpApiError


class Http:
    def __init__(self, pages):
        self.pages = list(pages)
        self.queries = []
        self.request_count = 0

    def request(self, method, path, query=None, body=None, idempotent=None):
        self.queries.append((method, path, query))
        answer = self.pages.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_org_header_and_token_from_params():
    client = GrafanaClient.from_params({'url': 'http://g', 'token': 'glsa_x', 'org_id': 3, 'validate_certs': True})
    headers = client.http._request.headers
    assert headers['X-Grafana-Org-Id'] == '3' and headers['Authorization'] == 'Bearer glsa_x'
    plain = GrafanaClient.from_params({'url': 'http://g', 'url_username': 'u', 'url_password': 'p'})
    assert 'X-Grafana-Org-Id' not in plain.http._request.headers


def test_paging_stops_at_a_short_page():
    http = Http([[{'uid': 'a'}, {'uid': 'b'}], [{'uid': 'c'}]])
    assert [h['uid'] for h in _paged_get(http, 'api/search', [('type', 'dash-db')], 2)] == ['a', 'b', 'c']
    assert http.queries[1][2] == [('type', 'dash-db'), ('limit', 2), ('page', 2)]


def test_paging_stops_when_pages_repeat():
    # Grafana's k8s folder handler ignores `page`: every page is the whole list.
    http = Http([[{'uid': 'a'}, {'uid': 'b'}], [{'uid': 'a'}, {'uid': 'b'}]])
    assert len(_paged_get(http, 'api/folders', [], 2)) == 2


def test_not_found_is_none_and_other_errors_raise():
    client = GrafanaClient(Http([HttpApiError('x', 'GET', 'u', status=404), HttpApiError('x', 'GET', 'u', status=500)]))
    assert client.get_dashboard('a') is None
    try:
        client.get_folder('b')
    except HttpApiError as exc:
        assert exc.status == 500
    else:
        raise AssertionError('500 must raise')


def test_save_sends_folder_uid_never_folder_id():
    http = Http([{'status': 'success'}])
    GrafanaClient(http).save_dashboard({'uid': 'a'}, 'team', 'msg', overwrite=False)
    method, path, _query = http.queries[0]
    assert (method, path) == ('POST', 'api/dashboards/db')
