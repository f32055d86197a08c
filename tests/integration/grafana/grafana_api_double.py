"""A test double of Grafana's HTTP API (/api): dashboards, folders, search, health, for the tests and the benchmark.

Grafana itself cannot be installed on the CI machines, so the integration tests run against
this double unless GRAFANA_URL names a real Grafana. It follows the behaviour written down
with sources in Grafana's HTTP API documentation and handlers (see docs/grafana_modules.md), as Grafana
11/12 answer, with the newest (k8s-backed) answers where they differ selectable:

- every save bumps the version, even with identical content; a new dashboard gets version 1,
  its ``id``, ``uid`` and ``version`` are written into the stored JSON;
- a save whose ``dashboard.version`` is not the stored one, without ``overwrite``: 412
  ``version-mismatch`` (``conflict_status=409``: the newest answer); plugin dashboards 412
  ``plugin-dashboard``; provisioned dashboards 400 "Cannot save provisioned dashboard";
- ``folderId`` is ignored (Grafana 13); an unknown ``folderUid`` is 400 "folder not found";
- validation 400s (empty or too long title, bad uid, long message);
- search with ``limit`` (default 1000, above 5000: 422) and 1-based ``page``; folders first, then
  titles case-insensitively;
- nested folders with a depth limit (``max_depth`` levels), 409 for a uid that is taken, 412 for
  a folder PUT with a stale version, move, recursive delete;
- basic auth and Bearer tokens, 401 bodies as Grafana's, the organisation from
  ``X-Grafana-Org-Id`` or else the user's current one (which ``POST /api/user/using/<id>``
  switches, as community.grafana does); ``/api/health`` without authentication.

Not sourced, chosen to be plausible: the answer to an organisation the user is not a member of
(401), to an unknown ``parentUid`` (400 on create, 404 on move and list), and to a circular
move (400). Run it by hand with ``python grafana_api_double.py [port]``.
"""

import base64
import copy
import itertools
import json
import re
import sys
import threading
import traceback
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

UID_PATTERN = re.compile(r'^[a-zA-Z0-9\-_]*$')
SEARCH_LIMIT_MAX = 5000


class ApiError(Exception):
    def __init__(self, code, message, **extra):
        super().__init__(message)
        self.code = code
        self.body = dict(extra, message=message)


def now():
    return datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def slugify(title):
    return re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-') or 'dashboard'


class Call:
    """Who asks, in which organisation, with which query and body."""

    def __init__(self, login, org_id, org, query, body):
        self.login = login
        self.org_id = org_id
        self.org = org
        self.query = query
        self.body = body if body is not None else {}

    def first(self, name, default=None):
        return self.query.get(name, [default])[0]


def _route(method, path, name):
    return method, re.compile(path.replace('<uid>', '(?P<uid>[^/]+)')), name


ROUTES = [
    _route('GET', '/api/frontend/settings', 'frontend_settings'),
    _route('POST', '/api/user/using/(?P<org_id>[0-9]+)', 'switch_org'),
    _route('POST', '/api/dashboards/db', 'save_dashboard'),
    _route('GET', '/api/dashboards/uid/<uid>', 'get_dashboard'),
    _route('DELETE', '/api/dashboards/uid/<uid>', 'delete_dashboard'),
    _route('GET', '/api/search', 'search'),
    _route('GET', '/api/folders', 'list_folders'),
    _route('POST', '/api/folders', 'create_folder'),
    _route('GET', '/api/folders/<uid>', 'get_folder'),
    _route('PUT', '/api/folders/<uid>', 'update_folder'),
    _route('DELETE', '/api/folders/<uid>', 'delete_folder'),
    _route('POST', '/api/folders/<uid>/move', 'move_folder'),
]


class Org:
    """Everything one organisation holds."""

    def __init__(self):
        self.dashboards = {}  # uid -> record
        self.folders = {}  # uid -> record


class GrafanaApiDouble:
    """The double's state and rules; ``start()`` serves them on a free loopback port."""

    def __init__(self, *, users=None, tokens=None, conflict_status=412, max_depth=4, version='12.3.0'):
        # user -> (password, member orgs); the first org is the user's current one.
        self.users = users or {'admin': ('double-admin-password', [1, 2])}
        self.current_org = {name: orgs[0] for name, (_pw, orgs) in self.users.items()}
        # token -> (service account login, org)
        self.tokens = tokens or {'glsa_double_token': ('sa-ansible', 1)}
        self.conflict_status = conflict_status
        self.max_depth = max_depth
        self.version = version
        self.orgs = {1: Org(), 2: Org()}
        self.requests = []  # (method, path, org, auth scheme)
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self.server = None

    # Serving

    def start(self, port=0):
        self.server = ThreadingHTTPServer(('127.0.0.1', port), _Handler)
        self.server.daemon_threads = True
        self.server.double = self
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    # Seeding what the API cannot create (tests use these directly)

    def seed_dashboard(self, dashboard, *, folder_uid='', org=1, provisioned=False, plugin_id=None):
        with self.lock:
            record = self._store(self.orgs[org], copy.deepcopy(dashboard), None, folder_uid, 'provisioner')
            record.update(provisioned=provisioned, plugin_id=plugin_id)
            return record

    # Dispatch

    def handle(self, method, raw_path, headers, raw_body):
        """(status, body) for one request."""
        parts = urlsplit(raw_path)
        path = parts.path.rstrip('/')
        if path in ('/api/health', '/healthz'):
            return 200, {'commit': 'double', 'database': 'ok', 'version': self.version}
        with self.lock:
            try:
                login, org_id, scheme = self._authenticate(headers)
                self.requests.append((method, raw_path, org_id, scheme))
                body = None
                if raw_body:
                    try:
                        body = json.loads(raw_body)
                    except ValueError:
                        raise ApiError(400, 'bad request data') from None
                call = Call(login, org_id, self.orgs[org_id], parse_qs(parts.query, keep_blank_values=True), body)
                for route_method, pattern, name in ROUTES:
                    match = pattern.fullmatch(path)
                    if match and route_method == method:
                        groups = {k: unquote(v) for k, v in match.groupdict().items()}
                        return 200, getattr(self, name)(call, **groups)
                raise ApiError(404, 'Not found')
            except ApiError as exc:
                return exc.code, exc.body
            except Exception:  # a bug of the double: answer as Grafana does, and show it
                traceback.print_exc()
                return 500, {'message': 'Internal Server Error'}

    def _authenticate(self, headers):
        scheme, value = ((headers.get('Authorization') or '') + ' ').split(' ', 1)
        value = value.strip()
        wanted = headers.get('X-Grafana-Org-Id')
        if scheme == 'Bearer':
            if value not in self.tokens:
                raise ApiError(401, 'Invalid API key', messageId='api-key.invalid', statusCode=401, traceID='')
            login, org_id = self.tokens[value]
            if wanted and int(wanted) != org_id:
                raise ApiError(401, 'The service account belongs to another organization')
            return login, org_id, 'bearer'
        if scheme == 'Basic':
            user, password = (base64.b64decode(value).decode() + ':').split(':', 1)
            password = password[:-1]
            if user not in self.users or self.users[user][0] != password:
                raise ApiError(401, 'Invalid username or password', messageId='password-auth.failed',
                               statusCode=401, traceID='')
            org_id = int(wanted) if wanted else self.current_org[user]
            if org_id not in self.users[user][1]:
                raise ApiError(401, 'User is not a member of organization %d' % org_id)
            return user, org_id, 'basic'
        raise ApiError(401, 'Unauthorized', messageId='auth.unauthorized', statusCode=401, traceID='')

    # Users

    def frontend_settings(self, call):
        return {'buildInfo': {'version': self.version, 'commit': 'double'}}

    def switch_org(self, call, org_id):
        if call.login not in self.users or int(org_id) not in self.users[call.login][1]:
            raise ApiError(401, 'Not a valid organization')
        self.current_org[call.login] = int(org_id)
        return {'message': 'Active organization changed'}

    # Dashboards

    def _store(self, org, dashboard, existing, folder_uid, login):
        uid = dashboard.get('uid') or (existing or {}).get('uid') or 'gen%09d' % next(self._ids)
        record = existing or {'id': next(self._ids), 'uid': uid, 'version': 0, 'created': now(), 'created_by': login,
                              'provisioned': False, 'plugin_id': None}
        record['version'] += 1
        dashboard.update(id=record['id'], uid=uid, version=record['version'])
        record.update(dashboard=dashboard, folder_uid=folder_uid or '', updated=now(), updated_by=login)
        org.dashboards[uid] = record
        return record

    @staticmethod
    def _validate(body):
        """The dashboard of a save request, after Grafana's validation 400s."""
        dashboard = body.get('dashboard')
        if not isinstance(dashboard, dict):
            raise ApiError(400, 'bad request data')
        title = (dashboard.get('title') or '').strip()
        if not title:
            raise ApiError(400, 'Dashboard title cannot be empty', status='empty-name')
        if len(title) > 5000:
            raise ApiError(400, 'Dashboard title cannot contain more than 5 000 characters', status='title-too-long')
        uid = dashboard.get('uid') or ''
        if not UID_PATTERN.match(uid):
            raise ApiError(400, 'uid contains illegal characters')
        if len(uid) > 40:
            raise ApiError(400, 'uid too long, max 40 characters')
        if len(body.get('message') or '') > 500:
            raise ApiError(400, 'message too long, max 500 characters')
        return copy.deepcopy(dashboard)

    @staticmethod
    def _existing(org, dashboard):
        """The stored dashboard a save updates (by id, else by uid), or None for a new one."""
        existing = org.dashboards.get(dashboard.get('uid') or '')
        if not dashboard.get('id'):
            return existing
        by_id = next((r for r in org.dashboards.values() if r['id'] == dashboard['id']), None)
        if by_id is None:
            raise ApiError(404, 'Dashboard not found', status='not-found')
        if existing is not None and existing is not by_id:
            raise ApiError(400, 'A dashboard with the same uid already exists')
        return by_id

    def save_dashboard(self, call):
        org, body = call.org, call.body
        dashboard = self._validate(body)
        # Grafana 13 ignores the deprecated numeric folderId; only folderUid places a dashboard.
        folder_uid = body.get('folderUid') or ''
        if folder_uid and folder_uid not in org.folders:
            raise ApiError(400, 'folder not found')
        if dashboard.get('uid') in org.folders:
            raise ApiError(400, 'Dashboard cannot be changed to a folder')
        existing = self._existing(org, dashboard)
        overwrite = bool(body.get('overwrite'))
        if existing is not None:
            if existing['provisioned']:
                raise ApiError(400, 'Cannot save provisioned dashboard')
            if (dashboard.get('version') or 0) != existing['version'] and not overwrite:
                if self.conflict_status == 409:
                    raise ApiError(409, 'Dashboard already exists. Use overwrite flag to update.')
                raise ApiError(412, 'The dashboard has been changed by someone else', status='version-mismatch')
            if existing['plugin_id'] and not overwrite:
                raise ApiError(412, 'The dashboard belongs to plugin %s.' % existing['plugin_id'],
                               status='plugin-dashboard')
        record = self._store(org, dashboard, existing, folder_uid, call.login)
        slug = slugify(record['dashboard']['title'])
        return {'status': 'success', 'slug': slug, 'version': record['version'], 'id': record['id'],
                'uid': record['uid'], 'url': '/d/%s/%s' % (record['uid'], slug), 'folderUid': record['folder_uid']}

    def get_dashboard(self, call, uid):
        org = call.org
        record = org.dashboards.get(uid)
        if record is None:
            raise ApiError(404, 'Dashboard not found')
        folder = org.folders.get(record['folder_uid'])
        slug = slugify(record['dashboard']['title'])
        meta = {
            'type': 'db', 'canSave': True, 'canEdit': True, 'canAdmin': True, 'canStar': True, 'canDelete': True,
            'slug': slug, 'url': '/d/%s/%s' % (uid, slug), 'expires': '0001-01-01T00:00:00Z',
            'created': record['created'], 'updated': record['updated'], 'updatedBy': record['updated_by'],
            'createdBy': record['created_by'], 'version': record['version'], 'hasAcl': False, 'isFolder': False,
            'folderId': folder['id'] if folder else 0, 'folderUid': record['folder_uid'],
            'folderTitle': folder['title'] if folder else 'General',
            'folderUrl': '/dashboards/f/%s/%s' % (folder['uid'], slugify(folder['title'])) if folder else '',
            'provisioned': record['provisioned'], 'provisionedExternalId': 'file.json' if record['provisioned'] else '',
            'isStarred': False, 'isHome': False, 'isSnapshot': False,
        }
        return {'dashboard': copy.deepcopy(record['dashboard']), 'meta': meta}

    def delete_dashboard(self, call, uid):
        org = call.org
        record = org.dashboards.get(uid)
        if record is None:
            raise ApiError(404, 'Dashboard not found')
        if record['provisioned']:
            raise ApiError(400, 'provisioned dashboard cannot be deleted')
        del org.dashboards[uid]
        title = record['dashboard']['title']
        return {'title': title, 'message': 'Dashboard %s deleted' % title, 'uid': uid}

    def search(self, call):
        org, org_id, query, first = call.org, call.org_id, call.query, call.first
        try:
            limit = int(first('limit', 1000) or 1000)
            page = max(1, int(first('page', 1) or 1))
        except ValueError:
            raise ApiError(400, 'bad request data') from None
        if limit > SEARCH_LIMIT_MAX:
            raise ApiError(422, 'Limit is above maximum allowed (5000), use page parameter to access hits beyond limit')
        kind = first('type')
        text = (first('query') or '').lower()
        tags = set(query.get('tag', []))
        uids = set(query.get('dashboardUIDs', []) or query.get('dashboardUID', []))
        folder_uids = set(query['folderUIDs']) if 'folderUIDs' in query else None
        hits = []
        if kind in (None, 'dash-folder') and not tags:
            for folder in org.folders.values():
                hits.append(self._folder_hit(org, org_id, folder))
        if kind in (None, 'dash-db'):
            for record in org.dashboards.values():
                hits.append(self._dashboard_hit(org, org_id, record))
        hits = [h for h in hits if text in h['title'].lower() and tags <= set(h['tags'])
                and (not uids or h['uid'] in uids)
                and (folder_uids is None or h.get('folderUid', '') in folder_uids)]
        hits.sort(key=lambda h: (h['type'] != 'dash-folder', h['title'].lower()))
        return hits[(page - 1) * limit:page * limit]

    def _folder_hit(self, org, org_id, folder):
        hit = {'id': folder['id'], 'uid': folder['uid'], 'orgId': org_id, 'title': folder['title'],
               'url': '/dashboards/f/%s/%s' % (folder['uid'], slugify(folder['title'])), 'type': 'dash-folder',
               'tags': [], 'isStarred': False, 'sortMeta': 0, 'isDeleted': False}
        return self._in_folder(org, hit, folder['parent_uid'])

    def _dashboard_hit(self, org, org_id, record):
        title = record['dashboard']['title']
        hit = {'id': record['id'], 'uid': record['uid'], 'orgId': org_id, 'title': title,
               'uri': 'db/%s' % slugify(title), 'url': '/d/%s/%s' % (record['uid'], slugify(title)),
               'slug': slugify(title), 'type': 'dash-db', 'tags': list(record['dashboard'].get('tags') or []),
               'isStarred': False, 'sortMeta': 0, 'isDeleted': False}
        return self._in_folder(org, hit, record['folder_uid'])

    @staticmethod
    def _in_folder(org, hit, folder_uid):
        parent = org.folders.get(folder_uid)
        if parent:
            hit.update(folderId=parent['id'], folderUid=parent['uid'], folderTitle=parent['title'],
                       folderUrl='/dashboards/f/%s/%s' % (parent['uid'], slugify(parent['title'])))
        return hit

    # Folders

    def _folder(self, org, uid):
        if uid not in org.folders:
            raise ApiError(404, 'folder not found', status='not-found')
        return org.folders[uid]

    def _parents(self, org, uid):
        """The ancestors of folder ``uid``, root first."""
        chain = []
        parent = org.folders[uid]['parent_uid']
        while parent:
            chain.insert(0, org.folders[parent])
            parent = org.folders[parent]['parent_uid']
        return chain

    def _height(self, org, uid):
        children = [f['uid'] for f in org.folders.values() if f['parent_uid'] == uid]
        return 1 + max((self._height(org, c) for c in children), default=0)

    def _check_depth(self, org, parent_uid, height=1):
        levels = (len(self._parents(org, parent_uid)) + 1 if parent_uid else 0) + height
        if levels > self.max_depth:
            raise ApiError(400, 'Maximum nested folder depth reached', messageId='folder.maximum-depth-reached')

    def folder_dto(self, org, folder):
        dto = {'id': folder['id'], 'uid': folder['uid'], 'title': folder['title'],
               'url': '/dashboards/f/%s/%s' % (folder['uid'], slugify(folder['title'])), 'hasAcl': False,
               'canSave': True, 'canEdit': True, 'canAdmin': True, 'canDelete': True,
               'createdBy': folder['created_by'], 'created': folder['created'], 'updatedBy': folder['updated_by'],
               'updated': folder['updated'], 'version': folder['version']}
        if folder['description'] is not None:
            dto['description'] = folder['description']
        if folder['parent_uid']:
            dto['parentUid'] = folder['parent_uid']
            dto['parents'] = [{'uid': p['uid'], 'title': p['title']} for p in self._parents(org, folder['uid'])]
        return dto

    def get_folder(self, call, uid):
        return self.folder_dto(call.org, self._folder(call.org, uid))

    def list_folders(self, call):
        org = call.org
        parent = call.first('parentUid', '')
        if parent and parent not in org.folders:
            raise ApiError(404, 'folder not found', status='not-found')
        limit = int(call.first('limit', 1000))
        page = max(1, int(call.first('page', 1)))
        found = sorted((f for f in org.folders.values() if f['parent_uid'] == parent), key=lambda f: f['title'].lower())
        found = found[(page - 1) * limit:page * limit]
        return [dict({'id': f['id'], 'uid': f['uid'], 'title': f['title']},
                     **({'parentUid': parent} if parent else {})) for f in found]

    def create_folder(self, call):
        org, body, login = call.org, call.body, call.login
        title = (body.get('title') or '').strip()
        if not title:
            raise ApiError(400, 'folder title cannot be empty')
        uid = body.get('uid') or 'fgen%08d' % next(self._ids)
        if not UID_PATTERN.match(uid) or len(uid) > 40:
            raise ApiError(400, 'uid contains illegal characters')
        if uid in org.folders or uid in org.dashboards:
            raise ApiError(409, 'a folder/dashboard with the same uid already exists')
        parent = body.get('parentUid') or ''
        if parent and parent not in org.folders:
            raise ApiError(400, 'parent folder not found')
        self._check_depth(org, parent)
        org.folders[uid] = {'id': next(self._ids), 'uid': uid, 'title': title, 'parent_uid': parent,
                            'description': body.get('description'), 'version': 1, 'created': now(),
                            'created_by': login, 'updated': now(), 'updated_by': login}
        return self.folder_dto(org, org.folders[uid])

    def update_folder(self, call, uid):
        org, body, login = call.org, call.body, call.login
        folder = self._folder(org, uid)
        if body.get('version') != folder['version'] and not body.get('overwrite'):
            raise ApiError(412, 'the folder has been changed by someone else', status='version-mismatch')
        if 'title' in body:
            if not (body['title'] or '').strip():
                raise ApiError(400, 'folder title cannot be empty')
            folder['title'] = body['title']
        if 'description' in body:
            folder['description'] = body['description']
        folder.update(version=folder['version'] + 1, updated=now(), updated_by=login)
        return self.folder_dto(org, folder)

    def move_folder(self, call, uid):
        org, body, login = call.org, call.body, call.login
        folder = self._folder(org, uid)
        parent = body.get('parentUid') or ''
        if parent and parent not in org.folders:
            raise ApiError(404, 'folder not found', status='not-found')
        if parent == uid or any(p['uid'] == uid for p in (self._parents(org, parent) if parent else [])):
            raise ApiError(400, 'circular reference detected')
        self._check_depth(org, parent, self._height(org, uid))
        folder.update(parent_uid=parent, version=folder['version'] + 1, updated=now(), updated_by=login)
        return self.folder_dto(org, folder)

    def delete_folder(self, call, uid):
        folder = self._folder(call.org, uid)
        self._remove_folder(call.org, uid)
        return {'message': 'Folder deleted', 'id': folder['id'], 'title': folder['title']}

    def _remove_folder(self, org, uid):
        # Like Grafana: the folders and dashboards in it go with it.
        for child in [f['uid'] for f in org.folders.values() if f['parent_uid'] == uid]:
            self._remove_folder(org, child)
        for dash_uid in [u for u, r in org.dashboards.items() if r['folder_uid'] == uid]:
            del org.dashboards[dash_uid]
        del org.folders[uid]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def _serve(self):
        length = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(length) if length else b''
        status, body = self.server.double.handle(self.command, self.path, self.headers, raw)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, *args):
        pass


if __name__ == '__main__':
    double = GrafanaApiDouble().start(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print('Grafana API double on %s (user admin, password double-admin-password, token glsa_double_token); '
          'Ctrl-C stops it' % double.url)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        double.stop()
