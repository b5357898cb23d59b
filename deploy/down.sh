#!/usr/bin/env bash
# Stops the local stack that deploy/up.sh started (services, PostgreSQL, Redis). Data stays in .state/local.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
exec "$repo/deploy/stack.sh" stop "$repo/.state/local"
