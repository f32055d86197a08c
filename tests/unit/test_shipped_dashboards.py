"""Checks of the Grafana dashboards shipped in roles/grafana/files/dashboards, without a Grafana.

* the five expected files, valid JSON, unique and stable uids, unique panel ids (rows included);
* every datasource reference is ${datasource} or a uid of __grafana_datasource_uids
  (roles/grafana/vars/main.yml), the uids the grafana role provisions;
* every query (panel targets, query variables; label_values(sel, label) as
  ``count by (label) (sel)``), with Grafana's variables substituted, parsed by Prometheus
  itself: all of them go into one temporary rules file for one ``promtool check rules``;
* PromQL conventions: $__rate_interval in rate/irate/increase, counters only inside those,
  latency as histogram_quantile over ``sum by (le, ...) (rate(<name>_bucket[...]))``,
  multi-value variables only with =~ or !~, no undefined variables;
* every TradPal metric (api_gateway_*, core_*, trading_*, backtest_*, data_*) is a series
  docs/tradpal_metrics.yml declares, with its declared labels (plus job, instance, le);
* dashboard and panel conventions (tags, datasource variable, units, titles, descriptions...).

The exporters' and Prometheus' own metric names are checked against the real binaries by
tests/integration/test_dashboard_metrics.py. promtool comes from Debian's ``prometheus``
package (/usr/bin/promtool); set PROMTOOL to use another one. Without promtool these tests
fail, they never skip.
"""

import json
import re
from collections import Counter

import pytest
import yaml
from dashboard_queries import (
    COUNTER_FUNCTIONS,
    COUNTER_SUFFIXES,
    DASHBOARD_DIR,
    EXPECTED_DASHBOARDS,
    analyse,
    dashboard_paths,
    datasource_uids,
    is_tradpal,
    load,
    panels,
    queries,
    substitute,
    tradpal_series,
    variable_names,
    variables,
)
from test_shipped_rules import _promtool, _run_promtool

PATHS = [DASHBOARD_DIR / name for name in EXPECTED_DASHBOARDS]
IDS = [path.stem for path in PATHS]
PANEL_TYPES = {"row", "timeseries", "stat", "gauge", "table", "bargauge"}
DATASOURCE_VARIABLE = "${datasource}"
PANEL_DATASOURCE = {"type": "prometheus", "uid": DATASOURCE_VARIABLE}
BUILTIN_VARIABLES = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__range_ms"}
PROMTOOL_ERROR_RE = re.compile(r'group "(?P<group>[^"]+)", rule (?P<rule>\d+)')


def _where(path, panel):
    return '%s: panel "%s" (id %s)' % (path.stem, panel.get("title"), panel.get("id"))


def test_exactly_the_expected_dashboards():
    found = sorted(path.name for path in dashboard_paths())
    assert found == sorted(EXPECTED_DASHBOARDS), f"{DASHBOARD_DIR} must hold exactly {sorted(EXPECTED_DASHBOARDS)}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_valid_json(path):
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        pytest.fail(f"{path.name}: not valid JSON: {error}")
    assert isinstance(doc, dict), f"{path.name}: a dashboard is a JSON object"


def test_dashboard_uids_unique_and_stable():
    uids = [load(path).get("uid") for path in PATHS]
    assert len(uids) == len(set(uids)), f"duplicate dashboard uids: {uids}"
    for path, uid in zip(PATHS, uids, strict=True):
        assert uid == path.stem, f"{path.name}: uid {uid!r} must be the file name without .json"
        assert len(uid) <= 40, f"{path.name}: uid longer than Grafana's 40 characters"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_panel_ids_unique(path):
    ids = Counter(panel.get("id") for panel in panels(load(path)))
    duplicates = sorted(str(panel_id) for panel_id, count in ids.items() if count > 1)
    assert not duplicates, f"{path.stem}: panel ids used more than once (rows and nested panels count): {duplicates}"
    assert None not in ids, f"{path.stem}: a panel has no id"


def _datasource_references(node, where):
    """(where, value) of every "datasource" key anywhere in the dashboard."""
    if isinstance(node, dict):
        here = where
        if "title" in node and "type" in node:
            here = f'{where} > panel "{node["title"]}"'
        elif "refId" in node:
            here = f"{where} > target {node['refId']}"
        elif "name" in node and "type" in node:
            here = f'{where} > variable "{node["name"]}"'
        for key, value in node.items():
            if key == "datasource":
                yield here, value
            else:
                yield from _datasource_references(value, here)
    elif isinstance(node, list):
        for item in node:
            yield from _datasource_references(item, where)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_datasource_references_resolve(path):
    allowed = set(datasource_uids().values()) | {DATASOURCE_VARIABLE}
    doc = load(path)
    problems = []
    for where, value in _datasource_references(doc, path.stem):
        uid = value.get("uid") if isinstance(value, dict) else value
        if uid not in allowed:
            problems.append(f"{where}: datasource {value!r} is neither {DATASOURCE_VARIABLE} nor a provisioned uid")
    for variable in variables(doc):
        if variable.get("type") == "datasource":
            current = (variable.get("current") or {}).get("value")
            if current not in allowed:
                problems.append(f'{path.stem}: variable "{variable.get("name")}": current {current!r} '
                                "is not a provisioned uid")
    assert not problems, "\n".join(problems) + f"\nprovisioned uids (roles/grafana/vars/main.yml): {sorted(allowed)}"


@pytest.fixture(scope="session")
def promtool_results(tmp_path_factory):
    """One promtool check rules over every query of every dashboard: {dashboard uid: [error lines]}, output."""
    groups, by_group = [], {}
    for path in PATHS:
        found = queries(load(path))
        by_group[path.stem] = found
        groups.append({"name": path.stem, "rules": [
            {"record": "%s:query_%d" % (path.stem.replace("-", "_"), number), "expr": substitute(query.expr)}
            for number, query in enumerate(found, 1)
        ]})
    rules_file = tmp_path_factory.mktemp("dashboards") / "dashboard_queries.rules.yml"
    rules_file.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False), encoding="utf-8")
    returncode, output = _run_promtool(_promtool(), "check", "rules", str(rules_file))
    errors = {stem: [] for stem in by_group}
    for line in output.splitlines():
        match = PROMTOOL_ERROR_RE.search(line)
        if match and match.group("group") in by_group:
            query = by_group[match.group("group")][int(match.group("rule")) - 1]
            errors[match.group("group")].append(f"{query}\n    promtool: {line.strip()}")
    total = sum(len(found) for found in by_group.values())
    return returncode, output, errors, total


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_promtool_parses_every_query(path, promtool_results):
    returncode, output, errors, total = promtool_results
    assert not errors[path.stem], "queries Prometheus cannot parse:\n" + "\n".join(errors[path.stem])
    if returncode != 0 or f"SUCCESS: {total} rules found" not in output:
        mapped = any(errors.values())
        assert mapped, f"promtool check rules failed on the dashboards' queries:\n{output}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_dashboard_conventions(path):
    doc = load(path)
    name = path.stem
    assert doc.get("id", "missing") is None, f"{name}: id must be null (Grafana assigns it)"
    assert doc.get("editable") is True, f"{name}: editable must be true"
    assert doc.get("schemaVersion") == 39, f"{name}: schemaVersion must be 39"
    assert "tradpal" in (doc.get("tags") or []), f"{name}: tags must contain tradpal"
    assert str(doc.get("title", "")).startswith("TradPal / "), f"{name}: title must start with 'TradPal / '"
    assert doc.get("description"), f"{name}: the dashboard needs a description"
    datasource = [v for v in variables(doc) if v.get("name") == "datasource"]
    assert len(datasource) == 1, f"{name}: needs one templating variable named datasource"
    expected = {"type": "datasource", "query": "prometheus", "label": "Data source",
                "current": {"text": "Prometheus", "value": "tradpal-prometheus"}}
    actual = {key: datasource[0].get(key) for key in expected}
    assert actual == expected, f"{name}: datasource variable must be {expected}, is {actual}"
    names = [v.get("name") for v in variables(doc)]
    assert len(names) == len(set(names)), f"{name}: duplicate variable names {names}"


def _target_problems(where, targets):
    problems = [] if targets else [f"{where}: no targets"]
    for target in targets:
        if target.get("datasource") != PANEL_DATASOURCE:
            problems.append(f"{where} target {target.get('refId')}: datasource must be {PANEL_DATASOURCE}")
        if not str(target.get("expr", "")).strip():
            problems.append(f"{where} target {target.get('refId')}: no expr")
    ref_ids = [target.get("refId") for target in targets]
    if len(ref_ids) != len(set(ref_ids)):
        problems.append(f"{where}: duplicate refIds {ref_ids}")
    return problems


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_panel_conventions(path):
    problems = []
    for panel in panels(load(path)):
        where = _where(path, panel)
        kind = panel.get("type")
        if kind not in PANEL_TYPES:
            problems.append(f"{where}: type {kind!r} is not one of {sorted(PANEL_TYPES)}")
        grid = panel.get("gridPos") or {}
        if not all(isinstance(grid.get(key), int) for key in ("h", "w", "x", "y")):
            problems.append(f"{where}: gridPos needs integer h, w, x and y")
        if not panel.get("title"):
            problems.append(f"{where}: no title")
        if kind == "row":
            continue
        if not panel.get("description"):
            problems.append(f"{where}: no description")
        if panel.get("datasource") != PANEL_DATASOURCE:
            problems.append(f"{where}: datasource must be {PANEL_DATASOURCE}")
        if not ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit"):
            problems.append(f"{where}: no unit in fieldConfig.defaults.unit")
        problems.extend(_target_problems(where, panel.get("targets") or []))
    assert not problems, "\n".join(problems)


def _analyse(query):
    try:
        return analyse(query.expr)
    except (ValueError, IndexError, StopIteration) as error:
        return pytest.fail(f"{query}\n    the test's PromQL tokenizer cannot read it: {error!r}")


def _panel_queries(path):
    return [query for query in queries(load(path)) if query.where.startswith("panel ")]


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_rate_interval_and_counters(path):
    """Ranges of rate/irate/increase are $__rate_interval; counters and histogram series sit only inside them."""
    problems = []
    for query in _panel_queries(path):
        analysis = _analyse(query)
        for text, call in analysis.ranges:
            if call is not None and call.func in COUNTER_FUNCTIONS and text != "$__rate_interval":
                problems.append(f"{query}\n    {call.func}() over [{text}]: use [$__rate_interval]")
        for selector in analysis.selectors:
            if not selector.name.endswith(COUNTER_SUFFIXES):
                continue
            inner = selector.calls[-1].func if selector.calls else None
            if inner not in COUNTER_FUNCTIONS or selector.range is None:
                problems.append(f"{query}\n    counter {selector.name} outside rate/irate/increase")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_latency_from_histogram_quantile(path):
    """histogram_quantile(q, sum by (le, ...) (rate(<name>_bucket[$__rate_interval])))."""
    problems = []
    for query in _panel_queries(path):
        for selector in _analyse(query).selectors:
            if not selector.name.endswith("_bucket"):
                continue
            chain = [call for call in selector.calls if call.func is not None][-3:]
            funcs = [call.func for call in chain]
            grouping = chain[1].grouping if len(chain) == 3 else None
            if funcs != ["histogram_quantile", "sum", "rate"] or not grouping or grouping[0] != "by" \
                    or "le" not in grouping[1]:
                problems.append(f"{query}\n    {selector.name}: write histogram_quantile(q, sum by (le, ...) "
                                f"(rate({selector.name}[$__rate_interval])))")
        for call in _analyse(query).calls:
            if call.func == "histogram_quantile" and not re.search(
                    r"histogram_quantile\(\s*0?\.\d+\s*,", query.expr):
                problems.append(f"{query}\n    histogram_quantile needs a literal quantile between 0 and 1")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_variables_defined_and_multi_value_matchers(path):
    doc = load(path)
    defined = {v.get("name"): v for v in variables(doc)}
    problems = []
    for query in queries(doc):
        for name in variable_names(query.source):
            if name not in defined and name not in BUILTIN_VARIABLES:
                problems.append(f"{query}\n    ${name} is not a variable of the dashboard")
        for selector in _analyse(query).selectors:
            for label, op, value in selector.matchers:
                multi = [n for n in variable_names(value)
                         if n in defined and (defined[n].get("multi") or defined[n].get("includeAll"))]
                if multi and op not in ("=~", "!~"):
                    problems.append(f"{query}\n    {label}{op}\"{value}\": multi-value ${multi[0]} needs =~ or !~")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_tradpal_metrics_and_labels_declared(path):
    series = tradpal_series()
    problems = []
    for query in queries(load(path)):
        analysis = _analyse(query)
        tradpal = [s for s in analysis.selectors if is_tradpal(s.name)]
        for selector in tradpal:
            if selector.name not in series:
                problems.append(f"{query}\n    {selector.name} is not a series of docs/tradpal_metrics.yml")
                continue
            for label, _op, _value in selector.matchers:
                if label not in series[selector.name]:
                    problems.append(f"{query}\n    {selector.name} has no label {label} "
                                    f"(declared: {sorted(series[selector.name])})")
        for call in analysis.calls:
            if not call.grouping:
                continue
            for selector in (s for s in analysis.inside(call) if s.name in series):
                missing = set(call.grouping[1]) - series[selector.name]
                if missing:
                    problems.append(f"{query}\n    {call.func} {call.grouping[0]} ({', '.join(call.grouping[1])}): "
                                    f"{selector.name} has no label {', '.join(sorted(missing))}")
        known = set().union(*(series[s.name] for s in tradpal if s.name in series))
        for keyword, labels in analysis.matching:
            missing = set(labels) - known
            if known and missing:
                problems.append(f"{query}\n    {keyword} ({', '.join(labels)}): no TradPal metric of the query "
                                f"has {', '.join(sorted(missing))}")
    assert not problems, "\n".join(problems)
