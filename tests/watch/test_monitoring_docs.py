"""docs/monitoring.md and its files: the alert rules, the scrape config and the Grafana
dashboard are what promtool accepts, and every metric the watch serves is documented."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml

from tests.watch.promtools import promtool
from tui.watch.metrics import WatchMetrics

DOCS = Path(__file__).resolve().parents[2] / "docs"
DOC = DOCS / "monitoring.md"
RULES = DOCS / "monitoring" / "alerts.yml"
DASHBOARD = DOCS / "monitoring" / "dashboard.json"
# Grafana's variables, as Grafana would fill them in.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)


def test_the_rules_in_the_doc_are_the_rules_file_and_promtool_accepts_them() -> None:
    rules = RULES.read_text()
    assert rules in yaml_blocks(DOC.read_text())
    alerts = {rule["alert"] for rule in yaml.safe_load(rules)["groups"][0]["rules"]}
    assert alerts == {
        "KeydeckKeyFailing",
        "KeydeckCriticalFinding",
        "KeydeckKeyExpiring",
        "KeydeckWatchDown",
    }
    assert "SUCCESS: 4 rules found" in promtool("check", "rules", RULES)


def test_the_scrape_config_in_the_doc_is_a_valid_prometheus_config(tmp_path: Path) -> None:
    config = next(b for b in yaml_blocks(DOC.read_text()) if "scrape_configs" in b)
    (tmp_path / "prometheus.yml").write_text(config)
    shutil.copy(RULES, tmp_path / "keydeck-alerts.yml")
    assert "SUCCESS" in promtool("check", "config", "prometheus.yml", cwd=tmp_path)


def test_the_dashboard_loads_and_every_query_parses(tmp_path: Path) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["title"] and dashboard["uid"] and isinstance(dashboard["schemaVersion"], int)
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    exprs = []
    for panel in panels:
        assert panel["title"] and panel["type"]
        assert set(panel["gridPos"]) == {"x", "y", "w", "h"}
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        assert panel["datasource"]["uid"].strip("${}") in variables
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            expr = target["expr"]
            for name, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(name, value)
            assert "$" not in expr, expr
            exprs.append(expr)
    # promtool parses every expression as a recording rule.
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"keydeck:dashboard_query_{n}", "expr": expr}
                    for n, expr in enumerate(exprs)
                ],
            }
        ]
    }
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(rules))
    assert f"SUCCESS: {len(exprs)} rules found" in promtool("check", "rules", path)
    # Every metric the dashboard uses exists.
    served = served_metric_names()
    for expr in exprs:
        for name in re.findall(r"\bkeydeck_[a-z_]+", expr):
            assert name in served, name


def served_metric_names() -> set[str]:
    """Every sample name the exporter can serve (balances on)."""
    metrics = WatchMetrics(with_balances=True)
    names = {"keydeck_portfolio_usd"}  # only once a round read a balance
    for family in metrics.registry.collect():
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
        if family.type == "histogram":
            names.update(f"{family.name}_{suffix}" for suffix in ("bucket", "count", "sum"))
    return names


def test_every_metric_is_documented() -> None:
    doc = DOC.read_text()
    metrics = WatchMetrics(with_balances=True)
    families = {family.name for family in metrics.registry.collect()}
    families.add("keydeck_portfolio_usd")
    # Counters and infos are named without their suffix in the registry.
    suffixed = {"keydeck_watch_rounds": "_total", "keydeck_build": "_info"}
    for name in families:
        documented = name + suffixed.get(name, "")
        assert f"| `{documented}` |" in doc, documented
