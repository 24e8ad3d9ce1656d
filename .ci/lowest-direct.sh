#!/usr/bin/env bash
# Every declared floor is real: for each package, resolve with uv's `lowest-direct` strategy
# (each direct dependency at the lowest version its range allows, the rest at the newest that
# fits) and run that package's tests there. A failure means a floor is too low: raise it in
# the package's pyproject.toml to a version that works, never pin around it.
#
# The server resolves with the two libraries from this workspace (their 0.1.0 is also the
# lowest its `>=0.1,<0.2` ranges allow), and their own dependencies are direct too, so the
# libraries' floors are exercised under the server as well as on their own.
#
#   .ci/lowest-direct.sh                      # all three packages
#   .ci/lowest-direct.sh confluence-mcp       # just one
set -euo pipefail

cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1 PYTHONDONTWRITEBYTECODE=1

# Lowest dependencies on the lowest supported Python: 3.10 for the libraries where this
# machine has one (else 3.11, said loudly), 3.11 for the server. mcp-auth runs twice: on 3.10
# its core floors (FastMCP tests skip), on 3.11 with its `fastmcp` extra, whose FastMCP 4.2.3
# lifts pydantic, starlette and others above the core's floors.
python_for() {
  local want=$1 found
  if found=$(uv python find "$want" 2>/dev/null) && [ -x "$found" ]; then
    echo "$found"
    return
  fi
  for found in /root/.pyenv/versions/"$want".*/bin/python3; do
    if [ -x "$found" ]; then
      echo "$found"
      return
    fi
  done
  return 1
}

run_lowest() {
  local pkg=$1 want=$2 extras=$3 py venv req
  if ! py=$(python_for "$want"); then
    echo "!!!!!!!! no Python $want here: $pkg's floors tested on 3.11 instead !!!!!!!!"
    py=$(python_for 3.11)
    want=3.11
  fi
  venv=".ci/venv-lowest-$pkg-py$want"
  req="$venv/requirements.txt"
  if ! "$venv/bin/python" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$want'.split('.')))" 2>/dev/null; then
    rm -rf "$venv"
    uv venv --quiet --python "$py" "$venv"
  fi
  rm -f "$req" # an existing output file would be used as preferences: resolve afresh
  # shellcheck disable=SC2086 # $extras is a list of --extra flags
  uv pip compile --quiet --python "$venv/bin/python" --resolution lowest-direct \
    "packages/$pkg/pyproject.toml" $extras --group "packages/$pkg/pyproject.toml:dev" \
    --no-header --no-annotate -o "$req"
  uv pip sync --quiet --python "$venv/bin/python" "$req"
  # The compiled set holds the package's dependencies; the package itself goes on top.
  uv pip install --quiet --python "$venv/bin/python" --no-deps -e "packages/$pkg"
  echo "--- $pkg, lowest-direct on $("$venv/bin/python" --version):"
  grep -v '^-e' "$req" | tr '\n' ' '
  echo
  if ! "$venv/bin/python" -m pytest -q -p no:cacheprovider "packages/$pkg/tests"; then
    failed+=("$pkg on Python $want")
  fi
}

failed=()
packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(confluence-client mcp-auth confluence-mcp)
for pkg in "${packages[@]}"; do
  case $pkg in
    confluence-client) run_lowest confluence-client 3.10 "--extra testing" ;;
    mcp-auth)
      run_lowest mcp-auth 3.10 "--extra fastmcp"
      run_lowest mcp-auth 3.11 "--extra fastmcp"
      ;;
    confluence-mcp) run_lowest confluence-mcp 3.11 "--extra otlp --extra prometheus --extra sentry --extra chart --extra redis" ;;
    *) echo "unknown package: $pkg" >&2; exit 2 ;;
  esac
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "lowest-direct FAILED for: ${failed[*]} -- raise the floor that broke" >&2
  exit 1
fi
echo "lowest-direct: every floor works"
