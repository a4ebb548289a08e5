#!/usr/bin/env bash
# Runs the core's benchmarks against the real components and prints their tables.
#   npm run bench                 all of them, in order
#   npm run bench -- sse-fanout   only the named ones (http-throughput, sse-fanout, embedded-start,
#                                 audit-append, audit-verify, audit-permission; `audit` = these three;
#                                 ssh-exec, ssh-concurrency, ssh-fanout, ssh-transfer, ssh-memory;
#                                 `ssh` = these five, they need root)
# Builds the core when its sources are newer than core/dist (BENCH_SKIP_BUILD=1: don't), brings up PostgreSQL and Redis
# with scripts/test-env.sh (reusing running ones). Results belong in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."

audit_benches=(audit-append audit-verify audit-permission)
ssh_benches=(ssh-exec ssh-concurrency ssh-fanout ssh-transfer ssh-memory)
benches=(http-throughput sse-fanout embedded-start "${audit_benches[@]}" "${ssh_benches[@]}")
if [ "$#" -gt 0 ]; then
  benches=()
  for b in "$@"; do
    case "$b" in
      audit) benches+=("${audit_benches[@]}") ;;
      ssh) benches+=("${ssh_benches[@]}") ;;
      *) benches+=("$b") ;;
    esac
  done
fi
for b in "${benches[@]}"; do
  if [ ! -f "core/bench/$b.bench.mjs" ]; then
    echo "bench: no such benchmark: $b (have: http-throughput sse-fanout embedded-start ${audit_benches[*]} ${ssh_benches[*]}; groups: audit, ssh)" >&2
    exit 2
  fi
done

# 1,000 SSE subscribers hold 1,000 sockets in the bench and 1,000 in the core.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4096 ]; then
  echo "bench: open-file limit is $(ulimit -n); sse-fanout needs more than 2,100" >&2
fi

# BENCH_SKIP_BUILD=1 measures core/dist as it is (e.g. while someone's sources do not compile).
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] && { [ ! -f core/dist/main.js ] ||
  [ -n "$(find core/src core/drizzle core/package.json core/tsconfig.json core/tsconfig.build.json -newer core/dist/main.js -print -quit)" ]; }; then
  echo "bench: building the core" >&2
  if ! npm run build -w @serverbox/core >&2; then
    echo "bench: the core does not build; fix it, or run with BENCH_SKIP_BUILD=1 to measure core/dist as it is" >&2
    exit 1
  fi
fi

# shellcheck source=scripts/test-env.sh
. scripts/test-env.sh
set +e

echo "# serverbox benchmarks — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc: $(nproc); node $(node --version); $(psql "$TEST_PG_URL" -Atc 'select version()' 2>/dev/null | cut -d, -f1);" \
  "redis $(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

failed=()
for b in "${benches[@]}"; do
  node "core/bench/$b.bench.mjs" || failed+=("$b")
done

echo
if [ "${#failed[@]}" -gt 0 ]; then
  echo "bench: failed: ${failed[*]}" >&2
  exit 1
fi
echo "bench: done (${benches[*]})"
