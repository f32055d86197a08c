"""Run the modules in-process against an in-memory stand-in for the HTTP layer.

The stand-in answers JsonHttpClient.request from a dict of silences and records every
request. Besides storing, it only imitates Alertmanager moving a past start of a new
silence to its own now; its update rules are left to the integration tests, which use the
real server. It lets unit tests count requests and prove what was written.
"""

import json
import uuid

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.tradpal.monitoring.plugins.module_utils import _silences as am
from ansible_collections.tradpal.monitoring.plugins.module_utils._http import HttpApiError, JsonHttpClient


class RecordingApi:
    def __init__(self):
        self.silences = {}
        self.requests = []
        self.fail_on = None

    def add(self, silence_id, matchers, *, comment='window', created_by='ops', state='active',
            starts_at='2000-01-01T00:00:00.000Z', ends_at='2999-01-01T00:00:00.000Z'):
        self.silences[silence_id] = {
            'id': silence_id, 'status': {'state': state}, 'matchers': matchers, 'comment': comment,
            'createdBy': created_by, 'startsAt': starts_at, 'endsAt': ends_at, 'updatedAt': starts_at,
        }

    def writes(self):
        return [(method, path) for method, path, _query, _body in self.requests if method != 'GET']

    def __call__(self, client, method, path, *, query=None, body=None, idempotent=None):
        client.request_count += 1
        self.requests.append((method, path, query, body))
        if self.fail_on == method:
            raise HttpApiError('%s failed: HTTP 500: boom' % method, method, path, status=500, server_text='boom')
        if method == 'GET' and path == 'api/v2/silences':
            return list(self.silences.values())
        silence_id = path.rsplit('/', 1)[-1]
        if method == 'GET':
            if silence_id not in self.silences:
                raise HttpApiError('not found', method, path, status=404)
            return self.silences[silence_id]
        if method == 'POST':
            silence = dict(body, status={'state': 'active'}, updatedAt=body['startsAt'])
            if not body.get('id'):
                # Like Alertmanager: a new silence whose start has passed starts at the server's now.
                silence['startsAt'] = am.format_time(max(am.parse_time(body['startsAt']), am.utcnow()))
            silence['id'] = body.get('id') or str(uuid.uuid4())
            self.silences[silence['id']] = silence
            return {'silenceID': silence['id']}
        self.silences[silence_id]['status'] = {'state': 'expired'}
        return None


@pytest.fixture
def api(monkeypatch):
    recording = RecordingApi()

    def request(client, method, path, **options):
        return recording(client, method, path, **options)

    monkeypatch.setattr(JsonHttpClient, 'request', request)
    return recording


@pytest.fixture
def run(capsys):
    """run(main, args, check=False, diff=False) -> the module's JSON result (failed: True on fail_json)."""
    def _run(main, args, check=False, diff=False):
        args = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
        with patch_module_args(args), pytest.raises(SystemExit):
            main()
        return json.loads(capsys.readouterr().out)
    return _run
