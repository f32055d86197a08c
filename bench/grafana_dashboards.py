"""Benchmark: 200 Grafana dashboards in one grafana_dashboard task versus community.grafana's module in a loop.

Grafana cannot be installed here, so both run against the Grafana API double of the
integration tests (tests/integration/grafana/grafana_api_double.py, a fresh one per mode),
behind the tests' counting proxy. ansible-playbook runs four times:

  ours, first apply       tradpal.monitoring.grafana_dashboard, directory: with 200 JSON files
  ours, no-op re-apply    the same task again
  loop, first apply       community.grafana.grafana_dashboard (from the `ansible` package), one
                          loop item per file, service account token, overwrite: true
  loop, no-op re-apply    the same loop again

It prints a Markdown table and, with --write, records it in bench/RESULTS-grafana_dashboards.md.
Run from the repository root:

  .venv/bin/python bench/grafana_dashboards.py --write
"""

import json
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import BIN, COLLECTIONS, REPO, load, machine, one_task_play, playbook, publish
from _bench import options as bench_options

RESULTS = REPO / 'bench' / 'RESULTS-grafana_dashboards.md'
GrafanaApiDouble = load('grafana_api_double', 'tests/integration/grafana/grafana_api_double.py').GrafanaApiDouble
RecordingProxy = load('recording_proxy', 'tests/integration/recording_proxy.py').RecordingProxy
# The `ansible` package's collections (community.grafana) after the checkout's.
SITE_PACKAGES = Path(sys.prefix) / 'lib' / ('python%d.%d' % sys.version_info[:2]) / 'site-packages'

OURS = """      tradpal.monitoring.grafana_dashboard:
        url: "{{ url }}"
        token: "{{ token }}"
        directory: "{{ directory }}"
"""
LOOP = """      community.grafana.grafana_dashboard:
        url: "{{ url }}"
        grafana_api_key: "{{ token }}"
        path: "{{ item }}"
        overwrite: true
      loop: "{{ files }}"
"""


def dashboard(index):
    panels = [{'id': n + 1, 'type': 'timeseries', 'title': 'Panel %d' % n, 'gridPos': {'h': 8, 'w': 12, 'x': 0,
                                                                                       'y': 8 * n},
               'targets': [{'refId': 'A', 'expr': 'sum(rate(bench_total{shard="%d"}[$__rate_interval]))' % n}]}
              for n in range(4)]
    return {'uid': 'bench-%03d' % index, 'title': 'Bench %03d' % index, 'tags': ['bench'], 'schemaVersion': 39,
            'timezone': 'utc', 'panels': panels}


def community_version():
    galaxy = subprocess.run([str(BIN / 'ansible-galaxy'), 'collection', 'list', 'community.grafana'],
                            capture_output=True, text=True, check=False)
    return next((' '.join(line.split()) for line in galaxy.stdout.splitlines()
                 if line.startswith('community.grafana')), 'community.grafana (version unknown)')


def main():
    options = bench_options(__doc__, 200, 'dashboards', RESULTS)
    rows = []
    with tempfile.TemporaryDirectory(prefix='bench-grafana-') as tmp:
        workdir = Path(tmp)
        source = workdir / 'dashboards'
        source.mkdir()
        files = []
        for index in range(options.count):
            files.append(str(source / ('bench-%03d.json' % index)))
            Path(files[-1]).write_text(json.dumps(dashboard(index), indent=2))
        for name, task in (('ours', OURS), ('loop', LOOP)):
            double = GrafanaApiDouble().start()
            proxy = RecordingProxy(double.url)
            (token,) = double.tokens
            variables = {'url': proxy.url, 'token': token, 'directory': str(source), 'files': files}
            run = playbook(workdir, name, one_task_play(task), variables,
                           collections_path='%s:%s' % (COLLECTIONS, SITE_PACKAGES))
            try:
                for phase in ('first apply', 'no-op re-apply'):
                    measured = run()
                    del measured['per_call']
                    counts = proxy.take()
                    versions = sorted({r['version'] for r in double.orgs[1].dashboards.values()})
                    measured.update(name=name, phase=phase, requests=sum(counts.values()), by_method=dict(counts),
                                    writes=sum(v for k, v in counts.items() if k != 'GET'), versions=versions)
                    rows.append(measured)
                    print('%-4s %-15s %7.1f s %5d requests %s versions %s' % (
                        name, phase, measured['seconds'], measured['requests'], dict(counts), versions), flush=True)
                assert len(double.orgs[1].dashboards) == options.count
            finally:
                proxy.shutdown()
                double.stop()
    publish(render(rows, options.count, dict(machine(), community=community_version())), RESULTS, options.write)


def render(rows, count, host):
    by = {(r['name'], r['phase']): r for r in rows}
    ours, loop = by[('ours', 'no-op re-apply')], by[('loop', 'no-op re-apply')]
    met = ours['writes'] == 0 and loop['seconds'] >= 10 * ours['seconds']
    lines = [
        '# Benchmark: %d Grafana dashboards, one task versus community.grafana in a loop' % count,
        '',
        'Measured %s with `bench/grafana_dashboards.py`: real `ansible-playbook` runs on localhost (pipelining on), '
        'each mode against a fresh Grafana API double (`tests/integration/grafana/grafana_api_double.py`, Grafana '
        'itself cannot be installed on this machine), HTTP requests counted by the tests\' proxy in front of it.'
        % datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
        '',
        'Machine: %(nproc)d CPUs (nproc), %(cpu)s, %(ram)s RAM; %(ansible)s, Python %(python)s; %(community)s. '
        'Load average at the end: %(load)s.' % host,
        '',
        '| mode | run | wall time | HTTP requests | by method | writes | module calls | changed | '
        'dashboard versions after |',
        '| --- | --- | ---: | ---: | --- | ---: | ---: | --- | --- |',
    ]
    for row in rows:
        lines.append('| %s | %s | %.1f s | %d | %s | %d | %d | %s | %s |' % (
            '`tradpal.monitoring.grafana_dashboard`, `directory:`' if row['name'] == 'ours'
            else '`community.grafana.grafana_dashboard`, one loop item each', row['phase'], row['seconds'],
            row['requests'], ', '.join('%s %d' % kv for kv in sorted(row['by_method'].items())), row['writes'],
            row['calls'], row['changed'], ', '.join(str(v) for v in row['versions'])))
    lines += [
        '',
        'No-op re-apply: one task makes %d writes and takes %.1f s; the loop takes %.1f s: %.0fx faster. Targets: '
        'zero writes, at least 10x faster than the loop: %s.' % (
            ours['writes'], ours['seconds'], loop['seconds'], loop['seconds'] / ours['seconds'],
            'met' if met else 'NOT met'),
        '',
        'The one task reads with one paged search plus one read per existing dashboard (Grafana\'s /api has no '
        'bulk read of dashboard JSON); the loop starts the module once per dashboard and asks for the Grafana '
        'version before every read. The dashboards here sit in the root folder: in a folder, community.grafana '
        'sends the numeric `folderId`, which the double ignores as Grafana 13 does, so its dashboards would land '
        'in the root and every re-apply would save them again.',
        '',
    ]
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
