"""The shipped Grafana dashboards and the PromQL in them, for tests/unit/test_shipped_dashboards.py
and tests/integration/test_dashboard_metrics.py.

Grafana is not available here, so the dashboards are checked by reading them: every query
(panel targets and query variables) is listed with where it stands, Grafana's variables can be
substituted so that promtool can parse the result, and a small PromQL tokenizer finds the
metric names, label matchers, groupings and range selectors a query uses.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DASHBOARD_DIR = REPO / "roles" / "grafana" / "files" / "dashboards"
GRAFANA_VARS = REPO / "roles" / "grafana" / "vars" / "main.yml"
METRICS_DOC = REPO / "docs" / "tradpal_metrics.yml"

EXPECTED_DASHBOARDS = (
    "tradpal-system-overview.json",
    "tradpal-api-gateway.json",
    "tradpal-trading-performance.json",
    "tradpal-backtesting.json",
    "tradpal-data-service.json",
)
# Metric name prefixes of the TradPal services (docs/tradpal_metrics.yml); any other name
# must come from Prometheus or an exporter.
TRADPAL_PREFIXES = ("api_gateway_", "core_", "trading_", "backtest_", "data_")

# Grafana's own variables, with a value that keeps the query valid PromQL for promtool.
BUILTIN_VARIABLES = {
    "__rate_interval": "5m",
    "__interval": "1m",
    "__range": "1h",
    "__interval_ms": "60000",
    "__range_s": "3600",
    "__range_ms": "3600000",
}
# ${name}, ${name:format} and $name (Grafana's deprecated [[name]] is not accepted here).
VARIABLE_RE = re.compile(r"\$\{(?P<braced>\w+)(?::[^}]*)?\}|\$(?P<plain>\w+)")
LABEL_VALUES_RE = re.compile(r"^\s*label_values\(\s*(?:(?P<selector>.+),\s*)?(?P<label>\w+)\s*\)\s*$", re.S)
QUERY_RESULT_RE = re.compile(r"^\s*query_result\((?P<expr>.+)\)\s*$", re.S)


def dashboard_paths():
    return sorted(DASHBOARD_DIR.glob("*.json")) if DASHBOARD_DIR.is_dir() else []


def load(path):
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def datasource_uids():
    """The provisioned datasources' uids, from the grafana role's vars/main.yml."""
    with GRAFANA_VARS.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle)["__grafana_datasource_uids"])


def tradpal_series():
    """{series name: labels a query may use} for every series docs/tradpal_metrics.yml declares."""
    with METRICS_DOC.open(encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    series = {}
    for metric in doc["metrics"]:
        labels = set(metric["labels"]) | {"job", "instance"}
        if metric["type"] == "histogram":
            series[metric["name"] + "_bucket"] = labels | {"le"}
            series[metric["name"] + "_sum"] = labels
            series[metric["name"] + "_count"] = labels
        else:
            series[metric["name"]] = labels
    return series


def is_tradpal(name):
    return name.startswith(TRADPAL_PREFIXES)


def panels(dashboard):
    """Every panel, the ones nested in (collapsed) rows included."""
    for panel in dashboard.get("panels") or []:
        yield panel
        yield from panel.get("panels") or []


def variables(dashboard):
    return (dashboard.get("templating") or {}).get("list") or []


@dataclass
class Query:
    """One PromQL query of a dashboard: expr is what Prometheus would get, Grafana variables left in."""

    dashboard: str
    where: str
    expr: str
    source: str  # the text as written in the dashboard

    def __str__(self):
        return "%s: %s: %s" % (self.dashboard, self.where, self.source)


def _variable_query(variable):
    query = variable.get("query")
    if isinstance(query, dict):
        query = query.get("query")
    return query or variable.get("definition") or ""


def variable_expr(text):
    """PromQL for a query variable: label_values(sel, l) → count by (l) (sel); None when there is no selector."""
    match = LABEL_VALUES_RE.match(text)
    if match:
        if not match.group("selector"):
            return None
        return "count by (%s) (%s)" % (match.group("label"), match.group("selector").strip())
    match = QUERY_RESULT_RE.match(text)
    if match:
        return match.group("expr")
    if text.strip().startswith(("metrics(", "label_names(")):
        return None
    return text


def queries(dashboard):
    """Every query of a dashboard: panel targets' expr, query variables' query and definition."""
    uid = dashboard.get("uid", "?")
    found = []
    for panel in panels(dashboard):
        for target in panel.get("targets") or []:
            if "expr" in target:
                where = 'panel "%s" (id %s) target %s' % (panel.get("title"), panel.get("id"), target.get("refId"))
                found.append(Query(uid, where, target["expr"], target["expr"]))
    for variable in variables(dashboard):
        if variable.get("type") != "query":
            continue
        texts = {_variable_query(variable), variable.get("definition") or ""} - {""}
        for text in sorted(texts):
            expr = variable_expr(text)
            if expr is not None:
                found.append(Query(uid, 'variable "%s"' % variable.get("name"), expr, text))
    return found


def variable_names(expr):
    return [m.group("braced") or m.group("plain") for m in VARIABLE_RE.finditer(expr)]


def substitute(expr, placeholder="placeholder"):
    """expr with Grafana's variables replaced: built-in intervals by durations, the dashboard's own by a word."""
    def value(match):
        name = match.group("braced") or match.group("plain")
        return BUILTIN_VARIABLES.get(name, placeholder)
    return VARIABLE_RE.sub(value, expr)


# ---------------------------------------------------------------------------------------------
# PromQL tokenizer

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
            "offset", "atan2", "inf", "nan"}
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
GROUPING_KEYWORDS = {"by", "without"}
COUNTER_FUNCTIONS = {"rate", "irate", "increase"}
COUNTER_SUFFIXES = ("_total", "_bucket", "_sum", "_count")

_TOKEN_RE = re.compile(r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<var>\$\{[^}]*\}|\$\w+)
  | (?P<dur>(?:\d+(?:ms|s|m|h|d|w|y))+(?![\w.]))
  | (?P<num>0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<ident>[a-zA-Z_][a-zA-Z0-9_:]*|:[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<op>=~|!~|!=|==|>=|<=|[-+*/%^=<>@(){}\[\],:])
""", re.X)


@dataclass
class Token:
    kind: str
    text: str
    pos: int


def tokenize(expr):
    """PromQL tokens (Grafana variables are tokens of kind var); ValueError on a character PromQL has not."""
    tokens, pos = [], 0
    while pos < len(expr):
        match = _TOKEN_RE.match(expr, pos)
        if not match:
            raise ValueError("cannot tokenize at %r" % expr[pos:pos + 20])
        if match.lastgroup != "space":
            tokens.append(Token(match.lastgroup, match.group(), pos))
        pos = match.end()
    return tokens


@dataclass
class Call:
    """A pair of parentheses: a function or aggregation call (func), or plain grouping (func None)."""

    func: str | None
    open: int
    close: int = -1
    grouping: tuple | None = None  # ('by' or 'without', labels)


@dataclass
class Selector:
    name: str | None
    matchers: list  # (label, op, value without quotes)
    calls: list  # enclosing Calls, outermost first
    index: int
    range: str | None = None  # text inside the [...] right after the selector


@dataclass
class Analysis:
    selectors: list = field(default_factory=list)
    calls: list = field(default_factory=list)
    ranges: list = field(default_factory=list)  # (text, innermost enclosing Call or None)
    matching: list = field(default_factory=list)  # (keyword, labels) of on/ignoring/group_left/group_right

    def inside(self, call):
        return [s for s in self.selectors if call.open < s.index < call.close]


def _label_list(tokens, start):
    """Labels of the (...) list opening at tokens[start]; returns (labels, index of ')')."""
    labels, i = [], start + 1
    while tokens[i].text != ")":
        if tokens[i].kind == "ident":
            labels.append(tokens[i].text)
        elif tokens[i].text != ",":
            raise ValueError("unexpected %r in a label list" % tokens[i].text)
        i += 1
    return labels, i


def _matchers(tokens, start):
    """Matchers of the {...} opening at tokens[start]; returns (matchers, index of '}')."""
    matchers, i = [], start + 1
    while tokens[i].text != "}":
        if tokens[i].text == ",":
            i += 1
            continue
        label, op, value = tokens[i], tokens[i + 1], tokens[i + 2]
        if label.kind != "ident" or op.text not in ("=", "!=", "=~", "!~") or value.kind != "str":
            raise ValueError("bad label matcher near %r" % label.text)
        matchers.append((label.text, op.text, value.text[1:-1]))
        i += 3
    return matchers, i


class _Parser:
    """One pass over the tokens; the token kinds PromQL has decide what an identifier is."""

    def __init__(self, expr):
        self.tokens = tokenize(expr)
        self.result = Analysis()
        self.stack = []
        self.pending = None  # (aggregation, grouping) of `agg by (...) (`

    def peek(self, i):
        return self.tokens[i] if i < len(self.tokens) else None

    def run(self):
        i = 0
        while i < len(self.tokens):
            token, nxt = self.tokens[i], self.peek(i + 1)
            if token.kind == "ident" and token.text.lower() in KEYWORDS:
                i = self.keyword(i, token.text.lower(), nxt)
            elif token.kind == "ident" and nxt is not None and nxt.kind == "ident" \
                    and nxt.text.lower() in GROUPING_KEYWORDS:
                i += 1  # the aggregation of `agg by (...) (...)`: the grouping makes its call
            elif token.kind == "ident" and nxt is not None and nxt.text == "(":
                self.open(Call(token.text, i + 1))
                i += 2
            elif token.text == "(":
                pending, self.pending = self.pending, None
                self.open(Call(pending[0], i, grouping=pending[1]) if pending else Call(None, i))
                i += 1
            elif token.text == ")":
                if not self.stack:
                    raise ValueError("unbalanced )")
                self.stack.pop().close = i
                i += 1
            elif token.kind == "ident" or token.text == "{":
                i = self.selector(i)
            elif token.text == "[":  # subquery range
                i = self.range(i) + 1
            else:
                i += 1
        if self.stack:
            raise ValueError("unbalanced (")
        return self.result

    def open(self, call):
        self.result.calls.append(call)
        self.stack.append(call)

    def keyword(self, i, word, nxt):
        if word not in LABEL_LIST_KEYWORDS or nxt is None or nxt.text != "(":
            return i + 1
        labels, end = _label_list(self.tokens, i + 1)
        previous = self.tokens[i - 1] if i else None
        if word not in GROUPING_KEYWORDS:
            self.result.matching.append((word, tuple(labels)))
        elif previous is not None and previous.text == ")":  # sum(...) by (labels)
            closed = next(c for c in self.result.calls if c.close == i - 1)
            closed.grouping = (word, tuple(labels))
        elif previous is not None and previous.kind == "ident":  # sum by (labels) (...)
            self.pending = (previous.text, (word, tuple(labels)))
        else:
            raise ValueError("%s without an aggregation" % word)
        return end + 1

    def range(self, i):
        """Record the [...] opening at i with its innermost call; returns the index of ']'."""
        close = next(j for j in range(i, len(self.tokens)) if self.tokens[j].text == "]")
        text = "".join(t.text for t in self.tokens[i + 1:close])
        self.result.ranges.append((text, self.stack[-1] if self.stack else None))
        return close

    def selector(self, i):
        """A metric name and/or {matchers}, maybe with a range; returns the index after it."""
        token, nxt = self.tokens[i], self.peek(i + 1)
        name, matchers, end = (token.text if token.kind == "ident" else None), [], i
        if token.text == "{":
            matchers, end = _matchers(self.tokens, i)
        elif nxt is not None and nxt.text == "{":
            matchers, end = _matchers(self.tokens, i + 1)
        if name is None:
            names = [value for label, op, value in matchers if label == "__name__" and op == "="]
            name = names[0] if names else None
        selector = Selector(name, matchers, list(self.stack), i)
        self.result.selectors.append(selector)
        following = self.peek(end + 1)
        if following is not None and following.text == "[":
            end = self.range(end + 1)
            selector.range = self.result.ranges[-1][0]
        return end + 1


def analyse(expr):
    """Selectors (metric names and matchers), calls with their groupings and range selectors of a query."""
    return _Parser(expr).run()


def metric_names(expr):
    return {s.name for s in analyse(expr).selectors if s.name}
