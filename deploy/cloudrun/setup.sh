#!/usr/bin/env bash
# One-time Google Cloud set-up for confluence-mcp on Cloud Run, behind an external HTTPS
# load balancer with Cloud Armor, IAM invoker authentication, Cloud Trace / Cloud Monitoring
# through the collector sidecar, and secrets in Secret Manager. See deploy/README.md.
#
#   PROJECT=my-project REGION=europe-west1 DOMAIN=mcp.example.com \
#   INVOKERS="serviceAccount:agent@my-project.iam.gserviceaccount.com,group:mcp-users@example.com" \
#   IMAGE=europe-west1-docker.pkg.dev/my-project/confluence-mcp/confluence-mcp:0.1.0 \
#   COLLECTOR_VERSION=0.120.0 deploy/cloudrun/setup.sh
#
# Reads the secret values from the environment (CONFLUENCE_USERNAME, CONFLUENCE_API_TOKEN,
# optional SENTRY_DSN) so they never appear on a command line. DRY_RUN=1 prints the gcloud
# commands instead of running them, and the rendered service manifest on stderr.
set -euo pipefail

: "${PROJECT:?set PROJECT}" "${REGION:?set REGION}" "${DOMAIN:?set DOMAIN}"
: "${IMAGE:?set IMAGE}" "${COLLECTOR_VERSION:?set COLLECTOR_VERSION}"
INVOKERS="${INVOKERS:-}"
SERVICE=confluence-mcp
ACCOUNT="$SERVICE@$PROJECT.iam.gserviceaccount.com"
HERE="$(cd "$(dirname "$0")" && pwd)"

run() {
  if [[ "${DRY_RUN:-}" == 1 ]]; then
    printf 'gcloud'; printf ' %q' "$@"; printf '\n'
  else
    gcloud --project "$PROJECT" "$@"
  fi
}

secret() {  # secret NAME VALUE_FROM_STDIN: create it, or add a version when it exists
  if [[ "${DRY_RUN:-}" == 1 ]]; then
    cat >/dev/null; echo "gcloud secrets create $1 --data-file=-"; return
  fi
  if gcloud --project "$PROJECT" secrets describe "$1" >/dev/null 2>&1; then
    gcloud --project "$PROJECT" secrets versions add "$1" --data-file=-
  else
    gcloud --project "$PROJECT" secrets create "$1" --data-file=-
  fi
}

echo "== service account and its roles"
run iam service-accounts create "$SERVICE" --display-name="confluence-mcp on Cloud Run"
for role in roles/secretmanager.secretAccessor roles/cloudtrace.agent roles/monitoring.metricWriter; do
  run projects add-iam-policy-binding "$PROJECT" --member="serviceAccount:$ACCOUNT" --role="$role"
done

echo "== secrets (values from the environment, never arguments)"
printf '%s' "${CONFLUENCE_USERNAME:?set CONFLUENCE_USERNAME}" | secret confluence-username
printf '%s' "${CONFLUENCE_API_TOKEN:?set CONFLUENCE_API_TOKEN}" | secret confluence-api-token
if [[ -n "${SENTRY_DSN:-}" ]]; then
  printf '%s' "$SENTRY_DSN" | secret sentry-dsn
fi
secret otel-collector-config <"$HERE/otel-collector.yaml"

echo "== the service (ingress: internal and the load balancer only)"
manifest="$(mktemp)"
trap 'rm -f "$manifest"' EXIT
sed -e "s|REGION-docker.pkg.dev/PROJECT/confluence-mcp/confluence-mcp:0.1.0|$IMAGE|" \
    -e "s|@PROJECT.iam|@$PROJECT.iam|" \
    -e "s|COLLECTOR_VERSION|$COLLECTOR_VERSION|" \
    -e "s|https://mcp.example.com|https://$DOMAIN|g" \
    "$HERE/service.yaml" >"$manifest"
if [[ -z "${SENTRY_DSN:-}" ]]; then
  # Drop the SENTRY_DSN entry (5 lines from its name) when no DSN was given.
  sed -i '/- name: SENTRY_DSN/,+4d' "$manifest"
fi
[[ "${DRY_RUN:-}" == 1 ]] && cat "$manifest" >&2
run run services replace "$manifest" --region="$REGION"

echo "== IAM invoker: who may call the service"
IFS=',' read -r -a members <<<"$INVOKERS"
for member in "${members[@]}"; do
  [[ -n "$member" ]] || continue
  run run services add-iam-policy-binding "$SERVICE" --region="$REGION" \
    --member="$member" --role=roles/run.invoker
done

echo "== external HTTPS load balancer with Cloud Armor in front"
run compute network-endpoint-groups create "$SERVICE-neg" --region="$REGION" \
  --network-endpoint-type=serverless --cloud-run-service="$SERVICE"
run compute backend-services create "$SERVICE-backend" --global \
  --load-balancing-scheme=EXTERNAL_MANAGED
run compute backend-services add-backend "$SERVICE-backend" --global \
  --network-endpoint-group="$SERVICE-neg" --network-endpoint-group-region="$REGION"
run compute security-policies create "$SERVICE-armor" \
  --description="per-IP rate limit for confluence-mcp"
run compute security-policies rules create 1000 --security-policy="$SERVICE-armor" \
  --expression="true" --action=throttle --rate-limit-threshold-count=600 \
  --rate-limit-threshold-interval-sec=60 --conform-action=allow --exceed-action=deny-429 \
  --enforce-on-key=IP
run compute backend-services update "$SERVICE-backend" --global --security-policy="$SERVICE-armor"
run compute url-maps create "$SERVICE-lb" --default-service="$SERVICE-backend"
run compute ssl-certificates create "$SERVICE-cert" --domains="$DOMAIN" --global
run compute target-https-proxies create "$SERVICE-https" --url-map="$SERVICE-lb" \
  --ssl-certificates="$SERVICE-cert"
run compute addresses create "$SERVICE-ip" --global
run compute forwarding-rules create "$SERVICE-https" --global \
  --load-balancing-scheme=EXTERNAL_MANAGED --address="$SERVICE-ip" \
  --target-https-proxy="$SERVICE-https" --ports=443

echo "== done: point $DOMAIN (A record) at the address below; the certificate follows"
run compute addresses describe "$SERVICE-ip" --global --format='value(address)'
