#!/usr/bin/env bash
# The one test command: builds, typechecks, lints and runs every test on this machine's Node, then runs every
# package's test suite again on Node 22 and 24 (binaries from the npm registry's platform packages, see
# scripts/node-version.sh). Whatever the tests need (a throwaway PostgreSQL server, Chromium) is installed and
# started here and stopped at the end. GATEHOUSE_NODE_VERSIONS="" skips the other Node versions.
set -euo pipefail
cd "$(dirname "$0")/.."

log="$(mktemp)"
started_pg=""
cleanup() {
  rm -f "$log"
  [ -z "$started_pg" ] || bash scripts/pg-test.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

if [ -z "${DATABASE_URL:-}" ] && [ -f scripts/pg-test.sh ]; then
  started_pg=yes
  # Assigned first: `eval "$(...)"` would swallow a failed start, and the PostgreSQL suites would quietly skip.
  pg_env="$(bash scripts/pg-test.sh start)"
  eval "$pg_env"
fi

# The hosted-login-page test drives a real Chromium (Debian's package; Playwright cannot download its own here).
CHROMIUM_PATH="$(bash scripts/ensure-chromium.sh)"
export CHROMIUM_PATH

# One closing line per run, summed over every package's vitest summary ("Tests  2 failed | 15 passed (17)").
summarise() {
  sed 's/\x1b\[[0-9;]*m//g' "$2" | grep -E '^\S+:test: +Tests +[0-9]' | awk -v label="$1" '
    { for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^skipped/) s += $i } }
    END { printf "%s tests: %d passed, %d failed, %d skipped\n", label, p, f, s }' || true
}

set +e
npx turbo run build typecheck lint test --concurrency=2 --output-logs=new-only "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
summary="$(summarise "node $(node --version):" "$log")"
echo "$summary"

if [ "$status" -eq 0 ]; then
  for major in ${GATEHOUSE_NODE_VERSIONS-22 24}; do
    bin="$(bash scripts/node-version.sh "$major")"
    version="$(PATH="$bin:$PATH" node --version)"
    echo "── every package's test suite on Node $version ──"
    set +e
    # --only: the build and typecheck above stand; --force: the cache must not replay this machine's Node run.
    # The fuzz suite ran its 10,000 cases per route above; here a tenth of them, with another seed. Likewise the
    # cluster test's 20 cold starts of three `gatehouse serve` processes: 3 here.
    FUZZ_RUNS=1000 FUZZ_SEED="$major" GATEHOUSE_CLUSTER_COLD_STARTS=3 PATH="$bin:$PATH" npx turbo run test --filter='./packages/*' --only --force --concurrency=2 --output-logs=new-only 2>&1 | tee "$log"
    run_status=${PIPESTATUS[0]}
    set -e
    line="$(summarise "node $version:" "$log")"
    summary="$summary"$'\n'"$line"
    echo "$line"
    [ "$run_status" -eq 0 ] || status="$run_status"
  done
fi
echo "$summary"
exit "$status"
