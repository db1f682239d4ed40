#!/usr/bin/env bash
# Browser tests need a real Chromium. Playwright cannot download its own build here, so use Debian's package.
# Prints the executable path on stdout; progress goes to stderr.
set -euo pipefail
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: chromium is not installed and this user cannot install it (apt-get install chromium)" >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium >&2
echo /usr/bin/chromium
