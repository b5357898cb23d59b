#!/usr/bin/env bash
# Rewrites dev-credentials/: the DEV-ONLY certificates and token key pair that this component puts in the dev
# cluster's Secrets (zt-<service>-tls, and token-*-key in zhongtai-secrets). They are committed, hence public: anyone
# can present them, so they must never reach production (tests/contracts/k8s_consistency_test.py checks that prod
# renders no Secret). The CA's private key is not kept: to renew one certificate, rerun this for all of them.
# Run it when k8s_consistency_test.py reports them close to expiry (they last 825 days).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
services=(product order marketing user datahub gateway)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$repo/deploy/tls/make-credentials.sh" "$work" "${services[@]}"
out=$here/dev-credentials
rm -rf "$out"
mkdir -p "$out"
for s in "${services[@]}"; do
  mkdir "$out/$s"
  cp "$work/$s/ca.crt" "$work/$s/tls.crt" "$work/$s/tls.key" "$out/$s/"
done
cp "$work/token.signing-key" "$work/token.public-key" "$out/"
echo "wrote $out (dev only; the CA key was discarded)"
