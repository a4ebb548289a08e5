#!/usr/bin/env bash
# The whole test suite: lint, type-check, unit + integration tests (real PostgreSQL and
# Redis), then the end-to-end test in real Chromium. Brings up what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-deps.sh
. scripts/test-env.sh

echo "== lint"
npx biome check .
echo "== type-check"
npm run typecheck --silent
echo "== build"
npm run build --silent
echo "== core: unit and integration tests"
npm test --silent -w @serverbox/core
echo "== dashboard: end-to-end tests in Chromium"
npm run e2e --silent -w @serverbox/dashboard
