"""The non-TradPal metric names of the shipped dashboards exist on the real Debian binaries.

The dashboards (roles/grafana/files/dashboards) read node_exporter, redis_exporter and
Prometheus' own metrics. A name that a binary does not expose gives an empty panel and no
error anywhere, so this test starts the binaries on loopback with free ports and reads
their /metrics:

* redis-server (Debian's), and prometheus-redis-exporter connected to it, so the redis_*
  metrics that exist only with a reachable Redis appear;
* prometheus-node-exporter;
* prometheus with a temporary storage directory, scraping itself and both exporters, and one
  rule group: the test waits until it has scraped and evaluated the group, so the
  rule-evaluation metrics exist. `up` and `scrape_*` are series Prometheus writes for every
  scrape rather than exposes on /metrics: they are looked up in its TSDB.

TradPal's own metrics (api_gateway_*, core_*, trading_*, backtest_*, data_*) are checked
against docs/tradpal_metrics.yml by tests/unit/test_shipped_dashboards.py. Debian 12 and 13
ship different exporter versions: the dashboards keep to names both have. A missing binary
fails the test (run scripts/setup.sh), it never skips.
"""

import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from dashboard_queries import DASHBOARD_DIR, EXPECTED_DASHBOARDS, is_tradpal, load, metric_names, queries

BINARIES = {
    "prometheus": Path(os.environ.get("PROMETHEUS_BINARY", "/usr/bin/prometheus")),
    "node_exporter": Path(os.environ.get("NODE_EXPORTER_BINARY", "/usr/bin/prometheus-node-exporter")),
    "redis_exporter": Path(os.environ.get("REDIS_EXPORTER_BINARY", "/usr/bin/prometheus-redis-exporter")),
    "redis_server": Path(os.environ.get("REDIS_SERVER_BINARY", "/usr/bin/redis-server")),
}
# Which process a metric name comes from, by prefix; the rest may come from any of them.
SOURCES = {"node_": "node_exporter", "redis_": "redis_exporter", "prometheus_": "prometheus"}
# Series Prometheus itself writes for every scrape target (not on any /metrics page).
SCRAPE_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
                 "scrape_series_added"}
PATHS = [DASHBOARD_DIR / name for name in EXPECTED_DASHBOARDS]
NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
RULE_RECORD = "dashboard_test:up:count"
STARTUP_TIMEOUT = 30


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return response.read().decode()


def _exposed_names(text):
    """Sample names of a Prometheus text exposition (histogram _bucket/_sum/_count included)."""
    return {NAME_RE.match(line).group() for line in text.splitlines() if line and not line.startswith("#")}


class Processes:
    """The started processes, each with its log, stopped at teardown."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.started = []

    def start(self, name, args):
        log_path = self.workdir / (name + ".log")
        with open(log_path, "wb") as log:
            process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
        self.started.append((name, process, log_path))
        return process

    def wait_for(self, name, probe):
        """Call probe() until it returns a true value; fail with the process' log after STARTUP_TIMEOUT."""
        _unused, process, log_path = next(entry for entry in self.started if entry[0] == name)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                value = probe()
            except (OSError, urllib.error.URLError, ValueError):
                value = None
            if value:
                return value
            time.sleep(0.2)
        pytest.fail(f"{name} did not come up within {STARTUP_TIMEOUT} s (exit code {process.poll()}); its log:\n"
                    + log_path.read_text(errors="replace")[-3000:])
        return None

    def stop(self):
        for _name, process, _log in reversed(self.started):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _redis_ping(port):
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(64).startswith(b"+PONG")


def _connected_redis_exporter(url):
    """The exporter's metric names once it reports redis_up 1 (it reached the test's Redis), else None."""
    text = _get(url + "/metrics")
    return _exposed_names(text) if re.search(r"^redis_up 1$", text, re.M) else None


def _prometheus_config(port, node_port, redis_exporter_port, rules_file):
    def job(name, target_port):
        return {"job_name": name, "static_configs": [{"targets": [f"127.0.0.1:{target_port}"]}]}
    return {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules_file)],
        "scrape_configs": [job("prometheus", port), job("node", node_port), job("redis", redis_exporter_port)],
    }


def _query(url, expr):
    body = json.loads(_get(url + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})))
    return body["data"]["result"]


@pytest.fixture(scope="module")
def exposed(tmp_path_factory):
    """{source: set of metric names}: each binary's /metrics, and the scrape series of Prometheus' TSDB."""
    missing = [f"{name} ({path})" for name, path in BINARIES.items() if not os.access(path, os.X_OK)]
    if missing:
        pytest.fail("missing binaries: %s. Install them with scripts/setup.sh (Debian packages prometheus, "
                    "prometheus-node-exporter, prometheus-redis-exporter, redis-server)." % ", ".join(missing),
                    pytrace=False)
    workdir = tmp_path_factory.mktemp("dashboard-metrics")
    processes = Processes(workdir)
    ports = {name: _free_port() for name in ("redis_server", "redis_exporter", "node_exporter", "prometheus")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    try:
        processes.start("redis_server", [str(BINARIES["redis_server"]), "--port", str(ports["redis_server"]),
                                         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                         "--dir", str(workdir)])
        processes.wait_for("redis_server", lambda: _redis_ping(ports["redis_server"]))
        processes.start("redis_exporter", [str(BINARIES["redis_exporter"]),
                                           "-redis.addr", f"redis://127.0.0.1:{ports['redis_server']}",
                                           "-web.listen-address", f"127.0.0.1:{ports['redis_exporter']}"])
        processes.start("node_exporter", [str(BINARIES["node_exporter"]),
                                          f"--web.listen-address=127.0.0.1:{ports['node_exporter']}"])
        rules_file = workdir / "rules.yml"
        rules_file.write_text(json.dumps({"groups": [{"name": "dashboard_test", "interval": "1s", "rules": [
            {"record": RULE_RECORD, "expr": "count(up)"}]}]}))
        config_file = workdir / "prometheus.yml"
        config_file.write_text(json.dumps(_prometheus_config(ports["prometheus"], ports["node_exporter"],
                                                             ports["redis_exporter"], rules_file)))
        processes.start("prometheus", [str(BINARIES["prometheus"]), f"--config.file={config_file}",
                                       f"--storage.tsdb.path={workdir / 'data'}",
                                       f"--web.listen-address=127.0.0.1:{ports['prometheus']}"])
        names = {
            "redis_exporter": processes.wait_for("redis_exporter", lambda: _connected_redis_exporter(
                urls["redis_exporter"])),
            "node_exporter": processes.wait_for("node_exporter", lambda: _exposed_names(
                _get(urls["node_exporter"] + "/metrics"))),
        }
        # All three targets scraped and the rule group evaluated (its recording rule has a result).
        processes.wait_for("prometheus", lambda: len(_query(urls["prometheus"], "up == 1")) == 3
                           and _query(urls["prometheus"], RULE_RECORD))
        names["prometheus"] = _exposed_names(_get(urls["prometheus"] + "/metrics"))
        stored = json.loads(_get(urls["prometheus"] + "/api/v1/label/__name__/values"))["data"]
        names["scrape series"] = SCRAPE_SERIES & set(stored)
        yield names
    finally:
        processes.stop()


def _source(name):
    if name in SCRAPE_SERIES:
        return "scrape series"
    return next((source for prefix, source in SOURCES.items() if name.startswith(prefix)), None)


@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_dashboard_metrics_exist_on_the_binaries(path, exposed):
    problems = []
    for query in queries(load(path)):
        for name in sorted(n for n in metric_names(query.expr) if not is_tradpal(n)):
            source = _source(name)
            available = exposed[source] if source else set().union(*exposed.values())
            if name not in available:
                problems.append(f"{query}\n    {name} is not exposed by {source or 'prometheus or an exporter'}")
    assert not problems, "\n".join(problems)


def test_the_binaries_expose_what_the_dashboards_rely_on(exposed):
    """The fixture is not vacuous: each source answered with its own families."""
    assert "redis_connected_clients" in exposed["redis_exporter"]
    assert "node_cpu_seconds_total" in exposed["node_exporter"]
    assert "prometheus_rule_evaluation_failures_total" in exposed["prometheus"]
    assert exposed["scrape series"] == SCRAPE_SERIES
