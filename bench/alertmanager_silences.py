"""Benchmark: 500 Alertmanager silences in one task versus one silence per loop item.

Starts two real Alertmanagers (Debian's prometheus-alertmanager, loopback, empty storage),
each behind a small reverse proxy that counts the HTTP requests it forwards, and runs
ansible-playbook four times:

  bulk, first apply     one task with `silences:` holding 500 silences
  bulk, no-op re-apply  the same task again
  loop, first apply     the same 500 silences, one module call per loop item
  loop, no-op re-apply  the same loop again

It prints a Markdown table and, with --write, records it with the machine's description
in bench/RESULTS-alertmanager_silences.md. Run from the repository root:

  .venv/bin/python bench/alertmanager_silences.py --write
"""

import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import BIN, REPO, load, machine, one_task_play, playbook, publish
from _bench import options as bench_options

RESULTS = REPO / 'bench' / 'RESULTS-alertmanager_silences.md'

# The integration tests' way to start and stop a real Alertmanager, and their counting proxy, reused as is.
fixtures = load('alertmanager_fixtures', 'tests/integration/alertmanager/conftest.py')
RecordingProxy = load('recording_proxy', 'tests/integration/recording_proxy.py').RecordingProxy

MODULE = """      tradpal.monitoring.alertmanager_silence:
        url: "{{ url }}"
        created_by: bench
"""
BULK_TASK = '        silences: "{{ silences }}"'
LOOP_TASK = """        matchers: "{{ item.matchers }}"
        comment: "{{ item.comment }}"
        duration: "{{ item.duration }}"
      loop: "{{ silences }}"
"""


def silences(count):
    return [{'matchers': ['alertname="BenchAlert"', 'instance="host-%03d:9100"' % i], 'comment': 'bench window',
             'duration': '1d'} for i in range(count)]


def baseline(workdir):
    """Seconds ansible-playbook takes for a play with nothing to do (its own start-up cost)."""
    path = workdir / 'empty.yml'
    path.write_text('- name: Nothing\n  hosts: localhost\n  gather_facts: false\n  tasks: []\n')
    started = time.monotonic()
    subprocess.run([str(BIN / 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', str(path)], check=True,
                   capture_output=True, cwd=workdir)
    return time.monotonic() - started


def alertmanager_version():
    am = subprocess.run([str(fixtures.BINARY), '--version'], capture_output=True, text=True, check=False)
    return (am.stdout or am.stderr).splitlines()[0]


def main():
    options = bench_options(__doc__, 500, 'silences to declare', RESULTS)
    items = silences(options.count)
    rows = []
    with tempfile.TemporaryDirectory(prefix='bench-am-') as tmp:
        workdir = Path(tmp)
        startup = baseline(workdir)
        servers = []
        try:
            for name, task in (('bulk', BULK_TASK), ('loop', LOOP_TASK)):
                server = fixtures.Alertmanager(workdir / name, name)
                servers.append(server)
                proxy = RecordingProxy(server.url)
                play = one_task_play(MODULE + task + '\n')
                run = playbook(workdir, name, play, {'url': proxy.url, 'silences': items})
                for phase in ('first apply', 'no-op re-apply'):
                    measured = run()
                    measured['module_requests'] = sum(r['http_requests'] for r in measured.pop('per_call'))
                    counts = proxy.take()
                    measured.update(name=name, phase=phase, requests=sum(counts.values()), by_method=dict(counts))
                    rows.append(measured)
                    line = '%-4s %-15s %7.1f s %5d requests %s' % (
                        name, phase, measured['seconds'], measured['requests'], dict(counts))
                    print(line, flush=True)
                live = [s for s in server.request('GET', '/api/v2/silences') if s['status']['state'] == 'active']
                assert len(live) == options.count, 'expected %d active silences, found %d' % (
                    options.count, len(live))
        finally:
            for server in servers:
                server.stop()
    host = dict(machine(), startup=startup, alertmanager=alertmanager_version())
    publish(render(rows, options.count, host), RESULTS, options.write)


def render(rows, count, host):
    by = {(r['name'], r['phase']): r for r in rows}
    bulk_noop, loop_noop = by[('bulk', 'no-op re-apply')], by[('loop', 'no-op re-apply')]
    lines = [
        '# Benchmark: %d Alertmanager silences, one task versus one loop item each' % count,
        '',
        'Measured %s with `bench/alertmanager_silences.py` (real `ansible-playbook` runs on localhost, '
        'pipelining on, against a fresh Alertmanager per mode; HTTP requests counted by a reverse proxy in '
        'front of it, and cross-checked with the module\'s own `http_requests`).' % datetime.now(timezone.utc)
        .strftime('%Y-%m-%d %H:%M UTC'),
        '',
        'Machine: %(nproc)d CPUs (nproc), %(cpu)s, %(ram)s RAM; %(ansible)s, Python %(python)s; '
        '%(alertmanager)s. Load average at the end: %(load)s.' % host,
        '',
    ]
    if float(host['load'].split()[0]) > host['nproc']:
        lines += ['The machine was shared with other jobs during the run (load above its CPU count), so the wall '
                  'times are longer than on an idle machine, the per-item loop\'s most; the request counts are '
                  'exact either way.', '']
    lines += [
        '| mode | run | wall time | HTTP requests (proxy) | by method | module calls | changed |',
        '| --- | --- | ---: | ---: | --- | ---: | --- |',
    ]
    for row in rows:
        assert row['requests'] == row['module_requests'], row
        lines.append('| %s | %s | %.1f s | %d | %s | %d | %s |' % (
            'one task, `silences:`' if row['name'] == 'bulk' else 'one silence per loop item', row['phase'],
            row['seconds'], row['requests'], ', '.join('%s %d' % kv for kv in sorted(row['by_method'].items())),
            row['calls'], row['changed']))
    lines += [
        '',
        'No-op re-apply: one task makes %d request(s) and takes %.1f s; the loop makes %d and takes %.1f s: '
        '%.0fx faster. Targets: exactly one request, at least 10x faster: %s.' % (
            bulk_noop['requests'], bulk_noop['seconds'], loop_noop['requests'], loop_noop['seconds'],
            loop_noop['seconds'] / bulk_noop['seconds'],
            'met' if bulk_noop['requests'] == 1 and loop_noop['seconds'] >= 10 * bulk_noop['seconds'] else 'NOT met'),
        '',
        'Wall times include starting `ansible-playbook`, %.1f s for an empty play on this machine. The loop '
        'pays a module start-up and a full list request per item, so its no-op run grows with the square of '
        'the number of silences in bytes read; the single task lists once and writes only what differs.'
        % host['startup'],
        '',
    ]
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
