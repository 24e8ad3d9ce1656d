#!/usr/bin/env bash
# The container image, built and run for real: hadolint on deploy/Dockerfile; then, with a
# Docker engine this script starts and stops itself (Debian's docker.io, installed as root
# when missing), a local base image under the Dockerfile's base tag (no container registry
# is reachable: debootstrap of Debian bookworm minbase from this machine's apt mirror, plus
# python3, venv, pip and this machine's CA certificates, without Debian's PEP 668 marker, so
# it behaves like the official slim image); the image build; and two runs the way the READMEs
# document them (read-only root, tmpfs /tmp, key file from `keys create --mode 0644`, then
# `--owner 10001:10001`), each waited on until `healthy`, checked non-root, called over
# Streamable HTTP with an API key (and refused without one), stopped; and a third start
# without the tmpfs, which must refuse an audit file under /tmp clearly.
# Where no engine can be installed or started, the step is skipped with a loud reason.
#
# Local runs cache the debootstrap tarball in .ci/.cache (gitignored; delete it to pick up
# Debian updates); CI starts clean. Measured here (2 shared cores): about 3 minutes with the
# debootstrap, 1.5 without; the image build itself 10-35 s.
set -euo pipefail

cd "$(dirname "$0")/.."
export UV_NO_PROGRESS=1 PYTHONDONTWRITEBYTECODE=1
STARTED=$(date +%s)
IMAGE=confluence-mcp:ci
CACHE=.ci/.cache
SUITE=bookworm
# python-is-python3: the official image has `python`, which the HEALTHCHECK runs.
BASE_PACKAGES=python3,python3-venv,python3-pip,python-is-python3,ca-certificates
DOCKER=/usr/bin/docker   # /usr/local/bin/docker may be a client of some other engine
DOCKERD=/usr/sbin/dockerd

skip() {
  printf '\n!!!!!!!! SKIPPED: container image test: %s !!!!!!!!\n\n' "$*" >&2
  exit 0
}
fail() {
  printf 'image test FAILED: %s\n' "$*" >&2
  exit 1
}

echo "--- hadolint $(uv run --locked hadolint --version | head -n 1)"
uv run --locked hadolint deploy/Dockerfile
echo "deploy/Dockerfile ok"

# --- the engine and debootstrap ----------------------------------------------------------
if [ ! -x "$DOCKER" ] || [ ! -x "$DOCKERD" ] || ! command -v debootstrap >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || skip "docker.io and debootstrap are not installed, and only root may install them"
  echo "installing Debian's docker.io and debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker.io debootstrap \
      >/dev/null; } || skip "apt-get could not install docker.io and debootstrap"
fi
[ "$(id -u)" = 0 ] || skip "dockerd and debootstrap need root here (no rootless set-up)"

WORK=$(mktemp -d /tmp/confluence-mcp-image.XXXXXX)
# The engine's data (layers of tens of thousands of small files) on a tmpfs: removing it from
# disk took over a minute here; unmounting takes none. Without tmpfs, the disk is used.
WORK_TMPFS=
if mount -t tmpfs -o size=6g,mode=0700 confluence-mcp-image "$WORK" 2>/dev/null; then
  WORK_TMPFS=1
fi
export DOCKER_HOST="unix://$WORK/docker.sock"
DOCKERD_PID=
FAKE_PID=
CONTAINERS=()
cleanup() {
  set +e
  local since
  since=$(date +%s)
  for c in "${CONTAINERS[@]}"; do "$DOCKER" rm -f "$c" >/dev/null 2>&1; done
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
  if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    kill -TERM "$DOCKERD_PID"
    for _ in $(seq 1 40); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$DOCKERD_PID" 2>/dev/null
    wait "$DOCKERD_PID" 2>/dev/null
  fi
  if [ -n "$WORK_TMPFS" ]; then
    umount -R "$WORK" || umount -l "$WORK"
  fi
  rm -rf "$WORK"
  echo "engine stopped and its data removed in $(( $(date +%s) - since ))s"
}
trap cleanup EXIT

echo "--- starting dockerd (data root $WORK/data)"
"$DOCKERD" --data-root "$WORK/data" --exec-root "$WORK/exec" --pidfile "$WORK/dockerd.pid" \
  --host "$DOCKER_HOST" >"$WORK/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 1 60); do
  "$DOCKER" version >/dev/null 2>&1 && break
  kill -0 "$DOCKERD_PID" 2>/dev/null || break
  sleep 0.5
done
if ! "$DOCKER" version >/dev/null 2>&1; then
  tail -n 15 "$WORK/dockerd.log" >&2
  skip "dockerd did not start (its last log lines are above)"
fi
echo "engine: $("$DOCKER" version --format 'Docker {{.Server.Version}}')"

# --- the base image, under the tag the Dockerfile's FROM uses -----------------------------
BASE_TAG=$(sed -n 's/^ARG PYTHON_IMAGE=//p' deploy/Dockerfile)
[ -n "$BASE_TAG" ] || fail "deploy/Dockerfile has no 'ARG PYTHON_IMAGE=<tag>' line"
# The mirror of this machine's apt sources serving $SUITE (one-line or deb822 format).
MIRROR=$(
  {
    { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } \
      | sed 's/\[[^]]*\]//' | awk -v s="$SUITE" '$1 == "deb" && $3 == s { print $2 }'
    { cat /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } | awk -v s="$SUITE" '
      BEGIN { RS = ""; FS = "\n" }
      { uri = ""; ok = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { split($i, u, " "); uri = u[2] }
          if ($i ~ /^Suites:/) { n = split($i, w, " "); for (j = 2; j <= n; j++) if (w[j] == s) ok = 1 }
        }
        if (ok && uri != "") print uri }'
  } | awk 'NR == 1'
)
[ -n "$MIRROR" ] || fail "no apt source for Debian $SUITE in /etc/apt/sources.list{,.d}"
CA_FILES=(/usr/local/share/ca-certificates/*.crt)
[ -e "${CA_FILES[0]}" ] || CA_FILES=()
KEY=$( { echo "$SUITE $MIRROR $BASE_PACKAGES"; cat "${CA_FILES[@]}" /dev/null; } | sha256sum | cut -c1-16)
TARBALL="$CACHE/debian-$SUITE-python-$KEY.tar"
if [ ! -s "$TARBALL" ]; then
  echo "--- debootstrap $SUITE (minbase + $BASE_PACKAGES) from $MIRROR"
  ROOTFS="$WORK/rootfs"
  t0=$(date +%s)
  debootstrap --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -n 20 "$WORK/debootstrap.log" >&2; fail "debootstrap"; }
  if [ "${#CA_FILES[@]}" -gt 0 ]; then
    cp "${CA_FILES[@]}" "$ROOTFS/usr/local/share/ca-certificates/"
    chroot "$ROOTFS" update-ca-certificates >/dev/null 2>&1
  fi
  rm -f "$ROOTFS"/usr/lib/python3.*/EXTERNALLY-MANAGED
  # What the slim images leave out: package caches, indexes, docs, man pages, locales.
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
    "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/locale/*
  mkdir -p "$CACHE"
  tar --numeric-owner -C "$ROOTFS" -cf "$TARBALL.part" . && mv "$TARBALL.part" "$TARBALL"
  rm -rf "$ROOTFS"
  echo "base root filesystem made in $(( $(date +%s) - t0 ))s"
else
  echo "--- base root filesystem from the cache: $TARBALL"
fi
# The host's CA bundle path for uv inside the build (pip uses it by default), as on this host.
"$DOCKER" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["python3"]' \
  "$TARBALL" "$BASE_TAG" >/dev/null
BASE_PY=$("$DOCKER" run --rm "$BASE_TAG" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case "$BASE_TAG" in
  *:"$BASE_PY"-*|*:"$BASE_PY") ;;
  *) fail "$BASE_TAG wants another Python than Debian $SUITE's $BASE_PY: change SUITE here" ;;
esac
echo "base image $BASE_TAG: Debian $SUITE, Python $BASE_PY"

# --- the build ---------------------------------------------------------------------------
echo "--- docker build -f deploy/Dockerfile -t $IMAGE ."
t0=$(date +%s)
# Host network: the build reaches the package index the way this machine does.
DOCKER_BUILDKIT=1 "$DOCKER" build --network host --progress plain -f deploy/Dockerfile -t "$IMAGE" . \
  >"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log" >&2; fail "docker build"; }
BUILD_SECONDS=$(( $(date +%s) - t0 ))
IMAGE_MB=$(( $("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE") / 1000000 ))
echo "built $IMAGE in ${BUILD_SECONDS}s: ${IMAGE_MB} MB"

# --- the fake Confluence on the engine's bridge (reachable from containers, not outside) ---
BRIDGE_IP=$(ip -4 -o addr show docker0 | awk '{ split($4, a, "/"); print a[1]; exit }')
[ -n "$BRIDGE_IP" ] || fail "the engine made no docker0 bridge"
PYTHON=$(uv run --locked python -c 'import sys; print(sys.executable)')
: >"$WORK/fake.log"
"$PYTHON" -m confluence_client.testing --host "$BRIDGE_IP" --port 0 >"$WORK/fake.log" 2>&1 &
FAKE_PID=$!
WIKI_URL=
for _ in $(seq 1 300); do
  WIKI_URL=$(sed -n 's/^ *Cloud site base: *//p' "$WORK/fake.log")
  [ -n "$WIKI_URL" ] && break
  kill -0 "$FAKE_PID" 2>/dev/null || { cat "$WORK/fake.log" >&2; fail "fake Confluence"; }
  sleep 0.1
done
[ -n "$WIKI_URL" ] || fail "the fake Confluence printed no URL"
echo "fake Confluence at $WIKI_URL"

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The README's .env: deploy/env/api-keys.env.example with the blanks filled in.
env_file() {  # $1: published port
  sed -e "s|^CONFLUENCE_URL=.*|CONFLUENCE_URL=$WIKI_URL|" \
      -e "s|^CONFLUENCE_USERNAME=.*|CONFLUENCE_USERNAME=fake@example.com|" \
      -e "s|^CONFLUENCE_API_TOKEN=.*|CONFLUENCE_API_TOKEN=fake-api-token|" \
      -e "s|^MCP_PUBLIC_URL=.*|MCP_PUBLIC_URL=http://127.0.0.1:$1|" \
      deploy/env/api-keys.env.example
  echo "CONFLUENCE_DEPLOYMENT=cloud"
}

# Runs the image as the READMEs do (the port published on loopback only; a short health
# interval so that `healthy` comes in seconds, the check itself is the image's). $1 name,
# $2 key directory, then extra `docker run` options.
run_documented() {
  local name=$1 keys=$2 port
  shift 2
  port=$(free_port)
  env_file "$port" >"$WORK/$name.env"
  CONTAINERS+=("$name")
  "$DOCKER" run -d --name "$name" -p "127.0.0.1:$port:8000" --env-file "$WORK/$name.env" \
    --read-only --tmpfs /tmp \
    -v "$keys:/run/secrets/mcp:ro" \
    --health-interval 2s --health-start-period 30s "$@" "$IMAGE" >/dev/null
  local status=
  for _ in $(seq 1 60); do
    status=$("$DOCKER" inspect -f '{{.State.Status}} {{.State.Health.Status}}' "$name")
    [ "$status" = "running healthy" ] && break
    case "$status" in running*) ;; *) break ;; esac
    sleep 1
  done
  if [ "$status" != "running healthy" ]; then
    "$DOCKER" logs "$name" 2>&1 | tail -n 30 >&2
    fail "$name is '$status', not 'running healthy' (its logs are above)"
  fi
  local uids ruid euid
  uids=$("$DOCKER" exec "$name" sh -c 'grep "^Uid:" /proc/1/status')
  read -r _ ruid euid _ <<<"$uids"
  [ "$ruid" != 0 ] && [ "$euid" != 0 ] || fail "$name: its process runs as root ($uids)"
  if "$DOCKER" exec "$name" sh -c 'touch /opt/venv/x' 2>/dev/null; then
    fail "$name: the root filesystem is writable"
  fi
  echo "$name: healthy, uid $euid, read-only root"
  URL="http://127.0.0.1:$port/mcp"
}

stop_container() {
  local started stopped code
  started=$(date +%s)
  "$DOCKER" stop -t 20 "$1" >/dev/null
  stopped=$(( $(date +%s) - started ))
  code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$1")
  [ "$code" = 0 ] || { "$DOCKER" logs "$1" 2>&1 | tail -n 20 >&2; fail "$1 exited $code on SIGTERM"; }
  echo "$1: stopped by SIGTERM in ${stopped}s, exit 0"
}

keys() { uv run --locked confluence-mcp keys "$@"; }

# 1. The README: `keys create --mode 0644` into a directory mounted read-only.
mkdir -p "$WORK/keys-mode"
API_KEY=$(keys create --file "$WORK/keys-mode/keys.json" --name image-test \
  --scopes confluence:read --mode 0644 2>/dev/null)
run_documented cmcp-readme "$WORK/keys-mode"
MCP_IMAGE_TEST_KEY=$API_KEY "$PYTHON" .ci/image_call.py "$URL"
# A revocation on the host reaches the container: the key file is replaced atomically, which
# a directory mount shows (a single-file bind mount would keep the old file).
keys revoke --file "$WORK/keys-mode/keys.json" image-test >/dev/null
MCP_IMAGE_TEST_KEY=$API_KEY "$PYTHON" .ci/image_call.py --refused "$URL"
stop_container cmcp-readme

# 2. `keys create --owner 10001:10001` (mode stays 0600), audit log written to the tmpfs /tmp.
mkdir -p "$WORK/keys-owner"
API_KEY=$(keys create --file "$WORK/keys-owner/keys.json" --name image-test \
  --scopes confluence:read --owner 10001:10001 2>/dev/null)
run_documented cmcp-owner "$WORK/keys-owner" -e MCP_AUDIT_LOG=/tmp/audit.jsonl
MCP_IMAGE_TEST_KEY=$API_KEY "$PYTHON" .ci/image_call.py "$URL"
"$DOCKER" exec cmcp-owner grep -q list_spaces /tmp/audit.jsonl \
  || fail "no list_spaces call in the audit log on the tmpfs /tmp"
echo "cmcp-owner: audit log on the tmpfs /tmp records the call"
stop_container cmcp-owner

# 3. Without the tmpfs the same set-up cannot open its audit file: a clear refusal, no traceback.
if "$DOCKER" run --rm --env-file "$WORK/cmcp-owner.env" --read-only \
    -v "$WORK/keys-owner:/run/secrets/mcp:ro" -e MCP_AUDIT_LOG=/tmp/audit.jsonl "$IMAGE" \
    >"$WORK/no-tmpfs.log" 2>&1; then
  fail "with a read-only /tmp and MCP_AUDIT_LOG=/tmp/audit.jsonl the server started"
fi
if ! grep -q "MCP_AUDIT_LOG" "$WORK/no-tmpfs.log" || grep -q "Traceback" "$WORK/no-tmpfs.log"; then
  cat "$WORK/no-tmpfs.log" >&2
  fail "without a tmpfs on /tmp the refusal should name MCP_AUDIT_LOG, without a traceback"
fi
echo "without --tmpfs /tmp: refused at start-up ($(grep -m1 MCP_AUDIT_LOG "$WORK/no-tmpfs.log" | cut -c1-150))"

echo "image test passed: ${IMAGE_MB} MB image, built in ${BUILD_SECONDS}s; the whole step took $(( $(date +%s) - STARTED ))s"
