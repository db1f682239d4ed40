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

npx turbo run build typecheck lint test --concurrency=2 --output-logs=new-only "$@"
