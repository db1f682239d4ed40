#!/usr/bin/env bash
# `npm start`: builds what the example auth server needs and starts it on its embedded default
# (PGlite in a data folder in the repo, demo identities seeded).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f examples/auth-server/package.json ]; then
  echo "Gatehouse: no strategies configured yet — the example auth server (examples/auth-server) has not landed." >&2
  echo "Run the tests instead: npm ci && npm test" >&2
  exit 0
fi
echo "Gatehouse: building the example auth server and its packages (the first build takes a minute or two)..." >&2
npx turbo run build --filter=@gatehouse-auth/example-auth-server... --output-logs=errors-only >&2
exec npm run --silent start -w @gatehouse-auth/example-auth-server -- "$@"
