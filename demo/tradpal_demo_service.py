# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for one TradPal service, for the local demo only.

TradPal's five services are not part of this collection. So that the demo's Prometheus,
alert rules and dashboards have something real to scrape, this process plays one of them:
it serves that service's metric families (docs/tradpal_metrics.yml: the same names, types,
labels and help texts) on the service's port, with plausible values that change every
second - requests with a share of 5xx answers, latency histograms, signals, positions,
P&L, drawdown, backtests, data fetches, the cache hit ratio.

Nothing here trades or fetches anything. The demo runs one process per service
(systemd unit tradpal-demo@<service>); stopping one is how the demo shows ServiceDown.

    python3 tradpal_demo_service.py --service api-gateway [--port 8000] [--listen 0.0.0.0]
"""

from __future__ import annotations

import argparse
import random
import threading
from functools import partial

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, start_http_server

PORTS = {
    "api-gateway": 8000,
    "data-service": 8001,
    "core-service": 8002,
    "trading-bot": 8003,
    "backtesting-service": 8004,
}

# Latency buckets in seconds, from 5 ms to 10 s: the shipped rules alert at a p95 of 2 s.
FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Backtests run for seconds to minutes.
SLOW = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0)


def _metric_types(registry):
    """Counter, Gauge and Histogram registering with registry."""
    return partial(Counter, registry=registry), partial(Gauge, registry=registry), partial(Histogram, registry=registry)


def _drift(value, step, low, high, rng):
    """value moved by a random step, kept within [low, high]."""
    return min(high, max(low, value + rng.uniform(-step, step)))


class ApiGateway:
    """Requests to the gateway's endpoints, about 1.5% answered 5xx, and the backends' health."""

    ENDPOINTS = (
        ("GET", "/api/v1/market-data"),
        ("GET", "/api/v1/signals"),
        ("POST", "/api/v1/orders"),
        ("GET", "/health"),
    )
    BACKENDS = ("data-service", "core-service", "trading-bot", "backtesting-service")
    CLIENTS = ("web-ui", "mobile", "partner-api")

    def __init__(self, rng, registry=REGISTRY):
        self.rng = rng
        counter, gauge, histogram = _metric_types(registry)
        self.requests = counter(
            "api_gateway_requests_total", "Total number of requests processed", ["method", "endpoint", "status"]
        )
        self.duration = histogram(
            "api_gateway_request_duration_seconds", "Request duration in seconds", ["method", "endpoint"], buckets=FAST
        )
        self.health = gauge("api_gateway_service_health_status", "Health status of backend services", ["service_name"])
        self.rate_limited = counter(
            "api_gateway_rate_limit_exceeded_total", "Total number of rate limit violations", ["client_id"]
        )
        for backend in self.BACKENDS:
            self.health.labels(service_name=backend).set(1)

    def tick(self):
        for _request in range(self.rng.randint(20, 60)):
            method, endpoint = self.rng.choice(self.ENDPOINTS)
            roll = self.rng.random()
            status = "500" if roll < 0.012 else "503" if roll < 0.015 else "429" if roll < 0.03 else "200"
            self.requests.labels(method=method, endpoint=endpoint, status=status).inc()
            self.duration.labels(method=method, endpoint=endpoint).observe(self.rng.lognormvariate(-3.2, 0.7))
            if status == "429":
                self.rate_limited.labels(client_id=self.rng.choice(self.CLIENTS)).inc()


class DataService:
    """Fetches from three market data sources, a cache and per-source quality scores."""

    SOURCES = ("binance", "kraken", "yahoo")

    def __init__(self, rng, registry=REGISTRY):
        self.rng = rng
        counter, gauge, histogram = _metric_types(registry)
        self.fetches = counter("data_fetch_total", "Total number of data fetch operations", ["source", "status"])
        self.duration = histogram("data_fetch_duration_seconds", "Time spent fetching data", ["source"], buckets=FAST)
        self.hit_ratio = gauge("data_cache_hit_ratio", "Cache hit ratio (0.0 - 1.0)")
        self.cache_size = gauge("data_cache_size_bytes", "Current cache size in bytes")
        self.quality = gauge("data_quality_score", "Data quality score (0.0 - 1.0)", ["source"])
        self.state = {"hit_ratio": 0.9, "cache_size": 64e6, **{source: 0.95 for source in self.SOURCES}}

    def tick(self):
        for _fetch in range(self.rng.randint(3, 10)):
            source = self.rng.choice(self.SOURCES)
            status = "error" if self.rng.random() < 0.02 else "success"
            self.fetches.labels(source=source, status=status).inc()
            self.duration.labels(source=source).observe(self.rng.lognormvariate(-2.0, 0.6))
        state, rng = self.state, self.rng
        state["hit_ratio"] = _drift(state["hit_ratio"], 0.01, 0.75, 0.99, rng)
        state["cache_size"] = _drift(state["cache_size"], 2e6, 32e6, 128e6, rng)
        self.hit_ratio.set(state["hit_ratio"])
        self.cache_size.set(int(state["cache_size"]))
        for source in self.SOURCES:
            state[source] = _drift(state[source], 0.005, 0.85, 1.0, rng)
            self.quality.labels(source=source).set(state[source])


class CoreService:
    """Indicator calculations (about 1% failing), vectorised operations and memory in use."""

    INDICATORS = ("rsi", "macd", "bollinger_bands", "ema")
    OPERATIONS = ("rolling_window", "matrix_multiply", "signal_filter")

    def __init__(self, rng, registry=REGISTRY):
        self.rng = rng
        counter, gauge, histogram = _metric_types(registry)
        self.duration = histogram(
            "core_indicator_calculation_duration_seconds",
            "Time spent calculating indicators",
            ["indicator_type"],
            buckets=FAST,
        )
        self.calculations = counter(
            "core_indicator_calculation_total", "Total number of indicator calculations", ["indicator_type", "status"]
        )
        self.memory = gauge("core_memory_usage_bytes", "Current memory usage in bytes")
        self.vectorization = histogram(
            "core_vectorization_duration_seconds",
            "Time spent on vectorized operations",
            ["operation_type"],
            buckets=FAST,
        )
        self.memory_bytes = 256e6

    def tick(self):
        for _calculation in range(self.rng.randint(5, 15)):
            indicator = self.rng.choice(self.INDICATORS)
            status = "error" if self.rng.random() < 0.01 else "success"
            self.calculations.labels(indicator_type=indicator, status=status).inc()
            self.duration.labels(indicator_type=indicator).observe(self.rng.lognormvariate(-4.0, 0.5))
            self.vectorization.labels(operation_type=self.rng.choice(self.OPERATIONS)).observe(
                self.rng.lognormvariate(-5.0, 0.5)
            )
        self.memory_bytes = _drift(self.memory_bytes, 8e6, 192e6, 512e6, self.rng)
        self.memory.set(int(self.memory_bytes))


class TradingBot:
    """Signals, their execution, a handful of open positions with their P&L, portfolio and drawdown."""

    def __init__(self, rng, registry=REGISTRY):
        self.rng = rng
        counter, gauge, histogram = _metric_types(registry)
        self.signals = counter(
            "trading_signal_generation_total",
            "Total number of trading signals generated",
            ["signal_type", "confidence_level"],
        )
        self.execution = histogram(
            "trading_signal_execution_duration_seconds", "Time spent executing trading signals", buckets=FAST
        )
        self.active = gauge("trading_active_positions", "Number of active trading positions")
        self.pnl = gauge("trading_position_pnl", "Current P&L of positions", ["position_id"])
        self.portfolio = gauge("trading_portfolio_value", "Current portfolio value")
        self.drawdown = gauge("trading_drawdown_percentage", "Current drawdown percentage")
        self.positions = {}
        self.next_position = 1
        self.value = 100_000.0
        self.peak = self.value

    def tick(self):
        rng = self.rng
        if rng.random() < 0.5:
            self.signals.labels(
                signal_type=rng.choice(("buy", "sell", "hold")), confidence_level=rng.choice(("low", "medium", "high"))
            ).inc()
            self.execution.observe(rng.lognormvariate(-3.0, 0.5))
        if len(self.positions) < 3 or (len(self.positions) < 8 and rng.random() < 0.05):
            self.positions["pos-%04d" % self.next_position] = 0.0
            self.next_position += 1
        elif rng.random() < 0.03:
            closed = rng.choice(sorted(self.positions))
            self.value += self.positions.pop(closed)
            self.pnl.remove(closed)
        for position in self.positions:
            self.positions[position] += rng.gauss(0.0, 25.0)
            self.pnl.labels(position_id=position).set(round(self.positions[position], 2))
        # The portfolio drifts slightly upwards; the drawdown stays below the shipped alerts' 10%.
        self.value = max(92_000.0, self.value * (1 + rng.gauss(0.00002, 0.0008)))
        self.peak = max(self.peak, self.value)
        self.active.set(len(self.positions))
        self.portfolio.set(round(self.value + sum(self.positions.values()), 2))
        self.drawdown.set(round(min(9.5, 100 * (self.peak - self.value) / self.peak), 3))


class BacktestingService:
    """Backtests of a few strategies and timeframes (about 3% failing); results of the last five."""

    STRATEGIES = ("sma_crossover", "mean_reversion", "momentum")
    TIMEFRAMES = ("1h", "4h", "1d")
    KEPT = 5

    def __init__(self, rng, registry=REGISTRY):
        self.rng = rng
        counter, gauge, histogram = _metric_types(registry)
        self.duration = histogram(
            "backtest_execution_duration_seconds",
            "Time spent running backtests",
            ["strategy_name", "timeframe"],
            buckets=SLOW,
        )
        self.executions = counter("backtest_execution_total", "Total number of backtests executed", ["status"])
        self.sharpe = gauge("backtest_sharpe_ratio", "Sharpe ratio of backtest results", ["backtest_id"])
        self.max_drawdown = gauge("backtest_max_drawdown", "Maximum drawdown of backtest results", ["backtest_id"])
        self.total_return = gauge("backtest_total_return", "Total return of backtest results", ["backtest_id"])
        self.kept = []
        self.next_backtest = 1

    def tick(self):
        rng = self.rng
        if rng.random() > 0.2:
            return
        backtest = "bt-%05d" % self.next_backtest
        self.next_backtest += 1
        self.duration.labels(strategy_name=rng.choice(self.STRATEGIES), timeframe=rng.choice(self.TIMEFRAMES)).observe(
            rng.lognormvariate(3.0, 0.8)
        )
        if rng.random() < 0.03:
            self.executions.labels(status="failed").inc()
            return
        self.executions.labels(status="success").inc()
        self.sharpe.labels(backtest_id=backtest).set(round(rng.gauss(1.1, 0.5), 3))
        self.max_drawdown.labels(backtest_id=backtest).set(round(rng.uniform(0.03, 0.25), 4))
        self.total_return.labels(backtest_id=backtest).set(round(rng.gauss(0.12, 0.15), 4))
        self.kept.append(backtest)
        while len(self.kept) > self.KEPT:
            old = self.kept.pop(0)
            for gauge in (self.sharpe, self.max_drawdown, self.total_return):
                gauge.remove(old)


SERVICES = {
    "api-gateway": ApiGateway,
    "data-service": DataService,
    "core-service": CoreService,
    "trading-bot": TradingBot,
    "backtesting-service": BacktestingService,
}


def simulate(service, stop, interval=1.0):
    """Advance service every interval seconds until stop is set."""
    while not stop.wait(interval):
        service.tick()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve the metrics of one TradPal service, for the local demo.")
    parser.add_argument("--service", required=True, choices=sorted(SERVICES))
    parser.add_argument("--port", type=int, help="default: the service's own port (8000-8004)")
    parser.add_argument("--listen", default="0.0.0.0", help="address to listen on (default: every address)")  # noqa: S104
    parser.add_argument("--seed", type=int, help="random seed, for repeatable values")
    args = parser.parse_args(argv)
    service = SERVICES[args.service](random.Random(args.seed))  # noqa: S311 (simulated values, no secrets)
    service.tick()
    start_http_server(args.port or PORTS[args.service], addr=args.listen)
    stop = threading.Event()
    try:
        simulate(service, stop)
    except KeyboardInterrupt:
        stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
