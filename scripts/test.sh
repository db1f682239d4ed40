#!/usr/bin/env bash
# The one test command: builds, typechecks, lints and runs every package's tests. Whatever the tests
# need (a throwaway PostgreSQL server, Chromium) is installed and started here and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${DATABASE_URL:-}" ] && [ -f scripts/pg-test.sh ]; then
  trap 'bash scripts/pg-test.sh stop >/dev/null 2>&1 || true' EXIT
  # Assigned first: `eval "$(...)"` would swallow a failed start, and the PostgreSQL suites would quietly skip.
  pg_env="$(bash scripts/pg-test.sh start)"
  eval "$pg_env"
fi

# The hosted-login-page test drives a real Chromium (Debian's package; Playwright cannot download its own here).
CHROMIUM_PATH="$(bash scripts/ensure-chromium.sh)"
export CHROMIUM_PATH

log="$(mktemp)"
set +e
npx turbo run build typecheck lint test --concurrency=2 --output-logs=new-only "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over every package's vitest summary ("Tests  2 failed | 15 passed (17)").
sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^\S+:test: +Tests +[0-9]' | awk '
  { for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^skipped/) s += $i } }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' || true
rm -f "$log"
exit "$status"
