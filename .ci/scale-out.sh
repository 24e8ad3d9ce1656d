#!/usr/bin/env bash
# Scale-out: two confluence-mcp replicas behind Debian's nginx, sharing a Debian redis-server
# (issue 11 #5). Installs nginx and redis-server with apt-get when missing (CI runs as root),
# runs the Redis-backed tests (MCP_RATE_LIMIT_STORAGE, the tool-error refusal, replica session
# ids), then .ci/scale_out.py: stateless and stateful, both protocol versions, one key's limit
# across replicas, kill -9 and a rolling restart under load. Everything listens on loopback
# with its own config under a temp dir; every process started is stopped by its PID.
set -euo pipefail

cd "$(dirname "$0")/.."
export UV_NO_PROGRESS=1 PYTHONDONTWRITEBYTECODE=1

missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "!!!!!!!! scale-out needs ${missing[*]}: run as root, or apt-get install them !!!!!!!!" >&2
    exit 1
  fi
  echo "--- apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d 101: the packages must not start their own system services (we start ours).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"
echo "--- $(nginx -v 2>&1), $(redis-server --version | cut -d' ' -f1-3)"

echo "--- Redis-backed tests (limits shared, refusal as a tool error, replica session ids)"
CONFLUENCE_MCP_REQUIRE_REDIS=1 uv run --locked pytest -q -p no:cacheprovider -n0 \
  packages/confluence-mcp/tests/http/test_shared_state.py

echo "--- two replicas behind nginx sharing redis"
timeout 300 uv run --locked python .ci/scale_out.py
