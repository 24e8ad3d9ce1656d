"""Count one conformance run's scored checks: passed, failed, expected failures (baseline).

Usage: conformance list --server --requirements V | python3 summarize.py RESULTS_DIR BASELINE
Extensions, pending and added-after-release scenarios run but never count (the suite's rule);
`conformance list` names them after "never scored". A warning counts as a failure, as the
suite does under a baseline.
"""

import json
import pathlib
import re
import sys

results, baseline = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).read_text()
expected = set(re.findall(r"^\s*-\s*([\w.-]+:[\w.-]+)", baseline, re.M))
unscored = set(re.findall(r"^\s+- ([\w./-]+) \[server\]$", sys.stdin.read(), re.M))
checks = {"passed": 0, "failed": 0, "expected failures": 0}
scenarios = {"passed": 0, "failed": 0, "expected failures": 0}
for path in results.glob("*/checks.json"):
    scenario = re.sub(r"^server-|-\d{4}-\d\d-\d\dT.*$", "", path.parent.name)
    if scenario in unscored:
        continue
    worst = "passed"
    for check in json.loads(path.read_text()):
        if check["status"] == "SUCCESS":
            checks["passed"] += 1
        elif check["status"] in ("FAILURE", "WARNING"):
            known = f"{scenario}:{check['id']}" in expected
            key = "expected failures" if known else "failed"
            checks[key] += 1
            worst = "failed" if worst == "failed" or not known else key
    scenarios[worst] += 1
print(
    f"{sum(scenarios.values())} scenarios: "
    + ", ".join(f"{n} {k}" for k, n in scenarios.items())
    + "; checks: "
    + ", ".join(f"{n} {k}" for k, n in checks.items())
)
