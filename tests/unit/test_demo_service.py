"""The demo's stand-in for the TradPal services serves exactly the declared metric families,
with values that change and stay plausible (no shipped alert fires on a healthy demo)."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from random import Random

import pytest
import yaml
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "demo"))
import tradpal_demo_service as demo  # noqa: E402

DECLARED = yaml.safe_load((ROOT / "docs" / "tradpal_metrics.yml").read_text())
SERVICES = [service["name"] for service in DECLARED["services"]]


def families(registry):
    """name -> (type, label names of its samples, help) as a scrape shows them."""
    found = {}
    for family in registry.collect():
        labels = set()
        for sample in family.samples:
            labels.update(sample.labels)
        labels.discard("le")
        name = family.name + "_total" if family.type == "counter" else family.name
        found[name] = (family.type, labels, family.documentation)
    return found


def run(service_name, ticks, seed=7):
    registry = CollectorRegistry()
    service = demo.SERVICES[service_name](Random(seed), registry)  # noqa: S311 (simulated values)
    for _tick in range(ticks):
        service.tick()
    return service, registry


def sample(registry, name, **labels):
    value = registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


@pytest.mark.parametrize("service_name", SERVICES)
def test_serves_exactly_the_declared_families(service_name):
    _service, registry = run(service_name, 600)
    declared = {
        metric["name"]: (metric["type"], set(metric["labels"]), metric["help"])
        for metric in DECLARED["metrics"]
        if metric["service"] == service_name
    }
    assert families(registry) == declared


def test_ports_are_the_declared_ones():
    assert demo.PORTS == {service["name"]: service["port"] for service in DECLARED["services"]}


@pytest.mark.parametrize("service_name", SERVICES)
def test_values_change_every_few_seconds(service_name):
    service, registry = run(service_name, 30)
    before = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in registry.collect() for s in f.samples}
    for _tick in range(10):
        service.tick()
    after = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in registry.collect() for s in f.samples}
    assert before != after


def test_api_gateway_answers_a_small_share_with_5xx():
    _service, registry = run("api-gateway", 600)
    total = errors = 0.0
    for family in registry.collect():
        for s in family.samples:
            if s.name == "api_gateway_requests_total":
                total += s.value
                errors += s.value if s.labels["status"].startswith("5") else 0.0
    # Enough to draw the error rate, well below the shipped 5% alert threshold.
    assert total > 10000
    assert 0.005 < errors / total < 0.03


def test_a_healthy_demo_stays_below_the_alert_thresholds():
    # One simulated hour: drawdown under the 10% warning, data quality above 0.8, all backends healthy.
    _bot, trading = run("trading-bot", 3600)
    assert 0 <= sample(trading, "trading_drawdown_percentage") < 10
    assert 1 <= sample(trading, "trading_active_positions") <= 8
    _data, data = run("data-service", 3600)
    for source in demo.DataService.SOURCES:
        assert sample(data, "data_quality_score", source=source) >= 0.85
    assert 0.75 <= sample(data, "data_cache_hit_ratio") <= 0.99
    _gateway, gateway = run("api-gateway", 1)
    for backend in demo.ApiGateway.BACKENDS:
        assert sample(gateway, "api_gateway_service_health_status", service_name=backend) == 1


def test_backtest_results_keep_a_bounded_number_of_series():
    service, registry = run("backtesting-service", 3600)
    ids = {s.labels["backtest_id"] for f in registry.collect() for s in f.samples if s.name == "backtest_sharpe_ratio"}
    assert len(ids) == demo.BacktestingService.KEPT
    assert service.next_backtest > 100
    assert sample(registry, "backtest_execution_total", status="failed") > 0


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_process_serves_its_metrics_over_http():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "demo" / "tradpal_demo_service.py"),
            "--service",
            "trading-bot",
            "--port",
            str(port),
            "--listen",
            "127.0.0.1",
        ],
    )
    try:
        body = ""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as answer:
                    body = answer.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        names = {family.name for family in text_string_to_metric_families(body)}
        assert {"trading_portfolio_value", "trading_drawdown_percentage", "trading_signal_generation"} <= names
        # The default registry, as in the design's example: process metrics too.
        assert "process_cpu_seconds" in names
    finally:
        process.terminate()
        process.wait(10)
