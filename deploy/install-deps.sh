#!/usr/bin/env bash
# Installs every build, test and run dependency on Debian 12. Idempotent: a second run changes nothing.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake ninja-build ccache pkg-config git python3 python3-yaml curl jq
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libhiredis-dev libpqxx-dev prometheus-cpp-dev catch2 libssl-dev libsodium-dev libboost-dev libboost-system-dev
  postgresql-15 postgresql-contrib-15 redis-server prometheus
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# kubectl renders the Kubernetes manifests (kustomize) in the contract tests. Debian 12's own
# kubernetes-client (1.20) predates kustomize components, so it comes from the kubectl package of the
# Kubernetes apt repository when it is not on PATH already.
command -v kubectl >/dev/null || missing+=(kubectl)
# nodejs from NodeSource already ships npm; do not ask apt for Debian's npm then.
if command -v npm >/dev/null; then
  filtered=(); for p in "${missing[@]}"; do [ "$p" = npm ] || filtered+=("$p"); done; missing=("${filtered[@]}")
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm tools, pinned by package-lock.json, into the checkout (node_modules is ignored by git); installed
# again whenever the lock file changes.
stamp=$repo/node_modules/.zt-lock.sha256
if ! (cd "$repo" && sha256sum --status -c "$stamp" 2>/dev/null); then
  (cd "$repo" && npm ci --no-audit --no-fund --silent)
  (cd "$repo" && sha256sum package-lock.json > "$stamp")
fi
echo "dependencies ready"
