#!/usr/bin/env bash
# The two libraries (confluence-client, mcp-auth) support Python 3.10: run their tests on a 3.10
# interpreter found on this machine. The server and mcp-auth's `fastmcp` extra are 3.11+, so
# the FastMCP tests skip themselves on 3.10 (with the reason in the summary).
#
# uv.lock covers 3.11+ only: uv locks a workspace for the intersection of its members'
# requires-python, and the server needs 3.11. So on 3.10 the libraries resolve from their own
# declared ranges (newest versions that support 3.10) -- exactly what a 3.10 user's install
# gets. The resolved set is printed for the log.
#
#   .ci/py310.sh               # both libraries
#   .ci/py310.sh mcp-auth      # one (the CI matrix runs one package per job)
set -euo pipefail

cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1 PYTHONDONTWRITEBYTECODE=1

find_py310() {
  local found
  if found=$(uv python find 3.10 2>/dev/null) && [ -x "$found" ]; then
    echo "$found"
    return
  fi
  # pyenv's shim makes `uv python find` fail where 3.10 is installed but not selected.
  for found in /root/.pyenv/versions/3.10.13/bin/python3 /root/.pyenv/versions/3.10*/bin/python3; do
    if [ -x "$found" ]; then
      echo "$found"
      return
    fi
  done
  return 1
}

if ! PY=$(find_py310); then
  echo "!!!!!!!! SKIP: no Python 3.10 interpreter on this machine; the libraries were NOT tested on 3.10 !!!!!!!!"
  exit 0
fi
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 10), sys.version' >/dev/null
echo "Python 3.10: $PY ($("$PY" --version))"

VENV=.ci/venv-py310
if ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  rm -rf "$VENV"
  uv venv --quiet --python "$PY" "$VENV"
fi
# Reinstalled each run (a no-op when nothing changed): editable libraries + their dev groups.
uv pip install --quiet --python "$VENV/bin/python" \
  -e packages/confluence-client -e packages/mcp-auth \
  --group packages/confluence-client/pyproject.toml:dev \
  --group packages/mcp-auth/pyproject.toml:dev
echo "resolved for 3.10: $(uv pip freeze --python "$VENV/bin/python" --exclude-editable | tr '\n' ' ')"
# fastmcp must not have been installed: the extra's marker keeps it off 3.10.
if "$VENV/bin/python" -c 'import fastmcp' 2>/dev/null; then
  echo "fastmcp got installed on 3.10: the extra's python_version marker is missing" >&2
  exit 1
fi

# Type-check the libraries as 3.10 code too (typeshed knows which stdlib names are 3.11+),
# against this venv's packages, as the 3.10-only backports are not in the 3.11+ lock; less
# mcp_auth.fastmcp, which is 3.11+ like fastmcp (the 3.11 mypy run checks it).
uv run --locked --quiet mypy --python-version 3.10 --python-executable "$VENV/bin/python" \
  --exclude 'mcp_auth/fastmcp/' -p confluence_client -p mcp_auth

packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(confluence-client mcp-auth)
for pkg in "${packages[@]}"; do
  echo "--- $pkg on $("$VENV/bin/python" --version)"
  "$VENV/bin/python" -m pytest -q -p no:cacheprovider "packages/$pkg/tests"
done
