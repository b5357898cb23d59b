#!/usr/bin/env python3
"""Every alerting rule under deploy/prometheus/rules has a severity, a summary, a description and a runbook_url
that names an existing docs/runbooks/<alert>.md; every runbook belongs to an alert."""
import glob
import os
import sys

import yaml

repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
problems = []
alerts = set()
for path in sorted(glob.glob(os.path.join(repo, "deploy/prometheus/rules/*.yml"))):
    with open(path) as f:
        doc = yaml.safe_load(f)
    for group in doc["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            name = rule["alert"]
            alerts.add(name)
            annotations = rule.get("annotations", {})
            for key in ("summary", "description", "runbook_url"):
                if not annotations.get(key):
                    problems.append(f"{name}: no {key}")
            if rule.get("labels", {}).get("severity") not in ("page", "ticket"):
                problems.append(f"{name}: severity must be page or ticket")
            url = annotations.get("runbook_url", "")
            if url != f"docs/runbooks/{name}.md":
                problems.append(f"{name}: runbook_url {url!r} is not docs/runbooks/{name}.md")
            elif not os.path.isfile(os.path.join(repo, url)):
                problems.append(f"{name}: {url} does not exist")
for path in glob.glob(os.path.join(repo, "docs/runbooks/*.md")):
    name = os.path.basename(path)[:-3]
    if name not in alerts:
        problems.append(f"docs/runbooks/{name}.md: no alert of that name")
if not alerts:
    problems.append("no alerts found")
for p in problems:
    print(p, file=sys.stderr)
print(f"{len(alerts)} alerts checked")
sys.exit(1 if problems else 0)
