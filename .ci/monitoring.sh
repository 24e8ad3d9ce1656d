#!/usr/bin/env bash
# Validate and unit-test the alerting rules in deploy/monitoring/ with promtool.
# promtool comes with Debian's prometheus package: installed here when missing (as root,
# as CI runs); the package's server is not started by this script.
set -euo pipefail

cd "$(dirname "$0")/.."

if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found: installing Debian's prometheus package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
promtool --version | head -n 1

promtool check rules deploy/monitoring/alerts.rules.yml
# The PrometheusRule carries the same groups (tests/test_monitoring.py compares them).
promtool test rules deploy/monitoring/tests/alerts.test.yml
