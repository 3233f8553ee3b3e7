#!/usr/bin/env bash
# Installs Tencent's web chat UI engine (the versions pinned by package.json and
# package-lock.json beside this script) into a cache folder outside the repository, and
# prints that folder: the one holding node_modules/, to give draw.mjs as `--modules DIR`.
#
#   bash tests/web-engine/install.sh            # prints e.g. /root/.cache/timl-npm/web-engine
#
# The cache is $TIML_NPM_CACHE/web-engine ($TIML_NPM_CACHE defaults to
# $HOME/.cache/timl-npm). It runs `npm ci` there only when package.json or the lockfile
# changed since the last install (a stamp holds their digest): otherwise it prints the
# folder at once, without npm and without the network. Runs at the same time (test
# binaries in parallel) wait for each other on a lock file.
#
# Standard output is the folder alone; npm's messages go to standard error.
# Exit codes: 0 installed; 75 npm could not reach the registry (no network); 1 any other
# failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -n "${TIML_NPM_CACHE:-}" ]; then
  cache="$TIML_NPM_CACHE"
elif [ -n "${HOME:-}" ]; then
  cache="$HOME/.cache/timl-npm"
else
  cache="${TMPDIR:-/tmp}/timl-npm"
fi
dir="$cache/web-engine"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install.sh: $tool not found" >&2
    exit 1
  fi
done

mkdir -p "$dir"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache/web-engine.lock"
  flock 9
fi

stamp="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)"
engine="$dir/node_modules/@tencentcloud/chat-uikit-engine-lite/package.json"
if [ -f "$dir/.installed" ] && [ "$(cat "$dir/.installed")" = "$stamp" ] && [ -f "$engine" ]; then
  echo "$dir"
  exit 0
fi

rm -f "$dir/.installed"
cp "$here/package.json" "$here/package-lock.json" "$dir/"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# --prefer-offline: the lockfile pins each tarball's digest, so one already in npm's own
# cache is used without asking the registry. The timeouts keep a machine without network
# from waiting minutes before it says so.
if (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --prefer-offline \
  --loglevel=warn --fetch-retries=1 --fetch-retry-mintimeout=2000 \
  --fetch-retry-maxtimeout=10000 --fetch-timeout=60000) >"$log" 2>&1; then
  cat "$log" >&2
  echo "$stamp" >"$dir/.installed"
  echo "$dir"
  exit 0
fi
cat "$log" >&2
if grep -Eq 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET|socket hang up|network request|npm error network' "$log"; then
  echo "install.sh: npm could not reach the registry" >&2
  exit 75
fi
echo "install.sh: npm ci failed in $dir" >&2
exit 1
