#!/usr/bin/env bash
# Docker section of CI (called by .ci/run): a real Docker engine, locally built
# images for Kafka/Cassandra/Redis (no registry reachable here), then the docker
# provider's real-engine tests.
#
#   bash .ci/docker.sh            # engine + images (before the integration suite,
#                                 # which includes test/docker/*.test.ts)
#   bash .ci/docker.sh --engine   # only make sure dockerd runs
#   bash .ci/docker.sh --test     # engine + images + run test/docker/ on its own
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v mvn >/dev/null 2>&1 || need+=(maven)
if [ ${#need[@]} -gt 0 ]; then
  echo "[ci:docker] apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "[ci:docker] starting dockerd"
  mkdir -p .cache
  nohup dockerd > .cache/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "[ci:docker] dockerd did not come up:"; tail -30 .cache/dockerd.log; exit 1; }
fi
echo "[ci:docker] engine $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?') answers"
[ "${1:-}" = "--engine" ] && exit 0

t0=$(date +%s)
npx tsx test/docker/test-images.ts
echo "[ci:docker] test images ready in $(( $(date +%s) - t0 ))s"

[ "${1:-}" = "--test" ] || exit 0
t0=$(date +%s)
npx vitest run --project integration test/docker/
echo "[ci:docker] docker provider tests took $(( $(date +%s) - t0 ))s"
