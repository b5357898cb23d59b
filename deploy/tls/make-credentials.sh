#!/usr/bin/env bash
# Makes the suite's credentials under DIR, keeping any that exist (idempotent):
#   DIR/ca.crt, DIR/ca.key                       the suite's own CA (mutual TLS between services)
#   DIR/<service>/{ca.crt,tls.crt,tls.key}       one certificate per process, CN and DNS name = the service name,
#                                                 usable as server and as client (the layout of a Kubernetes TLS Secret)
#   DIR/token.signing-key, DIR/token.public-key  base64 Ed25519 key pair for access tokens: only the user service
#                                                 gets the signing key; every process gets the public key
# Usage: make-credentials.sh DIR [SERVICE ...]   (default services: product order marketing user datahub gateway)
set -euo pipefail
dir=${1:?usage: make-credentials.sh DIR [SERVICE ...]}
shift
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(product order marketing user datahub gateway)
mkdir -p "$dir"
umask 077

if [ ! -f "$dir/ca.crt" ] || [ ! -f "$dir/ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=zhongtai-local-ca" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  rm -rf "${services[@]/#/$dir/}"  # certificates of an older CA are worthless
fi

for name in "${services[@]}"; do
  out=$dir/$name
  [ -f "$out/tls.crt" ] && [ -f "$out/tls.key" ] && [ -f "$out/ca.crt" ] && continue
  mkdir -p "$out"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -keyout "$out/tls.key" -out "$out/tls.csr" 2>/dev/null
  # zt-<name> is the Kubernetes Service name; clients check the name <name> whatever address they dial.
  printf 'subjectAltName=DNS:%s,DNS:zt-%s,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' \
    "$name" "$name" > "$out/ext.cnf"
  openssl x509 -req -in "$out/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 825 \
    -extfile "$out/ext.cnf" -out "$out/tls.crt" 2>/dev/null
  cp "$dir/ca.crt" "$out/ca.crt"
  rm -f "$out/tls.csr" "$out/ext.cnf"
done

if [ ! -f "$dir/token.signing-key" ] || [ ! -f "$dir/token.public-key" ]; then
  openssl genpkey -algorithm ed25519 -out "$dir/token.pem"
  # The last 32 bytes of the DER forms are the raw seed and the raw public key.
  openssl pkey -in "$dir/token.pem" -outform DER | tail -c 32 | base64 -w0 > "$dir/token.signing-key"
  openssl pkey -in "$dir/token.pem" -pubout -outform DER | tail -c 32 | base64 -w0 > "$dir/token.public-key"
  rm -f "$dir/token.pem"
fi
