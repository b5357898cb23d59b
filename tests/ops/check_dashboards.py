#!/usr/bin/env python3
"""Contract checks of the Grafana dashboards in deploy/grafana/dashboards and the provisioning in
deploy/grafana/provisioning (no Grafana, no stack).

    check_dashboards.py [CHECK...]   run the named checks (default: all but selftest)
    check_dashboards.py selftest     every check catches a deliberately broken copy of the real dashboards

Checks:
  json          every dashboard is a JSON object with uid, title, schemaVersion, panels and templating
  unique        uids and titles are unique across dashboards; panel ids are unique within a dashboard
  datasource    a `datasource` variable of type datasource (prometheus) exists and every panel, target, query
                variable and annotation uses {"type": "prometheus", "uid": "${datasource}"}
  targets       every panel that shows data has targets, and every target a non-empty expr
  gridpos       every panel has a gridPos inside the 24-column grid, and no two panels overlap
  balance       parentheses, brackets and braces of every expression balance (string literals aside)
  variables     every $variable an expression uses is defined in the dashboard (or is a Grafana global)
  instance      no expression names an instance literally (instance="host:port")
  promql        every expression parses as PromQL (promtool check rules, variables substituted)
  provisioning  the provisioning YAML declares a prometheus datasource and a file provider for the dashboards

The module also holds the PromQL lexer that tests/ops/stack_monitoring_test.py uses to find metric names.
"""
import copy
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GRAFANA = os.path.join(REPO, "deploy", "grafana")
DS = {"type": "prometheus", "uid": "${datasource}"}
# Panels that show no query results.
NO_DATA_PANELS = {"row", "text", "dashlist", "news", "welcome"}
GRAFANA_GLOBALS = {"__interval", "__interval_ms", "__rate_interval", "__range", "__range_s", "__range_ms",
                   "__from", "__to", "__dashboard", "__org", "__user", "__name", "timeFilter", "__all"}

# ---------------------------------------------------------------------------------------------------------------
# PromQL lexing (enough to find metric names and check nesting; promtool does the real parse)

AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
                "quantile", "limitk", "limit_ratio"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
            "atan2", "inf", "nan"}
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
SYNTHETIC = {"ALERTS", "ALERTS_FOR_STATE", "up", "scrape_duration_seconds", "scrape_samples_scraped",
             "scrape_samples_post_metric_relabeling", "scrape_series_added"}

VARIABLE_RE = re.compile(r"\$\{(\w+)(?:[.:][^}]*)?\}|\$(\w+)|\[\[(\w+)(?::\w+)?\]\]")
STRING_RE = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
DURATION_RE = re.compile(r"(?:\d+(?:ms|[smhdwy]))+")
NUMBER_RE = re.compile(r"0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
IDENT_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def variables_used(expr):
    """Grafana variables referenced by an expression ($name, ${name}, ${name:fmt}, [[name]]); $1 / ${1} are regex
    capture groups of label_replace, not variables."""
    names = set()
    for m in VARIABLE_RE.finditer(expr):
        name = m.group(1) or m.group(2) or m.group(3)
        if not name.isdigit():
            names.add(name)
    return names


def substitute_variables(expr, value="x"):
    """Replaces Grafana variables by something PromQL accepts: durations for the interval globals, `value` elsewhere
    (they appear inside label matcher strings)."""
    def repl(m):
        name = m.group(1) or m.group(2) or m.group(3)
        if name.isdigit():
            return m.group(0)
        if name in ("__interval", "__rate_interval", "__range"):
            return "5m"
        if name in ("__interval_ms", "__range_ms", "__range_s"):
            return "300"
        return value
    return VARIABLE_RE.sub(repl, expr)


def balance_problem(expr):
    """None when (), [] and {} nest properly and every string literal is closed; else what is wrong."""
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    i = 0
    while i < len(expr):
        c = expr[i]
        if c in "\"'`":
            m = STRING_RE.match(expr, i)
            if not m:
                return f"unterminated string at {i}"
            i = m.end()
            continue
        if c in "([{":
            stack.append((c, i))
        elif c in ")]}":
            if not stack or stack[-1][0] != pairs[c]:
                return f"unbalanced {c!r} at {i}"
            stack.pop()
        i += 1
    if stack:
        return f"unclosed {stack[-1][0]!r} at {stack[-1][1]}"
    return None


def tokens(expr):
    """(kind, text) tokens of a PromQL expression; kinds: string, duration, number, ident, punct."""
    expr = substitute_variables(expr)
    i = 0
    out = []
    while i < len(expr):
        c = expr[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":  # comment to end of line
            j = expr.find("\n", i)
            i = len(expr) if j < 0 else j
            continue
        for kind, regex in (("string", STRING_RE), ("duration", DURATION_RE), ("number", NUMBER_RE),
                            ("ident", IDENT_RE)):
            m = regex.match(expr, i)
            if m and m.end() > i:
                # A duration must not run into an identifier (e.g. "5minutes" is not a duration).
                if kind == "duration" and m.end() < len(expr) and (expr[m.end()].isalnum() or expr[m.end()] == "_"):
                    continue
                out.append((kind, m.group(0)))
                i = m.end()
                break
        else:
            out.append(("punct", c))
            i += 1
    return out


def metric_names(expr):
    """Metric names (and recording rule names) a PromQL expression selects: identifiers that are not functions,
    aggregations, keywords, or label names inside {...}, by/without/on/ignoring/group_*(...) lists and [...]."""
    toks = tokens(expr)
    names = set()
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        if kind == "punct" and text in "{[":
            close = "}" if text == "{" else "]"
            depth = 0
            while i < len(toks):
                if toks[i] == ("punct", text):
                    depth += 1
                elif toks[i] == ("punct", close):
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            i += 1
            continue
        if kind == "ident":
            lower = text.lower()
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if lower in LABEL_LIST_KEYWORDS:
                if nxt == ("punct", "("):  # skip the label list
                    j = i + 1
                    while j < len(toks) and toks[j] != ("punct", ")"):
                        j += 1
                    i = j + 1
                    continue
            elif lower in KEYWORDS or lower in AGGREGATIONS:
                pass
            elif nxt == ("punct", "("):
                pass  # a function call
            else:
                names.add(text)
        i += 1
    return names


def selector_labels(expr):
    """{metric name: label names its matchers use}, from every `name{label op "value", ...}` in the expression."""
    toks = tokens(expr)
    out = {}
    for i, (kind, text) in enumerate(toks):
        if kind != "ident" or i + 1 >= len(toks) or toks[i + 1] != ("punct", "{"):
            continue
        if i > 0 and toks[i - 1] == ("punct", "{"):
            continue
        labels = out.setdefault(text, set())
        j = i + 2
        while j < len(toks) and toks[j] != ("punct", "}"):
            if toks[j][0] == "ident" and j + 1 < len(toks) and toks[j + 1][0] == "punct" and toks[j + 1][1] in "=!":
                labels.add(toks[j][1])
            j += 1
    return out


def variable_query_exprs(query):
    """PromQL inside a Prometheus variable query: label_values(selector, label) -> selector;
    query_result(expr) -> expr; label_values(label), label_names(), metrics(re) -> nothing."""
    query = query.strip()
    m = re.fullmatch(r"label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)", query, re.S)
    if m:
        return [m.group(1)]
    if re.fullmatch(r"label_values\(\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)", query):
        return []
    m = re.fullmatch(r"query_result\((.*)\)", query, re.S)
    if m:
        return [m.group(1)]
    if re.fullmatch(r"(label_names|metrics)\(.*\)", query, re.S):
        return []
    return [query]


def variable_query(variable):
    q = variable.get("query")
    if isinstance(q, dict):
        q = q.get("query")
    return q if isinstance(q, str) else ""


def panels(model):
    """Every panel, rows' nested panels included: (panel, parent row or None)."""
    for panel in model.get("panels", []):
        yield panel, None
        for nested in panel.get("panels", []) or []:
            yield nested, panel


def expressions(model):
    """(where, PromQL) of every target, query variable and annotation of a dashboard model."""
    out = []
    for panel, _ in panels(model):
        for target in panel.get("targets", []) or []:
            out.append((f"panel {panel.get('title')!r} target {target.get('refId')}", target.get("expr", "")))
    for variable in model.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            for expr in variable_query_exprs(variable_query(variable)):
                out.append((f"variable {variable.get('name')}", expr))
    for annotation in model.get("annotations", {}).get("list", []):
        if annotation.get("expr"):
            out.append((f"annotation {annotation.get('name')!r}", annotation["expr"]))
    return out


def dashboard_files():
    return sorted(glob.glob(os.path.join(GRAFANA, "dashboards", "*.json")))


def load_dashboards():
    """[(relative path, raw text)]"""
    out = []
    for path in dashboard_files():
        with open(path, encoding="utf-8") as f:
            out.append((os.path.relpath(path, REPO), f.read()))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Checks: each takes the context {"texts": [(path, text)], "models": [(path, model)], "provisioning": {...}} and
# returns a list of problems.


def check_json(ctx):
    problems = []
    for path, text in ctx["texts"]:
        try:
            model = json.loads(text)
        except ValueError as e:
            problems.append(f"{path}: not valid JSON: {e}")
            continue
        if not isinstance(model, dict):
            problems.append(f"{path}: not a JSON object")
            continue
        for key, kind in (("uid", str), ("title", str), ("schemaVersion", int), ("panels", list), ("templating", dict)):
            if not isinstance(model.get(key), kind) or model.get(key) in ("", []):
                problems.append(f"{path}: {key} missing or not a non-empty {kind.__name__}")
    if not ctx["texts"]:
        problems.append("no dashboards under deploy/grafana/dashboards")
    return problems


def check_unique(ctx):
    problems = []
    seen = {"uid": {}, "title": {}}
    for path, model in ctx["models"]:
        for key in seen:
            value = model.get(key)
            if value in seen[key]:
                problems.append(f"{path}: {key} {value!r} also used by {seen[key][value]}")
            seen[key][value] = path
        if len(str(model.get("uid", ""))) > 40:
            problems.append(f"{path}: uid longer than Grafana's 40 characters")
        ids = {}
        for panel, _ in panels(model):
            if panel.get("id") in ids:
                problems.append(f"{path}: panel id {panel.get('id')} used by {ids[panel.get('id')]!r} and "
                                f"{panel.get('title')!r}")
            ids[panel.get("id")] = panel.get("title")
    return problems


def check_datasource(ctx):
    problems = []
    for path, model in ctx["models"]:
        variables = model.get("templating", {}).get("list", [])
        ds = [v for v in variables if v.get("name") == "datasource"]
        if len(ds) != 1 or ds[0].get("type") != "datasource" or ds[0].get("query") != "prometheus":
            problems.append(f"{path}: needs one variable `datasource` of type datasource with query prometheus")
        for panel, _ in panels(model):
            if panel.get("type") in NO_DATA_PANELS:
                continue
            if panel.get("datasource") != DS:
                problems.append(f"{path}: panel {panel.get('title')!r} datasource {panel.get('datasource')!r} "
                                f"is not {DS}")
            for target in panel.get("targets", []) or []:
                if "datasource" in target and target["datasource"] != DS:
                    problems.append(f"{path}: panel {panel.get('title')!r} target {target.get('refId')} datasource "
                                    f"{target['datasource']!r} is not {DS}")
        for v in variables:
            if v.get("type") == "query" and v.get("datasource") != DS:
                problems.append(f"{path}: variable {v.get('name')} datasource {v.get('datasource')!r} is not {DS}")
        for a in model.get("annotations", {}).get("list", []):
            if not a.get("builtIn") and a.get("datasource") != DS:
                problems.append(f"{path}: annotation {a.get('name')!r} datasource {a.get('datasource')!r} is not {DS}")
    return problems


def check_targets(ctx):
    problems = []
    for path, model in ctx["models"]:
        for panel, _ in panels(model):
            if panel.get("type") in NO_DATA_PANELS:
                continue
            targets = panel.get("targets") or []
            if not targets:
                problems.append(f"{path}: panel {panel.get('title')!r} has no targets")
            refs = [t.get("refId") for t in targets]
            if len(set(refs)) != len(refs):
                problems.append(f"{path}: panel {panel.get('title')!r} repeats a refId: {refs}")
            for target in targets:
                expr = target.get("expr")
                if not isinstance(expr, str) or not expr.strip():
                    problems.append(f"{path}: panel {panel.get('title')!r} target {target.get('refId')} has no expr")
        for v in model.get("templating", {}).get("list", []):
            if v.get("type") == "query" and not variable_query(v).strip():
                problems.append(f"{path}: variable {v.get('name')} has no query")
    return problems


def _overlaps(a, b):
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def check_gridpos(ctx):
    problems = []
    for path, model in ctx["models"]:
        # Top-level panels share one grid; a collapsed row's panels share another (they are laid out when it opens).
        grids = {None: []}
        for panel, parent in panels(model):
            title = panel.get("title")
            g = panel.get("gridPos")
            if not isinstance(g, dict) or not all(isinstance(g.get(k), int) for k in "xywh"):
                problems.append(f"{path}: panel {title!r} has no integer gridPos x, y, w, h")
                continue
            if g["w"] < 1 or g["h"] < 1 or g["x"] < 0 or g["y"] < 0 or g["x"] + g["w"] > 24:
                problems.append(f"{path}: panel {title!r} gridPos {g} is outside the 24-column grid")
            key = None if parent is None else id(parent)
            for other_title, other in grids.setdefault(key, []):
                if _overlaps(g, other):
                    problems.append(f"{path}: panels {other_title!r} {other} and {title!r} {g} overlap")
            grids[key].append((title, g))
    return problems


def check_balance(ctx):
    problems = []
    for path, model in ctx["models"]:
        for where, expr in expressions(model):
            problem = balance_problem(expr or "")
            if problem:
                problems.append(f"{path}: {where}: {problem} in {expr!r}")
    return problems


def check_variables(ctx):
    problems = []
    for path, model in ctx["models"]:
        defined = {v.get("name") for v in model.get("templating", {}).get("list", [])}
        texts = expressions(model) + [(f"variable {v.get('name')}", variable_query(v))
                                      for v in model.get("templating", {}).get("list", []) if v.get("type") == "query"]
        found = set()
        for where, expr in texts:
            for name in sorted(variables_used(expr or "") - defined - GRAFANA_GLOBALS):
                found.add(f"{path}: {where} uses undefined variable ${name}")
        problems += sorted(found)
    return problems


def check_instance(ctx):
    problems = []
    for path, model in ctx["models"]:
        for where, expr in expressions(model):
            for m in re.finditer(r"\binstance\s*(=~|!~|!=|=)\s*\"([^\"]*)\"", expr or ""):
                if not m.group(2).startswith("$"):
                    problems.append(f"{path}: {where} hard-codes instance {m.group(2)!r}")
    return problems


def _promtool(exprs):
    """Problems promtool finds parsing the expressions, as {index: message}."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "dashboards.yml")
        with open(path, "w") as f:
            f.write("groups:\n  - name: dashboards\n    rules:\n")
            for i, expr in enumerate(exprs):
                f.write(f"      - record: dashboard:expr_{i}\n        expr: {json.dumps(expr)}\n")
        run = subprocess.run(["promtool", "check", "rules", path], capture_output=True, text=True)
    if run.returncode == 0:
        return {}
    found = {}
    for m in re.finditer(r"\"dashboard:expr_(\d+)\": (.*)", run.stdout + run.stderr):
        found[int(m.group(1))] = m.group(2)
    return found or {-1: (run.stdout + run.stderr).strip()}


def check_promql(ctx):
    items = []
    for path, model in ctx["models"]:
        for where, expr in expressions(model):
            if expr and expr.strip():
                items.append((f"{path}: {where}", substitute_variables(expr)))
    try:
        errors = _promtool([e for _, e in items])
    except FileNotFoundError:
        return ["promtool not found (Debian package prometheus)"]
    problems = []
    for index, message in sorted(errors.items()):
        where = items[index][0] if 0 <= index < len(items) else "dashboards"
        problems.append(f"{where}: {message}")
    return problems


def load_provisioning():
    import yaml  # python3-yaml
    out = {}
    for kind in ("datasources", "dashboards"):
        out[kind] = []
        for path in sorted(glob.glob(os.path.join(GRAFANA, "provisioning", kind, "*.y*ml"))):
            with open(path) as f:
                try:
                    out[kind].append((os.path.relpath(path, REPO), yaml.safe_load(f)))
                except yaml.YAMLError as e:
                    out[kind].append((os.path.relpath(path, REPO), {"error": str(e)}))
    return out


def check_provisioning(ctx):
    problems = []
    prov = ctx["provisioning"]
    datasources = [d for _, doc in prov["datasources"] for d in (doc or {}).get("datasources", []) or []]
    if not any(d.get("type") == "prometheus" and d.get("url") and d.get("name") for d in datasources):
        problems.append("provisioning/datasources: no prometheus datasource with a name and url")
    providers = [p for _, doc in prov["dashboards"] for p in (doc or {}).get("providers", []) or []]
    if not any(p.get("type") == "file" and (p.get("options") or {}).get("path") for p in providers):
        problems.append("provisioning/dashboards: no file provider with options.path")
    for path, doc in prov["datasources"] + prov["dashboards"]:
        if not isinstance(doc, dict) or doc.get("apiVersion") != 1:
            problems.append(f"{path}: not a provisioning file (apiVersion: 1)")
    return problems


CHECKS = {
    "json": check_json,
    "unique": check_unique,
    "datasource": check_datasource,
    "targets": check_targets,
    "gridpos": check_gridpos,
    "balance": check_balance,
    "variables": check_variables,
    "instance": check_instance,
    "promql": check_promql,
    "provisioning": check_provisioning,
}


def context(texts, provisioning):
    models = []
    for path, text in texts:
        try:
            model = json.loads(text)
        except ValueError:
            continue
        if isinstance(model, dict):
            models.append((path, model))
    return {"texts": texts, "models": models, "provisioning": provisioning}


def run_checks(ctx, names):
    problems = []
    for name in names:
        problems += [f"[{name}] {p}" for p in CHECKS[name](ctx)]
    return problems


# ---------------------------------------------------------------------------------------------------------------
# Self-test: each mutation of the real dashboards must be caught by the named check.


def _first_panel(model, kind=None):
    for panel, _ in panels(model):
        if panel.get("type") not in NO_DATA_PANELS and (kind is None or panel.get("type") == kind):
            return panel
    raise LookupError("no data panel")


def _set_expr(model, expr):
    _first_panel(model)["targets"][0]["expr"] = expr


def _first_query_variable(model):
    return next(v for v in model["templating"]["list"] if v.get("type") == "query")


def _mutations():
    """(check, description, function(texts, models) -> texts). models are parsed copies; return new texts."""
    def on_model(index, change):
        def apply(texts, models):
            change(models[index][1])
            return [(p, json.dumps(m)) if i == index else (p, t)
                    for i, ((p, t), (_, m)) in enumerate(zip(texts, models))]
        return apply

    def two_panels_overlap(m):
        data = [p for p, parent in panels(m) if parent is None and p.get("type") not in NO_DATA_PANELS]
        data[1]["gridPos"] = dict(data[0]["gridPos"], x=data[0]["gridPos"]["x"] + 1)

    def second_same(key):
        def apply(texts, models):
            models[1][1][key] = models[0][1][key]
            return [(p, json.dumps(m)) for (p, _), (_, m) in zip(texts, models)]
        return apply

    return [
        ("json", "a trailing comma", lambda texts, models: [(texts[0][0], texts[0][1].rstrip().rstrip("}") + ",}")]
         + texts[1:]),
        ("json", "a dashboard without uid", on_model(0, lambda m: m.pop("uid"))),
        ("unique", "two dashboards with one uid", second_same("uid")),
        ("unique", "two dashboards with one title", second_same("title")),
        ("unique", "two panels with one id", on_model(0, lambda m: _first_panel(m).update(
            id=[p for p, _ in panels(m)][0]["id"]))),
        ("datasource", "a panel on a hard-coded datasource uid", on_model(1, lambda m: _first_panel(m).update(
            datasource={"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}))),
        ("datasource", "a panel without datasource", on_model(2, lambda m: _first_panel(m).pop("datasource"))),
        ("datasource", "a target on another datasource", on_model(2, lambda m: _first_panel(m)["targets"][0].update(
            datasource={"type": "loki", "uid": "${datasource}"}))),
        ("datasource", "no datasource variable", on_model(3, lambda m: m["templating"].update(
            list=[v for v in m["templating"]["list"] if v["name"] != "datasource"]))),
        ("targets", "an empty expr", on_model(0, lambda m: _set_expr(m, "  "))),
        ("targets", "a target without expr", on_model(4, lambda m: _first_panel(m)["targets"][0].pop("expr"))),
        ("targets", "a graph without targets", on_model(1, lambda m: _first_panel(m, "timeseries").update(targets=[]))),
        ("gridpos", "two overlapping panels", on_model(0, two_panels_overlap)),
        ("gridpos", "a panel wider than the grid", on_model(1, lambda m: _first_panel(m)["gridPos"].update(x=20, w=8))),
        ("balance", "an unclosed parenthesis", on_model(0, lambda m: _set_expr(m, "sum(rate(up[5m])"))),
        ("balance", "an unclosed brace", on_model(1, lambda m: _set_expr(m, 'sum(up{job="a")'))),
        ("balance", "crossed brackets", on_model(2, lambda m: _set_expr(m, "sum(rate(up[5m)])"))),
        ("variables", "an undefined variable", on_model(0, lambda m: _set_expr(m, 'sum(up{job=~"$servce"})'))),
        ("variables", "a variable query using an undefined variable", on_model(1, lambda m: _first_query_variable(m)
            .update(query={"query": 'label_values(up{job=~"$nope"}, job)', "refId": "A"}))),
        ("instance", "a hard-coded instance", on_model(4, lambda m: _set_expr(
            m, 'process_open_fds{instance="10.0.0.7:9464"}'))),
        ("promql", "a misspelt operator", on_model(3, lambda m: _set_expr(m, "sum by (job) (up) // 2"))),
        ("promql", "a range vector where an instant one belongs", on_model(2, lambda m: _set_expr(
            m, "sum(up[5m])"))),
        ("promql", "a broken label_values selector", on_model(2, lambda m: _first_query_variable(m).update(
            query={"query": "label_values(up{job=}, job)", "refId": "A"}))),
    ]


def check_selftest(ctx):
    problems = []
    texts = ctx["texts"]
    if len(texts) < 5:
        return [f"selftest needs the five dashboards, found {len(texts)}"]
    for check, what, mutate in _mutations():
        models = [(p, copy.deepcopy(m)) for p, m in context(texts, ctx["provisioning"])["models"]]
        broken = mutate(list(texts), models)
        if not run_checks(context(broken, ctx["provisioning"]), [check]):
            problems.append(f"check {check} did not notice {what}")
    # Provisioning mutations.
    for what, change in (("no prometheus datasource", lambda p: p.update(datasources=[])),
                         ("no dashboard provider", lambda p: p.update(dashboards=[]))):
        prov = copy.deepcopy(ctx["provisioning"])
        change(prov)
        if not run_checks(dict(ctx, provisioning=prov), ["provisioning"]):
            problems.append(f"check provisioning did not notice {what}")
    # The lexer finds what it should.
    lexer_cases = {
        'sum by (job, le) (rate(foo_bucket{le="0.5",job=~"$service"}[$__rate_interval])) / ignoring (le) bar offset 1h':
            {"foo_bucket", "bar"},
        "1 - (sum_over_time((a:b:rate5m{x=\"1\"} * c:d:rate5m)[30d:5m]) / 1e-3) > bool 0.5 unless on (j) ALERTS":
            {"a:b:rate5m", "c:d:rate5m", "ALERTS"},
        'label_replace(rate(http_server_requests_total[5m]), "class", "${1}xx", "code", "(.).*") and time() > 0':
            {"http_server_requests_total"},
        "histogram_quantile(0.99, sum without (instance) (rate(x_seconds_bucket[1h30m])))": {"x_seconds_bucket"},
    }
    for expr, want in lexer_cases.items():
        got = metric_names(expr)
        if got != want:
            problems.append(f"metric_names({expr!r}) = {sorted(got)}, want {sorted(want)}")
    got = selector_labels('sum by (x) (rate(a_total{code=~"5..", route!="$r"}[5m])) / b{le="1"} + c')
    if got != {"a_total": {"code", "route"}, "b": {"le"}}:
        problems.append(f"selector_labels found {got}")
    if variable_query_exprs("label_values(grpc_server_started_total{a=\"b\"}, grpc_method)") != \
            ['grpc_server_started_total{a="b"}']:
        problems.append("variable_query_exprs does not take the selector out of label_values(selector, label)")
    return problems


def main(argv):
    names = argv or [n for n in CHECKS]
    unknown = [n for n in names if n not in CHECKS and n != "selftest"]
    if unknown:
        print("usage: check_dashboards.py [" + "|".join(list(CHECKS) + ["selftest"]) + "]...", file=sys.stderr)
        return 2
    ctx = context(load_dashboards(), load_provisioning())
    problems = []
    for name in names:
        found = check_selftest(ctx) if name == "selftest" else CHECKS[name](ctx)
        problems += [f"[{name}] {p}" for p in found]
    for p in problems:
        print("FAIL: " + p, file=sys.stderr)
    exprs = sum(len(expressions(m)) for _, m in ctx["models"])
    print(f"{len(ctx['texts'])} dashboards, {exprs} expressions: {', '.join(names)}: "
          f"{'FAILED' if problems else 'ok'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
